"""The supervisor's approvals queue: on the worklists, in the alerts, and logged as a list (s.62).

A sergeant whose home page said "You have no open cases" while proposals waited for approval was
a finding of the new-user walk (issue 11). The queue holds exactly the proposals the user may
decide: same force, the `approve` permission, never one's own proposal.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from riskroute.audit.models import AuditEntry
from riskroute.cases import queries, services
from riskroute.cases.models import Case
from tests.clients import signed_in
from tests.factories import World, referral, to_assessed


def propose(world: World, proposer: str, name: str = "Test Subject One") -> Case:
    """A case assessed and proposed for charge by `proposer` (awaiting a second person)."""
    case = services.create_referral(
        world[proposer], referral(subject={**referral()["subject"], "full_name": name})
    )
    if case.assigned_to_id != world[proposer].pk:
        case = services.assign_case(
            world["sup"], case.pk, {"version": case.version, "assigned_to_id": world[proposer].pk}
        )
    case = to_assessed(world, case)
    services.propose_disposal(
        world[proposer],
        case.pk,
        {
            "version": case.version,
            "kind": "charge",
            "reason": "Synthetic",
            "departure_reason": "Synthetic test",
        },
    )
    return Case.objects.get(pk=case.pk)


def test_the_queue_holds_what_the_user_may_decide_and_never_their_own(world: World) -> None:
    by_inv = propose(world, "inv", "Queue Subject Alpha")
    by_sup2 = propose(world, "sup2", "Queue Subject Bravo")
    assert [p.case_id for p in queries.approvals_waiting(world["sup"])] == [by_inv.pk, by_sup2.pk]
    assert [p.case_id for p in queries.approvals_waiting(world["sup2"])] == [by_inv.pk]  # not its own
    assert queries.approvals_waiting(world["inv"]) == []  # an investigator approves nothing
    assert queries.approvals_waiting(world["b_sup"]) == []  # another force's supervisor
    services.approve_disposal(world["sup"], by_inv.pk, {"version": by_inv.version, "reason": "Agreed."})
    assert [p.case_id for p in queries.approvals_waiting(world["sup"])] == [by_sup2.pk]


def test_each_proposal_in_the_queue_can_be_approved_by_that_user(world: World) -> None:
    propose(world, "inv", "Queue Subject Charlie")
    propose(world, "sup2", "Queue Subject Delta")
    for name in ("sup", "sup2"):
        for proposal in queries.approvals_waiting(world[name]):
            case = Case.objects.get(pk=proposal.case_id)
            services.approve_disposal(world[name], case.pk, {"version": case.version, "reason": "Agreed."})
    assert queries.approvals_waiting(world["sup"]) == []


def test_the_worklists_show_the_queue_with_a_link_to_decide(world: World) -> None:
    case = propose(world, "inv", "Queue Subject Echo")
    for path in ("/cases/team/", "/cases/mine/"):
        page = signed_in("sup2").get(path).content.decode()
        assert "Awaiting your decision" in page, path
        assert f'href="/cases/{case.pk}/disposal/decide/"' in page
        assert "Queue Subject Echo" in page and "Departs from the recommendation" in page
    proposer_page = signed_in("inv").get("/cases/mine/").content.decode()
    assert "Awaiting your decision" not in proposer_page


def test_the_queue_is_one_read_that_opens_only_the_names_it_shows(world: World, opened: list[str]) -> None:
    """The queue reads the columns it shows in one query: rendering it loads nothing more, and it
    opens the subject's name, not the case's facts or summary, nor the proposal's reasons."""
    propose(world, "inv", "Queue Subject India")
    propose(world, "sup2", "Queue Subject Juliet")
    opened.clear()
    with CaptureQueriesContext(connection) as read:
        html = render_to_string(
            "cases/includes/approvals.html", {"approvals": queries.approvals_waiting(world["sup"])}
        )
    assert "Queue Subject India" in html and "Queue Subject Juliet" in html and "Charge" in html
    assert world["sup2"].get_full_name() in html
    assert opened == ["cases.subject.full_name"] * 2
    assert len([q for q in read.captured_queries if 'FROM "cases_' in q["sql"]]) == 1


def test_the_queue_reads_nothing_for_someone_who_could_approve_nothing(world: World) -> None:
    propose(world, "sup2", "Queue Subject Kilo")
    for name in ("inv", "analyst"):
        with CaptureQueriesContext(connection) as read:
            assert queries.approvals_waiting(world[name]) == []
        assert read.captured_queries == [], name


def test_the_queue_is_logged_as_a_list_naming_the_cases_shown(world: World) -> None:
    case = propose(world, "inv", "Queue Subject Foxtrot")
    before = AuditEntry.objects.count()
    queries.approvals_waiting(world["sup"])
    entries = list(AuditEntry.objects.order_by("sequence")[before:])
    listed = [e for e in entries if e.details.get("list") == "approvals"]
    assert len(listed) == 1 and listed[0].details["case_ids"] == [case.pk]
    before = AuditEntry.objects.count()
    queries.approvals_waiting(world["inv"])  # nothing shown, nothing logged
    assert AuditEntry.objects.count() == before


def test_a_waiting_proposal_is_an_alert_for_the_supervisor_only(world: World) -> None:
    case = propose(world, "inv", "Queue Subject Golf")
    kinds: dict[str, Any] = {name: [a.kind for a in queries.alerts(world[name])] for name in ("sup", "inv")}
    assert "approval_waiting" in kinds["sup"] and "approval_waiting" not in kinds["inv"]
    alert = next(a for a in queries.alerts(world["sup"]) if a.kind == "approval_waiting")
    assert alert.case_id == case.pk and alert.due is None


def test_the_team_page_finds_a_person_by_name_without_putting_the_name_in_an_address(world: World) -> None:
    case = propose(world, "inv", "Searchable Person Hotel")
    client = signed_in("sup")
    page = client.get("/cases/team/").content.decode()
    assert 'id="name-search"' in page and 'method="post"' in page
    before = AuditEntry.objects.count()
    found = client.post("/cases/team/", {"name": "  searchable   PERSON hotel "}).content.decode()
    assert f'href="/cases/{case.pk}/"' in found and "Cases of the person searched for" in found
    assert "Searchable Person Hotel" in found and 'id="next-page"' not in found
    searches = [
        e for e in AuditEntry.objects.order_by("sequence")[before:] if e.details.get("list") == "case_search"
    ]
    assert len(searches) == 1 and searches[0].details["case_ids"] == [case.pk]
    assert "Searchable" not in str(searches[0].details)  # the term is kept only as a keyed hash
    missed = client.post("/cases/team/", {"name": "Nobody Known"}).content.decode()
    assert "No case you may see is recorded under that name." in missed
