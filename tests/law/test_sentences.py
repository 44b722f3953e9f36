"""A sentence's terms (`core/law/sentences.py`), checked once for the notification calculator and
the case service's court-outcome step, over every disposal the notification table knows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskroute.core.errors import InvalidInput
from riskroute.core.law import NotificationRequest, notification
from riskroute.core.law.notification import _DISPOSALS
from riskroute.core.law.sentences import TERMS, disposal, outcome_problems, term_problems

SENTENCES = [d for d in _DISPOSALS if d not in ("caution", "conditional_caution")]
ON = dt.date(2026, 1, 5)
NEEDS = {  # each sentence and the terms it must carry, written out from s.82 (docs/law.md)
    "custody": {"custody_months"},
    "suspended_sentence": {"custody_months"},
    "community_order": set(),
    "fine": set(),
    "conditional_discharge": {"discharge_months"},
    "absolute_discharge": set(),
    "hospital_order": set(),
    "hospital_order_with_restriction": set(),
}
VALUES = {"custody_months": 12.0, "discharge_months": 24}


def test_every_sentence_is_covered() -> None:
    assert set(NEEDS) == set(SENTENCES)
    assert {name: set(owners) for name, owners in TERMS.items()} == {
        name: {sentence for sentence, needs in NEEDS.items() if name in needs} for name in VALUES
    }


@pytest.mark.parametrize("sentence", SENTENCES)
def test_exactly_the_needed_terms_are_accepted(sentence: str) -> None:
    needed = {name: VALUES[name] for name in NEEDS[sentence]}
    assert term_problems(sentence, needed.get("custody_months"), needed.get("discharge_months")) == []
    # each needed term left out is asked for; each other term given is refused
    for name in NEEDS[sentence]:
        short = needed | {name: None}
        problems = term_problems(sentence, short.get("custody_months"), short.get("discharge_months"), "x.")
        assert [(p["path"], p["message"].split(":")[0]) for p in problems] == [
            (f"x.{name}", f"required for {sentence}")
        ]
    for name in set(VALUES) - NEEDS[sentence]:
        extra = needed | {name: VALUES[name]}
        problems = term_problems(sentence, extra.get("custody_months"), extra.get("discharge_months"))
        assert [p["path"] for p in problems] == [name]
        assert problems[0]["message"].startswith("only for ")


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_calculator_and_the_outcome_step_agree(sentence: str) -> None:
    """What the court-outcome step accepts, the notification calculator accepts as a disposal,
    and what one refuses (a missing or stray term) the other refuses on the same field."""
    for custody in (None, VALUES["custody_months"]):
        for discharge in (None, VALUES["discharge_months"]):
            outcome = outcome_problems("convicted", sentence, custody, discharge, ON)
            request: dict[str, Any] = {
                "offence": "pca1978_s1",
                "youngest_depicted": "under_16",
                "age_at_offence": 30,
                "age_on_relevant_date": 31,
                "disposal": {"type": sentence, "custody_months": custody, "discharge_months": discharge},
                "relevant_date": ON,
            }
            request["disposal"] = {k: v for k, v in request["disposal"].items() if v is not None}
            try:
                notification(NotificationRequest.model_validate(request))
                refused: list[str] = []
            except InvalidInput as exc:
                refused = [d["path"].removeprefix("disposal.") for d in exc.details]
            assert [p["path"] for p in outcome] == refused
            if not outcome:
                made = disposal(sentence, custody, discharge)
                assert made == request["disposal"]


def test_a_conviction_needs_a_sentence_and_its_date() -> None:
    assert [p["path"] for p in outcome_problems("convicted", None, None, None, None)] == [
        "sentence_type",
        "sentenced_on",
    ]


@given(
    st.sampled_from(["acquitted", "discontinued"]),
    st.sampled_from([None, *SENTENCES]),
    st.one_of(st.none(), st.floats(min_value=1, max_value=1200)),
    st.one_of(st.none(), st.integers(min_value=1, max_value=36)),
    st.one_of(st.none(), st.just(ON)),
)
def test_an_outcome_other_than_conviction_carries_nothing(
    outcome: str, sentence: str | None, custody: float | None, discharge: int | None, on: dt.date | None
) -> None:
    """Every sentence field given is refused, by name, and nothing else is."""
    given_fields = {
        "sentence_type": sentence,
        "custody_months": custody,
        "discharge_months": discharge,
        "sentenced_on": on,
    }
    problems = outcome_problems(outcome, sentence, custody, discharge, on)
    assert [p["path"] for p in problems] == [
        name for name, value in given_fields.items() if value is not None
    ]
    assert all("carries no sentence" in p["message"] for p in problems)
