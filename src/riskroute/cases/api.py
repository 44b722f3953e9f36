"""The JSON API's operations under /api/: reads through `cases.queries`; every step on a case is a
route derived from the command registry (`cases.commands`), run by its runner.

What every operation shares (authentication, the one error shape, the s.62 justification header)
is in `cases.api_protocol`, which also holds the `api` object and its documentation.
"""

from __future__ import annotations

import inspect
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from riskroute.accounts.models import ProviderOrganisation
from riskroute.audit import remember_justification
from riskroute.cases import commands, queries, services, trail
from riskroute.cases.api_protocol import (
    ERRORS,
    JUSTIFICATION_HEADER,
    JUSTIFIED,
    Document,
    acting_user,
    api,
    justification_for,
)
from riskroute.cases.commands import Command, Route
from riskroute.cases.documents import case_document, case_summary
from riskroute.cases.errors import JustificationNeeded
from riskroute.cases.models import BAND_URGENCY, CaseShare
from riskroute.cases.schemas import ReferralIn, ShareIn

__all__ = ["api"]  # the routes below are added to it


def _document(request: HttpRequest, case_id: int) -> Document:
    user = acting_user(request)
    return case_document(
        user, queries.get_case(user, case_id, justification=justification_for(request, case_id))
    )


# --- who am I -------------------------------------------------------------------------------

meta = Router(tags=["session"])


@meta.get("/me", response={200: Document, **ERRORS}, summary="The logged-in user, force, unit and roles")
def me(request: HttpRequest) -> Document:
    user = acting_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "force": user.force.code if user.force else None,
        "unit": user.unit.name if user.unit else None,
        "roles": list(user.roles),
        "rank": user.rank,
        "is_supervisor": user.is_supervisor,
        "provider_organisation": user.provider_organisation.name if user.provider_organisation else None,
    }


@meta.get(
    "/providers", response={200: list[Document], **ERRORS}, summary="Rehabilitation provider organisations"
)
def providers(request: HttpRequest) -> list[Document]:
    return [{"id": p.pk, "name": p.name} for p in ProviderOrganisation.objects.all()]


# --- cases ----------------------------------------------------------------------------------

cases = Router(tags=["cases"])


class CasePageQuery(Schema):
    """A page of a case list: filters, the page size and the cursor of the page wanted."""

    band: str | None = Field(
        default=None, description=f"A priority band, or `{queries.UNPRIORITISED}` for cases not prioritised."
    )
    state: str | None = Field(default=None, description="A case state.")
    overdue: bool | None = Field(default=None, description="Only overdue cases (true) or none (false).")
    assignee: int | None = Field(default=None, description="The id of the user the cases are assigned to.")
    limit: int = Field(default=queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=200, description="The `X-Next-Cursor` of the page before; none: the first."
    )

    def filters(self) -> queries.CaseFilters:
        return queries.CaseFilters(
            band=self.band, state=self.state, overdue=self.overdue, assignee=self.assignee
        )


class CaseIndexQuery(CasePageQuery):
    subject_name: str | None = Field(
        default=None,
        max_length=200,
        description="Exact name (case and spacing ignored), via its blind index.",
    )


#: The response header naming the next page's cursor (absent on the last page).
NEXT_CURSOR_HEADER = "X-Next-Cursor"


def _paged_doc(what: str) -> dict[str, str]:
    """The OpenAPI description of a list read a page at a time: `what` a page holds, and how to
    ask for the next."""
    more = f"When there are more, the `{NEXT_CURSOR_HEADER}` header holds the `cursor` of the next page."
    return {"description": f"{what} {more}"}


PAGED = _paged_doc("A page of cases in the worklist order (overdue first, then band, then deadline).")


class CursorQuery(Schema):
    """A page of a list that is not of cases (alerts, a case's history): its size and cursor."""

    limit: int = Field(default=queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=200, description="The `X-Next-Cursor` of the page before; none: the first."
    )


def _link_next(request: HttpRequest, response: HttpResponse, cursor: str | None) -> None:
    """Name the next page's cursor in a header (and a `Link: rel="next"`); none on the last page."""
    if cursor is not None:
        response[NEXT_CURSOR_HEADER] = cursor
        query = request.GET.copy()
        query["cursor"] = cursor
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'


def _paged(request: HttpRequest, response: HttpResponse, page: queries.CasePage) -> list[Document]:
    """The page's rows, with the next page's cursor in a header (and a `Link: rel="next"`)."""
    _link_next(request, response, page.next_cursor)
    return [case_summary(c) for c in page]


@cases.get("", response={200: list[Document], **ERRORS}, summary="Cases visible to me", openapi_extra=PAGED)
def list_cases(request: HttpRequest, response: HttpResponse, query: Query[CaseIndexQuery]) -> list[Document]:
    page = queries.list_cases(
        acting_user(request),
        query.filters(),
        query.cursor,
        query.limit,
        subject_name=query.subject_name,
    )
    return _paged(request, response, page)


@cases.post("", response={201: Document, **ERRORS}, summary="1. Create a case from a referral")
def create_referral(request: HttpRequest, data: ReferralIn) -> Status[Document]:
    case = services.create_referral(acting_user(request), data)
    if request.headers.get(JUSTIFICATION_HEADER) is None:
        remember_justification(request.session, "case", case.pk, trail.CREATOR_JUSTIFICATION)
    return Status(201, _document(request, case.pk))


@cases.get(
    "/{case_id}",
    response={200: Document, **ERRORS},
    summary="One case, with the actions I may take",
    openapi_extra=JUSTIFIED,
)
def get_case(request: HttpRequest, case_id: int) -> Document:
    return _document(request, case_id)


@cases.get(
    "/{case_id}/history",
    response={200: list[Document], **ERRORS},
    summary="The case history",
    openapi_extra={**JUSTIFIED, **_paged_doc("A page of the case's events, oldest first.")},
)
def case_history(
    request: HttpRequest, response: HttpResponse, case_id: int, query: Query[CursorQuery]
) -> list[Document]:
    user, justification = acting_user(request), justification_for(request, case_id)
    page = queries.case_history(
        user, case_id, justification=justification, cursor=query.cursor, size=query.limit
    )
    _link_next(request, response, page.next_cursor)
    return [
        {
            "at": e.at,
            "actor": e.actor.username,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "version": e.version,
            "summary": e.summary,
        }
        for e in page
    ]


def _write(request: HttpRequest, case_id: int, command: Command, data: Any) -> Document:
    """Run the command; a justified one is refused without a justification before it is run, as
    its answer shows the case."""
    user = acting_user(request)
    if command.route is not None and command.route.justified:
        justification = justification_for(request, case_id)
        queries.case_reference(user, case_id)  # 404 first, so the 428 below reveals nothing
        if justification is None:
            raise JustificationNeeded(case_id)
    result = commands.run(command.name, user, case_id, data)
    if command.route is not None and command.route.respond is not None:
        return command.route.respond(case_id, result)
    return _document(request, case_id)


def _add_route(command: Command, route: Route) -> None:
    """The command's operation, with its input schema as the request body."""

    def endpoint(request: HttpRequest, case_id: int, data: Any) -> Document:
        return _write(request, case_id, command, data)

    endpoint.__name__ = command.name
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
            inspect.Parameter("case_id", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int),
            inspect.Parameter("data", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=command.schema),
        ],
        return_annotation=Document,
    )
    cases.add_api_operation(
        f"/{{case_id}}{route.path}",
        [route.method],
        endpoint,
        response={200: Document, **ERRORS},
        summary=route.summary,
        openapi_extra=JUSTIFIED if route.justified else None,
    )


for _command in commands.REGISTRY.values():
    if _command.route is not None:
        _add_route(_command, _command.route)


def _share_document(share: CaseShare) -> Document:
    return {
        "id": share.pk,
        "case_id": share.case_id,
        "recipient_force": share.recipient_force.code,
        "granted_by": share.granted_by.username,
        "granted_at": share.granted_at,
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
    }


@cases.post(
    "/{case_id}/shares",
    response={201: Document, **ERRORS},
    summary="11. Share read access with another force until a date (supervisor, administrator)",
)
def grant_share(request: HttpRequest, case_id: int, data: ShareIn) -> Status[Document]:
    return Status(201, _share_document(services.grant_share(acting_user(request), case_id, data)))


@cases.post(
    "/{case_id}/shares/{share_id}/revoke",
    response={200: Document, **ERRORS},
    summary="11. End a share now (supervisor, administrator)",
)
def revoke_share(request: HttpRequest, case_id: int, share_id: int) -> Document:
    return _share_document(services.revoke_share(acting_user(request), case_id, share_id))


# --- worklists and dashboard ----------------------------------------------------------------

work = Router(tags=["worklists"])


@work.get(
    "/worklists/mine", response={200: list[Document], **ERRORS}, summary="My open cases", openapi_extra=PAGED
)
def my_cases(request: HttpRequest, response: HttpResponse, query: Query[CasePageQuery]) -> list[Document]:
    page = queries.my_cases(acting_user(request), query.filters(), query.cursor, query.limit)
    return _paged(request, response, page)


@work.get(
    "/worklists/team",
    response={200: list[Document], **ERRORS},
    summary="Team cases, overdue first",
    openapi_extra=PAGED,
)
def team_worklist(
    request: HttpRequest, response: HttpResponse, query: Query[CasePageQuery]
) -> list[Document]:
    page = queries.team_worklist(acting_user(request), query.filters(), query.cursor, query.limit)
    return _paged(request, response, page)


#: The keys of the API's overdue list: every band, most urgent first (`unknown`, for cases not
#: prioritised, only when the page has one).
_OVERDUE_KEYS = {
    **{band.value: band.value for band in BAND_URGENCY},
    queries.UNPRIORITISED: queries.UNPRIORITISED_GROUP,
}


@work.get(
    "/worklists/overdue",
    response={200: dict[str, list[Document]], **ERRORS},
    summary="Overdue cases by band",
    openapi_extra=_paged_doc(
        "A page of the force's overdue cases in the worklist order (most urgent band first, then "
        "deadline), under their bands: every band is a key, `unknown` (not prioritised) only "
        "when the page holds such a case."
    ),
)
def overdue(
    request: HttpRequest, response: HttpResponse, query: Query[CursorQuery]
) -> dict[str, list[Document]]:
    page = queries.overdue_cases(acting_user(request), query.cursor, query.limit)
    _link_next(request, response, page.next_cursor)
    grouped = queries.by_band(page)
    return {
        key: [case_summary(row) for row in grouped.get(band, [])]
        for band, key in _OVERDUE_KEYS.items()
        if band != queries.UNPRIORITISED or band in grouped
    }


@work.get(
    "/alerts",
    response={200: list[Document], **ERRORS},
    summary="Alerts needing action",
    openapi_extra=_paged_doc("A page of alerts, most overdue first."),
)
def alerts(request: HttpRequest, response: HttpResponse, query: Query[CursorQuery]) -> list[Document]:
    page = queries.alerts(acting_user(request), query.cursor, query.limit)
    _link_next(request, response, page.next_cursor)
    return [a.as_dict() for a in page]


class DashboardQuery(Schema):
    months: int = Field(default=12, ge=1, le=60)


@work.get("/dashboard", response={200: Document, **ERRORS}, summary="Monthly counts for my force")
def dashboard(request: HttpRequest, params: Query[DashboardQuery]) -> Document:
    return queries.dashboard(acting_user(request), params.months)


class ReviewQuery(Schema):
    within_days: int = Field(default=90, ge=0, le=3660)


@work.get(
    "/records/due-for-review",
    response={200: list[Document], **ERRORS},
    summary="Closed records whose retention review is due (administrator)",
)
def records_due_for_review(request: HttpRequest, params: Query[ReviewQuery]) -> list[Document]:
    return [d.as_dict() for d in queries.records_due_for_review(acting_user(request), params.within_days)]


api.add_router("", meta)
api.add_router("/cases", cases)
api.add_router("", work)
