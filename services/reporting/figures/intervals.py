"""95 % confidence intervals for figures measured on pupils who are clustered in schools.

Pupils of one school share teachers, a building and a village, so their scores are not
independent: an interval that treats them as independent is too narrow. Every interval
here is cluster-robust, with schools as clusters, and uses Student's t with G - 1 degrees
of freedom (G schools), as is usual with few clusters. docs/statistics.md gives the
formulas and their sources.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean with its cluster-robust standard error and the degrees of freedom of its t."""

    value: float
    se: float | None
    df: int

    def interval(self) -> tuple[float, float] | None:
        if self.se is None or self.df < 1:
            return None
        half = t_critical(self.df) * self.se
        return self.value - half, self.value + half


def clustered_mean(clusters: list[tuple[int, float]]) -> Estimate:
    """The mean of all pupils from per-school (pupils, sum) pairs, with the cluster-robust
    (CR1) standard error: sqrt(G / (G - 1) * sum_g (S_g - n_g * mean)^2) / N."""
    pupils = sum(n for n, _ in clusters)
    mean = sum(total for _, total in clusters) / pupils
    schools = len(clusters)
    if schools < 2:
        return Estimate(mean, None, 0)
    spread = sum((total - n * mean) ** 2 for n, total in clusters)
    return Estimate(mean, math.sqrt(schools / (schools - 1) * spread) / pupils, schools - 1)


def effect_size_se(gain_se: float | None, d: float, standardiser: float,
                   pupils: int) -> float | None:
    """Delta-method standard error of d = gain / s: the gain's cluster-robust variance
    scaled by s, plus the standardiser's own sampling variance under normality, taken at
    its upper bound (baseline and endline perfectly correlated): d^2 / (2 (n - 1))."""
    if gain_se is None or pupils < 2 or not standardiser:
        return None
    return math.sqrt((gain_se / standardiser) ** 2 + d * d / (2 * (pupils - 1)))


def difference(programme: Estimate, comparison: Estimate) -> Estimate:
    """Programme minus comparison: independent groups of schools, so the variances add;
    the smaller group's degrees of freedom keep the t conservative."""
    if programme.se is None or comparison.se is None:
        return Estimate(programme.value - comparison.value, None, 0)
    return Estimate(programme.value - comparison.value,
                    math.hypot(programme.se, comparison.se), min(programme.df, comparison.df))


@functools.cache
def t_critical(df: int, level: float = LEVEL) -> float:
    """The two-sided critical value of Student's t: the x with P(|T| <= x) = level, found
    by bisection on the distribution function (Simpson's rule on the density)."""
    target = level / 2  # P(0 <= T <= x)
    low, high = 0.0, 1.0
    while _t_mass(high, df) < target:
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if _t_mass(middle, df) < target else (low, middle)
    return (low + high) / 2


def _t_mass(x: float, df: int, steps: int = 2000) -> float:
    """P(0 <= T <= x) for Student's t with df degrees of freedom."""
    log_norm = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
                - 0.5 * math.log(df * math.pi))

    def density(t: float) -> float:
        return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))

    h = x / steps
    inner = sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return h / 3 * (density(0.0) + inner + density(x))
