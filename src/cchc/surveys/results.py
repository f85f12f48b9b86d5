"""Campaign results per unit, level (unit type), aspect or question, and the other figures of
the survey pages: progress toward the targets, the distribution of answers, the trend over the
periods, the workbook, the free-text answers.

Counting happens in the database (one grouped query over answers: unit × question × level);
the formulas are the pure ones of ``sipas``. Only counted forms count (``Response.objects.counted``:
not excluded, with the questionnaire's minimum of valid answers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.tables import Sheet
from cchc.orgs.models import OrgUnit, UnitType
from cchc.surveys import sipas
from cchc.surveys.models import (
    SCALE5_LABELS,
    Answer,
    Campaign,
    CampaignUnit,
    Question,
    QuestionType,
    Response,
)

BY_CHOICES = ("unit", "level", "aspect", "question", "unit_type")


@dataclass
class ResultRow:
    """One group of a result table. Percentages are 0–100 Decimals (None without valid answers)."""

    group: str
    group_key: str
    forms: int
    valid_answers: int
    satisfied: int
    satisfied_share: Decimal | None
    index: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    target: int | None = None
    below_target: bool = False
    aspect_indices: dict[str, Decimal | None] = field(default_factory=dict)
    unit_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        """The CLI contract columns, percent with 2 decimals."""

        def pct(v):
            return "" if v is None else f"{sipas.round2(v):.2f}"

        return {
            "group": self.group,
            "forms": str(self.forms),
            "valid_answers": str(self.valid_answers),
            "satisfied_share": pct(self.satisfied_share),
            "index": pct(self.index),
            "ci_low": pct(self.ci_low),
            "ci_high": pct(self.ci_high),
        }


@dataclass
class _Counts:
    """Raw counts of a campaign: {(unit id, question id): {level: n}} and forms per unit."""

    levels: dict[tuple[int, int], dict[int, int]]
    forms: dict[int, int]
    questions: dict[int, Question]


def _valid_responses(campaign: Campaign, units: Iterable[OrgUnit] | None):
    qs = Response.objects.filter(campaign=campaign).counted()
    if units is not None:
        qs = qs.filter(unit__in=list(units))
    return qs


def _counts(campaign: Campaign, units: Iterable[OrgUnit] | None) -> _Counts:
    responses = _valid_responses(campaign, units)
    questions = {
        q.pk: q
        for q in Question.objects.filter(questionnaire=campaign.questionnaire_id, type=QuestionType.SCALE5)
    }
    rows = (
        Answer.objects.filter(
            response__in=responses,
            question_id__in=list(questions),
            is_na=False,
            value_int__isnull=False,
        )
        .values_list("response__unit_id", "question_id", "value_int")
        .annotate(n=Count("id"))
        .order_by()
    )
    levels: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for unit_id, question_id, level, n in rows:
        levels[(unit_id, question_id)][level] = n
    forms = dict(responses.values_list("unit_id").annotate(n=Count("id")).order_by())
    return _Counts(levels, forms, questions)


def _by_aspect(counts: _Counts, unit_ids: set[int] | None, question_ids=None) -> dict[str, list[sipas.Share]]:
    """{aspect: [criterion Share pooled over the units]} in question order."""
    merged: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (unit_id, qid), lv in counts.levels.items():
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        if question_ids is not None and qid not in question_ids:
            continue
        for level, n in lv.items():
            merged[qid][level] += n
    result: dict[str, list[sipas.Share]] = defaultdict(list)
    for qid, q in sorted(counts.questions.items(), key=lambda kv: (kv[1].order, kv[0])):
        if question_ids is not None and qid not in question_ids:
            continue
        result[q.aspect or ""].append(sipas.satisfied_share(merged.get(qid, {})))
    return dict(result)


def _row(
    label: str, key: str, forms: int, by_aspect: dict[str, list[sipas.Share]], method: str, target: int | None
) -> ResultRow:
    pooled = sipas.pooled_share(s for ss in by_aspect.values() for s in ss)
    # Questions bound to an aspect make the index; unbound ones (an overall satisfaction question)
    # count in the satisfied share only — unless no question is bound to an aspect.
    index_parts = {a: ss for a, ss in by_aspect.items() if a} or by_aspect
    ci = sipas.index_interval(index_parts, method)
    return ResultRow(
        group=label,
        group_key=key,
        forms=forms,
        valid_answers=pooled.valid,
        satisfied=pooled.satisfied,
        satisfied_share=pooled.percent,
        index=sipas.overall_index(index_parts, method),
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        target=target,
        below_target=sipas.below_target(forms, target),
        aspect_indices={a: sipas.aspect_index(ss) for a, ss in by_aspect.items() if a},
    )


def compute_results(
    campaign: Campaign, by: str = "unit", units: Iterable[OrgUnit] | None = None
) -> list[ResultRow]:
    """Results of a campaign grouped ``by``:

    - ``unit``: one row per surveyed unit (target = its target sample);
    - ``level`` (alias ``unit_type``): one row per unit type — province, department, district
      (history, before 1/7/2025), commune — answers of the group's units pooled;
    - ``aspect``: one row per aspect over all units (index = aspect index);
    - ``question``: one row per scale5 question (index = its share).

    ``units`` restricts the responses (e.g. to a user's scope). Every group's index follows the
    questionnaire's ``index_method``.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}")
    unit_list = list(units) if units is not None else None
    counts = _counts(campaign, unit_list)
    method = campaign.questionnaire.index_method
    cus = list(campaign.campaign_units.select_related("unit__unit_type"))
    if unit_list is not None:
        allowed = {u.pk for u in unit_list}
        cus = [cu for cu in cus if cu.unit_id in allowed]
    targets = {cu.unit_id: cu.target_sample for cu in cus}
    surveyed = {cu.unit_id: cu.unit for cu in cus}
    extra = set(counts.forms) - set(surveyed)
    if extra:
        for u in OrgUnit.objects.filter(pk__in=extra).select_related("unit_type"):
            surveyed[u.pk] = u

    if by == "unit":
        rows = []
        for unit in sorted(surveyed.values(), key=lambda u: u.path):
            r = _row(
                unit.name,
                unit.code,
                counts.forms.get(unit.pk, 0),
                _by_aspect(counts, {unit.pk}),
                method,
                targets.get(unit.pk),
            )
            r.unit_ids = [unit.pk]
            rows.append(r)
        return rows

    if by in ("level", "unit_type"):
        groups: dict[int, list[OrgUnit]] = defaultdict(list)
        for unit in surveyed.values():
            groups[unit.unit_type_id].append(unit)
        types = {t.pk: t for t in UnitType.objects.filter(pk__in=groups)}
        rows = []
        for type_id in sorted(groups, key=lambda t: (types[t].level, types[t].code)):
            ids = {u.pk for u in groups[type_id]}
            tgt = sum(targets.get(i, 0) for i in ids)
            r = _row(
                types[type_id].name,
                types[type_id].code,
                sum(counts.forms.get(i, 0) for i in ids),
                _by_aspect(counts, ids),
                method,
                tgt or None,
            )
            r.unit_ids = sorted(ids)
            rows.append(r)
        return rows

    questionnaire = campaign.questionnaire
    responses = _valid_responses(campaign, unit_list)
    answered = (
        Answer.objects.filter(
            response__in=responses,
            question_id__in=list(counts.questions),
            is_na=False,
            value_int__isnull=False,
        )
        .values_list("question_id")
        .annotate(n=Count("response", distinct=True))
        .order_by()
    )
    forms_per_question = dict(answered)
    if by == "aspect":
        rows = []
        aspect_codes = [a["code"] for a in questionnaire.aspects or []]
        for q in counts.questions.values():
            if q.aspect and q.aspect not in aspect_codes:
                aspect_codes.append(q.aspect)
        for code in aspect_codes:
            qids = {qid for qid, q in counts.questions.items() if q.aspect == code}
            if not qids:
                continue
            forms = (
                Answer.objects.filter(
                    response__in=responses, question_id__in=qids, is_na=False, value_int__isnull=False
                )
                .values("response")
                .distinct()
                .count()
            )
            shares = _by_aspect(counts, None, qids)
            only = {code: shares.get(code, [])}
            r = _row(questionnaire.aspect_name(code), code, forms, only, "mean_of_criteria", None)
            rows.append(r)
        return rows

    rows = []
    for qid, q in sorted(counts.questions.items(), key=lambda kv: (kv[1].order, kv[0])):
        shares = _by_aspect(counts, None, {qid})
        share = next(iter(shares.values()))[0]
        ci = sipas.wilson_interval(share.satisfied, share.valid)
        rows.append(
            ResultRow(
                group=q.code,
                group_key=q.code,
                forms=forms_per_question.get(qid, 0),
                valid_answers=share.valid,
                satisfied=share.satisfied,
                satisfied_share=share.percent,
                index=share.percent,
                ci_low=ci[0] if ci else None,
                ci_high=ci[1] if ci else None,
            )
        )
    return rows


@dataclass
class ExpectationRow:
    question: str
    question_text: str
    option: str
    label: str
    count: int
    respondents: int
    share: Decimal | None


def expectation_results(campaign: Campaign, units: Iterable[OrgUnit] | None = None) -> list[ExpectationRow]:
    """Per expectation/priority question and option: how many respondents chose it, of those who
    answered the question (shares of respondents, see ``sipas.expectation_shares``)."""
    responses = _valid_responses(campaign, list(units) if units is not None else None)
    rows = []
    for q in campaign.questionnaire.questions.filter(is_expectation=True).order_by("order"):
        picked = list(
            Answer.objects.filter(response__in=responses, question=q, is_na=False).values_list(
                "choices", flat=True
            )
        )
        respondents = sum(1 for c in picked if c)
        counts = {code: 0 for code in q.option_codes()}
        for choice_list in picked:
            for code in choice_list or []:
                if code in counts:
                    counts[code] += 1
        shares = sipas.expectation_shares(counts, respondents)
        labels = {str(o["code"]): o.get("label", o["code"]) for o in q.options}
        for code, n in counts.items():
            rows.append(ExpectationRow(q.code, q.text, code, labels[code], n, respondents, shares[code]))
    return rows


def as_float(value) -> float | None:
    """A Decimal for a chart or a workbook cell (None stays None)."""
    return None if value is None else float(value)


# --- progress toward the targets ------------------------------------------------------------------


def campaign_list(campaigns: QuerySet[Campaign], reach: Q) -> list[Campaign]:
    """The campaigns, each with ``n_units`` (every unit of the campaign) and ``n_forms`` (its
    counted forms of the units ``reach`` selects, ``Q(unit__…)``)."""
    items = list(campaigns.annotate(n_units=Count("campaign_units", distinct=True)))
    counts = dict(
        Response.objects.filter(campaign__in=items)
        .counted()
        .filter(reach)
        .values("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    for c in items:
        c.n_forms = counts.get(c.pk, 0)
    return items


def progress(
    campaign: Campaign, units: Sequence[CampaignUnit], managed: Iterable[int] = ()
) -> tuple[list[dict], dict]:
    """One row per campaign unit (counted forms, excluded, today's, target, percent, reached;
    ``manage`` when its unit id is in ``managed``) and the totals. "valid" = the forms that count
    toward the target (``Response.objects.counted``)."""
    managed = set(managed)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    mine = Response.objects.filter(campaign=campaign, unit_id__in=[cu.unit_id for cu in units])
    counts: dict[int, dict] = {}
    for row in (
        mine.counted()
        .values("unit_id")
        .annotate(valid=Count("id"), today=Count("id", filter=Q(submitted_at__gte=start)))
        .order_by()
    ):
        counts.setdefault(row["unit_id"], {}).update(row)
    for row in mine.filter(excluded=True).values("unit_id").annotate(excluded_n=Count("id")).order_by():
        counts.setdefault(row["unit_id"], {}).update(row)
    rows = []
    for cu in units:
        c = counts.get(cu.unit_id, {})
        valid = c.get("valid", 0)
        target = cu.target_sample
        rows.append(
            {
                "cu": cu,
                "valid": valid,
                "excluded": c.get("excluded_n", 0),
                "today": c.get("today", 0),
                "target": target,
                "pct": min(100, round(100 * valid / target)) if target else (100 if valid else 0),
                "reached": bool(target) and valid >= target,
                "manage": cu.unit_id in managed,
            }
        )
    totals = {
        "valid": sum(r["valid"] for r in rows),
        "target": sum(r["target"] for r in rows),
        "today": sum(r["today"] for r in rows),
        "excluded": sum(r["excluded"] for r in rows),
    }
    totals["pct"] = min(100, round(100 * totals["valid"] / totals["target"])) if totals["target"] else 0
    return rows, totals


# --- the results page -----------------------------------------------------------------------------


def answer_distribution(campaign: Campaign, unit_ids: Iterable[int]) -> list[dict]:
    """Counts of each level 1–5 per scale question and of "không áp dụng", over the responses not
    excluded of ``unit_ids``, in questionnaire order."""
    questions = list(
        campaign.questionnaire.questions.filter(type=QuestionType.SCALE5).order_by("section__order", "order")
    )
    counts: dict[int, dict[int, int]] = {}
    na: dict[int, int] = {}
    for row in (
        Answer.objects.filter(
            question__in=questions,
            response__campaign=campaign,
            response__excluded=False,
            response__unit_id__in=list(unit_ids),
        )
        .values("question_id", "value_int", "is_na")
        .annotate(n=Count("id"))
    ):
        if row["is_na"]:
            na[row["question_id"]] = na.get(row["question_id"], 0) + row["n"]
        elif row["value_int"] is not None:
            counts.setdefault(row["question_id"], {})[row["value_int"]] = row["n"]
    return [
        {
            "code": q.code,
            "text": q.text,
            "aspect": q.aspect,
            "counts": [counts.get(q.pk, {}).get(level, 0) for level in range(1, 6)],
            "na": na.get(q.pk, 0),
        }
        for q in questions
    ]


def index_trend(campaign: Campaign, unit_ids: Iterable[int]) -> tuple[list[dict], list[str]]:
    """The official index per level (province, department, district, commune) in every period
    of the same questionnaire code, over the units of ``unit_ids`` surveyed then: the periods
    (``period``, ``values`` {level: index}, ``cells`` in the order of the levels) and the levels."""
    unit_ids = list(unit_ids)
    trend: list[dict] = []
    groups: list[str] = []
    for other in Campaign.objects.filter(questionnaire__code=campaign.questionnaire.code).order_by("period"):
        units = [cu.unit for cu in other.campaign_units.filter(unit_id__in=unit_ids).select_related("unit")]
        if not units:
            continue
        values = {}
        for r in compute_results(other, by="level", units=units):
            if r.forms:
                values[r.group] = r.index
                if r.group not in groups:
                    groups.append(r.group)
        trend.append({"period": other.period, "values": values, "cells": []})
    for t in trend:
        t["cells"] = [t["values"].get(g) for g in groups]
    return trend, groups


PAGE_GROUPINGS = ("unit", "level", "aspect", "question")
RESULT_COLUMNS = [
    "group",
    "forms",
    "valid_answers",
    "satisfied_share",
    "index",
    "ci_low",
    "ci_high",
    "target",
]


def grouping_titles() -> dict[str, str]:
    return {
        "unit": _("Theo đơn vị"),
        "level": _("Theo cấp"),
        "aspect": _("Theo yếu tố"),
        "question": _("Theo câu hỏi"),
    }


def result_sheets(
    campaign: Campaign, units: Iterable[OrgUnit] | None, unit_ids: Iterable[int]
) -> list[Sheet]:
    """The results workbook: one sheet per grouping of the page, then the distribution."""
    unit_list = list(units) if units is not None else None
    titles = grouping_titles()
    sheets = []
    for by in PAGE_GROUPINGS:
        rows = [
            [
                r.group,
                r.forms,
                r.valid_answers,
                as_float(r.satisfied_share),
                as_float(r.index),
                as_float(r.ci_low),
                as_float(r.ci_high),
                r.target,
                bool(r.below_target),
            ]
            for r in compute_results(campaign, by=by, units=unit_list)
        ]
        sheets.append(Sheet(str(titles[by]), [*RESULT_COLUMNS, "below_target"], rows, bold_header=False))
    sheets.append(
        Sheet(
            str(_("Phân bố câu trả lời")),
            ["question", "text", *[str(v) for v in SCALE5_LABELS.values()], "na"],
            [[d["code"], d["text"], *d["counts"], d["na"]] for d in answer_distribution(campaign, unit_ids)],
            bold_header=False,
        )
    )
    return sheets


# --- free-text answers ----------------------------------------------------------------------------


def text_questions(campaign: Campaign) -> list[Question]:
    return list(
        campaign.questionnaire.questions.filter(type=QuestionType.TEXT).order_by("section__order", "order")
    )


def text_answers(
    campaign: Campaign,
    unit_ids: Iterable[int],
    questions: Iterable[Question],
    *,
    contains: str = "",
    question_id: int | None = None,
    unit_id: int | None = None,
) -> QuerySet[Answer]:
    """The non-empty free-text answers of the responses not excluded of ``unit_ids``, newest
    first, optionally containing ``contains``, of one question or of one unit."""
    qs = (
        Answer.objects.filter(
            response__campaign=campaign,
            response__excluded=False,
            response__unit_id__in=list(unit_ids),
            question__in=list(questions),
        )
        .exclude(value_text="")
        .select_related("question", "response", "response__unit")
        .order_by("-response__submitted_at", "pk")
    )
    if contains:
        qs = qs.filter(value_text__icontains=contains)
    if question_id is not None:
        qs = qs.filter(question_id=question_id)
    if unit_id is not None:
        qs = qs.filter(response__unit_id=unit_id)
    return qs
