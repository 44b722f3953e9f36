"""`riskroute accounts ...`: create and manage accounts and reference data on a real deployment.

Every command but `bootstrap` names the acting administrator with `--by` (an active
administrator account; of the force concerned for anything inside a force), and is written to
the s.62 audit log as that administrator (`riskroute.accounts.management`). Output is one JSON
document; a temporary password appears in it once and is stored only as its Argon2 hash. Exit 2
with a JSON error naming the option on bad input, as every command.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from riskroute.cli.io import django_setup, run_json_command

accounts_app = typer.Typer(
    help="Accounts, forces, units and provider organisations (restricted to administrators, audited)."
)

By = Annotated[str, typer.Option("--by", help="Your administrator user name (recorded in the audit log).")]


def _management() -> Any:
    django_setup()
    from riskroute.accounts import management

    return management


def _user_document(user: Any, password: str | None = None) -> dict[str, Any]:
    document = {
        "username": user.username,
        "roles": list(user.roles),
        "rank": user.rank,
        "force": user.force.code if user.force else None,
        "unit": user.unit.name if user.unit else None,
        "provider_organisation": user.provider_organisation.name if user.provider_organisation else None,
        "is_active": user.is_active,
        "mfa": "enrols an authenticator at first sign-in",
    }
    if password is not None:
        document["temporary_password"] = password
    return document


@accounts_app.command("create-user")
def create_user(
    by: By,
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    roles: Annotated[str, typer.Option(help="Comma-separated roles, e.g. investigator,supervisor.")],
    first_name: Annotated[str, typer.Option()] = "",
    last_name: Annotated[str, typer.Option()] = "",
    rank: Annotated[str, typer.Option(help="Rank (staff, constable, sergeant, ...).")] = "staff",
    force: Annotated[str | None, typer.Option(help="Force code (police users).")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit name within the force.")] = None,
    provider: Annotated[str | None, typer.Option(help="Provider organisation (providers).")] = None,
) -> None:
    """Create an account with a temporary password; its first sign-in enrols a second factor."""

    def action() -> dict[str, Any]:
        user, password = _management().create_user(
            by,
            username=username,
            first_name=first_name,
            last_name=last_name,
            roles=[r.strip() for r in roles.split(",") if r.strip()],
            rank=rank,
            force_code=force,
            unit_name=unit,
            provider_name=provider,
        )
        return _user_document(user, password)

    run_json_command(action)


@accounts_app.command("bootstrap")
def bootstrap(
    username: Annotated[str, typer.Option(help="Sign-in name of the first administrator.")],
    force: Annotated[str, typer.Option(help="Their force's code.")],
    force_name: Annotated[str | None, typer.Option(help="The force's name, to create it.")] = None,
    first_name: Annotated[str, typer.Option()] = "",
    last_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create the first administrator (and their force); refused once any administrator exists."""

    def action() -> dict[str, Any]:
        user, password = _management().bootstrap(
            username=username,
            first_name=first_name,
            last_name=last_name,
            force_code=force,
            force_name=force_name,
        )
        return _user_document(user, password)

    run_json_command(action)


@accounts_app.command("deactivate")
def deactivate(by: By, username: Annotated[str, typer.Argument(help="The account to deactivate.")]) -> None:
    """The account can no longer sign in; a session it holds ends at its next request."""
    run_json_command(lambda: _user_document(_management().deactivate_user(by, username)))


@accounts_app.command("reset-password")
def reset_password(
    by: By,
    username: Annotated[str, typer.Argument(help="The account whose password is reset.")],
    reset_mfa: Annotated[bool, typer.Option(help="Also remove its authenticator: it enrols again.")] = False,
) -> None:
    """Give the account a new temporary password (an administrator starts every reset)."""

    def action() -> dict[str, Any]:
        user, password = _management().reset_password(by, username, reset_mfa=reset_mfa)
        return _user_document(user, password)

    run_json_command(action)


@accounts_app.command("create-force")
def create_force(
    by: By,
    code: Annotated[str, typer.Option(help="Short code, e.g. northshire.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    policy: Annotated[str, typer.Option(help="Diversion policy id.")] = "npcc-2017",
) -> None:
    """Create a force (any administrator; bootstrap needs one to exist first)."""

    def action() -> dict[str, Any]:
        made = _management().create_force(by, code, name, policy)
        return {"code": made.code, "name": made.name, "policy": made.policy_id}

    run_json_command(action)


@accounts_app.command("set-policy")
def set_policy(
    by: By,
    force: Annotated[str, typer.Option(help="Force code.")],
    policy: Annotated[str, typer.Option(help="Diversion policy id.")],
) -> None:
    """Set the diversion policy a force's triage runs under (an administrator of that force)."""

    def action() -> dict[str, Any]:
        made = _management().set_policy(by, force, policy)
        return {"code": made.code, "policy": made.policy_id}

    run_json_command(action)


@accounts_app.command("create-unit")
def create_unit(
    by: By,
    force: Annotated[str, typer.Option(help="Force code.")],
    name: Annotated[str, typer.Option(help="Unit name.")],
) -> None:
    """Create a unit in your force."""

    def action() -> dict[str, Any]:
        made = _management().create_unit(by, force, name)
        return {"force": made.force.code, "name": made.name}

    run_json_command(action)


@accounts_app.command("create-provider")
def create_provider(by: By, name: Annotated[str, typer.Option(help="Organisation name.")]) -> None:
    """Create a rehabilitation provider organisation."""
    run_json_command(lambda: {"name": _management().create_provider(by, name).name})


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
