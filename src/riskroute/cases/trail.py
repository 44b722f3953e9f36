"""What the case service writes to the DPA 2018 s.62 audit log, in one place.

Called only from `cases.services` and `cases.queries`, inside the transaction of the change or
read being recorded, so an entry exists exactly when the thing it describes happened. Details name
records, fields and ids, never values (the log must not become a second copy of the case).

Mapping of the s.62 operations onto the case service (docs/case-service.md, "Audit"):
- collection: `create_referral` (the referral, the subject and the facts are first recorded)
  and a further referral attached by bulk intake (`referral_received`);
- alteration: every other write, from `commands.runner.commit` (details: the step and field names);
- consultation: `queries.get_case` (one entry per read, with the session's justification) and
  the lists that show subjects' names (one entry per list read, the case ids in details);
- disclosure: a read by a rehabilitation provider (recipient: its organisation) or by another
  force through a share (recipient: that force); the grant of a share itself is `share_granted`;
- combination: `run_assessment`, which joins facts, enforcement, safeguarding and child links
  under the force's policy into one assessment;
- erasure: `services.erase_case` (details: the classes of data erased and the deciding review).

Free-text reasons (of a share, of an erasure) are never copied here: they are kept encrypted with
the case, and the log holds only what refers to them (share id, review id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from riskroute.accounts.models import Role, User
from riskroute.audit import Action, record
from riskroute.cases.models import Case, CaseShare, RecordReview
from riskroute.crypto import blind_index

OBJ_CASE = "case"
#: What the session remembers for the person who has just recorded a referral: recording it was
#: the purpose of their reading it, so they are not asked again straight after.
CREATOR_JUSTIFICATION = "Recording this referral (the person who received it)"
OBJ_CASE_LIST = "case_list"

#: What `run_assessment` combines (details of its `combination` entry).
ASSESSMENT_SOURCES = ("facts", "enforcement", "safeguarding", "child_links", "force_policy")


def collected(user: User, case: Case, fields: Iterable[str]) -> None:
    record(
        user,
        Action.COLLECTION,
        OBJ_CASE,
        case.pk,
        details={"records": ["referral", "subject", "facts"], "fields": sorted(fields)},
    )


def referral_received(user: User, case: Case, fields: Iterable[str]) -> None:
    """A further referral about a case's subject, attached to the case by bulk intake: what it
    records about the person is collected, as a first referral's is."""
    record(
        user,
        Action.COLLECTION,
        OBJ_CASE,
        case.pk,
        details={"records": ["referral"], "fields": sorted(fields)},
    )


def altered(user: User, case: Case, step: str, fields: Iterable[str]) -> None:
    record(user, Action.ALTERATION, OBJ_CASE, case.pk, details={"step": step, "fields": sorted(set(fields))})


def combined(user: User, case: Case, assessment_id: int) -> None:
    record(
        user,
        Action.COMBINATION,
        OBJ_CASE,
        case.pk,
        details={"sources": list(ASSESSMENT_SOURCES), "assessment_id": assessment_id},
    )


def _recipient(user: User, force_id: int | None) -> str | None:
    """Who receives the data when this user reads it: None when it stays inside the owning force."""
    if user.force_id is not None and user.force_id == force_id:
        return None
    if user.has_role(Role.REHABILITATION_PROVIDER) and user.provider_organisation is not None:
        return f"provider:{user.provider_organisation.name}"
    if user.force is not None:
        return f"force:{user.force.code}"
    return f"user:{user.get_username()}"


def consulted(user: User, case: Case, justification: str) -> None:
    """One read of a case's personal data: a consultation, or a disclosure when it leaves the force."""
    recipient = _recipient(user, case.force_id)
    if recipient is None:
        record(user, Action.CONSULTATION, OBJ_CASE, case.pk, justification=justification)
    else:
        record(user, Action.DISCLOSURE, OBJ_CASE, case.pk, justification=justification, recipient=recipient)


class Listed(Protocol):
    """What a list's entry reads of each case shown: a case, or a list's row of one."""

    @property
    def pk(self) -> Any: ...

    @property
    def force_id(self) -> int: ...


def listed(
    user: User,
    name: str,
    purpose: str,
    cases: Sequence[Listed],
    *,
    always: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """A list showing subjects' names: one entry for the list, naming every case shown.

    The justification of a worklist is its stated purpose: the list is the tool the role's work
    requires, and asking for a reason before every worklist would train people to type anything.
    Lists across forces or to providers are recorded as disclosures, as single reads are. An empty
    list is not logged unless `always` (a search: asking is itself worth recording).
    """
    if not cases and not always:
        return
    details = {"list": name, **(extra or {}), "case_ids": [c.pk for c in cases]}
    recipients = {_recipient(user, c.force_id) for c in cases} - {None}
    if recipients:
        record(
            user,
            Action.DISCLOSURE,
            OBJ_CASE_LIST,
            name,
            justification=purpose,
            recipient=", ".join(sorted(r for r in recipients if r)),
            details=details,
        )
    else:
        record(user, Action.CONSULTATION, OBJ_CASE_LIST, name, justification=purpose, details=details)


#: Blind-index purpose of name-search terms in the log: a key of its own, so the log's hashes cannot
#: be matched against `Subject.name_index` without the key, while an auditor holding it can still
#: answer "was this name searched for?".
SEARCH_TERM_PURPOSE = "audit.case_search.subject_name"


def searched(user: User, term: str, cases: Sequence[Listed]) -> None:
    """A search by subject name, logged whether or not it found anything (a probe is a question
    about a person): the term only as a keyed hash, and the cases shown."""
    listed(
        user,
        "case_search",
        "Case index: searching for a subject by name",
        cases,
        always=True,
        extra={"name_hash": blind_index(term, SEARCH_TERM_PURPOSE)},
    )


def erased(
    user: User, case_id: int, classes: Iterable[str], review: RecordReview, *, requested_by: int | None = None
) -> None:
    """The tombstone: which classes of data were erased, on which review's decision, never what
    they held. The administrator's free-text reason stays in the case's encrypted history (and
    goes with it), never in the log's plaintext."""
    details: dict[str, Any] = {"classes": sorted(classes), "review_id": review.pk}
    if requested_by is not None:
        details["requested_by"] = requested_by
    record(
        user,
        Action.ERASURE,
        OBJ_CASE,
        case_id,
        justification=f"Retention review of {review.reviewed_on.isoformat()} decided to erase",
        details=details,
    )


def share_granted(user: User, share: CaseShare) -> None:
    """A share opened: recipient and expiry; its reason stays encrypted on the share, not here."""
    record(
        user,
        Action.SHARE_GRANTED,
        OBJ_CASE,
        share.case_id,
        recipient=f"force:{share.recipient_force.code}",
        details={"share_id": share.pk, "expires_at": share.expires_at.isoformat()},
    )


def share_revoked(user: User, share: CaseShare) -> None:
    record(
        user,
        Action.SHARE_REVOKED,
        OBJ_CASE,
        share.case_id,
        recipient=f"force:{share.recipient_force.code}",
        details={"share_id": share.pk},
    )
