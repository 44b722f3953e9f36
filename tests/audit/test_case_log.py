"""The s.62 log written by the case service: what each operation records, in the same transaction.

Through the service and query layer (what the web pages and the API call), then through the API
(the X-Justification header) and the HTML pages (the question asked before a case shows).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from riskroute.audit import verify_log, who_accessed
from riskroute.cases import queries, services, trail
from riskroute.cases.errors import ConflictError, JustificationNeeded, NotFound
from riskroute.cases.models import Case
from tests.auditlog import WHY, entries, last_sequence, since
from tests.clients import Api
from tests.factories import World, caution_data, days_ago, referral, to_assessed, to_diversion_approved

pytestmark = pytest.mark.usefixtures("signed_checkpoints")


def _only_names(entry: Any) -> None:
    """Details name fields and ids, never values: no subject data and no free text in them."""
    text = json.dumps(entry.details)
    for value in ("Test Subject One", "1980-04-01", "Example Road", "Synthetic referral"):
        assert value not in text


def test_referral_is_a_collection_naming_the_records_and_fields(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    [entry] = entries(object_type="case", object_id=str(case.pk))
    assert (entry.action, entry.actor_username, entry.actor_force) == ("collection", "inv", "alpha")
    assert entry.details["records"] == ["referral", "subject", "facts"]
    assert {"subject", "summary", "facts", "received_on"} <= set(entry.details["fields"])
    _only_names(entry)


def test_every_write_is_one_alteration_with_field_names_and_no_values(world: World, new_case: Case) -> None:
    before = last_sequence()
    services.record_enforcement(
        world["inv"], new_case.pk, {"version": 1, "arrested_on": days_ago(5), "devices_seized": 2}
    )
    [entry] = since(before)
    assert entry.action == "alteration" and entry.object_id == str(new_case.pk)
    assert entry.details["step"] == "record_enforcement"
    assert {"arrested_on", "devices_seized", "state"} <= set(entry.details["fields"])
    assert "version" not in entry.details["fields"]
    _only_names(entry)


def test_a_refused_write_leaves_no_entry(world: World, new_case: Case) -> None:
    before = last_sequence()
    with pytest.raises(ConflictError):
        services.record_enforcement(world["inv"], new_case.pk, {"version": 9, "devices_seized": 2})
    assert since(before) == []


def test_the_entry_and_the_change_commit_or_fail_together(
    world: World, new_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the log cannot be written, the change is not made either (one transaction)."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(trail, "altered", broken)
    with pytest.raises(RuntimeError):
        services.record_enforcement(world["inv"], new_case.pk, {"version": 1, "devices_seized": 2})
    new_case.refresh_from_db()
    assert new_case.version == 1 and not hasattr(new_case, "enforcement")


def test_assessment_is_a_combination_of_the_records_it_joins(world: World, new_case: Case) -> None:
    before = last_sequence()
    to_assessed(world, new_case)
    combined = [e for e in since(before) if e.action == "combination"]
    assert len(combined) == 1
    assert combined[0].details["sources"] == list(trail.ASSESSMENT_SOURCES)
    assert new_case.assessments.filter(pk=combined[0].details["assessment_id"]).exists()


def test_a_case_read_needs_a_justification_and_is_logged_with_it(world: World, new_case: Case) -> None:
    before = last_sequence()
    with pytest.raises(JustificationNeeded):
        queries.get_case(world["inv"], new_case.pk, justification=None)
    with pytest.raises(JustificationNeeded):
        queries.get_case(world["inv"], new_case.pk, justification="   ")
    assert since(before) == []
    with pytest.raises(NotFound):  # another force: not found, whatever the justification
        queries.get_case(world["b_inv"], new_case.pk, justification=None)
    queries.get_case(world["sup"], new_case.pk, justification=WHY)
    [entry] = since(before)
    assert (entry.action, entry.actor_username, entry.justification) == ("consultation", "sup", WHY)
    assert who_accessed(new_case.pk)[-1]["justification"] == WHY


def test_what_a_provider_is_shown_is_a_disclosure_to_its_organisation(world: World, new_case: Case) -> None:
    case = to_diversion_approved(world, new_case)
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    before = last_sequence()
    queries.get_case(world["provider"], case.pk, justification="Recording programme attendance")
    queries.my_cases(world["provider"])
    single, listed = since(before)
    assert (single.action, single.recipient) == ("disclosure", f"provider:{world.provider_org.name}")
    assert single.justification == "Recording programme attendance"
    assert (listed.action, listed.object_type, listed.details["case_ids"]) == (
        "disclosure",
        "case_list",
        [case.pk],
    )
    assert listed.recipient == f"provider:{world.provider_org.name}"


def test_a_list_showing_names_is_one_entry_naming_every_case_shown(world: World) -> None:
    cases = [services.create_referral(world["inv"], referral()) for _ in range(3)]
    before = last_sequence()
    shown = queries.team_worklist(world["sup"])
    [entry] = since(before)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "consultation",
        "case_list",
        "team_worklist",
    )
    assert sorted(entry.details["case_ids"]) == sorted(c.pk for c in cases) == sorted(c.pk for c in shown)
    assert entry.justification.startswith("Team worklist")
    assert queries.team_worklist(world["b_sup"]) == [] and since(entry.sequence) == []  # empty: no entry


def test_who_accessed_a_case_includes_the_lists_that_showed_it(world: World) -> None:
    first, second = (services.create_referral(world["inv"], referral()) for _ in range(2))
    queries.team_worklist(world["sup"])
    rows = who_accessed(first.pk)
    listed = [r for r in rows if r["list"] == "team_worklist"]
    assert len(listed) == 1
    assert listed[0]["actor"]["username"] == world["sup"].username
    assert listed[0]["action"] == "consultation" and listed[0]["justification"]
    assert rows == sorted(rows, key=lambda r: r["sequence"])
    # The same list entry answers for every case it showed, and for no other record.
    assert [r["sequence"] for r in who_accessed(second.pk) if r["list"]] == [listed[0]["sequence"]]
    assert who_accessed(10**9) == []


def test_the_chain_verifies_after_a_whole_lifecycle(world: World, new_case: Case) -> None:
    case = to_diversion_approved(world, new_case)
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    queries.get_case(world["inv"], case.pk, justification=WHY)
    report = verify_log()
    assert report["ok"], report
    assert report["checkpoints"]["count"] >= 1  # signed along the way (every 5 entries here)


# --- the API: X-Justification ---------------------------------------------------------------


def _error(response: Any, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "details"}
    return body["details"]  # type: ignore[no-any-return]


def test_api_case_reads_need_the_header_once_per_session(world: World, new_case: Case) -> None:
    api = Api(world["inv2"], justification=None)
    path = f"/cases/{new_case.pk}"
    assert _error(api.get(path), 428) == [
        {"path": "X-Justification", "message": "say why you need to consult this case (10 to 500 characters)"}
    ]
    assert _error(api.get(path, **{"X-Justification": "too short"}), 422)[0]["path"] == "X-Justification"
    assert (
        _error(api.get(path, **{"X-Justification": "tab\there is bad"}), 422)[0]["path"] == "X-Justification"
    )
    before = last_sequence()
    assert api.get(path, **{"X-Justification": WHY}).status_code == 200
    assert api.get(path).status_code == 200  # remembered for this case in this session
    assert api.get(f"{path}/history").status_code == 200
    assert [(e.action, e.justification) for e in since(before)] == [("consultation", WHY)] * 3
    assert _error(Api(world["inv2"], justification=None).get(path), 428)  # a new session asks again


def test_api_write_without_a_justification_is_refused_before_any_change(world: World, new_case: Case) -> None:
    api = Api(world["inv"], justification=None)
    before = last_sequence()
    response = api.post(f"/cases/{new_case.pk}/enforcement", {"version": 1, "devices_seized": 1})
    assert _error(response, 428)[0]["path"] == "X-Justification"
    new_case.refresh_from_db()
    assert new_case.version == 1 and since(before) == []
    other_force = Api(world["b_inv"], justification=None)
    assert _error(other_force.post(f"/cases/{new_case.pk}/enforcement", {"version": 1}), 404)  # not 428
    ok = api.post(
        f"/cases/{new_case.pk}/enforcement", {"version": 1, "devices_seized": 1}, **{"X-Justification": WHY}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    # (the other force's sign-in in between is a `login` entry of the account, not of the case)
    assert [e.action for e in since(before) if e.object_type == "case"] == ["alteration", "consultation"]


def test_api_creator_is_not_asked_for_the_case_just_recorded(world: World) -> None:
    api = Api(world["inv"], justification=None)
    created = api.post("/cases", referral())
    assert created.status_code == 201
    [collection, consultation] = entries(object_id=str(created.json()["id"]), object_type="case")
    assert collection.action == "collection"
    assert consultation.justification == trail.CREATOR_JUSTIFICATION
    assert api.get(f"/cases/{created.json()['id']}").status_code == 200


def test_openapi_documents_the_header(client: Client, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/cases/{case_id}"]["get"]
    assert any(p["in"] == "header" and p["name"] == "X-Justification" for p in operation["parameters"])
    assert "428" in operation["responses"]


# --- the HTML pages: the question before the case -------------------------------------------


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_asks_why_first_then_remembers(world: World, new_case: Case) -> None:
    browser = _browser(world["sup"])
    url = f"/cases/{new_case.pk}/"
    asked = browser.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith(f"/cases/{new_case.pk}/justification/")
    question = browser.get(asked["Location"])
    assert question.status_code == 200
    assert b"Why do you need this case?" in question.content and b"Test Subject One" not in question.content
    too_short = browser.post(asked["Location"], {"justification": "because", "next": url})
    assert too_short.status_code == 422 and b"There is a problem" in too_short.content
    before = last_sequence()
    answered = browser.post(asked["Location"], {"justification": WHY, "next": url})
    assert answered.status_code == 302 and answered["Location"] == url
    assert since(before) == []  # answering reads nothing
    page = browser.get(url)
    assert page.status_code == 200 and b"Test Subject One" in page.content
    assert browser.get(f"/cases/{new_case.pk}/enforcement/").status_code == 200  # not asked again
    assert browser.get(f"/cases/{new_case.pk}/facts/").status_code == 200
    # One entry per page shown.
    assert [(e.action, e.justification) for e in since(before)] == [("consultation", WHY)] * 3


def test_the_question_reveals_no_case_and_redirects_only_inside_the_site(
    world: World, new_case: Case
) -> None:
    other = _browser(world["b_inv"])
    assert other.get(f"/cases/{new_case.pk}/").status_code == 404
    assert other.get(f"/cases/{new_case.pk}/justification/").status_code == 404
    browser = _browser(world["sup"])
    answered = browser.post(
        f"/cases/{new_case.pk}/justification/", {"justification": WHY, "next": "https://elsewhere.example/"}
    )
    assert answered["Location"] == f"/cases/{new_case.pk}/"
