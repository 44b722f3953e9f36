from __future__ import annotations

from django.apps import AppConfig


class SecurityVaultConfig(AppConfig):
    name = "securityvault"
    label = "securityvault"
