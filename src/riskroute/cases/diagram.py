"""The case workflow diagram, generated from the state machine so that the two cannot drift.

`python -m riskroute.cases.diagram > docs/case-workflow.md` regenerates the committed file; a test
compares the file with `markdown()`. Mermaid renders on the usual code hosts and needs no
graphviz at build or test time.
"""

from __future__ import annotations

import os


def mermaid() -> str:
    """The workflow as a Mermaid state diagram: every state and every transition that moves the
    case, guards in brackets (steps that keep the state are listed in `steps_in_place`)."""
    from riskroute.cases.workflow import CaseWorkflow

    lines = ["stateDiagram-v2", "    direction TB"]
    for state in CaseWorkflow.states:
        lines.append(f"    {state.id}: {state.id}<br/><i>{state.name}</i>")
    initial = next(s for s in CaseWorkflow.states if s.initial)
    lines.append(f"    [*] --> {initial.id}")
    for state in CaseWorkflow.states:
        for transition in state.transitions:
            if transition.target is state:
                continue
            guards = "".join(f" [{c}]" for c in transition.cond)
            for event in transition.events:
                lines.append(f"    {state.id} --> {transition.target.id}: {event}{guards}")
    return "\n".join(lines)


def steps_in_place() -> str:
    """A table of the steps each state allows without leaving it, guards in brackets."""
    from riskroute.cases.workflow import CaseWorkflow

    rows = ["| State | Steps that keep the state |", "|---|---|"]
    for state in CaseWorkflow.states:
        steps = [
            f"`{event}`" + "".join(f" [{c}]" for c in transition.cond)
            for transition in state.transitions
            if transition.target is state
            for event in transition.events
        ]
        rows.append(f"| `{state.id}` | {', '.join(steps) or 'none'} |")
    return "\n".join(rows)


def markdown() -> str:
    """The committed document: the diagram, the steps in place and the message each guard gives."""
    from riskroute.cases.workflow import GUARD_REASONS

    guards = "\n".join(f"- `{event}`: “{reason}”" for event, reason in GUARD_REASONS.items())
    return f"""# Case workflow

Generated from `riskroute.cases.workflow.CaseWorkflow` by `python -m riskroute.cases.diagram`;
do not edit by hand (a test checks that this file matches the code).

Every step on a case is an event of this machine, named as its command (`riskroute.cases.commands`).
The diagram shows the steps that move the case on; nothing leaves `closed`.

```mermaid
{mermaid()}
```

Steps that record something without moving the case are internal self-transitions of each state
in which they are allowed:

{steps_in_place()}

A step that the current state does not allow, or whose guard (in brackets) fails, is refused
with HTTP 409 (`illegal_transition`) and changes nothing. A guard written `!name` holds when
`name` does not; two transitions of one step from one state choose its target by their guards.
What each guarded step says when it refuses:

{guards}
"""


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskroute.web.settings")
    import django

    django.setup()
    print(markdown(), end="")
