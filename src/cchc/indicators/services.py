"""Reading and writing indicator values."""

from __future__ import annotations

from decimal import Decimal

from cchc.indicators.models import Indicator, IndicatorValue, PeriodKind, year_period


def yearly_values(
    indicator_codes: set[str], unit_ids: set[int] | None, year: int
) -> dict[tuple[str, int], Decimal]:
    """{(indicator code, unit id): value} for the yearly period of ``year``."""
    start, _end = year_period(year)
    qs = IndicatorValue.objects.filter(
        indicator__code__in=indicator_codes, period_kind=PeriodKind.YEAR, period_start=start
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return {
        (code, unit_id): value
        for code, unit_id, value in qs.values_list("indicator__code", "unit_id", "value")
    }


def set_yearly_value(
    indicator_code: str,
    unit,
    year: int,
    value: Decimal,
    *,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    source: str = "",
) -> IndicatorValue:
    indicator = Indicator.objects.get(code=indicator_code)
    start, end = year_period(year)
    obj, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        unit=unit,
        period_kind=PeriodKind.YEAR,
        period_start=start,
        defaults={
            "period_end": end,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "source": source,
        },
    )
    return obj
