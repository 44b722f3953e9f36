"""Notification calculator: every s.82 row, the Schedule 3 thresholds, halving, dates and errors.

Expected values are written out by hand from SOA 2003 s.82 and Schedule 3 (docs/law.md), not read
from the table, so a wrong edit to `notification.yaml` makes these tests fail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskroute.core.errors import InvalidInput
from riskroute.core.law import (
    Disposal,
    NotificationRequest,
    change_notification_due,
    notification,
    notification_if_cautioned,
    renotification_dates,
)

RELEVANT = date(2025, 3, 10)


def request(
    disposal: dict[str, Any],
    *,
    youngest: str = "under_16",
    age_at_offence: int = 40,
    age_on_relevant_date: int | None = None,
    relevant_date: date = RELEVANT,
    offence: str = "cja1988_s160",
) -> NotificationRequest:
    return NotificationRequest(
        offence=offence,  # type: ignore[arg-type]
        youngest_depicted=youngest,  # type: ignore[arg-type]
        age_at_offence=age_at_offence,
        age_on_relevant_date=age_at_offence if age_on_relevant_date is None else age_on_relevant_date,
        disposal=Disposal(**disposal),
        relevant_date=relevant_date,
    )


# (disposal, expected years or "indefinite", ends_on for an adult, unverified s.82 rule or None).
# Every period runs "beginning with" the relevant date (10 March 2025), so it ends on the day
# before the anniversary. A suspended sentence is imprisonment of its term (CJA 2003 s.189(6)).
S82_ADULT = [
    ({"type": "custody", "custody_months": 360.0}, "indefinite", None, None),
    ({"type": "custody", "custody_months": 30.0}, "indefinite", None, None),
    ({"type": "custody", "custody_months": 29.9}, 10.0, "2035-03-09", None),
    ({"type": "custody", "custody_months": 7.0}, 10.0, "2035-03-09", None),
    ({"type": "custody", "custody_months": 6.5}, 10.0, "2035-03-09", None),
    ({"type": "custody", "custody_months": 6.0}, 7.0, "2032-03-09", None),
    ({"type": "custody", "custody_months": 0.5}, 7.0, "2032-03-09", None),
    ({"type": "hospital_order_with_restriction"}, "indefinite", None, None),
    ({"type": "hospital_order"}, 7.0, "2032-03-09", None),
    ({"type": "caution"}, 2.0, "2027-03-09", None),
    ({"type": "conditional_caution"}, 2.0, "2027-03-09", "s82_conditional_caution"),
    ({"type": "conditional_discharge", "discharge_months": 18}, 1.5, "2026-09-09", None),
    ({"type": "conditional_discharge", "discharge_months": 36}, 3.0, "2028-03-09", None),
    ({"type": "community_order"}, 5.0, "2030-03-09", "s82_other_disposal"),
    ({"type": "fine"}, 5.0, "2030-03-09", "s82_other_disposal"),
    (
        {"type": "suspended_sentence", "custody_months": 24.0},
        10.0,
        "2035-03-09",
        "suspended_counts_as_imprisonment",
    ),
    (
        {"type": "suspended_sentence", "custody_months": 12.0},
        10.0,
        "2035-03-09",
        "suspended_counts_as_imprisonment",
    ),
    (
        {"type": "suspended_sentence", "custody_months": 6.5},
        10.0,
        "2035-03-09",
        "suspended_counts_as_imprisonment",
    ),
    (
        {"type": "suspended_sentence", "custody_months": 6.0},
        7.0,
        "2032-03-09",
        "suspended_counts_as_imprisonment",
    ),
    (
        {"type": "suspended_sentence", "custody_months": 0.5},
        7.0,
        "2032-03-09",
        "suspended_counts_as_imprisonment",
    ),
]


@pytest.mark.parametrize(("disposal", "years", "ends_on", "weak_row"), S82_ADULT)
def test_every_s82_row_for_an_adult(
    disposal: dict[str, Any], years: float | str, ends_on: str | None, weak_row: str | None
) -> None:
    result = notification(request(disposal))
    assert result["notifiable"] is True
    if years == "indefinite":
        assert result["period"] == {"years": None, "indefinite": True}
        assert result["ends_on"] is None
        assert result["review_possible_after_years"] == 15
    else:
        assert result["period"] == {"years": years, "indefinite": False}
        assert result["ends_on"] == ends_on
        assert result["review_possible_after_years"] is None
    assert result["initial_notification_due"] == "2025-03-12"  # 3 days beginning with 10 March
    unverified = {u["rule"] for u in result["unverified"]}
    assert "schedule3_threshold" in unverified  # law.md: [S]
    if weak_row:
        assert weak_row in unverified


def test_absolute_discharge_is_not_notifiable_and_says_why() -> None:
    result = notification(request({"type": "absolute_discharge"}))
    assert result["notifiable"] is False
    assert result["period"] is None and result["ends_on"] is None
    assert result["initial_notification_due"] is None
    assert {"rule": "s134_absolute_discharge", "mark": "secondary"}.items() <= result["unverified"][0].items()


@pytest.mark.parametrize("offence", ["pca1978_s1", "cja1988_s160"])
@pytest.mark.parametrize("disposal", [{"type": "caution"}, {"type": "custody", "custody_months": 40.0}])
def test_sixteen_seventeen_only_images_are_never_notifiable(offence: str, disposal: dict[str, Any]) -> None:
    result = notification(request(disposal, youngest="16_17", offence=offence))
    assert result["notifiable"] is False
    assert result["period"] is None and result["ends_on"] is None


def test_unknown_depicted_age_is_never_guessed() -> None:
    result = notification(request({"type": "custody", "custody_months": 40.0}, youngest="unknown"))
    assert result["notifiable"] is None
    assert result["period"] is None
    assert result["ends_on"] is None and result["initial_notification_due"] is None
    assert any("cannot be determined" in note for note in result["notes"])


# Offenders under 18 at the offence: notifiable only with 12 months' imprisonment or more.
# (age at offence, age on relevant date, disposal, notifiable, period years or "indefinite", review)
JUVENILE = [
    (16, 16, {"type": "caution"}, False, None, None),
    (17, 17, {"type": "conditional_caution"}, False, None, None),
    (16, 17, {"type": "community_order"}, False, None, None),
    (16, 17, {"type": "custody", "custody_months": 11.9}, False, None, None),
    (16, 17, {"type": "custody", "custody_months": 12.0}, True, 5.0, None),  # 10 y halved
    (17, 17, {"type": "custody", "custody_months": 29.0}, True, 5.0, None),
    (17, 18, {"type": "custody", "custody_months": 12.0}, True, 10.0, None),  # 18 on relevant date
    (16, 17, {"type": "custody", "custody_months": 30.0}, True, "indefinite", 8),
    (17, 18, {"type": "custody", "custody_months": 30.0}, True, "indefinite", 15),
    # A suspended sentence is for those 18 or over at conviction (an under-18 gets a DTO: custody).
    (17, 18, {"type": "suspended_sentence", "custody_months": 12.0}, True, 10.0, None),
    (17, 19, {"type": "suspended_sentence", "custody_months": 6.0}, False, None, None),
    (16, 17, {"type": "hospital_order"}, False, None, None),
]


@pytest.mark.parametrize(("at_offence", "on_date", "disposal", "notifiable", "years", "review"), JUVENILE)
def test_offenders_under_18_at_the_offence(
    at_offence: int,
    on_date: int,
    disposal: dict[str, Any],
    notifiable: bool,
    years: float | str | None,
    review: int | None,
) -> None:
    result = notification(request(disposal, age_at_offence=at_offence, age_on_relevant_date=on_date))
    assert result["notifiable"] is notifiable
    if years is None:
        assert result["period"] is None
    elif years == "indefinite":
        assert result["period"] == {"years": None, "indefinite": True}
    else:
        assert result["period"]["years"] == years
    assert result["review_possible_after_years"] == review
    rules = {u["rule"] for u in result["unverified"]}
    assert ("halving_under_18" in rules) is (notifiable and years in (5.0, 2.5) and on_date < 18)
    # Para 95 (ages at the offence) is in the Act as enacted: verified, so never flagged.
    assert "schedule3_age_timing" not in rules
    assert any("para 95" in citation for citation in result["basis"])


def test_adult_at_offence_with_short_custody_is_notifiable() -> None:
    result = notification(request({"type": "custody", "custody_months": 1.0}, age_at_offence=18))
    assert result["notifiable"] is True and result["period"]["years"] == 7.0


@pytest.mark.parametrize(
    ("relevant", "disposal", "ends_on", "initial"),
    [
        # 29 Feb has no anniversary: the period reaches the last day of February, less a day.
        (date(2024, 2, 29), {"type": "caution"}, "2026-02-27", "2024-03-02"),
        (date(2024, 2, 29), {"type": "community_order"}, "2029-02-27", "2024-03-02"),
        (
            date(2024, 2, 29),
            {"type": "conditional_discharge", "discharge_months": 12},
            "2025-02-27",
            "2024-03-02",
        ),
        (date(2023, 12, 31), {"type": "caution"}, "2025-12-30", "2024-01-02"),
        (date(2026, 7, 4), {"type": "caution"}, "2028-07-03", "2026-07-06"),
        (
            date(2024, 8, 31),
            {"type": "conditional_discharge", "discharge_months": 6},
            "2025-02-27",
            "2024-09-02",
        ),
    ],
)
def test_dates(relevant: date, disposal: dict[str, Any], ends_on: str, initial: str) -> None:
    result = notification(request(disposal, relevant_date=relevant))
    assert result["ends_on"] == ends_on
    assert result["initial_notification_due"] == initial
    assert "end_date_convention" in {u["rule"] for u in result["unverified"]}


def test_halved_period_counts_whole_months() -> None:
    result = notification(
        request(
            {"type": "custody", "custody_months": 12.0},
            age_at_offence=16,
            age_on_relevant_date=17,
            relevant_date=date(2024, 2, 29),
        )
    )
    assert result["period_months"] == 60  # 10 years halved
    assert result["ends_on"] == "2029-02-27"


@pytest.mark.parametrize(
    ("disposal", "youngest", "age_at_offence", "age_on_date", "path"),
    [
        ({"type": "custody"}, "under_16", 40, 40, "disposal.custody_months"),
        ({"type": "conditional_discharge"}, "under_16", 40, 40, "disposal.discharge_months"),
        ({"type": "caution", "custody_months": 3.0}, "under_16", 40, 40, "disposal.custody_months"),
        ({"type": "fine", "discharge_months": 3}, "under_16", 40, 40, "disposal.discharge_months"),
        ({"type": "suspended_sentence"}, "under_16", 40, 40, "disposal.custody_months"),
        ({"type": "suspended_sentence", "custody_months": 12.0}, "under_16", 16, 17, "disposal.type"),
        ({"type": "suspended_sentence", "custody_months": 3.0}, "16_17", 15, 16, "disposal.type"),
        ({"type": "caution"}, "under_16", 40, 39, "age_on_relevant_date"),
    ],
)
def test_inconsistent_requests_name_the_field(
    disposal: dict[str, Any], youngest: str, age_at_offence: int, age_on_date: int, path: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        notification(
            request(
                disposal, youngest=youngest, age_at_offence=age_at_offence, age_on_relevant_date=age_on_date
            )
        )
    assert [d["path"] for d in info.value.details] == [path]


def test_disposals_before_part_2_commenced_are_refused() -> None:
    notification(request({"type": "caution"}, relevant_date=date(2004, 5, 1)))
    with pytest.raises(InvalidInput) as info:
        notification(request({"type": "caution"}, relevant_date=date(2004, 4, 30)))
    assert info.value.details[0]["path"] == "relevant_date"


def test_verification_is_the_weakest_unverified_mark() -> None:
    result = notification(request({"type": "caution"}))
    assert result["verification"] == "secondary"  # the end-date convention and the Sch 3 threshold
    without_date = notification_if_cautioned("cja1988_s160", "under_16", 30, 30)
    assert without_date["verification"] == "secondary"
    assert result["table"]["id"] == "law-notification" and len(result["table"]["sha256"]) == 64


# --- the triage preview ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("youngest", "age_at_offence", "age", "notifiable", "years"),
    [
        ("under_16", 40, 40, True, 2.0),
        ("under_16", 18, 18, True, 2.0),
        ("under_16", 18, 40, True, 2.0),
        ("under_16", 17, 17, False, None),
        ("under_16", 16, 20, False, None),  # Sch 3 reads the age at the offence (para 95)
        ("under_16", None, 40, None, None),  # today's age says nothing about the age then
        ("under_16", None, None, None, None),
        ("16_17", 40, 40, False, None),
        ("16_17", None, None, False, None),
        ("unknown", 40, 40, None, None),
        (None, 40, 40, None, None),
    ],
)
def test_notification_if_cautioned(
    youngest: str | None,
    age_at_offence: int | None,
    age: int | None,
    notifiable: bool | None,
    years: float | None,
) -> None:
    result = notification_if_cautioned("pca1978_s1", youngest, age_at_offence, age)
    assert result["notifiable"] is notifiable
    assert (result["period"] or {}).get("years") == years
    assert result["ends_on"] is None and result["initial_notification_due"] is None


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("making", "under_16", 30, 30), "offence"),
        (("pca1978_s1", "under_13", 30, 30), "youngest_depicted"),
        (("pca1978_s1", "under_16", 30, 9), "age"),
        (("pca1978_s1", "under_16", 30, 121), "age"),
        (("pca1978_s1", "under_16", 9, 30), "age_at_offence"),
        (("pca1978_s1", "under_16", 31, 30), "age_at_offence"),
    ],
)
def test_notification_if_cautioned_rejects_bad_arguments(args: tuple[str, str, int, int], path: str) -> None:
    with pytest.raises(InvalidInput) as info:
        notification_if_cautioned(*args)
    assert info.value.details[0]["path"] == path


# --- deadlines after notification -----------------------------------------------------------


def test_renotification_is_yearly_from_the_initial_notification() -> None:
    # ends_on is the last day the requirements apply: a due date on it still falls within them.
    assert renotification_dates(date(2024, 2, 29), date(2027, 2, 27), 10) == [
        date(2025, 2, 28),
        date(2026, 2, 28),
    ]
    assert renotification_dates(date(2024, 2, 29), date(2026, 2, 28), 10) == [
        date(2025, 2, 28),
        date(2026, 2, 28),
    ]
    assert renotification_dates(date(2024, 2, 29), None, 5)[-1] == date(2029, 2, 28)
    assert renotification_dates(date(2024, 2, 29), None, 5)[3] == date(2028, 2, 29)
    assert renotification_dates(date(2025, 1, 1), None, 0) == []


def test_renotification_is_weekly_without_a_fixed_abode() -> None:
    dates = renotification_dates(date(2025, 1, 1), date(2025, 1, 28), 10, no_fixed_abode=True)
    assert dates == [date(2025, 1, 8), date(2025, 1, 15), date(2025, 1, 22)]


def test_renotification_rejects_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        renotification_dates(date(2025, 1, 1), None, -1)


def test_change_notification_due() -> None:
    assert change_notification_due(date(2025, 12, 30)) == date(2026, 1, 1)


def test_the_cached_preview_hands_out_independent_copies() -> None:
    first = notification_if_cautioned("cja1988_s160", "under_16", 30, 30)
    first["period"]["years"] = 99.0
    first["basis"].clear()
    second = notification_if_cautioned("cja1988_s160", "under_16", 30, 30)
    assert second["period"]["years"] == 2.0 and second["basis"]
