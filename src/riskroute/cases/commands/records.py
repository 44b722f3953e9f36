"""Closure, and the closed record's retention reviews and erasure (MoPI: IIOC records are Group 1
public-protection records, reviewed, never deleted by a timer)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from riskroute.accounts.models import User
from riskroute.cases import retention, timeline, trail
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import IllegalTransition, PermissionDenied, ValidationFailed
from riskroute.cases.formats import show_date
from riskroute.cases.models import (
    Case,
    CaseEvent,
    CaseShare,
    Closure,
    ConditionalCaution,
    Prosecution,
    RecordReview,
    Safeguarding,
    Subject,
)
from riskroute.cases.schemas import CloseIn, ErasureIn, ReviewIn
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx
from riskroute.cases.vocabulary import ReviewOutcome

ONLY_CLOSED = "only closed records are reviewed or erased"


def close_case(user: User, case: Case, payload: CloseIn) -> Done:
    """Close the case with the dates on which its record must be reviewed (never deleted by timer)."""
    support.not_future("closed_on", payload.closed_on)
    timeline.check("close_case", case, {"closed_on": payload.closed_on})
    for index, review in enumerate(payload.review_dates):
        if review <= payload.closed_on:
            raise ValidationFailed.field(f"review_dates[{index}]", "must be after the closure date")
    Closure.objects.create(
        case=case,
        closed_on=payload.closed_on,
        reason=payload.reason,
        review_dates=[d.isoformat() for d in sorted(payload.review_dates)],
        closed_by=user,
    )
    return Done(case, f"Closed {show_date(payload.closed_on)}")


register(
    Command(
        "close_case",
        CloseIn,
        "investigate",
        close_case,
        label="Close the case",
        stage="closure",
        route=Route("/closure", "10. Close with review dates"),
        page=Page(
            "close",
            "close",
            "Close the case",
            "cases/step_form.html",
            f.ClosureForm,
            "Case closed.",
            one_way=ctx.closure_warning,
            confirm_label="Confirm and close the case",
        ),
        refused_because="a case is closed once its caution, prosecution or decision is concluded",
    )
)


def record_review(user: User, case: Case, payload: ReviewIn) -> Done:
    """Record a retention review of a closed case (administrators); see `cases.retention`.

    Retaining sets the next review, at most one class interval ahead; deciding to erase records
    the decision only: the erasure is its own step (`erase_case`), so it is always deliberate.
    """
    support.not_future("reviewed_on", payload.reviewed_on)
    next_review = payload.next_review_on
    if payload.outcome == ReviewOutcome.RETAIN.value:
        limit = retention.add_years(payload.reviewed_on, retention.record_class(case).review_every_years)
        if next_review is None:
            next_review = limit
        elif not payload.reviewed_on < next_review <= limit:
            raise ValidationFailed.field(
                "next_review_on", f"must be after the review and by {show_date(limit)}"
            )
    elif next_review is not None:
        raise ValidationFailed.field("next_review_on", "a record to be erased has no next review")
    review = RecordReview.objects.create(
        case=case,
        reviewed_on=payload.reviewed_on,
        reviewed_by=user,
        outcome=payload.outcome,
        next_review_on=next_review,
        reason=payload.reason,
    )
    return Done(review, f"Retention review: {review.get_outcome_display()}")


register(
    Command(
        "record_review",
        ReviewIn,
        "erase",
        record_review,
        label="Record a retention review",
        route=Route("/reviews", "12. Record a retention review of a closed case (administrator)"),
        refused_because=ONLY_CLOSED,
        on_erased=True,
    )
)

#: The classes of data each erasure scope removes (named in the audit tombstone, never the values).
ERASURE_CLASSES = {
    "personal_data": ("subject_identity", "free_text"),
    "case": ("subject_identity", "free_text", "case_record"),
}
#: The history step a first administrator's request to erase a whole case is recorded as; a
#: second administrator's erasure of the same case completes it.
REQUEST_CASE_ERASURE = "request_case_erasure"


def _erase_free_text(case: Case) -> None:
    """Blank every free-text field of the case: notes, reasons and names of places may identify."""
    case.summary = ""
    for proposal in case.proposals.all():
        proposal.departure_reason = proposal.reason = ""
        proposal.exceptional_circumstances = proposal.decision_reason = ""
        proposal.save()
    caution = ConditionalCaution.objects.filter(case=case).first()
    if caution is not None:
        caution.exceptional_window_reason = caution.other_conditions = caution.programme_name = ""
        caution.save()
    for attendance in case.attendance.all():
        attendance.note = ""
        attendance.save()
    for breach in case.breaches.all():
        breach.description = breach.excuse_details = ""
        breach.save()
    Prosecution.objects.filter(case=case).update(court="")
    Closure.objects.filter(case=case).update(reason="")
    Safeguarding.objects.filter(case=case).update(employer_or_regulator=None)  # may name the employer
    case.shares.update(reason="")
    case.reviews.update(reason="")


def _erasure_review(case: Case) -> RecordReview:
    """The recorded retention review that decided to erase this closed case, or IllegalTransition.

    Erasure follows a review, never precedes it: the latest review must have decided "erase" (a
    later "retain" review overrides an earlier "erase")."""
    latest = case.reviews.order_by("-reviewed_on", "-id").first()
    if latest is None or latest.outcome != ReviewOutcome.ERASE.value:
        raise IllegalTransition(
            "erase_case", case.state, "record a retention review that decides to erase first"
        )
    return latest


def _pending_case_erasure(case: Case) -> CaseEvent | None:
    """The request to erase the whole case made since the latest review, if any."""
    latest = case.events.filter(action__in=[REQUEST_CASE_ERASURE, "record_review"]).order_by("-id").first()
    return latest if latest is not None and latest.action == REQUEST_CASE_ERASURE else None


def _after_erasure() -> None:
    """On SQLite, fold the write-ahead log back into the database file and empty it, so erased
    values (the blind index, old ciphertexts) do not linger in the -wal file; freed pages are
    zeroed by `secure_delete` (settings)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _revoke_shares(user: User, case: Case) -> list[CaseShare]:
    """An erased record is no longer disclosed to anyone: its live shares end now (the audit
    entries are the caller's, so that a whole case can be deleted before they are written)."""
    shares = list(case.shares.active().select_related("recipient_force"))
    for share in shares:
        share.revoked_at, share.revoked_by = timezone.now(), user
        share.save()
    return shares


def _erase_whole_case(user: User, case: Case, review: RecordReview, payload: ErasureIn) -> Done:
    """The first administrator records a request; a different one then deletes the case.

    The case is deleted before the audit entries are written: every write changes its records (and
    with them the dashboard's monthly counts) before it appends to the s.62 chain, and erasure
    keeps the same order, so two writes never wait on each other's locks."""
    request = _pending_case_erasure(case)
    if request is None:  # the first administrator: record the request, erase nothing yet
        return Done(
            "awaiting_second_administrator",
            "Erasure of the whole case requested",
            {"reason": payload.reason},
            action=REQUEST_CASE_ERASURE,
        )
    if request.actor_id == user.pk:
        raise PermissionDenied("a second administrator must approve erasing the whole case")
    case_id = case.pk
    shares = _revoke_shares(user, case)
    case.proposals.all().delete()  # proposals protect their assessment; remove them first
    case.delete()
    for share in shares:
        trail.share_revoked(user, share)
    trail.erased(user, case_id, ERASURE_CLASSES["case"], review, requested_by=request.actor_id)
    transaction.on_commit(_after_erasure)
    return Done("case", "", recorded=False)


def erase_case(user: User, case: Case, payload: ErasureIn) -> Done:
    """Erase a closed, reviewed case's personal data, or the whole case with two administrators.

    Refused (409) unless the case is closed and its latest recorded retention review decided
    "erase" (IIOC records are MoPI Group 1 public-protection records: erasure follows a review,
    never a timer). `personal_data`: the subject's name, date of birth and address become NULL and
    every free-text field is blanked; counts, dates, decisions and the history stay, so the record
    can still be reviewed. `case`: the first administrator's call records a request (history
    step `request_case_erasure`); a different administrator's call then deletes the case and all
    its records. The `erasure` entry names the classes of data erased and the review that decided
    it; the free-text reason stays with the (encrypted) case records, never in the log.
    """
    review = _erasure_review(case)
    if payload.scope == "case":
        return _erase_whole_case(user, case, review, payload)
    if case.personal_data_erased_on is not None:
        raise ValidationFailed.field("scope", "this case's personal data is already erased")
    Subject.objects.filter(case=case).update(
        full_name=None, date_of_birth=None, address=None, name_index="", identity_index=""
    )
    _erase_free_text(case)
    shares = _revoke_shares(user, case)
    case.personal_data_erased_on = support.today()
    classes = ERASURE_CLASSES["personal_data"]

    def tombstone() -> None:
        for share in shares:
            trail.share_revoked(user, share)
        trail.erased(user, case.pk, classes, review)
        transaction.on_commit(_after_erasure)

    data = {"classes": list(classes), "reason": payload.reason}
    return Done("personal_data", "Personal data erased", data, then=tombstone, log_alteration=False)


def _erasure_answer(case_id: int, outcome: Any) -> dict[str, Any]:
    waiting = outcome == "awaiting_second_administrator"
    return {
        "case_id": case_id,
        "erased": None if waiting else outcome,
        "awaiting_second_administrator": waiting,
    }


register(
    Command(
        "erase_case",
        ErasureIn,
        "erase",
        erase_case,
        label="Erase data",
        route=Route(
            "/erasure",
            "12. Erase a closed case reviewed for erasure: personal data, or the whole case with a "
            "second administrator's approval (administrator); leaves an audit tombstone",
            justified=False,
            respond=_erasure_answer,
        ),
        refused_because="only closed records are erased, after a review",
        on_erased=True,
    )
)
