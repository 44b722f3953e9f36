"""Authentication backend: demo accounts can log in only in demo mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


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
