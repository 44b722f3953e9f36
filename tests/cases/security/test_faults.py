"""Faults against a real server: killed mid-decision, and PostgreSQL unavailable.

The server is `riskroute serve` (gunicorn) on 127.0.0.1 with a throwaway PostgreSQL database and
demo data. A test-only setting holds a disposal proposal open after its history event is written
and before its transaction commits (tests/cases/security/slow_decision.py).

1. Killed mid-decision: the whole server (master and worker) gets SIGKILL while the proposal is
   held open. PostgreSQL rolls the transaction back when the connection drops, so the case keeps
   its version and state and has no proposal and no history event for it; after a restart the
   same proposal succeeds.
2. Database unavailable: connections to the database are refused (`ALLOW_CONNECTIONS false` and
   the server's backends terminated; the machine's PostgreSQL service is never touched). Pages
   answer a GOV.UK 503 page, the API the JSON error document with 503; once connections are
   allowed again the same session works, the case is as it was, and the refused write succeeds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import LOW_RISK_FACTS, SAFEGUARDING_DONE

SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "riskroute-demo"  # riskroute.cases.demo.DEMO_PASSWORD (demo mode, synthetic accounts)
JUSTIFY = {"X-Justification": "Fault test, synthetic"}

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _admin() -> Any:
    import psycopg

    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(f"PostgreSQL at {SERVER} is unreachable: {exc} (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(f"PostgreSQL at {SERVER} is unreachable: {exc}")


class Server:
    """`riskroute serve` in its own process group, so it can be killed whole."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [
            str(BIN / "riskroute"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/accounts/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError("server did not start:\n" + self.log.read_text()[-2000:])

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    admin = _admin()
    name = f"riskroute_faults_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "RISKROUTE_"))}
    env.update(
        DATABASE_URL=f"{SERVER}/{name}",
        RISKROUTE_DATA_DIR=str(tmp_path / "data"),
        RISKROUTE_DEMO="1",
        RISKROUTE_TEST_SLOW_DECISION_SECONDS="30",
        RISKROUTE_TEST_SLOW_DECISION_FLAG=str(tmp_path / "held"),
        # The test-only middleware comes with the tests' own settings module, not the service's.
        DJANGO_SETTINGS_MODULE="tests.cases.security.fault_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    server = Server(env, tmp_path / "server.log")
    try:
        subprocess.run(
            [str(BIN / "riskroute"), "demo"], env=env, check=True, capture_output=True, timeout=180
        )
        server.start()
        yield server, name
    finally:
        server.kill()
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _signed_in(server: Server) -> requests.Session:
    session = requests.Session()
    session.get(server.url + "/accounts/login/", timeout=10)
    response = session.post(
        server.url + "/accounts/login/",
        data={
            "username": "northshire.investigator",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": server.url + "/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:300]
    session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], **JUSTIFY})
    return session


def _assessed_case(server: Server, session: requests.Session) -> dict[str, Any]:
    today = time.strftime("%Y-%m-%d")
    referral = {
        "source": "nca_ceop",
        "received_on": today,
        "summary": "Synthetic fault-test referral.",
        "suspected_activities": ["possession"],
        "subject": {
            "full_name": "Fault Test Subject",
            "date_of_birth": "1980-01-01",
            "address": "1 Fault Road",
        },
        "facts": LOW_RISK_FACTS,
    }
    case = session.post(server.url + "/api/cases", json=referral, timeout=30).json()
    enforcement = {"version": case["version"], "warrant_on": today, "arrested_on": today}
    case = session.post(
        f"{server.url}/api/cases/{case['id']}/enforcement", json=enforcement, timeout=30
    ).json()
    safeguarding = {"version": case["version"], **SAFEGUARDING_DONE, "social_care_referred_on": today}
    safeguarding["strategy_discussion_on"] = today  # the record completes the safeguarding checks
    case = session.post(
        f"{server.url}/api/cases/{case['id']}/safeguarding", json=safeguarding, timeout=30
    ).json()
    case = session.post(
        f"{server.url}/api/cases/{case['id']}/assessments", json={"version": case["version"]}, timeout=60
    ).json()
    assert case["state"] == "assessed", case
    return case


def _proposal(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": case["version"],
        "kind": "diversion",
        "reason": "Low risk; admits; consents (synthetic).",
        "admission": True,
        "consent": True,
        "exceptional_circumstances": "Synthetic fault test.",
    }


def _stored(name: str, case_id: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(f"{SERVER}/{name}") as conn:
        version, state = conn.execute(
            "SELECT version, state FROM cases_case WHERE id = %s", [case_id]
        ).fetchone()
        proposals = conn.execute(
            "SELECT count(*) FROM cases_disposalproposal WHERE case_id = %s", [case_id]
        ).fetchone()
        events = conn.execute(
            "SELECT count(*) FROM cases_caseevent WHERE case_id = %s AND action = 'propose_disposal'",
            [case_id],
        ).fetchone()
    return {"version": version, "state": state, "proposals": proposals[0], "propose_events": events[0]}


def test_server_killed_during_a_decision_leaves_no_half_written_case(
    service: tuple[Server, str], tmp_path: Path
) -> None:
    server, name = service
    session = _signed_in(server)
    case = _assessed_case(server, session)
    before = _stored(name, case["id"])
    outcome: list[Any] = []

    def submit() -> None:
        try:
            url = f"{server.url}/api/cases/{case['id']}/proposals"
            outcome.append(session.post(url, json=_proposal(case), timeout=60))
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=submit)
    thread.start()
    flag = tmp_path / "held"
    deadline = time.monotonic() + 30
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists(), "the proposal never reached the held-open point"
    server.kill()  # SIGKILL to master and worker while the transaction is open
    thread.join(timeout=30)
    assert outcome and isinstance(outcome[0], requests.RequestException)  # no answer: the server died

    time.sleep(0.5)  # PostgreSQL notices the dropped connection and rolls back
    assert _stored(name, case["id"]) == before == {**before, "proposals": 0, "propose_events": 0}

    # Recovery: the same proposal succeeds once the server is back (without the slow point).
    server.env["RISKROUTE_TEST_SLOW_DECISION_SECONDS"] = "0"
    server.start()
    session = _signed_in(server)
    done = session.post(f"{server.url}/api/cases/{case['id']}/proposals", json=_proposal(case), timeout=60)
    assert done.status_code == 200, done.text[:300]
    after = _stored(name, case["id"])
    assert (
        after["proposals"] == 1 and after["propose_events"] == 1 and after["version"] == before["version"] + 1
    )


def test_database_unavailable_gives_503_then_recovers_with_nothing_lost(service: tuple[Server, str]) -> None:
    server, name = service
    session = _signed_in(server)
    case = _assessed_case(server, session)
    facts_change = {"version": case["version"], "facts": {**LOW_RISK_FACTS, "subject": {"sex": "male"}}}
    admin = _admin()
    try:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        api = session.get(f"{server.url}/api/cases/{case['id']}", timeout=30)
        assert api.status_code == 503, api.text[:300]
        assert api.json()["error"] == "service_unavailable" and api.headers["Retry-After"] == "30"
        page = session.get(f"{server.url}/cases/mine/", timeout=30)
        assert page.status_code == 503 and "Sorry, the service is unavailable" in page.text
        write = session.put(f"{server.url}/api/cases/{case['id']}/facts", json=facts_change, timeout=30)
        assert write.status_code == 503
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
    # Recovery with the same session: the case is as it was, and the refused write can be made now.
    again = session.get(f"{server.url}/api/cases/{case['id']}", timeout=30)
    assert again.status_code == 200 and again.json()["version"] == case["version"]
    done = session.put(f"{server.url}/api/cases/{case['id']}/facts", json=facts_change, timeout=60)
    assert done.status_code == 200, done.text[:300]
    assert done.json()["version"] == case["version"] + 1
