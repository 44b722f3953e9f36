"""Each worklist row says why its band, in the priority tree's words (issue 11).

The reason is set whenever the case is prioritised (`cases.commands.support.reprioritise`), kept
on the case (`Case.priority_reason`), shown under the band on the team, personal and overdue
worklists and returned in the API's case summaries. Unknown facts are reported as not known,
never as "no".
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from django.apps import apps

from riskroute.cases import services
from riskroute.cases.models import Case
from tests.clients import Api, browser
from tests.factories import LOW_RISK_FACTS, World, referral

OCCUPATION = "access to children through work"
UNCHECKED = "not known: children in the household; access to children through work; and 2 more"


def facts(**access: Any) -> dict[str, Any]:
    document = copy.deepcopy(LOW_RISK_FACTS)
    document["access_to_children"].update(access)
    return document


def unchecked() -> dict[str, Any]:
    """Access to children not checked yet: every answer about it is unknown."""
    return facts(checked=None, household=None, occupation=None, volunteering=None, family_or_friends=None)


@pytest.mark.parametrize(
    ("document", "band", "reason"),
    [
        (facts(), "low", "no priority rule met"),
        (facts(occupation=True), "high", OCCUPATION),
        (unchecked(), "medium", UNCHECKED),
    ],
    ids=["no-rule", "occupation", "unchecked"],
)
def test_a_new_case_keeps_the_reason_for_its_band(
    world: World, document: dict[str, Any], band: str, reason: str
) -> None:
    case = services.create_referral(world["inv"], referral(facts=document))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.priority_band, stored.priority_reason) == (band, reason)


def test_the_reason_follows_the_facts_even_when_the_band_stays(world: World) -> None:
    """Household access, then access through work instead: the band, target and deadline are the
    same (no new priority record), but the reason must not keep naming the household."""
    case = services.create_referral(world["inv"], referral(facts=facts(household=True)))
    assert case.priority_reason == "children in the household"
    records = case.priority_history.count()
    case = services.update_facts(
        world["inv"], case.pk, {"version": case.version, "facts": facts(occupation=True)}
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.priority_band, stored.priority_reason) == ("high", OCCUPATION)
    assert stored.priority_history.count() == records  # the band did not change


@pytest.mark.parametrize(
    ("path", "user"), [("/cases/team/", "sup"), ("/cases/mine/", "inv"), ("/cases/overdue/", "sup")]
)
def test_every_worklist_row_shows_the_reason_under_the_band(world: World, path: str, user: str) -> None:
    work = services.create_referral(world["inv"], referral(facts=facts(occupation=True)))
    services.create_referral(world["inv"], referral(facts=unchecked()))
    page = browser(user, work).get(path).content.decode()
    assert page.count('<span class="govuk-body-s govuk-!-display-block') == 2
    assert "Access to children through work</span>" in page
    assert f"N{UNCHECKED[1:]}</span>" in page  # capfirst


def test_the_case_page_says_why_its_band(world: World) -> None:
    case = services.create_referral(world["inv"], referral(facts=facts(occupation=True)))
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert (
        f'<span class="govuk-body-s govuk-!-display-block" id="priority-reason">Because: {OCCUPATION}</span>'
        in page
    )


def test_the_api_case_summary_carries_the_reason(world: World) -> None:
    case = services.create_referral(world["inv"], referral(facts=facts(occupation=True)))
    rows = Api(world["inv"]).get("/worklists/team").json()
    row = next(r for r in rows if r["id"] == case.pk)
    assert (row["priority_band"], row["priority_reason"]) == ("high", OCCUPATION)


def test_the_migration_backfills_only_reasons_that_explain_the_stored_band(world: World) -> None:
    """Cases prioritised before the column existed get the reason of the tree as it is now, unless
    that tree would give another band than the one stored (then the reason would not fit it)."""
    kept = services.create_referral(world["inv"], referral(facts=facts(occupation=True)))
    moved = services.create_referral(world["inv"], referral(facts=facts(occupation=True)))
    Case.objects.filter(pk__in=[kept.pk, moved.pk]).update(priority_reason="")
    Case.objects.filter(pk=moved.pk).update(priority_band="very_high")
    migration = importlib.import_module("riskroute.cases.migrations.0010_priority_reason")
    migration.backfill_priority_reason(apps, None)
    assert Case.objects.get(pk=kept.pk).priority_reason == OCCUPATION
    assert Case.objects.get(pk=moved.pk).priority_reason == ""
