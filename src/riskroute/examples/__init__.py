"""Bundled synthetic example cases: one per recommendation path, used by `riskroute tour` and tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent / "cases"


def example_paths() -> list[Path]:
    """The example case files in a stable order."""
    return sorted(CASES_DIR.glob("*.json"))


def load_example(name: str) -> dict[str, Any]:
    """One example case-facts document, as plain JSON data."""
    document: dict[str, Any] = json.loads((CASES_DIR / name).read_bytes())
    return document


def low_risk_facts(age_at_offence: int) -> dict[str, Any]:
    """The facts of the low-level viewer who may be diverted (example 01), for a case whose
    subject's age the case service takes from the date of birth: the one definition the demo
    data, the tests and the load test share. `age_at_offence` must not exceed that age."""
    facts = load_example("01-divert-low-level-viewer.json")
    del facts["subject"]["age"]
    facts["subject"]["age_at_offence"] = age_at_offence
    return facts
