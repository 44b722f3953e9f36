"""Check your answers before every one-way step (issue 11): approve, a breach that leads to
prosecution, the court outcome and closure. Nothing is written until the user confirms; "Change"
brings the form back with the answers kept; a submission the service would refuse is refused on
the form at once, never after a check page. Erasure has its test with the retention pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from riskroute.cases import services
from riskroute.cases.models import Case, CaseEvent
from tests.clients import browser
from tests.factories import TODAY, World, caution_data, referral, to_assessed, to_diversion_approved
from tests.formdata import date_fields


def proposed(world: World, kind: str = "charge") -> Case:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    data: dict[str, Any] = {"version": case.version, "kind": kind, "reason": "Synthetic"}
    data["departure_reason"] = "Synthetic test"
    services.propose_disposal(world["inv"], case.pk, data)
    return Case.objects.get(pk=case.pk)


def post(client: Client, case: Case, path: str, data: dict[str, Any]) -> tuple[int, str]:
    response = client.post(f"/cases/{case.pk}/{path}", data)
    return response.status_code, response.content.decode()


def events(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


def test_approving_shows_the_answers_first_and_writes_only_when_confirmed(world: World) -> None:
    case = proposed(world)
    client = browser("sup", case)
    answer = {"version": case.version, "reason": "Agreed after review.", "decision": "approve"}
    before = events(case)
    status, page = post(client, case, "disposal/decide/", answer)
    assert status == 200 and 'id="check-answers"' in page and "Agreed after review." in page
    assert "Confirm and approve" in page and "cannot be undone" in page
    assert 'name="decision" value="approve"' in page  # the answers travel with the confirmation
    assert Case.objects.get(pk=case.pk).state == "decision_pending" and events(case) == before

    status, page = post(client, case, "disposal/decide/", {**answer, "change": "yes"})
    assert status == 200 and 'id="check-answers"' not in page and "Agreed after review." in page
    assert Case.objects.get(pk=case.pk).state == "decision_pending"

    status, _ = post(client, case, "disposal/decide/", {**answer, "confirmed": "yes"})
    assert status == 302 and Case.objects.get(pk=case.pk).state == "prosecution"


def test_rejecting_is_not_one_way_and_needs_no_check(world: World) -> None:
    case = proposed(world)
    answer = {"version": case.version, "reason": "Re-assess first.", "decision": "reject"}
    status, _ = post(browser("sup", case), case, "disposal/decide/", answer)
    assert status == 302 and Case.objects.get(pk=case.pk).state == "assessed"


def test_a_confirmation_of_a_stale_version_is_refused(world: World) -> None:
    case = proposed(world)
    client = browser("sup", case)
    answer = {"version": case.version, "reason": "Agreed.", "decision": "approve", "confirmed": "yes"}
    services.reject_disposal(world["sup2"], case.pk, {"version": case.version, "reason": "Another view."})
    status, page = post(client, case, "disposal/decide/", answer)
    assert status in {409, 422} and Case.objects.get(pk=case.pk).state == "assessed"
    assert 'id="check-answers"' not in page


def _active_caution(world: World) -> Case:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    return Case.objects.get(pk=case.pk)


def test_a_breach_with_a_reasonable_excuse_is_saved_at_once(world: World) -> None:
    case = _active_caution(world)
    answer = {
        "version": case.version,
        "description": "Missed a session; in hospital.",
        "reasonable_excuse": "yes",
        "excuse_details": "Hospital admission (synthetic).",
        **date_fields("occurred_on", TODAY - dt.timedelta(days=1)),
    }
    status, _ = post(browser("om", case), case, "breach/", answer)
    assert status == 302 and Case.objects.get(pk=case.pk).state == "caution_active"


def test_a_breach_that_ends_the_caution_is_checked_then_prosecuted(world: World) -> None:
    case = _active_caution(world)
    client = browser("om", case)
    answer = {
        "version": case.version,
        "description": "Refused to attend the programme.",
        "reasonable_excuse": "no",
        **date_fields("occurred_on", TODAY - dt.timedelta(days=1)),
    }
    status, page = post(client, case, "breach/", answer)
    assert status == 200 and 'id="check-answers"' in page
    assert "No: prosecute for the original offence" in page  # the choice's label, not "no"
    assert "prosecution for the original offence" in page and "Confirm and record the breach" in page
    assert Case.objects.get(pk=case.pk).state == "caution_active"
    status, _ = post(client, case, "breach/", {**answer, "confirmed": "yes"})
    assert status == 302 and Case.objects.get(pk=case.pk).state == "prosecution"


def test_a_step_the_service_refuses_is_refused_on_the_form_not_after_a_check(world: World) -> None:
    case = _active_caution(world)
    answer = {
        "version": case.version,
        "description": "Refused to attend.",
        "reasonable_excuse": "no",
        **date_fields("occurred_on", TODAY - dt.timedelta(days=400)),  # before the caution was signed
    }
    status, page = post(browser("om", case), case, "breach/", answer)
    assert status == 422 and 'id="check-answers"' not in page
    assert Case.objects.get(pk=case.pk).state == "caution_active"


def test_the_court_outcome_and_the_closure_are_checked_then_written(world: World) -> None:
    case = proposed(world)
    services.approve_disposal(world["sup"], case.pk, {"version": case.version, "reason": "Agreed."})
    case = Case.objects.get(pk=case.pk)
    client = browser("inv", case)
    outcome = {
        "version": case.version,
        "outcome": "acquitted",
        **date_fields("outcome_on", TODAY),
    }
    status, page = post(client, case, "prosecution/outcome/", outcome)
    assert status == 200 and "Confirm and record the outcome" in page and "Acquitted" in page
    assert Case.objects.get(pk=case.pk).state == "prosecution"
    status, _ = post(client, case, "prosecution/outcome/", {**outcome, "confirmed": "yes"})
    case = Case.objects.get(pk=case.pk)
    assert status == 302 and case.state == "prosecution_concluded"

    closure = {
        "version": case.version,
        "reason": "Acquitted; nothing further.",
        **date_fields("closed_on", TODAY),
        **date_fields("review_1", TODAY + dt.timedelta(days=365)),
    }
    status, page = post(client, case, "close/", closure)
    assert status == 200 and "cannot be reopened" in page and "Not given" in page  # the empty reviews
    assert Case.objects.get(pk=case.pk).state == "prosecution_concluded"
    status, _ = post(client, case, "close/", {**closure, "confirmed": "yes"})
    assert status == 302 and Case.objects.get(pk=case.pk).state == "closed"
