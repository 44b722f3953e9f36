"""`riskroute audit ...` and `riskroute keys ...`: prove the audit log, manage field-encryption keys.

Exit codes (docs/security.md): 0 success with JSON on stdout; 2 invalid input or a refused key
operation, JSON error on stderr; 1 internal fault; and for `audit verify` only, 3 when the log
fails verification, with the JSON report (naming the first bad entry) on stdout.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from riskroute.cli.io import django_setup, run_json_command
from riskroute.core.errors import InvalidInput

#: `riskroute audit verify` exit code when the log or a checkpoint does not verify.
EXIT_TAMPERED = 3

audit_app = typer.Typer(help="The DPA 2018 s.62 audit log: verify, checkpoint, who accessed a case.")
keys_app = typer.Typer(help="Field-encryption keys: status, rotate (re-encrypts everything), retire.")


@audit_app.command("verify")
def verify(
    since_checkpoint: Annotated[
        bool,
        typer.Option(
            "--since-checkpoint",
            help="Start from the last signed checkpoint an earlier --since-checkpoint run verified "
            "(the whole log when none is recorded); entries before it are the full verify's job.",
        ),
    ] = False,
) -> None:
    """Recompute the hash chain and check every signed checkpoint; exit 3 names the first bad entry."""
    report: dict[str, Any] = {}

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.audit import verify_log

        report.update(verify_log(since_checkpoint=since_checkpoint))
        return report

    run_json_command(action)
    if not report.get("ok"):
        raise typer.Exit(EXIT_TAMPERED)


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Sign the chain up to its last entry now with the Ed25519 key held outside the database."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.audit import checkpoint as make_checkpoint

        made = make_checkpoint()
        if made is None:
            return {"checkpoint": None, "reason": "the audit log is empty"}
        return {
            "checkpoint": {"sequence": made.sequence, "chain_hash": made.chain_hash, "key_id": made.key_id}
        }

    run_json_command(action)


@audit_app.command("who-accessed")
def who_accessed(
    case_id: Annotated[str, typer.Argument(help="The record's id (a case's database id).")],
    obj_type: Annotated[str, typer.Option("--type", help="The record type.")] = "case",
) -> None:
    """Who collected, changed, consulted or disclosed a record, when and why (no record content)."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.audit import who_accessed as query

        return {"object_type": obj_type, "object_id": case_id, "accesses": query(case_id, obj_type=obj_type)}

    run_json_command(action)


def _progress() -> Progress:
    """Rows re-encrypted so far, on stderr and only on a terminal (stdout stays one JSON document)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def _ring_summary() -> dict[str, Any]:
    from riskroute.crypto.keyring import load_keyring

    ring = load_keyring()
    return {"active": ring.active, "keys": sorted(ring.keys), "retired": sorted(ring.retired)}


@keys_app.command("status")
def status() -> None:
    """The key ring (ids only, never key material) and how many stored values each key seals."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.crypto.rotation import key_usage

        return {**_ring_summary(), "usage": key_usage()}

    run_json_command(action)


@keys_app.command("rotate")
def rotate(
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 500,
) -> None:
    """Add a new active key and re-encrypt every encrypted field under it, batch by batch, online."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.audit import Action, SystemActor, record
        from riskroute.crypto.keyring import add_active_key
        from riskroute.crypto.rotation import key_usage, reencrypt_all

        ring = add_active_key()
        with _progress() as progress:
            task = progress.add_task("re-encrypting", total=None)
            rewritten = reencrypt_all(
                batch_size=batch_size,
                progress=lambda label, rows: progress.update(task, advance=rows, description=label),
            )
        usage = key_usage()
        in_use = {key for counts in usage.values() for key in counts}
        record(
            SystemActor("keys rotate"),
            Action.KEY_ROTATED,
            "keyring",
            ring.active,
            details={"reencrypted": sum(rewritten.values()), "columns": sorted(rewritten)},
        )
        return {
            **_ring_summary(),
            "reencrypted": rewritten,
            "usage": usage,
            "retirable": sorted(k for k in ring.keys if k != ring.active and k not in in_use),
        }

    run_json_command(action)


@keys_app.command("retire")
def retire(key_id: Annotated[str, typer.Argument(help="The key id to destroy (see `keys status`).")]) -> None:
    """Destroy an old key's material; refused while any stored value is still sealed under it."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.audit import Action, SystemActor, record
        from riskroute.crypto.keyring import KeyRingError, load_keyring, retire_key
        from riskroute.crypto.rotation import key_usage

        if key_id == load_keyring().active:
            raise InvalidInput([{"path": "key_id", "message": "this is the active key; rotate first"}])
        still = {column: counts[key_id] for column, counts in key_usage().items() if counts.get(key_id)}
        if still:
            raise InvalidInput(
                [{"path": "key_id", "message": f"still seals values in {still}; run `riskroute keys rotate`"}]
            )
        try:
            retire_key(key_id)
        except KeyRingError as exc:
            raise InvalidInput([{"path": "key_id", "message": str(exc)}]) from exc
        record(SystemActor("keys retire"), Action.KEY_ROTATED, "keyring", key_id, details={"retired": True})
        return {**_ring_summary(), "retired_now": key_id}

    run_json_command(action)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
