"""Synthetic demo data: two forces, a demo user per role, and a few dozen cases in every state.

Everything is invented: names are obviously synthetic ("Demo Subject 07"), addresses are on
"Example Road", and there are counts only, never images. The cases are built by calling the
same service functions a user would, so the demo exercises the real workflow and its checks.
Demo accounts are marked `is_demo`; they can log in only in demo mode (RISKROUTE_DEMO=1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from riskroute.accounts.models import Force, ProviderOrganisation, Rank, Role, Unit, User
from riskroute.cases import services
from riskroute.cases.models import Case, DisposalProposal
from riskroute.examples import low_risk_facts

#: The one password of every demo account (demo mode only, printed by `riskroute demo`).
DEMO_PASSWORD = "riskroute-demo"

FORCES = (
    ("northshire", "Northshire Police (synthetic)"),
    ("southvale", "Southvale Constabulary (synthetic)"),
)
PROVIDER = "Synthetic Rehabilitation Trust"

#: (username suffix, roles, rank); the username is "<force>.<suffix>".
STAFF = (
    ("investigator", [Role.INVESTIGATOR], Rank.CONSTABLE),
    ("investigator2", [Role.INVESTIGATOR], Rank.CONSTABLE),
    ("sergeant", [Role.SUPERVISOR, Role.INVESTIGATOR], Rank.SERGEANT),
    ("inspector", [Role.SUPERVISOR], Rank.INSPECTOR),
    ("safeguarding", [Role.SAFEGUARDING_OFFICER], Rank.CONSTABLE),
    ("offender-manager", [Role.OFFENDER_MANAGER], Rank.CONSTABLE),
    ("analyst", [Role.ANALYST], Rank.STAFF),
    ("admin", [Role.ADMINISTRATOR], Rank.STAFF),
)

#: Target state of each demo case, in order (the first force gets these; the second a shorter mix).
PLAN = (
    ["referral"] * 6
    + ["investigation"] * 4
    + ["assessed"] * 4
    + ["decision_pending"] * 3
    + ["diversion_approved"] * 2
    + ["caution_active"] * 4
    + ["caution_complete"] * 2
    + ["prosecution"] * 2
    + ["breach_prosecution"]
    + ["prosecution_concluded"] * 2
    + ["no_further_action"]
    + ["closed"] * 3
)
PLAN_SECOND_FORCE = ["referral", "investigation", "assessed", "decision_pending", "caution_active", "closed"]

#: Every demo subject is at least 26 (born 1960-1999), so an offence at 25 fits them all.
_LOW_RISK: dict[str, Any] = low_risk_facts(age_at_offence=25)


def _variant(index: int) -> dict[str, Any]:
    """Facts for demo case `index`: low risk, or with a blocking fact, or with facts missing."""
    facts: dict[str, Any] = {k: dict(v) for k, v in _LOW_RISK.items()}
    kind = index % 4
    if kind == 1:  # distribution and category A: the full criminal-justice response
        facts["offence"] |= {
            "activities": ["making", "distribution"],
            "image_counts": {"A": 40, "B": 210, "C": 900},
            "peer_to_peer_sharing": True,
        }
    elif kind == 2:  # access to children not yet checked: needs information
        facts["access_to_children"] = {"checked": False}
    elif kind == 3:  # works with children (as a paediatrician did in the Bradbury case): prosecute
        facts["access_to_children"] = {**facts["access_to_children"], "occupation": True}
    return facts


@dataclass
class DemoWorld:
    forces: list[Force]
    provider: ProviderOrganisation
    users: dict[str, User]


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of every demo account, for printing in demo mode."""
    rows = []
    for user in User.objects.filter(is_demo=True).order_by("username"):
        where = (
            user.force.name
            if user.force
            else (user.provider_organisation.name if user.provider_organisation else "")
        )
        rows.append((user.username, f"{', '.join(user.roles)} ({user.get_rank_display()}), {where}"))
    return rows


def has_demo_data() -> bool:
    return User.objects.filter(is_demo=True).exists()


def _world() -> DemoWorld:
    # One shared, public password: hash it once (Argon2 is deliberately slow) and reuse the hash.
    password = make_password(DEMO_PASSWORD)
    forces = [Force.objects.create(code=code, name=name) for code, name in FORCES]
    provider = ProviderOrganisation.objects.create(name=PROVIDER)
    users: dict[str, User] = {}
    for force in forces:
        unit = Unit.objects.create(force=force, name="Online Child Abuse Investigation Team")
        for suffix, roles, rank in STAFF:
            username = f"{force.code}.{suffix}"
            first, last = "Demo", f"{suffix.replace('-', ' ').title()} ({force.code.title()})"
            users[username] = _demo_user(
                username, first, last, password, force=force, unit=unit, roles=roles, rank=rank
            )
    users["provider"] = _demo_user(
        "provider.worker",
        "Demo",
        "Programme Worker",
        password,
        roles=[Role.REHABILITATION_PROVIDER],
        rank=Rank.STAFF,
        provider_organisation=provider,
    )
    return DemoWorld(forces, provider, users)


def _demo_user(username: str, first: str, last: str, password: str, **fields: Any) -> User:
    user = User(
        username=username, first_name=first, last_name=last, password=password, is_demo=True, **fields
    )
    user.full_clean()
    user.save()
    return user


#: How long ago each demo case's referral arrived, by target state (a few days' jitter is added).
_RECEIVED_DAYS_AGO = {
    "referral": 3,
    "investigation": 40,
    "assessed": 50,
    "decision_pending": 60,
    "diversion_approved": 70,
    "no_further_action": 80,
    "caution_active": 75,
    "breach_prosecution": 95,
    "prosecution": 150,
    "prosecution_concluded": 200,
    "caution_complete": 210,
    "closed": 240,
}


class _Walker:
    """Takes one new case through the workflow to a target state, as its users would."""

    def __init__(self, world: DemoWorld, force: Force, index: int, today: dt.date) -> None:
        self.world, self.force, self.index, self.today = world, force, index, today
        self.inv = world.users[f"{force.code}.investigator" + ("2" if index % 3 == 2 else "")]
        self.sup = world.users[f"{force.code}.sergeant"]
        self.safe = world.users[f"{force.code}.safeguarding"]
        self.om = world.users[f"{force.code}.offender-manager"]
        self.case: Case | None = None

    def day(self, days_ago: int) -> str:
        return (self.today - dt.timedelta(days=max(days_ago, 0))).isoformat()

    def step(self, action: Callable[..., Any], user: User, data: dict[str, Any]) -> None:
        assert self.case is not None
        self.case.refresh_from_db()
        action(user, self.case.pk, {"version": self.case.version, **data})
        self.case.refresh_from_db()

    def walk(self, target: str) -> Case:
        diverting = target in {
            "diversion_approved",
            "caution_active",
            "caution_complete",
            "breach_prosecution",
        }
        charging = target in {"prosecution", "prosecution_concluded"}
        closing_kind = ("caution", "charge", "nfa")[self.index % 3]
        if target == "closed":
            diverting, charging = closing_kind == "caution", closing_kind == "charge"
        if target == "no_further_action" or (target == "closed" and closing_kind == "nfa"):
            facts = dict(_variant(0))
        elif diverting:
            facts = _variant(0)
        elif charging:
            facts = _variant(1)
        else:
            facts = _variant(self.index)
        # Later states began longer ago; every date stays in the past.
        received = _RECEIVED_DAYS_AGO[target] + (self.index * 7) % 30
        n = self.index + 1
        self.case = services.create_referral(
            self.inv,
            {
                "source": ("nca_ceop", "industry", "local_intelligence")[self.index % 3],
                "received_on": self.day(received),
                "summary": f"Synthetic demo referral {n}: account linked to indecent-image activity.",
                "suspected_activities": facts["offence"]["activities"],
                "subject": {
                    "full_name": f"Demo Subject {self.force.code[:1].upper()}{n:02d}",
                    "date_of_birth": f"{1960 + (n * 3) % 40}-0{1 + n % 9}-1{n % 9}",
                    "address": f"{n} Example Road, Synthtown",
                },
                "facts": facts,
            },
        )
        if target == "referral":
            return self.case
        arrested = received - 10
        self.step(
            services.record_enforcement,
            self.inv,
            {
                "warrant_on": self.day(arrested),
                "arrested_on": self.day(arrested),
                "devices_seized": 1 + n % 4,
            },
        )
        if facts["access_to_children"].get("occupation"):  # a position of trust: LADO, employer, DBS
            self.step(
                services.record_safeguarding,
                self.safe,
                {
                    "position_of_trust_known_on": self.day(arrested),
                    "lado_referred_on": self.day(arrested - 1),
                    "employer_notified_on": self.day(arrested - 1),
                    "employer_or_regulator": "Synthtown Hospitals Trust (synthetic)",
                    "dbs_considered_on": self.day(arrested - 5),
                    "dbs_decision": "referred",
                },
            )
        if diverting or self.index % 2 == 0:  # a diversion needs the completed safeguarding record
            self.step(
                services.record_safeguarding,
                self.safe,
                {
                    "social_care_referred_on": self.day(arrested - 1),
                    "strategy_discussion_on": self.day(arrested - 2),
                    "s47_outcome": "no_further_action",
                    "children_safeguarded": 1 + n % 3 if charging else 0,
                    "safeguarded_on": self.day(arrested - 2),
                },
            )
        if target == "investigation":
            return self.case
        self.step(services.run_assessment, self.inv, {})
        if target == "assessed":
            return self.case
        kind = "diversion" if diverting else ("charge" if charging else "no_further_action")
        recommendation = self.case.assessments.order_by("-id").values_list("recommendation", flat=True)[0]
        if target == "decision_pending":
            kind = "diversion" if recommendation == "divert" else "charge"
        proposal: dict[str, Any] = {"kind": kind, "reason": "Synthetic demo proposal."}
        if kind == "diversion":
            proposal |= {
                "admission": True,
                "consent": True,
                "exceptional_circumstances": "No convictions, no access to children, engaged with support.",
            }
        if {"divert": "diversion", "prosecute": "charge"}.get(recommendation, kind) != kind:
            proposal["departure_reason"] = "Synthetic: evidential review found the images were unsolicited."
        self.step(services.propose_disposal, self.inv, proposal)
        if target == "decision_pending":
            return self.case
        self.step(services.approve_disposal, self.sup, {"reason": "Agreed (synthetic)."})
        # The walk lays the case out in the past; the approval (stamped now) is dated to match, so
        # the later steps keep the timeline's order (cases.timeline).
        decided = timezone.make_aware(dt.datetime.combine(self.today, dt.time(12)))
        DisposalProposal.objects.filter(case=self.case).exclude(decided_at=None).update(
            decided_at=decided - dt.timedelta(days=max(arrested - 15, 0))
        )
        if target in {"diversion_approved", "no_further_action"}:
            return self.case
        if diverting:
            signed = arrested - 20
            self.step(
                services.record_caution,
                self.om,
                {
                    "programme_name": "Inform Plus",
                    "provider_organisation_id": self.world.provider.pk,
                    "sessions": 4,
                    "programme_deadline": (
                        self.today - dt.timedelta(days=signed) + dt.timedelta(weeks=15)
                    ).isoformat(),
                    "signed_on": self.day(signed),
                    "reparative_hours": 6,
                    "explained_and_warned": True,
                },
            )
            self.step(
                services.record_notification,
                self.om,
                {"kind": "initial", "notified_on": self.day(signed - 2)},
            )
            sessions = 4 if target in {"caution_complete", "closed"} else 1 + n % 3
            for session in range(1, sessions + 1):
                attended = target != "breach_prosecution" and not (
                    target == "caution_active" and session == 2
                )
                self.step(
                    services.record_attendance,
                    self.world.users["provider"],
                    {
                        "session_number": session,
                        "session_on": self.day(signed - 7 * session),
                        "attended": attended,
                    },
                )
            if target == "caution_active":
                return self.case
            if target == "breach_prosecution":
                self.step(
                    services.record_breach,
                    self.om,
                    {
                        "occurred_on": self.day(signed - 8),
                        "description": "Did not attend session 1 and gave no reason (synthetic).",
                        "reasonable_excuse": False,
                    },
                )
                return self.case
            self.step(services.complete_caution, self.om, {"completed_on": self.day(signed - 30)})
            if target == "caution_complete":
                return self.case
        if charging:
            self.step(
                services.update_prosecution,
                self.inv,
                {
                    "charged_on": self.day(arrested - 20),
                    "cps_decision": "charge",
                    "cps_decision_on": self.day(arrested - 20),
                    "court": "Synthtown Crown Court",
                },
            )
            if target == "prosecution":
                return self.case
            self.step(
                services.record_outcome,
                self.inv,
                {
                    "outcome": "convicted",
                    "outcome_on": self.day(arrested - 60),
                    "sentence_type": "custody" if n % 2 else "community_order",
                    "custody_months": 18 if n % 2 else None,
                    "sentenced_on": self.day(arrested - 60),
                },
            )
            if target == "prosecution_concluded":
                return self.case
        self.step(
            services.close_case,
            self.sup,
            {
                "closed_on": self.day(5),
                "reason": "Synthetic demo closure.",
                "review_dates": [(self.today + dt.timedelta(days=365 * 2)).isoformat()],
            },
        )
        return self.case


@transaction.atomic
def load_demo(today: dt.date | None = None) -> DemoWorld:
    """Create the demo forces, users and cases. Call only on an empty database."""
    when = today or timezone.localdate()
    world = _world()
    for force, plan in zip(world.forces, (PLAN, PLAN_SECOND_FORCE), strict=True):
        for index, target in enumerate(plan):
            _Walker(world, force, index, when).walk(target)
    return world
