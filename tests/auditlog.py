"""The audit log in the tests: entries written on purpose, and the entries read back in order."""

from __future__ import annotations

from typing import Any

from riskroute.audit import Action, record
from riskroute.audit.actors import UserLike
from riskroute.audit.models import AuditEntry

WHY = "Synthetic test: reviewing this case for the investigation"


def entries(**filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("sequence"))


def last_sequence() -> int:
    last = AuditEntry.objects.order_by("-sequence").first()
    return last.sequence if last else 0


def since(sequence: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(sequence__gt=sequence).order_by("sequence"))


def consult(actor: UserLike, case_id: int, count: int) -> list[AuditEntry]:
    """`count` consultations of the case by `actor`: a stretch of chain to verify or tamper with."""
    return [
        record(actor, Action.CONSULTATION, "case", case_id, justification=f"synthetic review step {i}")
        for i in range(count)
    ]
