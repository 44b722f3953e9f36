"""Field encryption: round trip, tamper and column binding, blind index, rotation and retirement,
and the raw database (SQLite image, PostgreSQL rows) holding none of the plaintext."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from riskroute.audit import who_accessed
from riskroute.audit.models import AuditEntry
from riskroute.cli import security
from riskroute.crypto import DecryptionError, blind_index, decrypt_text, encrypt_text, keyring, normalise
from riskroute.crypto.keyring import KeyRingError, add_active_key, load_keyring, retire_key
from riskroute.crypto.rotation import encrypted_models, key_usage, reencrypt_all, seal_plaintext
from tests.cli.runner import bare_app, run
from tests.crypto.securityvault.models import SealedNote, SealedPerson
from tests.rawdb import execute, rows

# Obviously synthetic people; nothing here resembles a real person's data.
PEOPLE = [
    ("Synthia Testperson-Alpha", dt.date(1980, 2, 29), "1 Fictional Row, Nowhereton, ZZ9 9ZZ", "note alpha"),
    ("Bartholomew Placeholder-Beta", dt.date(1975, 12, 31), "22 Imaginary Way, Testville", "note beta"),
    ("Zoë Exampleson-Gamma", dt.date(2001, 7, 4), "Flat 3, Made-Up Mews, Samplebury", "ünïcödé note gamma"),
]


def _people() -> list[SealedPerson]:
    made = []
    for name, born, address, notes in PEOPLE:
        person = SealedPerson.objects.create(
            full_name=name,
            date_of_birth=born,
            address=address,
            notes=notes,
            name_index=blind_index(name, "vault.full_name"),
        )
        SealedNote.objects.create(person=person, text=f"follow-up for {name}")
        made.append(person)
    return made


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _raw_values(model: Any, column: str) -> list[str]:
    return [row[0] for row in rows(f"SELECT {column} FROM {_table(model)} ORDER BY id")]


def _plaintexts() -> list[str]:
    texts = []
    for name, born, address, notes in PEOPLE:
        texts += [name, born.isoformat(), address, notes, f"follow-up for {name}"]
        texts += name.split()  # no part of a name either
    return texts


def test_round_trip_and_null(key_files: Path) -> None:
    token = encrypt_text("Synthia Testperson", "vault.person.full_name")
    assert token.startswith("v1." + load_keyring().active + ".")
    assert "Synthia" not in token
    assert decrypt_text(token, "vault.person.full_name") == "Synthia Testperson"
    assert encrypt_text("same", "c") != encrypt_text("same", "c")  # a fresh nonce every time


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_round_trips(key_files: Path, text: str) -> None:
    assert decrypt_text(encrypt_text(text, "vault.x.y"), "vault.x.y") == text


def test_key_file_is_created_0600_outside_the_database(key_files: Path) -> None:
    load_keyring()
    path = key_files / "field-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    assert document["active"] in document["keys"] and document["blind_index_key"]


@pytest.mark.parametrize("position", [0, 5, -1])
def test_tampered_ciphertext_is_a_clear_error(key_files: Path, position: int) -> None:
    token = encrypt_text("Bartholomew Placeholder", "vault.person.full_name")
    head, body = token.rsplit(".", 1)
    flipped = list(body.rstrip("="))
    flipped[position] = "A" if flipped[position] != "A" else "B"
    forged = head + "." + "".join(flipped) + "=" * (len(body) - len(body.rstrip("=")))
    with pytest.raises(DecryptionError, match=r"vault\.person\.full_name"):
        decrypt_text(forged, "vault.person.full_name")


def test_a_ciphertext_moved_to_another_column_does_not_open(key_files: Path) -> None:
    token = encrypt_text("Zoë Exampleson", "vault.person.full_name")
    with pytest.raises(DecryptionError, match="authentication failed"):
        decrypt_text(token, "vault.person.address")


def test_the_key_id_in_the_header_is_authenticated(key_files: Path) -> None:
    token = encrypt_text("Synthia", "c")
    old = load_keyring().active
    add_active_key()
    new = load_keyring().active
    relabelled = token.replace(f".{old}.", f".{new}.", 1)
    with pytest.raises(DecryptionError, match="authentication failed"):
        decrypt_text(relabelled, "c")


@pytest.mark.parametrize("garbage", ["plain text name", "v1.k1.!!.??", "v2.k1.AAAA.AAAA", ""])
def test_values_that_are_not_ciphertexts_are_refused(key_files: Path, garbage: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_text(garbage, "c")


def test_blind_index_is_normalised_keyed_and_per_purpose(key_files: Path) -> None:
    assert normalise("  Synthia   TESTPERSON\t") == "synthia testperson"
    a = blind_index("Synthia Testperson", "vault.full_name")
    assert a == blind_index("  synthia   TESTPERSON ", "vault.full_name")
    assert len(a) == 64 and a != blind_index("Synthia Testperson", "vault.address")
    assert a != blind_index("Synthia Testpersen", "vault.full_name")
    with pytest.raises(ValueError):
        blind_index("x", "Bad Purpose!")


@pytest.mark.django_db
def test_model_fields_seal_on_save_and_open_on_load(vault: None) -> None:
    _people()
    loaded = SealedPerson.objects.order_by("id").first()
    assert loaded is not None
    assert (loaded.full_name, loaded.date_of_birth, loaded.address, loaded.notes) == PEOPLE[0]
    assert SealedPerson.objects.filter(notes__isnull=True).count() == 0
    raw = _raw_values(SealedPerson, "full_name")
    assert all(value.startswith("v1.") for value in raw)
    assert list(SealedPerson.objects.values_list("date_of_birth", flat=True).order_by("id")) == [
        p[1] for p in PEOPLE
    ]


@pytest.mark.django_db
def test_exact_search_goes_through_the_blind_index(vault: None) -> None:
    _people()
    found = SealedPerson.objects.get(name_index=blind_index("zoë exampleson-gamma ", "vault.full_name"))
    assert found.full_name == PEOPLE[2][0]
    with pytest.raises(FieldError):
        SealedPerson.objects.filter(full_name=PEOPLE[2][0]).count()


@pytest.mark.django_db
def test_a_value_swapped_between_columns_in_the_database_fails_to_load(vault: None) -> None:
    person = _people()[0]
    execute(
        f"UPDATE {_table(SealedPerson)} SET address = full_name WHERE id = %s",
        [person.pk],
    )
    with pytest.raises(DecryptionError, match=r"securityvault\.sealedperson\.address"):
        SealedPerson.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_rotation_reencrypts_every_model_and_the_old_key_can_be_retired(vault: None) -> None:
    _people()
    labels = {c.label for c in encrypted_models()}
    assert {"securityvault.sealedperson", "securityvault.sealednote"} <= labels
    old = load_keyring().active
    new = add_active_key().active
    assert new != old
    assert {k for counts in key_usage().values() for k in counts} == {old}  # nothing rewritten yet
    rewritten = reencrypt_all(batch_size=2)  # several batches
    assert rewritten["securityvault.sealedperson.full_name"] == len(PEOPLE)
    assert rewritten["securityvault.sealedperson.notes"] == len(PEOPLE)
    assert rewritten["securityvault.sealednote.text"] == len(PEOPLE)
    assert {k for counts in key_usage().values() for k in counts} == {new}
    assert reencrypt_all() == dict.fromkeys(rewritten, 0)  # a second pass has nothing to do
    retire_key(old)
    assert old not in load_keyring().keys and old in load_keyring().retired
    people = list(SealedPerson.objects.order_by("id"))
    assert [(p.full_name, p.date_of_birth, p.address, p.notes) for p in people] == PEOPLE
    with pytest.raises(KeyRingError, match="active"):
        retire_key(new)


@pytest.mark.django_db
def test_rows_written_under_the_old_key_during_rotation_are_caught(vault: None) -> None:
    """A web worker that still held the old ring writes one row after the pass; retire refuses."""
    _people()
    stale = load_keyring()
    add_active_key()
    reencrypt_all()
    late = SealedNote.objects.create(person=SealedPerson.objects.first(), text="written late")
    execute(
        f"UPDATE {_table(SealedNote)} SET text = %s WHERE id = %s",
        [encrypt_text("written late", "securityvault.sealednote.text", ring=stale), late.pk],
    )
    code, _, err = _cli(["keys", "retire", stale.active])
    assert code == 2 and "securityvault.sealednote.text" in err
    code, out, _ = _cli(["keys", "rotate"])
    assert code == 0
    assert stale.active in json.loads(out)["retirable"]
    code, out, _ = _cli(["keys", "retire", stale.active])
    assert code == 0 and json.loads(out)["retired_now"] == stale.active
    code, out, _ = _cli(["keys", "status"])
    status = json.loads(out)
    assert code == 0 and stale.active in status["retired"] and stale.active not in status["keys"]
    assert {k for counts in status["usage"].values() for k in counts} == {status["active"]}
    assert "secret" not in out and "blind_index_key" not in out  # ids only, never key material
    assert [a["action"] for a in who_accessed(stale.active, obj_type="keyring")] == []  # not personal data
    assert AuditEntry.objects.filter(object_type="keyring", object_id=stale.active).exists()
    code, _, err = _cli(["keys", "retire", status["active"]])
    assert code == 2 and "active" in err


@pytest.mark.django_db
def test_a_retired_key_means_a_clear_error_not_garbage(vault: None) -> None:
    person = _people()[0]
    old = load_keyring().active
    add_active_key()
    retire_key(old)  # forced without re-encrypting (what `keys retire` refuses to do)
    with pytest.raises(DecryptionError, match="retired"):
        SealedPerson.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_plaintext_left_in_a_newly_encrypted_column_is_sealed_once(vault: None) -> None:
    """What the data migration does after turning an existing column into an encrypted field."""
    sealed_already = _people()[0]
    execute(
        f"INSERT INTO {_table(SealedPerson)} (full_name, date_of_birth, address, notes, name_index) "
        "VALUES (%s, %s, %s, NULL, '')",
        ["Legacy Plaintext-Person", "1990-01-02", "9 Old Format Lane"],
    )
    before = _raw_values(SealedPerson, "full_name")[0]
    counts = seal_plaintext(SealedPerson, batch_size=2)
    assert counts["securityvault.sealedperson.full_name"] == 1
    assert counts["securityvault.sealedperson.date_of_birth"] == 1
    assert counts["securityvault.sealedperson.notes"] == 0  # NULL stays NULL
    assert _raw_values(SealedPerson, "full_name")[0] == before  # sealed values are not touched
    legacy = SealedPerson.objects.get(name_index="")
    assert (legacy.full_name, legacy.date_of_birth, legacy.address) == (
        "Legacy Plaintext-Person",
        dt.date(1990, 1, 2),
        "9 Old Format Lane",
    )
    assert SealedPerson.objects.get(pk=sealed_already.pk).full_name == PEOPLE[0][0]
    assert set(seal_plaintext(SealedPerson).values()) == {0}  # re-running changes nothing


def _cli(args: list[str]) -> tuple[int, str, str]:
    return run(args, app=bare_app(security))


def _database_text() -> str:
    """Every row of every table, as the database itself renders it (no ORM, no decryption)."""
    tables = connection.introspection.table_names()
    assert _table(SealedPerson) in tables and "audit_entry" in tables
    chunks = []
    for table in tables:
        quoted = connection.ops.quote_name(table)
        if connection.vendor == "postgresql":
            chunks += [r[0] for r in rows(f"SELECT CAST(t AS text) FROM {quoted} AS t")]
        else:
            chunks += [repr(r) for r in rows(f"SELECT * FROM {quoted}")]
    return "\n".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_the_raw_database_holds_none_of_the_plaintext(vault: None) -> None:
    """Committed rows, read below the ORM: every table's rows and, on SQLite, the database image."""
    try:
        _people()
        _assert_no_plaintext()
    finally:  # flush would skip the test app's tables once it is uninstalled again
        SealedNote.objects.all().delete()
        SealedPerson.objects.all().delete()


def _assert_no_plaintext() -> None:
    dump = _database_text()
    assert "v1." in dump  # the ciphertexts are there
    if connection.vendor == "sqlite":
        image = connection.connection.serialize()  # the bytes of the database file
        assert len(image) > 4096 and b"v1." in image  # the committed ciphertexts are in the image
        dump += image.decode("latin-1")
        dump += image.decode("utf-8", errors="ignore")
    for plaintext in _plaintexts():
        assert plaintext not in dump, plaintext
        assert plaintext.casefold() not in dump.casefold(), plaintext


def test_a_process_looks_at_the_key_file_at_most_once_a_recheck_interval(
    key_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list of 50 rows opens hundreds of values: one stat() each was most of a decrypt's cost."""
    token = encrypt_text("Synthia Testperson", "c")
    looked: list[Path] = []
    real_stat = Path.stat

    def counting_stat(self: Path, *args: Any, **kwargs: Any) -> Any:
        looked.append(self)
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", counting_stat)
    monkeypatch.setattr(keyring, "RECHECK_SECONDS", 3600.0)
    for _ in range(200):
        assert decrypt_text(token, "c") == "Synthia Testperson"
    assert looked == []
    monkeypatch.setattr(keyring, "RECHECK_SECONDS", 0.0)
    decrypt_text(token, "c")
    assert looked == [key_files / "field-keys.json"]


def test_a_key_added_by_another_process_opens_at_once_however_fresh_the_copy(
    key_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (the CLI) rotates: this one's copy is stale, and a value under the new key
    still opens (an unknown key id makes the process read the file again), as does an old one."""
    monkeypatch.setattr(keyring, "RECHECK_SECONDS", 3600.0)
    before = encrypt_text("sealed before", "c")
    path = key_files / "field-keys.json"
    document = json.loads(path.read_text())
    new_id = "k" + "0" * 8
    document["keys"][new_id] = {"created": "2026-01-01T00:00:00+00:00", "secret": "A" * 43 + "="}
    document["active"] = new_id
    keyring._write_private(path, document)  # as `riskroute keys rotate` in another process would
    stale = load_keyring()
    assert stale.active != new_id  # the copy in memory is still trusted
    after = encrypt_text("sealed after", "c", ring=keyring._parse(path, document))
    assert decrypt_text(after, "c") == "sealed after"
    assert decrypt_text(before, "c") == "sealed before"
    assert load_keyring().active == new_id
