"""Shared helpers of the hardening tests: signing in past both factors, the canary, the cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from riskroute.accounts.models import TOTPAuthenticator, User
from riskroute.cases.models import Case, CaseShare

#: The canary: a subject name and summary only the other force's case holds.
CANARY = "Canaryname Zzyzx-Otherforce"


def sign_in(user: User) -> Client:
    """A client signed in with password and a confirmed TOTP device (both steps done)."""
    device, _ = TOTPAuthenticator.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client = Client()
    client.force_login(user, backend="riskroute.accounts.backends.DemoAwareModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.get("/accounts/login/")  # sets the CSRF cookie
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@dataclass
class Cases:
    """One case of each kind, and a live share of each (for the revoke operation)."""

    assigned: Case  # own force, assigned to `inv`, caution in force with the provider organisation
    unassigned: Case  # own force, nobody assigned, not referred
    other: Case  # the other force's case, holding the canary
    shares: dict[str, CaseShare]

    def by_kind(self) -> dict[str, Case]:
        return {"assigned": self.assigned, "unassigned": self.unassigned, "other": self.other}
