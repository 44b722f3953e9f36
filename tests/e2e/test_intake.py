"""Bulk referral intake in a real browser: upload a file, check the summary, confirm; axe clean.

The walk an investigator takes with a month's referrals: the upload page from the navigation,
the check (nothing written yet: bands, the lines in error, the person already known), then the
confirmation, after which the new very-high case is in the team worklist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from riskroute.cases.models import Case, PendingImport
from tests.e2e.actions import login, run_axe
from tests.factories import World

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).parents[2] / "src/riskroute/examples/referrals/november-synthetic.jsonl"


def test_upload_check_and_confirm_a_file_of_referrals(
    base_url: str, world: World, new_page: Any, axe_source: Path
) -> None:
    page = new_page()
    login(page, base_url, world["inv"].username)
    page.get_by_role("link", name="Import referrals").click()
    expect(page.get_by_role("heading", name="Import referrals")).to_be_visible()
    assert run_axe(page, axe_source) == []

    page.get_by_role("button", name="Check the referrals").click()  # nothing chosen: an error
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert run_axe(page, axe_source) == []

    page.get_by_label("Upload a file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Check the referrals").click()
    expect(page.get_by_role("heading", name="Check the referrals before importing")).to_be_visible()
    expect(page.get_by_text("Nothing has been written yet.")).to_be_visible()
    expect(page.get_by_role("cell", name="Very high")).to_be_visible()
    expect(page.get_by_role("cell", name="Line 4").first).to_be_visible()
    expect(page.get_by_role("heading", name="Referrals about people who already have a case")).to_be_visible()
    assert run_axe(page, axe_source) == []
    assert Case.objects.count() == 0

    page.get_by_role("button", name="Import these referrals").click()
    expect(page.get_by_role("heading", name="5 new cases")).to_be_visible()
    assert run_axe(page, axe_source) == []
    assert Case.objects.count() == 5 and not PendingImport.objects.exists()

    very_high = Case.objects.get(priority_band="very_high")
    page.get_by_role("link", name="Go to the team worklist").click()
    first_row = page.locator("table tbody tr").first
    expect(first_row).to_contain_text(very_high.reference)
