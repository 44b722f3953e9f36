"""Authentication backends: lockout of repeated failures, and demo accounts only in demo mode."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from riskroute.accounts.signals import REFUSED_BY_LOCKOUT


def address_failures(ip_address: str) -> int:
    """Failed sign-ins from one client address, whatever user names were tried, within the
    lockout's cool-off period (django-axes keeps one row per user name and address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' lockout check, plus a limit per client address across user names.

    django-axes locks a user name and address pair after `AXES_FAILURE_LIMIT` failures. That
    alone lets one address try any number of different names (each one a `login_failed` entry in
    the permanent audit log), so an address is also refused for the cool-off period once it has
    `ADDRESS_FAILURE_LIMIT` failures in all. A refused attempt is marked on the request, so no
    further audit entry is written for it, and django-axes' middleware answers it with 429.

    Lockout counts failures per client address, so it needs the request. Every sign-in through
    the web goes through the login view, which passes it; a call without one (a management shell,
    a test's `Client.login`) has no address to lock and is left to the password backend rather
    than refused outright, as `AxesStandaloneBackend` would.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        address = get_client_ip_address(request)
        try:
            if address and address_failures(address) >= settings.ADDRESS_FAILURE_LIMIT:
                request.axes_locked_out = True  # type: ignore[attr-defined]
                raise AxesBackendPermissionDenied("too many failed sign-ins from this address")
            return super().authenticate(request, *args, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED_BY_LOCKOUT, True)
            raise


class DemoAwareModelBackend(ModelBackend):
    """Django's username/password backend, refusing `is_demo` accounts outside demo mode.

    Demo passwords are printed and public, so an account made by `riskroute demo` must be dead
    the moment demo mode is off, including any session it already holds (`get_user` also asks
    `user_can_authenticate`).
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a request, with their force, unit and provider organisation in the
        same query: every case read scopes by them and every audit entry names them."""
        user = (
            get_user_model()
            ._default_manager.select_related("force", "unit", "provider_organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
