"""OSP/DC against the published tables (the OSP/DC scoring guide), not the definition file.

Every expected value here is computed from the published rule written out independently in this
file (the item tables, the age formula, the band edges and the logistic formula), so a wrong step
or edge in `osp_dc.yaml` fails a test.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from typing import Any

import pytest

from riskroute.core.errors import InvalidInput
from riskroute.core.instruments import score

# -- the published table, written out ------------------------------------------------------------


def adult_points(n: int) -> int:
    return 5 * min(n, 3)  # 0/1/2/>=3 -> 0/5/10/15


def child_points(n: int) -> int:
    return 3 * min(n, 3)  # 0/1/2/>=3 -> 0/3/6/9


def non_contact_points(n: int) -> int:
    return 2 * min(n, 3)  # 0/1/2/>=3 -> 0/2/4/6


def followup_age_points(age: int) -> int:
    """14 - floor((age - 18) / 3), capped at 14, 0 at 60 or over (published formula)."""
    return 0 if age >= 60 else min(14, 14 - math.floor((age - 18) / 3))


def last_sanction_age_points(age: int) -> int:
    return 0 if age < 16 else 5 if age < 18 else 10


def total_sanctions_points(n: int) -> int:
    return 6 if n >= 2 else 0


def published_band(total: int) -> str:
    if total <= 21:
        return "low"
    if total <= 29:
        return "medium"
    if total <= 35:
        return "high"
    return "very_high"


def published_probability(total: int) -> float:
    return 0.0 if total == 0 else 1 / (1 + math.exp(-(-8.633 + 0.1598 * total)))


# -- inputs --------------------------------------------------------------------------------------

#: A man whose every item scores 0: one image sanction (total 1), follow-up at 60, last sanction at 15.
ZERO: dict[str, Any] = {
    "sex": "male",
    "contact_adult_sexual_sanctions": 0,
    "contact_child_sexual_sanctions": 0,
    "non_contact_sexual_sanctions_excluding_images": 0,
    "indecent_image_sanctions": 1,
    "total_sanctions": 1,
    "age_at_start_of_followup": 60,
    "age_at_last_sexual_sanction": 15,
    "current_offence_stranger_victim": False,
}


def run(**changes: Any) -> dict[str, Any]:
    return score("osp-dc", json.dumps(ZERO | changes).encode())


def points(result: dict[str, Any], item_id: str) -> int:
    (entry,) = [i for i in result["items"] if i["id"] == item_id]
    value: int = entry["points"]
    return value


@cache
def input_for_total() -> dict[int, dict[str, Any]]:
    """For each reachable total 0-64, one input document whose published score is that total."""
    found: dict[int, dict[str, Any]] = {}
    ages = {followup_age_points(a): a for a in range(60, 9, -1)}  # one age per point value 0..14
    for adult, child, non_contact, image, extra, (fu_points, fu_age), last_age, stranger in itertools.product(
        range(4), range(4), range(4), (0, 1), (0, 1), ages.items(), (15, 16, 18), (False, True)
    ):
        sexual = adult + child + non_contact + image
        if sexual == 0:
            continue
        total_sanctions = sexual + extra
        total = (
            adult_points(adult)
            + child_points(child)
            + non_contact_points(non_contact)
            + fu_points
            + last_sanction_age_points(last_age)
            + total_sanctions_points(total_sanctions)
            + (4 if stranger else 0)
        )
        found.setdefault(
            total,
            ZERO
            | {
                "contact_adult_sexual_sanctions": adult,
                "contact_child_sexual_sanctions": child,
                "non_contact_sexual_sanctions_excluding_images": non_contact,
                "indecent_image_sanctions": image,
                "total_sanctions": total_sanctions,
                "age_at_start_of_followup": fu_age,
                "age_at_last_sexual_sanction": last_age,
                "current_offence_stranger_victim": stranger,
            },
        )
    return found


# -- items ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", range(6))
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("contact_adult_sexual_sanctions", adult_points),
        ("contact_child_sexual_sanctions", child_points),
        ("non_contact_sexual_sanctions_excluding_images", non_contact_points),
    ],
)
def test_sanction_items_for_every_count(field: str, expected: Any, count: int) -> None:
    result = run(**{field: count, "total_sanctions": count + 1})
    assert points(result, field) == expected(count)
    assert result["total"] == sum(i["points"] for i in result["items"])


@pytest.mark.parametrize("age", range(10, 121))
def test_age_at_start_of_followup_for_every_age(age: int) -> None:
    assert points(run(age_at_start_of_followup=age), "age_at_start_of_followup") == followup_age_points(age)


@pytest.mark.parametrize(
    ("age", "expected"), [(20, 14), (21, 13), (23, 13), (35, 9), (40, 7), (57, 1), (59, 1), (60, 0), (61, 0)]
)
def test_age_at_start_of_followup_published_examples(age: int, expected: int) -> None:
    # The examples printed beside the formula in instruments.md §3.
    assert followup_age_points(age) == expected
    assert points(run(age_at_start_of_followup=age), "age_at_start_of_followup") == expected


@pytest.mark.parametrize("age", range(10, 121))
def test_age_at_last_sexual_sanction_bands(age: int) -> None:
    result = run(age_at_last_sexual_sanction=age)
    assert points(result, "age_at_last_sexual_sanction") == last_sanction_age_points(age)


@pytest.mark.parametrize(("total_sanctions", "expected"), [(1, 0), (2, 6), (3, 6), (50, 6)])
def test_total_sanctions_item(total_sanctions: int, expected: int) -> None:
    assert points(run(total_sanctions=total_sanctions), "total_sanctions") == expected


@pytest.mark.parametrize(("stranger", "expected"), [(False, 0), (True, 4)])
def test_stranger_item(stranger: bool, expected: int) -> None:
    assert (
        points(run(current_offence_stranger_victim=stranger), "current_offence_stranger_victim") == expected
    )


def test_every_item_scores_zero_in_the_zero_case() -> None:
    result = run()
    assert result["total"] == 0
    assert result["band"] == "low"
    assert result["probability"] == 0


# -- totals, bands, probability ------------------------------------------------------------------


def test_every_total_from_0_to_64_is_reachable() -> None:
    assert sorted(input_for_total()) == list(range(65))


@pytest.mark.parametrize("total", range(65))
def test_band_and_probability_for_every_total(total: int) -> None:
    result = score("osp-dc", json.dumps(input_for_total()[total]).encode())
    assert result["applicable"] is True and result["scorable"] is True
    assert result["total"] == total
    assert result["band"] == published_band(total)
    assert result["probability"] == pytest.approx(published_probability(total), abs=1e-6)
    assert 0 <= result["probability"] <= 1


@pytest.mark.parametrize(
    ("total", "band"),
    [(21, "low"), (22, "medium"), (29, "medium"), (30, "high"), (35, "high"), (36, "very_high")],
)
def test_band_edges(total: int, band: str) -> None:
    assert score("osp-dc", json.dumps(input_for_total()[total]).encode())["band"] == band


@pytest.mark.parametrize(
    ("total", "percent"),
    [
        (0, 0.0),
        (32, 2.88),  # the HMPPS code's own test
        (64, 83.1),  # the HMPPS code's own test
        (21, 0.51),
        (22, 0.60),
        (29, 1.80),
        (30, 2.11),
        (35, 4.57),
        (36, 5.31),
    ],
)
def test_published_probabilities(total: int, percent: float) -> None:
    result = score("osp-dc", json.dumps(input_for_total()[total]).encode())
    places = 1 if total == 64 else 2
    assert round(result["probability"] * 100, places) == percent


def test_worked_example_single_iioc_conviction_aged_40() -> None:
    result = run(age_at_start_of_followup=40, age_at_last_sexual_sanction=40)
    assert result["total"] == 17  # age 7 + age at last sexual sanction 10
    assert result["band"] == "low"
    assert round(result["probability"] * 100, 2) == 0.27


def test_worked_example_aged_25_with_an_earlier_non_sexual_sanction() -> None:
    result = run(age_at_start_of_followup=25, age_at_last_sexual_sanction=25, total_sanctions=2)
    assert result["total"] == 28  # 12 + 10 + 6
    assert result["band"] == "medium"
    assert round(result["probability"] * 100, 2) == 1.54


# -- time-free reduction -------------------------------------------------------------------------

TIME_FREE = {
    "in_custody": False,
    "years_since_last_offence": 5,
    "years_since_last_sexual_offence": 5,
    "years_since_start_of_followup": 5,
}


def reduced(total: int, **changes: Any) -> dict[str, Any]:
    document = input_for_total()[total] | TIME_FREE | changes
    return score("osp-dc", json.dumps(document).encode())


def applied(result: dict[str, Any]) -> bool:
    (adjustment,) = [a for a in result["adjustments"] if a["id"] == "time_free_reduction"]
    value: bool = adjustment["applied"]
    return value


@pytest.mark.parametrize(
    ("total", "before", "after"),
    [(22, "medium", "low"), (28, "medium", "low"), (30, "high", "medium"), (36, "very_high", "high")],
)
def test_time_free_drops_one_band_at_exactly_five_years(total: int, before: str, after: str) -> None:
    assert published_band(total) == before
    result = reduced(total)
    assert result["band"] == after
    assert applied(result)
    assert result["total"] == total  # the score and probability stay; only the band drops
    assert result["probability"] == pytest.approx(published_probability(total), abs=1e-6)


@pytest.mark.parametrize("total", [0, 17, 21])
def test_time_free_never_goes_below_low(total: int) -> None:
    result = reduced(total)
    assert result["band"] == "low"
    assert not applied(result)


@pytest.mark.parametrize(
    "change",
    [
        {"in_custody": True},
        {"in_custody": None},
        {"years_since_last_offence": 4.99},
        {"years_since_last_sexual_offence": 4.99},
        {"years_since_start_of_followup": 4.99},
        {"years_since_last_offence": None},
        {"years_since_last_sexual_offence": None},
        {"years_since_start_of_followup": None},
    ],
    ids=lambda c: f"{next(iter(c))}={next(iter(c.values()))}",
)
def test_each_time_free_condition_on_its_own_prevents_the_reduction(change: dict[str, Any]) -> None:
    result = reduced(30, **change)
    assert result["band"] == "high"
    assert not applied(result)


def test_more_than_five_years_also_reduces() -> None:
    assert reduced(36, years_since_last_offence=20.5)["band"] == "high"


# -- applicability and consistency ----------------------------------------------------------------


def test_not_applicable_to_women() -> None:
    result = run(sex="female", contact_child_sexual_sanctions=2, total_sanctions=3)
    assert result["applicable"] is False
    assert result["band"] == "not_applicable"
    assert result["total"] is None and result["probability"] is None


def test_not_applicable_without_a_sexual_sanction() -> None:
    result = run(indecent_image_sanctions=0, total_sanctions=3)
    assert result["applicable"] is False
    assert result["band"] == "not_applicable"
    assert result["total"] is None and result["probability"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"contact_adult_sexual_sanctions": 2, "total_sanctions": 2},  # 3 sexual > 2 total
        {"indecent_image_sanctions": 1, "total_sanctions": 0},
        {"non_contact_sexual_sanctions_excluding_images": 4, "total_sanctions": 4},
    ],
)
def test_sexual_counts_above_total_sanctions_are_invalid(change: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(**change)
    assert [d["path"] for d in caught.value.details] == ["total_sanctions"]


def test_result_names_its_population_and_rates() -> None:
    result = run()
    assert "Men" in result["population"] and result["rates"]
    assert result["instrument"] == "osp-dc" and result["version"]
