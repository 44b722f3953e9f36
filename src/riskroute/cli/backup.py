"""`riskroute backup PATH` and `riskroute restore PATH`: a consistent snapshot of the database.

- SQLite: SQLite's online backup API copies the live database page by page under its own lock, so
  the copy is consistent even while the server writes; the backup is itself a SQLite file.
- PostgreSQL: `pg_dump --format=custom` runs in one repeatable-read transaction (a consistent
  snapshot without stopping the server); `restore` runs `pg_restore --clean --if-exists
  --single-transaction`, so a failed restore leaves the database as it was.

The audit tables travel with the data, triggers and all, so `riskroute audit verify` proves a
restored log. The key files (field key ring, audit signing and verify keys) are deliberately NOT in
the backup: a backup holding both ciphertext and keys would give the data away to whoever holds
it. Back them up separately (docs/security.md, Key management); the command lists their paths.

Restore replaces the whole database and refuses (exit 2) unless `--replace` is given for a
database that already holds data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from riskroute.cli.io import django_setup, run_json_command
from riskroute.core.errors import InvalidInput


def _invalid(path: str, message: str) -> InvalidInput:
    return InvalidInput([{"path": path, "message": message}])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    from django.db import connection

    return dict(connection.settings_dict)


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL client tools (the password only in their environment)."""
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (PostgreSQL client tools are needed for PostgreSQL)")
    return found


def _key_files() -> list[str]:
    from django.conf import settings

    files = (settings.FIELD_KEYRING_FILE, settings.AUDIT_SIGNING_KEY_FILE, settings.AUDIT_VERIFY_KEY_FILE)
    return [str(f) for f in files]


def _audit_head() -> dict[str, Any] | None:
    from riskroute.audit.models import AuditEntry

    last = AuditEntry.objects.order_by("-sequence").only("sequence", "hash").first()
    return {"sequence": last.sequence, "hash": last.hash} if last else None


def _has_data() -> bool:
    from django.db import connection

    from riskroute.accounts.models import User

    if "accounts_user" not in connection.introspection.table_names():
        return False
    return User.objects.exists()


def backup(path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")]) -> None:
    """Write a consistent snapshot of the database to PATH (key files are not included)."""

    def action() -> dict[str, Any]:
        if path.exists():
            raise _invalid("PATH", f"{path} exists; a backup never overwrites a file")
        if not path.parent.is_dir():
            raise _invalid("PATH", f"{path.parent} is not a directory")
        django_setup()
        db = _database()
        partial = path.with_name(path.name + ".partial")
        if db["ENGINE"].endswith("sqlite3"):
            kind = "sqlite"
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(partial))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif db["ENGINE"].endswith("postgresql"):
            kind = "postgresql"
            args, env = _pg_env(db)
            subprocess.run(
                [_tool("pg_dump"), *args, "--format=custom", "--file", str(partial), str(db["NAME"])],
                env=env,
                check=True,
                capture_output=True,
            )
        else:
            raise RuntimeError(f"no backup method for {db['ENGINE']}")
        partial.rename(path)  # a crash never leaves a file that looks complete
        os.chmod(path, 0o600)
        return {
            "backup": str(path),
            "database": kind,
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
            "audit_head": _audit_head(),
            "not_included": {"key_files": _key_files(), "why": "back keys up separately (docs/security.md)"},
        }

    run_json_command(action)


def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `riskroute backup`.")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace a database that holds data.")] = False,
) -> None:
    """Replace the database with the snapshot in PATH; then run `riskroute audit verify`."""

    def action() -> dict[str, Any]:
        if not path.is_file():
            raise _invalid("PATH", f"{path} is not a file")
        django_setup()
        db = _database()
        if _has_data() and not replace:
            raise _invalid("--replace", "the database holds data; give --replace to overwrite it all")
        from django.db import connection

        connection.close()
        if db["ENGINE"].endswith("sqlite3"):
            with path.open("rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise _invalid("PATH", f"{path} is not a SQLite backup")
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            target = sqlite3.connect(str(db["NAME"]))
            try:
                source.backup(target)  # replaces every page of the target in one step
            finally:
                target.close()
                source.close()
        elif db["ENGINE"].endswith("postgresql"):
            args, env = _pg_env(db)
            result = subprocess.run(
                [
                    _tool("pg_restore"),
                    *args,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    str(db["NAME"]),
                    str(path),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                first = (result.stderr.strip().splitlines() or ["pg_restore failed"])[0]
                raise _invalid("PATH", f"not restored (the database is unchanged): {first}")
        else:
            raise RuntimeError(f"no restore method for {db['ENGINE']}")
        return {"restored": str(path), "audit_head": _audit_head(), "next": "riskroute audit verify"}

    run_json_command(action)


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to the main app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
