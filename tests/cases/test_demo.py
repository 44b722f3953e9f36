"""Demo data and demo mode: every workflow state is loaded; demo accounts are dead outside demo mode."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from typer.testing import CliRunner

from riskroute.accounts.models import User
from riskroute.cases import queries
from riskroute.cases.demo import DEMO_PASSWORD, load_demo
from riskroute.cases.models import Case, DisposalProposal
from riskroute.cases.workflow import STATES
from riskroute.cli import app

RISKROUTE = str(Path(sys.executable).with_name("riskroute"))


@pytest.mark.django_db
def test_demo_covers_every_state_and_logs_in_only_in_demo_mode(settings: Any) -> None:
    load_demo()
    assert set(Case.objects.values_list("state", flat=True)) == set(STATES)
    assert 30 <= Case.objects.count() <= 60
    assert set(Case.objects.values_list("force__code", flat=True)) == {"northshire", "southvale"}
    # Every prioritised demo case says why its band, so the worklists show a reason on each row.
    banded = list(Case.objects.exclude(priority_band=""))
    assert banded and all(case.priority_reason for case in banded)
    settings.DEMO_MODE = False
    assert authenticate(username="northshire.investigator", password=DEMO_PASSWORD) is None
    settings.DEMO_MODE = True
    assert authenticate(username="northshire.investigator", password=DEMO_PASSWORD) is not None
    # Two supervisors a force: every demo proposal can be decided, even one a sergeant makes.
    pending = DisposalProposal.objects.filter(status="pending").select_related("case", "proposed_by")
    assert pending.exists()
    for proposal in pending:
        force_users = User.objects.filter(force=proposal.case.force)
        deciders = [u for u in force_users if proposal in queries.approvals_waiting(u)]
        assert len(deciders) == 2, proposal


@pytest.mark.django_db
def test_demo_command_refuses_outside_demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = False
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 2
    assert "RISKROUTE_DEMO=1" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, demo: bool) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RISKROUTE_DEMO", "DJANGO_"))
    }
    env |= {"RISKROUTE_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    if demo:
        env["RISKROUTE_DEMO"] = "1"
    return env


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_serve_runs_gunicorn_on_a_fresh_database(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [RISKROUTE, "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path, demo=False),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        status, _body = 0, b""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _body = _get(f"{base}/api/openapi.json")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, (
            server.stdout.read().decode() if server.poll() is not None and server.stdout else ""
        )
        assert _get(f"{base}/api/me")[0] == 401
        assert _get(f"{base}/static/ninja/swagger-ui.css")[0] == 200
        assert _get(f"{base}/accounts/login/")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


@pytest.mark.slow
def test_serve_refuses_a_demo_database_outside_demo_mode(tmp_path: Path) -> None:
    loaded = subprocess.run(
        [RISKROUTE, "demo"], env=_env(tmp_path, demo=True), capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "northshire.sergeant" in loaded.stdout
    refused = subprocess.run(
        [RISKROUTE, "serve", "--port", str(_free_port())],
        env=_env(tmp_path, demo=False),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "demo accounts" in refused.stderr
