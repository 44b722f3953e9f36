"""The workflow definition: diagram in step with the code, every state reachable, migrations current."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from riskroute.cases.diagram import markdown
from riskroute.cases.queries import ACTIONS
from riskroute.cases.workflow import CaseWorkflow

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-workflow.md"


def test_committed_diagram_matches_the_state_machine() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "run: python -m riskroute.cases.diagram > docs/case-workflow.md"
    )


def test_every_state_is_reachable_and_only_closed_is_final() -> None:
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
    assert [s.id for s in CaseWorkflow.states if s.final] == ["closed"]
    assert all(targets[s] for s in targets if s != "closed"), "no dead ends before closure"


def test_every_action_names_a_real_event_or_state() -> None:
    events = {e.id for e in CaseWorkflow.events}
    states = {s.id for s in CaseWorkflow.states}
    for event, _permission, allowed_states in ACTIONS.values():
        assert event is None or event in events
        assert allowed_states <= states


@pytest.mark.django_db
def test_migrations_match_the_models(db: Any) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
