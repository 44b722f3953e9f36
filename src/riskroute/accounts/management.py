"""Account and reference-data management for a real deployment, used by `riskroute accounts ...`.

Outside demo mode the only other way to create users, forces, units and provider organisations
was a Django shell. Each function here is one administrator's action:

- restricted: `acting` must be an active administrator, and anything inside a force (its units,
  its policy, its users) may be changed only by an administrator of that force. The first
  administrator is made by `bootstrap_administrator`, refused once any active administrator exists;
- audited: each action is one entry in the s.62 log (`collection` when a record is created,
  `alteration` when one changes), naming the record and the fields set, never their values or a
  password, in the transaction of the change;
- a new account has no second factor: its first sign-in enrols one (`accounts.mfa`); a
  password reset can also remove the enrolled devices, so the next sign-in enrols again.

Temporary passwords are random (`secrets`), returned once to the operator, and never stored or
logged in clear. Bad input raises `InvalidInput` naming the field, as every command expects.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from riskroute.accounts.models import Force, ProviderOrganisation, Rank, Role, TOTPAuthenticator, Unit, User
from riskroute.accounts.signals import account_id
from riskroute.audit import Action, SystemActor, record
from riskroute.core.errors import InvalidInput
from riskroute.core.policy.engine import POLICY_IDS


def _invalid(path: str, message: str) -> InvalidInput:
    return InvalidInput([{"path": path, "message": message}])


def temporary_password() -> str:
    """A random password to hand over once (about 120 bits), to be replaced by its holder."""
    return secrets.token_urlsafe(15)


def administrator(username: str, force: Force | None = None) -> User:
    """The acting administrator (`--by`), who must be active and, for `force`, belong to it."""
    acting = User.objects.filter(username=username, is_active=True).first()
    if acting is None or not acting.has_role(Role.ADMINISTRATOR) or acting.is_demo:
        raise _invalid("--by", "name an active administrator account")
    if force is not None and acting.force_id != force.pk:
        raise _invalid("--by", f"only an administrator of {force.code} may change it")
    return acting


def _force(code: str, path: str = "--force") -> Force:
    force = Force.objects.filter(code=code).first()
    if force is None:
        raise _invalid(path, f"no force has the code {code!r}")
    return force


def _audit(
    actor: Any, action: Action, obj_type: str, obj_id: object, step: str, fields: Iterable[str]
) -> None:
    record(actor, action, obj_type, obj_id, details={"step": step, "fields": sorted(fields)})


@transaction.atomic
def create_force(by: str, code: str, name: str, policy_id: str) -> Force:
    acting = administrator(by)
    if policy_id not in POLICY_IDS:
        raise _invalid("--policy", f"one of {', '.join(POLICY_IDS)}")
    if Force.objects.filter(code=code).exists():
        raise _invalid("--code", "a force with this code exists")
    force = Force(code=code, name=name, policy_id=policy_id)
    _clean(force)
    force.save()
    _audit(acting, Action.COLLECTION, "force", force.code, "create_force", ["code", "name", "policy_id"])
    return force


@transaction.atomic
def set_policy(by: str, force_code: str, policy_id: str) -> Force:
    force = _force(force_code)
    acting = administrator(by, force)
    if policy_id not in POLICY_IDS:
        raise _invalid("--policy", f"one of {', '.join(POLICY_IDS)}")
    force.policy_id = policy_id
    force.save(update_fields=["policy_id"])
    _audit(acting, Action.ALTERATION, "force", force.code, "set_policy", ["policy_id"])
    return force


@transaction.atomic
def create_unit(by: str, force_code: str, name: str) -> Unit:
    force = _force(force_code)
    acting = administrator(by, force)
    if force.units.filter(name=name).exists():
        raise _invalid("--name", "the force has a unit with this name")
    unit = Unit(force=force, name=name)
    _clean(unit)
    unit.save()
    _audit(acting, Action.COLLECTION, "unit", unit.pk, "create_unit", ["force", "name"])
    return unit


@transaction.atomic
def create_provider(by: str, name: str) -> ProviderOrganisation:
    acting = administrator(by)
    if ProviderOrganisation.objects.filter(name=name).exists():
        raise _invalid("--name", "a provider organisation with this name exists")
    organisation = ProviderOrganisation(name=name)
    _clean(organisation)
    organisation.save()
    _audit(acting, Action.COLLECTION, "provider_organisation", organisation.pk, "create_provider", ["name"])
    return organisation


def _clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Django's model validation, reported as field errors (`--field`)."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(
            [
                {"path": f"--{name.replace('_', '-')}", "message": " ".join(messages)}
                for name, messages in exc.message_dict.items()
            ]
        ) from exc


def _roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in Role.values]
    if not roles or unknown:
        raise _invalid("--roles", f"one or more of {', '.join(Role.values)}")
    return sorted(set(roles))


@transaction.atomic
def create_user(
    by: str | None,
    *,
    username: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    rank: str,
    force_code: str | None,
    unit_name: str | None,
    provider_name: str | None,
) -> tuple[User, str]:
    """A new account and its temporary password; `by=None` only from `bootstrap`."""
    force = _force(force_code) if force_code else None
    acting: Any = BOOTSTRAP if by is None else administrator(by, force)
    if rank not in Rank.values:
        raise _invalid("--rank", f"one of {', '.join(Rank.values)}")
    if User.objects.filter(username=username).exists():
        raise _invalid("--username", "an account with this user name exists")
    unit = None
    if unit_name is not None:
        if force is None:
            raise _invalid("--unit", "a unit needs --force")
        unit = force.units.filter(name=unit_name).first()
        if unit is None:
            raise _invalid("--unit", f"{force.code} has no unit of this name")
    provider = None
    if provider_name is not None:
        provider = ProviderOrganisation.objects.filter(name=provider_name).first()
        if provider is None:
            raise _invalid("--provider", "no provider organisation has this name")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        roles=_roles(roles),
        rank=rank,
        force=force,
        unit=unit,
        provider_organisation=provider,
    )
    password = temporary_password()
    user.set_password(password)
    _clean(user, exclude=["password"])
    user.save()
    fields = [
        "username",
        "first_name",
        "last_name",
        "roles",
        "rank",
        "force",
        "unit",
        "provider_organisation",
    ]
    _audit(acting, Action.COLLECTION, "account", account_id(user), "create_user", fields)
    return user, password


#: Who the log names for the first administrator's account and force (no administrator exists yet).
BOOTSTRAP = SystemActor("accounts bootstrap")


@transaction.atomic
def bootstrap(
    *, username: str, first_name: str, last_name: str, force_code: str, force_name: str | None
) -> tuple[User, str]:
    """The first administrator (and their force, if `force_name` is given and it is new).

    Refused once any active administrator exists: from then on every account is made by one.
    """
    if any(u.has_role(Role.ADMINISTRATOR) for u in User.objects.filter(is_active=True, is_demo=False)):
        raise _invalid("--username", "an administrator exists: they create accounts (create-user --by)")
    if not Force.objects.filter(code=force_code).exists():
        if not force_name:
            raise _invalid("--force-name", "the force does not exist yet: give its name to create it")
        force = Force(code=force_code, name=force_name)
        _clean(force)
        force.save()
        _audit(BOOTSTRAP, Action.COLLECTION, "force", force.code, "create_force", ["code", "name"])
    return create_user(
        None,
        username=username,
        first_name=first_name,
        last_name=last_name,
        roles=[Role.ADMINISTRATOR.value],
        rank=Rank.STAFF.value,
        force_code=force_code,
        unit_name=None,
        provider_name=None,
    )


def _user_in_scope(by: str, username: str) -> tuple[User, User]:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise _invalid("username", "no account has this user name")
    if user.force is not None:
        return administrator(by, user.force), user
    return administrator(by), user  # providers belong to no force: any administrator


@transaction.atomic
def deactivate_user(by: str, username: str) -> User:
    """The account can no longer sign in; any session it holds ends at its next request."""
    acting, user = _user_in_scope(by, username)
    if user.pk == acting.pk:
        raise _invalid("username", "an administrator cannot deactivate their own account")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _audit(acting, Action.ALTERATION, "account", account_id(user), "deactivate_user", ["is_active"])
    return user


@transaction.atomic
def reset_password(by: str, username: str, *, reset_mfa: bool) -> tuple[User, str]:
    """A new temporary password (and, with `reset_mfa`, no second factor until re-enrolled)."""
    acting, user = _user_in_scope(by, username)
    password = temporary_password()
    try:
        validate_password(password, user)
    except ValidationError as exc:  # cannot happen for a random password; kept as a guard
        raise _invalid("password", " ".join(exc.messages)) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    fields = ["password"]
    if reset_mfa:
        TOTPAuthenticator.objects.filter(user=user).delete()
        fields.append("totp_devices")
    _audit(acting, Action.ALTERATION, "account", account_id(user), "reset_password", fields)
    return user, password
