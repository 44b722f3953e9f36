"""The workflow definition: diagram in step with the code, every state reachable, migrations current."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from riskroute.cases.commands import REGISTRY
from riskroute.cases.diagram import markdown
from riskroute.cases.models import Case
from riskroute.cases.workflow import EVENTS_IN_STATE, CaseWorkflow

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-workflow.md"


def test_committed_diagram_matches_the_state_machine() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "run: python -m riskroute.cases.diagram > docs/case-workflow.md"
    )


def test_every_state_is_reachable_and_nothing_leaves_closed() -> None:
    reached = {"referral"}
    frontier = ["referral"]
    targets: dict[str, set[str]] = {}
    for state in CaseWorkflow.states:
        targets[state.id] = {t.target.id for t in state.transitions}
    while frontier:
        for target in targets[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == {s.id for s in CaseWorkflow.states}
    assert targets["closed"] == {"closed"}, "a closed case takes only steps that keep it closed"
    moving = {s: t - {s} for s, t in targets.items()}
    assert all(moving[s] for s in moving if s != "closed"), "no dead ends before closure"


def test_commands_and_workflow_events_are_the_same_set() -> None:
    """Each command is an event named as it, and the machine has no event that is not a command:
    so the machine alone says whether a step may happen in a state."""
    assert set(REGISTRY) == {e.id for e in CaseWorkflow.events}


@pytest.mark.django_db
def test_migrations_match_the_models(db: Any) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_the_events_read_once_per_state_are_what_a_machine_in_that_state_allows() -> None:
    for state in CaseWorkflow.states:
        machine = CaseWorkflow(Case(state=state.value))
        assert EVENTS_IN_STATE[state.value] == {e.id for e in machine.allowed_events}, state.value
