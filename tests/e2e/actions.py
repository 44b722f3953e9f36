"""Page actions of the end-to-end tests, phrased as a user sees them (the users are tests/factories.py's).

Locators use labels and legends (what a screen-reader user hears), so a test also fails when a
field loses its label. No sleeps: every action and assertion relies on Playwright's auto-waiting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

#: WCAG 2.0-2.2 A and AA, plus axe's best practices (run explicitly so the 2.2 rules are included).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def give_justification(page: Page, reason: str = "Synthetic test: the task I was given on this case") -> None:
    """Answer the question asked once per case per session before the case is shown (s.62)."""
    expect(page.get_by_role("heading", name="Why do you need this case?")).to_be_visible()
    page.get_by_label("Why do you need to open this case?").fill(reason)
    page.get_by_role("button", name="Continue to the case").click()


def group(page: Page, legend: str) -> Any:
    return page.get_by_role("group", name=legend, exact=True)


def choose(page: Page, legend: str, option: str) -> None:
    """Tick the radio (or checkbox) labelled `option` in the fieldset whose legend is `legend`."""
    group(page, legend).get_by_label(option, exact=True).check()


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    fieldset = group(page, legend)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def fill(page: Page, label: str, value: object) -> None:
    page.get_by_label(label, exact=True).fill(str(value))


def open_case_step(page: Page, step: str) -> None:
    """From the case page, follow the next-step button named `step`."""
    page.get_by_role("button", name=step).click()


def confirm(page: Page, button: str) -> None:
    """On the check-your-answers page of a one-way step, press the confirm button `button`."""
    expect(page.locator("#check-answers")).to_be_visible()
    expect(page.locator("#one-way-warning")).to_be_visible()
    page.get_by_role("button", name=button).click()


def expect_state(page: Page, state: str) -> None:
    expect(page.locator("#case-state")).to_have_text(state)


def expect_saved(page: Page, message: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()


def answer_low_risk_facts(page: Page) -> None:
    """Every fact a diversion recommendation needs, answered for a low-risk person (no counts yet)."""
    choose(page, "Sex", "Male")
    choose(page, "Never married", "No")
    choose(page, "Activities", "Possession")
    choose(page, "Youngest child depicted", "Under 16")
    for legend in (
        "Material includes videos",
        "Material includes written stories about children",
        "More boys than girls in the illegal material",
        "More boys than girls in other child depictions",
        "Any previous charge or conviction",
        "Any failure on bail, probation or parole",
        "Allegations of contact offending",
        "Children in the household",
        "Access to children through work",
        "Access to children through volunteering",
        "Access to children of family or friends",
        "Sexual communication with a child",
        "Grooming or incitement",
        "Admitted or indicated sexual interest in children",
        "Images offered in a peer-to-peer shared folder",
    ):
        choose(page, legend, "No")
    for label in (
        "Previous sexual-offence sanctions (count)",
        "Previous contact sexual-offence sanctions (count)",
        "Previous indecent-image sanctions (count)",
        "Previous violent-offence sanctions (count)",
    ):
        fill(page, label, 0)
    fill(page, "Collection span (years)", 1)
    fill(page, "Age at the (earliest) offence (years)", 44)  # born 1 March 1980
    for legend in (
        "Checks on access to children completed",
        "Admits the offence",
        "Sufficient evidence to charge",
        "Consents to a caution",
    ):
        choose(page, legend, "Yes")


def record_safeguarding_done(page: Page, referred: dt.date, discussed: dt.date) -> None:
    """From the case page: the safeguarding record that completes the checks (no position of trust)."""
    open_case_step(page, "Record safeguarding")
    fill_date(page, "Date referred to children's social care", referred)
    fill_date(page, "Date of the strategy discussion", discussed)
    page.get_by_label("Outcome of the section 47 enquiry").select_option(label="No further action")
    page.get_by_role("button", name="Save safeguarding").click()
    expect_saved(page, "Safeguarding recorded.")


def refer(page: Page, base_url: str, name: str, received: dt.date, activities: list[str]) -> None:
    """Fill the referral's own questions and the person (facts are left to the caller)."""
    page.goto(f"{base_url}/cases/new/")
    choose(page, "Source of the referral", "NCA / CEOP dissemination")
    fill_date(page, "Date received", received)
    fill(page, "Summary of the referral", "Synthetic referral: an account linked to indecent-image activity.")
    for activity in activities:
        choose(page, "Suspected activities", activity)
    fill(page, "Full name", name)
    fill_date(page, "Date of birth", dt.date(1980, 3, 1))
    fill(page, "Address", "1 Example Road, Synthtown")
    page.get_by_text("Facts known at referral (optional)").click()


def run_axe(page: Page, axe_source: Path) -> list[dict[str, Any]]:
    """Run axe-core on the page as shown, with every <details> opened; return serious or worse."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    # Evaluated through the DevTools protocol, not as an inline <script>: the CSP forbids those.
    page.evaluate(axe_source.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
