"""Years of sex offender notification a simulated disposal brings, read from the decision core.

The simulation counts notification years as a cost driver (`notification_years_imposed`). The law
behind them (SOA 2003 s.82: the period by disposal and, for imprisonment, by the length of the
sentence) is kept once, in the decision core's table `core/law/tables/notification.yaml`; this
module reads that table when first asked and turns it into lookups that work on whole arrays, so a
change to the table reaches the simulation without anyone editing it here.

What the model adds to the law, all documented in docs/simulation.md:
- every conviction and caution is taken to be notifiable (an adult offender and images of a child
  under 16: Schedule 3 is met), and the period is the adult one (no halving);
- a suspended sentence or community sentence is counted as a community order (the model does not
  draw the term of a suspended sentence, which the law treats as imprisonment of that term);
- an indefinite period is counted as `INDEFINITE_COUNTED_AS_YEARS`, a modelling choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from riskroute.core.law.notification import Bounds, periods

#: Years an indefinite notification requirement is counted as in the metric (mark: model). A
#: modelling choice, not law: nobody knows how long an indefinite requirement will last. 15 years
#: is the earliest point at which an adult may apply for it to be reviewed (the core table's
#: `review.adult_years`), so the figure is a lower bound for most people.
INDEFINITE_COUNTED_AS_YEARS = 15.0


@dataclass(frozen=True)
class NotificationYears:
    """Notification years by simulated disposal, derived from the core's s.82 table."""

    caution: float
    conditional_caution: float
    community: float
    #: The table's rows for immediate custody, in its order (first match wins): bounds on the
    #: sentence in months and the years the row brings.
    custody_rows: tuple[tuple[Bounds, float], ...]

    def custody(self, months: np.ndarray) -> np.ndarray:
        """Years for sentences of immediate custody of `months` months (the sentence, not the time
        served), element-wise."""
        months = np.asarray(months, dtype=float)
        years = np.full(months.shape, np.nan)
        for bounds, row_years in reversed(self.custody_rows):  # the first matching row is set last
            years[_within(bounds, months)] = row_years
        if np.isnan(years).any():
            raise ValueError("notification table: some custody lengths match no s.82 row")
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

    def years_of(indefinite: bool, years: int | None, disposal: str) -> float:
        if indefinite:
            return INDEFINITE_COUNTED_AS_YEARS
        if years is None:
            raise ValueError(f"notification table: no period in years for {disposal}")
        return float(years)

    def fixed(disposal: str) -> float:
        row = next(r for r in rows if disposal in r.disposals)
        return years_of(row.indefinite, row.years, disposal)

    custody_rows = tuple(
        (row.custody_months or Bounds(), years_of(row.indefinite, row.years, "custody"))
        for row in rows
        if "custody" in row.disposals
    )
    return NotificationYears(
        caution=fixed("caution"),
        conditional_caution=fixed("conditional_caution"),
        community=fixed("community_order"),
        custody_rows=custody_rows,
    )
