"""The case lifecycle as one state machine (python-statemachine), state stored on `Case.state`.

Every command on a case (`cases.commands`) is an event here, named as the command. A command that
moves the case on is a transition to another state; one that records something without moving it
(safeguarding, attendance, a MAPPA level) is an internal self-transition of each state in which it
may happen. So this machine alone answers "may this happen now?": the commands, the next-steps
list, the task list and the pages all ask it, and none keeps a list of states of its own.

The runner (`cases.commands.runner`) checks the state before a command's handler runs, and fires
the event after the handler has written its records (or first, for a command whose guard reads
only what is already recorded). Guards read those records; if a guard or the state refuses,
`IllegalTransition` is raised and the transaction rolls back, so a refused step changes nothing.
The diagram in docs/case-workflow.md is generated from this class (`riskroute.cases.diagram`) and
a test keeps the two in step.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any, cast

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.transition_list import TransitionList

from riskroute.cases.errors import IllegalTransition
from riskroute.cases.models import Assessment, Breach, Case
from riskroute.cases.vocabulary import CaseState, DisposalKind, ProposalStatus


def _state(state: CaseState, **kwargs: Any) -> State:
    """A workflow state named by its label in the vocabulary and storing the vocabulary's value."""
    return State(state.label, value=state.value, **kwargs)


def _stay(*states: State, **kwargs: Any) -> TransitionList:
    """An internal self-transition of each state: a step that records without moving the case."""
    moves = [state.to.itself(internal=True, **kwargs) for state in states]  # type: ignore[no-untyped-call]
    return cast(TransitionList, reduce(or_, moves))


class CaseWorkflow(StateMachine):
    """Referral to closure. Each state is a `CaseState`, stored as its value in `Case.state`; a test
    holds the two lists equal. Nothing leaves `closed`; a closed record still takes its retention
    reviews, notifications and erasure, so it is not a final state of the machine."""

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
    closed = _state(CaseState.CLOSED)
    _open = (
        referral,
        investigation,
        assessed,
        decision_pending,
        diversion_approved,
        caution_active,
        caution_complete,
        prosecution,
        prosecution_concluded,
        no_further_action,
    )

    # Before the decision: the facts, enforcement (an arrest moves a referral into investigation).
    update_facts = _stay(referral, investigation, assessed)
    record_enforcement = (
        referral.to(investigation, cond="arrest_recorded")
        | _stay(referral, unless="arrest_recorded")
        | _stay(investigation, assessed)
    )
    run_assessment = investigation.to(assessed) | _stay(assessed)
    propose_disposal = assessed.to(decision_pending, cond="assessment_is_current")
    approve_disposal = (
        decision_pending.to(diversion_approved, cond="approved_diversion")
        | decision_pending.to(prosecution, cond="approved_charge")
        | decision_pending.to(no_further_action, cond="approved_no_further_action")
    )
    reject_disposal = decision_pending.to(assessed)

    # The conditional caution, and a breach of it (CJA 2003 s.24) sends the case to prosecution.
    record_caution = diversion_approved.to(caution_active, cond="caution_recorded")
    record_attendance = _stay(caution_active)
    complete_caution = caution_active.to(caution_complete, cond="programme_attended")
    record_breach = caution_active.to(prosecution, cond="breach_without_excuse") | _stay(
        caution_active, unless="breach_without_excuse"
    )
    refer_to_provider = _stay(diversion_approved, caution_active) | _stay(
        *(
            s
            for s in (*_open, closed)
            if s.value not in (CaseState.DIVERSION_APPROVED, CaseState.CAUTION_ACTIVE)
        ),
        cond="withdrawing",
    )

    # Prosecution (a charge approved, or a breached caution).
    update_prosecution = _stay(prosecution)
    record_outcome = prosecution.to(prosecution_concluded, cond="outcome_recorded")

    # Register and MAPPA, which outlast the caution or the sentence, and the case's closure.
    set_mappa_level = _stay(
        caution_active, caution_complete, prosecution, prosecution_concluded, cond="mappa_in_place"
    )
    record_notification = _stay(
        caution_active,
        caution_complete,
        prosecution,
        prosecution_concluded,
        closed,
        cond="notification_in_force",
    )
    close_case = caution_complete.to(closed) | prosecution_concluded.to(closed) | no_further_action.to(closed)

    # Beside the lifecycle: assignment and safeguarding until closure, corrections after arrest,
    # and the closed record's retention review and erasure.
    assign_case = _stay(*_open)
    record_safeguarding = _stay(*_open)
    link_children = _stay(*_open)
    correct_record = _stay(*_open[_open.index(assessed) :], closed)  # from the assessment on
    record_review = _stay(closed)
    erase_case = _stay(closed)
    del _open  # every state but closed: a helper of the definitions above, not a state or event

    def __init__(self, case: Case, **kwargs: Any) -> None:
        super().__init__(model=case, state_field="state", **kwargs)
        self.case = case

    # Guards: each reads the records as they stand when the event fires.
    def arrest_recorded(self) -> bool:
        enforcement = getattr(self.case, "enforcement", None)
        return enforcement is not None and enforcement.arrested_on is not None

    def assessment_is_current(self) -> bool:
        """A proposal must rest on an assessment of the facts as they stand now."""
        latest = self.case.assessments.order_by("-created_at", "-id").first()
        return latest is not None and assessed_on_current_facts(latest, self.case)

    def _approved(self, kind: DisposalKind) -> bool:
        return bool(self.case.proposals.filter(status=ProposalStatus.APPROVED, kind=kind).exists())

    def approved_diversion(self) -> bool:
        return self._approved(DisposalKind.DIVERSION)

    def approved_charge(self) -> bool:
        return self._approved(DisposalKind.CHARGE)

    def approved_no_further_action(self) -> bool:
        return self._approved(DisposalKind.NO_FURTHER_ACTION)

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

    def withdrawing(self, payload: Any = None) -> bool:
        """A referral to a provider is withdrawn (no organisation named), which any stage allows."""
        return payload is not None and getattr(payload, "provider_organisation_id", 0) is None

    def outcome_recorded(self) -> bool:
        prosecution = getattr(self.case, "prosecution", None)
        return prosecution is not None and bool(prosecution.outcome)

    def mappa_in_place(self) -> bool:
        mappa = getattr(self.case, "mappa", None)
        return mappa is not None and mappa.ended_on is None

    def notification_in_force(self) -> bool:
        record = self.case.notifications.filter(current=True).first()
        return record is not None and bool(record.notifiable) and record.ended_on is None


#: Plain-language reasons for guard refusals, shown with the 409 (a guard that only chooses the
#: target state, such as a breach's excuse, never refuses and has none).
GUARD_REASONS: dict[str, str] = {
    "propose_disposal": "run the assessment on the current facts first",
    "record_caution": "record the caution conditions first",
    "complete_caution": "not every programme session has been attended",
    "record_outcome": "record the court outcome first",
    "refer_to_provider": "only an approved or active caution is referred",
    "set_mappa_level": "no MAPPA arrangements are in place",
    "record_notification": "no notification requirement is in force",
}


def assessed_on_current_facts(assessment: Assessment, case: Case) -> bool:
    """The assessment read the facts the case holds now (a change to any fact makes it stale)."""
    return bool(assessment.facts == case.facts)


def check_state(case: Case, event: str, reason: str | None = None) -> None:
    """Refuse `event` (IllegalTransition with `reason`) unless the case's state allows it at all;
    guards are not evaluated here."""
    if event not in allowed_events(case):
        raise IllegalTransition(event, case.state, reason)


def fire(case: Case, event: str, **arguments: Any) -> str:
    """Fire `event` on the case (guards read `arguments` and the records); return the new state or
    raise IllegalTransition, leaving the state as it was."""
    machine = CaseWorkflow(case)
    before = case.state
    try:
        machine.send(event, **arguments)
    except TransitionNotAllowed as exc:
        case.state = before
        raise IllegalTransition(event, before, GUARD_REASONS.get(event)) from exc
    return case.state


STATES: tuple[str, ...] = tuple(s.value for s in CaseWorkflow.states)
#: The events each state allows (guards not evaluated), read once from the machine's definition:
#: asking it is then a lookup, not the building of a machine (about 1 ms).
EVENTS_IN_STATE: dict[str, frozenset[str]] = {
    state.value: frozenset(event.id for transition in state.transitions for event in transition.events)
    for state in CaseWorkflow.states
}


def allowed_events(case: Case) -> frozenset[str]:
    """Events the state allows now (guards not evaluated): for checking a step and showing the next
    ones."""
    return EVENTS_IN_STATE.get(case.state, frozenset())
