"""Sex offender notification for indecent-image offences (SOA 2003 Part 2; law.md §7 and §13).

Whether a disposal makes a person notifiable (Schedule 3 thresholds), for how long (the s.82
table, halved for under-18s), and the deadlines that follow. The rules are in
`tables/notification.yaml`; this module only evaluates them. An unknown depicted age is never
guessed: the result is then `notifiable: null`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Annotated, Any, Literal, cast

import orjson
from pydantic import BaseModel, ConfigDict, Field

from riskroute.core.errors import ErrorDetail, InvalidInput
from riskroute.core.knowledge import Definition, DefinitionError, Mark
from riskroute.core.law.dates import add_months
from riskroute.core.law.provenance import Provenance, Rule, TableModel, load_table
from riskroute.core.law.sentences import term_problems
from riskroute.core.results import NotificationResult

OffenceId = Literal["pca1978_s1", "cja1988_s160"]
YoungestDepicted = Literal["under_16", "16_17", "unknown"]
DisposalType = Literal[
    "caution",
    "conditional_caution",
    "custody",
    "suspended_sentence",
    "community_order",
    "fine",
    "conditional_discharge",
    "absolute_discharge",
    "hospital_order",
    "hospital_order_with_restriction",
]
Age = Annotated[int, Field(ge=10, le=120)]


class _Strict(BaseModel):
    """No coercion and no unknown fields: a mistyped disposal must not silently change a period."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Disposal(_Strict):
    type: DisposalType
    custody_months: Annotated[float, Field(gt=0, le=1200)] | None = None
    # A conditional discharge lasts at most 3 years.
    discharge_months: Annotated[int, Field(ge=1, le=36)] | None = None


class NotificationRequest(_Strict):
    """Input of `riskroute law notification` (docs/cli.md)."""

    offence: OffenceId
    youngest_depicted: YoungestDepicted
    age_at_offence: Age
    age_on_relevant_date: Age
    disposal: Disposal
    relevant_date: date


# --- the table's schema ---------------------------------------------------------------------


class Bounds(TableModel):
    min: float | None = None
    over: float | None = None
    max: float | None = None
    under: float | None = None

    def contains(self, value: float) -> bool:
        return not (
            (self.min is not None and value < self.min)
            or (self.over is not None and value <= self.over)
            or (self.max is not None and value > self.max)
            or (self.under is not None and value >= self.under)
        )


class PeriodRow(TableModel):
    id: str
    disposals: list[str]
    custody_months: Bounds | None = None
    years: int | None = None
    indefinite: bool = False
    discharge_period: bool = False
    not_notifiable: bool = False
    citation: str
    mark: Mark

    def as_rule(self) -> Rule:
        return Rule(text=self.id, citation=self.citation, mark=self.mark)

    def outcomes(self) -> int:
        return (self.years is not None) + self.indefinite + self.discharge_period + self.not_notifiable


class Schedule3(TableModel):
    offences: dict[str, str]
    depicted_age_band: str
    adult_age: int
    custody_months_threshold: float
    imprisonment_disposals: list[str]


class Halving(TableModel):
    under_age: int
    halve_years: list[int]


class Deadlines(TableModel):
    initial_notification_days: int
    change_notification_days: int
    periodic_months: int
    periodic_days_no_fixed_abode: int


class Review(TableModel):
    adult_years: int
    juvenile_years: int
    juvenile_under_age: int


class NotificationTable(TableModel):
    rules: dict[str, Rule]
    commencement: date
    schedule3: Schedule3
    periods: list[PeriodRow]
    halving: Halving
    deadlines: Deadlines
    review: Review


_REQUIRED_RULES = (
    "trigger",
    "schedule3_threshold",
    "schedule3_age_timing",
    "suspended_counts_as_imprisonment",
    "halving_under_18",
    "relevant_date_caution",
    "initial_notification",
    "end_date_convention",
    "review_indefinite",
    "periodic_notification",
    "change_notification",
)
_DISPOSALS: tuple[str, ...] = DisposalType.__args__  # type: ignore[attr-defined]


@cache
def _table() -> tuple[Definition, NotificationTable]:
    """Load and cross-check the table once: every disposal has exactly one outcome per row."""
    definition, table = load_table("notification", NotificationTable)
    where = f"{definition.path}: malformed legal table"
    missing = [r for r in _REQUIRED_RULES if r not in table.rules]
    if missing:
        raise DefinitionError(f"{where}: rules missing: {', '.join(missing)}")
    for row in table.periods:
        if row.outcomes() != 1:
            raise DefinitionError(f"{where}: period row {row.id} must have exactly one outcome")
        unknown = set(row.disposals) - set(_DISPOSALS)
        if unknown:
            raise DefinitionError(f"{where}: period row {row.id} names unknown disposals {sorted(unknown)}")
    uncovered = [d for d in _DISPOSALS if not any(d in row.disposals for row in table.periods)]
    if uncovered:
        raise DefinitionError(f"{where}: no period row for disposals {uncovered}")
    return definition, table


def periods() -> tuple[PeriodRow, ...]:
    """The s.82 period rows in the table's order, where the first row matching a disposal applies.

    Read-only (the rows are frozen): for readers outside the core, such as the simulation, that need
    the periods themselves rather than the outcome for one disposal.
    """
    return tuple(_table()[1].periods)


# --- evaluation -----------------------------------------------------------------------------

_CUSTODIAL = ("custody", "hospital_order", "hospital_order_with_restriction")
_CAUTIONS = ("caution", "conditional_caution")


def _row_for(table: NotificationTable, disposal: Disposal) -> PeriodRow:
    for row in table.periods:
        if disposal.type not in row.disposals:
            continue
        if row.custody_months is None:
            return row
        if disposal.custody_months is not None and row.custody_months.contains(disposal.custody_months):
            return row
    raise ValueError(f"notification table: no s.82 row matches {disposal.model_dump()}")


def _threshold_met(
    table: NotificationTable,
    prov: Provenance,
    notes: list[str],
    youngest: str | None,
    age_at_offence: int | None,
    age_on_relevant_date: int | None,
    disposal: Disposal,
) -> bool | None:
    """Schedule 3 paras 13/15: under-16 images, and an adult offender or >= 12 months' custody."""
    rules = table.rules
    s3 = table.schedule3
    prov.use("schedule3_threshold", rules["schedule3_threshold"])
    if youngest is None or youngest == "unknown":
        notes.append(
            "The youngest depicted age is unknown: Schedule 3 turns on whether any image shows a "
            "person under 16, so notification cannot be determined. Establish the depicted ages."
        )
        return None
    if youngest != s3.depicted_age_band:
        notes.append(
            "No image shows a person under 16, so the offence is outside Schedule 3 "
            "(16-17-only images do not trigger notification; check MAPPA category 2 instead)."
        )
        return False
    if age_at_offence is None:
        notes.append("The age at the offence is unknown, so the Schedule 3 age test cannot be applied.")
        return None
    prov.use("schedule3_age_timing", rules["schedule3_age_timing"])
    if age_at_offence >= s3.adult_age:
        return True
    if disposal.type in s3.imprisonment_disposals and disposal.custody_months is not None:
        if disposal.type == "suspended_sentence":
            prov.use("suspended_counts_as_imprisonment", rules["suspended_counts_as_imprisonment"])
        if disposal.custody_months >= s3.custody_months_threshold:
            return True
    notes.append(
        "The offender was under 18 at the offence and was not sentenced to 12 months' imprisonment "
        "or more, so Schedule 3 is not met."
    )
    return False


def _evaluate(
    offence: str,
    youngest: str | None,
    age_at_offence: int | None,
    age_on_relevant_date: int | None,
    disposal: Disposal,
    relevant_date: date | None,
) -> NotificationResult:
    """The result's fields are set as the rules are applied; `NotificationResult` names them."""
    definition, table = _table()
    rules = table.rules
    prov = Provenance(definition)
    notes: list[str] = []
    prov.use("trigger", rules["trigger"])
    result: dict[str, Any] = {
        "notifiable": None,
        "period": None,
        "ends_on": None,
        "initial_notification_due": None,
        "review_possible_after_years": None,
        "period_months": None,
    }
    row = _row_for(table, disposal)
    if row.not_notifiable:
        prov.use(row.id, row.as_rule())
        notes.append(f"A {disposal.type.replace('_', ' ')} does not count as a conviction for Part 2.")
        result["notifiable"] = False
        return cast(NotificationResult, {**result, **prov.summary(), "notes": notes})

    notifiable = _threshold_met(table, prov, notes, youngest, age_at_offence, age_on_relevant_date, disposal)
    result["notifiable"] = notifiable
    if notifiable is not True:
        return cast(NotificationResult, {**result, **prov.summary(), "notes": notes})

    prov.use(row.id, row.as_rule())
    if disposal.type == "suspended_sentence":
        prov.use("suspended_counts_as_imprisonment", rules["suspended_counts_as_imprisonment"])
    juvenile = age_on_relevant_date is not None and age_on_relevant_date < table.halving.under_age
    months: int | None
    if row.indefinite:
        months = None
        result["period"] = {"years": None, "indefinite": True}
        if age_on_relevant_date is not None:
            prov.use("review_indefinite", rules["review_indefinite"])
            review = table.review
            young = age_on_relevant_date < review.juvenile_under_age
            result["review_possible_after_years"] = review.juvenile_years if young else review.adult_years
    else:
        if row.discharge_period:
            if disposal.discharge_months is None:
                raise ValueError("conditional discharge without discharge_months reached the table")
            months = disposal.discharge_months
        else:
            assert row.years is not None  # exactly one outcome per row, checked on load
            months = row.years * 12
            if row.years in table.halving.halve_years and age_on_relevant_date is None:
                notes.append("The age on the relevant date is unknown: the period is halved if under 18.")
            elif row.years in table.halving.halve_years and juvenile:
                prov.use("halving_under_18", rules["halving_under_18"])
                months //= 2
        result["period"] = {"years": round(months / 12, 4), "indefinite": False}
        result["period_months"] = months

    if disposal.type in _CAUTIONS:
        notes.append("A caution, including a conditional caution, still brings notification.")
    if relevant_date is not None:
        if disposal.type in _CAUTIONS:
            prov.use("relevant_date_caution", rules["relevant_date_caution"])
        prov.use("initial_notification", rules["initial_notification"])
        days = table.deadlines.initial_notification_days
        result["initial_notification_due"] = (relevant_date + timedelta(days=days - 1)).isoformat()
        if months is not None:
            prov.use("end_date_convention", rules["end_date_convention"])
            # "Beginning with" the relevant date: day 1 is that date, so the last day is the day
            # before the anniversary (table rule end_date_convention).
            result["ends_on"] = (add_months(relevant_date, months) - timedelta(days=1)).isoformat()
    if disposal.type in _CUSTODIAL:
        notes.append(
            "Time in custody, in hospital or abroad does not count towards the 3 days for the "
            "initial notification (s.83(6)): the deadline then runs from release."
        )
    return cast(NotificationResult, {**result, **prov.summary(), "notes": notes})


def _check_consistency(request: NotificationRequest) -> None:
    """Cross-field checks the schema alone cannot express, reported with the field's path."""
    disposal = request.disposal
    details = term_problems(disposal.type, disposal.custody_months, disposal.discharge_months, "disposal.")
    if (
        disposal.type == "suspended_sentence"
        and request.age_on_relevant_date < _table()[1].schedule3.adult_age
    ):
        details.append(
            {
                "path": "disposal.type",
                "message": "a suspended sentence cannot be passed on an offender under 18; a detention "
                "and training order counts as imprisonment: record it as custody",
            }
        )
    commencement = _table()[1].commencement
    if request.relevant_date < commencement:
        details.append(
            {
                "path": "relevant_date",
                "message": f"before {commencement.isoformat()}, when SOA 2003 Part 2 came into force: "
                "earlier disposals (s.81) are not modelled",
            }
        )
    if request.age_on_relevant_date < request.age_at_offence:
        details.append({"path": "age_on_relevant_date", "message": "cannot be lower than age_at_offence"})
    if details:
        raise InvalidInput(details)


def notification(request: NotificationRequest) -> NotificationResult:
    """Notification outcome for one disposal: `riskroute law notification` (docs/cli.md)."""
    _check_consistency(request)
    return _evaluate(
        request.offence,
        request.youngest_depicted,
        request.age_at_offence,
        request.age_on_relevant_date,
        request.disposal,
        request.relevant_date,
    )


def notification_if_cautioned(
    offence: str, youngest_depicted: str | None, age_at_offence: int | None, age: int | None
) -> NotificationResult:
    """Preview for triage: what a conditional caution would bring, before any caution date exists.

    Schedule 3 reads the age at the offence; the period's halving reads the age on the caution
    date, taken as today's `age`. Dates are null. An unknown age at the offence or depicted age
    gives `notifiable: null`, never a guess.
    """
    _, table = _table()
    details: list[ErrorDetail] = []
    if offence not in table.schedule3.offences:
        details.append({"path": "offence", "message": f"not an indecent-image offence: {offence!r}"})
    if youngest_depicted not in (None, *YoungestDepicted.__args__):  # type: ignore[attr-defined]
        details.append({"path": "youngest_depicted", "message": f"unknown age band: {youngest_depicted!r}"})
    for path, value in (("age_at_offence", age_at_offence), ("age", age)):
        if value is not None and not 10 <= value <= 120:
            details.append({"path": path, "message": "must be between 10 and 120"})
    if age_at_offence is not None and age is not None and age_at_offence > age:
        details.append({"path": "age_at_offence", "message": "cannot be greater than age"})
    if details:
        raise InvalidInput(details)
    preview: NotificationResult = orjson.loads(_preview(offence, youngest_depicted, age_at_offence, age))
    return preview


@lru_cache(maxsize=4096)
def _preview(
    offence: str, youngest_depicted: str | None, age_at_offence: int | None, age: int | None
) -> bytes:
    """Triage asks this for every case of a batch re-score; the answer depends only on these four
    values, so it is computed once and each caller gets its own fresh copy of the document."""
    return orjson.dumps(
        _evaluate(offence, youngest_depicted, age_at_offence, age, Disposal(type="conditional_caution"), None)
    )


def renotification_dates(
    initial: date, ends_on: date | None, limit: int, *, no_fixed_abode: bool = False
) -> list[date]:
    """The next periodic re-notification deadlines after a notification on `initial` (s.85).

    Every 12 months (weekly with no fixed abode), counted from the last notification: a change
    notice under s.84 restarts the cycle, so callers pass the latest notification date. Dates on
    after `ends_on` (the last day the requirements apply) are left out; an indefinite requirement
    passes None.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    deadlines = _table()[1].deadlines
    out: list[date] = []
    for k in range(1, limit + 1):
        if no_fixed_abode:
            due = initial + timedelta(days=deadlines.periodic_days_no_fixed_abode * k)
        else:
            due = add_months(initial, deadlines.periodic_months * k)
        if ends_on is not None and due > ends_on:
            break
        out.append(due)
    return out


def change_notification_due(event: date) -> date:
    """Last day to notify a change (s.84(1)): the period of 3 days beginning with the event."""
    return event + timedelta(days=_table()[1].deadlines.change_notification_days - 1)
