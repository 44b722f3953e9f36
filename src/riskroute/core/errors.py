"""One error shape for bad input, shared by the CLI (exit 2) and the API (HTTP 4xx)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from pydantic import ValidationError


class ErrorDetail(TypedDict):
    path: str
    message: str


class InvalidInput(ValueError):
    """Input that cannot be decided on; `details` name each bad field by its dotted path."""

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__("; ".join(f"{d['path']}: {d['message']}" for d in details))
        self.details = details

    def as_document(self) -> dict[str, Any]:
        return {"error": "invalid_input", "details": self.details}


ROOT_PATH = "$"


def format_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """('offence', 'activities', 1) -> 'offence.activities[1]'; the empty location is the root."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or ROOT_PATH


_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def error_location(err: Mapping[str, Any], loc: Sequence[int | str]) -> list[int | str]:
    """The location of one pydantic error, with validator noise dropped and, for an error a model
    raises about its own facts (inconsistent facts), the path of the fact it names appended."""
    out: list[int | str] = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    ctx = err.get("ctx") or {}
    if err.get("type") == "inconsistent_facts" and ctx.get("path"):
        out += str(ctx["path"]).split(".")
    return out


def from_validation_error(exc: ValidationError, prefix: str = "") -> InvalidInput:
    """Turn pydantic's errors into field paths and plain messages (never a traceback)."""
    details: list[ErrorDetail] = []
    for err in exc.errors(include_url=False):
        loc = error_location(err, err["loc"])
        message = _MESSAGES.get(err["type"], err["msg"])
        if err["type"] == "json_invalid":
            message = (
                f"malformed JSON: {err['ctx'].get('error', err['msg']) if err.get('ctx') else err['msg']}"
            )
        details.append({"path": format_path(loc, prefix), "message": message})
    return InvalidInput(details)
