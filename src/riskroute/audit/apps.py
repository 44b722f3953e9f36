from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "riskroute.audit"
    label = "audit"
    verbose_name = "Audit log (DPA 2018 s.62)"
