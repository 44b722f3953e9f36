"""Two cases walked end to end in a real browser, by the people who would act on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from riskroute.cases import services
from tests.e2e.actions import (
    answer_low_risk_facts,
    choose,
    confirm,
    expect_saved,
    expect_state,
    fill,
    fill_date,
    give_justification,
    login,
    open_case_step,
    record_safeguarding_done,
    refer,
)
from tests.factories import World, caution_data, referral, to_diversion_approved

pytestmark = pytest.mark.e2e


def test_referral_to_conditional_caution_with_supervisor_approval(
    base_url: str, world: World, new_page: Any
) -> None:
    today = timezone.localdate()
    investigator = new_page()
    login(investigator, base_url, world["inv"].username)

    # 1-2. Referral with the facts known so far; the case is prioritised.
    refer(investigator, base_url, "Synthetic Person Caution", today - dt.timedelta(days=10), ["Possession"])
    answer_low_risk_facts(investigator)
    investigator.get_by_role("button", name="Create the case").click()
    expect_saved(investigator, "created with priority")
    expect_state(investigator, "Referral received and prioritised")
    case_url = investigator.url

    # 3. Enforcement, reached from the task list: arrest and the forensic counts (counts only).
    stages = investigator.locator("#task-list")
    expect(stages.locator("li", has_text="Enforcement")).to_contain_text("In progress")
    expect(stages.locator("li", has_text="Disposal decision")).to_contain_text("Cannot start yet")
    stages.get_by_role("link", name="Enforcement").click()
    fill_date(investigator, "Date of arrest", today - dt.timedelta(days=2))
    fill(investigator, "Category A images (count)", 0)
    fill(investigator, "Category B images (count)", 2)
    fill(investigator, "Category C images (count)", 85)
    choose(investigator, "Evidence of distribution", "No")
    investigator.get_by_role("button", name="Save").click()
    expect_state(investigator, "Arrested; under investigation")

    # 4. Safeguarding: the record, not a typed answer, completes the safeguarding checks.
    record_safeguarding_done(investigator, today - dt.timedelta(days=2), today - dt.timedelta(days=1))
    expect(investigator.locator("#safeguarding-status")).to_contain_text("Safeguarding checks complete: Yes")

    # 5. Assessment: the recommendation, framed as support for a person's decision.
    open_case_step(investigator, "Run the assessment")
    investigator.get_by_role("button", name="Run the assessment").click()
    expect_state(investigator, "Risk assessed")
    open_case_step(investigator, "Propose a disposal")
    expect(investigator.locator("#recommendation")).to_contain_text("Divert")
    expect(investigator.get_by_text("A person decides.", exact=True)).to_be_visible()

    # 6. The investigator proposes diversion ...
    choose(investigator, "Proposed disposal", "Diversion (conditional caution)")
    fill(
        investigator, "Reasons for the proposal", "Assessed low risk; no access to children; full admission."
    )
    choose(investigator, "The person has admitted the offence", "Yes")
    choose(investigator, "The person consents to a conditional caution", "Yes")
    fill(
        investigator,
        "Exceptional circumstances justifying diversion",
        "First offence, low-level images, engaged.",
    )
    investigator.get_by_role("button", name="Propose").click()
    expect_state(investigator, "Disposal proposed; awaiting approval")
    expect(investigator.get_by_role("button", name="Approve or reject the proposal")).to_have_count(0)

    # ... and a supervisor, in a second browser, finds it in the approvals queue and approves it.
    supervisor = new_page()
    login(supervisor, base_url, world["sup"].username)
    queue = supervisor.locator("#approvals")
    expect(queue).to_contain_text("Diversion (conditional caution)")
    queue.get_by_role("link").first.click()
    give_justification(supervisor)
    expect(supervisor.locator("#proposed-kind")).to_have_text("Diversion (conditional caution)")
    fill(supervisor, "Reasons for your decision", "Agree: exclusions checked, low risk.")
    supervisor.get_by_role("button", name="Approve").click()
    confirm(supervisor, "Confirm and approve")
    expect_state(supervisor, "Diversion approved; caution to be administered")

    # 7. The conditions are recorded; notification is computed by the core.
    investigator.goto(case_url)
    open_case_step(investigator, "Record the conditional caution")
    fill(investigator, "Rehabilitation programme", "Inform Plus")
    investigator.get_by_label("Provider").select_option(label=world.provider_org.name)
    fill(investigator, "Number of sessions", 2)
    fill_date(investigator, "Date the caution document was signed", today)
    fill_date(investigator, "Date by which the programme must be completed", today + dt.timedelta(weeks=10))
    choose(investigator, "Completion window", "16 weeks")
    investigator.get_by_label("The person was told what the caution means", exact=False).check()
    investigator.get_by_role("button", name="Record the caution").click()
    expect_state(investigator, "Conditional caution in force")
    expect(investigator.get_by_role("heading", name="Notification requirements")).to_be_visible()

    # 8. The provider sees only this referred case and records attendance.
    provider = new_page()
    login(provider, base_url, world["provider"].username)
    reference = investigator.locator("h1").inner_text().removeprefix("Case ")
    provider.goto(f"{base_url}/cases/mine/")
    provider.get_by_role("link", name=reference).click()
    give_justification(provider, "Programme attendance for this referral")
    open_case_step(provider, "Record attendance")
    for session in (1, 2):
        fill(provider, "Session number", session)
        fill_date(provider, "Date of the session", today)
        choose(provider, "Did the person attend?", "Attended")
        provider.get_by_role("button", name="Record attendance").click()
        expect_saved(provider, "Attendance recorded.")
        if session == 1:
            open_case_step(provider, "Record attendance")

    # The investigator records completion: every session attended.
    investigator.goto(case_url)
    open_case_step(investigator, "Record attendance")
    fill_date(investigator, "Date the conditions were completed", today)
    investigator.get_by_role("button", name="Record completion").click()
    expect_state(investigator, "Caution conditions completed")


def test_referral_to_charge_and_sentence(base_url: str, world: World, new_page: Any) -> None:
    today = timezone.localdate()
    investigator = new_page()
    login(investigator, base_url, world["inv"].username)

    refer(
        investigator,
        base_url,
        "Synthetic Person Charge",
        today - dt.timedelta(days=30),
        ["Distribution (sharing)"],
    )
    choose(investigator, "Activities", "Making (downloading or opening)")
    choose(investigator, "Activities", "Distribution (sharing)")
    investigator.get_by_role("button", name="Create the case").click()
    expect_state(investigator, "Referral received and prioritised")
    case_url = investigator.url

    open_case_step(investigator, "Record enforcement")
    # A service-side check (no dates in the future) comes back as a GOV.UK error at the field.
    fill_date(investigator, "Date of arrest", today + dt.timedelta(days=1))
    investigator.get_by_role("button", name="Save").click()
    error = investigator.locator(".govuk-error-summary").get_by_role(
        "link", name="Date of arrest must not be in the future"
    )
    expect(error).to_be_visible()
    error.click()
    expect(investigator.locator("#id_arrested_on_0")).to_be_focused()
    fill_date(investigator, "Date the warrant was executed", today - dt.timedelta(days=5))
    fill_date(investigator, "Date of arrest", today - dt.timedelta(days=5))
    fill(investigator, "Category A images (count)", 40)
    fill(investigator, "Category B images (count)", 210)
    fill(investigator, "Category C images (count)", 900)
    choose(investigator, "Evidence of distribution", "Yes")
    investigator.get_by_role("button", name="Save").click()
    expect_state(investigator, "Arrested; under investigation")

    open_case_step(investigator, "Run the assessment")
    investigator.get_by_role("button", name="Run the assessment").click()
    open_case_step(investigator, "Propose a disposal")
    expect(investigator.locator("#recommendation")).to_contain_text("Prosecute")
    expect(investigator.get_by_role("heading", name="Why diversion is blocked")).to_be_visible()
    choose(investigator, "Proposed disposal", "Charge file to CPS")
    fill(
        investigator,
        "Reasons for the proposal",
        "Distribution and category A images: full criminal-justice response.",
    )
    investigator.get_by_role("button", name="Propose").click()
    expect_state(investigator, "Disposal proposed; awaiting approval")

    supervisor = new_page()
    login(supervisor, base_url, world["sup"].username)
    supervisor.goto(case_url)
    give_justification(supervisor)
    open_case_step(supervisor, "Approve or reject the proposal")
    supervisor.get_by_role("button", name="Approve").click()
    confirm(supervisor, "Confirm and approve")
    expect_state(supervisor, "Prosecution")
    open_case_step(supervisor, "Assign the case")
    supervisor.get_by_label("Investigator").select_option(label=world["inv"].username)
    supervisor.get_by_role("button", name="Save").click()
    expect_saved(supervisor, "Case assigned.")

    investigator.goto(case_url)
    open_case_step(investigator, "Record prosecution steps")
    fill_date(investigator, "Date charged", today - dt.timedelta(days=4))
    investigator.get_by_label("CPS decision", exact=True).select_option(label="Charge")
    fill_date(investigator, "Date of the CPS decision", today - dt.timedelta(days=4))
    fill(investigator, "Court", "Synthtown Crown Court (synthetic)")
    investigator.get_by_role("button", name="Save prosecution steps").click()
    expect_saved(investigator, "Prosecution updated.")

    open_case_step(investigator, "Record prosecution steps")
    choose(investigator, "Court outcome", "Convicted")
    fill_date(investigator, "Date of the outcome", today)
    investigator.get_by_label("Sentence", exact=True).select_option(label="Immediate custody")
    fill(investigator, "Custodial term (months)", 18)
    fill_date(investigator, "Date of sentence", today)
    investigator.get_by_role("button", name="Record the outcome").click()
    confirm(investigator, "Confirm and record the outcome")
    expect_state(investigator, "Prosecution concluded")
    expect(investigator.locator("#court-outcome")).to_contain_text("Convicted")
    expect(investigator.get_by_text("Guideline starting point (for information)")).to_be_visible()
    expect(investigator.get_by_role("heading", name="Notification requirements")).to_be_visible()


def test_a_stale_form_is_refused_with_the_conflict_message(
    base_url: str, world: World, new_page: Any
) -> None:
    """Two people edit the same case: the second save is refused, never silently lost."""
    case = services.create_referral(world["inv"], referral())
    first, second = new_page(), new_page()
    login(first, base_url, world["inv"].username)
    login(second, base_url, world["sup"].username)
    for page in (first, second):
        page.goto(f"{base_url}/cases/{case.pk}/enforcement/")
        give_justification(page)  # then back to the form asked for
    fill(first, "Devices seized (count)", 3)
    first.get_by_role("button", name="Save").click()
    expect_saved(first, "Enforcement recorded.")

    fill(second, "Devices seized (count)", 5)
    second.get_by_role("button", name="Save").click()
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Someone else changed this case")
    expect(summary).to_be_focused()
    second.goto(f"{base_url}/cases/{case.pk}/")
    devices = second.locator(".govuk-summary-list__row", has_text="Devices seized").locator("dd")
    expect(devices).to_have_text("3")  # the first save stands; the stale one changed nothing


def _case_under_caution(world: World) -> int:
    """A diverted case with its caution in force, built through the services as its users would."""
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["inv"], case.pk, caution_data(case, world))
    return int(case.pk)


def test_breach_without_excuse_prosecutes_the_original_offence_then_closes(
    base_url: str, world: World, new_page: Any
) -> None:
    today = timezone.localdate()
    case_id = _case_under_caution(world)
    investigator = new_page()
    login(investigator, base_url, world["inv"].username)
    investigator.goto(f"{base_url}/cases/{case_id}/")
    give_justification(investigator)
    expect_state(investigator, "Conditional caution in force")

    # 8. Breach without reasonable excuse: prosecution for the original offence (CJA 2003 s.24).
    open_case_step(investigator, "Record a breach")
    fill_date(investigator, "Date of the breach", today - dt.timedelta(days=2))
    fill(investigator, "What happened", "Did not attend two sessions and gave no reason.")
    choose(investigator, "Did the person have a reasonable excuse?", "No: prosecute for the original offence")
    investigator.get_by_role("button", name="Record the breach").click()
    confirm(investigator, "Confirm and record the breach")
    expect_state(investigator, "Prosecution")
    expect(investigator.get_by_text("Breach of conditional caution (CJA 2003 s.24)")).to_be_visible()
    expect(investigator.get_by_text("Ceased (breach)")).to_be_visible()  # the caution stays as history

    # A wrongly recorded detail is corrected as a new event with its reason; nothing is edited away.
    investigator.get_by_role("link", name="Correct the breach").click()
    fill(investigator, "What happened", "Did not attend three sessions and gave no reason.")
    fill(investigator, "Why is this correction needed?", "The register shows three sessions missed.")
    investigator.get_by_role("button", name="Record the correction").click()
    expect_saved(investigator, "Breach corrected.")
    expect(investigator.locator(".rr-timeline")).to_contain_text("Corrected breach: description")
    expect(investigator.locator(".rr-timeline")).to_contain_text("Breach without reasonable excuse")

    # 9. Outcome and sentence.
    open_case_step(investigator, "Record prosecution steps")
    choose(investigator, "Court outcome", "Convicted")
    fill_date(investigator, "Date of the outcome", today)
    investigator.get_by_label("Sentence", exact=True).select_option(label="Community order")
    fill_date(investigator, "Date of sentence", today)
    investigator.get_by_role("button", name="Record the outcome").click()
    confirm(investigator, "Confirm and record the outcome")
    expect_state(investigator, "Prosecution concluded")

    # 10. Closure with review dates.
    open_case_step(investigator, "Close the case")
    fill_date(investigator, "Date closed", today)
    fill(investigator, "Reason for closing", "Sentence passed; offender management continues under MAPPA.")
    fill_date(investigator, "First review date", today + dt.timedelta(days=365))
    investigator.get_by_role("button", name="Save").click()
    confirm(investigator, "Confirm and close the case")
    expect_state(investigator, "Closed")
    expect(investigator.get_by_role("heading", name="Closure")).to_be_visible()
    expect(investigator.locator("#task-list li", has_text="Closure")).to_contain_text("Completed")
