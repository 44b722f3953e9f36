"""Fuzzing every way facts and law inputs come in: no crash, a clear error for every bad input.

- CLI `riskroute triage --jsonl` (the batch import): arbitrary lines, including broken JSON, binary
  and valid cases with one field replaced; every output line is a result or an error naming its
  input line and field path; exit 0 when all lines were valid, else 2; never a traceback.
- CLI `riskroute law notification|sentencing`: any JSON, and valid inputs with one field replaced.
- API bodies that carry facts (POST /api/cases, PUT /api/cases/{id}/facts): any JSON value for the
  facts, or valid facts with one field replaced; the answer is 2xx/409 or 422 with field paths,
  never a 5xx. (`riskroute score`/`triage` on one document are fuzzed in tests/cli.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskroute.cli import law, triage
from tests.cli import runner
from tests.clients import sign_in
from tests.factories import LOW_RISK_FACTS, NOTIFICATION_REQUEST, SENTENCING_REQUEST, Cases, World, referral
from tests.strategies import JSON_VALUES, mutated

pytestmark = pytest.mark.usefixtures("second_factor_required")

#: The commands that read facts and law inputs, and only those.
APP = runner.bare_app(triage, law)


def _assert_error_document(text: str) -> None:
    document = json.loads(text)
    assert document["error"] == "invalid_input"
    assert all(isinstance(d["path"], str) and d["path"] and d["message"] for d in document["details"])


LINES = st.one_of(
    mutated(LOW_RISK_FACTS).map(lambda d: json.dumps(d).encode()),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")),
    st.just(json.dumps(LOW_RISK_FACTS).encode()),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=6))
def test_jsonl_batch_answers_every_line(lines: list[bytes]) -> None:
    code, out, err = runner.run(["triage", "--jsonl"], b"\n".join(lines) + b"\n", app=APP)
    assert "Traceback" not in err and code in (0, 2), (code, err)
    outputs = [json.loads(line) for line in out.split("\n") if line]  # not splitlines(): U+2028 is data
    numbers = [n for n, line in enumerate(lines, start=1) if line.strip()]
    assert [o["line"] for o in outputs] == numbers
    errors = [o for o in outputs if "error" in o]
    for e in errors:
        assert e["error"] == "invalid_input" and all(d["path"] for d in e["details"])
    assert code == (2 if errors else 0)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(
        [(["law", "notification"], NOTIFICATION_REQUEST), (["law", "sentencing"], SENTENCING_REQUEST)]
    ),
    st.data(),
)
def test_law_inputs_are_exit_0_or_a_clear_exit_2(
    command: tuple[list[str], dict[str, Any]], data: Any
) -> None:
    args, valid = command
    document = data.draw(st.one_of(mutated(valid), JSON_VALUES))
    code, out, err = runner.run(args, json.dumps(document).encode(), app=APP)
    assert "Traceback" not in err
    if code == 0:
        assert isinstance(json.loads(out), dict)
    else:
        assert code == 2, (args, document, code, err)
        _assert_error_document(err)


@pytest.mark.parametrize("target", ["create", "facts"])
def test_api_bodies_with_facts_never_fail_on_the_server(target: str, world: World, cases: Cases) -> None:
    client = sign_in(world["inv"])
    headers = {
        "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value,
        "HTTP_X_JUSTIFICATION": "Fuzz test, synthetic",
    }
    case = cases.assigned

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.one_of(mutated(LOW_RISK_FACTS), JSON_VALUES))
    def run(facts: Any) -> None:
        if target == "create":
            response = client.post(
                "/api/cases", {**referral(), "facts": facts}, content_type="application/json", **headers
            )
        else:
            case.refresh_from_db()
            body = {"version": case.version, "facts": facts}
            response = client.put(
                f"/api/cases/{case.pk}/facts", body, content_type="application/json", **headers
            )
        assert response.status_code in (200, 201, 409, 422), (
            facts,
            response.status_code,
            response.content[:300],
        )
        if response.status_code == 422:
            _assert_error_document(response.content.decode())

    run()
