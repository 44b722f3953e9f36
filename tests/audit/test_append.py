"""The short append path: bytes built before the lock, one statement on PostgreSQL, no savepoint.

The hash is computed from canonical bytes split around `prev_hash` and `sequence`; these tests
hold that split to the one recipe (`compute_hash`) for any content, and hold the stored rows to
what `record()` returned. The same file runs on SQLite and, through tests/test_postgres.py, on
PostgreSQL, where the split bytes are joined and hashed by `audit_append()` in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from riskroute.accounts.models import User
from riskroute.audit import Action, record, verify_log
from riskroute.audit.canonical import chain_hash
from riskroute.audit.models import AuditEntry

TEXT = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=40)
DETAILS = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@given(
    details=st.dictionaries(st.sampled_from(["sequence", "prev_hash", "fields", "é"]) | TEXT, DETAILS),
    justification=TEXT,
    sequence=st.integers(min_value=1, max_value=10**15),
    prev_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_split_bytes_give_the_recipes_hash_for_any_content(
    details: dict[str, Any], justification: str, sequence: int, prev_hash: str
) -> None:
    entry = AuditEntry(
        created_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
        actor_id=None,
        actor_username="system:property",
        actor_force="",
        action="collection",
        object_type="case",
        object_id="1",
        justification=justification,
        recipient="",
        details=details,
    )
    before_prev, before_sequence = entry.hash_parts()
    entry.sequence, entry.prev_hash = sequence, prev_hash
    assert chain_hash(before_prev, prev_hash, before_sequence, sequence) == entry.compute_hash()


@pytest.mark.django_db
def test_what_record_returns_is_what_was_stored(officer: User) -> None:
    details = {"fields": ["subject.name"], "sequence": 5, "prev_hash": "f" * 64, "note": "Ærøskøbing ✓"}
    entry = record(officer, Action.ALTERATION, "case", 51, details=details)
    stored = AuditEntry.objects.get(sequence=entry.sequence)
    assert stored.chain_document() == entry.chain_document()
    assert stored.hash == entry.hash == stored.compute_hash()
    assert not entry._state.adding  # the returned row is a stored row: saving it again is refused
    report = verify_log()
    assert report["ok"] is True, report


@pytest.mark.django_db
def test_an_append_inside_a_transaction_makes_no_savepoint(officer: User) -> None:
    """On PostgreSQL the whole locked section is one statement; on SQLite a read and an insert."""
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        record(officer, Action.CONSULTATION, "case", 52, justification="synthetic review")
    statements = [query["sql"] for query in captured.captured_queries]
    assert not any("SAVEPOINT" in sql.upper() for sql in statements), statements
    if connection.vendor == "postgresql":
        assert len(statements) == 1 and "audit_append(" in statements[0], statements
    else:
        assert len(statements) == 2, statements


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_takes_its_entry_with_it_and_leaves_no_gap(officer: User) -> None:
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        record(officer, Action.ALTERATION, "case", 53, details={"fields": ["facts"]})
        raise Abandoned
    last = AuditEntry.objects.order_by("-sequence").first()
    entry = record(officer, Action.ALTERATION, "case", 53, details={"fields": ["facts"]})
    assert entry.sequence == (last.sequence + 1 if last else 1)
    report = verify_log()
    assert report["ok"] is True, report
