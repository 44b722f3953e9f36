"""The worklists, alerts and dashboard pages. Reads go through `cases.queries`, which scopes them
to the user and logs every list that shows subjects' names (DPA 2018 s.62)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from riskroute.accounts.models import Role
from riskroute.cases import queries
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.ui.charts import bar_charts
from riskroute.cases.ui.pages import page, refusals, signed_in_user
from riskroute.cases.ui.presenters import state_label
from riskroute.cases.vocabulary import PriorityBand
from riskroute.core.errors import ErrorDetail


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its day on."""
    user = signed_in_user(request)
    if user.has_role(Role.AUDITOR):
        return redirect("audit-case")
    if user.has_role(Role.INVESTIGATOR) or user.has_role(Role.REHABILITATION_PROVIDER):
        return redirect("cases-ui:my-cases")
    if user.is_supervisor or user.has_role(Role.SAFEGUARDING_OFFICER) or user.has_role(Role.OFFENDER_MANAGER):
        return redirect("cases-ui:team")
    return redirect("cases-ui:dashboard")


# --- worklists ------------------------------------------------------------------------------


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
            "approvals": queries.approvals_waiting(signed_in_user(request)),
            "cases": cases,
            "next_link": _next_link(request, cases),
            "intro": intro,
            "today": timezone.localdate(),
            "minimal": minimal,
        },
    )


@login_required
@refusals
def my_cases(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
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
        found = queries.list_cases(
            signed_in_user(request), None, None, queries.MAX_PAGE_SIZE, subject_name=name
        )
    else:
        found = queries.team_worklist(signed_in_user(request), filters, cursor, size)
    return page(
        request,
        "cases/team.html",
        {
            "title": "Team worklist",
            "name": name,
            "approvals": queries.approvals_waiting(signed_in_user(request)),
            "cases": found,
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
    """One page of the force's overdue cases in the worklist order (most urgent band first, then
    by deadline), its rows set under a heading for each band: a page costs the same as any
    worklist page, however many cases are overdue (issue 13: the page once read the first 50 of
    each band, 250 rows, at 0.06x a bare view). Each band links to its own overdue list."""
    found = queries.overdue_cases(signed_in_user(request), request.GET.get("cursor") or None)
    labels = dict(PriorityBand.choices)
    groups = []
    for band, rows in queries.by_band(found).items():
        own = reverse("cases-ui:team") + "?" + urlencode({"band": band, "overdue": "yes"})
        key = queries.UNPRIORITISED_GROUP if band == queries.UNPRIORITISED else band
        groups.append((key, labels.get(band, "Not prioritised"), rows, own))
    return page(
        request,
        "cases/overdue.html",
        {"title": "Overdue by priority band", "groups": groups, "next_link": _next_link(request, found)},
    )


@login_required
@refusals
def alerts(request: HttpRequest) -> HttpResponse:
    found = queries.alerts(signed_in_user(request), request.GET.get("cursor") or None)
    return page(
        request,
        "cases/alerts.html",
        {"title": "Alerts", "alerts": found, "next_link": _next_link(request, found)},
    )


@login_required
@refusals
def dashboard(request: HttpRequest) -> HttpResponse:
    data = queries.dashboard(signed_in_user(request))
    stage_counts = [(state_label(state), count) for state, count in data["cases_by_state"].items()]
    return page(
        request,
        "cases/dashboard.html",
        {"title": "Dashboard", "data": data, "charts": bar_charts(data), "stage_counts": stage_counts},
    )
