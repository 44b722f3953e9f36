"""Helpers for reading the audit log in these tests."""

from __future__ import annotations

from typing import Any

from riskroute.audit.models import AuditEntry

WHY = "Synthetic test: reviewing this case for the investigation"


def entries(**filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("sequence"))


def last_sequence() -> int:
    last = AuditEntry.objects.order_by("-sequence").first()
    return last.sequence if last else 0


def since(sequence: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(sequence__gt=sequence).order_by("sequence"))
