"""TOTP as a second factor (django-otp): who must present one, and the enrolment QR code.

Outside demo mode every signed-in user must have passed a TOTP check in this session before
any page or API call other than the sign-in and second-factor pages themselves. Demo mode does
not ask (its accounts are public and synthetic), and outside it no demo account can sign in
(`DemoAwareModelBackend`). `MFA_REQUIRED = False` exists for tests that are not about MFA.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from riskroute.accounts.models import TOTPAuthenticator

#: Paths an unverified user may still reach: sign-in, sign-out, the second-factor pages, assets.
OPEN_PREFIXES = ("/accounts/", "/static/")


def mfa_enforced() -> bool:
    return bool(settings.MFA_REQUIRED) and not settings.DEMO_MODE


def confirmed_device(user: Any) -> TOTPAuthenticator | None:
    device: TOTPAuthenticator | None = TOTPAuthenticator.objects.filter(user=user, confirmed=True).first()
    return device


class MfaRequiredMiddleware:
    """Send a signed-in but unverified user to the TOTP check (or enrolment); API calls get 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            user.is_authenticated
            and mfa_enforced()
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": "mfa_required",
                        "details": [{"path": "$", "message": "complete the second sign-in step first"}],
                    },
                    status=401,
                )
            step = "mfa-verify" if confirmed_device(user) else "mfa-enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def secret_text(device: TOTPAuthenticator) -> str:
    """The shared secret as people type it into an authenticator app (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPAuthenticator) -> str:
    """The `otpauth://` URI as an inline SVG, made here: the secret never leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]
