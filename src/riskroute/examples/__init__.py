"""Bundled synthetic example cases: one per recommendation path, used by `riskroute tour` and tests."""

from __future__ import annotations

from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"


def example_paths() -> list[Path]:
    """The example case files in a stable order."""
    return sorted(CASES_DIR.glob("*.json"))
