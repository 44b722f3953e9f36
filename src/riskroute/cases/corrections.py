"""Corrections of what was recorded wrongly: programme attendance, breaches, court outcomes and
notifications.

A correction is a new event, never an edit of the history. The record takes the corrected values
(every reader keeps reading one current value), and the case history gains a `correct_record`
event holding the reason and, for each field, the value before and after (encrypted, like every
event's data). The event of the original entry is left as it was written. The s.62 audit log
records the alteration, naming the record and the fields.

What may be corrected is one table, `CORRECTABLE`: for each kind of record, the fields, the
permission, the states in which a correction is allowed and the timeline rule its dates must
keep. Fields that decide the case's route are not in it: whether a breach had a reasonable excuse
(it decided between the caution and a prosecution) and the court's verdict and sentence (they
set the notification period). Attendance is correctable only while the caution is in force,
because completing the caution is decided from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from django.db import models
from pydantic import BaseModel, Field, ValidationError

from riskroute.accounts.models import User
from riskroute.cases import decisions, timeline, trail
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Route, register
from riskroute.cases.errors import (
    CaseServiceError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from riskroute.cases.formats import show_date
from riskroute.cases.models import Attendance, Breach, Case, NotificationRecord, Prosecution
from riskroute.cases.permissions import allowed
from riskroute.cases.schemas import OptionalText, Text, _In, _Write
from riskroute.cases.vocabulary import CaseState, CorrectedRecord
from riskroute.core.errors import from_validation_error


class CorrectionIn(_Write):
    record: CorrectedRecord
    record_id: int | None = Field(
        default=None,
        description="The attendance or breach corrected; not needed for the outcome or notification.",
    )
    changes: dict[str, Any] = Field(min_length=1, description="The corrected value of each field changed.")
    reason: Annotated[str, Field(min_length=10, max_length=2000)]


class _AttendanceFields(_In):
    session_on: dt.date | None = Field(None, title="Date of the session")
    attended: bool | None = Field(None, title="Did the person attend?")
    note: OptionalText | None = Field(None, title="Note")


class _BreachFields(_In):
    occurred_on: dt.date | None = Field(None, title="Date of the breach")
    description: Text | None = Field(None, title="What happened")
    excuse_details: OptionalText | None = Field(None, title="The reasonable excuse")


class _NotificationFields(_In):
    initial_notified_on: dt.date | None = Field(None, title="Date of the initial notification")
    last_notified_on: dt.date | None = Field(None, title="Date of the latest notification")


class _OutcomeFields(_In):
    outcome_on: dt.date | None = Field(None, title="Date of the outcome")


def _attendance(case: Case, record_id: int | None) -> models.Model | None:
    return Attendance.objects.filter(case=case, pk=record_id or 0).first()


def _breach(case: Case, record_id: int | None) -> models.Model | None:
    return Breach.objects.filter(case=case, pk=record_id or 0).first()


def _notification(case: Case, record_id: int | None) -> models.Model | None:
    return NotificationRecord.objects.filter(case=case, current=True).first()


def _outcome(case: Case, record_id: int | None) -> models.Model | None:
    return Prosecution.objects.filter(case=case).exclude(outcome="").first()


@dataclass(frozen=True)
class Correctable:
    fields: type[BaseModel]
    permission: str
    states: frozenset[str]
    find: Callable[[Case, int | None], models.Model | None]
    #: The timeline rule each date field keeps, with the name the rule reads it by.
    dates: Mapping[str, tuple[str, str]]


_AFTER_ARREST = frozenset(s.value for s in CaseState) - {CaseState.REFERRAL, CaseState.INVESTIGATION}

CORRECTABLE: dict[CorrectedRecord, Correctable] = {
    CorrectedRecord.ATTENDANCE: Correctable(
        _AttendanceFields,
        "record_attendance",
        frozenset({CaseState.CAUTION_ACTIVE.value}),
        _attendance,
        {"session_on": ("record_attendance", "session_on")},
    ),
    CorrectedRecord.BREACH: Correctable(
        _BreachFields,
        "manage_offender",
        _AFTER_ARREST - {CaseState.CLOSED},
        _breach,
        {"occurred_on": ("record_breach", "occurred_on")},
    ),
    CorrectedRecord.NOTIFICATION: Correctable(
        _NotificationFields,
        "manage_offender",
        _AFTER_ARREST,
        _notification,
        {
            "initial_notified_on": ("record_notification", "notified_on"),
            "last_notified_on": ("record_notification", "notified_on"),
        },
    ),
    CorrectedRecord.OUTCOME: Correctable(
        _OutcomeFields,
        "investigate",
        frozenset({CaseState.PROSECUTION_CONCLUDED.value, CaseState.CLOSED.value}),
        _outcome,
        {"outcome_on": ("record_outcome", "outcome_on")},
    ),
}


def refusal_of(user: User, case: Case, record: CorrectedRecord) -> CaseServiceError | None:
    """Why this user may not correct this kind of record on this case now (None: they may)."""
    spec = CORRECTABLE[record]
    if not allowed(spec.permission, user, case):
        return PermissionDenied(f"you may not correct a {record.label.lower()} on case {case.reference}")
    if case.state not in spec.states:
        return IllegalTransition(
            "correct_record", case.state, f"a {record.label.lower()} cannot be corrected now"
        )
    return None


def correctable(user: User, case: Case) -> set[str]:
    """The kinds of record this user may correct on this case now (for the links on its page)."""
    return {kind.value for kind in CORRECTABLE if refusal_of(user, case, kind) is None}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return show_date(value)
    return str(value) if value not in (None, "") else "Not recorded"


def _parse_changes(kind: Correctable, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changed fields, typed; an unknown field or an empty value is refused by its path."""
    try:
        parsed = kind.fields.model_validate(changes)
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc, prefix="changes").details) from exc
    values = {name: getattr(parsed, name) for name in parsed.model_fields_set}
    empty = [name for name, value in values.items() if value is None]
    if empty:
        raise ValidationFailed(
            [{"path": f"changes.{name}", "message": "give the corrected value"} for name in empty]
        )
    return values


def correct_record(user: User, case: Case, payload: CorrectionIn) -> Done:
    """Correct fields of one recorded attendance, breach, court outcome or notification."""
    kind = CORRECTABLE[payload.record]
    refused = refusal_of(user, case, payload.record)
    if refused is not None:
        raise refused
    record = kind.find(case, payload.record_id)
    if record is None:
        raise NotFound(
            f"no {payload.record.label.lower()} {payload.record_id or ''} on case {case.reference}".strip()
        )
    values = _parse_changes(kind, payload.changes)
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    if not changed:
        raise ValidationFailed.field("changes", "nothing differs from what is recorded")
    # A date or answer never recorded is recorded by its own step, not "corrected" into being.
    unrecorded = [name for name, value in changed.items() if getattr(record, name) is None]
    if unrecorded:
        message = "nothing is recorded yet to correct: record it with its step"
        raise ValidationFailed([{"path": f"changes.{name}", "message": message} for name in unrecorded])
    for name, value in changed.items():
        if isinstance(value, dt.date):
            support.not_future(f"changes.{name}", value)
            rule, as_name = kind.dates[name]
            try:
                timeline.check(rule, case, {as_name: value})
            except ValidationFailed as exc:
                raise ValidationFailed([{**d, "path": f"changes.{name}"} for d in exc.details]) from exc
    before = {name: getattr(record, name) for name in changed}
    for name, value in changed.items():
        setattr(record, name, value)
    if isinstance(record, NotificationRecord) and record.last_notified_on and "last_notified_on" in changed:
        record.renotification_dates = [
            d.isoformat() for d in decisions.renotification_dates(record.last_notified_on, record.ends_on)
        ]
    record.save()
    described = "; ".join(
        f"{name.replace('_', ' ')} {_shown(before[name])} → {_shown(v)}" for name, v in changed.items()
    )
    fields = [f"{payload.record.value}.{name}" for name in changed]
    return Done(
        case,
        f"Corrected {payload.record.label.lower()}: {described}. Reason: {payload.reason}",
        {
            "record": payload.record.value,
            "record_id": record.pk,
            "reason": payload.reason,
            "changes": {
                name: {"from": _json(before[name]), "to": _json(value)} for name, value in changed.items()
            },
        },
        then=lambda: trail.altered(user, case, "correct_record", fields),
        log_alteration=False,
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


register(
    Command(
        "correct_record",
        CorrectionIn,
        lambda payload: CORRECTABLE[payload.record].permission,
        correct_record,
        label="Correct a record",
        route=Route(
            "/corrections",
            "Correct recorded attendance, a breach, the court outcome date or notification dates",
        ),
        refused_because="nothing is recorded yet that could be corrected",
    )
)
