"""Paper forms: the template and the import (CSV or XLSX, one row per form).

Columns: ``form_no,unit_code,submitted_at`` then one column per question code. scale5 = 1–5,
empty = not answered, ``na`` = không áp dụng; multi = option codes separated by ``;``.
Every row is validated first; on any error nothing is saved and each problem is reported as
``line N, column X: reason``. ``form_no`` is the key: re-importing the same data changes nothing,
a changed form has its answers replaced (counted as changed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.dates import DateError, at_noon, parse_datetime
from cchc.core.errors import DomainError, read_text, require_file
from cchc.core.importing import ImportFailed, RowErrors, open_workbook, read_csv
from cchc.core.tables import append_row, csv_text
from cchc.orgs.models import OrgUnit
from cchc.surveys import skip_logic
from cchc.surveys.models import (
    SCALE5_LABELS,
    Answer,
    Campaign,
    Question,
    Questionnaire,
    QuestionType,
    Response,
    ResponseChannel,
)
from cchc.surveys.services import AnswerValue, create_campaign, latest_questionnaire, parse_answers

FIXED_COLUMNS = ["form_no", "unit_code", "submitted_at"]


def parse_submitted_at(raw) -> dt.datetime:
    """The answer date of a paper form through the shared parser (:mod:`cchc.core.dates`):
    dd/mm/yyyy[ HH:MM], ISO 8601 with T or a space, an Excel date cell; a date alone = noon."""
    try:
        return parse_datetime(raw, date_alone=at_noon, tz=timezone.get_current_timezone())
    except DateError as exc:
        raise ValueError(str(exc)) from None


def find_campaign(code: str, period: int) -> Campaign | None:
    return (
        Campaign.objects.filter(questionnaire__code=code, period=period)
        .select_related("questionnaire")
        .order_by("-questionnaire__version")
        .first()
    )


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    wb = open_workbook(path)  # WorkbookError (a DomainError): fake, bloated or broken file
    ws = wb["phieu"] if "phieu" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    out = []
    for line, raw in enumerate(rows, start=2):
        if raw is None or all(v in (None, "") for v in raw):
            continue
        row = {}
        for h, v in zip(header, raw, strict=False):
            if not h:
                continue
            row[h] = v.strip() if isinstance(v, str) else v
        out.append((line, row))
    return header, out


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """The header and the rows (line number, {column: value}) of a paper-form file, CSV or XLSX.
    A missing file is :class:`~cchc.core.errors.InputFileError`, a missing fixed column
    :class:`~cchc.core.importing.ImportFailed`."""
    path = require_file(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        header, rows = _read_xlsx(path)
        missing = [c for c in FIXED_COLUMNS if c not in header]
        if missing:
            raise ImportFailed(str(path), [f"line 1, column {c}: missing column" for c in missing])
        return header, rows
    rows = read_csv(path, FIXED_COLUMNS)
    header = [h.strip() for h in next(csv.reader(io.StringIO(read_text(path))), [])]
    return header, rows


def _answer_key(fields: dict) -> tuple:
    return (
        fields["question_id"],
        fields["value_int"],
        fields["value_decimal"],
        fields["value_text"],
        tuple(fields["choices"] or ()),
        fields["is_na"],
    )


def import_responses(path: str | Path, code: str, period: int) -> dict[str, int]:
    """Import paper forms for the campaign of questionnaire ``code`` and ``period`` (created
    when missing, for the units in the file). Returns counts; raises ImportFailed with every
    problem and changes nothing when any row is bad; an unknown questionnaire is a
    :class:`~cchc.core.errors.DomainError`."""
    campaign = find_campaign(code, period)
    questionnaire: Questionnaire | None = campaign.questionnaire if campaign else latest_questionnaire(code)
    if questionnaire is None:
        raise DomainError(
            _("không có bộ câu hỏi %(code)s (hãy nhập bộ câu hỏi bằng cchc import-questionnaire)")
            % {"code": repr(code)}
        )
    questions = list(questionnaire.questions.order_by("order", "pk"))
    by_code = {q.code: q for q in questions}
    header, rows = read_rows(path)
    errors = RowErrors()
    seen_columns = set()
    for col in header:
        if col and col not in FIXED_COLUMNS and col not in by_code:
            errors.add(
                1,
                col,
                _("không có mã câu hỏi này trong %(code)s v%(version)s")
                % {"code": questionnaire.code, "version": questionnaire.version},
            )
        if col in seen_columns:
            errors.add(1, col, _("cột lặp lại"))
        seen_columns.add(col)
    unit_codes = {str(r.get("unit_code") or "").strip() for _l, r in rows}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes).select_related("unit_type")}
    parsed_rows = []
    seen_forms: dict[str, int] = {}
    for line, row in rows:
        form_no = str(row.get("form_no") or "").strip()
        if isinstance(row.get("form_no"), float) and row["form_no"].is_integer():
            form_no = str(int(row["form_no"]))
        if not form_no:
            errors.add(line, "form_no", _("bắt buộc (số in trên phiếu)"))
        elif form_no in seen_forms:
            errors.add(
                line, "form_no", _("số phiếu lặp lại (cũng ở dòng %(n)s)") % {"n": seen_forms[form_no]}
            )
        else:
            seen_forms[form_no] = line
        unit_code = str(row.get("unit_code") or "").strip()
        unit = units.get(unit_code)
        if unit is None:
            errors.add(
                line,
                "unit_code",
                _("không có đơn vị %(code)s") % {"code": repr(unit_code)} if unit_code else _("bắt buộc"),
            )
        try:
            submitted_at = parse_submitted_at(row.get("submitted_at"))
        except ValueError as exc:
            errors.add(line, "submitted_at", str(exc))
            submitted_at = None
        raw = {c: v for c, v in row.items() if c in by_code}
        parsed = parse_answers(questions, raw)
        for qcode, reason in parsed.errors.items():
            errors.add(line, qcode, reason)
        parsed_rows.append((line, form_no, unit, submitted_at, parsed.values))
    errors.raise_if_any(str(path))

    stats = {"rows": len(parsed_rows), "created": 0, "changed": 0, "unchanged": 0, "campaign_created": 0}
    with transaction.atomic():
        if campaign is None:
            stats["campaign_created"] = 1
        file_units = sorted({u.pk: u for _l, _f, u, _s, _v in parsed_rows}.values(), key=lambda u: u.path)
        campaign = create_campaign(questionnaire, period, file_units, 0, [ResponseChannel.PAPER])
        existing = {
            r.form_no: r
            for r in Response.objects.filter(campaign=campaign, form_no__in=[f for _l, f, *_ in parsed_rows])
        }
        old_answers: dict[int, set] = defaultdict(set)
        for fields in Answer.objects.filter(response__in=list(existing.values())).values(
            "response_id", "question_id", "value_int", "value_decimal", "value_text", "choices", "is_na"
        ):
            old_answers[fields["response_id"]].add(_answer_key(fields))

        def answer_rows(values: dict[str, AnswerValue]) -> list[dict]:
            return [{"question_id": by_code[c].pk, **v.as_fields()} for c, v in values.items()]

        new_responses, new_answer_sets, changed = [], [], []
        for _line, form_no, unit, submitted_at, values in parsed_rows:
            rows_ = answer_rows(values)
            resp = existing.get(form_no)
            if resp is None:
                new_responses.append(
                    Response(
                        campaign=campaign,
                        unit=unit,
                        channel=ResponseChannel.PAPER,
                        form_no=form_no,
                        submitted_at=submitted_at,
                    )
                )
                new_answer_sets.append(rows_)
                continue
            same = (
                resp.unit_id == unit.pk
                and resp.submitted_at == submitted_at
                and old_answers.get(resp.pk, set()) == {_answer_key(a) for a in rows_}
            )
            if same:
                stats["unchanged"] += 1
            else:
                changed.append((resp, unit, submitted_at, rows_))
        created = Response.objects.bulk_create(new_responses, batch_size=1000)
        answers = [
            Answer(response_id=resp.pk, **a)
            for resp, rows_ in zip(created, new_answer_sets, strict=True)
            for a in rows_
        ]
        for resp, unit, submitted_at, rows_ in changed:
            resp.unit = unit
            resp.submitted_at = submitted_at
            answers.extend(Answer(response_id=resp.pk, **a) for a in rows_)
        if changed:
            Response.objects.bulk_update([c[0] for c in changed], ["unit", "submitted_at"], batch_size=1000)
            Answer.objects.filter(response__in=[c[0] for c in changed]).delete()
        Answer.objects.bulk_create(answers, batch_size=2000)
        stats["created"] = len(created)
        stats["changed"] = len(changed)
        if stats["created"] or stats["changed"]:
            from cchc.surveys.indicators import refresh_indicators

            refresh_indicators(campaign)
    return stats


def _hint(q: Question) -> str:
    if q.type == QuestionType.SCALE5:
        return "1–5 (" + ", ".join(f"{k} = {v}" for k, v in SCALE5_LABELS.items()) + "); na = không áp dụng"
    if q.type in (QuestionType.CHOICE, QuestionType.MULTI):
        sep = "; nhiều mã cách nhau bởi ;" if q.type == QuestionType.MULTI else ""
        return " | ".join(f"{o['code']} = {o['label']}" for o in q.options) + sep
    if q.type == QuestionType.NUMBER:
        return "số"
    return "văn bản"


def template_columns(questionnaire: Questionnaire) -> list[str]:
    return FIXED_COLUMNS + list(
        questionnaire.questions.order_by("order", "pk").values_list("code", flat=True)
    )


def write_template(questionnaire: Questionnaire, fmt: str, stream_or_path) -> None:
    """The paper-form template: CSV (header only) or XLSX (sheet ``phieu`` to fill, sheet
    ``huong_dan`` with every question, its text and allowed values)."""
    columns = template_columns(questionnaire)
    if fmt == "csv":
        text = csv_text(columns, [])
        if isinstance(stream_or_path, str | Path):
            Path(stream_or_path).write_text(text, encoding="utf-8")
        else:
            stream_or_path.write(text)
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "phieu"
    append_row(ws, columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    guide = wb.create_sheet("huong_dan")
    append_row(guide, ["column", "question", "type", "values", "shown when"])
    append_row(guide, ["form_no", "Số phiếu (duy nhất trong đợt khảo sát)", "", "", ""])
    append_row(guide, ["unit_code", "Mã đơn vị được khảo sát", "", "", ""])
    append_row(
        guide, ["submitted_at", "Ngày trả lời", "", "dd/mm/yyyy, dd/mm/yyyy HH:MM hoặc yyyy-mm-dd", ""]
    )
    for q in questionnaire.questions.order_by("order", "pk"):
        append_row(guide, [q.code, q.text, q.type, _hint(q), skip_logic.describe(q.show_if)])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["B"].width = 70
    guide.column_dimensions["D"].width = 60
    wb.save(stream_or_path)
