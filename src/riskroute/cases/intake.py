"""Bulk referral intake: a file of referrals (JSON Lines) into cases, from the CLI and the web.

Each line is the document `POST /api/cases` takes (`schemas.ReferralIn`, validated the same way)
plus the source's own `external_reference`. The rules, the same for both front ends:

- each line is its own transaction: a bad line is reported in place (`{"line": N, "details":
  [...]}`, field paths as the API gives them) and the other lines go on;
- a line whose source already gave this `external_reference` to the force is `unchanged`, so
  importing a file again creates nothing;
- a line whose subject (normalised name and date of birth, `Subject.identity_index`) matches a
  case of the force is not a new case: it is attached to that case as a further `Referral`, its
  facts merged conservatively (`core.merge`) through `services.update_facts`, so the event, the
  s.62 entry and the re-prioritisation happen as for a fact update typed by hand. If the case
  can no longer take fact updates (or the importing user may not make them), the referral is
  attached only. Matches and conflicts are listed for review;
- every new case goes through `services.create_referral`: encrypted, logged as the importing
  user, and prioritised by the core at once, so it takes its place in the worklist immediately.

`apply=False` is the check the web shows before anything is written: the same work in one
transaction that is rolled back at the end (a savepoint per line), so its summary is exactly what
applying would do (unless the data change in between).

Speed: the force's existing external references and identity indexes for the whole file are read
in one query each, before the first line; a line costs the queries of `create_referral` plus the
`Referral` row (benchmarks/import_referrals.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from pydantic import Field, ValidationError

from riskroute.accounts.models import User
from riskroute.cases import services, trail
from riskroute.cases.errors import CaseServiceError, PermissionDenied
from riskroute.cases.models import Case, Referral, Subject
from riskroute.cases.permissions import allowed
from riskroute.cases.schemas import FactsIn, ReferralIn
from riskroute.core.errors import ErrorDetail, InvalidInput, from_validation_error
from riskroute.core.merge import merge_facts
from riskroute.core.strict_json import check_unique_keys

#: The most `external_reference` values (and identity indexes) read in one query.
_CHUNK = 2000


class ImportLine(ReferralIn):
    """One line of an import file: a referral as the API takes it, with the source's reference."""

    external_reference: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The source's own reference for this referral; unique per force and source."
    )


@dataclass
class ImportSummary:
    """What an import did (or, for a check, would do): counts, errors and the lists for review."""

    applied: bool
    imported: int = 0
    linked_to_existing: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    new_cases: list[dict[str, Any]] = field(default_factory=list)
    linked: list[dict[str, Any]] = field(default_factory=list)

    def as_document(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "linked_to_existing": self.linked_to_existing,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "applied": self.applied,
            "new_cases": self.new_cases,
            "linked": self.linked,
        }


def check_may_import(user: User) -> None:
    """The importing user must be allowed to create referrals (as for `POST /api/cases`)."""
    if not allowed("create_case", user) or user.force_id is None:
        raise PermissionDenied("only investigators and supervisors of a force may import referrals")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number from 1, text) of each non-blank line. Only newline separates lines: other
    Unicode line breaks may sit unescaped inside a JSON string."""
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            yield number, stripped


def _parse(raw: str) -> ImportLine:
    check_unique_keys(raw)
    try:
        return ImportLine.model_validate_json(raw)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _known_references(force_id: int, lines: Iterable[ImportLine]) -> set[tuple[str, str]]:
    """(source, external reference) pairs of the file that the force already holds."""
    references = sorted({line.external_reference for line in lines})
    known: set[tuple[str, str]] = set()
    for chunk in _chunks(references):
        rows = Referral.objects.filter(force_id=force_id, external_reference__in=chunk)
        known.update(rows.values_list("source", "external_reference"))
    return known


def _known_subjects(force_id: int, identities: Iterable[str]) -> dict[str, int]:
    """Identity index -> the force's most recent case with that subject (erased subjects have a
    blank index and never match)."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(identities))):
        rows = Subject.objects.filter(case__force_id=force_id, identity_index__in=chunk).order_by("case_id")
        found.update(rows.values_list("identity_index", "case_id"))
    return found


def _incoming_facts(line: ImportLine) -> dict[str, Any]:
    """The line's facts as `create_referral` would record them: suspected activities stand in
    for unknown activities."""
    document = line.facts.model_dump(mode="json")
    if line.facts.offence.activities is None and line.suspected_activities:
        document["offence"]["activities"] = list(line.suspected_activities)
    return document


def _link(user: User, case_id: int, line: ImportLine) -> dict[str, Any]:
    """Attach the line to an existing case and merge its facts; returns the entry for review."""
    case = Case.objects.get(pk=case_id)
    services.record_referral(user, case, line.source, line.external_reference, line.received_on)
    trail.referral_received(user, case, ["external_reference", "source", "received_on"])
    result = merge_facts(case.facts, _incoming_facts(line))
    entry: dict[str, Any] = {
        "external_reference": line.external_reference,
        "case_id": case.pk,
        "case": case.reference,
        "facts_changed": result.changed,
        "conflicts": [c.as_document() for c in result.conflicts],
        "facts_updated": False,
        "band": case.priority_band or None,
    }
    if result.changed:
        try:
            with transaction.atomic():  # a refusal undoes only the update, not the attachment
                payload = FactsIn.model_validate({"version": case.version, "facts": result.facts})
                case = services.update_facts(user, case.pk, payload)
        except CaseServiceError as refused:
            entry["note"] = f"referral attached; facts not updated: {refused.message}"
        else:
            entry["facts_updated"] = True
            entry["band"] = case.priority_band or None
    return entry


def import_referrals(user: User, text: str, apply: bool = True) -> ImportSummary:
    """Import a JSON Lines file of referrals as `user` (see the module docstring).

    Raises `PermissionDenied` if the user may not create referrals; every other problem is
    reported per line in the summary. With `apply=False` nothing is written.
    """
    check_may_import(user)
    assert user.force_id is not None
    summary = ImportSummary(applied=apply)
    parsed: list[tuple[int, ImportLine]] = []
    for number, raw in _lines(text):
        try:
            parsed.append((number, _parse(raw)))
        except InvalidInput as bad:
            summary.errors.append({"line": number, "details": bad.details})
    known = _known_references(user.force_id, (line for _, line in parsed))
    identities = [
        Subject.identity_index_of(line.subject.full_name, line.subject.date_of_birth) for _, line in parsed
    ]
    subjects = _known_subjects(user.force_id, identities)
    # Applying, each line commits on its own; a check runs in one transaction rolled back at the end.
    with nullcontext() if apply else transaction.atomic():
        for (number, line), identity in zip(parsed, identities, strict=True):
            _import_line(user, number, line, identity, known, subjects, summary)
        if not apply:
            transaction.set_rollback(True)
    summary.errors.sort(key=lambda e: int(e["line"]))
    return summary


def _import_line(
    user: User,
    number: int,
    line: ImportLine,
    identity: str,
    known: set[tuple[str, str]],
    subjects: dict[str, int],
    summary: ImportSummary,
) -> None:
    """One line in its own savepoint (a transaction of its own when applying); `identity` is the
    line's subject's identity index."""
    key = (str(line.source), line.external_reference)
    if key in known:
        summary.unchanged += 1
        return
    try:
        if identity in subjects:
            with transaction.atomic():
                entry = _link(user, subjects[identity], line)
        else:  # with its referral in `create_referral`'s transaction (a savepoint when only checking)
            case = services.create_referral(user, line, source_reference=line.external_reference)
    except (CaseServiceError, InvalidInput) as bad:
        details: list[ErrorDetail] = bad.details
        summary.errors.append({"line": number, "details": details})
        return
    except IntegrityError:  # the same reference imported concurrently by someone else
        summary.errors.append(
            {"line": number, "details": [{"path": "external_reference", "message": "already imported"}]}
        )
        return
    known.add(key)
    if identity in subjects:
        summary.linked_to_existing += 1
        summary.linked.append({"line": number, **entry})
    else:
        subjects[identity] = case.pk
        summary.imported += 1
        summary.new_cases.append(
            {
                "line": number,
                "external_reference": line.external_reference,
                "case_id": case.pk,
                "case": case.reference,
                "band": case.priority_band or None,
            }
        )
