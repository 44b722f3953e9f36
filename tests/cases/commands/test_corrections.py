"""Corrections of recorded attendance, breaches, court outcomes and notifications (issue 11).

A correction is a new event with a reason, in the history and the s.62 audit log; the original
entry's event is left as written; fields that decide the route cannot be "corrected".
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.html import escape

from riskroute.audit.models import AuditEntry
from riskroute.cases import services
from riskroute.cases.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from riskroute.cases.models import Attendance, Breach, Case, CaseEvent
from riskroute.cases.services import correct_record
from tests.clients import Api, assert_error, browser
from tests.factories import (
    TODAY,
    World,
    caution_data,
    days_ago,
    fresh,
    referral,
    to_assessed,
    to_diversion_approved,
)

REASON = "Provider's register shows the person attended (synthetic)."


@pytest.fixture
def caution(world: World) -> Case:
    """A caution in force with session 1 recorded as missed."""
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    services.record_attendance(
        world["om"],
        case.pk,
        {"version": fresh(case).version, "session_number": 1, "session_on": days_ago(2), "attended": False},
    )
    return fresh(case)


def correct(world: World, name: str, case: Case, **body: Any) -> Case:
    return correct_record(world[name], case.pk, {"version": fresh(case).version, "reason": REASON, **body})


def session(case: Case) -> Attendance:
    return Attendance.objects.get(case=case, session_number=1)


def test_a_correction_is_a_new_event_with_the_reason_and_the_values_before_and_after(
    world: World, caution: Case
) -> None:
    original = list(CaseEvent.objects.filter(case=caution).values_list("id", "summary"))
    audit_before = AuditEntry.objects.count()
    correct(
        world, "om", caution, record="attendance", record_id=session(caution).pk, changes={"attended": True}
    )
    assert session(caution).attended is True and fresh(caution).version == caution.version + 1
    events = list(CaseEvent.objects.filter(case=caution).order_by("id"))
    assert [(e.id, e.summary) for e in events[:-1]] == original  # the history is not rewritten
    event = events[-1]
    assert event.action == "correct_record" and REASON in event.summary and "No → Yes" in event.summary
    assert event.data["changes"] == {"attended": {"from": False, "to": True}}
    assert event.data["reason"] == REASON
    altered = [e for e in AuditEntry.objects.order_by("sequence")[audit_before:] if e.action == "alteration"]
    assert [e.details for e in altered] == [{"step": "correct_record", "fields": ["attendance.attended"]}]


def test_a_correction_needs_a_reason_and_a_real_change(world: World, caution: Case) -> None:
    record = session(caution).pk
    with pytest.raises(ValidationFailed) as short:
        correct_record(
            world["om"],
            caution.pk,
            {
                "version": caution.version,
                "reason": "typo",
                "record": "attendance",
                "record_id": record,
                "changes": {"attended": True},
            },
        )
    assert short.value.details[0]["path"] == "reason"
    with pytest.raises(ValidationFailed) as same:
        correct(world, "om", caution, record="attendance", record_id=record, changes={"attended": False})
    assert same.value.details[0]["path"] == "changes"
    with pytest.raises(ValidationFailed) as empty:
        correct(world, "om", caution, record="attendance", record_id=record, changes={"session_on": None})
    assert empty.value.details[0]["path"] == "changes.session_on"


def test_a_corrected_date_keeps_the_case_timeline(world: World, caution: Case) -> None:
    with pytest.raises(ValidationFailed) as early:
        correct(
            world,
            "om",
            caution,
            record="attendance",
            record_id=session(caution).pk,
            changes={"session_on": days_ago(400)},
        )
    assert early.value.details[0]["path"] == "changes.session_on"
    assert "caution was signed" in early.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as future:
        correct(
            world,
            "om",
            caution,
            record="attendance",
            record_id=session(caution).pk,
            changes={"session_on": "2999-01-01"},
        )
    assert future.value.details[0]["path"] == "changes.session_on"


def test_what_decided_the_route_cannot_be_corrected(world: World, caution: Case) -> None:
    services.record_breach(
        world["om"],
        caution.pk,
        {
            "version": fresh(caution).version,
            "occurred_on": days_ago(1),
            "description": "Late to a session (synthetic)",
            "reasonable_excuse": True,
            "excuse_details": "Train cancelled",
        },
    )
    breach = Breach.objects.get(case=caution)
    with pytest.raises(ValidationFailed) as excuse:
        correct(
            world, "om", caution, record="breach", record_id=breach.pk, changes={"reasonable_excuse": False}
        )
    assert excuse.value.details[0]["path"] == "changes.reasonable_excuse"
    correct(
        world,
        "om",
        caution,
        record="breach",
        record_id=breach.pk,
        changes={"excuse_details": "Bus cancelled"},
    )
    assert Breach.objects.get(pk=breach.pk).excuse_details == "Bus cancelled"


def test_scope_permission_state_and_record_are_checked(world: World, caution: Case) -> None:
    record = session(caution).pk
    body = {"record": "attendance", "record_id": record, "changes": {"attended": True}}
    with pytest.raises(PermissionDenied):
        correct(world, "safe", caution, **body)
    with pytest.raises(NotFound):
        correct(world, "b_inv", caution, **body)
    with pytest.raises(NotFound):
        correct(world, "om", caution, **{**body, "record_id": record + 999})
    assessed = to_assessed(world, services.create_referral(world["inv"], referral()))
    with pytest.raises(IllegalTransition):
        correct(world, "om", assessed, **body)


def test_notification_dates_are_corrected_but_never_recorded_by_a_correction(
    world: World, caution: Case
) -> None:
    body = {"record": "notification", "changes": {"initial_notified_on": days_ago(1)}}
    with pytest.raises(ValidationFailed) as unrecorded:
        correct(world, "om", caution, **body)
    assert unrecorded.value.details[0]["path"] == "changes.initial_notified_on"
    services.record_notification(
        world["om"],
        caution.pk,
        {"version": fresh(caution).version, "kind": "initial", "notified_on": days_ago(1)},
    )
    correct(world, "om", caution, record="notification", changes={"initial_notified_on": TODAY.isoformat()})
    assert fresh(caution).notifications.get(current=True).initial_notified_on == TODAY


def test_the_api_takes_a_correction_and_refuses_a_bad_one_by_path(world: World, caution: Case) -> None:
    api = Api(world["om"])
    body = {
        "version": fresh(caution).version,
        "reason": REASON,
        "record": "attendance",
        "record_id": session(caution).pk,
    }
    assert_error(
        api.post(f"/cases/{caution.pk}/corrections", {**body, "changes": {"colour": 1}}), 422, "invalid_input"
    )
    done = api.post(f"/cases/{caution.pk}/corrections", {**body, "changes": {"attended": True}})
    assert done.status_code == 200, done.content
    assert session(caution).attended is True
    last = api.get(f"/cases/{caution.pk}/history").json()[-1]
    assert last["action"] == "correct_record" and REASON in last["summary"]


def test_the_case_page_offers_a_correction_and_the_history_shows_it(world: World, caution: Case) -> None:
    client = browser("om", caution)
    page = client.get(f"/cases/{caution.pk}/").content.decode()
    url = f"/cases/{caution.pk}/corrections/attendance/{session(caution).pk}/"
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    assert "Why is this correction needed?" in form
    response = client.post(
        url, {"version": caution.version, "attended": "yes", "session_on_0": "", "reason": REASON}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert session(caution).attended is True
    page = client.get(f"/cases/{caution.pk}/").content.decode()
    assert "Corrected programme attendance" in page and escape(REASON) in page


def test_only_who_may_correct_opens_the_correction_page(world: World, caution: Case) -> None:
    url = f"/cases/{caution.pk}/corrections/attendance/{session(caution).pk}/"
    assert browser("safe", caution).get(url).status_code == 403  # sees the case, may not correct
    assert browser("om", caution).get(f"/cases/{caution.pk}/corrections/colour/").status_code == 404
    assert browser("om", caution).get(f"/cases/{caution.pk}/corrections/outcome/").status_code == 403
    assert browser("inv", caution).get(f"/cases/{caution.pk}/corrections/outcome/").status_code == 409
