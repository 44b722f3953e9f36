"""The dashboard's monthly counts, kept in the transaction of each write (issue 13, item 4):
maintained counts equal a recount from the records after any sequence of service calls, a date
that moves takes its count to the new month, an erased case takes its counts back, a rebuild
recounts what bulk writes bypassed, and the dashboard reads the counts in a fixed number of
queries however many cases there are."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from riskroute.accounts.models import Rank, Role
from riskroute.cases import monthly_counts, queries, services
from riskroute.cases.errors import CaseServiceError
from riskroute.cases.models import MONTHLY_MEASURES, Breach, Case, MonthlyCount
from riskroute.cases.services import correct_record
from riskroute.cli import app
from tests.factories import (
    TODAY,
    World,
    caution_data,
    days_ago,
    fresh,
    make_user,
    referral,
    review,
    to_closed,
    to_diversion_approved,
)


def month(day: str | dt.date) -> dt.date:
    return (dt.date.fromisoformat(day) if isinstance(day, str) else day).replace(day=1)


def kept(force_id: int, measure: str, first_day: dt.date) -> int:
    row = MonthlyCount.objects.filter(force_id=force_id, measure=measure, month=first_day).first()
    return row.count if row else 0


def test_the_counted_measures_are_the_dashboards_series() -> None:
    assert MONTHLY_MEASURES == queries.DASHBOARD_SERIES
    assert tuple(m.name for m in monthly_counts.MEASURES.values()) == MONTHLY_MEASURES


def test_each_write_counts_in_its_own_transaction(world: World) -> None:
    case = services.create_referral(world["inv"], referral(received_on=days_ago(70)))
    assert kept(world.alpha.pk, "referrals", month(days_ago(70))) == 1
    with pytest.raises(RuntimeError), transaction.atomic():  # the write rolls back: so does its count
        services.record_enforcement(
            world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(40)}
        )
        assert kept(world.alpha.pk, "arrests", month(days_ago(40))) == 1
        raise RuntimeError
    assert kept(world.alpha.pk, "arrests", month(days_ago(40))) == 0
    services.record_enforcement(world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(40)})
    assert kept(world.alpha.pk, "arrests", month(days_ago(40))) == 1
    assert monthly_counts.stored() == monthly_counts.recount()


def test_a_date_that_moves_takes_its_count_to_the_new_month(world: World) -> None:
    case = services.create_referral(world["inv"], referral(received_on=days_ago(120)))
    before, after = days_ago(100), days_ago(60)  # more than a month apart: two different months
    services.record_enforcement(world["inv"], case.pk, {"version": case.version, "arrested_on": before})
    case = fresh(case)
    services.record_enforcement(world["inv"], case.pk, {"version": case.version, "arrested_on": after})
    assert kept(world.alpha.pk, "arrests", month(before)) == 0
    assert kept(world.alpha.pk, "arrests", month(after)) == 1
    case = fresh(case)
    services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, "children_safeguarded": 3, "safeguarded_on": before}
    )
    case = fresh(case)
    services.record_safeguarding(
        world["safe"], case.pk, {"version": case.version, "children_safeguarded": 1, "safeguarded_on": after}
    )
    assert kept(world.alpha.pk, "children_safeguarded", month(before)) == 0
    assert kept(world.alpha.pk, "children_safeguarded", month(after)) == 1
    assert monthly_counts.stored() == monthly_counts.recount()


def test_a_corrected_breach_date_moves_its_count(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, signed(case, world, 19))
    case = fresh(case)
    services.record_breach(
        world["om"],
        case.pk,
        {
            "version": case.version,
            "occurred_on": days_ago(1),
            "description": "Missed a session (synthetic)",
            "reasonable_excuse": False,
        },
    )
    breach = Breach.objects.get(case=case)
    correct_record(
        world["om"],
        case.pk,
        {
            "version": fresh(case).version,
            "reason": "The provider's register gives another date (synthetic).",
            "record": "breach",
            "record_id": breach.pk,
            "changes": {"occurred_on": days_ago(18)},
        },
    )
    old, new = month(days_ago(1)), month(days_ago(18))
    assert kept(world.alpha.pk, "breaches", new) == 1
    assert kept(world.alpha.pk, "breaches", old) == (1 if old == new else 0)
    assert monthly_counts.stored() == monthly_counts.recount()


def signed(case: Case, world: World, ago: int) -> dict[str, Any]:
    """A caution signed `ago` days ago, its programme due within the 16 weeks from then."""
    deadline = TODAY - dt.timedelta(days=ago) + dt.timedelta(weeks=15)
    return caution_data(case, world, signed_on=days_ago(ago), programme_deadline=deadline.isoformat())


def _second_admin(world: World) -> Any:
    return make_user("admin2", world.alpha, [Role.ADMINISTRATOR], Rank.STAFF)


def _erase_whole_case(world: World, case: Case, second: Any) -> None:
    case = review(world, to_closed(world, case))
    for admin in (world["admin"], second):
        services.erase_case(
            admin,
            case.pk,
            {"version": fresh(case).version, "scope": "case", "reason": "Synthetic review decided erasure"},
        )


def test_a_case_erased_whole_takes_back_its_counts(world: World) -> None:
    second = _second_admin(world)
    case = services.create_referral(world["inv"], referral(received_on=days_ago(80)))
    kept_case = services.create_referral(world["inv"], referral(received_on=days_ago(80)))
    _erase_whole_case(world, case, second)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert kept(world.alpha.pk, "referrals", month(days_ago(80))) == 1  # the other case's
    assert kept(world.alpha.pk, "arrests", month(days_ago(50))) == 0  # to_closed arrested it
    assert Case.objects.filter(pk=kept_case.pk).exists()
    assert monthly_counts.stored() == monthly_counts.recount()


# --- the property ---------------------------------------------------------------------------

steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                *("create", "create_other_force", "arrest", "safeguard", "caution"),
                *("breach", "correct", "charge", "erase", "delete"),
            ]
        ),
        st.integers(0, 30),  # which case
        st.integers(0, 370),  # how many days ago (trimmed to what the step can take)
        st.integers(0, 3),  # children safeguarded; odd: the breach had a reasonable excuse
    ),
    min_size=1,
    max_size=12,
)


def _step(world: World, made: list[int], second: Any, kind: str, which: int, ago: int, extra: int) -> None:
    """One service call (or the helpers' chain of them); refusals are part of the sequence."""
    if kind in {"create", "create_other_force"}:
        user = world["inv"] if kind == "create" else world["b_inv"]
        made.append(services.create_referral(user, referral(received_on=days_ago(50 + ago))).pk)
        return
    if not made:
        return
    case = Case.objects.filter(pk=made[which % len(made)]).first()
    if case is None:  # erased or deleted earlier in the sequence
        return
    inv = case.assigned_to or world["inv"]
    version = {"version": case.version}
    if kind == "arrest":
        services.record_enforcement(inv, case.pk, {**version, "arrested_on": days_ago(ago % 60)})
    elif kind == "safeguard":
        when = {"children_safeguarded": extra, "safeguarded_on": days_ago(ago % 60)}
        services.record_safeguarding(inv, case.pk, {**version, **when})
    elif kind == "caution":
        case = to_diversion_approved(world, case)
        services.record_caution(world["om"], case.pk, signed(case, world, ago % 20))
    elif kind == "breach":
        excuse = {
            "reasonable_excuse": bool(extra % 2),
            "excuse_details": "Synthetic excuse" if extra % 2 else "",
        }
        services.record_breach(
            world["om"],
            case.pk,
            {**version, "occurred_on": days_ago(ago % 20), "description": "Synthetic breach", **excuse},
        )
    elif kind == "correct":
        breach = Breach.objects.filter(case=case).last()
        if breach is not None:
            correct_record(
                world["om"],
                case.pk,
                {
                    **version,
                    "reason": "Synthetic correction of the date",
                    "record": "breach",
                    "record_id": breach.pk,
                    "changes": {"occurred_on": days_ago(ago % 20)},
                },
            )
    elif kind == "charge":
        services.update_prosecution(inv, case.pk, {**version, "charged_on": days_ago(ago % 20)})
    elif kind == "erase":
        _erase_whole_case(world, case, second)
    else:  # a case deleted with its records as erasure does it, without the steps before it
        case.proposals.all().delete()
        case.delete()


@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(received=st.lists(st.integers(0, 370), min_size=1, max_size=3), sequence=steps)
def test_maintained_counts_equal_a_recount_after_any_sequence_of_writes(
    world: World, received: list[int], sequence: list[tuple[str, int, int, int]]
) -> None:
    with transaction.atomic():
        second = _second_admin(world)
        made = [
            services.create_referral(world["inv"], referral(received_on=days_ago(50 + ago))).pk
            for ago in received
        ]
        for kind, which, ago, extra in sequence:
            with contextlib.suppress(CaseServiceError):  # refused: rolled back, counts and all
                _step(world, made, second, kind, which, ago, extra)
        assert monthly_counts.stored() == monthly_counts.recount()
        transaction.set_rollback(True)


# --- rebuild ----------------------------------------------------------------------------------


def test_rebuild_recounts_what_writes_around_the_models_left_out(world: World) -> None:
    case = services.create_referral(world["inv"], referral(received_on=days_ago(70)))
    Case.objects.filter(pk=case.pk).update(received_on=days_ago(200))  # no save, so no signal
    assert monthly_counts.stored() != monthly_counts.recount()
    assert monthly_counts.rebuild() == {"counts": 1, "corrected": 2}
    assert monthly_counts.stored() == monthly_counts.recount()
    assert kept(world.alpha.pk, "referrals", month(days_ago(200))) == 1


def test_the_rebuild_command_prints_what_it_did(world: World) -> None:
    services.create_referral(world["inv"], referral())
    MonthlyCount.objects.update(count=5)
    result = CliRunner().invoke(app, ["counts", "rebuild"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"counts": 1, "corrected": 1}
    assert monthly_counts.stored() == monthly_counts.recount()


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_records_already_held() -> None:
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import build_world

    world = build_world()
    for ago in (60, 95, 300):
        case = services.create_referral(world["inv"], referral(received_on=days_ago(ago)))
    services.record_enforcement(world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(40)})
    services.create_referral(world["b_inv"], referral(received_on=days_ago(60)))
    held = monthly_counts.recount()
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0009_referral_intake")])  # as before this change: no counts kept
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert monthly_counts.stored() == held and sum(held.values()) == 5


# --- the dashboard reads them -----------------------------------------------------------------


def test_the_dashboard_reads_the_kept_counts(world: World) -> None:
    services.create_referral(world["inv"], referral(received_on=TODAY.isoformat()))
    MonthlyCount.objects.filter(measure="referrals").update(count=41)  # what is kept is what is shown
    assert queries.dashboard(world["analyst"], months=2)["series"]["referrals"] == [0, 41]


def _dashboard_reads(world: World) -> list[str]:
    with CaptureQueriesContext(connection) as read:
        queries.dashboard(world["analyst"], months=12)
    return [q["sql"] for q in read.captured_queries]


def test_the_dashboard_reads_the_same_queries_however_many_cases_and_months(world: World) -> None:
    services.create_referral(world["inv"], referral())
    few = _dashboard_reads(world)
    for ago in range(0, 330, 30):  # a case in each of eleven months, each arrested
        case = services.create_referral(world["inv"], referral(received_on=days_ago(ago + 20)))
        services.record_enforcement(
            world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(ago)}
        )
    many = _dashboard_reads(world)
    assert len(many) == len(few) == 2  # the kept counts, and the cases by state
    assert sum(queries.dashboard(world["analyst"])["series"]["arrests"]) == 11


def test_the_demo_is_counted_as_it_is_built(db: Any) -> None:
    from riskroute.cases.demo import load_demo

    load_demo()  # through the services, dates in the past and all
    assert monthly_counts.stored() == monthly_counts.recount() != {}
