"""Questionnaires as data: YAML and XLSX import/export.

YAML keys (a contract): ``code``, ``name``, ``questions: [{code, text, type, aspect, options}]``;
optional ``kind``, ``audience``, ``source_document``, ``description``, ``index_method``,
``aspects: [{code, name}]``, ``sections: [{code, title}]`` and per question ``section``,
``criterion``, ``required``, ``allow_na``, ``show_if: {question, in: [...]}``,
``is_expectation``. ``options`` is a list of ``{code, label}`` (or plain strings, code = label).

XLSX: one sheet per part — ``questionnaire`` (key | value), ``aspects`` (code | name),
``sections`` (code | title), ``questions`` (one row per question; options as
``code=label | code=label``, show_if as ``Q1=1;2``).

A questionnaire with answers is never edited: importing a changed document creates version + 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from cchc.core.errors import DomainError, require_file
from cchc.core.importing import WorkbookError, YamlError, open_workbook, unknown_keys
from cchc.core.importing import dump_yaml as dump_strict_yaml
from cchc.core.importing import load_yaml as strict_yaml
from cchc.core.tables import append_row
from cchc.surveys.models import (
    Audience,
    IndexMethod,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireStatus,
    QuestionType,
    Section,
)
from cchc.surveys.services import latest_questionnaire

META_KEYS = ["code", "name", "kind", "audience", "source_document", "description", "index_method"]
QUESTION_COLUMNS = [
    "code",
    "section",
    "text",
    "type",
    "aspect",
    "criterion",
    "required",
    "allow_na",
    "is_expectation",
    "options",
    "show_if",
]
# The keys of the YAML format; any other is an error with its line (a text cut by an unquoted
# comma in a flow mapping shows up as an unknown key).
DOCUMENT_SCHEMA = {
    **dict.fromkeys(META_KEYS),
    "aspects": [{"code": None, "name": None}],
    "sections": [{"code": None, "title": None}],
    "questions": [
        {
            **dict.fromkeys(QUESTION_COLUMNS),
            "options": [{"code": None, "label": None}],
            "show_if": {"question": None, "in": None},
        }
    ],
}
TRUE = {True, "1", "x", "X", "yes", "true", "True", "có"}


class QuestionnaireFormatError(DomainError, ValueError):
    """A questionnaire document refused: ``problems`` are its ``where: reason`` items."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems), problems)


def _bool(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return value in TRUE


def _options(raw: Any) -> list[dict]:
    out = []
    for item in raw or []:
        if isinstance(item, dict):
            out.append(
                {
                    "code": str(item.get("code", "")).strip(),
                    "label": str(item.get("label", item.get("code", ""))),
                }
            )
        else:
            out.append({"code": str(item).strip(), "label": str(item)})
    return out


def normalise(doc: Any) -> tuple[dict, list[str]]:
    """Validate a questionnaire document; returns (normalised document, problems)."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return {}, ["document: expected a mapping with code, name, questions"]
    out: dict[str, Any] = {}
    for key in ("code", "name"):
        value = str(doc.get(key) or "").strip()
        if not value:
            problems.append(f"{key}: required")
        out[key] = value
    out["kind"] = str(doc.get("kind") or QuestionnaireKind.SIPAS)
    if out["kind"] not in QuestionnaireKind.values:
        problems.append(f"kind: {out['kind']!r} is not one of {', '.join(QuestionnaireKind.values)}")
    out["audience"] = str(doc.get("audience") or Audience.CITIZEN)
    if out["audience"] not in Audience.values:
        problems.append(f"audience: {out['audience']!r} is not one of {', '.join(Audience.values)}")
    out["index_method"] = str(doc.get("index_method") or IndexMethod.MEAN_OF_ASPECTS)
    if out["index_method"] not in IndexMethod.values:
        problems.append(
            f"index_method: {out['index_method']!r} is not one of {', '.join(IndexMethod.values)}"
        )
    out["source_document"] = str(doc.get("source_document") or "")
    out["description"] = str(doc.get("description") or "")
    aspects = []
    for i, a in enumerate(doc.get("aspects") or []):
        if not isinstance(a, dict) or not a.get("code"):
            problems.append(f"aspects[{i}]: expected {{code, name}}")
            continue
        aspects.append({"code": str(a["code"]), "name": str(a.get("name") or a["code"])})
    out["aspects"] = aspects
    sections = []
    for i, s in enumerate(doc.get("sections") or []):
        if not isinstance(s, dict) or not s.get("code"):
            problems.append(f"sections[{i}]: expected {{code, title}}")
            continue
        sections.append({"code": str(s["code"]), "title": str(s.get("title") or s["code"])})
    out["sections"] = sections
    section_codes = {s["code"] for s in sections}
    aspect_codes = {a["code"] for a in aspects}
    questions = []
    seen: dict[str, dict] = {}
    raw_questions = doc.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("questions: at least one question is required")
        raw_questions = []
    for i, q in enumerate(raw_questions):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        code = str(q.get("code") or "").strip()
        where = f"questions[{i}] ({code})" if code else where
        item: dict[str, Any] = {
            "code": code,
            "text": str(q.get("text") or "").strip(),
            "type": str(q.get("type") or "").strip(),
            "aspect": str(q.get("aspect") or ""),
            "criterion": str(q.get("criterion") or ""),
            "section": str(q.get("section") or ""),
            "required": _bool(q.get("required"), False),
            "allow_na": _bool(q.get("allow_na"), True),
            "is_expectation": _bool(q.get("is_expectation"), False),
            "options": _options(q.get("options")),
            "show_if": q.get("show_if") or None,
        }
        if not code:
            problems.append(f"{where}.code: required")
        elif code in seen:
            problems.append(f"{where}.code: duplicate code {code!r}")
        if not item["text"]:
            problems.append(f"{where}.text: required")
        if item["type"] not in QuestionType.values:
            problems.append(f"{where}.type: {item['type']!r} is not one of {', '.join(QuestionType.values)}")
        if item["type"] in (QuestionType.CHOICE, QuestionType.MULTI):
            codes = [o["code"] for o in item["options"]]
            if not codes:
                problems.append(f"{where}.options: a {item['type']} question needs options")
            elif len(set(codes)) != len(codes) or "" in codes:
                problems.append(f"{where}.options: option codes must be unique and non-empty")
            elif any(";" in c or c.lower() == "na" for c in codes):
                problems.append(f"{where}.options: an option code may not contain ';' or be 'na'")
        elif item["options"]:
            problems.append(f"{where}.options: only choice and multi questions have options")
        if item["aspect"] and aspects and item["aspect"] not in aspect_codes:
            problems.append(f"{where}.aspect: unknown aspect {item['aspect']!r}")
        if item["section"] and item["section"] not in section_codes:
            problems.append(f"{where}.section: unknown section {item['section']!r}")
        if item["is_expectation"] and item["type"] not in (QuestionType.CHOICE, QuestionType.MULTI):
            problems.append(f"{where}.is_expectation: only choice and multi questions")
        cond = item["show_if"]
        if cond is not None:
            if not isinstance(cond, dict) or "question" not in cond or not isinstance(cond.get("in"), list):
                problems.append(f"{where}.show_if: expected {{question: code, in: [values]}}")
            elif str(cond["question"]) not in seen:
                problems.append(f"{where}.show_if: {cond['question']!r} is not an earlier question")
            else:
                item["show_if"] = {"question": str(cond["question"]), "in": [str(v) for v in cond["in"]]}
        questions.append(item)
        if code:
            seen[code] = item
    out["questions"] = questions
    return out, problems


def export_document(questionnaire: Questionnaire) -> dict:
    """The questionnaire in the YAML document shape (normalised: equal documents = same content)."""
    sections = list(questionnaire.sections.order_by("order", "pk"))
    section_codes = {s.pk: s.code for s in sections}
    return {
        "code": questionnaire.code,
        "name": questionnaire.name,
        "kind": questionnaire.kind,
        "audience": questionnaire.audience,
        "source_document": questionnaire.source_document,
        "description": questionnaire.description,
        "index_method": questionnaire.index_method,
        "aspects": [{"code": a["code"], "name": a["name"]} for a in questionnaire.aspects or []],
        "sections": [{"code": s.code, "title": s.title} for s in sections],
        "questions": [
            {
                "code": q.code,
                "text": q.text,
                "type": q.type,
                "aspect": q.aspect,
                "criterion": q.criterion,
                "section": section_codes.get(q.section_id, ""),
                "required": q.required,
                "allow_na": q.allow_na,
                "is_expectation": q.is_expectation,
                "options": [{"code": str(o["code"]), "label": str(o["label"])} for o in q.options or []],
                "show_if": q.show_if or None,
            }
            for q in questionnaire.questions.order_by("order", "pk")
        ],
    }


def _fill(questionnaire: Questionnaire, doc: dict) -> None:
    sections = {}
    for i, s in enumerate(doc["sections"], start=1):
        sections[s["code"]] = Section.objects.create(
            questionnaire=questionnaire, order=i, code=s["code"], title=s["title"]
        )
    Question.objects.bulk_create(
        [
            Question(
                questionnaire=questionnaire,
                section=sections.get(q["section"]),
                order=i,
                code=q["code"],
                text=q["text"],
                type=q["type"],
                aspect=q["aspect"],
                criterion=q["criterion"],
                required=q["required"],
                allow_na=q["allow_na"],
                is_expectation=q["is_expectation"],
                options=q["options"],
                show_if=q["show_if"],
            )
            for i, q in enumerate(doc["questions"], start=1)
        ]
    )


def save_document(doc: Any) -> tuple[Questionnaire, str]:
    """Create or update a questionnaire from a document. Returns (questionnaire, outcome) with
    outcome ``created``, ``unchanged``, ``updated`` (no answers yet: edited in place) or
    ``new_version`` (it has answers: version + 1, older versions archived)."""
    doc, problems = normalise(doc)
    if problems:
        raise QuestionnaireFormatError(problems)
    meta = {k: doc[k] for k in META_KEYS if k != "code"}
    with transaction.atomic():
        latest = latest_questionnaire(doc["code"])
        if latest is None:
            q = Questionnaire.objects.create(code=doc["code"], version=1, aspects=doc["aspects"], **meta)
            _fill(q, doc)
            return q, "created"
        if export_document(latest) == doc:
            return latest, "unchanged"
        if latest.in_use:
            top = Questionnaire.objects.filter(code=doc["code"]).order_by("-version").first()
            q = Questionnaire.objects.create(
                code=doc["code"],
                version=top.version + 1,
                previous=latest,
                aspects=doc["aspects"],
                status=QuestionnaireStatus.ACTIVE,
                **meta,
            )
            _fill(q, doc)
            Questionnaire.objects.filter(code=doc["code"]).exclude(pk=q.pk).update(
                status=QuestionnaireStatus.ARCHIVED
            )
            return q, "new_version"
        for key, value in meta.items():
            setattr(latest, key, value)
        latest.aspects = doc["aspects"]
        latest.save()
        latest.questions.all().delete()
        latest.sections.all().delete()
        _fill(latest, doc)
        return latest, "updated"


def load_yaml(path: str | Path) -> Any:
    """A questionnaire YAML through the one strict loader; unknown keys (a text cut by an
    unquoted comma inside ``{…}``) are errors with their line."""
    try:
        doc = strict_yaml(path)
    except YamlError as exc:
        raise QuestionnaireFormatError(exc.problems) from None
    problems = unknown_keys(doc, DOCUMENT_SCHEMA) if isinstance(doc, dict) else []
    if problems:
        raise QuestionnaireFormatError(problems)
    return doc


def dump_yaml(doc: dict) -> str:
    slim = dict(doc)
    slim["questions"] = [_slim_question(q) for q in doc["questions"]]
    if not slim.get("sections"):
        slim.pop("sections", None)
    return dump_strict_yaml(slim, width=110)


def _slim_question(q: dict) -> dict:
    """Leave out the keys that have their default value, for a readable YAML file."""
    defaults = {"aspect": "", "criterion": "", "section": "", "required": False, "allow_na": True}
    defaults.update({"is_expectation": False, "options": [], "show_if": None})
    return {k: v for k, v in q.items() if k in ("code", "text", "type") or v != defaults.get(k)}


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def load_xlsx(path: str | Path) -> dict:
    """The workbook (sheets questionnaire, aspects, sections, questions) as a YAML-shaped document;
    problems name their sheet, line and column."""
    try:
        wb = open_workbook(path)
    except WorkbookError as exc:
        raise QuestionnaireFormatError([str(exc)]) from None
    problems: list[str] = []
    for sheet in ("questionnaire", "questions"):
        if sheet not in wb.sheetnames:
            problems.append(
                f"workbook: missing sheet {sheet!r} (see cchc export-questionnaire --format xlsx)"
            )
    if problems:
        raise QuestionnaireFormatError(problems)
    doc: dict[str, Any] = {}
    for line, row in enumerate(wb["questionnaire"].iter_rows(values_only=True), start=1):
        if not row or row[0] in (None, "", "key"):
            continue
        key = _cell(row[0])
        if key not in META_KEYS:
            problems.append(f"sheet questionnaire, line {line}, column A: unknown key {key!r}")
            continue
        doc[key] = _cell(row[1] if len(row) > 1 else "")

    def table(name: str, required: list[str]) -> list[tuple[int, dict]]:
        if name not in wb.sheetnames:
            return []
        rows = list(wb[name].iter_rows(values_only=True))
        header = [_cell(h) for h in (rows[0] if rows else [])]
        for col in required:
            if col not in header:
                problems.append(f"sheet {name}, line 1, column {col}: missing column")
        out = []
        for line, raw in enumerate(rows[1:], start=2):
            row = dict(zip(header, raw, strict=False))
            if all(v in (None, "") for v in row.values()):
                continue
            out.append((line, row))
        return out

    doc["aspects"] = [
        {"code": _cell(r.get("code")), "name": _cell(r.get("name"))}
        for _l, r in table("aspects", ["code", "name"])
    ]
    doc["sections"] = [
        {"code": _cell(r.get("code")), "title": _cell(r.get("title"))}
        for _l, r in table("sections", ["code", "title"])
    ]
    questions = []
    for line, r in table("questions", ["code", "text", "type"]):
        q: dict[str, Any] = {
            k: _cell(r.get(k)) for k in ("code", "text", "type", "aspect", "criterion", "section")
        }
        for k in ("required", "allow_na", "is_expectation"):
            if _cell(r.get(k)):
                q[k] = _cell(r.get(k)) in {str(t) for t in TRUE}
        opts = _cell(r.get("options"))
        if opts:
            parsed = []
            for part in opts.split("|"):
                if not part.strip():
                    continue
                code, sep, label = part.partition("=")
                if not sep:
                    problems.append(
                        f"sheet questions, line {line}, column options: expected code=label, got {part.strip()!r}"
                    )
                parsed.append({"code": code.strip(), "label": label.strip() or code.strip()})
            q["options"] = parsed
        cond = _cell(r.get("show_if"))
        if cond:
            qcode, sep, values = cond.partition("=")
            if not sep:
                problems.append(
                    f"sheet questions, line {line}, column show_if: expected QUESTION=v1;v2, got {cond!r}"
                )
            else:
                q["show_if"] = {
                    "question": qcode.strip(),
                    "in": [v.strip() for v in values.split(";") if v.strip()],
                }
        questions.append(q)
    doc["questions"] = questions
    if problems:
        raise QuestionnaireFormatError(problems)
    return doc


def write_xlsx(questionnaire: Questionnaire, path_or_stream) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    doc = export_document(questionnaire)
    wb = Workbook()
    meta = wb.active
    meta.title = "questionnaire"
    append_row(meta, ["key", "value"])
    for key in META_KEYS:
        append_row(meta, [key, doc[key]])
    aspects = wb.create_sheet("aspects")
    append_row(aspects, ["code", "name"])
    for a in doc["aspects"]:
        append_row(aspects, [a["code"], a["name"]])
    sections = wb.create_sheet("sections")
    append_row(sections, ["code", "title"])
    for s in doc["sections"]:
        append_row(sections, [s["code"], s["title"]])
    sheet = wb.create_sheet("questions")
    append_row(sheet, QUESTION_COLUMNS)
    for q in doc["questions"]:
        cond = q["show_if"]
        append_row(
            sheet,
            [
                q["code"],
                q["section"],
                q["text"],
                q["type"],
                q["aspect"],
                q["criterion"],
                1 if q["required"] else 0,
                1 if q["allow_na"] else 0,
                1 if q["is_expectation"] else 0,
                " | ".join(f"{o['code']}={o['label']}" for o in q["options"]),
                f"{cond['question']}={';'.join(cond['in'])}" if cond else "",
            ],
        )
    for ws in (meta, aspects, sections, sheet):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["F"].width = 30
    sheet.column_dimensions["J"].width = 50
    meta.column_dimensions["B"].width = 80
    wb.save(path_or_stream)


def import_file(path: str | Path) -> tuple[Questionnaire, str]:
    """Import a questionnaire file (YAML, or XLSX by its suffix); a missing file is
    :class:`~cchc.core.errors.InputFileError`, a refused document :class:`QuestionnaireFormatError`."""
    path = require_file(path)
    doc = load_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else load_yaml(path)
    return save_document(doc)


def shipped_path(name: str) -> Path:
    """A questionnaire shipped with the platform (src/cchc/data/questionnaires/NAME.yaml)."""
    return Path(__file__).resolve().parent.parent / "data" / "questionnaires" / f"{name}.yaml"
