"""Run the hardening suite again on a real PostgreSQL server (the production database).

The mechanism (throwaway database, fails rather than skips when required) is the
`rerun_on_postgres` fixture in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.mark.postgres
@pytest.mark.slow
def test_hardening_suite_passes_on_postgresql(rerun_on_postgres: Callable[..., str]) -> None:
    output = rerun_on_postgres(__file__, "-m", "not slow")
    assert "skipped" not in output, output
