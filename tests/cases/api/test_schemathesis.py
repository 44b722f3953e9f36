"""Contract fuzzing: schemathesis generates requests from /api/openapi.json; no response may be a 5xx.

The requests are authenticated (a supervisor's session, also holding the administrator role, and
its CSRF token, so writes get past the door) and run against the demo data; half of the generated
case ids are replaced by real ones so that the handlers behind the 404 are reached too. Bounded by
a fixed number of examples per operation so the whole run stays well under a minute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskroute.accounts.models import Role, User
from riskroute.cases.demo import DEMO_PASSWORD, load_demo
from riskroute.cases.models import Case
from riskroute.web.wsgi import application

EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def session(db: Any) -> dict[str, str]:
    load_demo()
    # The administrator role as well, so the administrator-only operations (erasure, retention
    # review) are reached too rather than refused at the door.
    sergeant = User.objects.get(username="northshire.sergeant")
    sergeant.roles = [*sergeant.roles, Role.ADMINISTRATOR]
    sergeant.save()
    client = Client()
    assert client.login(username="northshire.sergeant", password=DEMO_PASSWORD)
    client.get("/accounts/login/")
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": client.cookies["csrftoken"].value}


@pytest.fixture(autouse=True)
def demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = True  # demo accounts may log in only in demo mode


@contextmanager
def keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly would close the test's connection after each request
    (Django's own test client disconnects these signals around each of its requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_server_errors_anywhere_in_the_api(session: dict[str, str]) -> None:
    with keep_test_connection():
        fuzz(session)


def fuzz(session: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    case_ids = list(Case.objects.values_list("pk", flat=True))
    assert User.objects.filter(username="northshire.sergeant").exists()
    headers = {"X-CSRFToken": session["csrftoken"]}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(), real=st.booleans(), pick=st.integers(0, 10_000))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, real: bool, pick: int) -> None:
            if real and case.path_parameters and "case_id" in case.path_parameters:
                case.path_parameters["case_id"] = case_ids[pick % len(case_ids)]
            # With a real id, a valid reason too, so the handler behind the 428 is reached;
            # otherwise the generated X-Justification (or none) is sent as it is.
            sent = {**headers, "X-Justification": "Synthetic fuzzing of the API"} if real else headers
            response = case.call(headers=sent, cookies=session)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
                )
            if response.status_code >= 400 and response.headers.get("content-type", [""])[0].startswith(
                "application/json"
            ):
                body = response.json()
                assert set(body) == {"error", "details"}, (case.method, case.formatted_path, body)

        run()
    assert operations >= 25
    assert failures == []
    # The run only means something if it got past authentication and reached real handlers.
    assert statuses[401] == 0 and statuses[403] == 0
    assert statuses[200] >= operations, statuses
