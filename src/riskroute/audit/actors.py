"""Who an audit entry is attributed to: a Django user, or a named system job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class UserLike(Protocol):
    """What `record` reads from an actor: its primary key and user name (and `force`, if it has one)."""

    @property
    def pk(self) -> Any: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """A non-human actor, e.g. `SystemActor("keys rotate")`; it has no user id."""

    name: str

    @property
    def pk(self) -> None:
        return None

    def get_username(self) -> str:
        return f"system:{self.name}"
