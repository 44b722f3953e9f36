"""Every write to a case, one function per user action: the commands of the registry
(`cases.commands`), each as a function of (user, case id, input), and the two writes that are not
steps on an existing case's lifecycle: creating a case from a referral, and sharing it with
another force.

Module layout of the case service (for anyone building a view):
- `cases.services` (this module): writes. Each function takes the acting user first, then the
  case id, then the input (a `cases.schemas` model or a plain mapping of the same fields), and
  returns the record it changed.
- `cases.commands`: what each step is (input, permission, workflow event, handler, API route,
  page) and the one runner that takes every step the same way (`cases.commands.runner`).
- `cases.queries`: reads (case detail, worklists, alerts, dashboard counts).
- `cases.errors`: the exceptions raised here; each carries an HTTP status and field-path details:
  `ValidationFailed` (422), `PermissionDenied` (403), `NotFound` (404), `ConflictError` (409,
  stale version), `IllegalTransition` (409, workflow refuses the step).
- `cases.schemas`: the input models; `cases.workflow`: the state machine; `cases.permissions`:
  who may do what; `cases.decisions`: the calls into the decision core.

Every write runs in one transaction and writes the DPA 2018 s.62 audit entries (`cases.trail`) in
it: collection on referral, alteration on every step, combination on assessment, share grants
and revocations, erasure. Personal data and free text are encrypted at rest by the model fields
themselves (`riskroute.crypto.fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from riskroute.accounts.models import Force, Role, Unit, User
from riskroute.cases import safeguarding, trail
from riskroute.cases.commands import bound, support
from riskroute.cases.commands.runner import parse
from riskroute.cases.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from riskroute.cases.formats import show_date
from riskroute.cases.models import Case, CaseEvent, CaseShare, Referral, Subject
from riskroute.cases.permissions import allowed
from riskroute.cases.schemas import ReferralIn, ShareIn
from riskroute.core.errors import from_validation_error
from riskroute.core.facts import CaseFacts
from riskroute.core.law.offences import offence_for

# The steps on a case, each run by the registry's runner.
update_facts = bound("update_facts")
assign_case = bound("assign_case")
record_enforcement = bound("record_enforcement")
run_assessment = bound("run_assessment")
record_safeguarding = bound("record_safeguarding")
link_children = bound("link_children")
propose_disposal = bound("propose_disposal")
approve_disposal = bound("approve_disposal")
reject_disposal = bound("reject_disposal")
record_caution = bound("record_caution")
refer_to_provider = bound("refer_to_provider")
set_mappa_level = bound("set_mappa_level")
record_notification = bound("record_notification")
record_attendance = bound("record_attendance")
complete_caution = bound("complete_caution")
record_breach = bound("record_breach")
update_prosecution = bound("update_prosecution")
record_outcome = bound("record_outcome")
close_case = bound("close_case")
record_review = bound("record_review")
erase_case = bound("erase_case")
correct_record = bound("correct_record")


def _unit_of_force(user: User, unit_id: int) -> bool:
    """Whether the unit is one of the user's force's; the user's own unit is read once per user
    object (an import asks for every line), another unit each time."""
    if unit_id == user.unit_id and user.unit is not None:
        return user.unit.force_id == user.force_id
    return user.force_id is not None and Unit.objects.filter(pk=unit_id, force_id=user.force_id).exists()


def _next_reference(case: Case) -> str:
    return f"{case.force.code.upper()}-{case.received_on:%Y}-{case.pk:05d}"


@transaction.atomic
def create_referral(
    user: User, data: ReferralIn | Mapping[str, Any], *, source_reference: str | None = None
) -> Case:
    """Create a case from a referral, with its subject and known facts, and prioritise it.

    The creator needs the investigator or supervisor role in a force; the case belongs to that
    force. If the facts do not give the subject's age, it is taken from the date of birth on
    the received date (a fact known for certain). `source_reference` (bulk intake) is the
    source's own reference for the referral, recorded as its `Referral` in the same transaction.
    """
    payload = parse(ReferralIn, data)
    if not allowed("create_case", user) or user.force_id is None:
        raise PermissionDenied("only investigators and supervisors of a force may create cases")
    support.not_future("received_on", payload.received_on)
    if payload.subject.date_of_birth >= payload.received_on:
        raise ValidationFailed.field("subject.date_of_birth", "must be before the received date")
    unit_id = payload.unit_id if payload.unit_id is not None else user.unit_id
    if unit_id is None or user.force is None or not _unit_of_force(user, unit_id):
        raise ValidationFailed.field("unit_id", "choose a unit of your force")
    if payload.assigned_to_id is not None:
        assignee: User | None = support.assignee(user, payload.assigned_to_id, "assigned_to_id")
    else:
        assignee = user if user.has_role(Role.INVESTIGATOR) else None
    facts = payload.facts
    support.refuse_typed_safeguarding(None, facts)
    document = facts.model_dump(mode="json")
    if facts.subject.age is None:
        document["subject"]["age"] = support.age_on(payload.subject.date_of_birth, payload.received_on)
    if facts.offence.activities is None and payload.suspected_activities:
        document["offence"]["activities"] = list(payload.suspected_activities)
    try:
        facts = CaseFacts.model_validate(document)
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc, "facts").details) from exc
    support.check_age_against_birth(facts, payload.subject.date_of_birth, payload.received_on)
    case = Case(
        reference=f"pending-{timezone.now().timestamp()}-{user.pk}",
        force=user.force,  # the loaded force, so the reference below needs no query for its code
        unit_id=unit_id,
        assigned_to=assignee,
        created_by=user,
        referral_source=payload.source,
        received_on=payload.received_on,
        summary=payload.summary,
        suspected_activities=list(payload.suspected_activities),
        offence=payload.offence or offence_for(payload.suspected_activities),
        # a new case has no safeguarding record
        facts=safeguarding.derived_fact(support.dump(facts), None),
    )
    # Prioritised before it is inserted, so the case is written with its band; only the
    # reference, made from its id, is written after (no counted date: the monthly counts read nothing).
    change, priority = support.prioritise(case, user, "referral received")
    case.save()
    case.reference = _next_reference(case)
    case.save(update_fields=["reference", "updated_at"])
    if priority is not None:
        priority.save()
    subject = Subject(case=case, full_name=payload.subject.full_name, address=payload.subject.address)
    subject.date_of_birth = payload.subject.date_of_birth  # an encrypted date: the stubs see a text field
    subject.save()
    CaseEvent.objects.create(
        case=case,
        actor=user,
        action="create_referral",
        from_state="",
        to_state=case.state,
        version=case.version,
        summary=f"Referral from {case.get_referral_source_display()} received {show_date(case.received_on)}",
        data={"priority": change},
    )
    trail.collected(user, case, sorted(payload.model_fields_set))
    if source_reference is not None:
        record_referral(user, case, payload.source, source_reference, payload.received_on)
    return case


def record_referral(
    user: User, case: Case, source: str, external_reference: str, received_on: dt.date
) -> Referral:
    """One referral of the case as its source identified it (unique per force, source and
    reference: a second import of the same line fails here rather than adding a copy)."""
    return Referral.objects.create(
        case=case,
        force_id=case.force_id,
        source=source,
        external_reference=external_reference,
        received_on=received_on,
        created_by=user,
    )


@transaction.atomic
def grant_share(user: User, case_id: int, data: ShareIn | Mapping[str, Any]) -> CaseShare:
    """Let another force read this case until the share expires (supervisors and administrators).

    The share does not change the case, so it quotes no version and leaves the version alone; it
    is logged as `share_granted` with the reason and the recipient force, in this transaction.
    """
    payload = parse(ShareIn, data)
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    if not allowed("share", user, case):
        raise PermissionDenied(f"you may not share case {case.reference}")
    if case.personal_data_erased_on is not None:
        raise IllegalTransition("grant_share", case.state, "its personal data has been erased")
    force = Force.objects.filter(code=payload.recipient_force).exclude(pk=case.force_id).first()
    if force is None:
        raise ValidationFailed.field("recipient_force", "no other force has this code")
    share = CaseShare.objects.create(
        case=case,
        recipient_force=force,
        granted_by=user,
        expires_at=timezone.now() + dt.timedelta(days=payload.days),
        reason=payload.reason,
    )
    trail.share_granted(user, share)
    return share


@transaction.atomic
def revoke_share(user: User, case_id: int, share_id: int) -> CaseShare:
    """End a share now (supervisors and administrators of the owning force); logged as `share_revoked`."""
    share = (
        CaseShare.objects.select_for_update()
        .select_related("case", "recipient_force")
        .filter(pk=share_id, case_id=case_id)
        .first()
    )
    if share is None or not allowed("view_case", user, share.case):
        raise NotFound(f"share {share_id} of case {case_id} not found")
    if not allowed("share", user, share.case):
        raise PermissionDenied(f"you may not change the shares of case {share.case.reference}")
    if share.revoked_at is not None:
        raise ValidationFailed.field("share_id", "this share is already revoked")
    share.revoked_at, share.revoked_by = timezone.now(), user
    share.save()
    trail.share_revoked(user, share)
    return share
