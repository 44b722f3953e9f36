"""The DPA 2018 s.62 audit log: hash-chained entries, Ed25519-signed checkpoints, verification.

Public API (stable; see docs/security.md):
- `record(actor, action, obj_type, obj_id, *, justification=None, recipient=None, details=None)`:
  the only way to write; `Action` is the closed vocabulary; `SystemActor("job name")` for CLI jobs;
- `require_justification(session, obj_type, obj_id)` / `remember_justification(...)` and
  `JustificationRequired`: ask once per record per session before consultation;
- `who_accessed(case_id)`: who touched a case, when, how and why, without its content;
- `verify_log()` and `checkpoint()`: what `riskroute audit verify` and `audit checkpoint` run.

Functions import the models lazily, so this package can be imported before Django is set up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskroute.audit.actors import SystemActor, UserLike
from riskroute.audit.justification import JustificationRequired, remember_justification, require_justification
from riskroute.audit.vocabulary import Action

if TYPE_CHECKING:
    from riskroute.audit.models import AuditCheckpoint, AuditEntry

__all__ = [
    "Action",
    "JustificationRequired",
    "SystemActor",
    "UserLike",
    "checkpoint",
    "record",
    "remember_justification",
    "require_justification",
    "verify_log",
    "who_accessed",
]


def record(
    actor: UserLike,
    action: Action | str,
    obj_type: str,
    obj_id: object,
    *,
    justification: str | None = None,
    recipient: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the log (see riskroute.audit.log.record)."""
    from riskroute.audit.log import record as _record

    return _record(
        actor, action, obj_type, obj_id, justification=justification, recipient=recipient, details=details
    )


def checkpoint() -> AuditCheckpoint | None:
    """Sign the chain up to its last entry now (see riskroute.audit.log.checkpoint)."""
    from riskroute.audit.log import checkpoint as _checkpoint

    return _checkpoint()


def verify_log(*, since_checkpoint: bool = False) -> dict[str, Any]:
    """Recompute the chain and check checkpoints, optionally from the last verified one (see
    riskroute.audit.verify)."""
    from riskroute.audit.verify import verify_log as _verify

    return _verify(since_checkpoint=since_checkpoint)


def who_accessed(case_id: object, *, obj_type: str = "case") -> list[dict[str, Any]]:
    """Who touched this case, when, how and why (see riskroute.audit.queries)."""
    from riskroute.audit.queries import who_accessed as _who

    return _who(case_id, obj_type=obj_type)
