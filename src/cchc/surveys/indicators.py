"""Survey results as indicator values: one yearly value per surveyed unit and campaign period.

- ``surveys.satisfied_share``: value = share of valid scale5 answers that are 4 or 5, numerator =
  satisfied answers, denominator = valid answers (re-aggregates as Σ numerators / Σ denominators);
- ``surveys.sipas_index``: value = the official index of the unit (questionnaire's method); the
  same numerator and denominator are kept as the sample behind it (the index itself is a mean of
  shares, so it must not be re-aggregated from them).

A PAR framework leaf with ``rule: {type: survey, indicator: surveys.sipas_index}`` scores
max × index / 100 from these values.
"""

from __future__ import annotations

from decimal import Decimal

from cchc.indicators.models import Indicator, IndicatorValue, PeriodKind, ValueOrigin
from cchc.indicators.periods import Period
from cchc.indicators.services import Value, replace_values
from cchc.surveys.models import Campaign, QuestionnaireKind
from cchc.surveys.results import compute_results

SATISFIED_SHARE = "surveys.satisfied_share"
SIPAS_INDEX = "surveys.sipas_index"
PAR_INDEX = "surveys.par_index"
Q4 = Decimal("0.0001")


def refresh_indicators(campaign: Campaign) -> dict[str, int]:
    """Write (or remove) the campaign's indicator values for every unit; excluded responses
    never count. Units left without a valid answer lose their values. Returns counts.

    A SIPAS questionnaire writes ``surveys.satisfied_share`` and ``surveys.sipas_index``; a PAR
    sociological survey writes ``surveys.par_index`` and ``surveys.par_index.<aspect>`` (the
    index of each aspect, e.g. ``surveys.par_index.the_che``), which the survey criteria of a
    provincial framework bind to. The two families never overwrite each other; another kind of
    questionnaire writes nothing."""
    kind = campaign.questionnaire.kind
    if kind == QuestionnaireKind.SIPAS:
        codes = [SATISFIED_SHARE, SIPAS_INDEX]
    elif kind == QuestionnaireKind.PAR_SURVEY:
        aspects = [a["code"] for a in campaign.questionnaire.aspects or [] if a.get("code")]
        names = {a["code"]: a.get("name", a["code"]) for a in campaign.questionnaire.aspects or []}
        codes = [PAR_INDEX, *(f"{PAR_INDEX}.{a}" for a in aspects)]
        Indicator.objects.get_or_create(
            code=PAR_INDEX, defaults={"name": "Chỉ số điều tra xã hội học CCHC (%)", "source": "surveys"}
        )
        for a in aspects:
            Indicator.objects.get_or_create(
                code=f"{PAR_INDEX}.{a}",
                defaults={"name": f"Điều tra xã hội học CCHC — {names[a]}"[:255], "source": "surveys"},
            )
    else:
        return {"created": 0, "updated": 0, "removed": 0, "skipped": 1}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    source = f"surveys:{campaign.questionnaire.code} v{campaign.questionnaire.version} {campaign.period}"
    rows = compute_results(campaign, by="unit")
    wanted: dict[tuple[str, int], tuple[Decimal, Decimal, Decimal]] = {}
    for r in rows:
        if not r.valid_answers:
            continue
        unit_id = r.unit_ids[0]
        num, den = Decimal(r.satisfied), Decimal(r.valid_answers)
        if kind == QuestionnaireKind.SIPAS:
            wanted[(SATISFIED_SHARE, unit_id)] = (r.satisfied_share.quantize(Q4), num, den)
            if r.index is not None:
                wanted[(SIPAS_INDEX, unit_id)] = (r.index.quantize(Q4), num, den)
            continue
        if r.index is not None:
            wanted[(PAR_INDEX, unit_id)] = (r.index.quantize(Q4), num, den)
        for aspect, value in (r.aspect_indices or {}).items():
            if value is not None and f"{PAR_INDEX}.{aspect}" in indicators:
                wanted[(f"{PAR_INDEX}.{aspect}", unit_id)] = (value.quantize(Q4), num, den)
    unit_ids = [r.unit_ids[0] for r in rows]
    period = Period.year(campaign.period)
    existing = {
        (code, unit_id): (value, num, den, src)
        for code, unit_id, value, num, den, src in IndicatorValue.objects.filter(
            indicator__in=indicators.values(),
            unit_id__in=unit_ids,
            origin=ValueOrigin.COMPUTED,
            period_kind=PeriodKind.YEAR,
            period_start=period.start,
        ).values_list("indicator__code", "unit_id", "value", "numerator", "denominator", "source")
    }
    created = sum(1 for key in wanted if key not in existing)
    updated = sum(
        1 for key, (v, n, d) in wanted.items() if key in existing and existing[key] != (v, n, d, source)
    )
    replace_values(
        ValueOrigin.COMPUTED,
        [
            Value(indicators[code].pk, unit_id, period, value, num, den, source)
            for (code, unit_id), (value, num, den) in wanted.items()
        ],
        [period],
        indicators=[i.pk for i in indicators.values()],
        units=unit_ids,
    )
    removed = sum(1 for key in existing if key not in wanted)
    return {"created": created, "updated": updated, "removed": removed, "skipped": 0}
