"""Worklists readable on a phone (375 px wide, issue 11): no page scrolls sideways, and each cell
of a stacked row still says which column it belongs to."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from riskroute.cases.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.e2e

PAGES = ("/cases/team/", "/cases/mine/", "/cases/overdue/", "/alerts/")


def test_worklists_fit_a_375_pixel_screen(base_url: str, settings: Any, new_page: Any) -> None:
    settings.DEMO_MODE = True
    load_demo()
    page = new_page(viewport={"width": 375, "height": 812})
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill("northshire.sergeant")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    for path in PAGES:
        page.goto(base_url + path)
        page.locator("main").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at a 375 px viewport"
    page.goto(base_url + "/cases/team/")
    first = page.locator("#worklist tbody tr").first
    expect(first.locator("td").nth(2)).to_have_attribute("data-label", "Priority")
