"""Rendering helpers shared by every page: layout context, refusals and service-error mapping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from riskroute.accounts.models import User
from riskroute.cases.errors import (
    CaseServiceError,
    ConflictError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from riskroute.cases.ui.govuk import GovForm
from riskroute.cases.ui.nav import nav_items, role_names
from riskroute.cases.ui.presenters import plain_refusal

P = ParamSpec("P")

CONFLICT_MESSAGE = (
    "Someone else changed this case while you were working on it, so your change was not saved. "
    "Reload the page to see their change, then make yours again."
)


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that `login_required` has let through."""
    return cast(User, request.user)


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a page inside the layout (navigation for the user's roles, the "signed in" line)."""
    full = {"nav_items": nav_items(request), "role_names": role_names(request), **(context or {})}
    return render(request, template, full, status=status)


def refusal(request: HttpRequest, error: CaseServiceError) -> HttpResponse:
    """A refused read: 404 for a case the user cannot see (no existence leak), 403 otherwise."""
    if isinstance(error, NotFound):
        title, status = "Page not found", 404
    elif isinstance(error, PermissionDenied):
        title, status = "You cannot do this", 403
    else:
        title, status = "This cannot be done now", error.status
    message = plain_refusal(error) if isinstance(error, IllegalTransition) else error.message
    return page(request, "cases/refused.html", {"title": title, "message": message}, status=status)


def refusals(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Turn a NotFound, PermissionDenied or (for a list's filters) ValidationFailed raised while
    reading into the matching error page."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except (NotFound, PermissionDenied, ValidationFailed) as error:
            request = args[0]
            assert isinstance(request, HttpRequest)
            return refusal(request, error)

    return wrapper


def attach_service_error(form: GovForm, error: CaseServiceError) -> bool:
    """Show a refused write on the form it came from. Returns False if it is not a form problem.

    Validation errors go to their fields; a stale version gets the conflict message; a workflow
    refusal is shown as a form-wide error. Not-found and permission errors are for `refusal`.
    """
    if isinstance(error, ValidationFailed):
        form.add_service_errors((d["path"], d["message"]) for d in error.details)
    elif isinstance(error, ConflictError):
        form.add_error(None, CONFLICT_MESSAGE)
    elif isinstance(error, IllegalTransition):
        form.add_error(None, plain_refusal(error))
    else:
        return False
    return True
