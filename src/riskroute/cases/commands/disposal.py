"""The disposal decision: one person proposes, a supervisor who did not propose approves or rejects.

Diversion rests on the current assessment and on the core's prerequisites
(`core.diversion`); no approval overrides a safety exclusion.
"""

from __future__ import annotations

from django.utils import timezone

from riskroute.accounts.models import User
from riskroute.cases import decisions
from riskroute.cases.commands import support
from riskroute.cases.commands.registry import Command, Done, Page, Route, register
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, DisposalProposal, Prosecution
from riskroute.cases.schemas import DecisionIn, ProposalIn
from riskroute.cases.ui import forms as f
from riskroute.cases.ui import step_context as ctx
from riskroute.cases.vocabulary import DisposalKind, ProposalStatus
from riskroute.core import diversion

_RECOMMENDED_KIND = {"divert": DisposalKind.DIVERSION, "prosecute": DisposalKind.CHARGE}


def propose_disposal(user: User, case: Case, payload: ProposalIn) -> Done:
    """Propose diversion, a charge file or no further action, resting on the current assessment.

    Diversion needs the subject's admission and consent and an exceptional-circumstances
    justification (the DPP guidance route, law.md §4). Any departure from the recommendation
    needs reasons; a `needs_information` recommendation cannot support diversion at all.
    """
    assessment = case.assessments.order_by("-created_at", "-id").first()
    assert assessment is not None  # the workflow guard, fired first, requires a current assessment
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
    summary = f"Proposed: {proposal.get_kind_display()}" + (
        " (departs from recommendation)" if departs else ""
    )
    return Done(proposal, summary, {"proposal_id": proposal.pk})


register(
    Command(
        "propose_disposal",
        ProposalIn,
        "investigate",
        propose_disposal,
        label="Propose a disposal",
        stage="disposal",
        route=Route("/proposals", "6. Propose a disposal"),
        page=Page(
            "propose",
            "disposal/propose",
            "Propose a disposal",
            "cases/step_propose.html",
            f.ProposalForm,
            "Proposal recorded; a supervisor must now approve it.",
            extra=ctx.latest_assessment,
        ),
        refused_because="a disposal is proposed once the case is assessed, one at a time",
        fire_first=True,
    )
)


def _pending_proposal(case: Case) -> DisposalProposal:
    proposal = case.proposals.filter(status=ProposalStatus.PENDING).order_by("-id").first()
    assert proposal is not None  # a case awaiting a decision has its proposal (`may_not_decide`)
    return proposal


def _decide(user: User, proposal: DisposalProposal, status: ProposalStatus, reason: str) -> None:
    proposal.status = status
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = user, timezone.now(), reason
    proposal.save()


def may_not_decide(user: User, case: Case) -> str | None:
    """Only someone other than the proposer decides a proposal: why this user may not, or None."""
    proposer = (
        case.proposals.filter(status=ProposalStatus.PENDING)
        .order_by("-id")
        .values_list("proposed_by_id", flat=True)
        .first()
    )
    if proposer is None:
        return "there is no proposal awaiting a decision"
    return "nobody may approve or reject their own proposal" if proposer == user.pk else None


def approve_disposal(user: User, case: Case, payload: DecisionIn) -> Done:
    """A second person, a supervisor of the same force, approves the pending proposal."""
    proposal = _pending_proposal(case)
    if proposal.kind == DisposalKind.DIVERSION:
        # The facts may have changed since the assessment (children linked, say): check them again.
        current = decisions.assess(support.facts_of(case), case.force.policy_id, {})["triage"]
        problems = diversion.safety_problems(proposal.assessment.triage) or diversion.safety_problems(current)
        if problems:
            raise ValidationFailed(
                [{"path": "decision", "message": f"{p['message']}; reject the proposal"} for p in problems]
            )
    if proposal.departs_from_recommendation and not payload.reason.strip():
        raise ValidationFailed.field(
            "reason", "the proposal departs from the recommendation; give the reasons for approving it"
        )
    _decide(user, proposal, ProposalStatus.APPROVED, payload.reason)
    if proposal.kind == DisposalKind.CHARGE:
        Prosecution.objects.create(case=case, origin="charge_decision")
    return Done(proposal, f"Approved: {proposal.get_kind_display()}", {"proposal_id": proposal.pk})


register(
    Command(
        "approve_disposal",
        DecisionIn,
        "approve",
        approve_disposal,
        label="Approve or reject the proposal",
        stage="disposal",
        route=Route("/proposals/approve", "6. Approve (supervisor)"),
        page=Page(
            "decide",
            "disposal/decide",
            "Approve or reject the proposal",
            "cases/step_decide.html",
            f.DecisionForm,
            "Proposal approved.",
            extra=ctx.pending_proposal,
            one_way=ctx.approval_warning,
            confirm_label="Confirm and approve",
        ),
        refused_because="only a proposal awaiting a decision is approved",
        excludes=may_not_decide,
    )
)


def reject_disposal(user: User, case: Case, payload: DecisionIn) -> Done:
    """A supervisor (not the proposer) rejects the proposal, with reasons; the case returns to assessed."""
    if not payload.reason.strip():
        raise ValidationFailed.field("reason", "give the reasons for rejecting the proposal")
    proposal = _pending_proposal(case)
    _decide(user, proposal, ProposalStatus.REJECTED, payload.reason)
    return Done(proposal, f"Rejected: {proposal.get_kind_display()}", {"proposal_id": proposal.pk})


register(
    Command(
        "reject_disposal",
        DecisionIn,
        "approve",
        reject_disposal,
        label="Approve or reject the proposal",
        stage="disposal",
        route=Route("/proposals/reject", "6. Reject (supervisor)"),
        offered_on="decide",
        refused_because="only a proposal awaiting a decision is rejected",
        excludes=may_not_decide,
    )
)
