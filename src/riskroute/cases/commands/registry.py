"""The command registry: every step a user may take on a case, declared once.

A `Command` names its input schema, the permission it needs, its workflow event (always the
command's own name: see `cases.workflow`), its handler, and how it is offered: the API route, the
HTML page, the stage of the task list. From this one table come the next-steps list
(`next_actions`), the API routes (`cases.api`), the links on the case page, the task list's links
and the step pages with their URLs (`cases.ui`). Nothing else keeps a list of steps or of the states
in which they are allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from riskroute.accounts.models import User
from riskroute.cases.models import Case
from riskroute.cases.permissions import allowed
from riskroute.cases.schemas import _Write
from riskroute.cases.workflow import CaseWorkflow, allowed_events

if TYPE_CHECKING:
    from django import forms


class Done(NamedTuple):
    """What a handler did: its result for the caller, and the history line the runner records.

    `action` names the history step when it is not the command's own (a first administrator's
    request to erase); `then` runs after the step is recorded (an audit entry that must follow the
    alteration); `log_alteration=False` when the handler's own s.62 entry says more exactly what
    changed (an erasure, a correction); `recorded=False` means the handler removed the case, so
    nothing more is written.
    """

    result: Any
    summary: str
    data: dict[str, Any] | None = None
    action: str | None = None
    then: Callable[[], None] | None = None
    log_alteration: bool = True
    recorded: bool = True


Handler = Callable[[User, Case, Any], Done]


@dataclass(frozen=True)
class Route:
    """The command's API operation: `METHOD /api/cases/{case_id}<path>`."""

    path: str
    summary: str
    method: str = "POST"
    #: Whether a justification is needed (s.62): every step that answers with the case document.
    justified: bool = True
    #: The answer, when it is not the case document (erasure may leave no case to show).
    respond: Callable[[int, Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Page:
    """The command's HTML step page at `cases/<case_id>/<path>/`, named `cases-ui:<name>`."""

    name: str
    path: str
    title: str
    template: str
    form: Callable[..., forms.Form]
    done: str
    #: The form's initial values from the case (besides its version).
    initial: Callable[[Case], dict[str, Any]] | None = None
    #: More context for the template (the records the page lists beside the form).
    extra: Callable[[User, Case], dict[str, Any]] | None = None
    #: More arguments for the form (choices read from reference data).
    form_kwargs: Callable[[User, Case], dict[str, Any]] | None = None
    #: The template's name for this page's form, when the template has two forms.
    form_key: str = "form"
    #: For a one-way step: what cannot be undone (None when this submission can be), shown on the
    #: check-your-answers page before anything is written; and the confirm button's label.
    one_way: Callable[[Case, dict[str, Any]], str | None] | None = None
    confirm_label: str = "Confirm"


@dataclass(frozen=True)
class Command:
    name: str
    schema: type[_Write]
    #: The permission (`cases.permissions`), or how to find it from the input.
    permission: str | Callable[[Any], str]
    handler: Handler
    #: The label of the link to this step on the case page.
    label: str
    #: The task-list stage this step belongs to (`cases.ui.tasks`), if any.
    stage: str | None = None
    route: Route | None = None
    page: Page | None = None
    #: The page that offers this step, when another command's page shows its form too (the
    #: safeguarding page offers the children's form; the decision page approves and rejects).
    offered_on: str | None = None
    #: Why the state refuses it, said with the 409 ("facts are fixed once a disposal is proposed").
    refused_because: str | None = None
    #: Fire the event before the handler: its guard reads only what is already recorded.
    fire_first: bool = False
    #: Whether the step may be taken on a record whose personal data is erased (its review).
    on_erased: bool = False
    #: Who else must not take it, beyond permission and state: the reason, or None (the proposer
    #: may not decide their own proposal).
    excludes: Callable[[User, Case], str | None] | None = None

    def permission_for(self, payload: Any) -> str:
        return self.permission if isinstance(self.permission, str) else self.permission(payload)

    @property
    def link(self) -> str | None:
        """The URL name of the page on which this step is taken."""
        if self.offered_on is not None:
            return f"cases-ui:{self.offered_on}"
        return f"cases-ui:{self.page.name}" if self.page is not None else None


REGISTRY: dict[str, Command] = {}
_EVENTS = frozenset(event.id for event in CaseWorkflow.events)  # type: ignore[attr-defined]


def register(command: Command) -> Command:
    """Add a command; its name must be an event of the workflow and not yet taken."""
    if command.name not in _EVENTS:
        raise LookupError(f"command {command.name!r} has no workflow event of that name")
    if command.name in REGISTRY:
        raise LookupError(f"command {command.name!r} is registered twice")
    REGISTRY[command.name] = command
    return command


def next_actions(user: User, case: Case) -> list[str]:
    """Commands this user may take on this case now (state, permission, erasure and exclusions;
    guards are checked when called), in registry order. Each exclusion is asked once (approve and reject share
    theirs)."""
    events = allowed_events(case)
    excluded: dict[Callable[[User, Case], str | None], bool] = {}
    out = []
    for name, command in REGISTRY.items():
        if name not in events or not isinstance(command.permission, str):
            continue
        if not allowed(command.permission, user, case):
            continue
        if case.personal_data_erased_on is not None and not command.on_erased:
            continue
        if command.excludes is not None:
            if command.excludes not in excluded:
                excluded[command.excludes] = command.excludes(user, case) is not None
            if excluded[command.excludes]:
                continue
        out.append(name)
    return out
