"""JSON that refuses a key given twice in one object, at every entry point (CLI, API, batch).

Common JSON parsers, orjson and pydantic's included, keep the last of two equal keys. For case
facts that is unsafe: `{"household": true, "household": false}` would silently read as "no
children in the household". A duplicated key is therefore bad input, reported with its path.
"""

from __future__ import annotations

import json
from typing import Any

from riskroute.core.errors import ErrorDetail, InvalidInput, format_path


class _Duplicated(dict[str, Any]):
    """An object that had a key twice; remembers which (the path is found afterwards)."""

    duplicated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) == len(set(keys)):
        return dict(pairs)
    seen: set[str] = set()
    out = _Duplicated(pairs)
    out.duplicated = [key for key in keys if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return out


def _find(value: Any, loc: list[int | str], out: list[ErrorDetail]) -> None:
    if isinstance(value, dict):
        for key in getattr(value, "duplicated", ()):
            out.append({"path": format_path([*loc, key]), "message": "key given more than once"})
        for key, item in value.items():
            _find(item, [*loc, key], out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find(item, [*loc, index], out)


def duplicate_keys(document: Any) -> list[ErrorDetail]:
    """The duplicated keys of a document parsed with `_pairs`, with their paths (empty if none)."""
    out: list[ErrorDetail] = []
    _find(document, [], out)
    return out


def loads(raw: bytes | str) -> Any:
    """Parse JSON like `json.loads`, but a key given twice in one object raises `InvalidInput`
    naming each duplicated key's path. Malformed JSON raises `ValueError`, as `json.loads` does."""
    document = json.loads(raw, object_pairs_hook=_pairs)
    problems = duplicate_keys(document)
    if problems:
        raise InvalidInput(problems)
    return document


def check_unique_keys(raw: bytes | str) -> None:
    """Raise `InvalidInput` if any object in `raw` has a key twice; malformed JSON is left to the
    caller's own parser, whose error names the problem in its own terms."""
    try:
        loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        if isinstance(exc, InvalidInput):
            raise
