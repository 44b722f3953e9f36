"""Personal data and free text are encrypted at rest: the raw database holds none of the plaintext.

Cases are created and taken through their steps by the service layer, as the web and API would,
with distinctive synthetic text in every personal-data and free-text field; then every table is
read with a raw cursor (no ORM, no decryption), and on SQLite the bytes of the database image too.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from riskroute.cases import queries, services
from riskroute.cases.models import Case, Subject
from tests.auditlog import WHY
from tests.factories import (
    TODAY,
    World,
    backdate_approval,
    build_world,
    caution_data,
    days_ago,
    referral,
    to_assessed,
)

pytestmark = pytest.mark.usefixtures("signed_checkpoints")

NAME = "Zanzibar Quixotic-Testperson"
BIRTH = dt.date(1971, 7, 19)
ADDRESS = "42 Plaintextcanary Lane, Synthtown"
NOTES = {
    "summary": "Canarysummary: referral text naming nobody real",
    "proposal_reason": "Canaryreason: low risk on every recorded fact",
    "exceptional": "Canaryexceptional: first contact, engaged",
    "decision": "Canarydecision: agreed after review",
    "conditions": "Canaryconditions: no unsupervised internet use",
    "attendance": "Canaryattendance: arrived late, engaged well",
    "breach": "Canarybreach: missed the third session",
    "excuse": "Canaryexcuse: in hospital that day",
    "employer": "Canaryemployer: Synthtown Hospital Trust",
}
#: Reasons for reading, sharing or erasing are justifications: the audit log keeps them readable
#: for the auditor (DPA 2018 s.62), so they are not among the texts that must not appear.
SHARE_REASON = "Joint investigation with Bravo (synthetic)"


#: Structured facts about the person are sealed too: no JSON of them may appear in the database
#: (fact names quoted as JSON keys, and the priority tree's and policies' trace wording).
STRUCTURED = [
    '"contact_offence_allegations"',
    '"sexual_interest_in_children"',
    '"access_to_children"',
    '"image_counts"',
    '"band_range"',
    '"blocking_rules"',
    '"notification_if_cautioned"',
    "priority rule met",  # the band's reason kept on the case (Case.priority_reason)
]


def _plaintexts() -> list[str]:
    return [NAME, ADDRESS, BIRTH.isoformat(), f"{BIRTH:%d/%m/%Y}", *NOTES.values(), *STRUCTURED]


def _case_with_every_text(world: World) -> Case:
    subject = {"full_name": NAME, "date_of_birth": BIRTH.isoformat(), "address": ADDRESS}
    case = services.create_referral(world["inv"], referral(subject=subject, summary=NOTES["summary"]))
    case = to_assessed(world, case)
    case = services.record_safeguarding(  # the employer told may identify the person
        world["safe"], case.pk, {"version": case.version, "employer_or_regulator": NOTES["employer"]}
    )
    services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "diversion",
            "reason": NOTES["proposal_reason"],
            "admission": True,
            "consent": True,
            "exceptional_circumstances": NOTES["exceptional"],
        },
    )
    case.refresh_from_db()
    services.approve_disposal(world["sup"], case.pk, {"version": case.version, "reason": NOTES["decision"]})
    backdate_approval(case, 20)  # the caution below is signed ten days ago, after its approval
    case.refresh_from_db()
    services.record_caution(
        world["om"], case.pk, caution_data(case, world, other_conditions=NOTES["conditions"])
    )
    case.refresh_from_db()
    services.record_attendance(
        world["provider"],
        case.pk,
        {
            "version": case.version,
            "session_number": 1,
            "session_on": days_ago(5),
            "attended": True,
            "note": NOTES["attendance"],
        },
    )
    case.refresh_from_db()
    services.record_breach(
        world["om"],
        case.pk,
        {
            "version": case.version,
            "occurred_on": days_ago(2),
            "description": NOTES["breach"],
            "reasonable_excuse": True,
            "excuse_details": NOTES["excuse"],
        },
    )
    services.grant_share(
        world["sup"], case.pk, {"recipient_force": "bravo", "days": 7, "reason": SHARE_REASON}
    )
    return Case.objects.get(pk=case.pk)


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()]


def _database_text() -> str:
    """Every row of every table as the database renders it (no ORM, no decryption)."""
    chunks = []
    for table in connection.introspection.table_names():
        quoted = connection.ops.quote_name(table)
        if connection.vendor == "postgresql":
            chunks += [r[0] for r in _rows(f"SELECT CAST(t AS text) FROM {quoted} AS t")]
        else:
            chunks += [repr(r) for r in _rows(f"SELECT * FROM {quoted}")]
    return "\n".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_the_raw_database_holds_none_of_the_plaintext() -> None:
    world = build_world()
    case = _case_with_every_text(world)
    # The service layer reads it all back (so the plaintext was really stored, sealed) ...
    read = queries.get_case(world["inv"], case.pk, justification=WHY)
    assert (read.subject.full_name, read.subject.date_of_birth, read.subject.address) == (
        NAME,
        BIRTH,
        ADDRESS,
    )
    assert read.summary == NOTES["summary"]
    assert read.facts["access_to_children"]["checked"] is True
    assert read.assessments.get().triage["recommendation"] == "divert"
    assert read.attendance.get().note == NOTES["attendance"]
    assert read.breaches.get().excuse_details == NOTES["excuse"]
    # ... while below the ORM there are only ciphertexts.
    dump = _database_text()
    assert dump.count("v1.") >= 12
    assert "cases_subject" in connection.introspection.table_names()
    if connection.vendor == "sqlite":
        image = connection.connection.serialize()  # the bytes of the database file
        assert len(image) > 4096 and b"v1." in image
        dump += image.decode("latin-1") + image.decode("utf-8", errors="ignore")
    for plaintext in _plaintexts():
        assert plaintext.casefold() not in dump.casefold(), plaintext


def test_every_free_text_personal_and_structured_field_is_an_encrypted_field() -> None:
    """A new text or JSON field on a case model must be a deliberate choice: none is plain now."""
    from django.db.models import JSONField

    from riskroute.crypto.fields import EncryptedTextField

    plain_fields = {
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("cases").get_models()
        for field in model._meta.concrete_fields
        if (field.get_internal_type() == "TextField" or isinstance(field, JSONField))
        and not isinstance(field, EncryptedTextField)
    }
    assert plain_fields == set()
    assert isinstance(Subject._meta.get_field("date_of_birth"), EncryptedTextField)


def test_exact_name_search_goes_through_the_blind_index(world: World) -> None:
    wanted = services.create_referral(
        world["inv"], referral(subject={**referral()["subject"], "full_name": NAME})
    )
    services.create_referral(world["inv"], referral())
    found = queries.list_cases(world["inv"], subject_name="  zanzibar   QUIXOTIC-testperson ")
    assert [c.pk for c in found] == [wanted.pk]
    assert queries.list_cases(world["inv"], subject_name="Zanzibar Quixotic") == []  # exact match only
    assert queries.list_cases(world["b_inv"], subject_name=NAME) == []  # still scoped to the force
    raw = _rows(f"SELECT full_name, name_index FROM cases_subject WHERE case_id = {wanted.pk}")[0]
    assert str(raw[0]).startswith("v1.") and len(raw[1]) == 64


def test_worklists_keep_their_order_without_sorting_by_name(world: World) -> None:
    """Names cannot be sorted once encrypted; worklists order by overdue, deadline and reference."""
    late = services.create_referral(world["inv"], referral(received_on=days_ago(200)))
    soon = services.create_referral(world["inv"], referral(received_on=TODAY.isoformat()))
    assert [c.pk for c in queries.my_cases(world["inv"])] == [late.pk, soon.pk]


def test_the_migration_seals_plaintext_left_behind_and_can_run_again(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    with connection.cursor() as cursor:  # a row as it was before the migration: plaintext, no index
        cursor.execute(
            "UPDATE cases_subject SET full_name = %s, date_of_birth = %s, name_index = '' WHERE case_id = %s",
            [NAME, BIRTH.isoformat(), case.pk],
        )
        cursor.execute("UPDATE cases_case SET summary = %s WHERE id = %s", [NOTES["summary"], case.pk])
    migration = import_module("riskroute.cases.migrations.0002_encrypt_personal_data_and_shares")
    query = f"SELECT full_name, date_of_birth, name_index FROM cases_subject WHERE case_id = {case.pk}"
    migration.seal_existing(apps, None)
    migration.index_names(apps, None)
    raw = _rows(query)
    migration.seal_existing(apps, None)  # re-running finds nothing more to do and changes nothing
    migration.index_names(apps, None)
    assert _rows(query) == raw
    assert all(str(v).startswith("v1.") for v in raw[0][:2])
    subject = Subject.objects.get(case=case)
    assert (subject.full_name, subject.date_of_birth) == (NAME, BIRTH)
    assert Case.objects.get(pk=case.pk).summary == NOTES["summary"]
    assert [c.pk for c in queries.list_cases(world["inv"], subject_name=NAME)] == [case.pk]


def test_the_structured_data_migration_seals_json_left_behind(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    facts, triage = case.facts, case.assessments.get().triage
    with connection.cursor() as cursor:  # columns as they were before 0004: plain JSON text
        cursor.execute("UPDATE cases_case SET facts = %s WHERE id = %s", [json.dumps(facts), case.pk])
        cursor.execute(
            "UPDATE cases_assessment SET triage = %s WHERE case_id = %s", [json.dumps(triage), case.pk]
        )
    migration = import_module("riskroute.cases.migrations.0004_encrypt_structured_data")
    migration.seal_existing(apps, None)
    raw = _rows(f"SELECT facts, suspected_activities FROM cases_case WHERE id = {case.pk}")[0]
    assert all(str(value).startswith("v1.") for value in raw)
    migration.seal_existing(apps, None)  # re-running changes nothing
    assert _rows(f"SELECT facts, suspected_activities FROM cases_case WHERE id = {case.pk}")[0] == raw
    assert Case.objects.get(pk=case.pk).facts == facts
    assert Case.objects.get(pk=case.pk).assessments.get().triage == triage


def test_a_json_column_refuses_to_seal_text_that_is_not_json() -> None:
    """Sealing plaintext left in a JSON column must not turn garbage into an opaque ciphertext."""
    import orjson

    from riskroute.crypto.fields import EncryptedJSONField

    field = EncryptedJSONField()
    assert field.to_text('{"a": [1, null]}') == '{"a": [1, null]}'
    assert field.to_text({"a": [1, None]}) == '{"a":[1,null]}'
    with pytest.raises(orjson.JSONDecodeError):
        field.to_text("not json")
