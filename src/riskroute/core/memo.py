"""Bounded memo tables for the decision core's pure functions, each result with its JSON.

Instruments and policy rules are pure functions of the few facts they read, so their results are
memoised on those facts (docs/decisions/0003). A memoised result also keeps its serialised JSON,
built once on first use, so the batch path can write it verbatim instead of encoding it again.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import orjson

T = TypeVar("T")


def json_bytes(value: Any) -> bytes:
    """`value` as compact JSON in a bytes object of exactly its size, for keeping in a memo.

    orjson allocates at least 4 KiB for every result and keeps that allocation when it returns a
    short one; a memo holding tens of thousands of results would keep the slack too (measured:
    hundreds of MiB over a 100,000-case batch), so memoised JSON is copied to its own size.
    """
    return bytes(memoryview(orjson.dumps(value)))


class Memo:
    """One memoised result (`value`, shared: read-only), optional `extra` data, and its JSON."""

    __slots__ = ("_json", "extra", "value")

    def __init__(self, value: Any, extra: Any = None) -> None:
        self.value = value
        self.extra = extra
        self._json: bytes | None = None

    @property
    def json(self) -> bytes:
        """The value as compact JSON, encoded on first use (the case service never needs it)."""
        if self._json is None:
            self._json = json_bytes(self.value)
        return self._json


class MemoTable(Generic[T]):
    """A bounded table of memos: once full, new keys are computed each time (correct, slower)."""

    def __init__(self, size: int) -> None:
        self._entries: dict[Any, T] = {}
        self._size = size
        self.get = self._entries.get  # bound once: this lookup is on the hot path

    def put(self, key: Any, memo: T) -> T:
        if len(self._entries) < self._size:
            self._entries[key] = memo
        return memo

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
