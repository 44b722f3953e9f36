"""The pages of a case's record beside its lifecycle: cross-force shares, and the retention review
and erasure of a closed record (administrators). Writes go through `cases.services`."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from riskroute.cases import queries, retention, services
from riskroute.cases.errors import CaseServiceError
from riskroute.cases.formats import show_moment
from riskroute.cases.ui import check_answers, step_context
from riskroute.cases.ui import forms as f
from riskroute.cases.ui.pages import attach_service_error, page, refusal, refusals, signed_in_user


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def shares(request: HttpRequest, case_id: int) -> HttpResponse:
    """Grant another force read access for a limited time, and see or revoke the shares so far."""
    user = signed_in_user(request)
    current = queries.case_shares(user, case_id)
    case = queries.record_case(user, case_id, "share")
    form = f.ShareForm(request.POST or None, forces=queries.share_forces(user))
    if request.method == "POST" and form.is_valid():
        try:
            share = services.grant_share(user, case_id, form.cleaned_data)
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
        else:
            messages.success(
                request, f"Shared with {share.recipient_force.name} until {show_moment(share.expires_at)}."
            )
            return redirect("cases-ui:shares", case_id=case_id)
    return page(
        request,
        "cases/shares.html",
        {
            "title": f"Share case {case.reference}",
            "case": case,
            "form": form,
            "errors_form": form,
            "shares": current,
            "now": timezone.now(),
        },
        status=422 if form.errors else 200,
    )


@login_required
@refusals
@require_http_methods(["POST"])
def revoke_share(request: HttpRequest, case_id: int, share_id: int) -> HttpResponse:
    try:
        share = services.revoke_share(signed_in_user(request), case_id, share_id)
    except CaseServiceError as error:
        return refusal(request, error)
    messages.success(request, f"The share with {share.recipient_force.name} has ended.")
    return redirect("cases-ui:shares", case_id=case_id)


ERASURE_MESSAGES = {
    "case": "Case {reference} erased. The audit log records the erasure.",
    "personal_data": "The personal data of case {reference} erased. The audit log records the erasure.",
    "awaiting_second_administrator": "Erasure of case {reference} requested: "
    "a second administrator must now erase it.",
}


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, case_id: int) -> HttpResponse:
    """Erase a case's personal data (or the case) with a reason; administrators only."""
    user = signed_in_user(request)
    case = queries.record_case(user, case_id, "erase")
    form = f.ErasureForm(request.POST or None, initial={"version": case.version})
    checking = check_answers.needs_check(request, step_context.ERASURE_IS_FINAL)
    if (
        request.method == "POST"
        and form.is_valid()
        and not (checking and check_answers.wants_change(request))
    ):
        call = partial(services.erase_case, user, case_id, form.payload())
        try:
            outcome = check_answers.run(call, trial=checking)
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
        else:
            if outcome is None:  # tried, not yet confirmed
                return check_answers.check_page(
                    request,
                    case=case,
                    heading="Erase data from this case",
                    form=form,
                    warning=step_context.ERASURE_IS_FINAL,
                    confirm_label="Confirm and erase",
                    back_url=reverse("cases-ui:records-review"),
                )
            messages.success(request, ERASURE_MESSAGES[outcome].format(reference=case.reference))
            return redirect("cases-ui:records-review")
    return page(
        request,
        "cases/erase.html",
        {"title": f"Erase case {case.reference}", "case": case, "form": form, "errors_form": form},
        status=422 if form.errors else 200,
    )


@login_required
@refusals
def records_review(request: HttpRequest) -> HttpResponse:
    """Closed records whose retention review is due within 90 days (administrators)."""
    due = queries.records_due_for_review(signed_in_user(request))
    return page(request, "cases/records_review.html", {"title": "Records due for review", "due": due})


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record the retention review of a closed case: retain until a next review, or decide to erase."""
    user = signed_in_user(request)
    case = queries.record_case(user, case_id, "erase")
    form = f.ReviewForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            done = services.record_review(user, case_id, form.payload())
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
        else:
            messages.success(request, f"Review recorded: {done.get_outcome_display()}.")
            return redirect("cases-ui:records-review")
    return page(
        request,
        "cases/review.html",
        {
            "title": f"Review case {case.reference}",
            "case": case,
            "form": form,
            "errors_form": form,
            "record_class": retention.record_class(case),
            "due": queries.review_due_on(user, case_id),
        },
        status=422 if form.errors else 200,
    )
