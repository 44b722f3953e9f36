"""Run the security suite again on a real PostgreSQL server (raw tables, the audit triggers, advisory locks).

The mechanism (throwaway database, fails rather than skips when required) is the
`rerun_on_postgres` fixture in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.mark.postgres
@pytest.mark.slow
def test_security_suite_passes_on_postgresql(rerun_on_postgres: Callable[..., str]) -> None:
    # This one runs its own SQLite file in subprocesses; repeating it here would test nothing new.
    sqlite_only = (
        "tests/security/test_security_concurrency.py"
        "::test_processes_appending_to_one_sqlite_file_keep_one_chain"
    )
    output = rerun_on_postgres(__file__, "--deselect", sqlite_only)
    assert "1 deselected" in output, output
    assert "skipped" not in output, output  # every test ran on PostgreSQL
