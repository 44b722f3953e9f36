"""Years of sex offender notification a simulated disposal brings, read from the decision core.

The simulation counts notification years as a cost driver (`notification_years_imposed`). The law
behind them (SOA 2003 s.82: the period by disposal and, for imprisonment, by the length of the
sentence) is kept once, in the decision core's table `core/law/tables/notification.yaml`; this
module reads that table when first asked and turns it into lookups that work on whole arrays, so a
change to the table reaches the simulation without anyone editing it here.

What the model adds to the law, all documented in docs/simulation.md:
- every conviction and caution is taken to be notifiable (an adult offender and images of a child
  under 16: Schedule 3 is met), and the period is the adult one (no halving: a suspended sentence
  cannot be passed on anyone under 18, and the model has no younger offenders);
- a suspended sentence counts as imprisonment of its term, as in the law; the term is drawn per
  case (`sentencing.suspended_months_mean`, a modelling guess);
- an indefinite period is counted as `INDEFINITE_COUNTED_AS_YEARS`, a modelling choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from riskroute.core.law.notification import Bounds, PeriodRow, periods

#: Years an indefinite notification requirement is counted as in the metric (mark: model). A
#: modelling choice, not law: nobody knows how long an indefinite requirement will last. 15 years
#: is the earliest point at which an adult may apply for it to be reviewed (the core table's
#: `review.adult_years`), so the figure is a lower bound for most people.
INDEFINITE_COUNTED_AS_YEARS = 15.0


#: One s.82 row for a sentence of imprisonment: bounds on its term in months and the years it brings.
TermRow = tuple[Bounds, float]


@dataclass(frozen=True)
class NotificationYears:
    """Notification years by simulated disposal, derived from the core's s.82 table."""

    caution: float
    conditional_caution: float
    community: float
    #: The table's rows for immediate custody and for a suspended sentence, each in the table's
    #: order (first match wins).
    custody_rows: tuple[TermRow, ...]
    suspended_rows: tuple[TermRow, ...]

    def custody(self, months: np.ndarray) -> np.ndarray:
        """Years for sentences of immediate custody of `months` months (the sentence, not the time
        served), element-wise."""
        return _by_term(self.custody_rows, months)

    def suspended(self, months: np.ndarray) -> np.ndarray:
        """Years for suspended sentences of `months` months' imprisonment, element-wise."""
        return _by_term(self.suspended_rows, months)


def _by_term(rows: tuple[TermRow, ...], months: np.ndarray) -> np.ndarray:
    """The years of the first row whose bounds hold each term."""
    months = np.asarray(months, dtype=float)
    years = np.full(months.shape, np.nan)
    for bounds, row_years in reversed(rows):  # the first matching row is set last
        years[_within(bounds, months)] = row_years
    if np.isnan(years).any():
        raise ValueError("notification table: some sentence lengths match no s.82 row")
    return years


def _within(bounds: Bounds, values: np.ndarray) -> np.ndarray:
    """`Bounds.contains` over an array."""
    inside = np.ones(values.shape, dtype=bool)
    if bounds.min is not None:
        inside &= values >= bounds.min
    if bounds.over is not None:
        inside &= values > bounds.over
    if bounds.max is not None:
        inside &= values <= bounds.max
    if bounds.under is not None:
        inside &= values < bounds.under
    return inside


@cache
def notification_years() -> NotificationYears:
    """The lookups, built once from the core's table."""
    rows = periods()

    def years_of(row: PeriodRow, disposal: str) -> float:
        if row.indefinite:
            return INDEFINITE_COUNTED_AS_YEARS
        if row.years is None:
            raise ValueError(f"notification table: no period in years for {disposal}")
        return float(row.years)

    def fixed(disposal: str) -> float:
        return years_of(next(r for r in rows if disposal in r.disposals), disposal)

    def by_term(disposal: str) -> tuple[TermRow, ...]:
        return tuple(
            (row.custody_months or Bounds(), years_of(row, disposal))
            for row in rows
            if disposal in row.disposals
        )

    return NotificationYears(
        caution=fixed("caution"),
        conditional_caution=fixed("conditional_caution"),
        community=fixed("community_order"),
        custody_rows=by_term("custody"),
        suspended_rows=by_term("suspended_sentence"),
    )
