"""The case page reads a related set only when the record its writers need is there
(`presenters.case_page_context`): proposals with an assessment, programme sessions and breaches
with a caution, notification records with a caution or a prosecution. What the page holds must
equal what unconditional reads find, after any sequence of service calls, or a record would be
hidden from the people deciding on the case."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from riskroute.cases import queries, services
from riskroute.cases.errors import CaseServiceError
from riskroute.cases.models import Attendance, Breach, Case, DisposalProposal, NotificationRecord
from riskroute.cases.ui.presenters import case_page_context
from tests.cases.queries.test_monthly_counts import _second_admin, _step
from tests.factories import (
    World,
    breach_to_prosecution,
    days_ago,
    fresh,
    referral,
    to_assessed,
    to_caution_active,
    to_charge_proposed,
)

WHY = "Synthetic: checking what the case page reads"


def _page(world: World, case_id: int) -> dict[str, Any]:
    case = queries.get_case(world["sup"], case_id, justification=WHY)
    return case_page_context(world["sup"], case, 1)


def assert_page_holds_every_record(world: World, case_id: int) -> None:
    page = _page(world, case_id)
    proposals = DisposalProposal.objects.filter(case_id=case_id).order_by("-id")
    assert [p.pk for p in page["proposals"]] == list(proposals.values_list("pk", flat=True))
    assert {b.pk for b in page["breaches"]} == set(
        Breach.objects.filter(case_id=case_id).values_list("pk", flat=True)
    )
    assert {a.pk for a in page["attendance"]} == set(
        Attendance.objects.filter(case_id=case_id).values_list("pk", flat=True)
    )
    current = NotificationRecord.objects.filter(case_id=case_id, current=True).order_by("created_at", "id")
    assert getattr(page["notification"], "pk", None) == current.values_list("pk", flat=True).first()


def _attend(world: World, case: Case, ago: int) -> None:
    services.record_attendance(
        world["provider"],
        case.pk,
        {
            "version": case.version,
            "session_number": 1 + ago % 3,
            "session_on": days_ago(ago % 8),
            "attended": True,
        },
    )


def _convict(world: World, case: Case) -> None:
    services.update_prosecution(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "charged_on": days_ago(2),
            "cps_decision": "charge",
            "court": "Synthtown Crown Court",
        },
    )
    services.record_outcome(
        world["inv"],
        case.pk,
        {
            "version": fresh(case).version,
            "outcome": "convicted",
            "outcome_on": days_ago(1),
            "sentence_type": "community_order",
            "sentenced_on": days_ago(1),
        },
    )


KINDS = ["create", "arrest", "safeguard", "caution", "breach", "correct", "charge", "erase", "delete"]
sequences = st.lists(
    st.tuples(
        st.sampled_from([*KINDS, "attend", "convict"]),
        st.integers(0, 30),  # which case
        st.integers(0, 370),  # how many days ago (trimmed to what the step can take)
        st.integers(0, 3),  # children safeguarded; odd: the breach had a reasonable excuse
    ),
    min_size=1,
    max_size=10,
)


@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=sequences)
def test_the_page_holds_every_record_after_any_sequence_of_writes(
    world: World, sequence: list[tuple[str, int, int, int]]
) -> None:
    with transaction.atomic():
        second = _second_admin(world)
        made = [services.create_referral(world["inv"], referral()).pk]
        for kind, which, ago, extra in sequence:
            case = Case.objects.filter(pk=made[which % len(made)]).first()
            with contextlib.suppress(CaseServiceError):
                if kind == "attend" and case is not None:
                    _attend(world, case, ago)
                elif kind == "convict" and case is not None:
                    _convict(world, case)
                else:
                    _step(world, made, second, kind, which, ago, extra)
        for case_id in Case.objects.filter(pk__in=made).values_list("pk", flat=True):
            assert_page_holds_every_record(world, case_id)
        transaction.set_rollback(True)


def test_a_case_not_yet_assessed_or_cautioned_reads_none_of_those_sets(world: World, new_case: Case) -> None:
    case = queries.get_case(world["sup"], new_case.pk, justification=WHY)
    with CaptureQueriesContext(connection) as read:
        page = case_page_context(world["sup"], case, 1)
    tables = " ".join(q["sql"] for q in read.captured_queries)
    for table in ("cases_disposalproposal", "cases_breach", "cases_attendance", "cases_notificationrecord"):
        assert table not in tables
    assert page["proposals"] == page["breaches"] == page["attendance"] == [] and page["notification"] is None


def test_a_breached_caution_shows_its_sessions_breach_and_notification(world: World) -> None:
    case = to_caution_active(world)
    _attend(world, case, 2)
    case = breach_to_prosecution(world, case)
    page = _page(world, case.pk)
    assert len(page["attendance"]) == 1 and len(page["breaches"]) == 1 and len(page["proposals"]) == 1
    assert page["notification"] is not None and page["notification"].basis == "conditional_caution"
    assert_page_holds_every_record(world, case.pk)
    _convict(world, case)
    assert _page(world, case.pk)["notification"].basis == "sentence"


def test_a_conviction_without_a_caution_shows_its_notification(world: World, new_case: Case) -> None:
    case = to_charge_proposed(world, new_case)
    services.approve_disposal(world["sup"], case.pk, {"version": case.version, "reason": "Agreed."})
    _convict(world, fresh(case))
    page = _page(world, case.pk)
    assert getattr(fresh(case), "caution", None) is None
    assert page["notification"] is not None and page["notification"].basis == "sentence"
    assert_page_holds_every_record(world, case.pk)


# --- the database holds the rule for every write (migration cases.0015) ----------------------


def _orphans(world: World, case: Case, other: Case) -> dict[str, Any]:
    """A write of each guarded record that breaks its rule, by hand, around the services."""
    other_assessment = other.assessments.get()
    on = dt.date(2026, 1, 5)
    return {
        "proposal on another case's assessment": lambda: DisposalProposal.objects.create(
            case=case,
            kind="charge",
            assessment=other_assessment,
            recommendation="prosecute",
            proposed_by=world["inv"],
            reason="Synthetic",
        ),
        "session without a caution": lambda: Attendance.objects.create(
            case=case, session_number=1, session_on=on, attended=True, recorded_by=world["om"]
        ),
        "breach without a caution": lambda: Breach.objects.create(
            case=case,
            occurred_on=on,
            description="Synthetic",
            reasonable_excuse=False,
            recorded_by=world["om"],
        ),
        "notification without a caution or prosecution": lambda: NotificationRecord.objects.create(
            case=case, basis="sentence", relevant_date=on, notifiable=True
        ),
    }


#: Each write that breaks a rule, and the words of the database's refusal (migration cases.0015).
REFUSALS = {
    "proposal on another case's assessment": "rests on an assessment of its own case",
    "session without a caution": "programme session is recorded against a caution",
    "breach without a caution": "breach is recorded against a caution",
    "notification without a caution or prosecution": "follows a caution or a prosecution",
}


@pytest.mark.parametrize("write", REFUSALS)
def test_the_database_refuses_a_record_without_the_one_it_rests_on(
    world: World, new_case: Case, write: str
) -> None:
    case = to_assessed(world, new_case)
    other = to_assessed(world, services.create_referral(world["inv"], referral()))
    with pytest.raises(IntegrityError, match=REFUSALS[write]), transaction.atomic():
        _orphans(world, case, other)[write]()
    assert_page_holds_every_record(world, case.pk)


def test_moving_a_breach_to_a_case_without_a_caution_is_refused(world: World, new_case: Case) -> None:
    breached = breach_to_prosecution(world)
    with pytest.raises(IntegrityError, match=REFUSALS["breach without a caution"]), transaction.atomic():
        Breach.objects.filter(case=breached).update(case=new_case)


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_a_held_row_that_breaks_its_rule() -> None:
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import build_world

    world = build_world()
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    breach = {
        "occurred_on": dt.date(2026, 1, 5),
        "description": "Synthetic",
        "reasonable_excuse": False,
        "recorded_by": world["om"],
    }
    MigrationExecutor(connection).migrate([("cases", "0014_case_event_order")])  # before the guards
    Breach.objects.create(case=case, **breach)
    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError, match="1 rows of cases_breach break the rule"):
        executor.migrate(executor.loader.graph.leaf_nodes())
    Breach.objects.filter(case=case).delete()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with pytest.raises(IntegrityError, match=REFUSALS["breach without a caution"]):
        Breach.objects.create(case=case, **breach)
