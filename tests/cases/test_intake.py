"""Bulk referral intake (`cases.intake`, `riskroute import referrals`, the upload pages).

Behaviour asserted: a re-import creates nothing; a subject referred again is linked to the
existing case, not created, with its facts merged conservatively through the fact-update service;
a bad line in the middle is reported by line number and field path while the rest are imported
(CLI exit 2); a very-high referral is at the top of the worklist the moment the import ends; a user
who may not create referrals is refused; the check writes nothing; a pending upload can be applied
only by its owner.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from riskroute.audit.models import AuditEntry
from riskroute.cases import queries, services
from riskroute.cases.errors import PermissionDenied
from riskroute.cases.intake import import_referrals
from riskroute.cases.models import Case, CaseEvent, PendingImport, Referral, Subject
from riskroute.cli import app
from tests.factories import LOW_RISK_FACTS, TODAY, World, referral, review, to_closed

EXAMPLE = Path(__file__).parents[2] / "src/riskroute/examples/referrals/november-synthetic.jsonl"


def line(reference: str, **overrides: Any) -> dict[str, Any]:
    """One import line: a referral as the API takes it, received today, with its reference."""
    data = referral(**{"received_on": TODAY.isoformat(), **overrides})
    data["external_reference"] = reference
    return data


def jsonl(*lines: dict[str, Any] | str) -> str:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in lines) + "\n"


def person(name: str, born: str = "1979-02-01") -> dict[str, Any]:
    return {"full_name": name, "date_of_birth": born, "address": "4 Synthetic Way, Testtown"}


VERY_HIGH: dict[str, Any] = {"behaviour": {"sexual_communication_with_child": True}}


def test_the_example_file_imports_as_documented(world: World) -> None:
    summary = import_referrals(world["inv"], EXAMPLE.read_text()).as_document()
    assert (summary["imported"], summary["linked_to_existing"], summary["unchanged"]) == (5, 1, 0)
    assert [e["line"] for e in summary["errors"]] == [4, 7, 8]
    bands = {c["external_reference"]: c["band"] for c in summary["new_cases"]}
    assert bands["IND-2026-11-0002"] == "very_high"
    assert summary["linked"][0]["external_reference"] == "IND-2026-11-0006"
    assert Case.objects.count() == 5 and Referral.objects.count() == 6


def test_reimporting_the_same_file_creates_nothing(world: World) -> None:
    text = jsonl(line("R-1"), line("R-2", subject=person("Other Synthetic")))
    first = import_referrals(world["inv"], text)
    assert (first.imported, first.unchanged) == (2, 0)
    counts = (
        Case.objects.count(),
        Referral.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    again = import_referrals(world["inv"], text)
    assert (again.imported, again.linked_to_existing, again.unchanged, again.errors) == (0, 0, 2, [])
    assert counts == (
        Case.objects.count(),
        Referral.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_same_reference_from_another_source_or_force_is_a_new_referral(world: World) -> None:
    import_referrals(world["inv"], jsonl(line("R-1")))
    other_source = import_referrals(
        world["inv"], jsonl(line("R-1", source="industry", subject=person("B Synth")))
    )
    other_force = import_referrals(world["b_inv"], jsonl(line("R-1")))
    assert other_source.imported == 1 and other_force.imported == 1
    # The subject of another force's case is not matched: forces do not see each other's cases.
    assert Case.objects.filter(force=world.bravo).count() == 1


def test_a_subject_referred_again_is_linked_to_the_existing_case(world: World) -> None:
    existing = services.create_referral(world["inv"], referral())
    again = line("R-9", subject=person("  test SUBJECT   one", "1980-04-01"))
    summary = import_referrals(world["inv"], jsonl(again))
    assert (summary.imported, summary.linked_to_existing) == (0, 1)
    assert Case.objects.count() == 1
    assert list(existing.referrals.values_list("external_reference", flat=True)) == ["R-9"]
    assert summary.linked[0]["case_id"] == existing.pk
    entry = AuditEntry.objects.filter(object_id=str(existing.pk), action="collection").last()
    assert entry is not None and entry.details["records"] == ["referral"]


def test_a_different_date_of_birth_is_a_different_person(world: World) -> None:
    services.create_referral(world["inv"], referral())
    summary = import_referrals(
        world["inv"], jsonl(line("R-9", subject=person("Test Subject One", "1980-04-02")))
    )
    assert (summary.imported, summary.linked_to_existing) == (1, 0)


def test_a_linked_referral_merges_facts_conservatively_and_reprioritises(world: World) -> None:
    existing = services.create_referral(world["inv"], referral())
    assert existing.priority_band == "low"
    facts = copy.deepcopy(LOW_RISK_FACTS)
    facts["offence"]["image_counts"] = {"A": 0, "B": 0, "C": 5}  # lower than the case's 120 C
    facts["behaviour"]["sexual_communication_with_child"] = True  # riskier than the case's "no"
    summary = import_referrals(world["inv"], jsonl(line("R-9", facts=facts)))
    linked = summary.linked[0]
    assert linked["facts_updated"] is True
    assert "behaviour.sexual_communication_with_child" in linked["facts_changed"]
    assert {c["path"] for c in linked["conflicts"]} >= {"offence.image_counts.C"}
    case = Case.objects.get(pk=existing.pk)
    assert case.facts["offence"]["image_counts"]["C"] == 120
    assert case.facts["behaviour"]["sexual_communication_with_child"] is True
    assert case.priority_band == "very_high" and linked["band"] == "very_high"
    event = case.events.last()
    assert event is not None and event.action == "update_facts" and event.actor == world["inv"]
    assert AuditEntry.objects.filter(object_id=str(case.pk), action="alteration").exists()


def test_a_linked_referral_never_lowers_the_case_facts(world: World) -> None:
    risky = copy.deepcopy(LOW_RISK_FACTS)
    risky["history"]["contact_offence_allegations"] = True
    existing = services.create_referral(world["inv"], referral(facts=risky))
    summary = import_referrals(world["inv"], jsonl(line("R-9")))  # the low-risk facts again
    assert summary.linked[0]["facts_updated"] is False
    assert summary.linked[0]["conflicts"][0]["path"] == "history.contact_offence_allegations"
    case = Case.objects.get(pk=existing.pk)
    assert case.facts["history"]["contact_offence_allegations"] is True
    assert case.version == existing.version  # nothing to update: no fact-update event


def test_a_case_that_no_longer_takes_fact_updates_gets_the_referral_only(world: World) -> None:
    existing = services.create_referral(world["inv"], referral())
    Case.objects.filter(pk=existing.pk).update(state="decision_pending")
    summary = import_referrals(world["inv"], jsonl(line("R-9", facts=VERY_HIGH)))
    linked = summary.linked[0]
    assert linked["facts_updated"] is False and "facts not updated" in linked["note"]
    assert Referral.objects.filter(case=existing).count() == 1
    assert Case.objects.get(pk=existing.pk).priority_band == "low"


def test_a_user_who_may_not_update_the_matched_case_attaches_the_referral_only(world: World) -> None:
    existing = services.create_referral(world["inv"], referral())  # assigned to inv, not inv2
    summary = import_referrals(world["inv2"], jsonl(line("R-9", facts=VERY_HIGH)))
    linked = summary.linked[0]
    assert (summary.imported, linked["case_id"], linked["facts_updated"]) == (0, existing.pk, False)
    assert "facts not updated" in linked["note"]
    assert Case.objects.get(pk=existing.pk).priority_band == "low"
    assert Referral.objects.filter(case=existing, created_by=world["inv2"]).count() == 1


def test_two_lines_about_one_new_person_make_one_case(world: World) -> None:
    summary = import_referrals(world["inv"], jsonl(line("R-1"), line("R-2", source="industry")))
    assert (summary.imported, summary.linked_to_existing) == (1, 1)
    assert Case.objects.count() == 1 and Referral.objects.count() == 2


def test_a_bad_line_in_the_middle_is_reported_and_the_rest_imported(world: World) -> None:
    bad = line("R-2", subject=person("Bad Synthetic"))
    bad["subject"]["date_of_birth"] = "not a date"
    text = jsonl(
        line("R-1"),
        bad,
        "{not json",
        line("R-4", subject=person("Fourth Synthetic"), facts={"offence": {"image_counts": {"A": -1}}}),
        line("R-5", subject=person("Fifth Synthetic")),
    )
    summary = import_referrals(world["inv"], text)
    assert summary.imported == 2
    assert [e["line"] for e in summary.errors] == [2, 3, 4]
    assert summary.errors[0]["details"][0]["path"] == "subject.date_of_birth"
    assert summary.errors[2]["details"][0]["path"] == "facts.offence.image_counts.A"
    assert set(Referral.objects.values_list("external_reference", flat=True)) == {"R-1", "R-5"}


def test_a_line_refused_by_the_service_leaves_nothing_half_written(world: World) -> None:
    future = line("R-1", received_on=(TODAY + dt.timedelta(days=3)).isoformat())
    summary = import_referrals(world["inv"], jsonl(future, line("R-2", subject=person("Second Synthetic"))))
    assert summary.errors == [
        {"line": 1, "details": [{"path": "received_on", "message": "must not be in the future"}]}
    ]
    assert Case.objects.count() == 1 and Subject.objects.count() == 1 and Referral.objects.count() == 1


def test_a_very_high_referral_is_at_the_top_of_the_worklist_after_import(world: World) -> None:
    for n in range(3):
        services.create_referral(
            world["inv"], referral(received_on=TODAY.isoformat(), subject=person(f"Earlier Synthetic {n}"))
        )
    summary = import_referrals(
        world["inv"],
        jsonl(
            line("R-1", subject=person("Low Synthetic")),
            line("R-2", subject=person("Urgent Synthetic"), facts=VERY_HIGH),
        ),
    )
    urgent = next(c for c in summary.new_cases if c["external_reference"] == "R-2")
    assert urgent["band"] == "very_high"
    assert queries.team_worklist(world["sup"])[0].pk == urgent["case_id"]


def test_a_user_who_may_not_create_referrals_is_refused(world: World) -> None:
    for name in ("analyst", "safe", "provider"):
        with pytest.raises(PermissionDenied):
            import_referrals(world[name], jsonl(line("R-1")))
    assert Case.objects.count() == 0


def test_the_check_writes_nothing(world: World) -> None:
    services.create_referral(world["inv"], referral())
    before = (
        Case.objects.count(),
        Referral.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
        Subject.objects.count(),
    )
    text = jsonl(
        line("R-1", facts=VERY_HIGH), line("R-2", subject=person("New Synthetic"), facts=VERY_HIGH), "{bad"
    )
    summary = import_referrals(world["inv"], text, apply=False)
    assert (summary.imported, summary.linked_to_existing, len(summary.errors)) == (1, 1, 1)
    assert summary.new_cases[0]["band"] == "very_high"
    assert before == (
        Case.objects.count(),
        Referral.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
        Subject.objects.count(),
    )
    assert import_referrals(world["inv"], text).as_document()["imported"] == 1  # the check reserved nothing


def test_erasure_clears_the_identity_index(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    assert len(case.subject.identity_index) == 64
    case = review(world, to_closed(world, case))
    services.erase_case(
        world["admin"],
        case.pk,
        {"version": case.version, "scope": "personal_data", "reason": "Synthetic review decided erasure"},
    )
    assert Subject.objects.get(case=case).identity_index == ""
    summary = import_referrals(world["inv"], jsonl(line("R-1")))
    assert (summary.imported, summary.linked_to_existing) == (1, 0)  # an erased subject never matches


# --- the command --------------------------------------------------------------------------


def test_cli_prints_the_json_summary_and_exits_2_on_a_bad_line(world: World, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "referrals", str(EXAMPLE), "--as", "inv", "--json"])
    assert result.exit_code == 2, result.output
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["linked_to_existing"], summary["unchanged"]) == (5, 1, 0)
    assert {
        "line": 4,
        "details": [{"path": "subject.date_of_birth", "message": "required field is missing"}],
    } in (summary["errors"])
    good = tmp_path / "good.jsonl"
    good.write_text(jsonl(line("R-1", subject=person("Cli Synthetic"))))
    ok = CliRunner().invoke(app, ["import", "referrals", str(good), "--as", "inv"])
    assert ok.exit_code == 0, ok.output
    assert "Imported: 1 new case(s)" in ok.stdout


def test_cli_reads_standard_input(world: World) -> None:
    result = CliRunner().invoke(
        app, ["import", "referrals", "-", "--as", "inv", "--json"], input=jsonl(line("R-1"))
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 1


def test_cli_refuses_a_missing_file_or_one_that_is_not_utf8(world: World, tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["import", "referrals", str(tmp_path / "none.jsonl"), "--as", "inv"])
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b"\xff\xfe not utf-8\n")
    not_utf8 = CliRunner().invoke(app, ["import", "referrals", str(latin), "--as", "inv"])
    for result in (missing, not_utf8):
        assert result.exit_code == 2
        assert json.loads(result.stderr)["details"][0]["path"] == "$"
    assert Case.objects.count() == 0


@pytest.mark.parametrize("username", ["nobody", "analyst"])
def test_cli_refuses_an_unknown_or_unauthorised_user_naming_the_option(world: World, username: str) -> None:
    result = CliRunner().invoke(app, ["import", "referrals", str(EXAMPLE), "--as", username, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert error["error"] == "invalid_input" and error["details"][0]["path"] == "--as"
    assert result.stdout == "" and Case.objects.count() == 0


# --- the pages ----------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upload_check_confirm_through_the_pages(world: World) -> None:
    client = _client(world["inv"])
    url = reverse("cases-ui:import")
    assert client.get(url).status_code == 200
    checked = client.post(url, {"text": EXAMPLE.read_text()})
    assert checked.status_code == 200
    body = checked.content.decode()
    assert "Very high" in body and "subject.date_of_birth" in body and "Line 4" in body
    assert Case.objects.count() == 0
    pending = PendingImport.objects.get()
    assert pending.owner == world["inv"]
    applied = client.post(reverse("cases-ui:import-apply", args=[pending.pk]))
    assert applied.status_code == 200
    assert Case.objects.count() == 5
    assert not PendingImport.objects.exists()
    assert "5 new cases" in applied.content.decode()


def test_the_upload_page_takes_a_file(world: World, tmp_path: Path) -> None:
    client = _client(world["inv"])
    with EXAMPLE.open("rb") as upload:
        checked = client.post(reverse("cases-ui:import"), {"file": upload})
    assert checked.status_code == 200 and PendingImport.objects.count() == 1


def test_the_upload_page_refuses_a_file_that_is_not_utf8(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("referrals.jsonl", b"\xff\xfe not utf-8\n")
    response = _client(world["inv"]).post(reverse("cases-ui:import"), {"file": upload})
    assert response.status_code == 422
    assert "UTF-8" in response.content.decode() and not PendingImport.objects.exists()


def test_another_user_cannot_apply_a_pending_import(world: World) -> None:
    _client(world["inv"]).post(reverse("cases-ui:import"), {"text": EXAMPLE.read_text()})
    pending = PendingImport.objects.get()
    for other in ("inv2", "b_inv"):
        response = _client(world[other]).post(reverse("cases-ui:import-apply", args=[pending.pk]))
        assert response.status_code == 404
    assert Case.objects.count() == 0 and PendingImport.objects.count() == 1


def test_an_unconfirmed_upload_expires_and_a_new_upload_replaces_the_last(world: World) -> None:
    client = _client(world["inv"])
    client.post(reverse("cases-ui:import"), {"text": EXAMPLE.read_text()})
    first = PendingImport.objects.get()
    client.post(reverse("cases-ui:import"), {"text": EXAMPLE.read_text()})
    assert list(PendingImport.objects.values_list("pk", flat=True)) != [first.pk]
    assert client.post(reverse("cases-ui:import-apply", args=[first.pk])).status_code == 404
    latest = PendingImport.objects.get()
    PendingImport.objects.filter(pk=latest.pk).update(created=timezone.now() - dt.timedelta(hours=25))
    assert client.post(reverse("cases-ui:import-apply", args=[latest.pk])).status_code == 404
    assert not PendingImport.objects.exists() and Case.objects.count() == 0


def test_the_upload_page_is_refused_to_users_who_may_not_create_referrals(world: World) -> None:
    client = _client(world["analyst"])
    assert client.get(reverse("cases-ui:import")).status_code == 403
    assert client.post(reverse("cases-ui:import"), {"text": EXAMPLE.read_text()}).status_code == 403
    assert not PendingImport.objects.exists()


def test_the_pending_text_is_encrypted_at_rest(world: World) -> None:
    from django.db import connection

    _client(world["inv"]).post(reverse("cases-ui:import"), {"text": EXAMPLE.read_text()})
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_pendingimport")
        (stored,) = cursor.fetchone()
    assert "Jordan Example" not in stored and stored.startswith("v1.")


def test_the_case_page_lists_the_referrals_received(world: World) -> None:
    import_referrals(world["inv"], EXAMPLE.read_text())
    case = Referral.objects.get(external_reference="IND-2026-11-0006").case
    client = _client(world["inv"])
    session = client.session
    session.save()
    from riskroute.audit import remember_justification

    remember_justification(session, "case", case.pk, "Checking the referrals imported for this person")
    session.save()
    body = client.get(reverse("cases-ui:case", args=[case.pk])).content.decode()
    assert "Referrals received" in body
    assert "NCA-2026-11-0001" in body and "IND-2026-11-0006" in body


def test_the_nav_links_to_the_import_for_those_who_may_import(world: World) -> None:
    assert "Import referrals" in _client(world["inv"]).get(reverse("cases-ui:my-cases")).content.decode()
    assert (
        "Import referrals"
        not in _client(world["analyst"]).get(reverse("cases-ui:dashboard")).content.decode()
    )
