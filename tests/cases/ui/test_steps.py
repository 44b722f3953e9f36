"""Every step page, filled in and submitted through Django's test client, as a user would: so no
step is tested only through the browser (issue 11). Each form is submitted as the page shows it,
with only the user's answers changed (tests/formdata.py).

Two walks: a referral taken to prosecution, conviction, notification and closure, shared with
another force on the way; and a caution whose programme is attended and completed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.urls import resolve

from riskroute.cases import services
from riskroute.cases.commands import REGISTRY
from riskroute.cases.models import Case, CaseShare
from tests.clients import justified, signed_in
from tests.factories import TODAY, World, caution_data, referral, to_diversion_approved
from tests.formdata import form_data

DAY = dt.timedelta(days=1)


#: The step pages each walk below goes through (a test holds their union to the registry's pages).
WALKS: dict[str, set[str]] = {
    "closure": {
        "facts",
        "assign",
        "enforcement",
        "safeguarding",
        "children",
        "assessment",
        "propose",
        "decide",
        "prosecution",
        "outcome",
        "notification",
        "close",
    },
    "caution": {"caution", "attendance", "completion"},
    "breach": {"caution", "breach"},
}
#: The pages the walks have been through, by URL name.
VISITED: set[str] = set()


def step(client: Client, path: str, form_index: int = 0, **answers: Any) -> str:
    """GET the page and submit its form with `answers`: the redirect target, or the errors shown."""
    VISITED.add(str(resolve(path).url_name))
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    response = client.post(path, form_data(page.content.decode(), form_index, **answers))
    if response.status_code == 200 and b'id="check-answers"' in response.content:
        response = client.post(path, {**form_data(response.content.decode()), "confirmed": "yes"})
    problems = re.findall(r'<a href="#[^"]*">([^<]+)</a>', response.content.decode())
    assert response.status_code == 302, (path, response.status_code, problems)
    return str(response["Location"])


def state(case_id: int) -> str:
    return Case.objects.get(pk=case_id).state


def test_a_referral_walked_to_closure_through_every_page(world: World) -> None:
    inv, sup = signed_in("inv"), signed_in("sup")
    received, arrested = TODAY - 40 * DAY, TODAY - 30 * DAY
    created = step(
        inv,
        "/cases/new/",
        source="industry",
        received_on=received,
        summary="Synthetic industry report (step walk).",
        suspected_activities=["possession", "distribution"],
        subject__full_name="Walk Subject Charlie",
        subject__date_of_birth=dt.date(1975, 6, 1),
        subject__address="3 Example Road, Testtown",
    )
    case_id = int(created.strip("/").split("/")[-1])
    case = Case.objects.get(pk=case_id)
    assert case.state == "referral" and case.priority_band  # prioritised at once
    justified(inv, case_id)
    justified(sup, case_id)

    step(
        inv,
        f"/cases/{case_id}/facts/",
        **{"facts__subject__sex": "male", "facts__subject__age_at_offence": "50"},
    )
    assert Case.objects.get(pk=case_id).facts["subject"]["sex"] == "male"
    step(sup, f"/cases/{case_id}/assign/", assigned_to_id=str(world["inv2"].pk))
    assert Case.objects.get(pk=case_id).assigned_to == world["inv2"]
    step(sup, f"/cases/{case_id}/assign/", assigned_to_id=str(world["inv"].pk))

    step(
        inv,
        f"/cases/{case_id}/enforcement/",
        arrested_on=arrested,
        warrant_on=arrested,
        count_a="3",
        youngest_depicted="under_16",
    )
    assert state(case_id) == "investigation"
    step(
        inv,
        f"/cases/{case_id}/safeguarding/",
        social_care_referred_on=arrested,
        strategy_discussion_on=arrested + DAY,
        s47_outcome="no_further_action",
    )
    step(
        inv,
        f"/cases/{case_id}/safeguarding/children/",
        1,
        relationship="household",
        age_band="5_11",
        count="1",
    )
    assert Case.objects.get(pk=case_id).facts["access_to_children"]["household"] is True

    step(inv, f"/cases/{case_id}/assessment/")
    assert state(case_id) == "assessed"
    step(
        inv,
        f"/cases/{case_id}/disposal/propose/",
        kind="charge",
        reason="Distribution; a child in the household.",
    )
    assert state(case_id) == "decision_pending"
    step(sup, f"/cases/{case_id}/disposal/decide/", reason="Agreed.", decision="approve")
    assert state(case_id) == "prosecution"

    step(inv, f"/cases/{case_id}/prosecution/", charged_on=TODAY - 20 * DAY, cps_decision="charge")
    step(
        inv,
        f"/cases/{case_id}/prosecution/outcome/",
        1,
        outcome="convicted",
        outcome_on=TODAY - 2 * DAY,
        sentence_type="community_order",
        sentenced_on=TODAY - 2 * DAY,
    )
    assert state(case_id) == "prosecution_concluded"
    record = Case.objects.get(pk=case_id).notifications.get(current=True)
    assert record.notifiable, record.output.get("notes")
    step(inv, f"/cases/{case_id}/notification/", kind="initial", notified_on=TODAY - DAY)
    assert Case.objects.get(pk=case_id).notifications.get(current=True).initial_notified_on == TODAY - DAY

    step(
        sup,
        f"/cases/{case_id}/shares/",
        recipient_force="bravo",
        days="7",
        reason="Joint investigation (synthetic).",
    )
    assert CaseShare.objects.filter(case_id=case_id, recipient_force=world.bravo).exists()

    step(
        inv,
        f"/cases/{case_id}/close/",
        closed_on=TODAY,
        reason="Sentence passed (synthetic).",
        review_1=TODAY + 365 * DAY,
    )
    assert state(case_id) == "closed"
    assert WALKS["closure"] <= VISITED


def caution_in_force(world: World, sessions: int) -> tuple[Case, Client]:
    """A case with an approved diversion, and its caution recorded on the caution page by the
    offender manager (signed in and justified)."""
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    om = justified(signed_in("om"), case.pk)
    data = caution_data(case, world)
    step(
        om,
        f"/cases/{case.pk}/caution/",
        programme_name="Inform Plus",
        provider_organisation_id=str(world.provider_org.pk),
        sessions=str(sessions),
        signed_on=TODAY - 10 * DAY,
        programme_deadline=dt.date.fromisoformat(data["programme_deadline"]),
        window_weeks="16",
        reparative_hours="5",
        explained_and_warned="on",
    )
    return case, om


def test_a_caution_attended_and_completed_through_its_pages(world: World) -> None:
    case, om = caution_in_force(world, sessions=2)
    assert state(case.pk) == "caution_active"
    for number in (1, 2):
        step(
            om,
            f"/cases/{case.pk}/attendance/",
            session_number=str(number),
            session_on=TODAY - DAY,
            attended="yes",
        )
    step(om, f"/cases/{case.pk}/attendance/complete/", 1, completed_on=TODAY)
    assert state(case.pk) == "caution_complete"
    assert WALKS["caution"] <= VISITED


def test_a_caution_breached_without_excuse_goes_to_prosecution_through_its_pages(world: World) -> None:
    case, om = caution_in_force(world, sessions=4)
    step(
        om,
        f"/cases/{case.pk}/breach/",
        occurred_on=TODAY - DAY,
        description="Missed two sessions (synthetic).",
        reasonable_excuse="no",
    )
    assert state(case.pk) == "prosecution"
    assert WALKS["breach"] <= VISITED


def test_the_walks_go_through_every_step_page_of_the_registry() -> None:
    pages = {command.page.name for command in REGISTRY.values() if command.page is not None}
    assert set().union(*WALKS.values()) == pages
