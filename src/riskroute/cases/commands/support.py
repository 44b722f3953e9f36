"""What several steps share: dates checked against today, the facts document kept valid, the
priority recomputed, and notification computed by the core."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from pydantic import ValidationError

from riskroute.accounts.models import Role, User
from riskroute.cases import decisions, safeguarding
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, NotificationRecord, PriorityRecord, Safeguarding
from riskroute.core.errors import InvalidInput, from_validation_error
from riskroute.core.facts import CaseFacts


def today() -> dt.date:
    return timezone.localdate()


def not_future(path: str, value: dt.date | None) -> None:
    if value is not None and value > today():
        raise ValidationFailed.field(path, "must not be in the future")


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts.model_validate(case.facts)


def dump(facts: CaseFacts) -> dict[str, Any]:
    return facts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def safeguarding_record(case: Case) -> Safeguarding | None:
    return Safeguarding.objects.filter(case=case).first() if case.pk else None


def refuse_typed_safeguarding(case: Case | None, facts: CaseFacts) -> None:
    """A caller may repeat the derived value (a facts document read back), never set another one."""
    sent = facts.process.safeguarding_checks_complete
    if sent is None:
        return
    record = safeguarding_record(case) if case is not None else None
    derived = safeguarding.status(facts.model_dump(mode="json"), record).complete
    if sent != derived:
        raise ValidationFailed.field(
            f"facts.{safeguarding.FACT_PATH}",
            "is derived from the safeguarding record; record the safeguarding steps instead",
        )


def nothing_changed() -> ValidationFailed:
    return ValidationFailed.field("$", "nothing was entered or changed, so nothing was saved")


def _blank(value: Any) -> Any:
    return None if value == "" else value


def changed(record: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The submitted fields whose value differs from the stored record's (blank and None alike)."""
    return {
        name: value
        for name, value in fields.items()
        if _blank(value) != _blank(getattr(record, name, None) if record is not None else None)
    }


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_age_against_birth(facts: CaseFacts, born: dt.date | None, received_on: dt.date) -> None:
    """The age in the facts must agree with the date of birth: the CPORT age item reads the age,
    so a lower age typed by mistake would change the assessment. It may be the age on any day
    from the referral to today (facts are recorded over time)."""
    age = facts.subject.age
    if age is None or born is None:
        return
    low, high = age_on(born, received_on), age_on(born, today())
    if not low <= age <= high:
        gives = f"{low}" if low == high else f"{low} to {high}"
        raise ValidationFailed.field(
            "facts.subject.age", f"disagrees with the date of birth, which gives {gives}"
        )


def reprioritise(case: Case, user: User, reason: str) -> dict[str, Any] | None:
    """Run the priority tree; record a history row when band or target changed. Returns the change."""
    change, record = prioritise(case, user, reason)
    if record is not None:
        record.save()
    return change


def prioritise(case: Case, user: User, reason: str) -> tuple[dict[str, Any] | None, PriorityRecord | None]:
    """Run the priority tree and set the case's band, target, deadline and reason (unsaved), with
    the history row to record when band or target changed (unsaved: a new case is prioritised
    before it is inserted, so it is written once). Returns the change and that row."""
    result = decisions.priority(facts_of(case))
    case.priority_reason = decisions.priority_reason(result)
    band, target = result.get("band"), result.get("target_days")
    if band is None or target is None:
        return None, None
    deadline = case.received_on + dt.timedelta(days=int(target))
    if (case.priority_band, case.priority_target_days, case.action_deadline) == (band, target, deadline):
        return None, None
    previous = case.priority_band
    case.priority_band, case.priority_target_days, case.action_deadline = band, int(target), deadline
    record = PriorityRecord(
        case=case,
        band=band,
        target_days=int(target),
        action_deadline=deadline,
        reason=reason[:200],
        output=result,
        created_by=user,
    )
    change = {
        "from": previous or None,
        "to": band,
        "target_days": int(target),
        "action_deadline": deadline.isoformat(),
    }
    return change, record


def merge_facts(case: Case, changes: dict[str, dict[str, Any]]) -> None:
    """Set facts sections from recorded evidence, re-validated by the core's CaseFacts."""
    document = facts_of(case).model_dump(mode="json")
    for section, values in changes.items():
        target = document.setdefault(section, {})
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = target[key] | value  # e.g. one image category, the others kept
            else:
                target[key] = value
    try:
        case.facts = dump(CaseFacts.model_validate(document))
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc, "facts").details) from exc


def assignee(user: User, other_id: int, path: str) -> User:
    """The one assignment rule (referral and `/assignment` alike): an active investigator of the
    acting user's force."""
    other = User.objects.filter(pk=other_id, force__isnull=False, force=user.force, is_active=True).first()
    if other is None:
        raise ValidationFailed.field(path, "no active user with this id in your force")
    if not other.has_role(Role.INVESTIGATOR):
        raise ValidationFailed.field(path, "cases can only be assigned to investigators")
    return other


def subject_age(case: Case, on: dt.date) -> int:
    return age_on(case.subject.date_of_birth, on)


def notify(case: Case, basis: str, disposal: dict[str, Any], relevant_date: dt.date) -> NotificationRecord:
    """Compute notification with the core and make it the current record (older ones kept).

    The offence date is taken as the date the referral was received."""
    facts = facts_of(case)
    try:
        result = decisions.notification(
            offence=case.offence,
            youngest_depicted=facts.offence.youngest_depicted or "unknown",
            age_at_offence=subject_age(case, case.received_on),
            age_on_relevant_date=subject_age(case, relevant_date),
            disposal=disposal,
            relevant_date=relevant_date,
        )
    except InvalidInput as exc:
        raise ValidationFailed(exc.details) from exc
    ends_on = dt.date.fromisoformat(result["ends_on"]) if result.get("ends_on") else None
    initial_due = (
        dt.date.fromisoformat(result["initial_notification_due"])
        if result.get("initial_notification_due")
        else None
    )
    period = result.get("period") or {}
    case.notifications.filter(current=True).update(current=False)
    return NotificationRecord.objects.create(
        case=case,
        basis=basis,
        relevant_date=relevant_date,
        notifiable=result.get("notifiable"),
        period_years=period.get("years"),
        indefinite=bool(period.get("indefinite")),
        ends_on=ends_on,
        initial_due=initial_due,
        renotification_dates=[],
        output=result,
    )
