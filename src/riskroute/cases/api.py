"""The JSON API (Django Ninja) under /api/: one endpoint per user action, all through the services.

Authentication is the Django session (log in at /accounts/login/); unsafe methods need the CSRF
token (`X-CSRFToken` header), as for the HTML forms. Every error has one shape,
`{"error": code, "details": [{"path": ..., "message": ...}]}`, with these statuses: 401 not
logged in, 403 not allowed (also a failed CSRF check), 404 not found or not visible, 409 stale
version or illegal workflow step, 413 body too large, 422 invalid input (paths name the field in
the request body), 428 no justification.
No traceback is ever sent.

Justification (DPA 2018 s.62): every read of a case's personal data is logged with the reason for
it. Send it in the `X-Justification` header (10 to 500 characters) on the first request about a
case in a session; it is remembered for that case for the rest of the session. Without one, a
request that reads or changes a case is refused with 428 and the path `X-Justification` (before
any change is made). Lists that show subjects' names are logged with their stated purpose.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.responses import Status
from ninja.security import django_auth

from riskroute.accounts.models import ProviderOrganisation, User
from riskroute.audit import JustificationRequired, remember_justification, require_justification
from riskroute.cases import corrections, queries, services, trail
from riskroute.cases.corrections import CorrectionIn
from riskroute.cases.documents import case_document, case_summary
from riskroute.cases.errors import CaseServiceError, JustificationNeeded, ValidationFailed
from riskroute.cases.models import CaseShare
from riskroute.cases.schemas import (
    AssessmentIn,
    AssignIn,
    AttendanceIn,
    BreachIn,
    CautionIn,
    ChildLinkIn,
    CloseIn,
    CompletionIn,
    DecisionIn,
    EnforcementIn,
    ErasureIn,
    FactsIn,
    MappaIn,
    NotifiedIn,
    OutcomeIn,
    ProposalIn,
    ProsecutionIn,
    ProviderReferralIn,
    ReferralIn,
    ReviewIn,
    SafeguardingIn,
    ShareIn,
)
from riskroute.core import strict_json
from riskroute.core.errors import InvalidInput, error_location, format_path

log = logging.getLogger(__name__)


class _UniqueKeysParser(Parser):
    """JSON bodies in which a key given twice in one object is refused (see `strict_json`)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        document: dict[str, Any] = strict_json.loads(request.body)
        return document


SIGN_IN_FIRST = {"path": "$", "message": "log in first (/accounts/login/)"}

api = NinjaAPI(
    title="riskroute case service",
    version="1",
    description=__doc__,
    auth=django_auth,
    urls_namespace="api",
    parser=_UniqueKeysParser(),
)


class ErrorDetailOut(Schema):
    path: str
    message: str


class ErrorOut(Schema):
    error: str
    details: list[ErrorDetailOut]


def _error(request: HttpRequest, status: int, code: str, details: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(request, {"error": code, "details": details}, status=status)


@api.exception_handler(CaseServiceError)
def _service_error(request: HttpRequest, exc: CaseServiceError) -> HttpResponse:
    details = [{"path": d["path"], "message": d["message"]} for d in exc.details]
    if isinstance(exc, JustificationNeeded):  # the API takes the justification from this header
        details = [{"path": JUSTIFICATION_HEADER, "message": d["message"]} for d in details]
    return _error(request, exc.status, exc.code, details)


#: The same plain wording the CLI uses for these pydantic error types (riskroute.core.errors).
_PLAIN_MESSAGES = {"missing": "required field is missing", "extra_forbidden": "unknown field"}


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = list(err.get("loc", []))
        # Ninja prefixes the location with where it came from and the parameter name.
        if loc and loc[0] in {"body", "query", "path"}:
            loc = loc[2:] if loc[0] == "body" and len(loc) > 1 and loc[1] == "data" else loc[1:]
        loc = error_location(err, loc)
        message = _PLAIN_MESSAGES.get(str(err.get("type")), str(err.get("msg", "invalid")))
        details.append({"path": format_path(loc), "message": message})
    return _error(request, 422, "invalid_input", details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", [SIGN_IN_FIRST])


#: The documented error code of each status Django Ninja raises itself (a failed CSRF check is 403).
_HTTP_ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}
CSRF_MESSAGE = "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header"


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, InvalidInput):  # a body the parser refused (a duplicated key)
        return _error(request, 422, "invalid_input", list(exc.__cause__.details))  # type: ignore[arg-type]
    if isinstance(exc.__cause__, RequestDataTooBig):  # the parser read a body over the limit
        return _too_large(request, exc.__cause__)
    code = _HTTP_ERROR_CODES.get(exc.status_code, "bad_request")
    message = CSRF_MESSAGE if "CSRF" in str(exc.message) else str(exc.message)
    return _error(request, exc.status_code, code, [{"path": "$", "message": message}])


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"the request body is larger than the {limit:,} bytes accepted"
    return _error(request, 413, "payload_too_large", [{"path": "$", "message": message}])


@api.exception_handler(Exception)
def _internal(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("internal error on %s %s", request.method, request.path)
    return _error(
        request, 500, "internal_error", [{"path": "$", "message": "internal error; it has been logged"}]
    )


ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    428: ErrorOut,
}
Document = dict[str, Any]

JUSTIFICATION_HEADER = "X-Justification"
#: The header, documented on every operation that reads a case's personal data.
JUSTIFIED: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": JUSTIFICATION_HEADER,
            "required": False,
            "description": "Why you need this case (10 to 500 characters; DPA 2018 s.62). Required on the "
            "first request about a case in a session, then remembered for that case; otherwise 428.",
            "schema": {"type": "string", "minLength": 10, "maxLength": 500},
        }
    ]
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth has authenticated the request
    return user


def _justification(request: HttpRequest, case_id: int) -> str | None:
    """The header's justification (remembered for the session), else the session's, else None."""
    given = request.headers.get(JUSTIFICATION_HEADER)
    if given is not None:
        if any(ord(c) < 32 or ord(c) == 127 for c in given):
            raise ValidationFailed.field(JUSTIFICATION_HEADER, "control characters are not allowed")
        try:
            return remember_justification(request.session, "case", case_id, given)
        except InvalidInput as exc:
            raise ValidationFailed(
                [{"path": JUSTIFICATION_HEADER, "message": d["message"]} for d in exc.details]
            ) from exc
    try:
        return require_justification(request.session, "case", case_id)
    except JustificationRequired:
        return None


def _document(request: HttpRequest, case_id: int) -> Document:
    user = _user(request)
    return case_document(
        user, queries.get_case(user, case_id, justification=_justification(request, case_id))
    )


# --- who am I -------------------------------------------------------------------------------

meta = Router(tags=["session"])


@meta.get("/me", response={200: Document, **ERRORS}, summary="The logged-in user, force, unit and roles")
def me(request: HttpRequest) -> Document:
    user = _user(request)
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
PAGED = {
    "description": "A page of cases in the worklist order (overdue first, then band, then deadline). "
    f"When there are more, the `{NEXT_CURSOR_HEADER}` header holds the `cursor` of the next page."
}


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
        _user(request), query.filters(), query.cursor, query.limit, subject_name=query.subject_name
    )
    return _paged(request, response, page)


@cases.post("", response={201: Document, **ERRORS}, summary="1. Create a case from a referral")
def create_referral(request: HttpRequest, data: ReferralIn) -> Status[Document]:
    case = services.create_referral(_user(request), data)
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
    openapi_extra={
        **JUSTIFIED,
        "description": "A page of the case's events, oldest first. "
        f"When there are more, the `{NEXT_CURSOR_HEADER}` header holds the `cursor` of the next page.",
    },
)
def case_history(
    request: HttpRequest, response: HttpResponse, case_id: int, query: Query[CursorQuery]
) -> list[Document]:
    user, justification = _user(request), _justification(request, case_id)
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


def _write(request: HttpRequest, case_id: int, action: Any, data: Any) -> Document:
    """Refuse a write without a justification before making it: its answer shows the case."""
    user = _user(request)
    justification = _justification(request, case_id)
    queries.case_reference(user, case_id)  # 404 first, so the 428 below reveals nothing
    if justification is None:
        raise JustificationNeeded(case_id)
    action(user, case_id, data)
    return _document(request, case_id)


@cases.put(
    "/{case_id}/facts",
    response={200: Document, **ERRORS},
    summary="2. Replace the facts (re-prioritises)",
    openapi_extra=JUSTIFIED,
)
def update_facts(request: HttpRequest, case_id: int, data: FactsIn) -> Document:
    return _write(request, case_id, services.update_facts, data)


@cases.post(
    "/{case_id}/assignment",
    response={200: Document, **ERRORS},
    summary="Assign to an investigator",
    openapi_extra=JUSTIFIED,
)
def assign_case(request: HttpRequest, case_id: int, data: AssignIn) -> Document:
    return _write(request, case_id, services.assign_case, data)


@cases.post(
    "/{case_id}/provider",
    response={200: Document, **ERRORS},
    summary="Refer to a provider organisation",
    openapi_extra=JUSTIFIED,
)
def refer_to_provider(request: HttpRequest, case_id: int, data: ProviderReferralIn) -> Document:
    return _write(request, case_id, services.refer_to_provider, data)


@cases.post(
    "/{case_id}/enforcement",
    response={200: Document, **ERRORS},
    summary="3. Warrant, arrest, forensics",
    openapi_extra=JUSTIFIED,
)
def record_enforcement(request: HttpRequest, case_id: int, data: EnforcementIn) -> Document:
    return _write(request, case_id, services.record_enforcement, data)


@cases.post(
    "/{case_id}/safeguarding",
    response={200: Document, **ERRORS},
    summary="4. Safeguarding",
    openapi_extra=JUSTIFIED,
)
def record_safeguarding(request: HttpRequest, case_id: int, data: SafeguardingIn) -> Document:
    return _write(request, case_id, services.record_safeguarding, data)


@cases.post(
    "/{case_id}/children",
    response={200: Document, **ERRORS},
    summary="4. Link children (no names)",
    openapi_extra=JUSTIFIED,
)
def link_children(request: HttpRequest, case_id: int, data: ChildLinkIn) -> Document:
    return _write(request, case_id, services.link_children, data)


@cases.post(
    "/{case_id}/assessments",
    response={200: Document, **ERRORS},
    summary="5. Run the assessment",
    openapi_extra=JUSTIFIED,
)
def run_assessment(request: HttpRequest, case_id: int, data: AssessmentIn) -> Document:
    return _write(request, case_id, services.run_assessment, data)


@cases.post(
    "/{case_id}/proposals",
    response={200: Document, **ERRORS},
    summary="6. Propose a disposal",
    openapi_extra=JUSTIFIED,
)
def propose_disposal(request: HttpRequest, case_id: int, data: ProposalIn) -> Document:
    return _write(request, case_id, services.propose_disposal, data)


@cases.post(
    "/{case_id}/proposals/approve",
    response={200: Document, **ERRORS},
    summary="6. Approve (supervisor)",
    openapi_extra=JUSTIFIED,
)
def approve_disposal(request: HttpRequest, case_id: int, data: DecisionIn) -> Document:
    return _write(request, case_id, services.approve_disposal, data)


@cases.post(
    "/{case_id}/proposals/reject",
    response={200: Document, **ERRORS},
    summary="6. Reject (supervisor)",
    openapi_extra=JUSTIFIED,
)
def reject_disposal(request: HttpRequest, case_id: int, data: DecisionIn) -> Document:
    return _write(request, case_id, services.reject_disposal, data)


@cases.post(
    "/{case_id}/caution",
    response={200: Document, **ERRORS},
    summary="7. Conditional caution conditions",
    openapi_extra=JUSTIFIED,
)
def record_caution(request: HttpRequest, case_id: int, data: CautionIn) -> Document:
    return _write(request, case_id, services.record_caution, data)


@cases.post(
    "/{case_id}/notifications",
    response={200: Document, **ERRORS},
    summary="7. Notification made",
    openapi_extra=JUSTIFIED,
)
def record_notification(request: HttpRequest, case_id: int, data: NotifiedIn) -> Document:
    return _write(request, case_id, services.record_notification, data)


@cases.post(
    "/{case_id}/mappa",
    response={200: Document, **ERRORS},
    summary="7. MAPPA management level",
    openapi_extra=JUSTIFIED,
)
def set_mappa_level(request: HttpRequest, case_id: int, data: MappaIn) -> Document:
    return _write(request, case_id, services.set_mappa_level, data)


@cases.post(
    "/{case_id}/attendance",
    response={200: Document, **ERRORS},
    summary="8. Programme attendance",
    openapi_extra=JUSTIFIED,
)
def record_attendance(request: HttpRequest, case_id: int, data: AttendanceIn) -> Document:
    return _write(request, case_id, services.record_attendance, data)


@cases.post(
    "/{case_id}/caution/complete",
    response={200: Document, **ERRORS},
    summary="8. Conditions completed",
    openapi_extra=JUSTIFIED,
)
def complete_caution(request: HttpRequest, case_id: int, data: CompletionIn) -> Document:
    return _write(request, case_id, services.complete_caution, data)


@cases.post(
    "/{case_id}/breaches",
    response={200: Document, **ERRORS},
    summary="8. Breach (s.24)",
    openapi_extra=JUSTIFIED,
)
def record_breach(request: HttpRequest, case_id: int, data: BreachIn) -> Document:
    return _write(request, case_id, services.record_breach, data)


@cases.post(
    "/{case_id}/prosecution",
    response={200: Document, **ERRORS},
    summary="9. Charge, CPS, court",
    openapi_extra=JUSTIFIED,
)
def update_prosecution(request: HttpRequest, case_id: int, data: ProsecutionIn) -> Document:
    return _write(request, case_id, services.update_prosecution, data)


@cases.post(
    "/{case_id}/prosecution/outcome",
    response={200: Document, **ERRORS},
    summary="9. Outcome, sentence",
    openapi_extra=JUSTIFIED,
)
def record_outcome(request: HttpRequest, case_id: int, data: OutcomeIn) -> Document:
    return _write(request, case_id, services.record_outcome, data)


@cases.post(
    "/{case_id}/corrections",
    response={200: Document, **ERRORS},
    summary="Correct recorded attendance, a breach, the court outcome date or notification dates",
    openapi_extra=JUSTIFIED,
)
def correct_record(request: HttpRequest, case_id: int, data: CorrectionIn) -> Document:
    return _write(request, case_id, corrections.correct_record, data)


@cases.post(
    "/{case_id}/closure",
    response={200: Document, **ERRORS},
    summary="10. Close with review dates",
    openapi_extra=JUSTIFIED,
)
def close_case(request: HttpRequest, case_id: int, data: CloseIn) -> Document:
    return _write(request, case_id, services.close_case, data)


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
    return Status(201, _share_document(services.grant_share(_user(request), case_id, data)))


@cases.post(
    "/{case_id}/shares/{share_id}/revoke",
    response={200: Document, **ERRORS},
    summary="11. End a share now (supervisor, administrator)",
)
def revoke_share(request: HttpRequest, case_id: int, share_id: int) -> Document:
    return _share_document(services.revoke_share(_user(request), case_id, share_id))


@cases.post(
    "/{case_id}/erasure",
    response={200: Document, **ERRORS},
    summary="12. Erase a closed case reviewed for erasure: personal data, or the whole case with a second "
    "administrator's approval (administrator); leaves an audit tombstone",
)
def erase_case(request: HttpRequest, case_id: int, data: ErasureIn) -> Document:
    outcome = services.erase_case(_user(request), case_id, data)
    waiting = outcome == "awaiting_second_administrator"
    return {
        "case_id": case_id,
        "erased": None if waiting else outcome,
        "awaiting_second_administrator": waiting,
    }


@cases.post(
    "/{case_id}/reviews",
    response={200: Document, **ERRORS},
    summary="12. Record a retention review of a closed case (administrator)",
    openapi_extra=JUSTIFIED,
)
def record_review(request: HttpRequest, case_id: int, data: ReviewIn) -> Document:
    return _write(request, case_id, services.record_review, data)


# --- worklists and dashboard ----------------------------------------------------------------

work = Router(tags=["worklists"])


@work.get(
    "/worklists/mine", response={200: list[Document], **ERRORS}, summary="My open cases", openapi_extra=PAGED
)
def my_cases(request: HttpRequest, response: HttpResponse, query: Query[CasePageQuery]) -> list[Document]:
    page = queries.my_cases(_user(request), query.filters(), query.cursor, query.limit)
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
    page = queries.team_worklist(_user(request), query.filters(), query.cursor, query.limit)
    return _paged(request, response, page)


@work.get(
    "/worklists/overdue", response={200: dict[str, list[Document]], **ERRORS}, summary="Overdue by band"
)
def overdue_by_band(request: HttpRequest) -> dict[str, list[Document]]:
    return {
        band: [case_summary(c) for c in rows]
        for band, rows in queries.overdue_by_band(_user(request)).items()
    }


@work.get(
    "/alerts",
    response={200: list[Document], **ERRORS},
    summary="Alerts needing action",
    openapi_extra={
        "description": "A page of alerts, most overdue first. "
        f"When there are more, the `{NEXT_CURSOR_HEADER}` header holds the `cursor` of the next page."
    },
)
def alerts(request: HttpRequest, response: HttpResponse, query: Query[CursorQuery]) -> list[Document]:
    page = queries.alerts(_user(request), query.cursor, query.limit)
    _link_next(request, response, page.next_cursor)
    return [a.as_dict() for a in page]


class DashboardQuery(Schema):
    months: int = Field(default=12, ge=1, le=60)


@work.get("/dashboard", response={200: Document, **ERRORS}, summary="Monthly counts for my force")
def dashboard(request: HttpRequest, params: Query[DashboardQuery]) -> Document:
    return queries.dashboard(_user(request), params.months)


class ReviewQuery(Schema):
    within_days: int = Field(default=90, ge=0, le=3660)


@work.get(
    "/records/due-for-review",
    response={200: list[Document], **ERRORS},
    summary="Closed records whose retention review is due (administrator)",
)
def records_due_for_review(request: HttpRequest, params: Query[ReviewQuery]) -> list[Document]:
    return [d.as_dict() for d in queries.records_due_for_review(_user(request), params.within_days)]


api.add_router("", meta)
api.add_router("/cases", cases)
api.add_router("", work)
