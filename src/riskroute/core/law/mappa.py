"""MAPPA category and default management level (CJA 2003 ss.325-327; law.md §8 and §13).

The category follows from facts (notification, custody length, barring, assessed risk); the
level is a judgement of the responsible authority, so only the default for a diverted low-risk
person is given, and it is marked as recalled.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from riskroute.core.knowledge import Definition, DefinitionError, Mark
from riskroute.core.law.provenance import Provenance, Rule, TableModel, load_table


class MappaTable(TableModel):
    category_2_custody_months: float
    rules: dict[str, Rule]
    levels: dict[int, str]
    levels_citation: str
    levels_mark: Mark


_RULES = ("category_1", "category_2", "category_2_barred_iioc", "category_3", "default_level_diverted")


@cache
def _table() -> tuple[Definition, MappaTable]:
    definition, table = load_table("mappa", MappaTable)
    missing = [r for r in _RULES if r not in table.rules]
    if missing or sorted(table.levels) != [1, 2, 3]:
        raise DefinitionError(
            f"{definition.path}: malformed legal table: needs rules {_RULES} and levels 1-3"
        )
    return definition, table


def mappa(
    notifiable: bool | None,
    custody_months: float | None = None,
    *,
    hospital_order: bool = False,
    barred_from_children: bool | None = None,
    assessed_risk: bool | None = None,
    diverted_low_risk: bool = False,
) -> dict[str, Any]:
    """MAPPA category (1, 2, 3 or null) for an indecent-image offender, with the level guidance.

    `notifiable` comes from the notification calculator; `custody_months` is the custodial term
    (None if none); `barred_from_children` marks someone barred from working with children;
    `assessed_risk` is a current risk needing multi-agency management. An unknown that could
    change the category gives `category: null` and names it in `missing`.
    """
    if custody_months is not None and custody_months < 0:
        raise ValueError("custody_months must not be negative")
    definition, table = _table()
    rules = table.rules
    prov = Provenance(definition)
    missing: list[str] = []
    category: int | None = None

    prov.use("category_1", rules["category_1"])
    if notifiable is True:
        category = 1
    elif notifiable is None:
        missing.append("notifiable")
    else:
        prov.use("category_2", rules["category_2"])
        long_custody = custody_months is not None and custody_months >= table.category_2_custody_months
        if long_custody or hospital_order:
            prov.use("category_2_barred_iioc", rules["category_2_barred_iioc"])
            category = 2
        elif barred_from_children is True:
            category = 2
        elif barred_from_children is None:
            missing.append("barred_from_children")
        else:
            prov.use("category_3", rules["category_3"])
            if assessed_risk is True:
                category = 3
            elif assessed_risk is None:
                missing.append("assessed_risk")

    level: int | None = None
    if category is not None and diverted_low_risk:
        prov.use("default_level_diverted", rules["default_level_diverted"])
        level = 1
    prov.use("levels", Rule(text="MAPPA levels", citation=table.levels_citation, mark=table.levels_mark))
    notes = []
    if category is not None and level is None:
        notes.append("The management level is set by the responsible authority on its risk assessment.")
    return {
        "category": category,
        "determined": not missing,
        "missing": missing,
        "level": level,
        "levels": {str(k): v for k, v in sorted(table.levels.items())},
        **prov.summary(),
        "notes": notes,
    }
