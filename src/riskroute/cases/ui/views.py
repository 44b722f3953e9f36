"""Views of the HTML interface. Reads go through `cases.queries`, writes through `cases.services`.

No view decides scope or workflow itself: the service layer refuses what a user may not do, and
its refusals are shown on the page (field errors, the conflict message, or a 403/404 page).

Before a page shows any of a case, the user says why they need it (`justify`, once per case per
session, DPA 2018 s.62); `queries.get_case` logs that reason with every read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from riskroute.accounts.models import ProviderOrganisation, Role, User
from riskroute.audit import JustificationRequired, remember_justification, require_justification
from riskroute.cases import corrections, decisions, queries, retention, services, trail
from riskroute.cases.documents import case_document, provider_minimum
from riskroute.cases.errors import CaseServiceError, PermissionDenied, ValidationFailed
from riskroute.cases.formats import show_moment
from riskroute.cases.models import Case
from riskroute.cases.ui import check_answers
from riskroute.cases.ui import forms as f
from riskroute.cases.ui.charts import bar_charts
from riskroute.cases.ui.govuk import GovForm
from riskroute.cases.ui.pages import attach_service_error, page, refusal, refusals
from riskroute.cases.ui.presenters import (
    ACTION_LINKS,
    assessment_context,
    case_page_context,
    safeguarding_context,
    safety_rows,
    state_label,
)
from riskroute.cases.ui.tasks import task_list
from riskroute.cases.vocabulary import CaseState, PriorityBand, ProposalStatus
from riskroute.cases.workflow import assessed_on_current_facts
from riskroute.core.errors import ErrorDetail, InvalidInput


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its day on."""
    user = _user(request)
    if user.has_role(Role.AUDITOR):
        return redirect("audit-case")
    if user.has_role(Role.INVESTIGATOR) or user.has_role(Role.REHABILITATION_PROVIDER):
        return redirect("cases-ui:my-cases")
    if user.is_supervisor or user.has_role(Role.SAFEGUARDING_OFFICER) or user.has_role(Role.OFFENDER_MANAGER):
        return redirect("cases-ui:team")
    return redirect("cases-ui:dashboard")


# --- worklists ------------------------------------------------------------------------------


def _labelled(cases: queries.CasePage) -> queries.CasePage:
    """Attach the plain-language stage name each worklist row shows."""
    for case in cases:
        case.stage_label = state_label(case.state)  # type: ignore[attr-defined]
    return cases


def _list_request(request: HttpRequest) -> tuple[queries.CaseFilters, str | None, int]:
    """The filters, cursor and page size a worklist's query string asks for (blank: not given)."""
    given = {
        key: request.GET.get(key, "").strip() for key in ("band", "state", "overdue", "assignee", "limit")
    }
    problems: list[ErrorDetail] = []
    numbers: dict[str, int | None] = {}
    for key in ("assignee", "limit"):
        try:
            numbers[key] = int(given[key]) if given[key] else None
        except ValueError:
            problems.append({"path": key, "message": "a whole number"})
    if given["overdue"] not in ("", "yes", "no"):
        problems.append({"path": "overdue", "message": "yes or no"})
    if problems:
        raise ValidationFailed(problems)
    filters = queries.CaseFilters(
        band=given["band"] or None,
        state=given["state"] or None,
        overdue={"yes": True, "no": False}.get(given["overdue"]),
        assignee=numbers["assignee"],
    )
    return filters, request.GET.get("cursor") or None, numbers["limit"] or queries.PAGE_SIZE


def _next_link(request: HttpRequest, page: queries.CasePage | queries.AlertPage) -> str | None:
    """The query string of the page after this one, keeping the filters; None on the last page."""
    if page.next_cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    return "?" + query.urlencode()


def _worklist_page(
    request: HttpRequest, title: str, cases: queries.CasePage, intro: str, *, minimal: bool = False
) -> HttpResponse:
    return page(
        request,
        "cases/worklist.html",
        {
            "title": title,
            "approvals": queries.approvals_waiting(_user(request)),
            "cases": _labelled(cases),
            "next_link": _next_link(request, cases),
            "intro": intro,
            "today": timezone.localdate(),
            "minimal": minimal,
        },
    )


@login_required
@refusals
def my_cases(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters, cursor, size = _list_request(request)
    found = queries.my_cases(user, filters, cursor, size)
    if user.has_role(Role.REHABILITATION_PROVIDER) and user.force_id is None:
        # A provider sees the minimum it needs: who, and at which stage (as the API gives it).
        return _worklist_page(
            request, "My cases", found, "Cases referred to your organisation.", minimal=True
        )
    intro = "Open cases assigned to you. Overdue cases come first, then by priority band and action deadline."
    return _worklist_page(request, "My cases", found, intro)


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    filters, cursor, size = _list_request(request)
    # "Is this person known to us?": every case the user may see, logged as a search. Sent by POST,
    # so a name never stands in an address (server logs, browser history, the next-page link).
    name = request.POST.get("name", "").strip() if request.method == "POST" else ""
    if name:
        found = queries.list_cases(_user(request), None, None, queries.MAX_PAGE_SIZE, subject_name=name)
    else:
        found = queries.team_worklist(_user(request), filters, cursor, size)
    return page(
        request,
        "cases/team.html",
        {
            "title": "Team worklist",
            "name": name,
            "approvals": queries.approvals_waiting(_user(request)),
            "cases": _labelled(found),
            "next_link": None if name else _next_link(request, found),
            "band": filters.band or "",
            "overdue": request.GET.get("overdue", ""),
            "overdue_choices": [("", "Overdue or not"), ("yes", "Overdue only"), ("no", "Not overdue")],
            "bands": [
                ("", "All bands"),
                *[(c.value, c.label) for c in PriorityBand],
                (queries.UNPRIORITISED, "Not prioritised"),
            ],
            "today": timezone.localdate(),
        },
    )


@login_required
@refusals
def overdue(request: HttpRequest) -> HttpResponse:
    grouped = queries.overdue_by_band(_user(request))
    labels = dict(PriorityBand.choices)
    groups = []
    for band, cases in grouped.items():
        more = None
        if cases.next_cursor is not None:
            filtered = {"band": queries.UNPRIORITISED if band == "unknown" else band, "overdue": "yes"}
            more = reverse("cases-ui:team") + "?" + urlencode({**filtered, "cursor": cases.next_cursor})
        groups.append((band, labels.get(band, "Not prioritised"), _labelled(cases), more))
    return page(request, "cases/overdue.html", {"title": "Overdue by priority band", "groups": groups})


@login_required
@refusals
def alerts(request: HttpRequest) -> HttpResponse:
    found = queries.alerts(_user(request), request.GET.get("cursor") or None)
    return page(
        request,
        "cases/alerts.html",
        {"title": "Alerts", "alerts": found, "next_link": _next_link(request, found)},
    )


@login_required
@refusals
def dashboard(request: HttpRequest) -> HttpResponse:
    data = queries.dashboard(_user(request))
    stage_counts = [(state_label(state), count) for state, count in data["cases_by_state"].items()]
    return page(
        request,
        "cases/dashboard.html",
        {"title": "Dashboard", "data": data, "charts": bar_charts(data), "stage_counts": stage_counts},
    )


# --- referral and case page -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest) -> HttpResponse:
    form = f.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_referral(_user(request), form.payload())
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
        else:
            remember_justification(request.session, "case", case.pk, trail.CREATOR_JUSTIFICATION)
            messages.success(
                request, f"Case {case.reference} created with priority {case.get_priority_band_display()}."
            )
            return redirect("cases-ui:case", case_id=case.pk)
    return page(request, "cases/referral.html", {"title": "New referral", "form": form})


def consult_case(request: HttpRequest, case_id: int) -> Case | HttpResponse:
    """Read a case with this session's justification for it, or send the user to give one first.

    A case the user cannot see raises NotFound before any question is asked, so the question
    never reveals that a case exists.
    """
    user = _user(request)
    try:
        justification = require_justification(request.session, "case", case_id)
    except JustificationRequired:
        queries.case_reference(user, case_id)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('cases-ui:justify', args=[case_id])}?{query}")
    return queries.get_case(user, case_id, justification=justification)


def _safe_next(request: HttpRequest, target: str, case_id: int) -> str:
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("cases-ui:case", args=[case_id])


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def justify(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ask why the user needs this case, once per session, before any of it is shown (s.62)."""
    reference = queries.case_reference(_user(request), case_id)
    form = f.JustificationForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            remember_justification(request.session, "case", case_id, form.cleaned_data["justification"])
        except InvalidInput as error:
            form.add_service_errors((d["path"], d["message"]) for d in error.details)
        else:
            return redirect(_safe_next(request, form.cleaned_data["next"] or "", case_id))
    return page(
        request,
        "cases/justify.html",
        {"title": f"Why do you need case {reference}?", "reference": reference, "form": form},
        status=422 if form.errors else 200,
    )


#: The states in which a disposal rests on the latest assessment (proposed, or about to be).
_DECISION_STATES = frozenset({CaseState.ASSESSED, CaseState.DECISION_PENDING})


@login_required
@refusals
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = consult_case(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    next_actions = queries.next_actions(user, case)
    names = _page_actions(next_actions)
    if provider_minimum(user, case):
        # A rehabilitation provider gets the same minimum as from the API: the programme only.
        return page(
            request,
            "cases/case_provider.html",
            {
                "title": f"Case {case.reference}",
                "case": case,
                "document": case_document(user, case),
                "actions": _action_links(case, names),
            },
        )
    context = case_page_context(user, case, request.GET.get("history_page", 1))
    latest = context["latest_assessment"]
    # Flag a stale assessment before anyone starts a proposal on it, and make re-assessing the first step.
    stale = (
        case.state in _DECISION_STATES and latest is not None and not assessed_on_current_facts(latest, case)
    )
    if stale and "run_assessment" in names:
        names.insert(0, names.pop(names.index("run_assessment")))
    tasks = task_list(
        case,
        next_actions,
        safeguarding_complete=context["safeguarding_status"].complete,
        notification=context["notification"],
    )
    return page(
        request,
        "cases/case.html",
        {
            "title": f"Case {case.reference}",
            "actions": _action_links(case, names),
            "assessment_stale": stale,
            "tasks": tasks,
            "correctable": corrections.correctable(user, case),
            **context,
        },
    )


def _action_links(case: Case, names: list[str]) -> list[tuple[str, str, str]]:
    """(label, URL name, address) of each next step's page, in the order given."""
    return [(*ACTION_LINKS[a], reverse(ACTION_LINKS[a][1], args=[case.pk])) for a in names]


def _page_actions(next_actions: list[str]) -> list[str]:
    """Next actions that have a page, without duplicates (approve and reject share one page)."""
    seen: set[str] = set()
    out = []
    order = list(ACTION_LINKS)
    for action in sorted(next_actions, key=lambda a: order.index(a) if a in order else len(order)):
        if action in ACTION_LINKS and ACTION_LINKS[action][1] not in seen:
            seen.add(ACTION_LINKS[action][1])
            out.append(action)
    return out


# --- one form, one service call -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A case page whose form calls one service function and returns to the case."""

    title: str
    template: str
    form: Callable[..., GovForm]
    service: Callable[[User, int, dict[str, Any]], Any]
    done: str
    initial: Callable[[Case], dict[str, Any]] | None = None
    extra: Callable[[User, Case], dict[str, Any]] | None = None
    form_key: str = "form"
    #: For a one-way step: what cannot be undone (None when this submission can be), shown on the
    #: check-your-answers page before anything is written; and the confirm button's label.
    one_way: Callable[[Case, dict[str, Any]], str | None] | None = None
    confirm_label: str = "Confirm"


def _minimal_viewer(user: User) -> bool:
    """A rehabilitation provider outside any force: it records attendance and sees little else."""
    return user.has_role(Role.REHABILITATION_PROVIDER) and user.force_id is None


def _run_step(
    request: HttpRequest,
    case_id: int,
    step: Step,
    *,
    form_kwargs: dict[str, Any] | None = None,
    case_kwargs: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Show the step's form for the case (read once, so logged once) and call its service on POST.

    `case_kwargs` gives form arguments that depend on the case read here.
    """
    user = _user(request)
    try:
        case = consult_case(request, case_id)
    except CaseServiceError as error:
        return refusal(request, error)
    if isinstance(case, HttpResponse):
        return case
    if _minimal_viewer(user) and step.service is not services.record_attendance:
        # A provider sees the minimum of its referral: any form but attendance would show more.
        return refusal(request, PermissionDenied(f"you may not do this on case {case.reference}"))
    initial = {"version": case.version, **(step.initial(case) if step.initial else {})}
    kwargs = {**(form_kwargs or {}), **(case_kwargs(case) if case_kwargs else {})}
    form = (
        step.form(request.POST, initial=initial, **kwargs)
        if request.method == "POST"
        else step.form(initial=initial, **kwargs)
    )
    if request.method == "POST" and form.is_valid():
        warning = step.one_way(case, form.payload()) if step.one_way else None  # type: ignore[attr-defined]
        checking = check_answers.needs_check(request, warning)
        if not (checking and check_answers.wants_change(request)):  # "Change": the form, answers kept
            call = partial(step.service, user, case.pk, form.payload())  # type: ignore[attr-defined]
            try:
                check_answers.run(call, trial=checking)
            except CaseServiceError as error:
                if not attach_service_error(form, error):
                    return refusal(request, error)
            else:
                if checking:
                    return check_answers.check_page(
                        request,
                        case=case,
                        heading=step.title,
                        form=form,
                        warning=str(warning),
                        confirm_label=step.confirm_label,
                        back_url=reverse("cases-ui:case", args=[case.pk]),
                    )
                messages.success(request, step.done)
                return HttpResponseRedirect(reverse("cases-ui:case", args=[case.pk]))
    context: dict[str, Any] = {
        "title": f"{step.title}: {case.reference}",
        "heading": step.title,
        "case": case,
        step.form_key: form,
        "errors_form": form,
        "page_has_errors": bool(form.errors),
    }
    if step.extra:
        for key, value in step.extra(user, case).items():
            context.setdefault(key, value)
    status = 200 if not form.errors else 422
    return page(request, step.template, context, status=status)


def _model_initial(attr: str, fields: tuple[str, ...]) -> Callable[[Case], dict[str, Any]]:
    def initial(case: Case) -> dict[str, Any]:
        record = getattr(case, attr, None)
        if record is None:
            return {}
        return {name: getattr(record, name) for name in fields}

    return initial


def _related(case: Case, attr: str) -> Any:
    try:
        return getattr(case, attr)
    except Exception:  # a missing one-to-one record raises its own DoesNotExist
        return None


def _enforcement_initial(case: Case) -> dict[str, Any]:
    record = _related(case, "enforcement")
    if record is None:
        return {}
    return {
        "warrant_on": record.warrant_on,
        "arrested_on": record.arrested_on,
        "devices_seized": record.devices_seized,
        "count_a": record.count_a,
        "count_b": record.count_b,
        "count_c": record.count_c,
        "youngest_depicted": record.youngest_depicted,
        "videos": record.videos,
        "stories": record.stories,
        "collection_span_years": record.collection_span_years,
        "distribution_evidence": record.distribution_evidence,
    }


def _safeguarding_initial(case: Case) -> dict[str, Any]:
    record = _related(case, "safeguarding")
    if record is None:
        return {}
    return {name: getattr(record, name) for name in f.SafeguardingForm.base_fields if name != "version"}


def _prosecution_initial(case: Case) -> dict[str, Any]:
    record = _related(case, "prosecution")
    if record is None:
        return {}
    return {
        "charged_on": record.charged_on,
        "cps_decision": record.cps_decision,
        "cps_decision_on": record.cps_decision_on,
        "court": record.court,
        "first_hearing_on": record.first_hearing_on,
    }


def _latest_assessment(user: User, case: Case) -> dict[str, Any]:
    latest = case.assessments.select_related("created_by").order_by("-created_at", "-id").first()
    return {"assessment": latest, **assessment_context(latest)}


def _pending_proposal(user: User, case: Case) -> dict[str, Any]:
    """The pending proposal with what the approver must see: the key safety facts and CPORT, the
    recommendation with every blocking rule, and any safety exclusion (which no approval overrides)."""
    proposal = (
        case.proposals.filter(status=ProposalStatus.PENDING)
        .select_related("proposed_by", "assessment", "assessment__created_by")
        .first()
    )
    if proposal is None:
        return {"proposal": None}
    assessment = proposal.assessment
    return {
        "proposal": proposal,
        "own_proposal": proposal.proposed_by_id == user.pk,
        "assessment": assessment,
        **assessment_context(assessment),
        "safety_rows": safety_rows(assessment.facts, assessment.triage),
        "exclusions": decisions.safety_exclusions(assessment.triage) if proposal.kind == "diversion" else [],
    }


def _safeguarding_extra(user: User, case: Case) -> dict[str, Any]:
    return {
        "form": f.SafeguardingForm(initial={"version": case.version, **_safeguarding_initial(case)}),
        "child_form": _ChildLinkForm(initial={"version": case.version}),
        "child_links": list(case.child_links.order_by("id")),
        **safeguarding_context(case),
    }


def _attendance_extra(user: User, case: Case) -> dict[str, Any]:
    actions = queries.next_actions(user, case)
    return {
        "attendance": list(case.attendance.order_by("session_number")),
        "caution": _related(case, "caution"),
        "can_complete": "complete_caution" in actions,
        "form": f.AttendanceForm(initial={"version": case.version}),
        "completion_form": _CompletionForm(initial={"version": case.version}),
    }


def _prosecution_extra(user: User, case: Case) -> dict[str, Any]:
    return {
        "form": f.ProsecutionForm(initial={"version": case.version, **_prosecution_initial(case)}),
        "outcome_form": _OutcomeForm(initial={"version": case.version}),
        "prosecution": _related(case, "prosecution"),
    }


# Second forms on a page get their own id prefix, so no two fields share an id.
_ChildLinkForm = partial(f.ChildLinkForm, auto_id="child-%s")
_CompletionForm = partial(f.CompletionForm, auto_id="completion-%s")
_OutcomeForm = partial(f.OutcomeForm, auto_id="outcome-%s")


def _providers() -> list[tuple[int, str]]:
    # Reference data (organisation names), not case data, so it is read here directly.
    return [(p.pk, p.name) for p in ProviderOrganisation.objects.order_by("name")]


def _investigators(user: User) -> list[tuple[int, str]]:
    # Colleagues' names in the user's own force: reference data for the choice, not case data.
    if user.force_id is None:
        return []
    colleagues = User.objects.filter(force_id=user.force_id, is_active=True).order_by("last_name", "username")
    return [(u.pk, u.get_full_name() or u.username) for u in colleagues if u.has_role(Role.INVESTIGATOR)]


#: What cannot be undone, said on the check-your-answers page of each one-way step.
_BREACH_ENDS_CAUTION = (
    "A breach without a reasonable excuse ends the conditional caution: the case goes to "
    "prosecution for the original offence. This cannot be undone."
)
_OUTCOME_IS_FINAL = (
    "The court outcome concludes the prosecution and sets the notification requirements. "
    "It cannot be edited afterwards."
)
_CLOSURE_IS_FINAL = "A closed case cannot be reopened: only its retention reviews follow."
_ERASURE_IS_FINAL = "Erasure cannot be undone. The audit log keeps the record that it happened."


def _approval_warning(case: Case, data: dict[str, Any]) -> str:
    proposal = case.proposals.filter(status=ProposalStatus.PENDING).order_by("-id").first()
    kind = proposal.get_kind_display() if proposal else "the proposal"
    return f"Approving {kind} cannot be undone: the case moves on to it at once."


STEPS: dict[str, Step] = {
    "assign": Step(
        "Assign the case",
        "cases/step_form.html",
        f.AssignForm,
        services.assign_case,
        "Case assigned.",
        lambda case: {"assigned_to_id": case.assigned_to_id},
    ),
    "enforcement": Step(
        "Enforcement",
        "cases/step_enforcement.html",
        f.EnforcementForm,
        services.record_enforcement,
        "Enforcement recorded.",
        _enforcement_initial,
    ),
    "safeguarding": Step(
        "Safeguarding",
        "cases/step_safeguarding.html",
        f.SafeguardingForm,
        services.record_safeguarding,
        "Safeguarding recorded.",
        _safeguarding_initial,
        _safeguarding_extra,
    ),
    "children": Step(
        "Safeguarding",
        "cases/step_safeguarding.html",
        _ChildLinkForm,
        services.link_children,
        "Children linked; the access fact is now yes.",
        None,
        _safeguarding_extra,
        "child_form",
    ),
    "assessment": Step(
        "Assessment",
        "cases/step_assessment.html",
        f.AssessmentForm,
        services.run_assessment,
        "Assessment recorded.",
        None,
        _latest_assessment,
    ),
    "propose": Step(
        "Propose a disposal",
        "cases/step_propose.html",
        f.ProposalForm,
        services.propose_disposal,
        "Proposal recorded; a supervisor must now approve it.",
        None,
        _latest_assessment,
    ),
    "caution": Step(
        "Conditional caution",
        "cases/step_caution.html",
        f.CautionForm,
        services.record_caution,
        "Conditional caution recorded; notification requirements computed.",
    ),
    "notification": Step(
        "Notification",
        "cases/step_form.html",
        f.NotificationForm,
        services.record_notification,
        "Notification recorded.",
    ),
    "attendance": Step(
        "Programme attendance",
        "cases/step_attendance.html",
        f.AttendanceForm,
        services.record_attendance,
        "Attendance recorded.",
        None,
        _attendance_extra,
    ),
    "completion": Step(
        "Programme attendance",
        "cases/step_attendance.html",
        _CompletionForm,
        services.complete_caution,
        "Caution conditions completed.",
        None,
        _attendance_extra,
        "completion_form",
    ),
    "breach": Step(
        "Breach of conditions",
        "cases/step_breach.html",
        f.BreachForm,
        services.record_breach,
        "Breach recorded.",
        one_way=lambda case, data: None if data["reasonable_excuse"] else _BREACH_ENDS_CAUTION,
        confirm_label="Confirm and record the breach",
    ),
    "prosecution": Step(
        "Prosecution",
        "cases/step_prosecution.html",
        f.ProsecutionForm,
        services.update_prosecution,
        "Prosecution updated.",
        _prosecution_initial,
        _prosecution_extra,
    ),
    "outcome": Step(
        "Prosecution",
        "cases/step_prosecution.html",
        _OutcomeForm,
        services.record_outcome,
        "Court outcome recorded.",
        None,
        _prosecution_extra,
        "outcome_form",
        one_way=lambda case, data: _OUTCOME_IS_FINAL,
        confirm_label="Confirm and record the outcome",
    ),
    "close": Step(
        "Close the case",
        "cases/step_form.html",
        f.ClosureForm,
        services.close_case,
        "Case closed.",
        one_way=lambda case, data: _CLOSURE_IS_FINAL,
        confirm_label="Confirm and close the case",
    ),
}


def _step_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    step = STEPS[name]

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: int) -> HttpResponse:
        kwargs: dict[str, Any] | None = None
        if name == "caution":
            kwargs = {"providers": _providers()}
        elif name == "assign":
            kwargs = {"investigators": _investigators(_user(request))}
        return _run_step(request, case_id, step, form_kwargs=kwargs)

    view.__name__ = f"{name}_view"
    return view


assign = _step_view("assign")
enforcement = _step_view("enforcement")
safeguarding = _step_view("safeguarding")
children = _step_view("children")
assessment = _step_view("assessment")
propose = _step_view("propose")
caution = _step_view("caution")
notification = _step_view("notification")
attendance = _step_view("attendance")
completion = _step_view("completion")
breach = _step_view("breach")
prosecution = _step_view("prosecution")
outcome = _step_view("outcome")
close = _step_view("close")


@login_required
@require_http_methods(["GET", "POST"])
def facts(request: HttpRequest, case_id: int) -> HttpResponse:
    """Edit the facts; the service re-prioritises and keeps the priority history."""
    step = Step(
        "Facts",
        "cases/step_facts.html",
        f.FactsForm,
        services.update_facts,
        "Facts saved; priority recalculated.",
    )
    return _run_step(request, case_id, step, case_kwargs=lambda case: {"facts": case.facts})


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    """Approve or reject the pending proposal (a supervisor who did not make it)."""
    rejecting = request.POST.get("decision") == "reject"
    step = Step(
        "Approve or reject the proposal",
        "cases/step_decide.html",
        f.DecisionForm,
        services.reject_disposal if rejecting else services.approve_disposal,
        "Proposal rejected; the case is back at assessment." if rejecting else "Proposal approved.",
        None,
        _pending_proposal,
        one_way=None if rejecting else _approval_warning,
        confirm_label="Confirm and approve",
    )
    return _run_step(request, case_id, step)


# --- records: cross-force shares, erasure, retention review ---------------------------------


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def shares(request: HttpRequest, case_id: int) -> HttpResponse:
    """Grant another force read access for a limited time, and see or revoke the shares so far."""
    user = _user(request)
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
        share = services.revoke_share(_user(request), case_id, share_id)
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
    user = _user(request)
    case = queries.record_case(user, case_id, "erase")
    form = f.ErasureForm(request.POST or None, initial={"version": case.version})
    checking = check_answers.needs_check(request, _ERASURE_IS_FINAL)
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
                    warning=_ERASURE_IS_FINAL,
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
    due = queries.records_due_for_review(_user(request))
    return page(request, "cases/records_review.html", {"title": "Records due for review", "due": due})


@login_required
@refusals
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record the retention review of a closed case: retain until a next review, or decide to erase."""
    user = _user(request)
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
