"""Signed-in Django test clients: by password, past both factors, and for the API.

The accounts are the synthetic world's (tests/factories.py), all with the one `PASSWORD`.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from riskroute.accounts.models import TOTPAuthenticator, User
from riskroute.cases.models import Case
from tests.factories import PASSWORD

#: Every case read needs a reason (DPA 2018 s.62); tests of that rule live in tests/audit.
JUSTIFICATION = "Synthetic test: working on this case"


def signed_in(username: str) -> Client:
    """A client signed in with the user's password (the second factor is off unless a test asks)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def justified(client: Client, case_id: int) -> Client:
    """The client, having given its reason for consulting the case (asked once per case per session)."""
    response = client.post(f"/cases/{case_id}/justification/", {"justification": JUSTIFICATION})
    assert response.status_code == 302
    return client


def browser(username: str, case: Case) -> Client:
    """A browser signed in by password that has given its reason for consulting `case`."""
    return justified(signed_in(username), case.pk)


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


class Api:
    """A logged-in API client that sends the CSRF token like a browser's script would, and by default
    the justification header that every case read needs (`justification=None` sends none)."""

    def __init__(self, user: User, justification: str | None = JUSTIFICATION) -> None:
        headers = {"X-Justification": justification} if justification is not None else {}
        self.client = Client(enforce_csrf_checks=True, headers=headers)
        self.client.get("/accounts/login/")
        token = self.client.cookies["csrftoken"].value
        response = self.client.post(
            "/accounts/login/",
            {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, "login failed"
        self.token = self.client.cookies["csrftoken"].value

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(f"/api{path}", headers=headers)

    def send(self, method: str, path: str, body: Any, **headers: str) -> Any:
        call = getattr(self.client, method)
        return call(
            f"/api{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": self.token, **headers},
        )

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.send("post", path, body, **headers)


def assert_error(response: Any, status: int, code: str) -> list[dict[str, str]]:
    """The response is the one error document with this status and code; its details."""
    assert response.status_code == status, response.content
    document = response.json()
    assert set(document) == {"error", "details"} and document["error"] == code
    assert all(set(d) == {"path", "message"} for d in document["details"])
    return document["details"]  # type: ignore[no-any-return]
