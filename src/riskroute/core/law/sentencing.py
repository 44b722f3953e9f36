"""Sentencing guideline step 1 for indecent-image offences: category x activity (law.md §3).

The grid is `tables/sentencing.yaml`; each cell's starting point and range ends carry their own
verification mark, because the sources confirm some ends of a range and not others. The result
states the statutory maxima alongside, and that downloading ("making") is sentenced as possession.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from riskroute.core.knowledge import Definition, DefinitionError, Mark
from riskroute.core.law.provenance import Provenance, Rule, TableModel, load_table

Category = Literal["A", "B", "C"]
SentencingActivity = Literal["possession", "distribution", "production"]
COLevel = Literal["low", "medium", "high"]

CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
ACTIVITIES: tuple[str, ...] = SentencingActivity.__args__  # type: ignore[attr-defined]
POINTS = ("starting_point", "range_low", "range_high")
_CO_ORDER = {"low": 0, "medium": 1, "high": 2}


class SentencingRequest(BaseModel):
    """Input of `riskroute law sentencing` (docs/cli.md)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    category: Category
    activity: SentencingActivity


class Value(TableModel):
    """One sentence: custody for a number of weeks, or a community order of a level."""

    custody_weeks: int | None = None
    label: str | None = None
    community_order: COLevel | None = None
    source: str
    mark: Mark

    @model_validator(mode="after")
    def _one_kind(self) -> Value:
        if (self.custody_weeks is None) == (self.community_order is None):
            raise ValueError("give either custody_weeks (with label) or community_order")
        if self.custody_weeks is not None and (self.label is None or self.custody_weeks <= 0):
            raise ValueError("custody needs a positive custody_weeks and a label")
        return self

    def severity(self) -> tuple[int, int]:
        """Orders community orders below any custody, so a range can be checked on load."""
        if self.community_order is not None:
            return (0, _CO_ORDER[self.community_order])
        assert self.custody_weeks is not None
        return (1, self.custody_weeks)

    def as_output(self) -> dict[str, Any]:
        if self.community_order is not None:
            return {"type": "community_order", "level": self.community_order}
        return {"type": "custody", "label": self.label, "weeks": self.custody_weeks}


class Cell(TableModel):
    starting_point: Value
    range_low: Value
    range_high: Value


class Maximum(TableModel):
    years: int
    text: str
    citation: str
    mark: Mark


class SentencingTable(TableModel):
    sources: dict[str, str]
    rules: dict[str, Rule]
    statutory_maximum: dict[str, Maximum]
    grid: dict[Category, dict[SentencingActivity, Cell]]


@cache
def _table() -> tuple[Definition, SentencingTable]:
    """Load once and check the grid is complete, sourced and ordered (low <= start <= high)."""
    definition, table = load_table("sentencing", SentencingTable)
    where = f"{definition.path}: malformed legal table"
    for rule_id in ("structure", "making_is_possession"):
        if rule_id not in table.rules:
            raise DefinitionError(f"{where}: rule {rule_id} missing")
    for category in CATEGORIES:
        for activity in ACTIVITIES:
            cell = table.grid.get(category, {}).get(activity)  # type: ignore[call-overload]
            if cell is None:
                raise DefinitionError(f"{where}: grid.{category}.{activity} missing")
            for point in POINTS:
                source = getattr(cell, point).source
                if source not in table.sources:
                    raise DefinitionError(
                        f"{where}: grid.{category}.{activity}.{point}: unknown source {source}"
                    )
            start, low, high = (getattr(cell, p).severity() for p in POINTS)
            if not low <= start <= high:
                raise DefinitionError(
                    f"{where}: grid.{category}.{activity}: range does not contain the start"
                )
    return definition, table


def sentencing(request: SentencingRequest) -> dict[str, Any]:
    """Starting point and category range for one category and activity, with their provenance."""
    definition, table = _table()
    prov = Provenance(definition)
    for rule_id in ("structure", "making_is_possession"):
        prov.use(rule_id, table.rules[rule_id])
    cell = table.grid[request.category][request.activity]
    result: dict[str, Any] = {}
    marks: dict[str, str] = {}
    for point in POINTS:
        value: Value = getattr(cell, point)
        result[point] = value.as_output()
        marks[point] = value.mark.value
        rule_id = f"grid.{request.category}.{request.activity}.{point}"
        prov.use(rule_id, Rule(text=rule_id, citation=table.sources[value.source], mark=value.mark))
    maxima: dict[str, Any] = {}
    for offence, maximum in table.statutory_maximum.items():
        prov.use(
            f"statutory_maximum.{offence}",
            Rule(text=maximum.text, citation=maximum.citation, mark=maximum.mark),
        )
        maxima[offence] = {"years": maximum.years, "text": maximum.text, "mark": maximum.mark.value}
    notes = [
        "Downloading, opening or storing images ('making' in PCA 1978 case law) is sentenced as possession.",
        "Step 1 only: aggravating and mitigating factors, plea reduction (up to one third) and ancillary "
        "orders are not applied.",
    ]
    return {
        **result,
        "marks": marks,
        "statutory_maximum": maxima,
        **prov.summary(),
        "notes": notes,
    }
