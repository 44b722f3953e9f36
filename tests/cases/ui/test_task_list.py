"""The case page's task list: each stage's status follows the case, and a stage links to its step
only when this user may take it now (issue 11)."""

from __future__ import annotations

import re

from riskroute.cases import commands, safeguarding, services
from riskroute.cases.models import Case, NotificationRecord
from riskroute.cases.ui.tasks import AT_STAGE, STAGES, TaskStatus, task_list
from riskroute.cases.vocabulary import CaseState
from tests.clients import browser
from tests.factories import World, caution_data, referral, to_assessed, to_closed, to_diversion_approved

C, P, N, X, NN = (
    TaskStatus.COMPLETED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.NOT_STARTED,
    TaskStatus.CANNOT_START,
    TaskStatus.NOT_NEEDED,
)


def tasks(world: World, name: str, case: Case) -> dict[str, tuple[TaskStatus, str | None]]:
    case = Case.objects.get(pk=case.pk)
    status = safeguarding.status(case.facts, getattr(case, "safeguarding", None))
    listed = task_list(
        case,
        commands.next_actions(world[name], case),
        safeguarding_complete=status.complete,
        notification=case.notifications.filter(current=True).first(),
    )
    return {t.name: (t.status, t.href) for t in listed}


def statuses(found: dict[str, tuple[TaskStatus, str | None]]) -> list[TaskStatus]:
    return [found[stage.name][0] for stage in STAGES]


def test_every_state_is_at_a_stage() -> None:
    assert set(AT_STAGE) == set(CaseState)


def test_a_new_referral_is_at_enforcement_and_links_only_what_may_be_done(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    found = tasks(world, "inv", case)
    assert statuses(found) == [C, P, N, X, X, X, X, X]
    assert found["Enforcement"][1] == f"/cases/{case.pk}/enforcement/"
    assert found["Disposal decision"][1] is None
    assert tasks(world, "analyst", case)["Enforcement"][1] is None  # no permission, no link


def test_an_assessed_case_is_at_the_disposal_decision(world: World) -> None:
    case = to_assessed(world, services.create_referral(world["inv"], referral()))
    found = tasks(world, "inv", case)
    assert statuses(found) == [C, C, C, C, P, X, X, X]
    assert found["Disposal decision"][1] == f"/cases/{case.pk}/disposal/propose/"


def test_no_further_action_needs_no_caution_prosecution_or_notification(world: World) -> None:
    case = to_closed(world, services.create_referral(world["inv"], referral()))
    assert statuses(tasks(world, "inv", case)) == [C, C, C, C, C, NN, NN, C]


def test_an_unknown_notifiability_is_never_not_needed(world: World) -> None:
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    found = tasks(world, "om", case)
    assert found["Caution or prosecution"][0] == P
    assert found["Notification and MAPPA"][0] == P  # computed, initial notification not yet made
    NotificationRecord.objects.filter(case=case).update(notifiable=None)
    assert tasks(world, "om", case)["Notification and MAPPA"][0] == P
    NotificationRecord.objects.filter(case=case).update(notifiable=False)
    assert tasks(world, "om", case)["Notification and MAPPA"][0] == NN


def test_the_case_page_shows_the_task_list(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    page = browser("inv", case).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="task-list"' in page and "Cannot start yet" in page
    assert f'href="/cases/{case.pk}/enforcement/" aria-describedby="task-2-status"' in page


def _primary(world: World, name: str, case: Case) -> str:
    """The label of the case page's green button (the first action link)."""
    page = browser(name, case).get(f"/cases/{case.pk}/").content.decode()
    found = re.search(r'<a class="govuk-button" href="[^"]*" role="button"[^>]*>([^<]+)</a>', page)
    assert found is not None
    return found.group(1)


def test_the_primary_button_is_the_next_required_step_not_edit_facts(world: World) -> None:
    case = services.create_referral(world["inv"], referral())
    assert _primary(world, "inv", case) == "Record enforcement"
    assessed = to_assessed(world, services.create_referral(world["inv"], referral()))
    assert _primary(world, "inv", assessed) == "Propose a disposal"
    approved = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    assert _primary(world, "om", approved) == "Record the conditional caution"
