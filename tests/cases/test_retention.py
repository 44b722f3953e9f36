"""Retention and erasure: review dates per record class, erasure with an audit tombstone."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from riskroute.accounts.models import Rank, Role
from riskroute.audit import verify_log
from riskroute.cases import queries, retention, services
from riskroute.cases.errors import IllegalTransition, PermissionDenied, ValidationFailed
from riskroute.cases.models import Case, Subject
from riskroute.cli import app as cli_app
from tests.auditlog import WHY, entries, last_sequence, since
from tests.factories import TODAY, World, backdate_approval, days_ago, make_user, referral, review

pytestmark = pytest.mark.usefixtures("signed_checkpoints")

REASON = "Retention review concluded the record is no longer needed"


def _closed(world: World, review_in_days: int) -> Case:
    """A case taken to no further action and closed 400 days ago, with one review date (its steps
    dated before the closure: the case's timeline refuses a closure before its last event)."""
    case = services.create_referral(
        world["inv"], referral(summary="Synthetic summary", received_on=days_ago(500))
    )
    case = services.record_enforcement(
        world["inv"], case.pk, {"version": case.version, "arrested_on": days_ago(480)}
    )
    services.run_assessment(world["inv"], case.pk, {"version": case.version})
    case.refresh_from_db()
    services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "no_further_action",
            "reason": "Synthetic: no realistic prospect",
            "departure_reason": "Synthetic: evidence later excluded",
        },
    )
    services.approve_disposal(world["sup"], case.pk, {"version": case.version + 1, "reason": "Agreed."})
    backdate_approval(case, 450)
    services.close_case(
        world["inv"],
        case.pk,
        {
            "version": case.version + 2,
            "closed_on": days_ago(400),
            "reason": "Synthetic closure reason",
            "review_dates": [(TODAY + dt.timedelta(days=review_in_days)).isoformat()],
        },
    )
    return Case.objects.get(pk=case.pk)


def test_every_iioc_record_is_public_protection_reviewed_not_deleted_by_timer(new_case: Case) -> None:
    record_class = retention.record_class(new_case)
    assert record_class.key == "public_protection_group_1"
    assert (record_class.review_every_years, record_class.retain_until_age) == (10, 100)
    assert record_class.deleted_by_timer is False
    assert all(c.deleted_by_timer is False for c in retention.RECORD_CLASS_BY_OFFENCE.values())
    assert retention.next_review_on(new_case) is None  # open cases are not reviewed yet


def test_records_due_for_review_for_administrators_only(world: World) -> None:
    due = _closed(world, review_in_days=30)
    later = _closed(world, review_in_days=400)
    rows = queries.records_due_for_review(world["admin"])
    assert [r.case_id for r in rows] == [due.pk]
    assert rows[0].review_due == (TODAY + dt.timedelta(days=30)).isoformat()
    assert [r.case_id for r in queries.records_due_for_review(world["admin"], within_days=500)] == [
        due.pk,
        later.pk,
    ]
    with pytest.raises(PermissionDenied):
        queries.records_due_for_review(world["sup"])
    with pytest.raises(PermissionDenied):
        queries.records_due_for_review(world["admin"].__class__.objects.get(username="b_sup"))


def test_a_recorded_review_sets_the_next_one(world: World) -> None:
    case = _closed(world, review_in_days=-1)
    with pytest.raises(ValidationFailed) as too_late:
        services.record_review(
            world["admin"],
            case.pk,
            {
                "version": case.version,
                "reviewed_on": TODAY.isoformat(),
                "outcome": "retain",
                "next_review_on": (TODAY + dt.timedelta(days=3700)).isoformat(),
                "reason": REASON,
            },
        )
    assert too_late.value.details[0]["path"] == "next_review_on"
    services.record_review(
        world["admin"],
        case.pk,
        {
            "version": case.version,
            "reviewed_on": TODAY.isoformat(),
            "outcome": "retain",
            "reason": "Still needed for public protection",
        },
    )
    case = Case.objects.get(pk=case.pk)
    assert retention.next_review_on(case) == retention.add_years(TODAY, 10)
    assert queries.records_due_for_review(world["admin"]) == []


def test_erasing_personal_data_leaves_a_tombstone_and_a_verifiable_log(world: World) -> None:
    case = review(world, _closed(world, review_in_days=10))
    decided = case.reviews.get()
    with pytest.raises(PermissionDenied):  # administrators only
        services.erase_case(
            world["sup"], case.pk, {"version": case.version, "scope": "personal_data", "reason": REASON}
        )
    before = last_sequence()
    services.erase_case(
        world["admin"], case.pk, {"version": case.version, "scope": "personal_data", "reason": REASON}
    )
    [tombstone] = since(before)
    assert tombstone.action == "erasure" and REASON not in tombstone.justification  # no free text
    assert tombstone.justification == f"Retention review of {TODAY.isoformat()} decided to erase"
    assert tombstone.details == {"classes": ["free_text", "subject_identity"], "review_id": decided.pk}
    assert "Test Subject" not in json.dumps(tombstone.details)

    subject = Subject.objects.get(case=case)
    assert (subject.full_name, subject.date_of_birth, subject.address, subject.name_index) == (
        None,
        None,
        None,
        "",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, date_of_birth, address FROM cases_subject WHERE case_id = %s", [case.pk]
        )
        assert cursor.fetchone() == (None, None, None)
    case = queries.get_case(world["admin"], case.pk, justification=WHY)  # the record stays reviewable
    assert case.summary == "" and case.closure.reason == "" and case.personal_data_erased_on == TODAY
    assert queries.list_cases(world["inv"], subject_name="Test Subject One") == []
    with pytest.raises(IllegalTransition):  # no further steps on an erased record
        services.record_notification(
            world["inv"],
            case.pk,
            {"version": case.version, "kind": "initial", "notified_on": TODAY.isoformat()},
        )
    with pytest.raises(ValidationFailed):
        services.erase_case(
            world["admin"], case.pk, {"version": case.version, "scope": "personal_data", "reason": REASON}
        )
    assert verify_log()["ok"]


def test_erasing_the_whole_case_keeps_only_the_tombstone(world: World) -> None:
    case = review(world, _closed(world, review_in_days=10))
    decided = case.reviews.get()
    case_id = case.pk
    erasure = {"version": case.version, "scope": "case", "reason": REASON}
    assert services.erase_case(world["admin"], case_id, erasure) == "awaiting_second_administrator"
    second = make_user("admin2", world.alpha, [Role.ADMINISTRATOR], Rank.STAFF)
    assert services.erase_case(second, case_id, {**erasure, "version": case.version + 1}) == "case"
    assert (
        not Case.objects.filter(pk=case_id).exists() and not Subject.objects.filter(case_id=case_id).exists()
    )
    history = entries(object_type="case", object_id=str(case_id))
    actions = [e.action for e in history]  # the log of the case stays, ending in the tombstone
    assert actions[0] == "collection" and actions[-1] == "erasure" and "alteration" in actions
    assert history[-1].details == {
        "classes": ["case_record", "free_text", "subject_identity"],
        "review_id": decided.pk,
        "requested_by": world["admin"].pk,
    }
    assert verify_log()["ok"]
    result = CliRunner().invoke(cli_app, ["audit", "verify"])  # what an operator runs
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["entries_verified"] >= history[-1].sequence


def test_a_whole_case_is_deleted_before_its_audit_entries_are_written(world: World) -> None:
    """The lock order of every write (records and their monthly counts, then the s.62 chain), kept
    by erasure too, so that erasing a case and another write never wait on each other's locks."""
    case = review(world, _closed(world, review_in_days=10))
    erasure = {"version": case.version, "scope": "case", "reason": REASON}
    services.erase_case(world["admin"], case.pk, erasure)
    second = make_user("admin2", world.alpha, [Role.ADMINISTRATOR], Rank.STAFF)
    with CaptureQueriesContext(connection) as queries_run:
        services.erase_case(second, case.pk, {**erasure, "version": case.version + 1})
    sql = [q["sql"].upper() for q in queries_run.captured_queries]
    deleted = next(i for i, q in enumerate(sql) if q.startswith('DELETE FROM "CASES_CASE"'))
    audited = [i for i, q in enumerate(sql) if "AUDIT" in q and ("INSERT" in q or "AUDIT_APPEND" in q)]
    assert audited and min(audited) > deleted


def test_erasure_and_review_pages(world: World) -> None:
    case = _closed(world, review_in_days=10)
    admin = Client()
    admin.force_login(world["admin"])
    listing = admin.get("/records/review/")
    assert listing.status_code == 200 and case.reference.encode() in listing.content
    assert b"Test Subject One" not in listing.content  # references and dates only
    case = review(world, case)  # erasure follows a review that decided it
    url = f"/cases/{case.pk}/erase/"
    assert admin.get(url).status_code == 200
    assert (
        admin.post(url, {"version": case.version, "scope": "personal_data", "reason": "short"}).status_code
        == 422
    )
    answers = {"version": case.version, "scope": "personal_data", "reason": REASON}
    check = admin.post(url, answers)  # check your answers first: nothing erased yet
    assert check.status_code == 200 and b"Confirm and erase" in check.content
    assert b"Test Subject One" not in check.content  # the check page names the case by reference only
    assert Case.objects.get(pk=case.pk).personal_data_erased_on is None
    done = admin.post(url, {**answers, "confirmed": "yes"})
    assert done.status_code == 302 and Case.objects.get(pk=case.pk).personal_data_erased_on == TODAY
    supervisor = Client()
    supervisor.force_login(world["sup"])
    assert supervisor.get(url).status_code == 403 and supervisor.get("/records/review/").status_code == 403


def test_the_review_page_records_a_review(world: World) -> None:
    case = _closed(world, review_in_days=5)
    admin = Client()
    admin.force_login(world["admin"])
    url = f"/cases/{case.pk}/review/"
    shown = admin.get(url)
    assert shown.status_code == 200 and b"Record a retention review" in shown.content
    assert b"Test Subject One" not in shown.content
    refused = admin.post(url, {"version": case.version, "outcome": "retain", "reason": "short"})
    assert refused.status_code == 422
    today = {"reviewed_on_0": TODAY.day, "reviewed_on_1": TODAY.month, "reviewed_on_2": TODAY.year}
    done = admin.post(url, {"version": case.version, "outcome": "retain", "reason": REASON, **today})
    assert done.status_code == 302
    review = Case.objects.get(pk=case.pk).reviews.get()
    assert (review.outcome, review.next_review_on, review.reason) == (
        "retain",
        retention.add_years(TODAY, 10),
        REASON,
    )
    supervisor = Client()
    supervisor.force_login(world["sup"])
    assert supervisor.get(url).status_code == 403
