"""Sentencing grid: every cell and every mark, written out by hand from the guideline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from riskroute.core.knowledge import DefinitionError, load_definition
from riskroute.core.law import SentencingRequest, sentencing
from riskroute.core.law import provenance as provenance_module
from riskroute.core.law.provenance import load_table
from riskroute.core.law.sentencing import SentencingTable


def co(level: str) -> dict[str, Any]:
    return {"type": "community_order", "level": level}


def cu(label: str, weeks: int) -> dict[str, Any]:
    return {"type": "custody", "label": label, "weeks": weeks}


S, R = "secondary", "recalled"

# (category, activity, starting point, low, high, (marks of start, low, high))
GRID = [
    ("A", "possession", cu("1 year", 52), cu("26 weeks", 26), cu("3 years", 156), (S, S, S)),
    ("A", "distribution", cu("3 years", 156), cu("2 years", 104), cu("5 years", 260), (S, R, R)),
    ("A", "production", cu("6 years", 312), cu("4 years", 208), cu("9 years", 468), (R, R, S)),
    ("B", "possession", cu("26 weeks", 26), co("high"), cu("18 months", 78), (R, S, R)),
    ("B", "distribution", cu("1 year", 52), cu("26 weeks", 26), cu("2 years", 104), (R, R, R)),
    ("B", "production", cu("2 years", 104), cu("1 year", 52), cu("4 years", 208), (R, R, S)),
    ("C", "possession", co("high"), co("medium"), cu("26 weeks", 26), (S, S, R)),
    ("C", "distribution", cu("13 weeks", 13), co("high"), cu("26 weeks", 26), (R, R, R)),
    ("C", "production", cu("18 months", 78), cu("1 year", 52), cu("3 years", 156), (R, R, S)),
]


@pytest.mark.parametrize(("category", "activity", "start", "low", "high", "marks"), GRID)
def test_every_cell(
    category: str,
    activity: str,
    start: dict[str, Any],
    low: dict[str, Any],
    high: dict[str, Any],
    marks: tuple[str, ...],
) -> None:
    result = sentencing(SentencingRequest(category=category, activity=activity))  # type: ignore[arg-type]
    assert result["starting_point"] == start
    assert result["range_low"] == low
    assert result["range_high"] == high
    assert result["marks"] == dict(zip(("starting_point", "range_low", "range_high"), marks, strict=True))
    # Nothing in the grid is verified against the official guideline, so nothing may claim to be.
    assert result["verification"] == (R if R in marks else S)
    cell_rules = {u["rule"]: u["mark"] for u in result["unverified"] if u["rule"].startswith("grid.")}
    assert cell_rules == {
        f"grid.{category}.{activity}.{p}": m
        for p, m in zip(("starting_point", "range_low", "range_high"), marks, strict=True)
    }


def test_statutory_maxima_and_the_making_note() -> None:
    result = sentencing(SentencingRequest(category="B", activity="possession"))
    assert result["statutory_maximum"]["pca1978_s1"]["years"] == 10
    assert result["statutory_maximum"]["cja1988_s160"]["years"] == 5
    assert result["statutory_maximum"]["cja1988_s160"]["mark"] == "verified"
    assert any("sentenced as possession" in note for note in result["notes"])
    assert result["basis"] and all(isinstance(c, str) for c in result["basis"])


def test_a_malformed_table_fails_loudly_with_its_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "sentencing.yaml"
    bad.write_text(
        "id: law-sentencing\nversion: '0'\nsources: {}\nrules: {}\nstatutory_maximum: {}\n"
        "grid:\n  A:\n    possession:\n      starting_point: {custody_weeks: 52, source: x, mark: sure}\n"
    )
    monkeypatch.setattr(provenance_module, "load_bundled", lambda _relative: load_definition(bad))
    with pytest.raises(DefinitionError, match=r"sentencing\.yaml: malformed legal table") as info:
        load_table("sentencing", SentencingTable)
    assert "mark" in str(info.value)
