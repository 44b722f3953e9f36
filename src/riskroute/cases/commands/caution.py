"""The conditional caution and what follows it: the provider referral, programme attendance,
completion or breach (CJA 2003 s.24), and the register and MAPPA steps that outlast it."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from riskroute.accounts.models import ProviderOrganisation, User
from riskroute.cases import decisions, timeline
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.formats import show_date
from riskroute.cases.models import Attendance, Breach, Case, ConditionalCaution, Mappa, Prosecution
from riskroute.cases.schemas import (
    AttendanceIn,
    BreachIn,
    CautionIn,
    CompletionIn,
    MappaIn,
    NotifiedIn,
    ProviderReferralIn,
)
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx
from riskroute.cases.vocabulary import DisposalKind, ProposalStatus
from riskroute.core.errors import ErrorDetail

#: The exceptional conditional-caution completion window (weeks); 16 is the normal one (law.md §4).
EXCEPTIONAL_WINDOW_WEEKS = 20
WHILE_IN_FORCE = "while the caution is in force"

#: Which input field to name when the core's conditional-caution check fails a rule.
_CAUTION_RULE_PATHS = {
    "age": "subject.date_of_birth",
    "s23_evidence": "facts.process.sufficient_evidence_to_charge",
    "s23_sufficient_evidence": "facts.process.sufficient_evidence_to_charge",
    "s23_admission": "proposal.admission",
    "s23_explanation_and_warning": "explained_and_warned",
    "s23_signed_document": "signed_on",
    "authoriser": "proposal.decided_by",
    "exceptional_circumstances": "proposal.exceptional_circumstances",
    "attendance_cap": "punitive_hours",
    "completion_window": "programme_deadline",
}


def _provider(provider_id: int) -> ProviderOrganisation:
    provider = ProviderOrganisation.objects.filter(pk=provider_id).first()
    if provider is None:
        raise ValidationFailed.field("provider_organisation_id", "no such provider organisation")
    return provider


def record_caution(user: User, case: Case, payload: CautionIn) -> Done:
    """Record the conditions and signed document; compute notification and MAPPA; caution in force.

    The core checks the caution (CJA 2003 Part 3: age, the five s.23 requirements, sergeant-level
    authority, the 20-hour attendance cap excluding rehabilitation, the 16/20-week completion
    window). Only a check that passes on known facts is accepted: an unknown requirement refuses
    the caution just as a failed one does. The case is referred to the programme's provider.
    """
    support.not_future("signed_on", payload.signed_on)
    timeline.check("record_caution", case, {"signed_on": payload.signed_on})
    provider = _provider(payload.provider_organisation_id)
    if payload.window_weeks == EXCEPTIONAL_WINDOW_WEEKS and not payload.exceptional_window_reason.strip():
        raise ValidationFailed.field("exceptional_window_reason", "the 20-week window needs a reason")
    approved = (
        case.proposals.filter(status=ProposalStatus.APPROVED, kind=DisposalKind.DIVERSION)
        .order_by("-id")
        .first()
    )
    assert approved is not None and approved.decided_by is not None  # the state guarantees an approval
    facts = support.facts_of(case)
    check = decisions.caution_check(
        {
            "age": support.subject_age(case, payload.signed_on),
            "evidence_of_offence": facts.process.sufficient_evidence_to_charge,
            "sufficient_evidence_to_charge": facts.process.sufficient_evidence_to_charge,
            "admits_offence": approved.admission,
            "explained_and_warned": payload.explained_and_warned,
            "signed_document_with_consent": bool(approved.consent),
            "authorised_by_sergeant_or_prosecutor": approved.decided_by.is_supervisor,
            "exceptional_circumstances_recorded": bool(approved.exceptional_circumstances.strip()),
            "attendance_hours": payload.reparative_hours + payload.punitive_hours,
            "caution_date": payload.signed_on,
            "completion_due": payload.programme_deadline,
            "exceptional_completion": payload.window_weeks == EXCEPTIONAL_WINDOW_WEEKS,
        }
    )
    if check["ok"] is not True:
        problems: list[ErrorDetail] = [
            {"path": _CAUTION_RULE_PATHS.get(v["rule"], "$"), "message": f"{v['message']} ({v['citation']})"}
            for v in check["violations"]
        ] + [
            {"path": _CAUTION_RULE_PATHS.get(m["rule"], m["field"]), "message": f"not known: {m['field']}"}
            for m in check["missing"]
        ]
        raise ValidationFailed(problems)
    caution = ConditionalCaution.objects.create(
        case=case,
        programme_name=payload.programme_name,
        provider=provider,
        sessions=payload.sessions,
        programme_deadline=payload.programme_deadline,
        window_weeks=payload.window_weeks,
        exceptional_window_reason=payload.exceptional_window_reason,
        reparative_hours=payload.reparative_hours,
        punitive_hours=payload.punitive_hours,
        other_conditions=payload.other_conditions,
        signed_on=payload.signed_on,
        checks=check,
    )
    case.provider_organisation = provider
    record = support.notify(case, "conditional_caution", {"type": "conditional_caution"}, payload.signed_on)
    arrangements = decisions.mappa_arrangements(record.notifiable, diverted_low_risk=True)
    Mappa.objects.update_or_create(
        case=case,
        defaults={
            "category": arrangements["category"],
            "level": payload.mappa_level or arrangements["level"],
            "output": arrangements,
        },
    )
    return Done(caution, f"Conditional caution signed {show_date(payload.signed_on)}")


register(
    Command(
        "record_caution",
        CautionIn,
        "manage_offender",
        record_caution,
        label="Record the conditional caution",
        stage="outcome",
        route=Route("/caution", "7. Conditional caution conditions"),
        page=Page(
            "caution",
            "caution",
            "Conditional caution",
            "cases/step_caution.html",
            f.CautionForm,
            "Conditional caution recorded; notification requirements computed.",
            form_kwargs=ctx.providers,
        ),
        refused_because="a caution needs an approved diversion",
    )
)


def refer_to_provider(user: User, case: Case, payload: ProviderReferralIn) -> Done:
    """Refer the case to a rehabilitation provider organisation (or withdraw it with null).

    Only once a caution is approved or in force: an external provider has no business with a case
    before then (it would see the subject's name). Withdrawal is allowed at any stage (the
    workflow's `withdrawing` guard).
    """
    provider_id = payload.provider_organisation_id
    provider = _provider(provider_id) if provider_id is not None else None
    case.provider_organisation = provider
    return Done(case, f"Referred to {provider}" if provider else "Referral withdrawn")


register(
    Command(
        "refer_to_provider",
        ProviderReferralIn,
        "manage_offender",
        refer_to_provider,
        label="Refer to a provider organisation",
        route=Route("/provider", "Refer to a provider organisation"),
        fire_first=True,
    )
)


def set_mappa_level(user: User, case: Case, payload: MappaIn) -> Done:
    """Set the MAPPA management level once MAPPA arrangements exist (the category stays computed)."""
    mappa = case.mappa
    previous = mappa.level
    mappa.level = payload.level
    mappa.save()
    return Done(mappa, f"MAPPA level {previous or 'unset'} -> {payload.level}")


register(
    Command(
        "set_mappa_level",
        MappaIn,
        "manage_offender",
        set_mappa_level,
        label="Set the MAPPA level",
        stage="notification",
        route=Route("/mappa", "7. MAPPA management level"),
        refused_because="MAPPA follows a caution in force or a prosecution",
        fire_first=True,
    )
)


def record_notification(user: User, case: Case, payload: NotifiedIn) -> Done:
    """Record that the subject notified (initially or periodically); sets the next annual dates."""
    support.not_future("notified_on", payload.notified_on)
    record = case.notifications.get(current=True)  # the workflow guard found it in force
    if payload.kind == "initial":
        if record.initial_notified_on is not None:
            raise ValidationFailed.field(
                "kind",
                f"the initial notification is already recorded ({show_date(record.initial_notified_on)})",
            )
        timeline.check("record_notification", case, {"notified_on": payload.notified_on})
        record.initial_notified_on = payload.notified_on
    elif record.initial_notified_on is None:
        raise ValidationFailed.field("kind", "record the initial notification first")
    else:
        timeline.check("record_periodic_notification", case, {"notified_on": payload.notified_on})
    record.last_notified_on = payload.notified_on
    record.renotification_dates = [
        d.isoformat() for d in decisions.renotification_dates(payload.notified_on, record.ends_on)
    ]
    record.save()
    return Done(record, f"Notification ({payload.kind}) on {show_date(payload.notified_on)}")


register(
    Command(
        "record_notification",
        NotifiedIn,
        "manage_offender",
        record_notification,
        label="Record a notification",
        stage="notification",
        route=Route("/notifications", "7. Notification made"),
        page=Page(
            "notification",
            "notification",
            "Notification",
            "cases/step_form.html",
            f.NotificationForm,
            "Notification recorded.",
        ),
        refused_because="notification follows a caution or a conviction",
        fire_first=True,
    )
)


def record_attendance(user: User, case: Case, payload: AttendanceIn) -> Done:
    """The provider (or offender manager) records one programme session, attended or missed."""
    support.not_future("session_on", payload.session_on)
    caution = case.caution
    if payload.session_number > caution.sessions:
        raise ValidationFailed.field("session_number", f"the programme has {caution.sessions} sessions")
    timeline.check("record_attendance", case, {"session_on": payload.session_on})
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                case=case,
                session_number=payload.session_number,
                session_on=payload.session_on,
                attended=payload.attended,
                note=payload.note,
                recorded_by=user,
            )
    except IntegrityError as exc:
        raise ValidationFailed.field("session_number", "this session is already recorded") from exc
    outcome = "attended" if payload.attended else "missed"
    return Done(attendance, f"Session {payload.session_number} {outcome}")


register(
    Command(
        "record_attendance",
        AttendanceIn,
        "record_attendance",
        record_attendance,
        label="Record attendance",
        stage="outcome",
        route=Route("/attendance", "8. Programme attendance"),
        page=Page(
            "attendance",
            "attendance",
            "Programme attendance",
            "cases/step_attendance.html",
            f.AttendanceForm,
            "Attendance recorded.",
            extra=ctx.attendance_page,
        ),
        refused_because=f"attendance is recorded {WHILE_IN_FORCE}",
    )
)


def complete_caution(user: User, case: Case, payload: CompletionIn) -> Done:
    """Mark the conditions complete (every session attended; the workflow guard checks)."""
    support.not_future("completed_on", payload.completed_on)
    timeline.check("complete_caution", case, {"completed_on": payload.completed_on})
    case.caution.completed_on = payload.completed_on
    case.caution.save()
    return Done(case, f"Caution conditions completed {show_date(payload.completed_on)}")


register(
    Command(
        "complete_caution",
        CompletionIn,
        "manage_offender",
        complete_caution,
        label="Record attendance",
        stage="outcome",
        route=Route("/caution/complete", "8. Conditions completed"),
        page=Page(
            "completion",
            "attendance/complete",
            "Programme attendance",
            "cases/step_attendance.html",
            ctx.CompletionForm,
            "Caution conditions completed.",
            extra=ctx.attendance_page,
            form_key="completion_form",
        ),
        offered_on="attendance",
        refused_because=f"the conditions are completed {WHILE_IN_FORCE}",
    )
)


def record_breach(user: User, case: Case, payload: BreachIn) -> Done:
    """Record a breach. Without reasonable excuse the caution ceases and the case goes to
    prosecution for the original offence (CJA 2003 s.24); the caution record stays as history."""
    support.not_future("occurred_on", payload.occurred_on)
    timeline.check("record_breach", case, {"occurred_on": payload.occurred_on})
    if payload.reasonable_excuse and not payload.excuse_details.strip():
        raise ValidationFailed.field("excuse_details", "describe the reasonable excuse")
    breach = Breach.objects.create(
        case=case,
        occurred_on=payload.occurred_on,
        description=payload.description,
        reasonable_excuse=payload.reasonable_excuse,
        excuse_details=payload.excuse_details,
        recorded_by=user,
    )
    if payload.reasonable_excuse:
        summary = "Breach recorded with reasonable excuse; caution continues"
    else:
        case.caution.ceased_on = payload.occurred_on
        case.caution.save()
        Prosecution.objects.create(case=case, origin="caution_breach")
        summary = "Breach without reasonable excuse: prosecution for the original offence (CJA 2003 s.24)"
    return Done(breach, summary, {"breach_id": breach.pk})


register(
    Command(
        "record_breach",
        BreachIn,
        "manage_offender",
        record_breach,
        label="Record a breach",
        stage="outcome",
        route=Route("/breaches", "8. Breach (s.24)"),
        page=Page(
            "breach",
            "breach",
            "Breach of conditions",
            "cases/step_breach.html",
            f.BreachForm,
            "Breach recorded.",
            one_way=ctx.breach_warning,
            confirm_label="Confirm and record the breach",
        ),
        refused_because=f"a breach can only be recorded {WHILE_IN_FORCE}",
    )
)
