"""Property tests over the legal calculators (hypothesis)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from riskroute.core.knowledge import Mark
from riskroute.core.law import Disposal, NotificationRequest, SentencingRequest, notification, sentencing
from riskroute.core.law.notification import DisposalType

RANK = {mark.value: rank for rank, mark in enumerate(Mark)}  # higher = weaker
DISPOSALS: tuple[str, ...] = DisposalType.__args__  # type: ignore[attr-defined]

months = st.floats(min_value=0.25, max_value=600, allow_nan=False)
ages = st.integers(min_value=10, max_value=120)
dates = st.dates(min_value=date(2004, 5, 1), max_value=date(2090, 12, 31))


@st.composite
def disposals(draw: st.DrawFn) -> Disposal:
    kind = draw(st.sampled_from(DISPOSALS))
    if kind in ("custody", "suspended_sentence"):
        return Disposal(type=kind, custody_months=draw(months))  # type: ignore[arg-type]
    if kind == "conditional_discharge":
        return Disposal(type=kind, discharge_months=draw(st.integers(1, 36)))
    return Disposal(type=kind)  # type: ignore[arg-type]


@st.composite
def requests(draw: st.DrawFn, disposal: Disposal | None = None) -> NotificationRequest:
    at_offence = draw(ages)
    disposal = disposal or draw(disposals())
    # Only an adult can be given a suspended sentence (a child gets a DTO, recorded as custody).
    youngest_on_date = max(at_offence, 18) if disposal.type == "suspended_sentence" else at_offence
    return NotificationRequest(
        offence=draw(st.sampled_from(["pca1978_s1", "cja1988_s160"])),
        youngest_depicted=draw(st.sampled_from(["under_16", "16_17", "unknown"])),
        age_at_offence=at_offence,
        age_on_relevant_date=draw(st.integers(youngest_on_date, 120)),
        disposal=disposal,
        relevant_date=draw(dates),
    )


def length(result: dict[str, Any]) -> float:
    """Order periods: not notifiable < any finite period < indefinite."""
    if not result["notifiable"]:
        return -1.0
    return float("inf") if result["period"]["indefinite"] else result["period"]["years"]


@given(requests(), months, months)
def test_longer_custody_never_gives_a_shorter_period(base: NotificationRequest, a: float, b: float) -> None:
    shorter, longer = sorted((a, b))
    results = [
        notification(base.model_copy(update={"disposal": Disposal(type="custody", custody_months=m)}))
        for m in (shorter, longer)
    ]
    assert length(results[0]) <= length(results[1])


@given(requests())
def test_halving_only_under_18_on_the_relevant_date(req: NotificationRequest) -> None:
    result = notification(req)
    halved = "halving_under_18" in {u["rule"] for u in result["unverified"]}
    if req.age_on_relevant_date >= 18:
        assert not halved
    if halved:
        adult = notification(req.model_copy(update={"age_on_relevant_date": 18, "age_at_offence": 18}))
        assert result["period_months"] * 2 == adult["period_months"]


@given(requests())
def test_verification_is_never_stronger_than_a_rule_used(req: NotificationRequest) -> None:
    result = notification(req)
    for rule in result["unverified"]:
        assert RANK[result["verification"]] >= RANK[rule["mark"]]
        assert rule["mark"] not in ("verified", "derived")
    if not result["unverified"]:
        assert result["verification"] in ("verified", "derived")
    else:
        assert result["verification"] == max((u["mark"] for u in result["unverified"]), key=RANK.__getitem__)


@given(requests())
def test_outputs_are_consistent(req: NotificationRequest) -> None:
    result = notification(req)
    if req.youngest_depicted == "16_17" or req.disposal.type == "absolute_discharge":
        assert result["notifiable"] is False
    if req.youngest_depicted == "unknown" and req.disposal.type != "absolute_discharge":
        assert result["notifiable"] is None
    if result["notifiable"] is not True:
        assert result["period"] is None and result["ends_on"] is None
        assert result["initial_notification_due"] is None
    else:
        assert result["initial_notification_due"] > req.relevant_date.isoformat()
        assert (result["ends_on"] is None) is result["period"]["indefinite"]
        assert (result["review_possible_after_years"] is not None) is result["period"]["indefinite"]
        if result["ends_on"] is not None:
            assert result["ends_on"] > req.relevant_date.isoformat()


@given(st.sampled_from(["A", "B", "C"]), st.sampled_from(["possession", "distribution", "production"]))
def test_sentencing_verification_is_the_weakest_cell_mark(category: str, activity: str) -> None:
    result = sentencing(SentencingRequest(category=category, activity=activity))  # type: ignore[arg-type]
    weakest_cell = max(result["marks"].values(), key=RANK.__getitem__)
    assert RANK[result["verification"]] >= RANK[weakest_cell]
