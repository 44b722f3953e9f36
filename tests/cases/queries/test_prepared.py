"""On PostgreSQL a connection prepares the statements it repeats (`settings.PREPARE_THRESHOLD`),
so the server plans the thirteen-table case read once per connection rather than on every page."""

from __future__ import annotations

import pytest
from django.db import connection

from riskroute.cases import queries
from riskroute.cases.models import Case
from riskroute.web import settings as service_settings
from tests.factories import World


def test_postgresql_connections_prepare_statements_and_sqlite_keeps_its_own_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://riskroute@db.example:5432/riskroute")
    options = service_settings._database()["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": service_settings.PREPARE_THRESHOLD}
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/riskroute-options.sqlite3")
    options = service_settings._database()["OPTIONS"]
    assert isinstance(options, dict) and "prepare_threshold" not in options
    assert "server_side_binding" not in options


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements; PostgreSQL pass")
def test_the_case_read_is_prepared_and_then_no_longer_planned(world: World, new_case: Case) -> None:
    reads = 12
    for _ in range(reads):
        queries.get_case(world["sup"], new_case.pk, justification="Synthetic: checking the plan cache")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['SELECT "cases_case"."id"%', '%LEFT OUTER JOIN "cases_closure"%'],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1  # one prepared statement for the read, whatever the case's id
    generic, custom = rows[0]
    # PostgreSQL plans a prepared statement for its first five runs, then keeps a generic plan
    # when it is no dearer: from then on the read is executed without being planned.
    assert custom <= 5 and generic >= reads - service_settings.PREPARE_THRESHOLD - 5
