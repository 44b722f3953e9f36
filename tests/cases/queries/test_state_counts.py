"""The dashboard's cases by state, kept by database triggers (`StateCount`, migration 0013):
the kept counts equal a recount after any sequence of service calls and after writes that go
around the models, the migration counts the cases already held, and the dashboard shows what is
kept. Each test here also fails if a later migration drops the triggers."""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from riskroute.cases import queries, services
from riskroute.cases.errors import CaseServiceError
from riskroute.cases.models import Case, StateCount
from riskroute.cases.workflow import CaseWorkflow
from tests.cases.queries.test_monthly_counts import _second_admin, _step, steps
from tests.factories import World, days_ago, make_cases, referral

STATES = [state.value for state in CaseWorkflow.states]


def kept() -> Counter[tuple[int, str]]:
    rows = StateCount.objects.exclude(count=0).values_list("force_id", "state", "count")
    return Counter({(force_id, state): count for force_id, state, count in rows})


def recount() -> Counter[tuple[int, str]]:
    rows = Case.objects.order_by().values_list("force_id", "state").annotate(n=Count("pk"))
    return Counter({(force_id, state): n for force_id, state, n in rows})


def test_each_write_moves_the_count_of_its_state(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    assert kept()[(world.alpha.pk, "referral")] == 1
    services.record_enforcement(world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(1)})
    assert kept() == recount() and kept()[(world.alpha.pk, "referral")] == 0
    with contextlib.suppress(RuntimeError), transaction.atomic():  # rolled back: so is the count
        Case.objects.filter(pk=case.pk).update(state="closed")
        raise RuntimeError
    assert kept() == recount()


def test_writes_around_the_models_are_counted_too(world: World) -> None:
    made = make_cases(world, [("high", -1, False)] * 3)  # Case.objects.create, no service
    Case.objects.filter(pk=made[0].pk).update(state="closed")  # no save(), no signal
    Case.objects.bulk_create(
        [
            Case(
                reference=f"BULK-{uuid.uuid4().hex[:8]}",
                force=world.bravo,
                unit=world.bravo.units.get(),
                created_by=world["b_inv"],
                referral_source="nca_ceop",
                received_on=days_ago(5),
                summary="Synthetic bulk case.",
                offence="cja1988_s160",
            )
            for _ in range(2)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_subject WHERE case_id = %s", [made[1].pk])
        cursor.execute("DELETE FROM cases_case WHERE id = %s", [made[1].pk])
    assert kept() == recount()
    assert kept()[(world.alpha.pk, "closed")] == 1 and kept()[(world.bravo.pk, "referral")] == 2


@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sequence=steps,
    moves=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(STATES)), max_size=4),
)
def test_kept_counts_equal_a_recount_after_any_sequence_of_writes(
    world: World, sequence: list[tuple[str, int, int, int]], moves: list[tuple[int, str]]
) -> None:
    with transaction.atomic():
        second = _second_admin(world)
        made = [services.create_referral(world["inv"], referral()).pk]
        for kind, which, ago, extra in sequence:
            with contextlib.suppress(CaseServiceError):
                _step(world, made, second, kind, which, ago, extra)
        for which, state in moves:  # states set by hand, around the workflow
            Case.objects.filter(pk=made[which % len(made)]).update(state=state)
        assert kept() == recount()
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_cases_already_held() -> None:
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import build_world

    world = build_world()
    services.create_referral(world["inv"], referral())
    make_cases(world, [("low", 5, False)] * 2)
    held = recount()
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0012_case_assignee_order")])  # before the counts were kept
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert kept() == held and sum(held.values()) == 3


def test_the_dashboard_shows_the_kept_counts(world: World) -> None:
    services.create_referral(world["inv"], referral())
    assert queries.dashboard(world["analyst"])["cases_by_state"]["referral"] == 1
    StateCount.objects.filter(force=world.alpha, state="referral").update(count=41)
    assert queries.dashboard(world["analyst"])["cases_by_state"]["referral"] == 41
