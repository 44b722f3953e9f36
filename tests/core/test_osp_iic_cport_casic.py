"""OSP/IIC (both rule sets), CPORT and CASIC against instruments.md §§1-3, written out independently."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from riskroute.core.instruments import Instrument, load_instrument, score
from riskroute.core.knowledge import CORE_DIR

DEFINITIONS = CORE_DIR / "instruments" / "definitions"

# -- OSP/IIC -------------------------------------------------------------------------------------


def iic_current(sex: str, images: int, child: int, adult: int, non_contact: int) -> tuple[float, str]:
    """The current HMPPS look-up (commit 016919c), first match wins."""
    if sex == "female":
        return 0.0, "low"
    if images >= 2:
        return 0.10310, "high"
    if images == 1:
        return 0.03328, "medium"
    if child >= 2:
        return 0.00926, "low"
    if child == 1:
        return 0.00634, "low"
    if non_contact >= 1 and adult >= 1:
        return 0.00281, "low"
    return 0.0, "low"


def iic_f134c2f(sex: str, images: int, child: int, adult: int, non_contact: int) -> tuple[float, str]:
    """The September 2025 rule set: no sexual sanction 0.062 %, all others 0.281 %."""
    if sex == "female" or images >= 1 or child >= 1:
        return iic_current(sex, images, child, adult, non_contact)
    if adult == 0 and non_contact == 0:
        return 0.00062, "low"
    return 0.00281, "low"


GRID = list(itertools.product(("male", "female"), range(4), range(4), range(4), range(4)))


def iic_input(sex: str, images: int, child: int, adult: int, non_contact: int) -> bytes:
    return json.dumps(
        {
            "sex": sex,
            "indecent_image_sanctions": images,
            "contact_child_sexual_sanctions": child,
            "contact_adult_sexual_sanctions": adult,
            "non_contact_sexual_sanctions_excluding_images": non_contact,
        }
    ).encode()


@pytest.mark.parametrize(
    ("instrument", "expected"),
    [
        (None, iic_current),
        (load_instrument(DEFINITIONS / "osp_iic_f134c2f.yaml"), iic_f134c2f),
    ],
    ids=["current", "f134c2f"],
)
def test_osp_iic_every_rule_over_a_grid(instrument: Instrument | None, expected: Any) -> None:
    for case in GRID:
        result = score("osp-iic", iic_input(*case), instrument)
        probability, band = expected(*case)
        assert (result["probability"], result["band"]) == (pytest.approx(probability, abs=1e-9), band), case
        assert result["scorable"] is True


def test_the_two_rule_sets_differ_only_where_the_notes_say() -> None:
    older = load_instrument(DEFINITIONS / "osp_iic_f134c2f.yaml")
    differ = [
        c
        for c in GRID
        if score("osp-iic", iic_input(*c))["probability"]
        != older.evaluate(older.validate_json(iic_input(*c)))["probability"]
    ]
    # Men with no image and no child-contact sanction: the last two rules changed.
    assert differ and all(c[0] == "male" and c[1] == 0 and c[2] == 0 for c in differ)
    assert older.spec.version != score("osp-iic", iic_input("male", 0, 0, 0, 0))["version"]


def test_osp_iic_worked_examples() -> None:
    first = score("osp-iic", iic_input("male", 1, 0, 0, 0))
    assert first["band"] == "medium" and round(first["probability"] * 100, 2) == 3.33
    second = score("osp-iic", iic_input("male", 2, 0, 0, 0))
    assert second["band"] == "high" and round(second["probability"] * 100, 2) == 10.31


# -- CPORT ---------------------------------------------------------------------------------------

CPORT_BOOLEANS = (
    "any_prior_criminal_history",
    "any_contact_sexual_offending",
    "any_failure_on_conditional_release",
    "sexual_interest_in_children",
    "more_boys_than_girls_csem",
    "more_boys_than_girls_other_child_content",
)
CPORT_NONE: dict[str, Any] = {"age_at_index": 50} | dict.fromkeys(CPORT_BOOLEANS, False)


def cport(**changes: Any) -> dict[str, Any]:
    return score("cport", json.dumps(CPORT_NONE | changes).encode())


def test_cport_all_absent_scores_zero_with_no_band() -> None:
    result = cport()
    assert (result["scorable"], result["total"], result["band"], result["probability"]) == (
        True,
        0,
        None,
        None,
    )
    assert result["missing"] == []


@pytest.mark.parametrize("item", CPORT_BOOLEANS)
def test_cport_each_boolean_item_scores_one(item: str) -> None:
    result = cport(**{item: True})
    assert result["total"] == 1
    assert result["band"] is None


@pytest.mark.parametrize(("age", "points"), [(10, 1), (18, 1), (35, 1), (36, 0), (50, 0), (120, 0)])
def test_cport_younger_offender_age_is_35_or_under(age: int, points: int) -> None:
    assert cport(age_at_index=age)["total"] == points


def test_cport_all_items_present_is_seven() -> None:
    result = cport(age_at_index=20, **dict.fromkeys(CPORT_BOOLEANS, True))
    assert result["total"] == 7 and result["band"] is None


@pytest.mark.parametrize("unknown", [("age_at_index",), *[(b,) for b in CPORT_BOOLEANS]])
def test_cport_one_unknown_item_is_still_scorable(unknown: tuple[str, ...]) -> None:
    result = cport(**({"any_prior_criminal_history": True} | dict.fromkeys(unknown)))
    expected_total = 0 if unknown == ("any_prior_criminal_history",) else 1
    assert result["scorable"] is True
    assert result["total"] == expected_total
    assert result["missing"] == list(unknown)
    assert result["band"] is None


@pytest.mark.parametrize("pair", list(itertools.combinations(("age_at_index", *CPORT_BOOLEANS), 2)))
def test_cport_two_unknown_items_are_not_scorable(pair: tuple[str, str]) -> None:
    result = cport(**dict.fromkeys(pair))
    assert result["scorable"] is False
    assert result["total"] is None
    assert result["band"] is None and result["probability"] is None
    assert sorted(result["missing"]) == sorted(pair)


def test_cport_absent_fields_are_unknown() -> None:
    result = score("cport", b'{"age_at_index": 30}')
    assert result["scorable"] is False and result["total"] is None
    assert sorted(result["missing"]) == sorted(CPORT_BOOLEANS)


def test_cport_reports_normative_facts_not_bands() -> None:
    result = cport()
    assert any("percentile" in rate for rate in result["rates"])
    assert "convicted" in result["population"]


# -- CASIC ---------------------------------------------------------------------------------------

CASIC_ITEMS = (
    "never_married",
    "csem_videos",
    "csem_stories",
    "interest_two_years_or_more",
    "volunteered_with_high_access_to_children",
    "online_sexual_communication_with_minor",
)


@pytest.mark.parametrize("present", range(7))
def test_casic_totals_zero_to_six(present: int) -> None:
    for chosen in itertools.combinations(CASIC_ITEMS, present):
        document = {item: item in chosen for item in CASIC_ITEMS}
        result = score("casic", json.dumps(document).encode())
        assert result["total"] == present
        assert result["missing"] == []
        assert result["band"] is None


@pytest.mark.parametrize("n_unknown", range(1, 6))
def test_casic_unknowns_are_listed_and_the_total_counts_known_items(n_unknown: int) -> None:
    unknown = CASIC_ITEMS[:n_unknown]
    document = {item: None if item in unknown else True for item in CASIC_ITEMS}
    result = score("casic", json.dumps(document).encode())
    assert result["missing"] == list(unknown)
    assert result["total"] == len(CASIC_ITEMS) - n_unknown
    assert result["scorable"] is True


def test_casic_with_nothing_known_lists_every_item_and_has_no_total() -> None:
    result = score("casic", b"{}")
    assert result["missing"] == list(CASIC_ITEMS)
    assert result["total"] is None
