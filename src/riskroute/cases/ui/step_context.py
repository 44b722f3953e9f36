"""What each step page shows besides its form: initial values from the case, the records listed
beside the form, reference-data choices, and what a one-way step cannot undo. The commands
(`cases.commands`) name these in their page declarations."""

from __future__ import annotations

from functools import partial
from typing import Any

from riskroute.accounts.models import ProviderOrganisation, Role, User
from riskroute.cases import decisions
from riskroute.cases.commands.registry import next_actions
from riskroute.cases.models import Case
from riskroute.cases.ui import forms as f
from riskroute.cases.ui.presenters import assessment_context, safeguarding_context, safety_rows
from riskroute.cases.vocabulary import ProposalStatus

# Second forms on a page get their own id prefix, so no two fields share an id.
ChildLinkForm = partial(f.ChildLinkForm, auto_id="child-%s")
CompletionForm = partial(f.CompletionForm, auto_id="completion-%s")
OutcomeForm = partial(f.OutcomeForm, auto_id="outcome-%s")


def _related(case: Case, attr: str) -> Any:
    """A one-to-one record of the case, or None (a missing one raises its own DoesNotExist)."""
    return getattr(case, attr, None)


def _fields_of(attr: str, form: type[f.VersionedForm]) -> Any:
    """Initial values: the form's fields as the case's `attr` record holds them."""

    def initial(case: Case) -> dict[str, Any]:
        record = _related(case, attr)
        if record is None:
            return {}
        return {name: getattr(record, name) for name in form.base_fields if hasattr(record, name)}

    return initial


enforcement_initial = _fields_of("enforcement", f.EnforcementForm)
safeguarding_initial = _fields_of("safeguarding", f.SafeguardingForm)
prosecution_initial = _fields_of("prosecution", f.ProsecutionForm)


def assignment_initial(case: Case) -> dict[str, Any]:
    return {"assigned_to_id": case.assigned_to_id}


def facts_kwargs(user: User, case: Case) -> dict[str, Any]:
    return {"facts": case.facts}


def latest_assessment(user: User, case: Case) -> dict[str, Any]:
    latest = case.assessments.select_related("created_by").order_by("-created_at", "-id").first()
    return {"assessment": latest, **assessment_context(latest)}


def pending_proposal(user: User, case: Case) -> dict[str, Any]:
    """The pending proposal with what the approver must see: the key safety facts and CPORT, the
    recommendation with every blocking rule, and any safety exclusion (which no approval overrides)."""
    proposal = (
        case.proposals.filter(status=ProposalStatus.PENDING)
        .select_related("proposed_by", "assessment", "assessment__created_by")
        .first()
    )
    if proposal is None:
        return {"proposal": None}
    assessment = proposal.assessment
    return {
        "proposal": proposal,
        "own_proposal": proposal.proposed_by_id == user.pk,
        "assessment": assessment,
        **assessment_context(assessment),
        "safety_rows": safety_rows(assessment.facts, assessment.triage),
        "exclusions": decisions.safety_exclusions(assessment.triage) if proposal.kind == "diversion" else [],
    }


def safeguarding_page(user: User, case: Case) -> dict[str, Any]:
    return {
        "form": f.SafeguardingForm(initial={"version": case.version, **safeguarding_initial(case)}),
        "child_form": ChildLinkForm(initial={"version": case.version}),
        "child_links": list(case.child_links.order_by("id")),
        **safeguarding_context(case),
    }


def attendance_page(user: User, case: Case) -> dict[str, Any]:
    return {
        "attendance": list(case.attendance.order_by("session_number")),
        "caution": _related(case, "caution"),
        "can_complete": "complete_caution" in next_actions(user, case),
        "form": f.AttendanceForm(initial={"version": case.version}),
        "completion_form": CompletionForm(initial={"version": case.version}),
    }


def prosecution_page(user: User, case: Case) -> dict[str, Any]:
    return {
        "form": f.ProsecutionForm(initial={"version": case.version, **prosecution_initial(case)}),
        "outcome_form": OutcomeForm(initial={"version": case.version}),
        "prosecution": _related(case, "prosecution"),
    }


def providers(user: User, case: Case) -> dict[str, Any]:
    # Reference data (organisation names), not case data, so it is read here directly.
    return {"providers": [(p.pk, p.name) for p in ProviderOrganisation.objects.order_by("name")]}


def investigators(user: User, case: Case) -> dict[str, Any]:
    # Colleagues' names in the user's own force: reference data for the choice, not case data.
    if user.force_id is None:
        return {"investigators": []}
    colleagues = User.objects.filter(force_id=user.force_id, is_active=True).order_by("last_name", "username")
    return {
        "investigators": [
            (u.pk, u.get_full_name() or u.username) for u in colleagues if u.has_role(Role.INVESTIGATOR)
        ]
    }


# What cannot be undone, said on the check-your-answers page of each one-way step.
BREACH_ENDS_CAUTION = (
    "A breach without a reasonable excuse ends the conditional caution: the case goes to "
    "prosecution for the original offence. This cannot be undone."
)
OUTCOME_IS_FINAL = (
    "The court outcome concludes the prosecution and sets the notification requirements. "
    "It cannot be edited afterwards."
)
CLOSURE_IS_FINAL = "A closed case cannot be reopened: only its retention reviews follow."
ERASURE_IS_FINAL = "Erasure cannot be undone. The audit log keeps the record that it happened."


def breach_warning(case: Case, data: dict[str, Any]) -> str | None:
    return None if data["reasonable_excuse"] else BREACH_ENDS_CAUTION


def outcome_warning(case: Case, data: dict[str, Any]) -> str:
    return OUTCOME_IS_FINAL


def closure_warning(case: Case, data: dict[str, Any]) -> str:
    return CLOSURE_IS_FINAL


def approval_warning(case: Case, data: dict[str, Any]) -> str:
    proposal = case.proposals.filter(status=ProposalStatus.PENDING).order_by("-id").first()
    kind = proposal.get_kind_display() if proposal else "the proposal"
    return f"Approving {kind} cannot be undone: the case moves on to it at once."
