"""Locust user for `benchmarks/load_service.py`: an investigator's day on the case service.

Each simulated user signs in (demo mode: password only), creates its own case (so users never
conflict with each other; a 409 here would be a real error), brings it to assessment, then loops:
the worklist page, the case page, and a decision submission (propose a diversion as the
investigator, then reject it as the sergeant, which returns the case to assessment for the next
proposal). Every loop is bounded (MAX_LOOPS) as well as the run (locust's --run-time).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from locust import HttpUser, between, task
from locust.exception import StopUser

from riskroute.examples import low_risk_facts

INVESTIGATOR = os.environ.get("LOAD_INVESTIGATOR", "northshire.investigator")
SERGEANT = os.environ.get("LOAD_SERGEANT", "northshire.sergeant")
PASSWORD = os.environ["LOAD_PASSWORD"]
MAX_LOOPS = int(os.environ.get("LOAD_MAX_LOOPS", "400"))
#: The s.62 reason every case read needs (API header; the HTML session is asked once per case).
JUSTIFICATION = "Load test on synthetic data"
TODAY = dt.date.today()


def _iso(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


#: Facts that make diversion possible (no access to children, admits, consents; synthetic).
FACTS = low_risk_facts(age_at_offence=44)  # the subject is born in 1980

REFERRAL: dict[str, Any] = {
    "source": "nca_ceop",
    "received_on": _iso(30),
    "summary": "Synthetic load-test referral.",
    "suspected_activities": ["possession"],
    "subject": {"full_name": "Load Test Subject", "date_of_birth": "1980-01-01", "address": "1 Load Road"},
    "facts": FACTS,
}


class Investigator(HttpUser):
    wait_time = between(0.5, 1.5)

    def _sign_in(self, username: str) -> dict[str, str]:
        """Sign in a fresh session; return its cookies (session and CSRF token)."""
        self.client.cookies.clear()
        self.client.get("/accounts/login/", name="sign in page")
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise StopUser()
        return dict(self.client.cookies.get_dict())

    def _use(self, cookies: dict[str, str]) -> dict[str, str]:
        self.client.cookies.clear()
        self.client.cookies.update(cookies)
        return {"X-CSRFToken": cookies["csrftoken"], "X-Justification": JUSTIFICATION}

    def _post(self, cookies: dict[str, str], path: str, body: dict[str, Any], name: str) -> dict[str, Any]:
        headers = self._use(cookies)
        with self.client.post(path, json=body, headers=headers, name=name, catch_response=True) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:200]}")
                raise StopUser()
            document: dict[str, Any] = response.json()
            return document

    def on_start(self) -> None:
        self.loops = 0
        self.sergeant = self._sign_in(SERGEANT)
        self.investigator = self._sign_in(INVESTIGATOR)
        case = self._post(self.investigator, "/api/cases", REFERRAL, "setup: create case")
        self.case_id = case["id"]
        case = self._post(
            self.investigator,
            f"/api/cases/{self.case_id}/enforcement",
            {"version": case["version"], "warrant_on": _iso(20), "arrested_on": _iso(20)},
            "setup: enforcement",
        )
        # Diversion needs the safeguarding checks, which the service derives from this record.
        case = self._post(
            self.investigator,
            f"/api/cases/{self.case_id}/safeguarding",
            {
                "version": case["version"],
                "social_care_referred_on": _iso(19),
                "strategy_discussion_on": _iso(18),
                "s47_outcome": "no_further_action",
            },
            "setup: safeguarding",
        )
        case = self._post(
            self.investigator,
            f"/api/cases/{self.case_id}/assessments",
            {"version": case["version"]},
            "setup: assessment",
        )
        self.version = case["version"]
        headers = self._use(self.investigator)
        self.client.post(
            f"/cases/{self.case_id}/justification/",
            data={"justification": JUSTIFICATION, "csrfmiddlewaretoken": headers["X-CSRFToken"]},
            headers={"Referer": f"{self.host}/cases/{self.case_id}/justification/"},
            name="setup: justification",
            allow_redirects=False,
        )
        self.investigator = dict(self.client.cookies.get_dict())

    @task
    def day(self) -> None:
        self.loops += 1
        if self.loops > MAX_LOOPS:
            raise StopUser()
        self._use(self.investigator)
        self.client.get("/cases/mine/", name="worklist (HTML)")
        with self.client.get(
            f"/cases/{self.case_id}/", name="case page (HTML)", catch_response=True, allow_redirects=False
        ) as page:
            if page.status_code != 200 or not re.search(r"<h1[^>]*>Case ", page.text):
                page.failure(f"not the case page: {page.status_code}")
        case = self._post(
            self.investigator,
            f"/api/cases/{self.case_id}/proposals",
            {
                "version": self.version,
                "kind": "diversion",
                "reason": "Low risk; admits; consents (synthetic).",
                "admission": True,
                "consent": True,
                "exceptional_circumstances": "Synthetic load test.",
            },
            "decision: propose",
        )
        case = self._post(
            self.sergeant,
            f"/api/cases/{self.case_id}/proposals/reject",
            {"version": case["version"], "reason": "Synthetic load test: rejected to repeat."},
            "decision: supervisor rejects",
        )
        self.version = case["version"]
