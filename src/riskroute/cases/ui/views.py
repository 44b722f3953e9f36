"""The pages of one case: the referral that creates it, the justification asked before any of it
is shown, the case page and the step pages. Reads go through `cases.queries`, writes through the
command registry (`cases.commands`); the worklists are in `worklist_views`, shares, review and
erasure in `record_views`.

No view decides scope or workflow itself: the runner refuses what a user may not do, and its
refusals are shown on the page (field errors, the conflict message, or a 403/404 page). The step
pages are one view (`StepView`), each page declared by its command.

Before a page shows any of a case, the user says why they need it (`justify`, once per case per
session, DPA 2018 s.62); `queries.get_case` logs that reason with every read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.generic.edit import FormView

from riskroute.accounts.models import Role, User
from riskroute.audit import JustificationRequired, remember_justification, require_justification
from riskroute.cases import commands, corrections, queries, services, trail
from riskroute.cases.commands import Command, Page
from riskroute.cases.documents import case_document, provider_minimum
from riskroute.cases.errors import CaseServiceError, PermissionDenied
from riskroute.cases.models import Case
from riskroute.cases.ui import check_answers
from riskroute.cases.ui import forms as f
from riskroute.cases.ui.pages import attach_service_error, page, refusal, refusals, signed_in_user
from riskroute.cases.ui.presenters import case_page_context
from riskroute.cases.ui.tasks import AT_STAGE, STAGES, task_list
from riskroute.cases.vocabulary import CaseState
from riskroute.cases.workflow import assessed_on_current_facts
from riskroute.core.errors import InvalidInput

# --- referral and case page -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest) -> HttpResponse:
    form = f.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_referral(signed_in_user(request), form.payload())
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
    user = signed_in_user(request)
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
    reference = queries.case_reference(signed_in_user(request), case_id)
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
    user = signed_in_user(request)
    case = consult_case(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    next_actions = commands.next_actions(user, case)
    if provider_minimum(user, case):
        # A rehabilitation provider gets the same minimum as from the API: the programme only.
        return page(
            request,
            "cases/case_provider.html",
            {
                "title": f"Case {case.reference}",
                "case": case,
                "document": case_document(user, case),
                "actions": _action_links(case, next_actions),
            },
        )
    context = case_page_context(user, case, request.GET.get("history_page", 1))
    latest = context["latest_assessment"]
    # Flag a stale assessment before anyone starts a proposal on it, and make re-assessing the first step.
    stale = (
        case.state in _DECISION_STATES and latest is not None and not assessed_on_current_facts(latest, case)
    )
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
            "actions": _action_links(case, next_actions, first="run_assessment" if stale else None),
            "assessment_stale": stale,
            "tasks": tasks,
            "correctable": corrections.correctable(user, case),
            **context,
        },
    )


def _action_links(case: Case, names: list[str], first: str | None = None) -> list[tuple[str, str, str]]:
    """(label, URL name, address) of the page of each step the user may take now, one link a page.

    The first is the next required step: `first` if given and allowed, else a step of the stage
    the case is at (`tasks.AT_STAGE`); then the others in task-list order, those of no stage last.
    """
    at = AT_STAGE[CaseState(case.state)]
    order = [stage.key for stage in STAGES]

    def rank(name: str) -> tuple[int, int]:
        stage = commands.REGISTRY[name].stage
        return (
            0 if name == first else 1 if stage is not None and stage == at else 2,
            order.index(stage) if stage in order else len(order),
        )

    links: dict[str, str] = {}
    for name in sorted(names, key=rank):
        command = commands.REGISTRY[name]
        if command.link is not None:
            links.setdefault(command.link, command.label)
    return [(label, link, reverse(link, args=[case.pk])) for link, label in links.items()]


# --- the step pages: one view, its page declared by each command ---------------------------


def _minimal_viewer(user: User) -> bool:
    """A rehabilitation provider outside any force: it records attendance and sees little else."""
    return user.has_role(Role.REHABILITATION_PROVIDER) and user.force_id is None


class StepView(FormView):  # type: ignore[type-arg]
    """The page of one command (`Command.page`): its form for the case, read once (so logged
    once), and on a valid submission the command, through check your answers for a one-way step.
    The command's refusals are shown on the form, or as the refusal page."""

    #: The command whose page this is (given to `as_view`).
    command: Command = None  # type: ignore[assignment]

    @property
    def spec(self) -> Page:
        assert self.command.page is not None
        return self.command.page

    def chosen(self) -> tuple[Command, str, Callable[[Case, dict[str, Any]], str | None] | None]:
        """The command a submission runs, its success message and what it cannot undo."""
        return self.command, self.spec.done, self.spec.one_way

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        try:
            case = consult_case(request, kwargs["case_id"])
        except CaseServiceError as error:
            return refusal(request, error)
        if isinstance(case, HttpResponse):
            return case
        if _minimal_viewer(user) and self.command.name != "record_attendance":
            # A provider sees the minimum of its referral: any form but attendance would show more.
            return refusal(request, PermissionDenied(f"you may not do this on case {case.reference}"))
        self.case = case
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))

    def get_form_class(self) -> Any:
        return self.spec.form

    def get_initial(self) -> dict[str, Any]:
        return {"version": self.case.version, **(self.spec.initial(self.case) if self.spec.initial else {})}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        if self.spec.form_kwargs:
            kwargs.update(self.spec.form_kwargs(signed_in_user(self.request), self.case))
        return kwargs

    def form_valid(self, form: Any) -> HttpResponse:
        command, done, one_way = self.chosen()
        request, case = self.request, self.case
        warning = one_way(case, form.payload()) if one_way else None
        checking = check_answers.needs_check(request, warning)
        if checking and check_answers.wants_change(request):  # "Change": the form, answers kept
            return self.form_invalid(form)
        call = partial(commands.run, command.name, signed_in_user(request), case.pk, form.payload())
        try:
            check_answers.run(call, trial=checking)
        except CaseServiceError as error:
            if not attach_service_error(form, error):
                return refusal(request, error)
            return self.form_invalid(form)
        if checking:
            return check_answers.check_page(
                request,
                case=case,
                heading=self.spec.title,
                form=form,
                warning=str(warning),
                confirm_label=self.spec.confirm_label,
                back_url=reverse("cases-ui:case", args=[case.pk]),
            )
        messages.success(request, done)
        return HttpResponseRedirect(reverse("cases-ui:case", args=[case.pk]))

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form") or self.get_form()
        context: dict[str, Any] = {
            "title": f"{self.spec.title}: {self.case.reference}",
            "heading": self.spec.title,
            "case": self.case,
            self.spec.form_key: form,
            "errors_form": form,
            "page_has_errors": bool(form.errors),
        }
        if self.spec.extra:
            for key, value in self.spec.extra(signed_in_user(self.request), self.case).items():
                context.setdefault(key, value)
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        status = 422 if context["errors_form"].errors else 200
        return page(self.request, self.spec.template, context, status=status)


class DecideView(StepView):
    """Approve or reject the pending proposal (a supervisor who did not make it): one page, two
    commands, chosen by the button pressed; only approval is one-way."""

    REJECTED = "Proposal rejected; the case is back at assessment."

    def chosen(self) -> tuple[Command, str, Callable[[Case, dict[str, Any]], str | None] | None]:
        if self.request.POST.get("decision") == "reject":
            return commands.REGISTRY["reject_disposal"], self.REJECTED, None
        return super().chosen()


#: The pages that differ from a plain step page.
STEP_VIEWS: dict[str, type[StepView]] = {"approve_disposal": DecideView}


def step_view(command: Command) -> Callable[..., HttpResponseBase]:
    """The view of the command's page, for the URL routes."""
    view = STEP_VIEWS.get(command.name, StepView).as_view(command=command)
    return login_required(view)
