"""Test only: a middleware that holds a disposal proposal open mid-transaction (the fault tests).

It lives with the tests, and its settings module (`fault_settings`) is named only by the fault
tests' server, so the service's own settings carry nothing that exists for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SlowDecisionForFaultTests:
    """Hold a disposal proposal open mid-transaction (`RISKROUTE_TEST_SLOW_DECISION_SECONDS`).

    When the proposal's history event has been written, but before the transaction commits, touch
    `RISKROUTE_TEST_SLOW_DECISION_FLAG` and sleep, so a fault test can kill the server at exactly
    that point and then prove that nothing of the half-done change was stored. `fault_settings`
    adds this middleware; it changes no request itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.apps import apps
        from django.db.models.signals import post_save

        self.get_response = get_response
        post_save.connect(
            _hold_open, sender=apps.get_model("cases", "CaseEvent"), dispatch_uid="riskroute-slow-decision"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


def _hold_open(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and instance.action == "propose_disposal":
        if settings.TEST_SLOW_DECISION_FLAG:
            Path(settings.TEST_SLOW_DECISION_FLAG).write_text(str(instance.case_id), encoding="utf-8")
        time.sleep(settings.TEST_SLOW_DECISION_SECONDS)
