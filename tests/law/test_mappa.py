"""MAPPA category and default level (MAPPA guidance; docs/law.md)."""

from __future__ import annotations

from typing import Any

import pytest

from riskroute.core.law import mappa


@pytest.mark.parametrize(
    ("args", "kwargs", "category", "missing"),
    [
        ((True, None), {}, 1, []),
        ((True, 40.0), {}, 1, []),
        ((None, None), {}, None, ["notifiable"]),
        ((False, 12.0), {}, 2, []),
        ((False, 11.9), {"barred_from_children": False, "assessed_risk": False}, None, []),
        ((False, None), {"hospital_order": True}, 2, []),
        ((False, None), {"barred_from_children": True}, 2, []),
        ((False, None), {"barred_from_children": None}, None, ["barred_from_children"]),
        ((False, None), {"barred_from_children": False, "assessed_risk": True}, 3, []),
        ((False, None), {"barred_from_children": False, "assessed_risk": None}, None, ["assessed_risk"]),
    ],
)
def test_categories(
    args: tuple[Any, ...], kwargs: dict[str, Any], category: int | None, missing: list[str]
) -> None:
    result = mappa(*args, **kwargs)
    assert result["category"] == category
    assert result["missing"] == missing
    assert result["determined"] is (not missing)


def test_diverted_low_risk_defaults_to_level_1_and_is_marked_recalled() -> None:
    result = mappa(True, diverted_low_risk=True)
    assert result["level"] == 1
    assert {"rule": "default_level_diverted", "mark": "recalled"}.items() <= next(
        u for u in result["unverified"] if u["rule"] == "default_level_diverted"
    ).items()
    assert result["verification"] == "recalled"
    assert set(result["levels"]) == {"1", "2", "3"}


def test_level_is_left_to_the_responsible_authority_otherwise() -> None:
    result = mappa(True)
    assert result["level"] is None and result["verification"] == "verified"
    assert result["notes"]


def test_iioc_category_2_by_custody_is_marked_recalled() -> None:
    result = mappa(False, 24.0)
    assert "category_2_barred_iioc" in {u["rule"] for u in result["unverified"]}


def test_negative_custody_is_rejected() -> None:
    with pytest.raises(ValueError, match="custody_months"):
        mappa(False, -1.0)
