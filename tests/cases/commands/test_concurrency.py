"""Two users writing the same case at the same moment: exactly one wins, the other gets a conflict.

Real concurrency needs real connections and row locks, so this runs on PostgreSQL (the
PostgreSQL pass of tests/test_postgres.py); SQLite's in-memory test database is shared by threads
through a cache that has no busy wait, so there the stale-version case is covered sequentially
in test_services.py.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from riskroute.cases import services
from riskroute.cases.errors import ConflictError
from riskroute.cases.models import Case, CaseEvent
from tests.factories import LOW_RISK_FACTS, World, build_world, referral

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks; runs in the PostgreSQL pass"
)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writes_one_wins_one_conflicts() -> None:
    world: World = build_world()
    case = services.create_referral(world["inv"], referral())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(user_key: str, videos: bool) -> None:
        facts: dict[str, Any] = {
            **LOW_RISK_FACTS,
            "offence": {**LOW_RISK_FACTS["offence"], "csem_videos": videos},
        }
        try:
            barrier.wait(timeout=10)
            services.update_facts(world[user_key], case.pk, {"version": 1, "facts": facts})
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=write, args=("inv", True)),
        threading.Thread(target=write, args=("sup", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    case.refresh_from_db()
    assert case.version == 2
    assert CaseEvent.objects.filter(case=case, action="update_facts").count() == 1
    assert Case.objects.count() == 1
