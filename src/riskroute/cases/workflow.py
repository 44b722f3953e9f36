"""The case workflow as an explicit state machine (python-statemachine), state stored on `Case.state`.

Services perform a step in two parts inside one transaction: they write the records the step needs
(e.g. the breach), then fire the event here. The guards read those records; if a guard or the
state refuses, `IllegalTransition` is raised and the transaction rolls back, so a refused step
changes nothing. The diagram in docs/case-workflow.md is generated from this class
(`riskroute.cases.diagram`) and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from riskroute.cases.errors import IllegalTransition
from riskroute.cases.models import Assessment, Breach, Case
from riskroute.cases.vocabulary import CaseState


def _state(state: CaseState, **kwargs: Any) -> State:
    """A workflow state named by its label in the vocabulary and storing the vocabulary's value."""
    return State(state.label, value=state.value, **kwargs)


class CaseWorkflow(StateMachine):
    """Referral to closure. Each state is a `CaseState`, stored as its value in `Case.state`; a test
    holds the two lists equal."""

    referral = _state(CaseState.REFERRAL, initial=True)
    investigation = _state(CaseState.INVESTIGATION)
    assessed = _state(CaseState.ASSESSED)
    decision_pending = _state(CaseState.DECISION_PENDING)
    diversion_approved = _state(CaseState.DIVERSION_APPROVED)
    caution_active = _state(CaseState.CAUTION_ACTIVE)
    caution_complete = _state(CaseState.CAUTION_COMPLETE)
    prosecution = _state(CaseState.PROSECUTION)
    prosecution_concluded = _state(CaseState.PROSECUTION_CONCLUDED)
    no_further_action = _state(CaseState.NO_FURTHER_ACTION)
    closed = _state(CaseState.CLOSED, final=True)

    record_arrest = referral.to(investigation, cond="arrest_recorded")
    assess = investigation.to(assessed) | assessed.to.itself()  # type: ignore[no-untyped-call]
    propose = assessed.to(decision_pending, cond="assessment_is_current")
    approve_diversion = decision_pending.to(diversion_approved)
    approve_charge = decision_pending.to(prosecution)
    approve_no_further_action = decision_pending.to(no_further_action)
    reject = decision_pending.to(assessed)
    administer_caution = diversion_approved.to(caution_active, cond="caution_recorded")
    complete_caution = caution_active.to(caution_complete, cond="programme_attended")
    breach = caution_active.to(prosecution, cond="breach_without_excuse")
    conclude_prosecution = prosecution.to(prosecution_concluded, cond="outcome_recorded")
    close = caution_complete.to(closed) | prosecution_concluded.to(closed) | no_further_action.to(closed)

    def __init__(self, case: Case, **kwargs: Any) -> None:
        super().__init__(model=case, state_field="state", **kwargs)
        self.case = case

    # Guards: each reads records the service wrote just before firing the event.
    def arrest_recorded(self) -> bool:
        enforcement = getattr(self.case, "enforcement", None)
        return enforcement is not None and enforcement.arrested_on is not None

    def assessment_is_current(self) -> bool:
        """A proposal must rest on an assessment of the facts as they stand now."""
        latest = self.case.assessments.order_by("-created_at", "-id").first()
        return latest is not None and assessed_on_current_facts(latest, self.case)

    def caution_recorded(self) -> bool:
        return hasattr(self.case, "caution")

    def programme_attended(self) -> bool:
        caution = getattr(self.case, "caution", None)
        if caution is None:
            return False
        attended = self.case.attendance.filter(attended=True).count()
        return bool(attended >= caution.sessions)

    def breach_without_excuse(self) -> bool:
        latest: Breach | None = self.case.breaches.order_by("-id").first()
        return latest is not None and not latest.reasonable_excuse

    def outcome_recorded(self) -> bool:
        prosecution = getattr(self.case, "prosecution", None)
        return prosecution is not None and bool(prosecution.outcome)


#: Plain-language reasons for guard refusals, shown with the 409.
GUARD_REASONS: dict[str, str] = {
    "record_arrest": "an arrest date must be recorded first",
    "propose": "run the assessment on the current facts first",
    "administer_caution": "record the caution conditions first",
    "complete_caution": "not every programme session has been attended",
    "breach": "a breach with a reasonable excuse does not end the caution",
    "conclude_prosecution": "record the court outcome first",
}


def assessed_on_current_facts(assessment: Assessment, case: Case) -> bool:
    """The assessment read the facts the case holds now (a change to any fact makes it stale)."""
    return bool(assessment.facts == case.facts)


def fire(case: Case, event: str) -> str:
    """Fire `event` on the case; return the new state or raise IllegalTransition (nothing written)."""
    machine = CaseWorkflow(case)
    before = case.state
    allowed = {e.id for e in machine.allowed_events}
    if event not in allowed:
        raise IllegalTransition(event, before)
    try:
        machine.send(event)
    except TransitionNotAllowed as exc:
        case.state = before
        raise IllegalTransition(event, before, GUARD_REASONS.get(event)) from exc
    return case.state


def allowed_events(case: Case) -> list[str]:
    """Events the state allows now (guards not evaluated): for showing the next steps."""
    return [e.id for e in CaseWorkflow(case).allowed_events]


STATES: tuple[str, ...] = tuple(s.value for s in CaseWorkflow.states)
FINAL_STATES = frozenset({CaseState.CLOSED.value})
