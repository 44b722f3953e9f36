"""Before the decision: the facts, assignment, enforcement (warrant, arrest, forensic counts) and
the assessment."""

from __future__ import annotations

from typing import Any

from riskroute.accounts.models import User
from riskroute.cases import decisions, safeguarding, timeline, trail
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Assessment, Case, Enforcement
from riskroute.cases.schemas import AssessmentIn, AssignIn, EnforcementIn, FactsIn
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx
from riskroute.core.errors import InvalidInput

BEFORE_THE_DECISION = "facts are fixed once a disposal is proposed"


def update_facts(user: User, case: Case, payload: FactsIn) -> Done:
    """Replace the case facts (validated by the core) and re-prioritise, keeping history."""
    support.refuse_typed_safeguarding(case, payload.facts)
    support.check_age_against_birth(payload.facts, case.subject.date_of_birth, case.received_on)
    facts = safeguarding.derived_fact(support.dump(payload.facts), support.safeguarding_record(case))
    if facts == case.facts:
        raise support.nothing_changed()
    case.facts = facts
    change = support.reprioritise(case, user, "facts updated")
    return Done(case, "Facts updated", {"priority": change})


register(
    Command(
        "update_facts",
        FactsIn,
        "investigate",
        update_facts,
        label="Edit facts",
        stage="referral",
        route=Route("/facts", "2. Replace the facts (re-prioritises)", method="PUT"),
        page=Page(
            "facts",
            "facts",
            "Facts",
            "cases/step_facts.html",
            f.FactsForm,
            "Facts saved; priority recalculated.",
            form_kwargs=ctx.facts_kwargs,
        ),
        refused_because=BEFORE_THE_DECISION,
    )
)


def assign_case(user: User, case: Case, payload: AssignIn) -> Done:
    """Assign the case to an investigator of the same force (supervisors and administrators)."""
    assignee = support.assignee(user, payload.assigned_to_id, "assigned_to_id")
    case.assigned_to = assignee
    return Done(case, f"Assigned to {assignee.get_full_name() or assignee.username}")


register(
    Command(
        "assign_case",
        AssignIn,
        "assign",
        assign_case,
        label="Assign the case",
        route=Route("/assignment", "Assign to an investigator"),
        page=Page(
            "assign",
            "assign",
            "Assign the case",
            "cases/step_form.html",
            f.AssignForm,
            "Case assigned.",
            initial=ctx.assignment_initial,
            form_kwargs=ctx.investigators,
        ),
        refused_because="a closed case is not reassigned",
    )
)

#: Enforcement answers kept only as case facts (the facts are their record).
_FACTS_ONLY = frozenset({"peer_to_peer_sharing"})
#: Enforcement answers and the offence fact each one sets.
_OFFENCE_FACTS = (
    ("youngest_depicted", "youngest_depicted"),
    ("videos", "csem_videos"),
    ("stories", "csem_stories"),
    ("collection_span_years", "collection_span_years"),
    ("peer_to_peer_sharing", "peer_to_peer_sharing"),
)


def _offence_facts(case: Case, fields: dict[str, Any]) -> dict[str, Any]:
    """The offence facts the forensic answers give; an unanswered question ("Not known") keeps the
    answer the facts already hold."""
    offence: dict[str, Any] = {}
    counts = {k.upper(): fields[f"count_{k}"] for k in "abc" if fields.get(f"count_{k}") is not None}
    if counts:
        offence["image_counts"] = counts
    for source, target in _OFFENCE_FACTS:
        if fields.get(source) is not None:
            offence[target] = fields[source]
    if fields.get("distribution_evidence"):
        activities = set(support.facts_of(case).offence.activities or [])
        offence["activities"] = sorted(activities | {"distribution"})
    return offence


def record_enforcement(user: User, case: Case, payload: EnforcementIn) -> Done:
    """Record warrant/arrest dates, devices and the forensic summary (counts only).

    The forensic counts become case facts (and re-prioritise). An arrest date moves a referral
    into investigation; the first of warrant or arrest marks enforcement action taken.
    """
    for name in ("warrant_on", "arrested_on"):
        support.not_future(name, getattr(payload, name))
    timeline.check(
        "record_enforcement", case, {"warrant_on": payload.warrant_on, "arrested_on": payload.arrested_on}
    )
    existing = Enforcement.objects.filter(case=case).first()
    fields = payload.model_dump(exclude={"version"}, exclude_unset=True)
    if not support.changed(existing or Enforcement(), fields):
        raise support.nothing_changed()
    enforcement, _ = Enforcement.objects.get_or_create(case=case)
    for name, value in fields.items():
        if name not in _FACTS_ONLY:
            setattr(enforcement, name, "" if name == "youngest_depicted" and value is None else value)
    enforcement.save()
    offence = _offence_facts(case, fields)
    if offence:
        support.merge_facts(case, {"offence": offence})
    dates = [d for d in (enforcement.warrant_on, enforcement.arrested_on) if d is not None]
    case.action_taken_on = min(dates) if dates else None
    change = support.reprioritise(case, user, "forensic summary recorded") if offence else None
    return Done(case, "Enforcement recorded", {"priority": change})


register(
    Command(
        "record_enforcement",
        EnforcementIn,
        "investigate",
        record_enforcement,
        label="Record enforcement",
        stage="enforcement",
        route=Route("/enforcement", "3. Warrant, arrest, forensics"),
        page=Page(
            "enforcement",
            "enforcement",
            "Enforcement",
            "cases/step_enforcement.html",
            f.EnforcementForm,
            "Enforcement recorded.",
            initial=ctx.enforcement_initial,
        ),
        refused_because="enforcement is recorded before the decision",
    )
)


def run_assessment(user: User, case: Case, payload: AssessmentIn) -> Done:
    """Run triage under the force's policy (and OSP if its inputs are given); store it all."""
    extra = {
        k.replace("_", "-"): v for k, v in (("osp_dc", payload.osp_dc), ("osp_iic", payload.osp_iic)) if v
    }
    try:
        result = decisions.assess(support.facts_of(case), case.force.policy_id, extra)
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
    return Done(
        assessment,
        f"Assessment recorded: {assessment.recommendation.replace('_', ' ')}",
        {"assessment_id": assessment.pk},
        then=lambda: trail.combined(user, case, assessment.pk),
    )


register(
    Command(
        "run_assessment",
        AssessmentIn,
        "investigate",
        run_assessment,
        label="Run the assessment",
        stage="assessment",
        route=Route("/assessments", "5. Run the assessment"),
        page=Page(
            "assessment",
            "assessment",
            "Assessment",
            "cases/step_assessment.html",
            f.AssessmentForm,
            "Assessment recorded.",
            extra=ctx.latest_assessment,
        ),
        refused_because="the assessment follows the arrest and comes before the decision",
    )
)
