"""Questions an auditor asks of the log, answered from the log alone (no case content is read)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riskroute.audit.canonical import utc_text
from riskroute.audit.models import AuditEntry
from riskroute.audit.vocabulary import CASE_ACCESS_ACTIONS, Action


def who_accessed(
    case_id: object, *, obj_type: str = "case", actions: Iterable[Action | str] = CASE_ACCESS_ACTIONS
) -> list[dict[str, Any]]:
    """Who touched or shared this record, when, how and why, oldest first, including lists that showed it.

    Each row: sequence, at (UTC), actor (id, username, force), action, justification, recipient,
    and `list` (the list's name when the record was seen in a list, else None). A list read of
    records of type X is logged as one entry of type `X_list` whose details name them in `X_ids`
    (the convention `cases/trail.py` follows); those entries are matched here in Python, which
    works alike on SQLite and PostgreSQL. Other audit `details` are left out: the answer is about
    people and reasons, not the record.
    """
    wanted = sorted(str(Action(a)) for a in actions)
    fields = ("sequence", "created_at", "actor_id", "actor_username", "actor_force", "action")
    direct = AuditEntry.objects.filter(object_type=obj_type, object_id=str(case_id), action__in=wanted)
    lists = AuditEntry.objects.filter(object_type=f"{obj_type}_list", action__in=wanted)
    ids_key = f"{obj_type}_ids"
    wanted_id = str(case_id)
    seen_in_lists = [
        e
        for e in lists.only(*fields, "justification", "recipient", "object_id", "details").iterator()
        if wanted_id in {str(i) for i in (e.details or {}).get(ids_key, [])}
    ]
    entries = sorted(
        [*direct.only(*fields, "justification", "recipient"), *seen_in_lists], key=lambda e: e.sequence
    )
    return [
        {
            "sequence": e.sequence,
            "at": utc_text(e.created_at),
            "actor": {"id": e.actor_id, "username": e.actor_username, "force": e.actor_force},
            "action": e.action,
            "justification": e.justification,
            "recipient": e.recipient,
            "list": e.object_id if e.object_type == f"{obj_type}_list" else None,
        }
        for e in entries
    ]
