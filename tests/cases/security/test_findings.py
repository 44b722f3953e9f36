"""Regression tests for what an adversarial test of the case service got through (issue 10).

Each test failed before its fix. The HTTP ones go through the same signed-in clients (both
factors) as the authorisation matrix; docs/security.md maps each attack class to its test here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django_otp import devices_for_user
from typer.testing import CliRunner

from riskroute.accounts.models import Rank, Role
from riskroute.audit import who_accessed
from riskroute.audit.models import AuditEntry
from riskroute.cases import queries, services
from riskroute.cases.errors import IllegalTransition, NotFound
from riskroute.cases.models import Case, Subject
from riskroute.cli import app as cli_app
from tests.clients import csrf, sign_in
from tests.factories import (
    PASSWORD,
    Cases,
    World,
    caution_data,
    days_ago,
    make_user,
    referral,
    review,
    to_assessed,
    to_closed,
    to_diversion_approved,
)

pytestmark = pytest.mark.usefixtures("second_factor_required")

WHY = {"HTTP_X_JUSTIFICATION": "Regression test of issue 10 (synthetic)"}


def _last() -> int:
    entry = AuditEntry.objects.order_by("-sequence").first()
    return entry.sequence if entry else 0


def _since(sequence: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(sequence__gt=sequence).order_by("sequence"))


def _erase(client: Client, case: Case, scope: str) -> Any:
    body = {
        "version": Case.objects.get(pk=case.pk).version,
        "scope": scope,
        "reason": "Synthetic erasure reason.",
    }
    return client.post(
        f"/api/cases/{case.pk}/erasure", body, content_type="application/json", **csrf(client), **WHY
    )


# --- 1. erasure only of closed, reviewed cases; a whole case needs two administrators ----------


@pytest.mark.parametrize("scope", ["case", "personal_data"])
def test_an_open_case_cannot_be_erased(world: World, scope: str) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    response = _erase(sign_in(world["admin"]), case, scope)
    assert response.status_code == 409, response.content
    assert response.json()["error"] == "illegal_transition"
    case = Case.objects.get(pk=case.pk)  # still there, still writable
    assert case.personal_data_erased_on is None and Subject.objects.get(case=case).full_name
    changed = case.facts | {"subject": case.facts["subject"] | {"never_married": True}}
    services.update_facts(world["inv"], case.pk, {"version": case.version, "facts": changed})


def test_a_closed_case_is_erased_only_after_a_review_decided_so(world: World) -> None:
    admin = sign_in(world["admin"])
    case = to_closed(world, services.create_referral(world["inv"], referral()))
    assert _erase(admin, case, "personal_data").status_code == 409  # no review yet
    case = review(world, case, "retain")
    assert _erase(admin, case, "personal_data").status_code == 409  # the review kept it
    case = review(world, case, "erase")
    done = _erase(admin, case, "personal_data")
    assert done.status_code == 200, done.content
    assert done.json()["erased"] == "personal_data"
    assert Subject.objects.get(case=case).full_name is None


def test_erasing_a_whole_case_needs_a_second_administrator(world: World) -> None:
    second = make_user("admin2", world.alpha, [Role.ADMINISTRATOR], Rank.STAFF)
    case = review(world, to_closed(world, services.create_referral(world["inv"], referral())))
    first = sign_in(world["admin"])
    asked = _erase(first, case, "case")
    assert asked.status_code == 200 and asked.json()["awaiting_second_administrator"] is True
    assert Case.objects.filter(pk=case.pk).exists()
    again = _erase(first, case, "case")  # the same administrator cannot approve their own request
    assert again.status_code == 403 and Case.objects.filter(pk=case.pk).exists()
    approved = _erase(sign_in(second), case, "case")
    assert approved.status_code == 200 and approved.json()["erased"] == "case"
    assert not Case.objects.filter(pk=case.pk).exists()
    [tombstone] = AuditEntry.objects.filter(object_id=str(case.pk), action="erasure")
    assert tombstone.actor_username == "admin2" and tombstone.details["requested_by"] == world["admin"].pk


# --- 2. providers: the attendance minimum, only while the caution is in force -----------------


def _caution_active(world: World) -> Case:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world, sessions=1))
    return Case.objects.get(pk=case.pk)


def test_a_provider_gets_no_case_history(world: World) -> None:
    case = _caution_active(world)
    response = sign_in(world["provider"]).get(f"/api/cases/{case.pk}/history", **WHY)
    assert response.status_code == 403, response.content
    assert b"nca_ceop" not in response.content and b"inv" not in response.content


def test_a_provider_sees_its_case_only_while_the_caution_is_in_force(world: World) -> None:
    case = _caution_active(world)
    provider = sign_in(world["provider"])
    assert provider.get(f"/api/cases/{case.pk}", **WHY).status_code == 200
    services.record_attendance(
        world["provider"],
        case.pk,
        {"version": case.version, "session_number": 1, "session_on": days_ago(5), "attended": True},
    )
    case = Case.objects.get(pk=case.pk)
    services.complete_caution(world["om"], case.pk, {"version": case.version, "completed_on": days_ago(1)})
    assert provider.get(f"/api/cases/{case.pk}", **WHY).status_code == 404
    assert provider.get("/api/cases").json() == [] and provider.get("/api/worklists/mine").json() == []
    with pytest.raises(NotFound):
        queries.get_case(world["provider"], case.pk, justification="Recording attendance")


def test_a_case_is_referred_to_a_provider_only_from_a_caution_state(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    with pytest.raises(IllegalTransition):
        services.refer_to_provider(
            world["sup"],
            case.pk,
            {"version": case.version, "provider_organisation_id": world.provider_org.pk},
        )
    assert Case.objects.get(pk=case.pk).provider_organisation_id is None
    assert sign_in(world["provider"]).get("/api/cases").json() == []


# --- 3. auditors see their own force's audit trail only ---------------------------------------


def _page(content: bytes, case_id: int) -> str:
    """A page with its case number and per-response CSRF token masked, for comparing two answers."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())
    return text.replace(f'value="{case_id}"', 'value="N"').replace(f"case {case_id}", "case N")


def test_an_auditor_cannot_read_another_forces_audit_trail(world: World, cases: Cases) -> None:
    auditor = sign_in(world["auditor"])
    other = auditor.get(f"/audit/?case={cases.other.pk}")
    missing = auditor.get("/audit/?case=987654")
    assert other.status_code == missing.status_code == 200
    for name in ("b_inv", "b_sup", "Synthetic joint investigation"):
        assert name.encode() not in other.content
    # Indistinguishable from a case that does not exist: ids cannot be mapped to forces.
    assert _page(other.content, cases.other.pk) == _page(missing.content, 987654)
    own = auditor.get(f"/audit/?case={cases.assigned.pk}")
    assert b"inv" in own.content


# --- 4, 5, 10, 11: malformed input gets the documented 4xx, never a 500 ----------------------


def test_an_oversized_api_body_is_a_413_with_the_error_document(world: World) -> None:
    client = sign_in(world["inv"])
    body = json.dumps({**referral(), "summary": "x" * 3_000_000})
    response = client.post("/api/cases", body, content_type="application/json", **csrf(client))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large" and response.json()["details"][0]["path"] == "$"


def test_a_long_username_at_sign_in_is_refused_and_audited(world: World) -> None:
    before = _last()
    typed = "u" * 120
    response = Client().post("/accounts/login/", {"username": typed, "password": "wrong password here"})
    assert response.status_code == 200
    [entry] = [e for e in _since(before) if e.action == "login_failed"]
    assert typed not in json.dumps([entry.object_id, entry.actor_username, entry.details])


def test_the_audit_page_refuses_a_case_number_that_is_not_ascii_digits(world: World) -> None:
    auditor = sign_in(world["auditor"])
    for bad in ("²", "١٢", "1" * 40, "-1"):
        response = auditor.get("/audit/", {"case": bad})
        assert response.status_code == 422, (bad, response.status_code)


def test_a_csrf_failure_on_the_api_has_the_documented_code(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    signed_in = sign_in(world["inv"])
    client.cookies = signed_in.cookies
    response = client.post("/api/cases", referral(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


# --- 6. failed sign-ins: limited per client address, unknown names hashed ----------------------


def test_failed_sign_ins_are_limited_per_address_across_usernames(world: World) -> None:
    before = _last()
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.post("/accounts/login/", {"username": f"nobody{i}", "password": "x" * 12}).status_code
        for i in range(20)
    ]
    assert 429 in statuses, statuses
    failed = [e for e in _since(before) if e.action == "login_failed"]
    assert len(failed) <= 10
    text = json.dumps([[e.object_id, e.actor_username, e.details] for e in failed])
    assert "nobody" not in text  # unknown names are kept as keyed hashes, never as typed
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.10").post(
        "/accounts/login/", {"username": "inv", "password": PASSWORD}
    )
    assert other.status_code == 302


def test_a_failed_sign_in_of_a_known_account_names_it(world: World) -> None:
    before = _last()
    Client().post("/accounts/login/", {"username": "inv", "password": "not the password"})
    [entry] = [e for e in _since(before) if e.action == "login_failed"]
    assert entry.object_id == "inv"


# --- 9. one assignment rule --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["analyst", "auditor", "admin", "safe", "om"])
def test_a_referral_can_be_assigned_only_to_an_investigator(world: World, who: str) -> None:
    client = sign_in(world["sup"])
    body = referral(assigned_to_id=world[who].pk)
    response = client.post("/api/cases", body, content_type="application/json", **csrf(client))
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["path"] == "assigned_to_id"


# --- 12-14: the record of who did what ---------------------------------------------------------


def test_sign_in_sign_out_and_wrong_codes_are_audited(world: World, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    before = _last()
    client = Client()
    assert client.post("/accounts/login/", {"username": "inv", "password": PASSWORD}).status_code == 302
    from riskroute.accounts.models import TOTPAuthenticator

    TOTPAuthenticator.objects.create(user=world["inv"], name="phone", confirmed=True)
    client.post("/accounts/mfa/verify/", {"token": "000000"})
    client.post("/accounts/logout/")
    actions = [(e.action, e.actor_username) for e in _since(before)]
    assert ("login", "inv") in actions and ("logout", "inv") in actions
    [mfa] = [e for e in _since(before) if e.action == "login_failed"]
    assert mfa.actor_username == "inv" and mfa.details == {"factor": "totp"}


def test_who_accessed_lists_shares(world: World, cases: Cases) -> None:
    services.revoke_share(world["sup"], cases.assigned.pk, cases.shares["assigned"].pk)
    actions = [row["action"] for row in who_accessed(cases.assigned.pk)]
    assert "share_granted" in actions and "share_revoked" in actions
    page = sign_in(world["auditor"]).get(f"/audit/?case={cases.assigned.pk}")
    assert b"share_granted" in page.content or b"Cross-force share granted" in page.content


def test_every_name_search_is_recorded_with_a_hashed_term(world: World) -> None:
    client = sign_in(world["inv"])
    before = _last()
    assert client.get("/api/cases", {"subject_name": "Nobody Atall-Synthetic"}).json() == []
    [entry] = _since(before)
    assert entry.action == "consultation" and entry.actor_username == "inv"
    assert "Nobody" not in json.dumps([entry.object_id, entry.justification, entry.details])
    assert len(entry.details["name_hash"]) == 64 and entry.details["case_ids"] == []


# --- 7, 8: free text encrypted at rest and out of the log; erasure complete --------------------

COURT = "Qwxzv Synthetic Crown Court"
PROGRAMME = "Plonkville Synthetic Programme"
SHARE_REASON = "Synthetic share reason naming Yzzqf"
ERASURE_REASON = "Synthetic erasure reason naming Vqqzk"
REVIEW_REASON = "Synthetic review reason naming Wqqxj"


def _raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return json.dumps([[str(v) for v in row] for row in cursor.fetchall()])


def _prosecuted(world: World) -> Case:
    """Charged, tried at COURT and acquitted."""
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    services.propose_disposal(
        world["inv"],
        case.pk,
        {"version": case.version, "kind": "charge", "reason": "Synthetic.", "departure_reason": "Synthetic."},
    )
    services.approve_disposal(world["sup"], case.pk, {"version": case.version + 1, "reason": "Agreed."})
    services.update_prosecution(
        world["inv"], case.pk, {"version": case.version + 2, "charged_on": days_ago(20), "court": COURT}
    )
    services.record_outcome(
        world["inv"],
        case.pk,
        {"version": case.version + 3, "outcome": "acquitted", "outcome_on": days_ago(2)},
    )
    return Case.objects.get(pk=case.pk)


def test_court_programme_and_history_lines_are_encrypted_at_rest(world: World) -> None:
    _prosecuted(world)
    cautioned = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(
        world["om"], cautioned.pk, caution_data(cautioned, world, programme_name=PROGRAMME)
    )
    raw = _raw_rows("cases_prosecution") + _raw_rows("cases_conditionalcaution")
    assert COURT not in raw and PROGRAMME not in raw  # (the outcome itself is a choice column)
    history = _raw_rows("cases_caseevent")
    for line in ("Court outcome", "acquitted", "Conditional caution signed"):
        assert line not in history, line


def test_share_and_erasure_reasons_stay_out_of_the_audit_log(world: World) -> None:
    case = to_closed(world, services.create_referral(world["inv"], referral()))
    services.grant_share(
        world["sup"], case.pk, {"recipient_force": "bravo", "days": 5, "reason": SHARE_REASON}
    )
    case = review(world, case)
    services.erase_case(
        world["admin"], case.pk, {"version": case.version, "scope": "personal_data", "reason": ERASURE_REASON}
    )
    log = _raw_rows("audit_entry")
    assert SHARE_REASON not in log and ERASURE_REASON not in log and "Yzzqf" not in log


def test_personal_data_erasure_is_complete_and_ends_sharing(world: World) -> None:
    case = _prosecuted(world)
    services.close_case(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "closed_on": days_ago(0),  # not before the last event (the outcome today)
            "reason": "Synthetic.",
            "review_dates": [days_ago(-30)],
        },
    )
    case = Case.objects.get(pk=case.pk)
    share = services.grant_share(
        world["sup"], case.pk, {"recipient_force": "bravo", "days": 5, "reason": SHARE_REASON}
    )
    services.record_review(
        world["admin"],
        case.pk,
        {"version": case.version, "reviewed_on": days_ago(0), "outcome": "erase", "reason": REVIEW_REASON},
    )
    case = Case.objects.get(pk=case.pk)
    services.erase_case(
        world["admin"], case.pk, {"version": case.version, "scope": "personal_data", "reason": ERASURE_REASON}
    )
    case = Case.objects.get(pk=case.pk)
    assert case.prosecution.court == "" and [r.reason for r in case.reviews.all()] == [""]
    share.refresh_from_db()
    assert share.revoked_at is not None and share.reason == ""
    assert queries.list_cases(world["b_inv"]) == []  # no longer disclosed to the other force
    with pytest.raises(IllegalTransition):
        services.grant_share(
            world["sup"], case.pk, {"recipient_force": "bravo", "days": 5, "reason": SHARE_REASON}
        )


def test_erasing_a_cautioned_case_blanks_the_programme_name(world: World) -> None:
    case = _caution_active(world)
    services.record_attendance(
        world["provider"],
        case.pk,
        {"version": case.version, "session_number": 1, "session_on": days_ago(5), "attended": True},
    )
    case = Case.objects.get(pk=case.pk)
    services.complete_caution(world["om"], case.pk, {"version": case.version, "completed_on": days_ago(1)})
    case = review(world, to_closed_from_complete(world, Case.objects.get(pk=case.pk)))
    services.erase_case(
        world["admin"], case.pk, {"version": case.version, "scope": "personal_data", "reason": ERASURE_REASON}
    )
    assert Case.objects.get(pk=case.pk).caution.programme_name == ""


def to_closed_from_complete(world: World, case: Case) -> Case:
    services.close_case(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "closed_on": days_ago(0),
            "reason": "Synthetic.",
            "review_dates": [days_ago(-30)],
        },
    )
    return Case.objects.get(pk=case.pk)


WAL_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import build_world, referral, review, to_closed
from riskroute.cases import services
from riskroute.cases.models import Subject
world = build_world()
case = review(world, to_closed(world, services.create_referral(world["inv"], referral())))
index = Subject.objects.get(case=case).name_index
services.erase_case(world["admin"], case.pk, {{"version": case.version, "scope": "personal_data",
                                              "reason": "Synthetic erasure reason."}})
# Read the files while the connection is still open, as a copy taken from a running server would be
# (closing the last connection checkpoints and deletes the WAL by itself).
from pathlib import Path
files = {{p.name: p.read_bytes() for p in Path({data!r}).glob("erasure.sqlite3*")}}
print(sorted(name for name, content in files.items() if index.encode() in content))
print(index)
"""


def test_after_erasure_the_name_index_is_not_left_in_the_sqlite_files(tmp_path: Path) -> None:
    """A real SQLite file in WAL mode (the tests' own database is in memory), in a subprocess."""
    root = str(Path(__file__).resolve().parents[3])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "riskroute.web.settings",
        "RISKROUTE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'erasure.sqlite3'}",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [root, os.environ.get("PYTHONPATH", "")])
        ),  # tests.factories
    }
    env.pop("RISKROUTE_TEST_POSTGRES_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", WAL_SCRIPT.format(data=str(tmp_path))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *_, holding, index = done.stdout.strip().splitlines()
    assert len(index) == 64
    assert holding == "[]", f"the erased name's blind index is still in {holding}"


# --- 16: a real `riskroute serve`: no server banner, private database files --------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_sends_no_server_banner_and_keeps_its_files_private(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RISKROUTE_", "DJANGO_"))}
    env |= {"RISKROUTE_DATA_DIR": str(data)}
    riskroute = str(Path(sys.executable).with_name("riskroute"))
    server = subprocess.Popen(
        [riskroute, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline, headers = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as answer:
                    headers = answer.headers
                break
            except OSError:
                time.sleep(0.3)
        assert headers is not None, "the server did not answer"
        assert "Server" not in headers, headers.get("Server")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir() if p.name != "staticfiles"}
        assert modes["riskroute.sqlite3"] == 0o600 and modes["secret_key"] == 0o600
        assert all(mode in (0o600, 0o700) for mode in modes.values()), {k: oct(v) for k, v in modes.items()}
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- 15: account and reference-data management under the `riskroute` command -------------------


def _cli(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli_app, ["accounts", *args])
    text = result.stdout if result.exit_code == 0 else result.stderr
    return result.exit_code, json.loads(text)


def test_the_first_administrator_is_bootstrapped_once(db: Any) -> None:
    before = _last()
    code, made = _cli(
        "bootstrap", "--username", "first.admin", "--force", "delta", "--force-name", "Delta (synthetic)"
    )
    assert code == 0 and made["roles"] == ["administrator"] and made["force"] == "delta"
    assert len(made["temporary_password"]) >= 16
    steps = [(e.actor_username, e.object_type, e.details["step"]) for e in _since(before)]
    assert steps == [
        ("system:accounts bootstrap", "force", "create_force"),
        ("system:accounts bootstrap", "account", "create_user"),
    ]
    assert made["temporary_password"] not in _raw_rows("audit_entry")
    code, refused = _cli("bootstrap", "--username", "second.admin", "--force", "delta")
    assert code == 2 and refused["details"][0]["path"] == "--username"


def test_an_administrator_creates_an_account_that_enrols_mfa_at_first_sign_in(world: World) -> None:
    before = _last()
    code, made = _cli(
        "create-user",
        "--by",
        "admin",
        "--username",
        "new.sergeant",
        "--roles",
        "supervisor,investigator",
        "--rank",
        "sergeant",
        "--force",
        "alpha",
        "--unit",
        "Online Child Abuse Team",
    )
    assert code == 0, made
    [entry] = _since(before)
    assert (entry.action, entry.actor_username, entry.object_id) == ("collection", "admin", "new.sergeant")
    client = Client()
    signed = client.post(
        "/accounts/login/", {"username": "new.sergeant", "password": made["temporary_password"]}
    )
    assert signed.status_code == 302
    assert client.get("/cases/mine/")["Location"].startswith("/accounts/mfa/enrol/")


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (
            [
                "create-user",
                "--by",
                "inv",
                "--username",
                "x.y",
                "--roles",
                "investigator",
                "--force",
                "alpha",
            ],
            "--by",
        ),
        (
            [
                "create-user",
                "--by",
                "admin",
                "--username",
                "x.y",
                "--roles",
                "investigator",
                "--force",
                "bravo",
            ],
            "--by",
        ),
        (
            ["create-user", "--by", "admin", "--username", "x.y", "--roles", "wizard", "--force", "alpha"],
            "--roles",
        ),
        (
            [
                "create-user",
                "--by",
                "admin",
                "--username",
                "x.y",
                "--roles",
                "supervisor",
                "--force",
                "alpha",
            ],
            "--rank",
        ),
        (["set-policy", "--by", "admin", "--force", "alpha", "--policy", "no-such-policy"], "--policy"),
        (["set-policy", "--by", "admin", "--force", "bravo", "--policy", "npcc-2017"], "--by"),
        (["create-unit", "--by", "sup", "--force", "alpha", "--name", "New team"], "--by"),
        (["deactivate", "--by", "admin", "b_inv"], "--by"),
    ],
)
def test_account_commands_are_restricted_to_administrators_of_the_force(
    world: World, args: list[str], path: str
) -> None:
    before = _last()
    code, error = _cli(*args)
    assert code == 2 and error["details"][0]["path"] == path, error
    assert _since(before) == []


def test_deactivation_password_reset_and_reference_data(world: World) -> None:
    from riskroute.accounts.models import TOTPAuthenticator

    assert _cli("set-policy", "--by", "admin", "--force", "alpha", "--policy", "justice-2019")[0] == 0
    assert _cli("create-unit", "--by", "admin", "--force", "alpha", "--name", "Second team")[0] == 0
    assert _cli("create-provider", "--by", "admin", "--name", "Third Programmes (synthetic)")[0] == 0
    TOTPAuthenticator.objects.create(user=world["inv2"], name="phone", confirmed=True)
    code, reset = _cli("reset-password", "--by", "admin", "inv2", "--reset-mfa")
    assert code == 0 and not TOTPAuthenticator.objects.filter(user=world["inv2"]).exists()
    assert Client().post("/accounts/login/", {"username": "inv2", "password": PASSWORD}).status_code == 200
    fresh = {"username": "inv2", "password": reset["temporary_password"]}
    assert Client().post("/accounts/login/", fresh).status_code == 302
    assert _cli("deactivate", "--by", "admin", "inv2")[0] == 0
    assert Client().post("/accounts/login/", fresh).status_code == 200  # refused: the form again
    steps = [e.details.get("step") for e in AuditEntry.objects.filter(actor_username="admin")]
    for step in ("set_policy", "create_unit", "create_provider", "reset_password", "deactivate_user"):
        assert step in steps


def test_totp_secrets_are_encrypted_at_rest(world: World) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"username": "inv", "password": PASSWORD}).status_code == 302
    shown = client.get("/accounts/mfa/enrol/")
    assert shown.status_code == 200
    [device] = [d for d in devices_for_user(world["inv"], confirmed=None)]
    secret = device.key  # the hex secret, as the application reads it
    assert len(secret) == 40
    raw = "".join(_raw_rows(table) for table in connection.introspection.table_names() if "totp" in table)
    assert secret not in raw and secret.upper() not in raw
    assert "v1." in raw  # sealed, under the field key ring


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_enrolled_devices_and_seals_their_secrets() -> None:
    executor = MigrationExecutor(connection)
    before = [("accounts", "0001_initial"), ("otp_totp", "0003_add_timestamps")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("accounts", "User").objects.create(username="enrolled.synthetic")
    secret = "ab" * 20
    old.get_model("otp_totp", "TOTPDevice").objects.create(user_id=user.pk, name="phone", key=secret, drift=1)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from riskroute.accounts.models import TOTPAuthenticator

    [moved] = TOTPAuthenticator.objects.filter(user_id=user.pk)
    assert (moved.key, moved.drift, moved.name) == (secret, 1, "phone")
    assert secret not in _raw_rows("accounts_totpauthenticator") and _raw_rows("otp_totp_totpdevice") == "[]"


def test_the_service_settings_carry_nothing_that_exists_for_tests(settings: Any) -> None:
    """The fault tests' middleware comes with their own settings module (tests/cases/security)."""
    assert not [m for m in settings.MIDDLEWARE if "Fault" in m or "slow_decision" in m]
    assert not hasattr(settings, "TEST_SLOW_DECISION_SECONDS")
