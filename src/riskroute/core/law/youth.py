"""The youth route: what may happen to a subject under 18 instead of the adult policies.

The adult diversion policies are for adults (a conditional caution under CJA 2003 Part 3 needs
18 or over), so for a child they only say "not diversion". The options here come from
`tables/youth.yaml`; a safety exclusion that blocks takes every out-of-court option away, as it
takes adult diversion away.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from riskroute.core.knowledge import Definition
from riskroute.core.law.provenance import Rule, TableModel, load_table


class YouthOption(Rule):
    id: str
    label: str
    needs_no_safety_block: bool


class YouthReferral(Rule):
    id: str
    label: str


class YouthTable(TableModel):
    adult_age: int
    options: list[YouthOption]
    referral: YouthReferral


@cache
def _table() -> tuple[Definition, YouthTable]:
    return load_table("youth", YouthTable)


def is_youth(age: int | None) -> bool | None:
    """True under 18, False at 18 or over, None when the age is unknown."""
    return None if age is None else age < _table()[1].adult_age


def youth_route(safety_blocked: bool) -> dict[str, Any]:
    """The options open to a child, and the referral that follows an out-of-court disposal.

    `safety_blocked`: a riskroute safety exclusion blocks on known facts, which leaves only the
    options that do not need its absence (prosecution).
    """
    definition, table = _table()
    options = [o for o in table.options if safety_blocked is False or not o.needs_no_safety_block]
    return {
        "options": [
            {"id": o.id, "label": o.label, "text": o.text, "citation": o.citation, "mark": o.mark.value}
            for o in options
        ],
        "referral": {
            "id": table.referral.id,
            "label": table.referral.label,
            "text": table.referral.text,
            "citation": table.referral.citation,
            "mark": table.referral.mark.value,
        },
        "table": definition.identity(),
    }
