"""`riskroute import referrals FILE|- --as USERNAME [--json]`: bulk referral intake.

The rules are the web upload's (`riskroute.cases.intake`): each line is one referral as
`POST /api/cases` takes it plus its `external_reference`, in its own transaction, created in the
named user's force and logged in the s.62 audit as that user. The summary goes to stdout (JSON
with `--json`, else a few lines of text); exit 2 if any line was bad, 0 otherwise. An unknown
user, or one who may not create referrals, is an error naming `--as` (exit 2, nothing imported).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from riskroute.cli.io import django_setup, emit, fail_internal, fail_invalid, read_bytes
from riskroute.core.errors import InvalidInput

import_app = typer.Typer(help="Bulk intake of records from other systems (audited as the named user).")


def _importer(username: str) -> Any:
    """The active user named by `--as`, or an error naming the option."""
    from riskroute.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).select_related("force").first()
    if user is None:
        raise InvalidInput([{"path": "--as", "message": f"no active user named {username!r}"}])
    return user


def _text(source: str) -> str:
    try:
        return read_bytes(source).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput([{"path": "$", "message": f"the file is not UTF-8 text: {exc.reason}"}]) from exc


def _human(summary: dict[str, Any]) -> str:
    """The summary as a few lines a person reads at the terminal."""
    out = [
        f"Imported: {summary['imported']} new case(s)",
        f"Linked to existing cases: {summary['linked_to_existing']}",
        f"Unchanged (imported before): {summary['unchanged']}",
        f"Lines in error: {len(summary['errors'])}",
    ]
    out += [
        f"  new {c['case']} band {c['band'] or 'not prioritised'} (line {c['line']})"
        for c in summary["new_cases"]
    ]
    for linked in summary["linked"]:
        note = f"; {linked['note']}" if linked.get("note") else ""
        out.append(
            f"  line {linked['line']} linked to {linked['case']}: facts changed "
            f"{len(linked['facts_changed'])}, conflicts for review {len(linked['conflicts'])}{note}"
        )
    for error in summary["errors"]:
        problems = "; ".join(f"{d['path']}: {d['message']}" for d in error["details"])
        out.append(f"  line {error['line']}: {problems}")
    return "\n".join(out)


@import_app.command("referrals")
def referrals(
    source: Annotated[str, typer.Argument(help="JSON Lines file of referrals, or - for standard input.")],
    as_user: Annotated[str, typer.Option("--as", help="The user the referrals are recorded by.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import referrals, one JSON document a line; report bad lines in place and go on."""
    try:
        text = _text(source)
        django_setup()
        from riskroute.cases.errors import PermissionDenied
        from riskroute.cases.intake import import_referrals

        user = _importer(as_user)
        try:
            summary = import_referrals(user, text).as_document()
        except PermissionDenied as refused:
            raise InvalidInput([{"path": "--as", "message": refused.message}]) from refused
    except InvalidInput as exc:
        fail_invalid(exc)
    except Exception as exc:  # one line, never a traceback
        fail_internal(exc)
    if json_output:
        emit(summary)
    else:
        sys.stdout.write(_human(summary) + "\n")
    raise SystemExit(2 if summary["errors"] else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
