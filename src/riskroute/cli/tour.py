"""`riskroute tour`: triage the bundled synthetic example cases and print them readably.

A newcomer's first look at what the decision core does: each example under each policy, the
priority band and target days, and the first reason a case is blocked or what is still missing.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from riskroute.core.facts import CaseFacts
from riskroute.core.policy import POLICY_IDS
from riskroute.core.triage import DISCLAIMER, triage
from riskroute.examples import CASES_DIR, example_paths

_STYLE = {"divert": "green", "prosecute": "red", "needs_information": "yellow"}


def _descriptions() -> dict[str, str]:
    """The one-line descriptions kept beside the examples in their README table."""
    out: dict[str, str] = {}
    for line in (CASES_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            out[cells[0].strip("`")] = cells[1]
    return out


def tour_command() -> None:
    """Print every example case triaged under every policy."""
    console = Console()
    if console.width < 150:  # keep the table readable when piped or in a narrow terminal
        console = Console(width=150)
    descriptions = _descriptions()
    table = Table(title="riskroute: bundled synthetic example cases", show_lines=True)
    table.add_column("Example", style="bold", max_width=34)
    table.add_column("Priority")
    for policy in POLICY_IDS:
        table.add_column(policy)
    for path in example_paths():
        facts = CaseFacts.model_validate_json(path.read_bytes())
        results = [triage(facts, policy) for policy in POLICY_IDS]
        priority = results[0]["priority"]
        cells = []
        for result in results:
            rec = result["recommendation"]
            detail = ""
            if result["blocking_rules"]:
                detail = result["blocking_rules"][0]["reason"]
            elif result["missing_facts"]:
                detail = "missing: " + ", ".join(result["missing_facts"][:3])
            cells.append(f"[{_STYLE[rec]}]{rec}[/]\n{detail}")
        label = f"{path.stem}\n[dim]{descriptions.get(path.name, '')}[/]"
        table.add_row(label, f"{priority['band']}\n{priority['target_days']} days", *cells)
    console.print(table)
    console.print(f"[dim]{DISCLAIMER}[/]")
    example = example_paths()[0]
    console.print(
        f"\nFull JSON for one case: [bold]riskroute triage {example}[/]\n"
        "Batch re-score: [bold]riskroute triage --jsonl caseload.jsonl --policy justice-2019[/]"
    )


def register(app: typer.Typer) -> None:
    app.command("tour")(tour_command)
