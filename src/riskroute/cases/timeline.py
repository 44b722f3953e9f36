"""The case's own timeline: every date entered is checked against the dates the case already holds.

The rules are one table (`RULES`): for each write, "this input date must not precede (or must not
follow) that date of the case". A service calls `check(action, case, values)` with the dates the
caller entered (merged over the ones already stored, so a rule can also compare two inputs); every
rule broken is reported at once, each naming its field, and nothing is written. A date the case
does not hold yet (no arrest recorded, say) cannot be compared, so its rules are skipped; the
workflow decides elsewhere whether that step may happen at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone

from riskroute.cases.errors import ValidationFailed
from riskroute.cases.formats import show_date
from riskroute.cases.models import Case
from riskroute.cases.vocabulary import DisposalKind, ProposalStatus
from riskroute.core.errors import ErrorDetail

Dates = Mapping[str, dt.date | None]
Anchor = Callable[[Case, Dates], dt.date | None]


def _related(case: Case, name: str) -> Any:
    try:
        return getattr(case, name)
    except Exception:  # a missing one-to-one record raises its own DoesNotExist
        return None


def _field(relation: str, name: str) -> Anchor:
    def anchor(case: Case, values: Dates) -> dt.date | None:
        record = _related(case, relation)
        return getattr(record, name, None) if record is not None else None

    return anchor


def _value(name: str) -> Anchor:
    """Another date of the same form (as entered, or as already stored)."""
    return lambda case, values: values.get(name)


def _approval(case: Case, values: Dates) -> dt.date | None:
    proposal = (
        case.proposals.filter(status=ProposalStatus.APPROVED, kind=DisposalKind.DIVERSION)
        .exclude(decided_at=None)
        .order_by("-id")
        .first()
    )
    return timezone.localdate(proposal.decided_at) if proposal and proposal.decided_at else None


def _notification(name: str) -> Anchor:
    def anchor(case: Case, values: Dates) -> dt.date | None:
        record = case.notifications.filter(current=True).first()
        return getattr(record, name, None) if record is not None else None

    return anchor


def last_event_on(case: Case, values: Dates | None = None) -> dt.date | None:
    """The latest date the case holds: every recorded step's own date and every decision's date."""
    dates: list[dt.date | None] = [case.received_on, case.action_taken_on]
    for relation, names in (
        ("enforcement", ("warrant_on", "arrested_on")),
        (
            "safeguarding",
            (
                "social_care_referred_on",
                "strategy_discussion_on",
                "safeguarded_on",
                "position_of_trust_known_on",
                "lado_referred_on",
                "employer_notified_on",
                "dbs_considered_on",
            ),
        ),
        ("caution", ("signed_on", "completed_on", "ceased_on")),
        (
            "prosecution",
            ("charged_on", "cps_decision_on", "first_hearing_on", "outcome_on", "sentenced_on"),
        ),
    ):
        record = _related(case, relation)
        if record is not None:
            dates += [getattr(record, name) for name in names]
    dates += [timezone.localdate(at) for at in case.proposals.values_list("decided_at", flat=True) if at]
    dates += list(case.attendance.values_list("session_on", flat=True))
    dates += list(case.breaches.values_list("occurred_on", flat=True))
    for record in case.notifications.all():
        dates += [record.relevant_date, record.initial_notified_on, record.last_notified_on]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Order:
    """`field` (an input date) must not be `before` (or `after`) the case date `anchor` gives."""

    field: str
    relation: Literal["before", "after"]
    anchor: Anchor
    what: str  # the anchor in words: "the arrest", "the end of the programme window"

    def broken(self, case: Case, values: Dates) -> ErrorDetail | None:
        value, limit = values.get(self.field), self.anchor(case, values)
        if value is None or limit is None:
            return None
        if (value < limit) if self.relation == "before" else (value > limit):
            return {
                "path": self.field,
                "message": f"must not be {self.relation} {self.what} ({show_date(limit)})",
            }
        return None


_RECEIVED: Anchor = lambda case, values: case.received_on  # noqa: E731
_REFERRAL = "the date the referral was received"

#: Every date-order rule of the case, by the service action that enters the date.
RULES: dict[str, tuple[Order, ...]] = {
    "record_enforcement": (
        Order("warrant_on", "before", _RECEIVED, _REFERRAL),
        Order("arrested_on", "before", _RECEIVED, _REFERRAL),
    ),
    "record_safeguarding": (
        Order("social_care_referred_on", "before", _RECEIVED, _REFERRAL),
        Order(
            "strategy_discussion_on",
            "before",
            _value("social_care_referred_on"),
            "the referral to social care",
        ),
        Order("safeguarded_on", "before", _RECEIVED, _REFERRAL),
        Order("position_of_trust_known_on", "before", _RECEIVED, _REFERRAL),
        Order(
            "lado_referred_on",
            "before",
            _value("position_of_trust_known_on"),
            "the date the position of trust came to light",
        ),
        Order(
            "employer_notified_on",
            "before",
            _value("position_of_trust_known_on"),
            "the date the position of trust came to light",
        ),
        Order(
            "dbs_considered_on",
            "before",
            _value("position_of_trust_known_on"),
            "the date the position of trust came to light",
        ),
    ),
    "record_caution": (
        Order("signed_on", "before", _field("enforcement", "arrested_on"), "the arrest"),
        Order("signed_on", "before", _approval, "the approval of the diversion"),
    ),
    "record_notification": (
        Order("notified_on", "before", _notification("relevant_date"), "the relevant date"),
    ),
    "record_periodic_notification": (
        Order("notified_on", "before", _notification("initial_notified_on"), "the initial notification"),
        Order("notified_on", "before", _notification("last_notified_on"), "the last notification recorded"),
    ),
    "record_attendance": (
        Order("session_on", "before", _field("caution", "signed_on"), "the caution was signed"),
        Order(
            "session_on", "after", _field("caution", "programme_deadline"), "the end of the programme window"
        ),
    ),
    "complete_caution": (
        Order("completed_on", "before", _field("caution", "signed_on"), "the caution was signed"),
        Order(
            "completed_on",
            "before",
            lambda case, values: max(case.attendance.values_list("session_on", flat=True), default=None),
            "the last session recorded",
        ),
    ),
    "record_breach": (
        Order("occurred_on", "before", _field("caution", "signed_on"), "the caution was signed"),
    ),
    "update_prosecution": (
        Order("charged_on", "before", _RECEIVED, _REFERRAL),
        Order("charged_on", "before", _field("enforcement", "arrested_on"), "the arrest"),
        Order("charged_on", "before", _field("caution", "ceased_on"), "the caution ceased"),
        Order("cps_decision_on", "before", _RECEIVED, _REFERRAL),
        Order("first_hearing_on", "before", _value("charged_on"), "the charge"),
    ),
    "record_outcome": (
        Order("outcome_on", "before", _RECEIVED, _REFERRAL),
        Order("outcome_on", "before", _field("prosecution", "charged_on"), "the charge"),
        Order("outcome_on", "before", _field("prosecution", "first_hearing_on"), "the first hearing"),
        Order("sentenced_on", "before", _value("outcome_on"), "the outcome"),
    ),
    "close_case": (Order("closed_on", "before", last_event_on, "the last event of the case"),),
}


def check(action: str, case: Case, values: Dates) -> None:
    """Refuse (422, every broken rule named by its field) dates that contradict the case's timeline."""
    problems = [p for rule in RULES[action] if (p := rule.broken(case, values)) is not None]
    if problems:
        raise ValidationFailed(problems)
