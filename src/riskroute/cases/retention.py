"""Retention: which class each case record belongs to, and when it must next be reviewed.

Source: the College of Policing APP "Review, retention and disposal", which implements the
records-management Code of Practice; reviews are recorded. Under the MoPI grouping
it inherited, Group 1 (certain public-protection matters, which include the Sch 15 offences under
PCA 1978 s.1 and CJA 1988 s.160) is retained until the subject is 100 and reviewed every 10 years
[R: the grouping and intervals are marked reviewed, not verified, in law.md]. So every case here,
whatever its outcome, is a Group 1 record: it is reviewed, and NOT deleted by any timer. A review
may conclude that personal data should be erased; the erasure is then a separate, logged step by
an administrator (`services.erase_case`), never automatic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskroute.cases.models import Case
from riskroute.cases.vocabulary import OffenceId


@dataclass(frozen=True)
class RecordClass:
    key: str
    label: str
    review_every_years: int
    retain_until_age: int | None
    deleted_by_timer: bool
    source: str


PUBLIC_PROTECTION = RecordClass(
    key="public_protection_group_1",
    label="Public protection (MoPI Group 1): reviewed every 10 years, kept to age 100",
    review_every_years=10,
    retain_until_age=100,
    deleted_by_timer=False,
    source="APP Review, retention and disposal; MoPI Group 1 (law.md §12) [R]",
)

#: Every offence the case service records is a Group 1 offence.
RECORD_CLASS_BY_OFFENCE: dict[str, RecordClass] = {offence.value: PUBLIC_PROTECTION for offence in OffenceId}


def record_class(case: Case) -> RecordClass:
    """The retention class of a case; an unknown offence is treated as the most protective class."""
    return RECORD_CLASS_BY_OFFENCE.get(case.offence, PUBLIC_PROTECTION)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def next_review_on(case: Case) -> dt.date | None:
    """When the closed record must next be reviewed; None while the case is open.

    The latest recorded review sets it; before any review, the earliest review date given at
    closure; failing that, the class interval from the closure date.
    """
    closure = getattr(case, "closure", None) if case.state == "closed" else None
    if closure is None:
        return None
    latest = case.reviews.order_by("-reviewed_on", "-id").first()
    if latest is not None:
        return latest.next_review_on
    if closure.review_dates:
        return min(dt.date.fromisoformat(d) for d in closure.review_dates)
    return add_years(closure.closed_on, record_class(case).review_every_years)
