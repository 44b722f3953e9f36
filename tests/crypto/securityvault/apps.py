from __future__ import annotations

from django.apps import AppConfig


class SecurityVaultConfig(AppConfig):
    name = "tests.crypto.securityvault"
    label = "securityvault"
