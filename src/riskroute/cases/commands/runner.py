"""The one runner of every command on a case, and the plumbing each step shares.

`run` takes every step through the same order, in one transaction: parse the input, lock the case
row, check scope, permission and version (a stale version raises ConflictError, so no update is
ever lost), check the state and who else is excluded (a proposer deciding their own proposal),
run the handler, fire the workflow event, then record the history
event, the s.62 alteration entry and the version bump (`commit`). Any refusal rolls the whole
transaction back, so a refused step changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import transaction
from pydantic import BaseModel, ValidationError

from riskroute.accounts.models import User
from riskroute.cases import safeguarding, trail
from riskroute.cases.commands.registry import REGISTRY, Command
from riskroute.cases.commands.support import safeguarding_record
from riskroute.cases.errors import (
    ConflictError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from riskroute.cases.models import Case, CaseEvent
from riskroute.cases.permissions import allowed
from riskroute.cases.workflow import check_state, fire
from riskroute.core.errors import from_validation_error

M = TypeVar("M", bound=BaseModel)

#: Why a record whose personal data is erased takes no step but its review and erasure.
ERASED = "its personal data has been erased; the record can be reviewed, not changed"


def parse(model: type[M], data: BaseModel | Mapping[str, Any]) -> M:
    """Accept a model instance or a mapping (form data); report problems with field paths."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc).details) from exc


def open_case(user: User, case_id: int, version: int, permission: str, *, erased_ok: bool = False) -> Case:
    """Lock the case row and check scope, permission and version, in that order; a case whose
    personal data is erased takes no further steps but its retention review (`erased_ok`)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    if not allowed(permission, user, case):
        raise PermissionDenied(f"you may not do this on case {case.reference}")
    if case.version != version:
        raise ConflictError(case.version)
    if case.personal_data_erased_on is not None and not erased_ok:
        raise IllegalTransition(permission, case.state, ERASED)
    return case


def _names(payload: BaseModel) -> list[str]:
    """The input fields the caller set (the alteration entry names fields, never values)."""
    return sorted(name for name in payload.model_fields_set if name != "version")


def commit(
    payload: BaseModel,
    case: Case,
    user: User,
    action: str,
    before: str,
    summary: str,
    data: dict[str, Any] | None = None,
    *,
    log_alteration: bool = True,
) -> None:
    """Bump the version (compare-and-set on the version read), append the history event, and log
    the alteration (s.62) in the same transaction: every step on a case finishes here."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(version=case.version + 1)
    if updated != 1:  # cannot happen under the row lock; kept as the last line of defence
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise ConflictError(current or case.version)
    case.version += 1
    case.facts = safeguarding.derived_fact(case.facts, safeguarding_record(case))
    case.save()
    CaseEvent.objects.create(
        case=case,
        actor=user,
        action=action,
        from_state=before,
        to_state=case.state,
        version=case.version,
        summary=summary[:300],
        data=data or {},
    )
    if log_alteration:
        fields = _names(payload) + (["state"] if case.state != before else [])
        trail.altered(user, case, action, fields + [k for k in ("priority",) if (data or {}).get(k)])


def run(name: str, user: User, case_id: int, data: BaseModel | Mapping[str, Any]) -> Any:
    """Take the step `name` on the case for `user`; return what its handler gives."""
    command: Command = REGISTRY[name]
    with transaction.atomic():
        payload = parse(command.schema, data)
        case = open_case(
            user, case_id, payload.version, command.permission_for(payload), erased_ok=command.on_erased
        )
        check_state(case, name, command.refused_because)
        excluded = command.excludes(user, case) if command.excludes else None
        if excluded is not None:
            raise PermissionDenied(excluded)
        before = case.state
        if command.fire_first:
            fire(case, name, payload=payload)
        done = command.handler(user, case, payload)
        if not done.recorded:
            return done.result
        if not command.fire_first:
            fire(case, name, payload=payload)
        commit(
            payload,
            case,
            user,
            done.action or name,
            before,
            done.summary,
            done.data,
            log_alteration=done.log_alteration,
        )
        if done.then is not None:
            done.then()
        return done.result


def bound(name: str) -> Callable[[User, int, BaseModel | Mapping[str, Any]], Any]:
    """The command as a function of (user, case id, input), as the services module offers it."""

    def call(user: User, case_id: int, data: BaseModel | Mapping[str, Any]) -> Any:
        return run(name, user, case_id, data)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = REGISTRY[name].handler.__doc__
    return call
