"""A stale assessment is flagged on the case page before anyone starts a proposal on it (issue 11).

Before, the user found out only after filling in the whole proposal form (409 on submit).
"""

from __future__ import annotations

import copy
import re

from riskroute.cases import services
from riskroute.cases.models import Case
from tests.clients import browser
from tests.factories import LOW_RISK_FACTS, World, referral, to_assessed


def first_step(page: str) -> str:
    """The label of the primary (first) button among the next steps."""
    steps = page[page.index('id="next-steps"') :]
    match = re.search(r'role="button"[^>]*>([^<]+)</a>', steps)
    assert match is not None
    return match.group(1)


def test_changed_facts_flag_the_assessment_and_lead_to_reassessing(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="assessment-stale"' not in page
    assert first_step(page) != "Run the assessment"

    facts = copy.deepcopy(LOW_RISK_FACTS)
    facts["offence"]["image_counts"]["C"] += 5
    services.update_facts(world["inv"], case.pk, {"version": case.version, "facts": facts})
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="assessment-stale"' in page and "Run the assessment again" in page
    assert first_step(page) == "Run the assessment"

    case = Case.objects.get(pk=case.pk)
    services.run_assessment(world["inv"], case.pk, {"version": case.version})
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="assessment-stale"' not in page
