"""Worklists and the case index a page at a time, by cursor (issue 13, item 2): the order, the
filters, the page sizes, the s.62 entry naming only the cases shown, and the property that
cursor pages neither skip nor repeat a case while cases come and go between pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from riskroute.audit.models import AuditEntry
from riskroute.cases import queries
from riskroute.cases.errors import ValidationFailed
from riskroute.cases.models import Case
from tests.factories import Spec, World, make_cases

BACKEND = "riskroute.accounts.backends.DemoAwareModelBackend"
BANDS = ("very_high", "high", "medium", "low", "")

specs = st.tuples(st.sampled_from(BANDS), st.one_of(st.none(), st.integers(-30, 30)), st.booleans())


def order_key(case: queries.CaseRow) -> tuple[int, int, dt.date, int]:
    """The worklist order computed in Python, independently of the query."""
    today = timezone.localdate()
    overdue = (
        case.action_taken_on is None and case.action_deadline is not None and case.action_deadline < today
    )
    rank = [*BANDS].index(case.priority_band)
    return (0 if overdue else 1, rank, case.action_deadline or dt.date.max, case.pk)


def walk(world: World, size: int, **filters: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = queries.team_worklist(world["sup"], queries.CaseFilters(**filters), cursor, size)
        pages.append([c.pk for c in page])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_pages_follow_the_worklist_order_overdue_then_band_then_deadline(world: World) -> None:
    wanted: list[Spec] = [
        ("low", -5, False),  # overdue
        ("very_high", 10, False),
        ("high", -1, False),  # overdue
        ("", None, False),
        ("very_high", -3, True),  # action taken: not overdue
        ("medium", 2, False),
        ("high", None, False),
    ]
    made = make_cases(world, wanted)
    expected = [c.pk for c in sorted(made, key=order_key)]
    pages = walk(world, 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [pk for page in pages for pk in page] == expected
    assert expected[:2] == [made[2].pk, made[0].pk]  # the overdue ones first, high before low


def test_filters_band_state_overdue_and_assignee(world: World) -> None:
    made = make_cases(world, [("high", -2, False), ("high", 5, False), ("low", -2, False), ("", None, False)])
    Case.objects.filter(pk=made[1].pk).update(assigned_to=world["inv"], state="investigation")

    def shown(**filters: Any) -> list[int]:
        return [pk for page in walk(world, 50, **filters) for pk in page]

    assert shown(band="high") == [made[0].pk, made[1].pk]
    assert shown(band=queries.UNPRIORITISED) == [made[3].pk]
    assert shown(overdue=True) == [made[0].pk, made[2].pk]
    assert shown(overdue=False) == [made[1].pk, made[3].pk]
    assert shown(state="investigation") == [made[1].pk]
    assert shown(assignee=world["inv"].pk) == [made[1].pk]
    assert shown(band="high", overdue=False) == [made[1].pk]


def test_bad_filters_sizes_and_cursors_are_refused_with_their_paths(world: World) -> None:
    for filters, size, cursor, path in [
        (queries.CaseFilters(band="urgent"), 50, None, "band"),
        (queries.CaseFilters(state="nowhere"), 50, None, "state"),
        (queries.CaseFilters(), 0, None, "limit"),
        (queries.CaseFilters(), queries.MAX_PAGE_SIZE + 1, None, "limit"),
        (queries.CaseFilters(), 50, "not-a-cursor", "cursor"),
        (queries.CaseFilters(), 50, "OS4wLjIwMjYtMDEtMDEuMQ", "cursor"),  # "9.0.2026-01-01.1"
        (
            queries.CaseFilters(),
            50,
            "MC4wLjIwMjYtMDEtMDEuMTg0NDY3NDQwNzM3MDk1NTE2MTY",
            "cursor",
        ),  # an id past 64 bits
        (queries.CaseFilters(assignee=2**64), 50, None, "assignee"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            queries.team_worklist(world["sup"], filters, cursor, size)
        assert [d["path"] for d in refused.value.details] == [path]


def test_the_list_entry_names_exactly_the_cases_shown_and_only_they_are_opened(
    world: World, opened: list[str]
) -> None:
    make_cases(world, [("high", n, False) for n in range(7)])
    opened.clear()
    first = queries.team_worklist(world["sup"], None, None, 3)
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None and entry.details["case_ids"] == [c.pk for c in first]
    assert opened == ["cases.case.priority_reason", "cases.subject.full_name"] * 3  # what a row shows
    second = queries.team_worklist(world["sup"], None, first.next_cursor, 3)
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None and entry.details["case_ids"] == [c.pk for c in second]


def test_the_case_index_has_no_cap_and_pages_up_to_the_maximum(world: World) -> None:
    make_cases(world, [("low", 30, False)] * (queries.MAX_PAGE_SIZE + 3))
    first = queries.list_cases(world["inv"], size=queries.MAX_PAGE_SIZE)
    rest = queries.list_cases(world["inv"], cursor=first.next_cursor, size=queries.MAX_PAGE_SIZE)
    assert len(first) == queries.MAX_PAGE_SIZE and len(rest) == 3 and rest.next_cursor is None
    assert len(queries.list_cases(world["inv"])) == queries.PAGE_SIZE


# --- the API and the pages ------------------------------------------------------------------


def signed_in(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world[name], backend=BACKEND)
    return client


def test_the_api_case_index_gives_the_next_cursor_in_a_header(world: World) -> None:
    made = make_cases(world, [("high", n, False) for n in range(5)])
    client = signed_in(world, "inv")
    first = client.get("/api/cases?limit=2&band=high")
    assert first.status_code == 200 and [c["id"] for c in first.json()] == [made[0].pk, made[1].pk]
    cursor = first["X-Next-Cursor"]
    assert f"cursor={cursor}" in first["Link"] and 'rel="next"' in first["Link"]
    seen = [c["id"] for c in first.json()]
    while cursor:
        page = client.get("/api/cases", {"limit": 2, "band": "high", "cursor": cursor})
        seen += [c["id"] for c in page.json()]
        cursor = page.headers.get("X-Next-Cursor")
    assert seen == [c.pk for c in made]
    for query, path in [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("cursor=zz", "cursor"),
        ("band=x", "band"),
    ]:
        refused = client.get(f"/api/cases?{query}")
        assert refused.status_code == 422 and path in [d["path"] for d in refused.json()["details"]]


def test_the_api_overdue_list_is_paged_in_order_under_its_bands(world: World) -> None:
    """One page of the overdue cases in the worklist order, set out under the bands (every band a
    key, `unknown` only when a case not prioritised is on the page), the next page by cursor;
    each page is one read of the cases. It used to give the first 50 of every band, up to 250
    rows with no way to reach the 51st."""
    high = make_cases(world, [("high", -5 + n, False) for n in range(4)])
    low, unprioritised = make_cases(world, [("low", -3, False), ("", -2, False)])
    make_cases(world, [("medium", 5, False)])  # not overdue: never listed here
    client = signed_in(world, "sup")
    with CaptureQueriesContext(connection) as read:
        first = client.get("/api/worklists/overdue?limit=3")
    assert first.status_code == 200
    assert {band: len(rows) for band, rows in first.json().items()} == {
        "very_high": 0,
        "high": 3,
        "medium": 0,
        "low": 0,
    }
    assert [c["id"] for c in first.json()["high"]] == [c.pk for c in high[:3]]
    assert all(c["overdue"] for c in first.json()["high"])
    assert len([q for q in read.captured_queries if 'FROM "cases_case"' in q["sql"]]) == 1
    second = client.get("/api/worklists/overdue", {"limit": 3, "cursor": first["X-Next-Cursor"]})
    assert [c["id"] for c in second.json()["high"]] == [high[3].pk]
    assert [c["id"] for c in second.json()["low"]] == [low.pk]
    assert [c["id"] for c in second.json()["unknown"]] == [unprioritised.pk]
    assert "X-Next-Cursor" not in second
    refused = client.get("/api/worklists/overdue?limit=201")
    assert refused.status_code == 422 and [d["path"] for d in refused.json()["details"]] == ["limit"]


def test_the_team_page_links_to_the_next_page_with_its_filters(world: World) -> None:
    make_cases(world, [("medium", n, False) for n in range(3)])
    client = signed_in(world, "sup")
    first = client.get("/cases/team/?band=medium&limit=2")
    page = first.content.decode()
    assert first.status_code == 200 and page.count("Paging Person") == 2
    assert 'id="next-page"' in page and "band=medium" in page
    last = client.get(
        "/cases/team/", {"band": "medium", "limit": 2, "cursor": first.context["cases"].next_cursor}
    )
    assert last.content.decode().count("Paging Person") == 1
    assert 'id="next-page"' not in last.content.decode()
    assert client.get("/cases/team/?cursor=zz").status_code == 422
    assert client.get("/cases/mine/?limit=x").status_code == 422


# --- the property ---------------------------------------------------------------------------

#: A change between two pages: add a case, or close or delete the n-th case made so far.
changes = st.one_of(
    st.tuples(st.just("add"), specs),
    st.tuples(st.sampled_from(["close", "delete"]), st.integers(0, 40)),
)


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    initial=st.lists(specs, max_size=14),
    size=st.integers(1, 5),
    between=st.lists(st.lists(changes, max_size=3), max_size=8),
)
def test_cursor_pages_neither_skip_nor_repeat_a_case_while_cases_change(
    world: World, initial: list[Spec], size: int, between: list[list[tuple[Any, Any]]]
) -> None:
    """Keyset pages are strictly increasing in the worklist order, so a case is never shown twice;
    and every case open from the first page to the last is shown exactly once, whatever was added,
    closed or deleted in between. (A case whose own band or deadline changes moves in the order,
    and may then be shown again or not at all: its place is where it is now.)"""
    with transaction.atomic():
        made = make_cases(world, initial)
        removed: set[int] = set()
        seen: list[queries.CaseRow] = []
        cursor = None
        for step in range(len(between) + 50):
            page = queries.team_worklist(world["sup"], None, cursor, size)
            seen += page
            cursor = page.next_cursor
            if cursor is None:
                break
            for kind, detail in between[step] if step < len(between) else []:
                if kind == "add":
                    made += make_cases(world, [detail])
                elif made:
                    target = made[detail % len(made)]
                    removed.add(target.pk)
                    if kind == "close":
                        Case.objects.filter(pk=target.pk).update(state="closed")
                    else:
                        Case.objects.filter(pk=target.pk).delete()
        ids = [c.pk for c in seen]
        assert len(ids) == len(set(ids))  # never repeated
        keys = [order_key(c) for c in seen]
        assert keys == sorted(keys)  # one walk through the order
        throughout = {c.pk for c in made[: len(initial)]} - removed
        assert throughout <= set(ids)  # never skipped
        transaction.set_rollback(True)
