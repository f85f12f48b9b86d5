"""Column mapping files: how a province adapts its one-stop-shop export to our columns without
code. Documented in docs/methodology/dossier-import.md. Example::

    format: csv                 # csv | xlsx | jsonl; default: from the file's extension
    delimiter: ";"              # csv only (default ",")
    encoding: cp1258            # csv/jsonl only (default utf-8, a BOM is allowed)
    sheet: HoSo                 # xlsx only (default: the first sheet)
    columns:                    # our column: the source column (header or JSON key)
      code: SoHoSo
      unit_code: MaDonVi
      received_at: NgayTiepNhan
    values:                     # per our column: source value -> our value
      status: {"Đã trả kết quả": returned, "Đang xử lý": in_progress}
      channel: {"1": direct, "2": online, "3": postal}
    defaults:                   # a value for a column the source does not have
      supplement_count: "0"
    datetime_formats: ["%d/%m/%Y %H:%M", "%d/%m/%Y"]   # tried after ISO 8601

Columns not named under ``columns`` are read under their own name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from cchc.core.errors import DomainError, require_file
from cchc.core.importing import YamlError, load_yaml

FORMATS = ("csv", "xlsx", "jsonl")
KEYS = {"format", "delimiter", "encoding", "sheet", "columns", "values", "defaults", "datetime_formats"}


class MappingError(DomainError):
    """A column mapping file that cannot be used (not YAML, unknown keys, wrong shapes)."""


@dataclass
class ColumnMapping:
    format: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    datetime_formats: list[str] = field(default_factory=list)

    def source_column(self, ours: str) -> str:
        return self.columns.get(ours, ours)

    def apply(self, raw: dict[str, str], wanted: list[str]) -> dict[str, str]:
        """Our columns from a source row (values stripped; value maps applied)."""
        if not (self.columns or self.defaults or self.values):
            # No mapping (the usual nightly import): the same result, without the lookups.
            out = {}
            for col in wanted:
                value = raw.get(col)
                out[col] = (
                    value.strip() if type(value) is str else ("" if value is None else str(value).strip())
                )
            return out
        out = {}
        for col in wanted:
            src = self.columns.get(col, col)
            value = raw.get(src)
            value = "" if value is None else str(value).strip()
            if value == "" and col in self.defaults:
                value = str(self.defaults[col])
            table = self.values.get(col)
            if table is not None and value in table:
                value = str(table[value])
            out[col] = value
        return out

    def missing_columns(self, header: list[str], required: list[str]) -> list[str]:
        present = set(header)
        return [c for c in required if self.source_column(c) not in present and c not in self.defaults]


def load_mapping(path: str | Path | None) -> ColumnMapping:
    """The mapping file at ``path`` (none: the identity mapping); a missing or malformed file is
    a :class:`~cchc.core.errors.DomainError` with a translated message."""
    if path is None:
        return ColumnMapping()
    require_file(path)
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        raise MappingError(f"{path}: " + "\n".join(exc.problems), exc.problems) from None
    if not isinstance(doc, dict):
        raise MappingError(
            _("%(path)s: tệp ánh xạ cột phải là một ánh xạ YAML (columns:, values: …)") % {"path": path}
        )
    unknown = set(doc) - KEYS
    if unknown:
        raise MappingError(
            _("%(path)s: khóa không được biết %(keys)s (các khóa được dùng: %(allowed)s)")
            % {"path": path, "keys": ", ".join(sorted(map(str, unknown))), "allowed": ", ".join(sorted(KEYS))}
        )
    fmt = doc.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(
            _("%(path)s: format phải là một trong %(formats)s")
            % {"path": path, "formats": ", ".join(FORMATS)}
        )
    for key in ("columns", "values", "defaults"):
        if not isinstance(doc.get(key, {}), dict):
            raise MappingError(_("%(path)s: %(key)s phải là một ánh xạ") % {"path": path, "key": key})
    values = doc.get("values") or {}
    for col, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(
                _("%(path)s: values.%(column)s phải là một ánh xạ từ giá trị nguồn sang giá trị của hệ thống")
                % {"path": path, "column": col}
            )
    formats = doc.get("datetime_formats") or []
    if not isinstance(formats, list):
        raise MappingError(_("%(path)s: datetime_formats phải là một danh sách") % {"path": path})
    return ColumnMapping(
        format=fmt,
        delimiter=str(doc.get("delimiter", ",")),
        encoding=str(doc.get("encoding", "utf-8-sig")),
        sheet=doc.get("sheet"),
        columns={str(k): str(v) for k, v in (doc.get("columns") or {}).items()},
        values={str(c): {str(k): str(v) for k, v in t.items()} for c, t in values.items()},
        defaults={str(k): str(v) for k, v in (doc.get("defaults") or {}).items()},
        datetime_formats=[str(f) for f in formats],
    )
