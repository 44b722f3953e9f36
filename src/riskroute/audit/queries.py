"""Questions an auditor asks of the log, answered from the log alone (no case content is read)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riskroute.audit.canonical import utc_text
from riskroute.audit.models import AuditEntry
from riskroute.audit.vocabulary import PERSONAL_DATA_ACTIONS, Action


def who_accessed(
    case_id: object, *, obj_type: str = "case", actions: Iterable[Action | str] = PERSONAL_DATA_ACTIONS
) -> list[dict[str, Any]]:
    """Who touched this record, when, how and why, oldest first.

    Each row: sequence, at (UTC), actor (id, username, force), action, justification, recipient.
    Audit `details` are left out: the answer is about people and reasons, not the record.
    """
    wanted = sorted(str(Action(a)) for a in actions)
    rows = AuditEntry.objects.filter(object_type=obj_type, object_id=str(case_id), action__in=wanted)
    return [
        {
            "sequence": e.sequence,
            "at": utc_text(e.created_at),
            "actor": {"id": e.actor_id, "username": e.actor_username, "force": e.actor_force},
            "action": e.action,
            "justification": e.justification,
            "recipient": e.recipient,
        }
        for e in rows.order_by("sequence").only(
            "sequence",
            "created_at",
            "actor_id",
            "actor_username",
            "actor_force",
            "action",
            "justification",
            "recipient",
        )
    ]
