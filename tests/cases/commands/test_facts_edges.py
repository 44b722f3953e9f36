"""Facts at the edges of the case service, as the core closes them: keys given twice, contradictory facts, an
age that disagrees with the date of birth, and peer-to-peer sharing asked at enforcement.

Each is refused with a 422 naming the field (API) or a form error (HTML), and leaves no case.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from riskroute.cases.models import Case
from tests.clients import Api, assert_error, browser
from tests.factories import LOW_RISK_FACTS, World, days_ago, referral


@pytest.fixture
def inv(world: World) -> Api:
    return Api(world["inv"])


def raw_post(api: Api, path: str, text: str) -> Any:
    return api.client.post(
        f"/api{path}", data=text, content_type="application/json", HTTP_X_CSRFTOKEN=api.token
    )


def test_a_key_given_twice_in_a_body_is_a_422_naming_it(inv: Api) -> None:
    text = json.dumps(referral()).replace('"household": false', '"household": true, "household": false')
    assert text.count('"household"') == 2
    details = assert_error(raw_post(inv, "/cases", text), 422, "invalid_input")
    assert details == [{"path": "facts.access_to_children.household", "message": "key given more than once"}]
    assert not Case.objects.exists()


def test_malformed_json_is_still_a_400(inv: Api) -> None:
    assert_error(raw_post(inv, "/cases", '{"source": '), 400, "bad_request")


@pytest.mark.parametrize(
    ("section", "changes", "path"),
    [
        (
            "history",
            {"any_prior_criminal_history": False, "prior_image_sanctions": 1},
            "facts.history.any_prior_criminal_history",
        ),
        ("access_to_children", {"checked": False}, "facts.access_to_children.household"),
        ("subject", {"age_at_offence": 60}, "facts.subject.age_at_offence"),  # born 1980
    ],
)
def test_contradictory_facts_are_refused_with_their_path(
    inv: Api, section: str, changes: dict[str, Any], path: str
) -> None:
    facts = copy.deepcopy(LOW_RISK_FACTS)
    facts[section] |= changes
    details = assert_error(inv.post("/cases", referral(facts=facts)), 422, "invalid_input")
    assert path in [d["path"] for d in details]
    assert not Case.objects.exists()


def test_an_age_that_disagrees_with_the_date_of_birth_is_refused(inv: Api) -> None:
    facts = copy.deepcopy(LOW_RISK_FACTS)
    facts["subject"] |= {"age": 30, "age_at_offence": 30}  # the subject was born in 1980
    details = assert_error(inv.post("/cases", referral(facts=facts)), 422, "invalid_input")
    assert [d["path"] for d in details] == ["facts.subject.age"]
    case = inv.post("/cases", referral()).json()
    changed = {"version": case["version"], "facts": facts}
    details = assert_error(inv.send("put", f"/cases/{case['id']}/facts", changed), 422, "invalid_input")
    assert [d["path"] for d in details] == ["facts.subject.age"]


def test_peer_to_peer_sharing_recorded_at_enforcement_blocks_diversion(inv: Api) -> None:
    case = inv.post("/cases", referral()).json()
    path = f"/cases/{case['id']}"
    body = {"version": case["version"], "arrested_on": days_ago(40), "peer_to_peer_sharing": True}
    case = inv.post(f"{path}/enforcement", body).json()
    assert case["facts"]["offence"]["peer_to_peer_sharing"] is True
    case = inv.post(f"{path}/assessments", {"version": case["version"]}).json()
    blocking = {rule["id"] for rule in case["assessments"][-1]["triage"]["blocking_rules"]}
    assert {"no_peer_to_peer_sharing", "no_distribution_or_advertising"} <= blocking


def test_the_referral_form_asks_for_peer_to_peer_sharing_and_the_age_at_the_offence(
    world: World, client: Any
) -> None:
    client.force_login(world["inv"])
    page = client.get("/cases/new/").content.decode()
    assert 'name="facts__offence__peer_to_peer_sharing"' in page
    assert 'name="facts__subject__age_at_offence"' in page
    assert 'name="facts__process__structured_judgement_risk"' in page


def test_the_assessment_page_explains_a_divert_with_its_next_steps(world: World) -> None:
    from riskroute.cases import services
    from tests.factories import to_assessed

    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    assert case.assessments.last().recommendation == "divert"
    page = browser("inv", case).get(f"/cases/{case.pk}/assessment/").content.decode()
    assert 'id="explanation-summary"' in page and "held on the recorded facts" in page
    for step in ("Rehabilitation condition", "Who may authorise the caution", "MAPPA"):
        assert step in page
    assert 'id="instrument-population"' not in page  # an adult man: CPORT applies


def test_a_child_is_shown_the_youth_route_not_a_bare_prosecute(world: World) -> None:
    from riskroute.cases import services
    from tests.factories import to_assessed

    facts = copy.deepcopy(LOW_RISK_FACTS)
    facts["subject"]["age_at_offence"] = 15
    child = referral(
        facts=facts, subject={"full_name": "Test Child", "date_of_birth": "2010-01-10", "address": "2 Road"}
    )
    case = to_assessed(world, services.create_referral(world["inv"], child))
    page = browser("inv", case).get(f"/cases/{case.pk}/assessment/").content.decode()
    assert "Youth route" in page and "Options on the youth route" in page
    assert "Youth caution" in page and "Referral to the youth justice service" in page
    assert 'id="instrument-population"' in page  # CPORT is not for a child


def test_an_unanswered_enforcement_question_keeps_the_recorded_fact(inv: Api) -> None:
    case = inv.post("/cases", referral()).json()
    body = {"version": case["version"], "arrested_on": days_ago(40), "videos": None, "count_b": None}
    case = inv.post(f"/cases/{case['id']}/enforcement", body | {"peer_to_peer_sharing": None}).json()
    offence = case["facts"]["offence"]
    assert offence["csem_videos"] is False and offence["peer_to_peer_sharing"] is False
    assert offence["image_counts"]["B"] == LOW_RISK_FACTS["offence"]["image_counts"]["B"]
