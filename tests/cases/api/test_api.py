"""API tests: session auth with CSRF, one error shape, status codes, and both end-to-end routes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.clients import Api, assert_error
from tests.factories import LOW_RISK_FACTS, SAFEGUARDING_DONE, TODAY, World, days_ago, referral


@pytest.fixture
def inv(world: World) -> Api:
    return Api(world["inv"])


def test_openapi_and_local_docs(client: Client, db: Any) -> None:
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "https://" not in docs and "http://" not in docs  # no CDN
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_anonymous_requests_get_401_in_the_error_format(client: Client, db: Any) -> None:
    assert_error(client.get("/api/cases"), 401, "unauthenticated")
    assert_error(
        client.post("/api/cases", data="{}", content_type="application/json"), 401, "unauthenticated"
    )


def test_writes_need_the_csrf_token(world: World, inv: Api) -> None:
    response = inv.client.post("/api/cases", data=json.dumps(referral()), content_type="application/json")
    assert response.status_code in {401, 403}
    assert inv.get("/cases").json() == []


def test_validation_errors_name_the_field(world: World, inv: Api) -> None:
    bad = referral(facts={**LOW_RISK_FACTS, "subject": {"age": 7}})
    details = assert_error(inv.post("/cases", bad), 422, "invalid_input")
    assert details[0]["path"] == "facts.subject.age"
    details = assert_error(inv.post("/cases", referral(source="rumour")), 422, "invalid_input")
    assert details[0]["path"] == "source"
    details = assert_error(inv.post("/cases", {**referral(), "colour": "red"}), 422, "invalid_input")
    assert details == [{"path": "colour", "message": "unknown field"}]
    details = assert_error(inv.post("/cases/1/closure", {"version": 1}), 422, "invalid_input")
    assert {"path": "reason", "message": "required field is missing"} in details
    response = inv.client.post(
        "/api/cases", data="{not json", content_type="application/json", HTTP_X_CSRFTOKEN=inv.token
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error", "details"}


def test_conflict_illegal_transition_forbidden_and_not_found(world: World, inv: Api) -> None:
    created = inv.post("/cases", referral())
    assert created.status_code == 201
    case = created.json()
    path = f"/cases/{case['id']}"
    facts = {"version": case["version"], "facts": LOW_RISK_FACTS}
    assert inv.send("put", f"{path}/facts", facts).status_code == 200
    assert_error(inv.send("put", f"{path}/facts", facts), 409, "conflict")
    assert_error(inv.post(f"{path}/proposals/approve", {"version": 2}), 403, "forbidden")
    assert_error(
        Api(world["sup"]).post(f"{path}/proposals/approve", {"version": 2}), 409, "illegal_transition"
    )
    assert_error(Api(world["b_inv"]).get(path), 404, "not_found")
    assert_error(inv.get("/cases/999999"), 404, "not_found")
    assert inv.get(path).json()["version"] == 2


def walk_to_decision(inv: Api, kind: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    case = inv.post("/cases", referral()).json()
    path = f"/cases/{case['id']}"
    case = inv.post(
        f"{path}/enforcement", {"version": case["version"], "arrested_on": days_ago(40), "count_b": 3}
    ).json()
    assert case["state"] == "investigation"
    case = inv.post(f"{path}/safeguarding", {"version": case["version"], **SAFEGUARDING_DONE}).json()
    assert case["facts"]["process"]["safeguarding_checks_complete"] is True  # derived from the record
    case = inv.post(f"{path}/assessments", {"version": case["version"]}).json()
    assessment = case["assessments"][-1]
    assert assessment["policy"]["id"] == "npcc-2017" and assessment["recommendation"] == "divert"
    assert "cport" in assessment["triage"]["scores"] and "casic" in assessment["triage"]["scores"]
    case = inv.post(
        f"{path}/proposals", {"version": case["version"], "kind": kind, "reason": "API test", **extra}
    )
    assert case.status_code == 200, case.content
    return path, case.json()


def test_referral_to_caution_with_supervisor_approval(world: World, inv: Api) -> None:
    path, case = walk_to_decision(
        inv, "diversion", admission=True, consent=True, exceptional_circumstances="No access to children."
    )
    assert case["state"] == "decision_pending"
    sup = Api(world["sup"])
    assert "approve_disposal" in sup.get(path).json()["next_actions"]
    case = sup.post(f"{path}/proposals/approve", {"version": case["version"], "reason": "Agreed"}).json()
    assert case["state"] == "diversion_approved"
    om = Api(world["om"])
    providers = {p["name"]: p["id"] for p in om.get("/providers").json()}
    caution = {
        "version": case["version"],
        "programme_name": "Inform Plus",
        "provider_organisation_id": providers[world.provider_org.name],
        "sessions": 1,
        "programme_deadline": (TODAY + dt.timedelta(days=60)).isoformat(),
        "signed_on": TODAY.isoformat(),  # not before the approval, given today
        "explained_and_warned": True,
    }
    case = om.post(f"{path}/caution", caution).json()
    assert case["state"] == "caution_active"
    current = next(n for n in case["notifications"] if n["current"])
    assert current["notifiable"] is True and current["period_years"] == 2.0
    provider = Api(world["provider"])
    minimal = provider.get(path).json()
    assert "facts" not in minimal and "address" not in minimal["subject"]
    case = provider.post(
        f"{path}/attendance",
        {"version": minimal["version"], "session_number": 1, "session_on": days_ago(0), "attended": True},
    ).json()
    case = om.post(
        f"{path}/caution/complete", {"version": case["version"], "completed_on": days_ago(0)}
    ).json()
    assert case["state"] == "caution_complete"
    closed = inv.post(
        f"{path}/closure",
        {
            "version": case["version"],
            "closed_on": days_ago(0),
            "reason": "Done",
            "review_dates": ["2030-01-01"],
        },
    ).json()
    assert closed["state"] == "closed"
    history = inv.get(f"{path}/history").json()
    assert [e["to_state"] for e in history][-1] == "closed"


def test_referral_to_charge_and_sentence(world: World, inv: Api) -> None:
    path, case = walk_to_decision(inv, "charge", departure_reason="Aggravating features found at interview.")
    sup = Api(world["sup"])
    refused = sup.post(f"{path}/proposals/approve", {"version": case["version"]})
    assert assert_error(refused, 422, "invalid_input")[0]["path"] == "reason"  # a departure needs reasons
    approval = {"version": case["version"], "reason": "Agreed: aggravating features found at interview."}
    case = sup.post(f"{path}/proposals/approve", approval).json()
    assert case["state"] == "prosecution"
    case = inv.post(
        f"{path}/prosecution",
        {
            "version": case["version"],
            "charged_on": days_ago(20),
            "cps_decision": "charge",
            "court": "Synthtown Crown Court",
        },
    ).json()
    case = inv.post(
        f"{path}/prosecution/outcome",
        {
            "version": case["version"],
            "outcome": "convicted",
            "outcome_on": days_ago(2),
            "sentence_type": "custody",
            "custody_months": 36,
            "sentenced_on": days_ago(2),
        },
    ).json()
    assert case["state"] == "prosecution_concluded"
    current = next(n for n in case["notifications"] if n["current"])
    assert current["indefinite"] is True  # 30 months or more: indefinite (s.82)
    assert case["prosecution"]["sentencing_guideline"]["starting_point"]["weeks"] == 26


def test_worklists_alerts_dashboard(world: World, inv: Api) -> None:
    inv.post("/cases", referral(received_on=days_ago(100)))
    mine = inv.get("/worklists/mine").json()
    assert len(mine) == 1 and mine[0]["overdue"] is True
    assert inv.get("/worklists/team").json()[0]["id"] == mine[0]["id"]
    assert inv.get("/worklists/overdue").json()["low"][0]["id"] == mine[0]["id"]
    assert inv.get("/alerts").json()[0]["kind"] == "overdue_action"
    analyst = Api(world["analyst"])
    dashboard = analyst.get("/dashboard?months=6").json()
    assert len(dashboard["months"]) == 6 and sum(dashboard["series"]["referrals"]) == 1
    assert_error(analyst.get("/worklists/team"), 403, "forbidden")
    assert analyst.get("/cases").json() == []
    assert_error(analyst.get("/dashboard?months=0"), 422, "invalid_input")
    me = inv.get("/me").json()
    assert me["force"] == "alpha" and me["roles"] == ["investigator"]
