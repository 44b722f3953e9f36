"""The offence and the guideline activity the recorded activities amount to (`core/law/offences.py`),
over every combination of the activities a case-facts document may record."""

from __future__ import annotations

from itertools import combinations

import pytest

from riskroute.core.facts import ACTIVITIES
from riskroute.core.law.offences import offence_for, sentencing_activity
from riskroute.core.law.sentencing import ACTIVITIES as GUIDELINE_ACTIVITIES

ALL_COMBINATIONS = [list(c) for n in range(len(ACTIVITIES) + 1) for c in combinations(ACTIVITIES, n)]


@pytest.mark.parametrize("activities", ALL_COMBINATIONS, ids=lambda a: "+".join(a) or "none")
def test_the_offence_of_each_combination(activities: list[str]) -> None:
    expected = "cja1988_s160" if activities == ["possession"] else "pca1978_s1"
    assert offence_for(activities) == expected
    assert offence_for(tuple(sorted(activities))) == expected  # as triage holds them
    assert offence_for(activities + activities) == expected  # a repeat changes nothing


def test_no_activity_recorded_is_the_wider_offence() -> None:
    assert offence_for(None) == offence_for([]) == "pca1978_s1"


@pytest.mark.parametrize("activities", ALL_COMBINATIONS, ids=lambda a: "+".join(a) or "none")
def test_the_guideline_column_of_each_combination(activities: list[str]) -> None:
    """The most serious column any recorded activity reaches: production above distribution above
    possession; making is sentenced as possession."""
    column = {
        "possession": "possession",
        "making": "possession",
        "distribution": "distribution",
        "advertising": "distribution",
        "live_streaming": "distribution",
        "production": "production",
    }
    reached = [column[a] for a in activities]
    expected = max(reached, key=GUIDELINE_ACTIVITIES.index) if reached else None
    assert sentencing_activity(activities) == expected


def test_no_activity_recorded_gives_no_guideline_column() -> None:
    """Unknown is not possession: the lowest column would understate the starting point shown."""
    assert sentencing_activity(None) is None
    assert sentencing_activity([]) is None
