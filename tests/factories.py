"""Shared builders for the case-service tests: synthetic referrals, facts and step helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from riskroute.accounts.models import Force, ProviderOrganisation, Rank, Role, Unit, User
from riskroute.cases import services
from riskroute.cases.models import Case, DisposalProposal
from riskroute.examples import low_risk_facts

TODAY = dt.date.today()


@dataclass
class World:
    alpha: Force
    bravo: Force
    provider_org: ProviderOrganisation
    other_provider_org: ProviderOrganisation
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def make_user(
    name: str, force: Force | None, roles: list[str], rank: str = Rank.CONSTABLE, **extra: Any
) -> User:
    unit = force.units.first() if force else None
    user = User.objects.create_user(
        username=name,
        password="correct horse battery staple",
        force=force,
        unit=unit,
        roles=roles,
        rank=rank,
        **extra,
    )
    user.full_clean()
    return user


def build_world() -> World:
    alpha = Force.objects.create(code="alpha", name="Alpha Constabulary (synthetic)")
    bravo = Force.objects.create(code="bravo", name="Bravo Police (synthetic)")
    for force in (alpha, bravo):
        Unit.objects.create(force=force, name="Online Child Abuse Team")
    org = ProviderOrganisation.objects.create(name="Synthetic Programmes Trust")
    other_org = ProviderOrganisation.objects.create(name="Other Programmes Ltd")
    w = World(alpha=alpha, bravo=bravo, provider_org=org, other_provider_org=other_org)
    w.users = {
        "inv": make_user("inv", alpha, [Role.INVESTIGATOR]),
        "inv2": make_user("inv2", alpha, [Role.INVESTIGATOR]),
        "sup": make_user("sup", alpha, [Role.SUPERVISOR], Rank.SERGEANT),
        "sup2": make_user("sup2", alpha, [Role.SUPERVISOR, Role.INVESTIGATOR], Rank.INSPECTOR),
        "safe": make_user("safe", alpha, [Role.SAFEGUARDING_OFFICER]),
        "om": make_user("om", alpha, [Role.OFFENDER_MANAGER]),
        "analyst": make_user("analyst", alpha, [Role.ANALYST], Rank.STAFF),
        "admin": make_user("admin", alpha, [Role.ADMINISTRATOR], Rank.STAFF),
        "provider": make_user(
            "provider", None, [Role.REHABILITATION_PROVIDER], Rank.STAFF, provider_organisation=org
        ),
        "other_provider": make_user(
            "other_provider",
            None,
            [Role.REHABILITATION_PROVIDER],
            Rank.STAFF,
            provider_organisation=other_org,
        ),
        "b_inv": make_user("b_inv", bravo, [Role.INVESTIGATOR]),
        "b_sup": make_user("b_sup", bravo, [Role.SUPERVISOR], Rank.SERGEANT),
    }
    return w


#: The low-level viewer of example 01, who may be diverted (the subject was born on 1 April 1980).
LOW_RISK_FACTS: dict[str, Any] = low_risk_facts(age_at_offence=44)


def referral(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "nca_ceop",
        "received_on": (TODAY - dt.timedelta(days=60)).isoformat(),
        "summary": "Synthetic referral for tests.",
        "suspected_activities": ["possession"],
        "subject": {
            "full_name": "Test Subject One",
            "date_of_birth": "1980-04-01",
            "address": "1 Example Road, Testtown",
        },
        "facts": LOW_RISK_FACTS,
    }
    data.update(overrides)
    return data


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


#: A safeguarding record that completes the checks for a subject with no position of trust.
SAFEGUARDING_DONE: dict[str, Any] = {
    "social_care_referred_on": days_ago(49),
    "strategy_discussion_on": days_ago(48),
    "s47_outcome": "no_further_action",
}


def to_assessed(world: World, case: Case) -> Case:
    """Arrest, complete the safeguarding record and assess, as the case's assigned investigator."""
    investigator = case.assigned_to or world["inv"]
    case = services.record_enforcement(
        investigator,
        case.pk,
        {"version": case.version, "arrested_on": days_ago(50), "warrant_on": days_ago(50)},
    )
    case = services.record_safeguarding(investigator, case.pk, {"version": case.version, **SAFEGUARDING_DONE})
    services.run_assessment(investigator, case.pk, {"version": case.version})
    return Case.objects.get(pk=case.pk)


def to_diversion_approved(world: World, case: Case) -> Case:
    case = to_assessed(world, case)
    services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "diversion",
            "reason": "Low risk, admits, consents.",
            "admission": True,
            "consent": True,
            "exceptional_circumstances": "First offence, no access to children, engaged with support.",
        },
    )
    case.refresh_from_db()
    services.approve_disposal(world["sup"], case.pk, {"version": case.version, "reason": "Agreed."})
    backdate_approval(case, 20)
    case.refresh_from_db()
    return case


def backdate_approval(case: Case, days: int) -> None:
    """Date the decisions `days` ago, as if the case had been worked over weeks (the steps after
    an approval must not precede it, and the tests date those steps in the past)."""
    moment = timezone.now() - dt.timedelta(days=days)
    DisposalProposal.objects.filter(case=case).exclude(decided_at=None).update(decided_at=moment)


def caution_data(case: Case, world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": case.version,
        "programme_name": "Inform Plus",
        "provider_organisation_id": world.provider_org.pk,
        "sessions": 3,
        "programme_deadline": (TODAY + dt.timedelta(days=100)).isoformat(),
        "signed_on": days_ago(10),
        "reparative_hours": 5,
        "punitive_hours": 10,
        "explained_and_warned": True,
    }
    data.update(overrides)
    return data


def to_closed(world: World, case: Case) -> Case:
    """Take a new case to no further action and close it today (the case's timeline refuses a
    closure before its last event), with a review next month."""
    case = to_assessed(world, case)
    services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "no_further_action",
            "reason": "Synthetic: no realistic prospect",
            "departure_reason": "Synthetic: evidence later excluded",
        },
    )
    services.approve_disposal(world["sup"], case.pk, {"version": case.version + 1, "reason": "Agreed."})
    services.close_case(
        world["inv"],
        case.pk,
        {
            "version": case.version + 2,
            "closed_on": TODAY.isoformat(),
            "reason": "Synthetic closure reason",
            "review_dates": [(TODAY + dt.timedelta(days=30)).isoformat()],
        },
    )
    return Case.objects.get(pk=case.pk)


def review(world: World, case: Case, outcome: str = "erase", reviewer: str = "admin") -> Case:
    """Record a retention review of a closed case (erase: no next review)."""
    services.record_review(
        world[reviewer],
        case.pk,
        {
            "version": case.version,
            "reviewed_on": TODAY.isoformat(),
            "outcome": outcome,
            "reason": "Synthetic retention review reason",
        },
    )
    return Case.objects.get(pk=case.pk)
