"""Alerts and a case's history a page at a time (issue 13, item 2): bounded pages in one order,
the next page reachable from each, from the queries, the HTML page and the API alike, and a
page of alerts read in the same number of queries however many cases are overdue."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from riskroute.audit import remember_justification
from riskroute.cases import queries, services
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case, CaseEvent
from tests.clients import signed_in
from tests.factories import (
    World,
    caution_data,
    days_ago,
    make_cases,
    referral,
    to_assessed,
    to_diversion_approved,
)


def walk_alerts(user: Any, size: int) -> list[queries.AlertPage]:
    pages, cursor = [], None
    while True:
        page = queries.alerts(user, cursor, size)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


def _mixed_alerts(world: World) -> None:
    """Eleven overdue cases (some due the same day), a proposal awaiting the supervisor, and a
    caution with a missed session and its initial notification overdue."""
    make_cases(world, [("high", -(n % 9) - 1, False) for n in range(11)])
    proposed = to_assessed(world, services.create_referral(world["inv"], referral()))
    services.propose_disposal(
        world["inv"],
        proposed.pk,
        {
            "version": proposed.version,
            "kind": "charge",
            "reason": "Synthetic: charge.",
            "departure_reason": "x" * 12,
        },
    )
    cautioned = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], cautioned.pk, caution_data(cautioned, world))
    cautioned.refresh_from_db()
    services.record_attendance(
        world["om"],
        cautioned.pk,
        {"version": cautioned.version, "session_number": 1, "session_on": days_ago(2), "attended": False},
    )


def test_alerts_come_in_bounded_pages_in_one_order_with_each_next_page_reachable(world: World) -> None:
    _mixed_alerts(world)
    whole = queries.alerts(world["sup"], size=queries.MAX_PAGE_SIZE)
    assert whole.next_cursor is None and len(whole) == 14
    kinds = {"overdue_action", "overdue_notification", "approval_waiting", "missed_session"}
    assert {a.kind for a in whole} == kinds
    keys = [a.key() for a in whole]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert [a.kind for a in whole[-2:]] == sorted(["approval_waiting", "missed_session"])  # undated last
    for size in (1, 3, 5):
        pages = walk_alerts(world["sup"], size)
        assert all(len(page) <= size for page in pages) and all(len(page) == size for page in pages[:-1])
        assert [a for page in pages for a in page] == list(whole)


def test_a_page_of_alerts_reads_the_same_queries_however_many_cases_are_overdue(world: World) -> None:
    def reads() -> int:
        with CaptureQueriesContext(connection) as read:
            assert len(queries.alerts(world["sup"], size=5)) == 5
        return len(read.captured_queries)

    make_cases(world, [("low", -3, False)] * 6)
    few = reads()
    make_cases(world, [("low", -3, False)] * 60)
    assert reads() == few


def test_a_bad_alerts_cursor_or_size_is_refused_with_its_path(world: World) -> None:
    for cursor, size, path in [
        ("zz", 50, "cursor"),
        ("MjAyNi0wMS0wMS4xLm5vdGhpbmc", 50, "cursor"),  # "2026-01-01.1.nothing": no such kind
        (None, 0, "limit"),
        (None, queries.MAX_PAGE_SIZE + 1, "limit"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            queries.alerts(world["sup"], cursor, size)
        assert [d["path"] for d in refused.value.details] == [path]


def test_the_alerts_page_shows_fifty_and_links_to_the_rest(world: World) -> None:
    made = make_cases(world, [("medium", -2, False)] * 53)
    client = signed_in("sup")
    first = client.get("/alerts/")
    html = first.content.decode()
    assert first.status_code == 200 and html.count("Enforcement action is overdue") == queries.PAGE_SIZE
    assert 'id="next-page"' in html and "50 alerts on this page" in html
    rest = client.get("/alerts/", {"cursor": first.context["alerts"].next_cursor})
    shown = rest.content.decode()
    assert shown.count("Enforcement action is overdue") == 3 and 'id="next-page"' not in shown
    listed = [a.case_id for a in [*first.context["alerts"], *rest.context["alerts"]]]
    assert sorted(listed) == sorted(c.pk for c in made)
    assert client.get("/alerts/?cursor=zz").status_code == 422


def test_the_api_alerts_give_the_next_cursor_in_a_header(world: World) -> None:
    made = make_cases(world, [("low", -n - 1, False) for n in range(5)])
    client = signed_in("sup")
    first = client.get("/api/alerts?limit=2")
    assert first.status_code == 200 and len(first.json()) == 2
    cursor = first["X-Next-Cursor"]
    assert f"cursor={cursor}" in first["Link"] and 'rel="next"' in first["Link"]
    seen = [a["case_id"] for a in first.json()]
    while cursor:
        page = client.get("/api/alerts", {"limit": 2, "cursor": cursor})
        assert len(page.json()) <= 2
        seen += [a["case_id"] for a in page.json()]
        cursor = page.headers.get("X-Next-Cursor")
    assert seen == [c.pk for c in reversed(made)]  # the longest overdue first
    for query, path in [("limit=201", "limit"), ("limit=0", "limit"), ("cursor=zz", "cursor")]:
        refused = client.get(f"/api/alerts?{query}")
        assert refused.status_code == 422 and path in [d["path"] for d in refused.json()["details"]]


# --- the history through the API --------------------------------------------------------------


def test_the_api_history_comes_in_pages_oldest_first_to_the_last_event(world: World, new_case: Case) -> None:
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=new_case,
            actor=world["inv"],
            action="update_facts",
            from_state="referral",
            to_state="referral",
            version=1,
            summary=f"Synthetic history entry {n}",
        )
        for n in range(119)
    )
    client = signed_in("sup")
    session = client.session
    remember_justification(session, "case", new_case.pk, "Synthetic test: reading the history")
    session.save()
    path = f"/api/cases/{new_case.pk}/history"
    first = client.get(path)
    assert first.status_code == 200 and len(first.json()) == queries.PAGE_SIZE
    assert first.json()[0]["action"] == "create_referral"  # oldest first
    sizes, summaries, cursor = (
        [len(first.json())],
        [e["summary"] for e in first.json()],
        first["X-Next-Cursor"],
    )
    assert 'rel="next"' in first["Link"]
    while cursor:
        page = client.get(path, {"cursor": cursor})
        sizes.append(len(page.json()))
        summaries += [e["summary"] for e in page.json()]
        cursor = page.headers.get("X-Next-Cursor")
    assert sizes == [50, 50, 20]
    expected = [e.summary for e in CaseEvent.objects.filter(case=new_case).order_by("at", "id")]
    assert summaries == expected and len(expected) == 120
    assert len(client.get(path, {"limit": 7}).json()) == 7
    for query, where in [("limit=0", "limit"), ("limit=201", "limit"), ("cursor=zz", "cursor")]:
        refused = client.get(f"{path}?{query}")
        assert refused.status_code == 422 and where in [d["path"] for d in refused.json()["details"]]
