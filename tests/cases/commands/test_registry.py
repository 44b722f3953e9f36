"""The command registry is the one definition of the lifecycle: what it offers is what it runs.

Over the demo data (a case in every state, every role of two forces), for every command and user:
the next-steps list offers the command exactly when the runner's own checks (scope, permission,
state, who may decide) let it through to its handler. The API routes and the step pages are the
registry's, one for one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from riskroute.accounts.models import User
from riskroute.cases import commands, services
from riskroute.cases.api import api
from riskroute.cases.demo import load_demo
from riskroute.cases.errors import IllegalTransition, NotFound, PermissionDenied
from riskroute.cases.models import Case, DisposalProposal
from riskroute.cases.workflow import GUARD_REASONS
from tests.factories import World, referral, to_diversion_approved


class _Reached(Exception):
    """Raised in place of the handler: the runner's checks let the command through."""


def _reached(user: User, case: Case, payload: Any) -> commands.Done:
    raise _Reached


def _refused_before_handler(name: str, user: User, case: Case) -> bool:
    """Run the command with an unvalidated, empty input (the runner takes a model instance as
    given) and its handler replaced by one that stops the run: True if the runner's checks
    refused it before its handler (a guard fired first refuses as a guard, not as the state)."""
    command = commands.REGISTRY[name]
    commands.REGISTRY[name] = replace(command, handler=_reached)
    try:
        with transaction.atomic():
            commands.run(name, user, case.pk, command.schema.model_construct(version=case.version))
    except _Reached:
        return False
    except (PermissionDenied, NotFound):
        return True
    except IllegalTransition as refused:
        return refused.reason != GUARD_REASONS.get(name)
    finally:
        commands.REGISTRY[name] = command
    raise AssertionError(f"{name} ran without its handler")


@pytest.mark.django_db
def test_the_next_steps_are_exactly_what_the_runner_lets_through() -> None:
    load_demo()
    # A sergeant's own proposal, so that "nobody decides their own" is exercised too.
    own = DisposalProposal.objects.filter(status="pending").select_related("case").first()
    assert own is not None
    sergeant = next(u for u in User.objects.filter(force=own.case.force) if u.is_supervisor)
    DisposalProposal.objects.filter(pk=own.pk).update(proposed_by=sergeant)
    # One user of each kind (roles, rank, force, provider), one case in each state.
    kinds: dict[tuple[Any, ...], User] = {}
    for user in User.objects.filter(is_active=True).order_by("id"):
        kind = (tuple(sorted(user.roles)), user.is_supervisor, user.force_id, user.provider_organisation_id)
        kinds.setdefault(kind, user)
    # Every supervisor and every case awaiting a decision too: a sergeant's own proposal is there.
    users = list({*kinds.values(), *(u for u in User.objects.filter(is_active=True) if u.is_supervisor)})
    by_state: dict[str, Case] = {}
    for case in Case.objects.order_by("id"):
        by_state.setdefault(case.state, case)
    cases = [*by_state.values(), *Case.objects.filter(state="decision_pending")]
    assert len(by_state) == 11 and len(users) >= 8
    offered = refused = 0
    for case in cases:
        for user in users:
            fresh = Case.objects.get(pk=case.pk)
            listed = set(commands.next_actions(user, fresh))
            for name, command in commands.REGISTRY.items():
                if not isinstance(command.permission, str):
                    continue  # corrections: their links come from `corrections.correctable`
                blocked = _refused_before_handler(name, user, Case.objects.get(pk=case.pk))
                assert (name in listed) == (not blocked), (name, user.username, case.state)
                offered += name in listed
                refused += blocked
    assert offered > 50 and refused > 500  # both sides were really exercised


def test_every_api_route_is_a_command_and_every_command_route_is_served() -> None:
    schema: dict[str, Any] = api.get_openapi_schema()
    paths = schema["paths"]
    for command in commands.REGISTRY.values():
        if command.route is None:
            continue
        path = f"/api/cases/{{case_id}}{command.route.path}"
        assert command.route.method.lower() in paths[path], command.name
        operation = paths[path][command.route.method.lower()]
        assert operation["summary"] == command.route.summary
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/" + command.schema.__name__), command.name


def test_every_page_and_link_resolves_to_a_step_page() -> None:
    for command in commands.REGISTRY.values():
        if command.page is not None:
            assert reverse(f"cases-ui:{command.page.name}", args=[1]).startswith("/cases/1/")
        if command.link is not None:
            reverse(command.link, args=[1])
        assert command.stage is None or command.link is not None or command.page is None


def test_a_provider_referral_is_made_for_a_caution_and_withdrawn_at_any_stage(world: World) -> None:
    """One command, two uses: the `withdrawing` guard lets a withdrawal through at any stage, and
    only an approved or active caution is referred."""
    case = services.create_referral(world["inv"], referral())
    org = world.provider_org.pk
    with pytest.raises(IllegalTransition, match="only an approved or active caution is referred"):
        services.refer_to_provider(
            world["om"], case.pk, {"version": case.version, "provider_organisation_id": org}
        )
    services.refer_to_provider(
        world["om"], case.pk, {"version": case.version, "provider_organisation_id": None}
    )
    approved = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.refer_to_provider(
        world["om"], approved.pk, {"version": approved.version, "provider_organisation_id": org}
    )
    assert Case.objects.get(pk=approved.pk).provider_organisation_id == org
    assert Case.objects.get(pk=case.pk).events.filter(action="refer_to_provider").count() == 1
