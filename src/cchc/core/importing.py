"""Shared plumbing for file imports: every import validates the whole file first and reports
each bad row as ``line N, column X: reason``; on any error nothing is saved."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cchc.core.errors import DomainError, InputFileError, read_text


@dataclass
class RowErrors:
    items: list[str] = field(default_factory=list)

    def add(self, line: int, column: str, reason: str) -> None:
        self.items.append(f"line {line}, column {column}: {reason}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise ImportFailed(what, self.items)


_LINE = re.compile(r"(?:sheet \S+, )?line (\d+)")


def error_summary(what: str, items: list[str]) -> str:
    """The head of an import report, errors and lines counted apart ("3 lỗi trên 2 dòng")."""
    lines = {m.group(0) for item in items if (m := _LINE.match(item))}
    if lines:
        head = _("%(errors)s lỗi trên %(lines)s dòng, không có gì được thay đổi.") % {
            "errors": len(items),
            "lines": len(lines),
        }
    else:
        head = _("%(errors)s lỗi, không có gì được thay đổi.") % {"errors": len(items)}
    return f"{what}: {head}"


class ImportFailed(DomainError):
    def __init__(self, what: str, items: list[str]):
        super().__init__(error_summary(what, items) + "\n" + "\n".join(items), items)


def read_csv(path: str | Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 (BOM allowed) CSV as (line number, {column: stripped value}).
    Raises ImportFailed when required columns are missing or a cell is longer than
    ``CCHC_MAX_CSV_FIELD_BYTES`` (each such cell as ``line N, column X``)."""
    text = read_text(path)
    limit = raise_csv_field_limit()
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFailed(str(path), [csv_field_error(1, exc)]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    except csv.Error as exc:
        raise ImportFailed(
            str(path), _oversize_cells(text, header, limit) or [csv_field_error(reader.line_num, exc)]
        ) from None
    return rows


def _oversize_cells(text: str, header: list[str], limit: int) -> list[str]:
    """Every cell above ``limit`` as ``line N, column X`` (a second reading without the cap)."""
    problems = []
    previous = csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text))
        next(reader, None)
        for values in reader:
            for i, value in enumerate(values):
                if len(value) > limit:
                    column = header[i] if i < len(header) else str(i + 1)
                    problems.append(
                        f"line {reader.line_num}, column {column}: "
                        + _("ô dài quá %(limit)s") % {"limit": filesizeformat(limit)}
                    )
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(previous)
    return problems


def parse_decimal(raw: str) -> Decimal:
    """``89.34`` or ``89,34``; raises ValueError with a readable reason."""
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a number: {raw!r}")
    return value


# --- strict YAML: one loader for every YAML the platform reads --------------------------------


class YamlError(DomainError, ValueError):
    """A YAML file refused by :func:`load_yaml`; ``problems`` are ``line N, column X: reason``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems), problems)


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


class MarkedDict(dict):
    """A YAML mapping that remembers where it and each of its keys stand in the file."""

    mark: str = ""
    key_marks: dict


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases or anchors (a 1 KB file of aliases expands to gigabytes), and
    with duplicate keys refused; mappings come back as :class:`MarkedDict`."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlError(
                [
                    f"{_where(event.start_mark)}: "
                    + _("không được dùng neo hoặc bí danh YAML (& hay *); hãy viết đầy đủ giá trị")
                ]
            )
        return super().compose_node(parent, index)

    def construct_strict_mapping(self, node):
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        out = MarkedDict()
        out.mark = _where(node.start_mark)
        out.key_marks = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    [f"{_where(key_node.start_mark)}: " + _("không được dùng khóa gộp YAML (<<)")]
                )
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlError([f"{_where(key_node.start_mark)}: " + _("khóa không hợp lệ")]) from None
            if key in out:
                raise YamlError(
                    [
                        f"{_where(key_node.start_mark)}: "
                        + _("khóa %(key)s lặp lại (đã có ở %(where)s)")
                        % {"key": repr(key), "where": out.key_marks[key]}
                    ]
                )
            out[key] = self.construct_object(value_node, deep=True)
            out.key_marks[key] = _where(key_node.start_mark)
        return out


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_strict_mapping
)


def _construct_timestamp(loader: _StrictLoader, node):
    """A date or date-time; an impossible one (2027-02-30) stays text, so that the reader that
    expects a date reports it on its line instead of the loader crashing."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def mark_line(mark: str) -> int:
    """N of a ``line N, column X`` mark (1 when there is none)."""
    m = re.match(r"line (\d+)", mark or "")
    return int(m.group(1)) if m else 1


def load_yaml(source: str | Path | bytes, *, max_bytes: int | None = None) -> Any:
    """Parse a YAML file (a path) or its bytes strictly: UTF-8 only, at most ``max_bytes``
    (``settings.CCHC_MAX_YAML_BYTES`` by default), no anchors, aliases or duplicate keys.
    Raises :class:`YamlError` with ``line N, column X: reason``."""
    limit = max_bytes if max_bytes is not None else settings.CCHC_MAX_YAML_BYTES
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise YamlError([_("%(path)s: không tìm thấy tệp") % {"path": path}]) from None
        if size > limit:
            raise YamlError([too_large_message(size, limit)])
        data = path.read_bytes()
    if len(data) > limit:
        raise YamlError([too_large_message(len(data), limit)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            [f"line {line}, column {column}: " + _("tệp không phải văn bản UTF-8 (hãy lưu lại với mã UTF-8)")]
        ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{_where(mark)}: " if mark else ""
        raise YamlError(
            [where + _("không phải YAML hợp lệ (%(why)s)") % {"why": getattr(exc, "problem", exc)}]
        ) from None
    except RecursionError:
        raise YamlError([_("tệp YAML lồng nhau quá sâu")]) from None


def too_large_message(size: int, limit: int) -> str:
    return _("tệp quá lớn (%(size)s, tối đa %(limit)s)") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


# A schema of allowed keys: {key: schema of its value or None for any value}; a list [schema]
# is a list of such items; a callable returns the schema (for recursive trees).
Schema = dict | list | None


def unknown_keys(data: Any, schema: Any, path: str = "") -> list[str]:
    """Each key of ``data`` that ``schema`` does not know, as ``line N, column X: reason``: a cut
    text (an unquoted comma inside ``{…}``) becomes an unknown key and is reported."""
    if callable(schema):
        schema = schema()
    problems: list[str] = []
    if schema is None:
        return problems
    if isinstance(schema, list):
        if isinstance(data, list):
            for i, item in enumerate(data):
                problems += unknown_keys(item, schema[0], f"{path}[{i}]")
        return problems
    if not isinstance(data, dict):
        return problems
    marks = getattr(data, "key_marks", {})
    for key, value in data.items():
        if key not in schema:
            where = marks.get(key) or getattr(data, "mark", "") or "line ?, column ?"
            hint = (
                _(' (một dấu phẩy không nằm trong ngoặc kép đã cắt văn bản? hãy đặt văn bản trong "…")')
                if value is None
                else ""
            )
            problems.append(
                f"{where}: "
                + _("khóa không được biết %(key)s ở %(path)s (các khóa được dùng: %(known)s)")
                % {"key": repr(key), "path": path or "/", "known": ", ".join(sorted(schema))}
                + hint
            )
        else:
            problems += unknown_keys(value, schema[key], f"{path}.{key}" if path else str(key))
    return problems


# --- XLSX: checked before openpyxl reads a byte of it ------------------------------------------


class WorkbookError(InputFileError):
    """A file that is not a readable XLSX workbook, or one too large once uncompressed."""


def check_xlsx(path: str | Path) -> None:
    """Refuse a fake XLSX (not a zip) or a bloated one (from the sizes in the zip directory,
    without uncompressing: the shared strings above ``CCHC_MAX_XLSX_SHARED_STRINGS_BYTES``, any
    member or the whole above ``CCHC_MAX_XLSX_MEMBER_BYTES``)."""
    name = Path(path).name
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            _("%(name)s: không phải tệp Excel .xlsx (hãy lưu lại bằng Excel dạng .xlsx)") % {"name": name}
        )
    strings_cap = settings.CCHC_MAX_XLSX_SHARED_STRINGS_BYTES
    member_cap = settings.CCHC_MAX_XLSX_MEMBER_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError(_("%(name)s: tệp Excel bị hỏng") % {"name": name}) from None
    total = 0
    for info in infos:
        total += info.file_size
        cap = strings_cap if info.filename.lower().endswith("sharedstrings.xml") else member_cap
        if info.file_size > cap:
            raise WorkbookError(
                _("%(name)s: phần %(member)s của tệp Excel quá lớn khi giải nén (%(size)s, tối đa %(limit)s)")
                % {
                    "name": name,
                    "member": info.filename,
                    "size": filesizeformat(info.file_size),
                    "limit": filesizeformat(cap),
                }
            )
    if total > member_cap:
        raise WorkbookError(
            _("%(name)s: tệp Excel quá lớn khi giải nén (%(size)s, tối đa %(limit)s)")
            % {"name": name, "size": filesizeformat(total), "limit": filesizeformat(member_cap)}
        )


def open_workbook(path: str | Path):
    """The workbook (read-only, values only) after :func:`check_xlsx`; any failure of openpyxl
    is a :class:`WorkbookError` with a translated message, never a traceback."""
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise WorkbookError(
            _("%(name)s: không đọc được tệp Excel (%(why)s)")
            % {"name": Path(path).name, "why": exc.__class__.__name__}
        ) from None


# --- CSV: cells up to a setting, larger ones are row errors ----------------------------------


def raise_csv_field_limit() -> int:
    """Let the csv module read cells up to ``CCHC_MAX_CSV_FIELD_BYTES`` (one place; idempotent)."""
    limit = settings.CCHC_MAX_CSV_FIELD_BYTES
    if csv.field_size_limit() != limit:
        csv.field_size_limit(limit)
    return limit


def csv_field_error(line: int, exc: csv.Error) -> str:
    """``line N, column -: reason`` for a csv.Error (a cell above the cap, a stray quote)."""
    if "field larger than field limit" in str(exc):
        reason = _("một ô dài quá %(limit)s") % {"limit": filesizeformat(settings.CCHC_MAX_CSV_FIELD_BYTES)}
    else:
        reason = _("dòng CSV không đọc được (%(why)s)") % {"why": exc}
    return f"line {line}, column -: {reason}"


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump_yaml(doc: Any, *, width: int = 120) -> str:
    """YAML for people and for :func:`load_yaml`: never anchors or aliases (shared objects are
    written out in full)."""
    return yaml.dump(doc, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=width)
