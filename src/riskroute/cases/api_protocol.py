"""The JSON API (Django Ninja) under /api/: one operation per user action, each step on a case run by
the command registry's runner (the operations are in `cases.api`; this module holds what they share).

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
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from riskroute.accounts.models import User
from riskroute.audit import JustificationRequired, remember_justification, require_justification
from riskroute.cases.errors import CaseServiceError, JustificationNeeded, ValidationFailed
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


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth has authenticated the request
    return user


def justification_for(request: HttpRequest, case_id: int) -> str | None:
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
