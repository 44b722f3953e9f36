"""Schemathesis against /api/openapi.json, signed in as three roles, with another force's canary.

For each role (investigator, supervisor, provider), schemathesis generates requests for every
operation from the OpenAPI document; half of the case ids are replaced by real ones, including
the other force's case whose subject name is the canary. The requests go through Django's test
client (signed in past both factors), so they run inside the test's transaction on SQLite and on
PostgreSQL alike. No response may be a 5xx, and no response body may contain the canary. Bounded
by a fixed number of examples per operation (well under a minute in all).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clients import sign_in
from tests.factories import CANARY, Cases, World

pytestmark = pytest.mark.usefixtures("second_factor_required")

EXAMPLES_PER_OPERATION = 4


def _send(client: Client, case: Any, extra: dict[str, str]) -> Any:
    """Send a generated request through the test client (method, path, query, JSON body)."""
    kwargs = case.as_transport_kwargs()  # generated cookies are ignored: the client's session is used
    path = kwargs["url"]
    if kwargs.get("params"):
        path += "?" + urlencode(kwargs["params"], doseq=True)
    call = getattr(client, kwargs["method"].lower())
    if "json" not in kwargs:
        return call(path, **extra)
    return call(path, json.dumps(kwargs["json"]), content_type="application/json", **extra)


@pytest.mark.parametrize("role", ["inv", "sup", "provider"])
def test_no_server_error_and_no_other_force_data(role: str, world: World, cases: Cases) -> None:
    client = sign_in(world[role])
    extra = {
        "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value,
        "HTTP_X_JUSTIFICATION": "Contract test (synthetic)",
    }
    case_ids = [c.pk for c in cases.by_kind().values()]
    # The document is fetched through the test client too: a direct WSGI call would end the test's
    # database connection when the request finishes (Django closes connections per request).
    schema = schemathesis.openapi.from_dict(client.get("/api/openapi.json").json())
    problems: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), real=st.booleans(), pick=st.integers(0, 2))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, real: bool, pick: int) -> None:
            if real and case.path_parameters and "case_id" in case.path_parameters:
                case.path_parameters["case_id"] = case_ids[pick]
            response = _send(client, case, extra)
            statuses[response.status_code] += 1
            where = f"{case.method} {case.formatted_path}"
            text = response.content.decode(errors="replace")
            if response.status_code >= 500:
                problems.append(f"{where} -> {response.status_code}: {text[:200]}")
            if CANARY in text:
                problems.append(f"{where} -> {response.status_code} shows the other force's canary")

        run()
    assert problems == []
    # Meaningful only if the requests got past sign-in and MFA and reached handlers.
    assert statuses[401] == 0, statuses
    assert statuses[200] > 0, statuses
