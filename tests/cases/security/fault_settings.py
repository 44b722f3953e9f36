"""Settings of the fault tests' server: the service's own, plus the test-only middleware of
`slow_decision` that holds a disposal proposal open, when `RISKROUTE_TEST_SLOW_DECISION_SECONDS` is set.
"""

from __future__ import annotations

import os

from riskroute.web.settings import *  # noqa: F403  (the service's settings, unchanged)
from riskroute.web.settings import MIDDLEWARE

#: Hold each disposal proposal open this long before it commits (0: never), and touch this file then.
TEST_SLOW_DECISION_SECONDS = float(os.environ.get("RISKROUTE_TEST_SLOW_DECISION_SECONDS", "0"))
TEST_SLOW_DECISION_FLAG = os.environ.get("RISKROUTE_TEST_SLOW_DECISION_FLAG", "")
if TEST_SLOW_DECISION_SECONDS > 0:
    MIDDLEWARE = [*MIDDLEWARE, "tests.cases.security.slow_decision.SlowDecisionForFaultTests"]
