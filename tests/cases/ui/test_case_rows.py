"""The rows of the case lists, built in Python (`ui/case_rows.py`), and the overdue page as one
ordered list grouped by band (issue 13): escaping, what each row says, and paging."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from riskroute.audit.models import AuditEntry
from riskroute.cases import queries
from riskroute.cases.models import Case, Subject
from riskroute.cases.ui.case_rows import case_rows
from tests.factories import World, make_cases

BACKEND = "riskroute.accounts.backends.DemoAwareModelBackend"


def _client(world: World, who: str = "sup") -> Client:
    client = Client()
    client.force_login(world[who], backend=BACKEND)
    return client


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row[^"]*">.*?</tr>', html, flags=re.S)


def test_every_value_a_row_shows_is_escaped(world: World) -> None:
    [case] = make_cases(world, [("high", -2, False)])
    hostile = "<script>alert('x')</script> O'Brien & Sons"
    Subject.objects.filter(case=case).delete()
    Subject.objects.create(case=case, full_name=hostile)
    Case.objects.filter(pk=case.pk).update(priority_reason='<img src=x onerror="alert(1)">')
    html = _client(world).get("/cases/team/").content.decode()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; O&#x27;Brien &amp; Sons" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_row_says_what_the_template_said(world: World) -> None:
    late, due = make_cases(world, [("very_high", -3, False), ("low", 10, False)])
    Case.objects.filter(pk=due.pk).update(assigned_to=world["inv"])
    page = queries.team_worklist(world["sup"])
    first, second = _rows(case_rows(page))
    assert 'class="govuk-table__row rr-row--overdue"' in first
    assert f'href="{reverse("cases-ui:case", args=[late.pk])}"' in first and late.reference in first
    assert 'govuk-tag--red">Very high' in first and ">Overdue</strong>" in first
    assert "enforcement action" in first and "Not assigned" in first
    assert "rr-row--overdue" not in second and ">Overdue</strong>" not in second
    assert 'govuk-tag--grey">Low' in second and world["inv"].get_full_name() in second
    assert 'data-label="Stage">Referral received and prioritised</td>' in second


def test_a_case_whose_subject_is_erased_says_so(world: World) -> None:
    [case] = make_cases(world, [("medium", -1, False)])
    Subject.objects.filter(case=case).update(full_name=None)
    [row] = _rows(case_rows(queries.team_worklist(world["sup"])))
    assert 'data-label="Person">Erased</td>' in row


def test_a_providers_rows_show_the_minimum(world: World) -> None:
    make_cases(world, [("high", -2, False)])
    [row] = _rows(case_rows(queries.team_worklist(world["sup"]), minimal=True))
    labels = re.findall(r'data-label="([^"]+)"', row)
    assert labels == ["Case", "Person", "Stage"]


# --- the overdue page: one ordered list, its rows under their bands ------------------------------


def test_the_overdue_page_groups_one_ordered_page_under_each_band(world: World) -> None:
    overdue = [("low", -9, False), ("very_high", -1, False), ("high", -4, False), ("high", -6, False)]
    not_overdue = [("medium", 3, False), ("medium", -2, True)]  # not due yet, or the action taken
    made = make_cases(world, [*overdue, *not_overdue])
    low, very_high, high_late, high_later = made[:4]
    html = _client(world).get("/cases/overdue/").content.decode()
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)
    assert headings == ["Very high", "High", "Low"]
    shown = [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', html)]
    assert shown == [very_high.pk, high_later.pk, high_late.pk, low.pk]  # band, then deadline
    assert 'id="next-page"' not in html


def test_the_overdue_page_logs_exactly_the_cases_it_shows(world: World) -> None:
    made = make_cases(world, [("high", -2, False), ("low", -1, False), ("low", 5, False)])
    before = AuditEntry.objects.count()
    assert _client(world).get("/cases/overdue/").status_code == 200
    entries = AuditEntry.objects.order_by("sequence")[before:]
    listed = [e for e in entries if e.details.get("list") == "overdue"]
    assert len(listed) == 1
    assert sorted(listed[0].details["case_ids"]) == sorted(c.pk for c in made[:2])


def test_the_overdue_pages_follow_on_without_skipping_or_repeating(world: World) -> None:
    wanted = [(("very_high", "high", "low")[n % 3], -1 - n % 7, False) for n in range(queries.PAGE_SIZE + 3)]
    made = make_cases(world, wanted)
    client, seen, pages, address = _client(world), [], 0, "/cases/overdue/"
    while address:
        html = client.get(address).content.decode()
        pages += 1
        seen += [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', html)]
        found = re.search(r'href="([^"]+)" rel="next"', html)
        address = "/cases/overdue/" + found.group(1).replace("&amp;", "&") if found else ""
    assert pages == 2
    assert sorted(seen) == sorted(c.pk for c in made) and len(seen) == len(set(seen))


def test_nobody_outside_the_police_worklists_sees_the_overdue_page(world: World) -> None:
    with pytest.raises(queries.PermissionDenied):
        queries.overdue_cases(world["provider"])
