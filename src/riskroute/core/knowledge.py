"""Versioned knowledge files: instruments, policies, legal tables and their verification marks.

Every table the decision core uses is a YAML file carrying its own id, version, sources and a
verification mark per value. Results record the file's id, version and SHA-256 of its exact bytes,
so a past recommendation can be reproduced from the same file and a changed file is detectable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CORE_DIR = Path(__file__).resolve().parent


class Mark(StrEnum):
    """How well a rule or figure is sourced, strongest first (marks are never upgraded).

    The letters of the research notes behind the tables map onto these words: [V] verified, [D] derived, [V2]
    secondary (a secondary source reporting a primary one), [S] secondary, [R] recalled,
    G guess; `policy` marks a documented local choice that no source fixes.
    """

    VERIFIED = "verified"
    DERIVED = "derived"
    SECONDARY = "secondary"
    POLICY = "policy"
    GUESS = "guess"
    RECALLED = "recalled"

    @property
    def is_verified(self) -> bool:
        """Only verified rules, and arithmetic derived from them, count as verified."""
        return self in (Mark.VERIFIED, Mark.DERIVED)


_STRENGTH = {mark: rank for rank, mark in enumerate(Mark)}


def weakest(marks: list[Mark]) -> Mark:
    """The weakest of several marks: a result is only as well sourced as its weakest input."""
    if not marks:
        raise ValueError("no marks given")
    return max(marks, key=_STRENGTH.__getitem__)


class DefinitionError(ValueError):
    """A knowledge file is malformed: a fault in the file, reported with the file's name."""


@dataclass(frozen=True)
class Definition:
    """One loaded knowledge file with its identity."""

    id: str
    version: str
    sha256: str
    path: Path
    data: dict[str, Any]

    def identity(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def load_definition(path: Path) -> Definition:
    """Read a YAML knowledge file; its hash is of the exact bytes, so any edit changes it."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}: a definition must be a mapping")
    for key in ("id", "version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise DefinitionError(f"{path}: missing or empty '{key}' (must be a string)")
    return Definition(
        id=data["id"],
        version=data["version"],
        sha256=hashlib.sha256(raw).hexdigest(),
        path=path,
        data=data,
    )


@cache
def load_bundled(relative: str) -> Definition:
    """Load a knowledge file shipped with the package (cached: files are read once per process)."""
    return load_definition(CORE_DIR / relative)


def parse_mark(value: Any, where: str) -> Mark:
    try:
        return Mark(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in Mark)
        raise DefinitionError(f"{where}: verification mark {value!r} is not one of {allowed}") from exc
