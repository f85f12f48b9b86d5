"""The official SIPAS computations as pure functions (no database): plain counts in, Decimals
(percent, 0–100) out. Documented in docs/methodology/sipas.md with their sources.

Scale: 1 = rất không hài lòng, 2 = không hài lòng, 3 = bình thường, 4 = hài lòng,
5 = rất hài lòng. "Không áp dụng" and empty answers are not valid answers and never count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SATISFIED_LEVELS = frozenset({4, 5})
VALID_LEVELS = frozenset({1, 2, 3, 4, 5})
Z95 = 1.959963984540054
HUNDRED = Decimal(100)

METHODS = ("mean_of_aspects", "mean_of_criteria", "pooled")


@dataclass(frozen=True)
class Share:
    """``satisfied`` of ``valid`` answers; ``percent`` is None when there is no valid answer."""

    satisfied: int
    valid: int

    @property
    def fraction(self) -> Fraction | None:
        """The exact share in percent (means are taken on exact values, so that rounding to 2
        decimals never depends on the order of operations)."""
        if not self.valid:
            return None
        return Fraction(self.satisfied * 100, self.valid)

    @property
    def percent(self) -> Decimal | None:
        return _decimal(self.fraction)


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.numerator) / Decimal(value.denominator)


def _mean_fraction(values: Iterable[Fraction | None]) -> Fraction | None:
    defined = [v for v in values if v is not None]
    if not defined:
        return None
    return sum(defined, Fraction(0)) / len(defined)


def round2(value: Decimal | float | None) -> Decimal | None:
    """Percent to 2 decimals, half up (89.345 → 89.35), as published."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def satisfied_share(level_counts: Mapping[int, int]) -> Share:
    """Per criterion (question): share "hài lòng + rất hài lòng" = (# 4 + # 5) / # valid answers.

    ``level_counts`` maps an answer level (1–5) to its count; any other key (None for "không áp
    dụng", 0, 6) is not a valid answer and is ignored."""
    valid = sum(n for level, n in level_counts.items() if level in VALID_LEVELS)
    satisfied = sum(n for level, n in level_counts.items() if level in SATISFIED_LEVELS)
    return Share(satisfied, valid)


def pooled_share(shares: Iterable[Share]) -> Share:
    """All valid answers of several criteria pooled: Σ satisfied / Σ valid."""
    shares = list(shares)
    return Share(sum(s.satisfied for s in shares), sum(s.valid for s in shares))


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """Arithmetic mean of the defined values (a criterion without valid answers is left out)."""
    defined = [v for v in values if v is not None]
    if not defined:
        return None
    return sum(defined, Decimal(0)) / Decimal(len(defined))


def _aspect_fraction(criterion_shares: Sequence[Share]) -> Fraction | None:
    return _mean_fraction(s.fraction for s in criterion_shares)


def aspect_index(criterion_shares: Sequence[Share]) -> Decimal | None:
    """Aspect (yếu tố) index = arithmetic mean of its criterion shares (criteria without a valid
    answer are left out)."""
    return _decimal(_aspect_fraction(criterion_shares))


def overall_index(
    by_aspect: Mapping[str, Sequence[Share]], method: str = "mean_of_aspects"
) -> Decimal | None:
    """The overall satisfaction index of a group.

    - ``mean_of_aspects`` (default, 2017–2020 method): mean of the aspect indices, each the mean
      of its criterion shares;
    - ``mean_of_criteria``: mean of all criterion shares (aspects weighted by their size);
    - ``pooled``: Σ satisfied / Σ valid over every criterion.
    """
    if method == "mean_of_aspects":
        return _decimal(_mean_fraction(_aspect_fraction(shares) for shares in by_aspect.values()))
    if method == "mean_of_criteria":
        return _decimal(_mean_fraction(s.fraction for shares in by_aspect.values() for s in shares))
    if method == "pooled":
        return pooled_share(s for shares in by_aspect.values() for s in shares).percent
    raise ValueError(f"unknown index method {method!r} (expected one of {', '.join(METHODS)})")


def wilson_interval(satisfied: int, valid: int, z: float = Z95) -> tuple[Decimal, Decimal] | None:
    """95% Wilson score interval of a share, in percent; None without valid answers.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)."""
    if valid <= 0:
        return None
    n = float(valid)
    p = satisfied / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if satisfied <= 0 else max(0.0, min(p, centre - half))
    high = 1.0 if satisfied >= valid else min(1.0, max(p, centre + half))
    return _pct(low), _pct(high)


def _pct(x: float) -> Decimal:
    return Decimal(repr(x * 100))


def weighted_mean_interval(
    parts: Sequence[tuple[float, Share]], z: float = Z95
) -> tuple[Decimal, Decimal] | None:
    """Normal-approximation 95% interval for a weighted mean of shares Σ wᵢ·pᵢ (weights sum to 1):
    variance Σ wᵢ²·pᵢ(1−pᵢ)/nᵢ, treating the criteria as independent samples, clipped to 0–100.

    Answers of one respondent to several criteria are positively correlated, so this interval
    is too narrow rather than too wide; docs/methodology/sipas.md says so."""
    parts = [(w, s) for w, s in parts if s.valid]
    if not parts:
        return None
    total_w = sum(w for w, _s in parts)
    estimate = 0.0
    variance = 0.0
    for w, s in parts:
        w = w / total_w
        p = s.satisfied / s.valid
        estimate += w * p
        variance += w * w * p * (1 - p) / s.valid
    half = z * math.sqrt(variance)
    # Clipped to 0–100 on both ends: float sums of the weights may overshoot 1 by an ulp.
    return _pct(min(1.0, max(0.0, estimate - half))), _pct(max(0.0, min(1.0, estimate + half)))


def index_weights(by_aspect: Mapping[str, Sequence[Share]], method: str) -> list[tuple[float, Share]]:
    """The weight of each criterion in the overall index of ``method`` (criteria and aspects
    without valid answers drop out, as in ``overall_index``)."""
    if method == "pooled":
        raise ValueError("the pooled index is one share: use wilson_interval")
    if method == "mean_of_criteria":
        shares = [s for ss in by_aspect.values() for s in ss if s.valid]
        return [(1.0 / len(shares), s) for s in shares] if shares else []
    if method != "mean_of_aspects":
        raise ValueError(f"unknown index method {method!r}")
    aspects = [[s for s in ss if s.valid] for ss in by_aspect.values()]
    aspects = [ss for ss in aspects if ss]
    return [(1.0 / (len(aspects) * len(ss)), s) for ss in aspects for s in ss]


def index_interval(by_aspect: Mapping[str, Sequence[Share]], method: str) -> tuple[Decimal, Decimal] | None:
    """95% interval of ``overall_index``: Wilson for the pooled share, else the weighted-mean
    normal approximation."""
    if method == "pooled":
        pooled = pooled_share(s for ss in by_aspect.values() for s in ss)
        return wilson_interval(pooled.satisfied, pooled.valid)
    return weighted_mean_interval(index_weights(by_aspect, method))


def expectation_shares(option_counts: Mapping[str, int], respondents: int) -> dict[str, Decimal | None]:
    """Expectation/priority question: per option, the share of respondents who chose it
    (multi-choice shares may sum to more than 100%)."""
    return {
        code: (Decimal(n) * HUNDRED / Decimal(respondents) if respondents else None)
        for code, n in option_counts.items()
    }


def below_target(forms: int, target: int | None) -> bool:
    """True when a target sample size is set and fewer valid forms came in."""
    return bool(target) and forms < target


def sample_size(population: int | None = None, margin: float = 0.05, p: float = 0.5, z: float = Z95) -> int:
    """Sampling guidance: n₀ = z²·p(1−p)/e² (385 for ±5% at 95%), with the finite-population
    correction n = n₀ / (1 + (n₀ − 1)/N) when the population N (e.g. dossiers in the year) is known."""
    if not 0 < margin < 1 or not 0 < p < 1:
        raise ValueError("margin and p must be between 0 and 1")
    n0 = z * z * p * (1 - p) / (margin * margin)
    if population:
        n0 = n0 / (1 + (n0 - 1) / population)
    return math.ceil(n0 - 1e-9)
