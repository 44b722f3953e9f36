"""Worklists show what falls due next on each case, never a deadline already met (issue 11)."""

from __future__ import annotations

import datetime as dt

from riskroute.cases import queries, services
from riskroute.cases.models import Case
from tests.clients import browser
from tests.factories import TODAY, World, caution_data, days_ago, referral, to_diversion_approved


def row(world: World, case: Case) -> Case:
    return next(c for c in queries.team_worklist(world["sup"], size=200) if c.pk == case.pk)


def test_the_next_due_date_follows_the_case(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    shown = row(world, case)
    assert (shown.next_due_on, shown.next_due_kind) == (case.action_deadline, "enforcement action")

    case = services.record_enforcement(
        world["inv"],
        case.pk,
        {"version": case.version, "arrested_on": days_ago(50), "warrant_on": days_ago(50)},
    )
    shown = row(world, case)
    assert (shown.next_due_on, shown.next_due_kind) == (None, "")  # the action is taken: not shown again

    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    data = caution_data(case, world, sessions=1)
    services.record_caution(world["om"], case.pk, data)
    shown = row(world, case)
    deadline = dt.date.fromisoformat(data["programme_deadline"])
    assert (shown.next_due_on, shown.next_due_kind) == (deadline, "end of the programme window")

    case = Case.objects.get(pk=case.pk)
    services.record_attendance(
        world["om"],
        case.pk,
        {"version": case.version, "session_number": 1, "session_on": days_ago(2), "attended": True},
    )
    case = Case.objects.get(pk=case.pk)
    services.complete_caution(world["om"], case.pk, {"version": case.version, "completed_on": days_ago(1)})
    record = Case.objects.get(pk=case.pk).notifications.get(current=True)
    assert record.notifiable and record.initial_notified_on is None
    shown = row(world, case)
    assert (shown.next_due_on, shown.next_due_kind) == (record.initial_due, "initial notification")

    case = Case.objects.get(pk=case.pk)
    services.record_notification(
        world["om"], case.pk, {"version": case.version, "kind": "initial", "notified_on": TODAY.isoformat()}
    )
    assert row(world, case).next_due_on is None  # notified: that deadline is met


def test_the_team_page_names_what_falls_due(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    page = browser("sup", case).get("/cases/team/").content.decode()
    assert "Next due" in page and "end of the programme window" in page
