"""The case page's task list: the lifecycle by stage, each with its status and, when the user may
act on it now, a link to its step (the GOV.UK task list pattern).

The stages follow the workflow's states (`AT_STAGE` says which stage each state is at; a test
holds it to every `CaseState`). Each command of the registry names its stage, and a stage's link is
to the page of its first command in `commands.next_actions`, so the list never offers a step the
service would refuse for its state or the user's permission. Two stages do not follow the state
alone: safeguarding runs beside the others from the referral on, and notification is "Not
needed" only when the record says the person is not notifiable (an unknown notifiability stays
"In progress": unknown is never "no").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from riskroute.cases.commands import REGISTRY
from riskroute.cases.models import Case, NotificationRecord
from riskroute.cases.vocabulary import CaseState, Vocabulary


class TaskStatus(Vocabulary):
    COMPLETED = "completed", "Completed"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_STARTED = "not_started", "Not yet started"
    CANNOT_START = "cannot_start", "Cannot start yet"
    NOT_NEEDED = "not_needed", "Not needed"


@dataclass(frozen=True)
class Stage:
    key: str
    name: str

    @property
    def actions(self) -> tuple[str, ...]:
        """The commands of this stage, in the registry's order."""
        return tuple(name for name, command in REGISTRY.items() if command.stage == self.key)


STAGES: tuple[Stage, ...] = (
    Stage("referral", "Referral"),
    Stage("enforcement", "Enforcement"),
    Stage("safeguarding", "Safeguarding"),
    Stage("assessment", "Assessment"),
    Stage("disposal", "Disposal decision"),
    Stage("outcome", "Caution or prosecution"),
    Stage("notification", "Notification and MAPPA"),
    Stage("closure", "Closure"),
)
_ORDER = {stage.key: index for index, stage in enumerate(STAGES)}

#: The stage a case in each state is working on (the stages before it are done); None: all done.
AT_STAGE: dict[CaseState, str | None] = {
    CaseState.REFERRAL: "enforcement",
    CaseState.INVESTIGATION: "assessment",
    CaseState.ASSESSED: "disposal",
    CaseState.DECISION_PENDING: "disposal",
    CaseState.DIVERSION_APPROVED: "outcome",
    CaseState.CAUTION_ACTIVE: "outcome",
    CaseState.PROSECUTION: "outcome",
    CaseState.CAUTION_COMPLETE: "closure",
    CaseState.PROSECUTION_CONCLUDED: "closure",
    CaseState.NO_FURTHER_ACTION: "closure",
    CaseState.CLOSED: None,
}


@dataclass(frozen=True)
class Task:
    name: str
    status: TaskStatus
    href: str | None

    @property
    def status_label(self) -> str:
        return self.status.label


def _by_state(stage: str, at: str | None) -> TaskStatus:
    if at is None or _ORDER[stage] < _ORDER[at]:
        return TaskStatus.COMPLETED
    return TaskStatus.IN_PROGRESS if stage == at else TaskStatus.CANNOT_START


def _no_outcome_route(case: Case) -> bool:
    """No further action: neither a caution nor a prosecution follows."""
    return (
        not hasattr(case, "caution")
        and not hasattr(case, "prosecution")
        and (case.state in {CaseState.NO_FURTHER_ACTION, CaseState.CLOSED})
    )


def _notification(case: Case, record: NotificationRecord | None, at: str | None) -> TaskStatus:
    if _no_outcome_route(case) or (record is not None and record.notifiable is False):
        return TaskStatus.NOT_NEEDED
    if record is None:
        return (
            TaskStatus.CANNOT_START
            if at is not None and _ORDER[at] <= _ORDER["outcome"]
            else TaskStatus.NOT_STARTED
        )
    return TaskStatus.COMPLETED if record.initial_notified_on is not None else TaskStatus.IN_PROGRESS


def task_list(
    case: Case,
    next_actions: list[str],
    *,
    safeguarding_complete: bool | None,
    notification: NotificationRecord | None,
) -> list[Task]:
    """The stages of `case` with their status and, where `next_actions` allows, a link."""
    at = AT_STAGE[CaseState(case.state)]
    tasks = []
    for stage in STAGES:
        if stage.key == "safeguarding":
            started = hasattr(case, "safeguarding")
            status = (
                TaskStatus.COMPLETED
                if safeguarding_complete
                else (TaskStatus.IN_PROGRESS if started else TaskStatus.NOT_STARTED)
            )
        elif stage.key == "outcome" and _no_outcome_route(case):
            status = TaskStatus.NOT_NEEDED
        elif stage.key == "notification":
            status = _notification(case, notification, at)
        else:
            status = _by_state(stage.key, at)
        link = next((REGISTRY[a].link for a in stage.actions if a in next_actions and REGISTRY[a].link), None)
        href = reverse(link, args=[case.pk]) if link else None
        tasks.append(Task(stage.name, status, href))
    return tasks
