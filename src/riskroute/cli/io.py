"""Input and output for every command: JSON in from a file or stdin, JSON out, the exit codes.

Exit 0 with one JSON document on stdout; exit 2 with `{"error": "invalid_input", "details": [...]}`
on stderr and nothing on stdout; exit 1 with a one-line message for an internal fault. No
traceback ever reaches the user.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from riskroute.core.errors import InvalidInput, from_validation_error
from riskroute.core.strict_json import check_unique_keys

M = TypeVar("M", bound=BaseModel)

#: Set by `riskroute.cli.main` when this process is the `riskroute` command itself (not a test
#: runner calling a command in-process), so a command may leave process-wide state behind it.
RUNNING_AS_COMMAND = False


def django_setup() -> None:
    """Start Django for a command that reads or writes the case service's database (imported
    here, not at start-up, so the pure commands never load it). The service's files (data
    directory, secret key, SQLite file) are made first, since importing the settings makes none."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskroute.web.settings")
    import django

    from riskroute.web import startup

    startup.prepare()
    django.setup()


def read_bytes(source: str | None) -> bytes:
    """Read the input named on the command line ('-' or nothing means standard input)."""
    if source is None or source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            [{"path": "$", "message": f"cannot read input file {source}: {exc.strerror}"}]
        ) from exc


def parse_model(model: type[M], raw: bytes) -> M:
    """Validate one JSON document against a model; malformed JSON is a validation error too, and
    so is a key given twice in one object (`strict_json`)."""
    check_unique_keys(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def dumps(document: Any) -> bytes:
    return orjson.dumps(document)


def emit(document: Any) -> None:
    sys.stdout.buffer.write(dumps(document) + b"\n")
    sys.stdout.buffer.flush()


def fail_invalid(error: InvalidInput) -> NoReturn:
    sys.stderr.buffer.write(dumps(error.as_document()) + b"\n")
    sys.stderr.flush()
    raise SystemExit(2)


def fail_internal(exc: BaseException) -> NoReturn:
    sys.stderr.write(
        f"riskroute: internal error: {type(exc).__name__}: {exc}\n".replace("\n", " ").rstrip() + "\n"
    )
    raise SystemExit(1)


def run_json_command(action: Callable[[], Any]) -> None:
    """Run a command body that returns a JSON-ready document, mapping failures to exit codes."""
    try:
        output = dumps(action())  # serialised inside the guard: a fault here is exit 1, not a traceback
    except InvalidInput as exc:
        fail_invalid(exc)
    except SystemExit:
        raise
    except Exception as exc:  # the one place a fault becomes a one-line message, not a traceback
        fail_internal(exc)
    sys.stdout.buffer.write(output + b"\n")
    sys.stdout.buffer.flush()
