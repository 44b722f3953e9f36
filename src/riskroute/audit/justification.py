"""A justification asked once per record per session, before the first consultation (DPA 2018 s.62).

A view calls `require_justification(request.session, "case", case.pk)`: it returns the reason the
user gave earlier in this session, or raises `JustificationRequired`, which the view answers with a
form; the form handler calls `remember_justification(...)`. Signing out ends the session, so the
question is asked again next time.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from riskroute.core.errors import InvalidInput

SESSION_KEY = "riskroute.audit.justifications"
MIN_LENGTH = 10
MAX_LENGTH = 500


class JustificationRequired(Exception):
    """No justification has been given in this session for this record yet."""

    def __init__(self, obj_type: str, obj_id: object) -> None:
        super().__init__(f"a justification is needed before consulting {obj_type} {obj_id}")
        self.obj_type = obj_type
        self.obj_id = str(obj_id)


def _key(obj_type: str, obj_id: object) -> str:
    return f"{obj_type}:{obj_id}"


def require_justification(session: MutableMapping[str, Any], obj_type: str, obj_id: object) -> str:
    """The justification already given in this session, or `JustificationRequired`."""
    given = session.get(SESSION_KEY, {}).get(_key(obj_type, obj_id))
    if not given:
        raise JustificationRequired(obj_type, obj_id)
    return str(given)


def remember_justification(
    session: MutableMapping[str, Any], obj_type: str, obj_id: object, text: str
) -> str:
    """Validate and keep a justification for the rest of the session; bad text is `InvalidInput`."""
    cleaned = " ".join(text.split())
    if not MIN_LENGTH <= len(cleaned) <= MAX_LENGTH:
        raise InvalidInput(
            [{"path": "justification", "message": f"between {MIN_LENGTH} and {MAX_LENGTH} characters"}]
        )
    given = dict(session.get(SESSION_KEY, {}))
    given[_key(obj_type, obj_id)] = cleaned
    session[SESSION_KEY] = given  # reassigned, so Django's session notices the change
    return cleaned
