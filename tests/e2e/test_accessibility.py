"""Accessibility in a real browser: axe-core on every page, and a form used with the keyboard alone.

The pages are filled from the synthetic demo data (cases in every workflow state), so each page is
checked with realistic content: tables, tags, assessments, proposals and error summaries.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from riskroute.cases import services
from riskroute.cases.demo import DEMO_PASSWORD, load_demo
from riskroute.cases.models import Case
from tests.e2e.actions import login, run_axe
from tests.factories import PASSWORD, World, referral, to_assessed

pytestmark = pytest.mark.e2e


def _case(state: str) -> int:
    case = Case.objects.filter(force__code="northshire", state=state).order_by("pk").first()
    assert case is not None, f"the demo data has no case in state {state}"
    return case.pk


def test_no_serious_or_critical_axe_violation_on_any_page(
    base_url: str, settings: Any, new_page: Any, axe_source: Path
) -> None:
    settings.DEMO_MODE = True  # demo accounts sign in only in demo mode
    load_demo()
    ids = {
        state: _case(state)
        for state in (
            "referral",
            "assessed",
            "decision_pending",
            "diversion_approved",
            "caution_active",
            "caution_complete",
            "prosecution",
            "prosecution_concluded",
        )
    }
    page = new_page()
    problems: dict[str, list[dict[str, Any]]] = {}

    def check(label: str) -> None:
        found = run_axe(page, axe_source)
        if found:
            problems[label] = found

    page.goto(f"{base_url}/accounts/login/")
    check("login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check("login with errors")
    login(page, base_url, "northshire.sergeant", DEMO_PASSWORD)

    # The question asked before a case is shown (s.62): empty, then refused with an error.
    page.goto(f"{base_url}/cases/{ids['referral']}/")
    expect(page.get_by_role("heading", name="Why do you need this case?")).to_be_visible()
    check("justification")
    page.get_by_role("button", name="Continue to the case").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check("justification with errors")
    for case_id in sorted(set(ids.values())):  # answered once per case, so the pages below show
        justify(page, base_url, case_id)

    pages = [
        "/cases/mine/",
        "/cases/team/",
        "/cases/overdue/",
        "/alerts/",
        "/dashboard/",
        "/cases/new/",
        f"/cases/{ids['prosecution_concluded']}/",
        f"/cases/{ids['caution_active']}/",
        f"/cases/{ids['referral']}/facts/",
        f"/cases/{ids['referral']}/assign/",
        f"/cases/{ids['referral']}/enforcement/",
        f"/cases/{ids['referral']}/safeguarding/",
        f"/cases/{ids['assessed']}/assessment/",
        f"/cases/{ids['assessed']}/disposal/propose/",
        f"/cases/{ids['decision_pending']}/disposal/decide/",
        f"/cases/{ids['diversion_approved']}/caution/",
        f"/cases/{ids['caution_active']}/notification/",
        f"/cases/{ids['caution_active']}/attendance/",
        f"/cases/{ids['caution_active']}/breach/",
        f"/cases/{ids['prosecution']}/prosecution/",
        f"/cases/{ids['caution_complete']}/close/",
        f"/cases/{ids['caution_active']}/shares/",
        "/cases/999999/",
    ]
    for path in pages:
        response = page.goto(base_url + path)
        assert response is not None
        _assert_no_inline_code(path, response.text())
        expect(page.locator("main")).to_be_visible()
        check(path)

    # Error states: the GOV.UK error summary and field errors must be accessible too.
    page.goto(f"{base_url}/cases/new/")
    page.get_by_role("button", name="Create the case").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check("referral with errors")
    page.goto(f"{base_url}/cases/{ids['caution_active']}/breach/")
    page.get_by_role("button", name="Record the breach").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check("breach with errors")
    # Check your answers before a one-way step (nothing is written until it is confirmed).
    page.get_by_label("Day").first.fill(str(dt.date.today().day))
    page.get_by_label("Month").first.fill(str(dt.date.today().month))
    page.get_by_label("Year").first.fill(str(dt.date.today().year))
    page.get_by_label("What happened").fill("Did not attend and gave no reason (synthetic).")
    page.get_by_label("No: prosecute for the original offence").check()
    page.get_by_role("button", name="Record the breach").click()
    expect(page.locator("#check-answers")).to_be_visible()
    check("check your answers")

    # The administrator's records pages: records due for review, and erasure.
    page = new_page()
    login(page, base_url, "northshire.admin", DEMO_PASSWORD)
    admin_pages = (
        "/records/review/",
        f"/cases/{ids['caution_complete']}/review/",
        f"/cases/{ids['caution_complete']}/erase/",
    )
    for path in admin_pages:
        response = page.goto(base_url + path)
        assert response is not None and response.ok, path
        _assert_no_inline_code(path, response.text())
        check(f"administrator {path}")

    # The rehabilitation provider's own, reduced pages.
    page = new_page()
    login(page, base_url, "provider.worker", DEMO_PASSWORD)
    justify(page, base_url, ids["caution_active"])
    for path in (
        "/cases/mine/",
        f"/cases/{ids['caution_active']}/",
        f"/cases/{ids['caution_active']}/attendance/",
    ):
        response = page.goto(base_url + path)
        assert response is not None and response.ok, path
        check(f"provider {path}")
    expect(page.get_by_text("Address")).to_have_count(0)  # the minimum: no address, no facts
    response = page.goto(f"{base_url}/cases/team/")  # police worklists are refused to providers
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You cannot do this")).to_be_visible()
    check("provider refused")

    assert not problems, problems


def justify(page: Page, base_url: str, case_id: int) -> None:
    """Give this session's reason for a case, so its pages show rather than the question."""
    page.goto(f"{base_url}/cases/{case_id}/justification/")
    page.get_by_label("Why do you need to open this case?").fill("Synthetic test: accessibility review")
    page.get_by_role("button", name="Continue to the case").click()
    expect(page.locator("h1")).to_contain_text("Case ")  # the case page itself


def _assert_no_inline_code(path: str, html: str) -> None:
    """A strict Content Security Policy (no 'unsafe-inline') must be able to apply to every page."""
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag for tag in scripts), f"{path}: inline <script> {scripts}"
    assert not re.search(r"\sstyle=", html), f"{path}: inline style attribute"
    assert not re.search(r"<style\b", html), f"{path}: inline <style> element"
    assert not re.search(r"\son[a-z]+=", html), f"{path}: inline event handler"


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus by Tab")


def _focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector))


def test_sign_in_and_propose_with_the_keyboard_alone(base_url: str, world: World, new_page: Any) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))

    page = new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.keyboard.press("Tab")
    assert _focused(page, ".govuk-skip-link"), "the skip link must be the first thing Tab reaches"
    _tab_to(page, "#id_username")
    page.keyboard.type(world["inv"].username)
    page.keyboard.press("Tab")
    assert _focused(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_be_visible()

    page.goto(f"{base_url}/cases/{case.pk}/disposal/propose/")
    # First the reason for opening the case (asked once per session), by keyboard too.
    _tab_to(page, "#id_justification")
    page.keyboard.type("Proposing the disposal for my case.")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Propose a disposal")).to_be_visible()
    _tab_to(page, "#id_kind")  # first option of "Proposed disposal": diversion
    page.keyboard.press("Space")
    _tab_to(page, "#id_reason")
    page.keyboard.type("Low risk on every recorded fact.")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    # Diversion without admission, consent and reasons: the error summary takes focus, and its
    # first link moves focus to the first field at fault.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_admission")).to_be_focused()
    page.keyboard.press("Space")  # "Yes": admitted
    _tab_to(page, "input[name=consent]")  # lands on the checked answer, "Not known"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # arrows move and select within the group: "Yes", consents
    expect(page.locator("#id_consent")).to_be_checked()
    _tab_to(page, "#id_exceptional_circumstances")
    page.keyboard.type("First contact with police; engaged with the programme offer.")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#case-state")).to_have_text("Disposal proposed; awaiting approval")


def test_axe_harness_reports_a_known_violation(new_page: Any, axe_source: Path) -> None:
    """Guards the check above against passing vacuously: a page with known faults must fail it."""
    page = new_page()
    page.set_content(
        '<html lang="en"><body><main><h1>Faults</h1><img src="x.png"><a href="#"></a></main></body></html>'
    )
    found = {violation["id"] for violation in run_axe(page, axe_source)}
    assert {"image-alt", "link-name"} <= found
