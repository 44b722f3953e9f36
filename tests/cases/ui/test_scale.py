"""Per-row and per-request costs, database aggregates and the case page's bounded reads (issue 13).

What is asserted here is behaviour that can be counted (queries, columns, saves), never a time:
times go in benchmarks/pages_scale.py and docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from riskroute.accounts.backends import DemoAwareModelBackend
from riskroute.accounts.models import User
from riskroute.accounts.session import RENEWED_AT
from riskroute.audit import remember_justification
from riskroute.cases import queries, services
from riskroute.cases.models import (
    Breach,
    Case,
    CaseEvent,
    ConditionalCaution,
    Enforcement,
    Prosecution,
    Safeguarding,
)
from riskroute.cases.ui.presenters import CASE_PAGE_MAX_QUERIES
from tests.factories import World, referral, to_charge_proposed

BACKEND = "riskroute.accounts.backends.DemoAwareModelBackend"
TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "riskroute" / "cases" / "templates"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _expiry(client: Client) -> Any:
    return Session.objects.get(session_key=client.session.session_key).expire_date


# --- per request ----------------------------------------------------------------------------


def test_the_session_is_saved_only_when_it_changes_and_renewed_while_used(world: World) -> None:
    client = signed_in(world["inv"])
    assert client.get("/cases/mine/").status_code == 200  # first page: renewal time recorded
    first = _expiry(client)
    assert client.get("/cases/mine/").status_code == 200
    assert _expiry(client) == first  # nothing changed, nothing written
    session = client.session
    session[RENEWED_AT] = time.time() - 61  # a minute on, the next request renews the idle limit
    session.save()
    saved = _expiry(client)
    assert client.get("/cases/mine/").status_code == 200
    assert _expiry(client) > saved


def test_the_signed_in_user_comes_with_force_and_unit(world: World) -> None:
    user = DemoAwareModelBackend().get_user(world["inv"].pk)
    assert user is not None
    with CaptureQueriesContext(connection) as read:
        assert user.force.code == "alpha" and user.unit is not None and user.unit.force_id == user.force_id
    assert len(read.captured_queries) == 0


def test_a_listed_page_does_not_query_the_force_for_its_audit_entry(world: World, new_case: Case) -> None:
    client = signed_in(world["sup"])
    with CaptureQueriesContext(connection) as read:
        assert client.get("/cases/team/").status_code == 200
    by_force_id = [
        q["sql"]
        for q in read.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and 'FROM "accounts_force"' in q["sql"]
        and '"accounts_force"."id" =' in q["sql"]
    ]
    assert by_force_id == []


# --- per row --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "colour", "words"),
    [
        ("very_high", "red", "Very high"),
        ("high", "orange", "High"),
        ("medium", "yellow", "Medium"),
        ("low", "grey", "Low"),
        ("", "grey", "Not prioritised"),
        (None, "grey", "Not prioritised"),
    ],
)
def test_the_band_tag_is_a_filter(band: str | None, colour: str, words: str) -> None:
    html = Template("{% load caseformat %}{{ band|band_tag }}").render(Context({"band": band}))
    assert html == f'<strong class="govuk-tag govuk-tag--{colour}">{words}</strong>'


def test_no_template_includes_a_band_tag_per_row() -> None:
    assert not (TEMPLATES / "cases" / "includes" / "band_tag.html").exists()
    assert [p.name for p in TEMPLATES.rglob("*.html") if "band_tag.html" in p.read_text()] == []


def _three_cases(world: World) -> list[Case]:
    names = ("Alpha Testperson", "Bravo Testperson", "Charlie Testperson")
    made = []
    for name in names:
        data = referral()
        data["subject"] = {**data["subject"], "full_name": name}
        made.append(services.create_referral(world["inv"], data))
    return made


@pytest.mark.parametrize("path", ["/cases/team/", "/cases/mine/", "/api/cases"])
def test_lists_open_only_the_names_they_show(world: World, opened: list[str], path: str) -> None:
    made = _three_cases(world)
    Case.objects.filter(pk__in=[c.pk for c in made]).update(assigned_to=world["sup2"])
    client = signed_in(world["sup2"])
    opened.clear()
    response = client.get(path)
    assert response.status_code == 200
    # Each row opens the two sealed values it shows: the band's reason and the subject's name.
    assert opened == ["cases.case.priority_reason", "cases.subject.full_name"] * 3
    assert "Bravo Testperson" in response.content.decode()
    assert "no priority rule met" in response.content.decode().casefold()


def test_the_list_columns_are_defined_once_and_leave_the_encrypted_records_out() -> None:
    assert "subject__full_name" in queries.LIST_COLUMNS
    loaded = {name.split("__")[-1] for name in queries.LIST_COLUMNS}
    assert not loaded & {"facts", "summary", "suspected_activities", "date_of_birth", "address"}
    assert "priority_reason" in loaded  # shown on every row: loaded with it, not one query a row


# --- dashboard ------------------------------------------------------------------------------


def _mid_month(months_back: int) -> dt.date:
    """The 15th of the month `months_back` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 15)


def test_the_dashboard_reads_the_kept_monthly_and_state_counts(world: World) -> None:
    made = _three_cases(world)
    other = services.create_referral(world["b_inv"], referral())  # another force: never counted
    for case, months_back in [*zip(made, (0, 2, 2), strict=True), (other, 0)]:
        case.received_on = _mid_month(months_back)
        case.save()  # through the model, so the kept counts move with it (`cases.monthly_counts`)
    Case.objects.filter(pk=made[0].pk).update(state="investigation")
    Enforcement.objects.create(case=made[0], arrested_on=_mid_month(1))
    Enforcement.objects.create(case=made[1], arrested_on=_mid_month(1))
    Enforcement.objects.create(case=made[2], arrested_on=_mid_month(20))  # before the window
    Enforcement.objects.create(case=other, arrested_on=_mid_month(1))
    Safeguarding.objects.create(case=made[0], children_safeguarded=3, safeguarded_on=_mid_month(0))
    Safeguarding.objects.create(case=made[1], children_safeguarded=2, safeguarded_on=_mid_month(0))
    with CaptureQueriesContext(connection) as read:
        counts = queries.dashboard(world["analyst"], months=6)
    assert counts["series"]["referrals"] == [0, 0, 0, 2, 0, 1]
    assert counts["series"]["arrests"] == [0, 0, 0, 0, 2, 0]
    assert counts["series"]["children_safeguarded"] == [0, 0, 0, 0, 0, 5]
    assert counts["cases_by_state"]["referral"] == 2 and counts["cases_by_state"]["investigation"] == 1
    counting = [q["sql"] for q in read.captured_queries if "cases_" in q["sql"]]
    assert len(counting) == 2  # the kept counts and the states, however many cases there are
    assert ["cases_monthlycount" in sql for sql in counting] == [True, False]
    # the states as the triggers keep them (the update above went around the models): no case read
    assert '"cases_statecount"' in counting[1] and '"cases_case"' not in counting[1]


def test_the_dashboard_dates_are_indexed(db: Any) -> None:
    indexed = {
        (model._meta.model_name, tuple(index.fields))
        for model in (Case, Enforcement, Safeguarding, ConditionalCaution, Prosecution, Breach)
        for index in model._meta.indexes
    }
    assert {
        ("case", ("force", "received_on")),
        ("enforcement", ("arrested_on",)),
        ("safeguarding", ("safeguarded_on",)),
        ("conditionalcaution", ("signed_on",)),
        ("prosecution", ("charged_on",)),
        ("breach", ("occurred_on",)),
    } <= indexed


# --- case page ------------------------------------------------------------------------------

WHY = "Synthetic test: reviewing this case"


def _justified(client: Client, case: Case) -> Client:
    session = client.session
    remember_justification(session, "case", case.pk, WHY)
    session.save()
    return client


def _long_history(case: Case, actor: User, events: int) -> None:
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actor,
            action="update_facts",
            from_state=case.state,
            to_state=case.state,
            version=case.version,
            summary=f"Synthetic history entry {n}",
        )
        for n in range(events)
    )


@pytest.mark.parametrize("events", [0, 120])
def test_the_case_page_reads_a_bounded_number_of_queries_however_long_the_history(
    world: World, new_case: Case, events: int, django_assert_max_num_queries: Any
) -> None:
    _long_history(new_case, world["inv"], events)
    client = _justified(signed_in(world["sup"]), new_case)
    with django_assert_max_num_queries(CASE_PAGE_MAX_QUERIES) as read:
        response = client.get(f"/cases/{new_case.pk}/")
    assert response.status_code == 200
    selects = [q["sql"] for q in read.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    repeated = {sql for sql in selects if selects.count(sql) > 1 and "cases_" in sql}
    assert repeated == set()  # each related set fetched once
    shown = response.content.decode().count('class="rr-timeline__item"')
    assert shown == min(events + 1, queries.HISTORY_PAGE_SIZE)


def test_the_bound_holds_for_a_worked_case_awaiting_a_decision(
    world: World, new_case: Case, django_assert_max_num_queries: Any
) -> None:
    """Every record the page shows is there, and the supervisor's approve step is offered."""
    case = to_charge_proposed(world, new_case)
    _long_history(case, world["inv"], 120)
    client = _justified(signed_in(world["sup"]), case)
    with django_assert_max_num_queries(CASE_PAGE_MAX_QUERIES):
        response = client.get(f"/cases/{case.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "Approve or reject the proposal" in page
    assert "Disposal decisions" in page and "Latest recommendation" in page and "Enforcement" in page


def test_the_history_is_paged_newest_first(world: World, new_case: Case) -> None:
    _long_history(new_case, world["inv"], 59)  # with the creation event: 60, three pages
    client = _justified(signed_in(world["sup"]), new_case)
    first = client.get(f"/cases/{new_case.pk}/").content.decode()
    assert "Synthetic history entry 58" in first and "Synthetic history entry 34" in first
    assert "Synthetic history entry 33" not in first
    assert "Events 1 to 25 of 60, newest first." in first and "?history_page=2" in first
    last = client.get(f"/cases/{new_case.pk}/?history_page=3").content.decode()
    assert "Synthetic history entry 0<" in last and "Events 51 to 60 of 60" in last
    assert "?history_page=2" in last and "?history_page=4" not in last
    assert client.get(f"/cases/{new_case.pk}/?history_page=junk").status_code == 200


def test_the_case_page_is_not_built_from_the_api_document(
    world: World, new_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskroute.cases.ui import views

    def refuse(*args: Any) -> None:
        raise AssertionError("the HTML case page built the API document")

    monkeypatch.setattr(views, "case_document", refuse)
    client = _justified(signed_in(world["sup"]), new_case)
    response = client.get(f"/cases/{new_case.pk}/")
    assert response.status_code == 200 and "Test Subject One" in response.content.decode()


# --- the overdue page ---------------------------------------------------------------------------


def _case_reads(read: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in read.captured_queries if 'FROM "cases_case"' in q["sql"]]


def test_a_list_query_asks_for_the_notification_due_once(world: World, new_case: Case) -> None:
    with CaptureQueriesContext(connection) as read:
        assert [c.pk for c in queries.team_worklist(world["sup"])] == [new_case.pk]
    pages = [sql for sql in _case_reads(read) if '"cases_subject"' in sql]  # the reads of rows
    assert pages and all(sql.count('"cases_notificationrecord"') == 1 for sql in pages)


def test_whether_more_follow_is_read_with_the_page_and_the_row_past_it_is_not_opened(
    world: World, opened: list[str]
) -> None:
    """One query reads the page and the row after it, in the worklist order (so through its
    index: an unordered `EXISTS` once let PostgreSQL scan 25,000 rows at 100,000 cases); that row
    only says that more follow, so its sealed values stay sealed."""
    from tests.factories import make_cases

    make_cases(world, [("high", -3, False)] * 3)
    opened.clear()
    with CaptureQueriesContext(connection) as read:
        page = queries.team_worklist(world["sup"], size=2)
    assert len(page) == 2 and page.next_cursor is not None
    [sql] = _case_reads(read)
    assert "ORDER BY" in sql and sql.endswith("LIMIT 3")
    assert opened == ["cases.case.priority_reason", "cases.subject.full_name"] * 2
