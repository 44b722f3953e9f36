"""Cross-force access exists only through an explicit, time-limited, logged share, and is read-only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from riskroute.cases import commands, queries, services
from riskroute.cases.errors import NotFound, PermissionDenied, ValidationFailed
from riskroute.cases.models import Case, CaseShare
from tests.auditlog import WHY, last_sequence, since
from tests.factories import World, days_ago

pytestmark = pytest.mark.usefixtures("signed_checkpoints")

REASON = "Joint operation with Bravo (synthetic)"


def _share(world: World, case: Case, days: int = 7) -> CaseShare:
    return services.grant_share(
        world["sup"], case.pk, {"recipient_force": "bravo", "days": days, "reason": REASON}
    )


def _can_read(user: Any, case: Case) -> bool:
    try:
        queries.get_case(user, case.pk, justification=WHY)
    except NotFound:
        return False
    return True


def test_before_a_share_the_other_force_sees_nothing(world: World, new_case: Case) -> None:
    assert not _can_read(world["b_inv"], new_case)
    assert queries.list_cases(world["b_inv"]) == []


def test_a_share_lets_the_other_force_read_but_never_write(world: World, new_case: Case) -> None:
    before = last_sequence()
    share = _share(world, new_case)
    [granted] = since(before)
    # The reason stays encrypted on the share: the log's plaintext names the share, not its reason.
    assert (granted.action, granted.recipient, granted.justification) == ("share_granted", "force:bravo", "")
    assert REASON not in json.dumps(granted.details) and share.reason == REASON
    assert granted.details == {"share_id": share.pk, "expires_at": share.expires_at.isoformat()}

    assert _can_read(world["b_inv"], new_case) and _can_read(world["b_sup"], new_case)
    read = since(granted.sequence)
    assert [(e.action, e.recipient, e.actor_force) for e in read] == [
        ("disclosure", "force:bravo", "bravo")
    ] * 2
    assert [c.pk for c in queries.list_cases(world["b_inv"])] == [new_case.pk]  # found in the case index
    assert queries.team_worklist(world["b_sup"]) == []  # worklists stay about the force's own work
    assert commands.next_actions(world["b_sup"], new_case) == []
    with pytest.raises(PermissionDenied):
        services.record_enforcement(world["b_sup"], new_case.pk, {"version": 1, "devices_seized": 1})
    with pytest.raises(PermissionDenied):
        services.grant_share(
            world["b_sup"], new_case.pk, {"recipient_force": "alpha", "days": 1, "reason": REASON}
        )


def test_the_share_ends_at_its_expiry(world: World, new_case: Case) -> None:
    share = _share(world, new_case, days=1)
    assert _can_read(world["b_inv"], new_case)
    CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not _can_read(world["b_inv"], new_case)
    assert queries.list_cases(world["b_inv"]) == []


def test_revoking_ends_the_share_at_once_and_is_logged(world: World, new_case: Case) -> None:
    share = _share(world, new_case)
    before = last_sequence()
    services.revoke_share(world["admin"], new_case.pk, share.pk)
    [revoked] = since(before)
    assert (revoked.action, revoked.recipient, revoked.actor_username) == (
        "share_revoked",
        "force:bravo",
        "admin",
    )
    assert not _can_read(world["b_inv"], new_case)
    with pytest.raises(ValidationFailed):
        services.revoke_share(world["admin"], new_case.pk, share.pk)


def test_who_may_grant_and_to_whom(world: World, new_case: Case) -> None:
    with pytest.raises(PermissionDenied):  # an investigator may not share
        services.grant_share(
            world["inv"], new_case.pk, {"recipient_force": "bravo", "days": 7, "reason": REASON}
        )
    with pytest.raises(NotFound):  # the other force cannot share what it cannot see
        services.grant_share(
            world["b_sup"], new_case.pk, {"recipient_force": "alpha", "days": 7, "reason": REASON}
        )
    with pytest.raises(ValidationFailed) as own:
        services.grant_share(
            world["sup"], new_case.pk, {"recipient_force": "alpha", "days": 7, "reason": REASON}
        )
    assert own.value.details[0]["path"] == "recipient_force"
    with pytest.raises(ValidationFailed) as long:
        services.grant_share(
            world["sup"], new_case.pk, {"recipient_force": "bravo", "days": 91, "reason": REASON}
        )
    assert long.value.details[0]["path"] == "days"
    assert CaseShare.objects.count() == 0


def test_shares_through_the_pages(world: World, new_case: Case) -> None:
    browser = Client()
    browser.force_login(world["sup"])
    url = f"/cases/{new_case.pk}/shares/"
    assert browser.get(url).status_code == 200
    refused = browser.post(url, {"recipient_force": "bravo", "days": "0", "reason": REASON})
    assert refused.status_code == 422
    assert browser.post(url, {"recipient_force": "bravo", "days": "3", "reason": REASON}).status_code == 302
    share = CaseShare.objects.get()
    assert share.expires_at.date() == (timezone.now() + dt.timedelta(days=3)).date()
    assert browser.post(f"{url}{share.pk}/revoke/").status_code == 302
    assert CaseShare.objects.get().revoked_at is not None
    investigator = Client()
    investigator.force_login(world["inv"])
    assert investigator.get(url).status_code == 403
    reader = Client()
    reader.force_login(world["b_inv"])
    assert reader.get(f"/cases/{new_case.pk}/").status_code == 404


def test_a_shared_case_read_through_the_api(world: World, new_case: Case) -> None:
    services.record_enforcement(world["inv"], new_case.pk, {"version": 1, "arrested_on": days_ago(3)})
    _share(world, new_case)
    api = Client(headers={"X-Justification": WHY})
    api.force_login(world["b_inv"])
    document = api.get(f"/api/cases/{new_case.pk}").json()
    assert document["reference"] == new_case.reference and document["next_actions"] == []
