"""Every write to a case, as one function per user action. Views and the API call only these.

Module layout of the case service (for anyone building a view):
- `cases.services` (this module): writes. Each function takes the acting user first, then the
  case id, then the input (a `cases.schemas` model or a plain mapping of the same fields), and
  returns the record it changed.
- `cases.queries`: reads (case detail, worklists, alerts, dashboard counts, next actions).
- `cases.errors`: the exceptions raised here; each carries an HTTP status and field-path details:
  `ValidationFailed` (422), `PermissionDenied` (403), `NotFound` (404), `ConflictError` (409,
  stale version), `IllegalTransition` (409, workflow refuses the step).
- `cases.schemas`: the input models; `cases.workflow`: the state machine; `cases.permissions`:
  who may do what; `cases.decisions`: the calls into the decision core.

Every write runs in one transaction: it locks the case row, checks scope, checks the version the
caller read (a stale one raises ConflictError, so no update is ever lost), writes its records,
fires the workflow event if the step has one, bumps `Case.version` and appends a `CaseEvent`. Any
refusal rolls the whole transaction back, so a refused step changes nothing. The same transaction
writes the DPA 2018 s.62 audit entries (`cases.trail`): collection on referral, alteration in
`_commit`, combination on assessment, share grants and revocations, erasure. Personal data and
free text are encrypted at rest by the model fields themselves (`riskroute.crypto.fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from riskroute.accounts.models import Force, ProviderOrganisation, Role, User
from riskroute.cases import decisions, retention, safeguarding, timeline, trail
from riskroute.cases.errors import (
    ConflictError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from riskroute.cases.formats import show_date
from riskroute.cases.models import (
    Assessment,
    Attendance,
    Breach,
    Case,
    CaseEvent,
    CaseShare,
    ChildLink,
    Closure,
    ConditionalCaution,
    DisposalProposal,
    Enforcement,
    Mappa,
    NotificationRecord,
    PriorityRecord,
    Prosecution,
    RecordReview,
    Safeguarding,
    Subject,
)
from riskroute.cases.permissions import allowed
from riskroute.cases.schemas import (
    AssessmentIn,
    AssignIn,
    AttendanceIn,
    BreachIn,
    CautionIn,
    ChildLinkIn,
    CloseIn,
    CompletionIn,
    DecisionIn,
    EnforcementIn,
    ErasureIn,
    FactsIn,
    MappaIn,
    NotifiedIn,
    OutcomeIn,
    ProposalIn,
    ProsecutionIn,
    ProviderReferralIn,
    ReferralIn,
    ReviewIn,
    SafeguardingIn,
    ShareIn,
)
from riskroute.cases.vocabulary import DisposalKind, ProposalStatus, ReviewOutcome
from riskroute.cases.workflow import fire
from riskroute.core import diversion
from riskroute.core.errors import ErrorDetail, InvalidInput, from_validation_error
from riskroute.core.facts import CaseFacts
from riskroute.core.law import sentences
from riskroute.core.law.offences import offence_for, sentencing_activity

__all__ = [
    "approve_disposal",
    "assign_case",
    "close_case",
    "complete_caution",
    "create_referral",
    "link_children",
    "propose_disposal",
    "record_attendance",
    "record_breach",
    "record_caution",
    "record_enforcement",
    "record_notification",
    "record_outcome",
    "record_review",
    "record_safeguarding",
    "refer_to_provider",
    "reject_disposal",
    "revoke_share",
    "run_assessment",
    "set_mappa_level",
    "update_facts",
    "update_prosecution",
]

M = TypeVar("M", bound=BaseModel)

#: States from which a case may be referred to a rehabilitation provider (a caution approved or in force).
REFERRABLE_TO_PROVIDER = frozenset({"diversion_approved", "caution_active"})
#: The exceptional conditional-caution completion window (weeks); 16 is the normal one (law.md §4).
EXCEPTIONAL_WINDOW_WEEKS = 20


# --- plumbing -------------------------------------------------------------------------------


def _parse(model: type[M], data: M | Mapping[str, Any]) -> M:
    """Accept a model instance or a mapping (form data); report problems with field paths."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc).details) from exc


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(path: str, value: dt.date | None) -> None:
    if value is not None and value > _today():
        raise ValidationFailed.field(path, "must not be in the future")


def _open(user: User, case_id: int, version: int, permission: str, *, erased_ok: bool = False) -> Case:
    """Lock the case row and check scope, permission and version, in that order; a case whose
    personal data is erased takes no further steps but its retention review (`erased_ok`)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not allowed("view_case", user, case):
        raise NotFound(f"case {case_id} not found")
    if not allowed(permission, user, case):
        raise PermissionDenied(f"you may not do this on case {case.reference}")
    if case.version != version:
        raise ConflictError(case.version)
    if case.personal_data_erased_on is not None and not erased_ok:
        raise IllegalTransition(
            permission,
            case.state,
            "its personal data has been erased; the record can be reviewed, not changed",
        )
    return case


def _names(payload: BaseModel) -> list[str]:
    """The input fields the caller set (the alteration entry names fields, never values)."""
    return sorted(name for name in payload.model_fields_set if name != "version")


def _commit(
    payload: BaseModel,
    case: Case,
    user: User,
    action: str,
    before: str,
    summary: str,
    data: dict[str, Any] | None = None,
    *,
    log_alteration: bool = True,
) -> None:
    """Bump the version (compare-and-set on the version read), append the history event, and log
    the alteration (s.62) in the same transaction: every write finishes here."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(version=case.version + 1)
    if updated != 1:  # cannot happen under the row lock; kept as the last line of defence
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise ConflictError(current or case.version)
    case.version += 1
    _derive_safeguarding(case)
    case.save()
    CaseEvent.objects.create(
        case=case,
        actor=user,
        action=action,
        from_state=before,
        to_state=case.state,
        version=case.version,
        summary=summary[:300],
        data=data or {},
    )
    if log_alteration:
        fields = _names(payload) + (["state"] if case.state != before else [])
        trail.altered(user, case, action, fields + [k for k in ("priority",) if (data or {}).get(k)])


def _facts(case: Case) -> CaseFacts:
    return CaseFacts.model_validate(case.facts)


def _safeguarding_record(case: Case) -> Safeguarding | None:
    return Safeguarding.objects.filter(case=case).first() if case.pk else None


def _derive_safeguarding(case: Case) -> None:
    """Set `process.safeguarding_checks_complete` from the safeguarding record (never by hand)."""
    case.facts = safeguarding.derived_fact(case.facts, _safeguarding_record(case))


def _refuse_typed_safeguarding(case: Case | None, facts: CaseFacts) -> None:
    """A caller may repeat the derived value (a facts document read back), never set another one."""
    sent = facts.process.safeguarding_checks_complete
    if sent is None:
        return
    record = _safeguarding_record(case) if case is not None else None
    derived = safeguarding.status(facts.model_dump(mode="json"), record).complete
    if sent != derived:
        raise ValidationFailed.field(
            f"facts.{safeguarding.FACT_PATH}",
            "is derived from the safeguarding record; record the safeguarding steps instead",
        )


def _nothing_changed() -> ValidationFailed:
    return ValidationFailed.field("$", "nothing was entered or changed, so nothing was saved")


def _blank(value: Any) -> Any:
    return None if value == "" else value


def _changed(record: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The submitted fields whose value differs from the stored record's (blank and None alike)."""
    return {
        name: value
        for name, value in fields.items()
        if _blank(value) != _blank(getattr(record, name, None) if record is not None else None)
    }


def _dump(facts: CaseFacts) -> dict[str, Any]:
    return facts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_age_against_birth(facts: CaseFacts, born: dt.date | None, received_on: dt.date) -> None:
    """The age in the facts must agree with the date of birth: the CPORT age item reads the age,
    so a lower age typed by mistake would change the assessment. It may be the age on any day
    from the referral to today (facts are recorded over time)."""
    age = facts.subject.age
    if age is None or born is None:
        return
    low, high = _age_on(born, received_on), _age_on(born, timezone.localdate())
    if not low <= age <= high:
        gives = f"{low}" if low == high else f"{low} to {high}"
        raise ValidationFailed.field(
            "facts.subject.age", f"disagrees with the date of birth, which gives {gives}"
        )


def _reprioritise(case: Case, user: User, reason: str) -> dict[str, Any] | None:
    """Run the priority tree; record a history row when band or target changed. Returns the change."""
    result = decisions.priority(_facts(case))
    band, target = result.get("band"), result.get("target_days")
    if band is None or target is None:
        return None
    deadline = case.received_on + dt.timedelta(days=int(target))
    if (case.priority_band, case.priority_target_days, case.action_deadline) == (band, target, deadline):
        return None
    previous = case.priority_band
    case.priority_band, case.priority_target_days, case.action_deadline = band, int(target), deadline
    PriorityRecord.objects.create(
        case=case,
        band=band,
        target_days=int(target),
        action_deadline=deadline,
        reason=reason[:200],
        output=result,
        created_by=user,
    )
    return {
        "from": previous or None,
        "to": band,
        "target_days": int(target),
        "action_deadline": deadline.isoformat(),
    }


def _merge_facts(case: Case, changes: dict[str, dict[str, Any]]) -> None:
    """Set facts sections from recorded evidence, re-validated by the core's CaseFacts."""
    document = _facts(case).model_dump(mode="json")
    for section, values in changes.items():
        target = document.setdefault(section, {})
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = target[key] | value  # e.g. one image category, the others kept
            else:
                target[key] = value
    try:
        case.facts = _dump(CaseFacts.model_validate(document))
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc, "facts").details) from exc


def _assignee(user: User, other_id: int, path: str) -> User:
    """The one assignment rule (referral and `/assignment` alike): an active investigator of the
    acting user's force."""
    other = User.objects.filter(pk=other_id, force__isnull=False, force=user.force, is_active=True).first()
    if other is None:
        raise ValidationFailed.field(path, "no active user with this id in your force")
    if not other.has_role(Role.INVESTIGATOR):
        raise ValidationFailed.field(path, "cases can only be assigned to investigators")
    return other


def _next_reference(case: Case) -> str:
    return f"{case.force.code.upper()}-{case.received_on:%Y}-{case.pk:05d}"


# --- 1-2. referral, facts and priority ------------------------------------------------------


@transaction.atomic
def create_referral(user: User, data: ReferralIn | Mapping[str, Any]) -> Case:
    """Create a case from a referral, with its subject and known facts, and prioritise it.

    The creator needs the investigator or supervisor role in a force; the case belongs to that
    force. If the facts do not give the subject's age, it is taken from the date of birth on
    the received date (a fact known for certain).
    """
    payload = _parse(ReferralIn, data)
    if not allowed("create_case", user) or user.force_id is None:
        raise PermissionDenied("only investigators and supervisors of a force may create cases")
    _not_future("received_on", payload.received_on)
    if payload.subject.date_of_birth >= payload.received_on:
        raise ValidationFailed.field("subject.date_of_birth", "must be before the received date")
    unit_id = payload.unit_id if payload.unit_id is not None else user.unit_id
    if unit_id is None or not user.force or not user.force.units.filter(pk=unit_id).exists():
        raise ValidationFailed.field("unit_id", "choose a unit of your force")
    if payload.assigned_to_id is not None:
        assignee: User | None = _assignee(user, payload.assigned_to_id, "assigned_to_id")
    else:
        assignee = user if user.has_role(Role.INVESTIGATOR) else None
    facts = payload.facts
    _refuse_typed_safeguarding(None, facts)
    document = facts.model_dump(mode="json")
    if facts.subject.age is None:
        document["subject"]["age"] = _age_on(payload.subject.date_of_birth, payload.received_on)
    if facts.offence.activities is None and payload.suspected_activities:
        document["offence"]["activities"] = list(payload.suspected_activities)
    try:
        facts = CaseFacts.model_validate(document)
    except ValidationError as exc:
        raise ValidationFailed(from_validation_error(exc, "facts").details) from exc
    _check_age_against_birth(facts, payload.subject.date_of_birth, payload.received_on)
    case = Case.objects.create(
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
        facts=_dump(facts),
    )
    case.facts = safeguarding.derived_fact(case.facts, None)  # a new case has no safeguarding record
    case.reference = _next_reference(case)
    subject = Subject(case=case, full_name=payload.subject.full_name, address=payload.subject.address)
    subject.date_of_birth = payload.subject.date_of_birth  # an encrypted date: the stubs see a text field
    subject.save()
    change = _reprioritise(case, user, "referral received")
    case.save()
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
    trail.collected(user, case, _names(payload))
    return case


@transaction.atomic
def update_facts(user: User, case_id: int, data: FactsIn | Mapping[str, Any]) -> Case:
    """Replace the case facts (validated by the core) and re-prioritise, keeping history."""
    payload = _parse(FactsIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    if case.state not in {"referral", "investigation", "assessed"}:
        raise IllegalTransition("update_facts", case.state, "facts are fixed once a disposal is proposed")
    _refuse_typed_safeguarding(case, payload.facts)
    before = case.state
    _check_age_against_birth(payload.facts, case.subject.date_of_birth, case.received_on)
    facts = safeguarding.derived_fact(_dump(payload.facts), _safeguarding_record(case))
    if facts == case.facts:
        raise _nothing_changed()
    case.facts = facts
    change = _reprioritise(case, user, "facts updated")
    _commit(payload, case, user, "update_facts", before, "Facts updated", {"priority": change})
    return case


@transaction.atomic
def assign_case(user: User, case_id: int, data: AssignIn | Mapping[str, Any]) -> Case:
    """Assign the case to an investigator of the same force (supervisors and administrators)."""
    payload = _parse(AssignIn, data)
    case = _open(user, case_id, payload.version, "assign")
    assignee = _assignee(user, payload.assigned_to_id, "assigned_to_id")
    case.assigned_to = assignee
    _commit(
        payload,
        case,
        user,
        "assign_case",
        case.state,
        f"Assigned to {assignee.get_full_name() or assignee.username}",
    )
    return case


@transaction.atomic
def refer_to_provider(user: User, case_id: int, data: ProviderReferralIn | Mapping[str, Any]) -> Case:
    """Refer the case to a rehabilitation provider organisation (or withdraw it with null).

    Only once a caution is approved or in force: an external provider has no business with a case
    before then (it would see the subject's name). Withdrawal is allowed in any state.
    """
    payload = _parse(ProviderReferralIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    provider = None
    if payload.provider_organisation_id is not None:
        if case.state not in REFERRABLE_TO_PROVIDER:
            raise IllegalTransition(
                "refer_to_provider", case.state, "only an approved or active caution is referred"
            )
        provider = ProviderOrganisation.objects.filter(pk=payload.provider_organisation_id).first()
        if provider is None:
            raise ValidationFailed.field("provider_organisation_id", "no such provider organisation")
    case.provider_organisation = provider
    _commit(
        payload,
        case,
        user,
        "refer_to_provider",
        case.state,
        f"Referred to {provider}" if provider else "Referral withdrawn",
    )
    return case


# --- 3. enforcement -------------------------------------------------------------------------


#: Enforcement answers kept only as case facts (the facts are their record).
_ENFORCEMENT_FACTS_ONLY = frozenset({"peer_to_peer_sharing"})


@transaction.atomic
def record_enforcement(user: User, case_id: int, data: EnforcementIn | Mapping[str, Any]) -> Case:
    """Record warrant/arrest dates, devices and the forensic summary (counts only).

    The forensic counts become case facts (and re-prioritise). An arrest date moves a referral
    into investigation; the first of warrant or arrest marks enforcement action taken.
    """
    payload = _parse(EnforcementIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    if case.state not in {"referral", "investigation", "assessed"}:
        raise IllegalTransition(
            "record_enforcement", case.state, "enforcement is recorded before the decision"
        )
    for name in ("warrant_on", "arrested_on"):
        _not_future(name, getattr(payload, name))
    timeline.check(
        "record_enforcement", case, {"warrant_on": payload.warrant_on, "arrested_on": payload.arrested_on}
    )
    before = case.state
    existing = Enforcement.objects.filter(case=case).first()
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    if not _changed(existing or Enforcement(), fields):
        raise _nothing_changed()
    enforcement, _ = Enforcement.objects.get_or_create(case=case)
    for name, value in fields.items():
        if name in _ENFORCEMENT_FACTS_ONLY:
            continue
        setattr(enforcement, name, "" if name == "youngest_depicted" and value is None else value)
    enforcement.save()
    offence: dict[str, Any] = {}
    counts = {k.upper(): fields[f"count_{k}"] for k in "abc" if fields.get(f"count_{k}") is not None}
    if counts:
        offence["image_counts"] = counts
    for source, target in (
        ("youngest_depicted", "youngest_depicted"),
        ("videos", "csem_videos"),
        ("stories", "csem_stories"),
        ("collection_span_years", "collection_span_years"),
        ("peer_to_peer_sharing", "peer_to_peer_sharing"),
    ):
        if fields.get(source) is not None:
            # A question left unanswered ("Not known") keeps the answer the facts already hold.
            offence[target] = fields[source]
    if fields.get("distribution_evidence"):
        activities = set(_facts(case).offence.activities or [])
        offence["activities"] = sorted(activities | {"distribution"})
    if offence:
        _merge_facts(case, {"offence": offence})
    dates = [d for d in (enforcement.warrant_on, enforcement.arrested_on) if d is not None]
    case.action_taken_on = min(dates) if dates else None
    if case.state == "referral" and enforcement.arrested_on is not None:
        fire(case, "record_arrest")
    change = _reprioritise(case, user, "forensic summary recorded") if offence else None
    _commit(payload, case, user, "record_enforcement", before, "Enforcement recorded", {"priority": change})
    return case


# --- 4. safeguarding ------------------------------------------------------------------------


@transaction.atomic
def record_safeguarding(user: User, case_id: int, data: SafeguardingIn | Mapping[str, Any]) -> Case:
    """Record the social-care referral, strategy discussion, s.47 outcome and children safeguarded,
    and for a subject in a position of trust the LADO, employer or regulator and DBS steps. The
    record decides `process.safeguarding_checks_complete` (`cases.safeguarding`)."""
    payload = _parse(SafeguardingIn, data)
    case = _open(user, case_id, payload.version, "safeguard")
    if case.state == "closed":
        raise IllegalTransition("record_safeguarding", case.state)
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    for name, value in fields.items():
        if name.endswith("_on"):
            _not_future(name, value)
    if fields.get("children_safeguarded") is None and "children_safeguarded" in fields:
        fields["children_safeguarded"] = 0
    for name in ("s47_outcome", "employer_or_regulator", "dbs_decision"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    record = _safeguarding_record(case)
    changes = _changed(record or Safeguarding(), fields)
    if not changes:
        raise _nothing_changed()
    stored = {name: getattr(record, name) for name in SafeguardingIn.model_fields if hasattr(record, name)}
    values = {**stored, **fields}
    if values.get("children_safeguarded") and not values.get("safeguarded_on"):
        raise ValidationFailed.field("safeguarded_on", "give the date the children were safeguarded")
    timeline.check("record_safeguarding", case, values)
    record, _ = Safeguarding.objects.get_or_create(case=case)
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    _commit(
        payload,
        case,
        user,
        "record_safeguarding",
        case.state,
        "Safeguarding recorded",
        {"fields": sorted(changes)},
    )
    return case


@transaction.atomic
def link_children(user: User, case_id: int, data: ChildLinkIn | Mapping[str, Any]) -> ChildLink:
    """Record children the subject has access to; this sets the access fact to yes (conservative)."""
    payload = _parse(ChildLinkIn, data)
    case = _open(user, case_id, payload.version, "safeguard")
    if case.state == "closed":
        raise IllegalTransition("link_children", case.state)
    link = ChildLink.objects.create(
        case=case, relationship=payload.relationship, age_band=payload.age_band, count=payload.count
    )
    _merge_facts(case, {"access_to_children": {payload.relationship: True}})
    change = _reprioritise(case, user, f"children linked ({payload.relationship})")
    _commit(
        payload,
        case,
        user,
        "link_children",
        case.state,
        f"{payload.count} child(ren) linked: {link.get_relationship_display()}",
        {"priority": change},
    )
    return link


# --- 5. assessment --------------------------------------------------------------------------


@transaction.atomic
def run_assessment(user: User, case_id: int, data: AssessmentIn | Mapping[str, Any]) -> Assessment:
    """Run triage under the force's policy (and OSP if its inputs are given); store it all."""
    payload = _parse(AssessmentIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    before = case.state
    fire(case, "assess")
    extra = {
        k.replace("_", "-"): v for k, v in (("osp_dc", payload.osp_dc), ("osp_iic", payload.osp_iic)) if v
    }
    try:
        result = decisions.assess(_facts(case), case.force.policy_id, extra)
    except InvalidInput as exc:
        raise ValidationFailed(exc.details) from exc
    triage = result["triage"]
    assessment = Assessment.objects.create(
        case=case,
        created_by=user,
        facts=case.facts,
        policy_id=triage["policy"]["id"],
        policy_version=str(triage["policy"]["version"]),
        policy_sha256=triage["policy"]["sha256"],
        recommendation=triage["recommendation"],
        triage=triage,
        instruments=result["instruments"],
    )
    _commit(
        payload,
        case,
        user,
        "run_assessment",
        before,
        f"Assessment recorded: {assessment.recommendation.replace('_', ' ')}",
        {"assessment_id": assessment.pk},
    )
    trail.combined(user, case, assessment.pk)
    return assessment


# --- 6. disposal decision -------------------------------------------------------------------

_RECOMMENDED_KIND = {"divert": DisposalKind.DIVERSION, "prosecute": DisposalKind.CHARGE}


@transaction.atomic
def propose_disposal(user: User, case_id: int, data: ProposalIn | Mapping[str, Any]) -> DisposalProposal:
    """Propose diversion, a charge file or no further action, resting on the current assessment.

    Diversion needs the subject's admission and consent and an exceptional-circumstances
    justification (the DPP guidance route, law.md §4). Any departure from the recommendation
    needs reasons; a `needs_information` recommendation cannot support diversion at all.
    """
    payload = _parse(ProposalIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    before = case.state
    fire(case, "propose")
    assessment = case.assessments.order_by("-created_at", "-id").first()
    assert assessment is not None  # the workflow guard requires a current assessment
    recommendation = assessment.recommendation
    if payload.kind == "diversion":
        problems = diversion.diversion_problems(
            admission=payload.admission,
            consent=payload.consent,
            exceptional_circumstances=payload.exceptional_circumstances,
            recommendation=recommendation,
            triage=assessment.triage,
        )
        if problems:
            raise ValidationFailed(problems)
    departs = _RECOMMENDED_KIND.get(recommendation) not in (None, payload.kind)
    if departs and not payload.departure_reason.strip():
        raise ValidationFailed.field(
            "departure_reason",
            f"the recommendation was '{recommendation}'; give the reasons for departing from it",
        )
    proposal = DisposalProposal.objects.create(
        case=case,
        kind=payload.kind,
        assessment=assessment,
        recommendation=recommendation,
        departs_from_recommendation=departs,
        departure_reason=payload.departure_reason,
        reason=payload.reason,
        admission=payload.admission,
        consent=payload.consent,
        exceptional_circumstances=payload.exceptional_circumstances,
        proposed_by=user,
    )
    _commit(
        payload,
        case,
        user,
        "propose_disposal",
        before,
        f"Proposed: {proposal.get_kind_display()}" + (" (departs from recommendation)" if departs else ""),
        {"proposal_id": proposal.pk},
    )
    return proposal


def _pending_proposal(user: User, case: Case) -> DisposalProposal:
    proposal = case.proposals.filter(status=ProposalStatus.PENDING).order_by("-id").first()
    if proposal is None:
        raise IllegalTransition("decide", case.state, "there is no proposal awaiting a decision")
    if proposal.proposed_by_id == user.pk:
        raise PermissionDenied("nobody may approve or reject their own proposal")
    return proposal


_APPROVAL_EVENT = {
    DisposalKind.DIVERSION: "approve_diversion",
    DisposalKind.CHARGE: "approve_charge",
    DisposalKind.NO_FURTHER_ACTION: "approve_no_further_action",
}


@transaction.atomic
def approve_disposal(user: User, case_id: int, data: DecisionIn | Mapping[str, Any]) -> DisposalProposal:
    """A second person, a supervisor of the same force, approves the pending proposal."""
    payload = _parse(DecisionIn, data)
    case = _open(user, case_id, payload.version, "approve")
    before = case.state
    if case.state != "decision_pending":
        raise IllegalTransition("approve_disposal", case.state)
    proposal = _pending_proposal(user, case)
    if proposal.kind == DisposalKind.DIVERSION:
        # The facts may have changed since the assessment (children linked, say): check them again.
        current = decisions.assess(_facts(case), case.force.policy_id, {})["triage"]
        problems = diversion.safety_problems(proposal.assessment.triage) or diversion.safety_problems(current)
        if problems:
            raise ValidationFailed(
                [{"path": "decision", "message": f"{p['message']}; reject the proposal"} for p in problems]
            )
    if proposal.departs_from_recommendation and not payload.reason.strip():
        raise ValidationFailed.field(
            "reason", "the proposal departs from the recommendation; give the reasons for approving it"
        )
    fire(case, _APPROVAL_EVENT[DisposalKind(proposal.kind)])
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = user, timezone.now(), payload.reason
    proposal.save()
    if proposal.kind == DisposalKind.CHARGE:
        Prosecution.objects.create(case=case, origin="charge_decision")
    _commit(
        payload,
        case,
        user,
        "approve_disposal",
        before,
        f"Approved: {proposal.get_kind_display()}",
        {"proposal_id": proposal.pk},
    )
    return proposal


@transaction.atomic
def reject_disposal(user: User, case_id: int, data: DecisionIn | Mapping[str, Any]) -> DisposalProposal:
    """A supervisor (not the proposer) rejects the proposal, with reasons; the case returns to assessed."""
    payload = _parse(DecisionIn, data)
    if not payload.reason.strip():
        raise ValidationFailed.field("reason", "give the reasons for rejecting the proposal")
    case = _open(user, case_id, payload.version, "approve")
    before = case.state
    if case.state != "decision_pending":
        raise IllegalTransition("reject_disposal", case.state)
    proposal = _pending_proposal(user, case)
    fire(case, "reject")
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = user, timezone.now(), payload.reason
    proposal.save()
    _commit(
        payload,
        case,
        user,
        "reject_disposal",
        before,
        f"Rejected: {proposal.get_kind_display()}",
        {"proposal_id": proposal.pk},
    )
    return proposal


# --- 7. conditional caution, notification, MAPPA --------------------------------------------


def _subject_age(case: Case, on: dt.date) -> int:
    return _age_on(case.subject.date_of_birth, on)


def _offence_date(case: Case) -> dt.date:
    return case.received_on


def _notify(case: Case, basis: str, disposal: dict[str, Any], relevant_date: dt.date) -> NotificationRecord:
    """Compute notification with the core and make it the current record (older ones kept)."""
    facts = _facts(case)
    try:
        result = decisions.notification(
            offence=case.offence,
            youngest_depicted=facts.offence.youngest_depicted or "unknown",
            age_at_offence=_subject_age(case, _offence_date(case)),
            age_on_relevant_date=_subject_age(case, relevant_date),
            disposal=disposal,
            relevant_date=relevant_date,
        )
    except InvalidInput as exc:
        raise ValidationFailed(exc.details) from exc
    ends_on = dt.date.fromisoformat(result["ends_on"]) if result.get("ends_on") else None
    initial_due = (
        dt.date.fromisoformat(result["initial_notification_due"])
        if result.get("initial_notification_due")
        else None
    )
    period = result.get("period") or {}
    case.notifications.filter(current=True).update(current=False)
    return NotificationRecord.objects.create(
        case=case,
        basis=basis,
        relevant_date=relevant_date,
        notifiable=result.get("notifiable"),
        period_years=period.get("years"),
        indefinite=bool(period.get("indefinite")),
        ends_on=ends_on,
        initial_due=initial_due,
        renotification_dates=[],
        output=result,
    )


#: Which input field to name when the core's conditional-caution check fails a rule.
_CAUTION_RULE_PATHS = {
    "age": "subject.date_of_birth",
    "s23_evidence": "facts.process.sufficient_evidence_to_charge",
    "s23_sufficient_evidence": "facts.process.sufficient_evidence_to_charge",
    "s23_admission": "proposal.admission",
    "s23_explanation_and_warning": "explained_and_warned",
    "s23_signed_document": "signed_on",
    "authoriser": "proposal.decided_by",
    "exceptional_circumstances": "proposal.exceptional_circumstances",
    "attendance_cap": "punitive_hours",
    "completion_window": "programme_deadline",
}


@transaction.atomic
def record_caution(user: User, case_id: int, data: CautionIn | Mapping[str, Any]) -> ConditionalCaution:
    """Record the conditions and signed document; compute notification and MAPPA; caution in force.

    The core checks the caution (CJA 2003 Part 3: age, the five s.23 requirements, sergeant-level
    authority, the 20-hour attendance cap excluding rehabilitation, the 16/20-week completion
    window). Only a check that passes on known facts is accepted: an unknown requirement refuses
    the caution just as a failed one does. The case is referred to the programme's provider.
    """
    payload = _parse(CautionIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    before = case.state
    if case.state != "diversion_approved":
        raise IllegalTransition("record_caution", case.state, "a caution needs an approved diversion")
    _not_future("signed_on", payload.signed_on)
    timeline.check("record_caution", case, {"signed_on": payload.signed_on})
    provider = ProviderOrganisation.objects.filter(pk=payload.provider_organisation_id).first()
    if provider is None:
        raise ValidationFailed.field("provider_organisation_id", "no such provider organisation")
    if payload.window_weeks == EXCEPTIONAL_WINDOW_WEEKS and not payload.exceptional_window_reason.strip():
        raise ValidationFailed.field("exceptional_window_reason", "the 20-week window needs a reason")
    approved = (
        case.proposals.filter(status=ProposalStatus.APPROVED, kind=DisposalKind.DIVERSION)
        .order_by("-id")
        .first()
    )
    assert approved is not None and approved.decided_by is not None  # the state guarantees an approval
    facts = _facts(case)
    check = decisions.caution_check(
        {
            "age": _subject_age(case, payload.signed_on),
            "evidence_of_offence": facts.process.sufficient_evidence_to_charge,
            "sufficient_evidence_to_charge": facts.process.sufficient_evidence_to_charge,
            "admits_offence": approved.admission,
            "explained_and_warned": payload.explained_and_warned,
            "signed_document_with_consent": bool(approved.consent),
            "authorised_by_sergeant_or_prosecutor": approved.decided_by.is_supervisor,
            "exceptional_circumstances_recorded": bool(approved.exceptional_circumstances.strip()),
            "attendance_hours": payload.reparative_hours + payload.punitive_hours,
            "caution_date": payload.signed_on,
            "completion_due": payload.programme_deadline,
            "exceptional_completion": payload.window_weeks == EXCEPTIONAL_WINDOW_WEEKS,
        }
    )
    if check["ok"] is not True:
        problems: list[ErrorDetail] = [
            {"path": _CAUTION_RULE_PATHS.get(v["rule"], "$"), "message": f"{v['message']} ({v['citation']})"}
            for v in check["violations"]
        ] + [
            {"path": _CAUTION_RULE_PATHS.get(m["rule"], m["field"]), "message": f"not known: {m['field']}"}
            for m in check["missing"]
        ]
        raise ValidationFailed(problems)
    caution = ConditionalCaution.objects.create(
        case=case,
        programme_name=payload.programme_name,
        provider=provider,
        sessions=payload.sessions,
        programme_deadline=payload.programme_deadline,
        window_weeks=payload.window_weeks,
        exceptional_window_reason=payload.exceptional_window_reason,
        reparative_hours=payload.reparative_hours,
        punitive_hours=payload.punitive_hours,
        other_conditions=payload.other_conditions,
        signed_on=payload.signed_on,
        checks=check,
    )
    case.provider_organisation = provider
    record = _notify(case, "conditional_caution", {"type": "conditional_caution"}, payload.signed_on)
    arrangements = decisions.mappa_arrangements(record.notifiable, diverted_low_risk=True)
    Mappa.objects.update_or_create(
        case=case,
        defaults={
            "category": arrangements["category"],
            "level": payload.mappa_level or arrangements["level"],
            "output": arrangements,
        },
    )
    fire(case, "administer_caution")
    _commit(
        payload,
        case,
        user,
        "record_caution",
        before,
        f"Conditional caution signed {show_date(payload.signed_on)}",
    )
    return caution


@transaction.atomic
def set_mappa_level(user: User, case_id: int, data: MappaIn | Mapping[str, Any]) -> Mappa:
    """Set the MAPPA management level once MAPPA arrangements exist (the category stays computed)."""
    payload = _parse(MappaIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    mappa = Mappa.objects.filter(case=case).first()
    if mappa is None or mappa.ended_on is not None or case.state == "closed":
        raise IllegalTransition("set_mappa_level", case.state, "no MAPPA arrangements are in place")
    previous = mappa.level
    mappa.level = payload.level
    mappa.save()
    _commit(
        payload,
        case,
        user,
        "set_mappa_level",
        case.state,
        f"MAPPA level {previous or 'unset'} -> {payload.level}",
    )
    return mappa


@transaction.atomic
def record_notification(user: User, case_id: int, data: NotifiedIn | Mapping[str, Any]) -> NotificationRecord:
    """Record that the subject notified (initially or periodically); sets the next annual dates."""
    payload = _parse(NotifiedIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    _not_future("notified_on", payload.notified_on)
    record = case.notifications.filter(current=True).first()
    if record is None or not record.notifiable or record.ended_on is not None:
        raise IllegalTransition("record_notification", case.state, "no notification requirement is in force")
    if payload.kind == "initial":
        if record.initial_notified_on is not None:
            raise ValidationFailed.field(
                "kind",
                f"the initial notification is already recorded ({show_date(record.initial_notified_on)})",
            )
        timeline.check("record_notification", case, {"notified_on": payload.notified_on})
        record.initial_notified_on = payload.notified_on
    elif record.initial_notified_on is None:
        raise ValidationFailed.field("kind", "record the initial notification first")
    else:
        timeline.check("record_periodic_notification", case, {"notified_on": payload.notified_on})
    record.last_notified_on = payload.notified_on
    record.renotification_dates = [
        d.isoformat() for d in decisions.renotification_dates(payload.notified_on, record.ends_on)
    ]
    record.save()
    _commit(
        payload,
        case,
        user,
        "record_notification",
        case.state,
        f"Notification ({payload.kind}) on {show_date(payload.notified_on)}",
    )
    return record


# --- 8. compliance --------------------------------------------------------------------------


@transaction.atomic
def record_attendance(user: User, case_id: int, data: AttendanceIn | Mapping[str, Any]) -> Attendance:
    """The provider (or offender manager) records one programme session, attended or missed."""
    payload = _parse(AttendanceIn, data)
    case = _open(user, case_id, payload.version, "record_attendance")
    if case.state != "caution_active":
        raise IllegalTransition(
            "record_attendance", case.state, "attendance is recorded while the caution is in force"
        )
    _not_future("session_on", payload.session_on)
    caution = case.caution
    if payload.session_number > caution.sessions:
        raise ValidationFailed.field("session_number", f"the programme has {caution.sessions} sessions")
    timeline.check("record_attendance", case, {"session_on": payload.session_on})
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                case=case,
                session_number=payload.session_number,
                session_on=payload.session_on,
                attended=payload.attended,
                note=payload.note,
                recorded_by=user,
            )
    except IntegrityError as exc:
        raise ValidationFailed.field("session_number", "this session is already recorded") from exc
    _commit(
        payload,
        case,
        user,
        "record_attendance",
        case.state,
        f"Session {payload.session_number} {'attended' if payload.attended else 'missed'}",
    )
    return attendance


@transaction.atomic
def complete_caution(user: User, case_id: int, data: CompletionIn | Mapping[str, Any]) -> Case:
    """Mark the conditions complete (every session attended; the workflow guard checks)."""
    payload = _parse(CompletionIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    _not_future("completed_on", payload.completed_on)
    timeline.check("complete_caution", case, {"completed_on": payload.completed_on})
    before = case.state
    fire(case, "complete_caution")
    case.caution.completed_on = payload.completed_on
    case.caution.save()
    _commit(
        payload,
        case,
        user,
        "complete_caution",
        before,
        f"Caution conditions completed {show_date(payload.completed_on)}",
    )
    return case


@transaction.atomic
def record_breach(user: User, case_id: int, data: BreachIn | Mapping[str, Any]) -> Breach:
    """Record a breach. Without reasonable excuse the caution ceases and the case goes to
    prosecution for the original offence (CJA 2003 s.24); the caution record stays as history."""
    payload = _parse(BreachIn, data)
    case = _open(user, case_id, payload.version, "manage_offender")
    if case.state != "caution_active":
        raise IllegalTransition(
            "record_breach", case.state, "a breach can only be recorded while the caution is in force"
        )
    _not_future("occurred_on", payload.occurred_on)
    timeline.check("record_breach", case, {"occurred_on": payload.occurred_on})
    if payload.reasonable_excuse and not payload.excuse_details.strip():
        raise ValidationFailed.field("excuse_details", "describe the reasonable excuse")
    before = case.state
    breach = Breach.objects.create(
        case=case,
        occurred_on=payload.occurred_on,
        description=payload.description,
        reasonable_excuse=payload.reasonable_excuse,
        excuse_details=payload.excuse_details,
        recorded_by=user,
    )
    if payload.reasonable_excuse:
        summary = "Breach recorded with reasonable excuse; caution continues"
    else:
        fire(case, "breach")
        case.caution.ceased_on = payload.occurred_on
        case.caution.save()
        Prosecution.objects.create(case=case, origin="caution_breach")
        summary = "Breach without reasonable excuse: prosecution for the original offence (CJA 2003 s.24)"
    _commit(payload, case, user, "record_breach", before, summary, {"breach_id": breach.pk})
    return breach


# --- 9. prosecution -------------------------------------------------------------------------


@transaction.atomic
def update_prosecution(user: User, case_id: int, data: ProsecutionIn | Mapping[str, Any]) -> Prosecution:
    """Record charge date, CPS decision and court while the prosecution is under way."""
    payload = _parse(ProsecutionIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    if case.state != "prosecution":
        raise IllegalTransition("update_prosecution", case.state)
    for name in ("charged_on", "cps_decision_on"):
        _not_future(name, getattr(payload, name))
    prosecution = case.prosecution
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    fields = {k: "" if v is None and k in {"cps_decision", "court"} else v for k, v in fields.items()}
    if not _changed(prosecution, fields):
        raise _nothing_changed()
    stored = {name: getattr(prosecution, name) for name in ProsecutionIn.model_fields if name != "version"}
    timeline.check("update_prosecution", case, {**stored, **fields})
    for name, value in fields.items():
        setattr(prosecution, name, value)
    prosecution.save()
    _commit(payload, case, user, "update_prosecution", case.state, "Prosecution updated")
    return prosecution


def _most_serious_category(case: Case) -> str | None:
    counts = _facts(case).offence.image_counts
    for category in ("A", "B", "C"):
        if (getattr(counts, category) or 0) > 0:
            return category
    return None


@transaction.atomic
def record_outcome(user: User, case_id: int, data: OutcomeIn | Mapping[str, Any]) -> Prosecution:
    """Record the court outcome; on conviction, recompute notification and MAPPA from the sentence.

    The sentencing-guideline starting point for the most serious category is stored for
    information only (it is never used to decide anything).
    """
    payload = _parse(OutcomeIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    if case.state != "prosecution":
        raise IllegalTransition("record_outcome", case.state)
    _not_future("outcome_on", payload.outcome_on)
    _not_future("sentenced_on", payload.sentenced_on)
    problems = sentences.outcome_problems(
        payload.outcome,
        payload.sentence_type,
        payload.custody_months,
        payload.discharge_months,
        payload.sentenced_on,
    )
    if problems:
        raise ValidationFailed(problems)
    timeline.check(
        "record_outcome", case, {"outcome_on": payload.outcome_on, "sentenced_on": payload.sentenced_on}
    )
    before = case.state
    prosecution = case.prosecution
    prosecution.outcome, prosecution.outcome_on = payload.outcome, payload.outcome_on
    prosecution.sentence_type = payload.sentence_type or ""
    prosecution.custody_months = payload.custody_months
    prosecution.discharge_months = payload.discharge_months
    prosecution.sentenced_on = payload.sentenced_on
    category = _most_serious_category(case)
    activity = sentencing_activity(_facts(case).offence.activities)
    if category is not None and activity is not None:
        prosecution.sentencing_guideline = decisions.sentencing_guideline(category, activity)
    prosecution.save()
    if payload.outcome == "convicted" and payload.sentence_type and payload.sentenced_on:
        disposal = sentences.disposal(payload.sentence_type, payload.custody_months, payload.discharge_months)
        record = _notify(case, "sentence", disposal, payload.sentenced_on)
        arrangements = decisions.mappa_arrangements(
            record.notifiable,
            diverted_low_risk=False,
            custody_months=payload.custody_months if payload.sentence_type == "custody" else None,
        )
        Mappa.objects.update_or_create(
            case=case,
            defaults={
                "category": arrangements["category"],
                "level": arrangements["level"],
                "output": arrangements,
            },
        )
    if payload.outcome == "acquitted" and prosecution.origin == "caution_breach":
        _end_caution_notification(case, payload.outcome_on)
    fire(case, "conclude_prosecution")
    _commit(payload, case, user, "record_outcome", before, f"Court outcome: {payload.outcome}")
    return prosecution


def _end_caution_notification(case: Case, acquitted_on: dt.date) -> None:
    """After s.24 the caution has ceased; acquitted of the original offence, the person has neither
    caution nor conviction for it, so the notification record resting on the caution ends, and
    with it the MAPPA arrangements (category 1 rests on the notification). Both stay on record."""
    reason = "acquitted of the original offence after the conditional caution ceased (CJA 2003 s.24)"
    case.notifications.filter(current=True, basis="conditional_caution", ended_on=None).update(
        ended_on=acquitted_on, ended_reason=reason
    )
    Mappa.objects.filter(case=case, ended_on=None).update(ended_on=acquitted_on)


# --- 10. closure ----------------------------------------------------------------------------


@transaction.atomic
def close_case(user: User, case_id: int, data: CloseIn | Mapping[str, Any]) -> Case:
    """Close the case with the dates on which its record must be reviewed (never deleted by timer)."""
    payload = _parse(CloseIn, data)
    case = _open(user, case_id, payload.version, "investigate")
    _not_future("closed_on", payload.closed_on)
    timeline.check("close_case", case, {"closed_on": payload.closed_on})
    for index, review in enumerate(payload.review_dates):
        if review <= payload.closed_on:
            raise ValidationFailed.field(f"review_dates[{index}]", "must be after the closure date")
    before = case.state
    fire(case, "close")
    Closure.objects.create(
        case=case,
        closed_on=payload.closed_on,
        reason=payload.reason,
        review_dates=[d.isoformat() for d in sorted(payload.review_dates)],
        closed_by=user,
    )
    _commit(payload, case, user, "close_case", before, f"Closed {show_date(payload.closed_on)}")
    return case


# --- 11. cross-force shares -----------------------------------------------------------------


@transaction.atomic
def grant_share(user: User, case_id: int, data: ShareIn | Mapping[str, Any]) -> CaseShare:
    """Let another force read this case until the share expires (supervisors and administrators).

    The share does not change the case, so it quotes no version and leaves the version alone; it
    is logged as `share_granted` with the reason and the recipient force, in this transaction.
    """
    payload = _parse(ShareIn, data)
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


# --- 12. erasure ----------------------------------------------------------------------------

#: The classes of data each erasure scope removes (named in the audit tombstone, never the values).
ERASURE_CLASSES = {
    "personal_data": ("subject_identity", "free_text"),
    "case": ("subject_identity", "free_text", "case_record"),
}
#: The history step a first administrator's request to erase a whole case is recorded as; a
#: second administrator's erasure of the same case completes it.
REQUEST_CASE_ERASURE = "request_case_erasure"

ErasureOutcome = Literal["personal_data", "case", "awaiting_second_administrator"]


def _erase_free_text(case: Case) -> None:
    """Blank every free-text field of the case: notes, reasons and names of places may identify."""
    case.summary = ""
    for proposal in case.proposals.all():
        proposal.departure_reason = proposal.reason = ""
        proposal.exceptional_circumstances = proposal.decision_reason = ""
        proposal.save()
    caution = ConditionalCaution.objects.filter(case=case).first()
    if caution is not None:
        caution.exceptional_window_reason = caution.other_conditions = caution.programme_name = ""
        caution.save()
    for attendance in case.attendance.all():
        attendance.note = ""
        attendance.save()
    for breach in case.breaches.all():
        breach.description = breach.excuse_details = ""
        breach.save()
    Prosecution.objects.filter(case=case).update(court="")
    Closure.objects.filter(case=case).update(reason="")
    Safeguarding.objects.filter(case=case).update(employer_or_regulator=None)  # may name the employer
    case.shares.update(reason="")
    case.reviews.update(reason="")


def _erasure_review(case: Case) -> RecordReview:
    """The recorded retention review that decided to erase this closed case, or IllegalTransition.

    Erasure follows a review, never precedes it: the case must be closed and its latest review
    must have decided "erase" (a later "retain" review overrides an earlier "erase")."""
    if case.state != "closed":
        raise IllegalTransition("erase_case", case.state, "only closed records are erased, after a review")
    latest = case.reviews.order_by("-reviewed_on", "-id").first()
    if latest is None or latest.outcome != ReviewOutcome.ERASE.value:
        raise IllegalTransition(
            "erase_case", case.state, "record a retention review that decides to erase first"
        )
    return latest


def _pending_case_erasure(case: Case) -> CaseEvent | None:
    """The request to erase the whole case made since the latest review, if any."""
    latest = case.events.filter(action__in=[REQUEST_CASE_ERASURE, "record_review"]).order_by("-id").first()
    return latest if latest is not None and latest.action == REQUEST_CASE_ERASURE else None


def _after_erasure() -> None:
    """On SQLite, fold the write-ahead log back into the database file and empty it, so erased
    values (the blind index, old ciphertexts) do not linger in the -wal file; freed pages are
    zeroed by `secure_delete` (settings)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _revoke_shares(user: User, case: Case) -> None:
    """An erased record is no longer disclosed to anyone: its live shares end now."""
    for share in case.shares.active().select_related("recipient_force"):
        share.revoked_at, share.revoked_by = timezone.now(), user
        share.save()
        trail.share_revoked(user, share)


@transaction.atomic
def erase_case(user: User, case_id: int, data: ErasureIn | Mapping[str, Any]) -> ErasureOutcome:
    """Erase a closed, reviewed case's personal data, or the whole case with two administrators.

    Refused (409) unless the case is closed and its latest recorded retention review decided
    "erase" (IIOC records are MoPI Group 1 public-protection records: erasure follows a review,
    never a timer). `personal_data`: the subject's name, date of birth and address become NULL and
    every free-text field is blanked; counts, dates, decisions and the history stay, so the record
    can still be reviewed. `case`: the first administrator's call records a request (history
    step `request_case_erasure`); a different administrator's call then deletes the case and all
    its records. The `erasure` entry names the classes of data erased and the review that decided
    it; the free-text reason stays with the (encrypted) case records, never in the log.
    """
    payload = _parse(ErasureIn, data)
    case = _open(user, case_id, payload.version, "erase", erased_ok=True)  # the whole case may follow
    review = _erasure_review(case)
    classes = ERASURE_CLASSES[payload.scope]
    if payload.scope == "case":
        request = _pending_case_erasure(case)
        if request is None:  # the first administrator: record the request, erase nothing yet
            _commit(
                payload,
                case,
                user,
                REQUEST_CASE_ERASURE,
                case.state,
                "Erasure of the whole case requested",
                {"reason": payload.reason},
            )
            return "awaiting_second_administrator"
        if request.actor_id == user.pk:
            raise PermissionDenied("a second administrator must approve erasing the whole case")
        _revoke_shares(user, case)
        trail.erased(user, case, classes, review, requested_by=request.actor_id)
        case.proposals.all().delete()  # proposals protect their assessment; remove them first
        case.delete()
        transaction.on_commit(_after_erasure)
        return "case"
    if case.personal_data_erased_on is not None:
        raise ValidationFailed.field("scope", "this case's personal data is already erased")
    Subject.objects.filter(case=case).update(
        full_name=None, date_of_birth=None, address=None, name_index="", identity_index=""
    )
    _erase_free_text(case)
    _revoke_shares(user, case)
    case.personal_data_erased_on = _today()
    _commit(
        payload,
        case,
        user,
        "erase_case",
        case.state,
        "Personal data erased",
        {"classes": list(classes), "reason": payload.reason},
        log_alteration=False,
    )
    trail.erased(user, case, classes, review)
    transaction.on_commit(_after_erasure)
    return "personal_data"


@transaction.atomic
def record_review(user: User, case_id: int, data: ReviewIn | Mapping[str, Any]) -> RecordReview:
    """Record a retention review of a closed case (administrators); see `cases.retention`.

    Retaining sets the next review, at most one class interval ahead; deciding to erase records
    the decision only: the erasure is its own step (`erase_case`), so it is always deliberate.
    """
    payload = _parse(ReviewIn, data)
    case = _open(user, case_id, payload.version, "erase", erased_ok=True)
    if case.state != "closed":
        raise IllegalTransition("record_review", case.state, "only closed records are reviewed")
    _not_future("reviewed_on", payload.reviewed_on)
    next_review = payload.next_review_on
    if payload.outcome == ReviewOutcome.RETAIN.value:
        limit = retention.add_years(payload.reviewed_on, retention.record_class(case).review_every_years)
        if next_review is None:
            next_review = limit
        elif not payload.reviewed_on < next_review <= limit:
            raise ValidationFailed.field(
                "next_review_on", f"must be after the review and by {show_date(limit)}"
            )
    elif next_review is not None:
        raise ValidationFailed.field("next_review_on", "a record to be erased has no next review")
    review = RecordReview.objects.create(
        case=case,
        reviewed_on=payload.reviewed_on,
        reviewed_by=user,
        outcome=payload.outcome,
        next_review_on=next_review,
        reason=payload.reason,
    )
    _commit(
        payload, case, user, "record_review", case.state, f"Retention review: {review.get_outcome_display()}"
    )
    return review
