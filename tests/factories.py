"""The synthetic world of the tests and the example documents, built in one place.

- the world: two forces with a unit each, provider organisations and a user per role
  (`build_world`), and the cases of every kind the authorisation tests need (`build_cases`);
- cases walked to a state through the services, as their users would (`to_assessed`,
  `to_diversion_approved`, `to_closed`, `review`);
- the example documents: the case facts of the bundled examples (the low-risk facts come from
  `riskroute.examples.low_risk_facts`, never a copy), a valid input per instrument and per law
  calculator.

Only synthetic data: no real names, addresses or dates of birth.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from riskroute.accounts.models import Force, ProviderOrganisation, Rank, Role, Unit, User
from riskroute.cases import services
from riskroute.cases.models import Case, CaseShare, DisposalProposal, Subject
from riskroute.crypto import blind_index
from riskroute.examples import example_paths, load_example, low_risk_facts

TODAY = dt.date.today()
#: The password of every synthetic account.
PASSWORD = "correct horse battery staple"
#: The canary: a subject name and summary only the other force's case holds.
CANARY = "Canaryname Zzyzx-Otherforce"


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
        password=PASSWORD,
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
        "auditor": make_user("auditor", alpha, [Role.AUDITOR], Rank.STAFF),
    }
    return w


@dataclass
class Cases:
    """One case of each kind, and a live share of each (for the revoke operation)."""

    assigned: Case  # own force, assigned to `inv`, caution in force with the provider organisation
    unassigned: Case  # own force, nobody assigned, not referred
    other: Case  # the other force's case, holding the canary
    shares: dict[str, CaseShare]

    def by_kind(self) -> dict[str, Case]:
        return {"assigned": self.assigned, "unassigned": self.unassigned, "other": self.other}


def build_cases(world: World) -> Cases:
    """A case of each kind the authorisation tests ask about, and a share of each to revoke."""
    assigned = services.create_referral(world["inv"], referral())
    assert assigned.assigned_to_id == world["inv"].pk
    # A provider sees a case only while its caution is in force: take this one there.
    assigned = to_diversion_approved(world, assigned)
    services.record_caution(world["om"], assigned.pk, caution_data(assigned, world))
    unassigned = services.create_referral(world["sup"], referral())
    assert unassigned.assigned_to_id is None
    canary = referral(summary=f"Referral about {CANARY}.")
    canary["subject"] = {**canary["subject"], "full_name": CANARY, "address": f"1 {CANARY} Road"}
    other = services.create_referral(world["b_inv"], canary)
    # Shares to revoke: own-force cases shared with the other force; the other force's case with
    # a third force (never with ours, which would open it to the roles under test).
    charlie = Force.objects.create(code="charlie", name="Charlie Police (synthetic)")
    share = {"days": 30, "reason": "Synthetic joint investigation."}
    shares = {
        "assigned": services.grant_share(world["sup"], assigned.pk, {**share, "recipient_force": "bravo"}),
        "unassigned": services.grant_share(
            world["sup"], unassigned.pk, {**share, "recipient_force": "bravo"}
        ),
        "other": services.grant_share(world["b_sup"], other.pk, {**share, "recipient_force": charlie.code}),
    }
    return Cases(Case.objects.get(pk=assigned.pk), Case.objects.get(pk=unassigned.pk), other, shares)


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


def to_charge_proposed(world: World, case: Case) -> Case:
    """The case assessed, and a charge proposed against the recommendation: awaiting a decision."""
    case = to_assessed(world, case)
    services.propose_disposal(
        world["inv"],
        case.pk,
        {
            "version": case.version,
            "kind": "charge",
            "reason": "Synthetic: charge.",
            "departure_reason": "Synthetic: the aggravating facts outweigh the score.",
        },
    )
    return fresh(case)


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


def to_caution_active(world: World) -> Case:
    """A new referral walked to an approved diversion, its caution then recorded: in force."""
    case = to_diversion_approved(world, services.create_referral(world["inv"], referral()))
    services.record_caution(world["om"], case.pk, caution_data(case, world))
    return fresh(case)


def breach_to_prosecution(world: World, case: Case | None = None) -> Case:
    """A caution in force (`case`'s, else a new one), breached three days ago without reasonable
    excuse: now a prosecution."""
    case = fresh(case) if case is not None else to_caution_active(world)
    services.record_breach(
        world["om"],
        case.pk,
        {
            "version": case.version,
            "occurred_on": days_ago(3),
            "description": "Missed",
            "reasonable_excuse": False,
        },
    )
    return fresh(case)


def fresh(case: Case | int) -> Case:
    """The case as the database holds it now."""
    return Case.objects.get(pk=case if isinstance(case, int) else case.pk)


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


# --- example documents -----------------------------------------------------------------------


def example_bytes(name_prefix: str) -> bytes:
    """The bundled example case whose file name starts with `name_prefix` ("01"), as stored."""
    (path,) = [p for p in example_paths() if p.name.startswith(name_prefix)]
    return path.read_bytes()


def example_document(name_prefix: str) -> dict[str, Any]:
    """The bundled example case whose file name starts with `name_prefix`, as plain JSON data."""
    document: dict[str, Any] = json.loads(example_bytes(name_prefix))
    return document


def divertible() -> dict[str, Any]:
    """The bundled low-level viewer (divert under npcc-2017), as the decision core takes it."""
    return load_example("01-divert-low-level-viewer.json")


#: A valid input document per `score` instrument.
INSTRUMENT_INPUTS: dict[str, dict[str, Any]] = {
    "cport": {
        "age_at_index": 30,
        "any_prior_criminal_history": False,
        "any_contact_sexual_offending": False,
        "any_failure_on_conditional_release": None,
        "sexual_interest_in_children": True,
        "more_boys_than_girls_csem": False,
        "more_boys_than_girls_other_child_content": False,
    },
    "casic": {
        "never_married": True,
        "csem_videos": True,
        "csem_stories": False,
        "interest_two_years_or_more": None,
        "volunteered_with_high_access_to_children": False,
        "online_sexual_communication_with_minor": False,
    },
    "osp-dc": {
        "sex": "male",
        "contact_adult_sexual_sanctions": 0,
        "contact_child_sexual_sanctions": 0,
        "non_contact_sexual_sanctions_excluding_images": 0,
        "indecent_image_sanctions": 1,
        "total_sanctions": 1,
        "age_at_start_of_followup": 40,
        "age_at_last_sexual_sanction": 40,
        "current_offence_stranger_victim": False,
    },
    "osp-iic": {
        "sex": "male",
        "indecent_image_sanctions": 1,
        "contact_child_sexual_sanctions": 0,
        "contact_adult_sexual_sanctions": 0,
        "non_contact_sexual_sanctions_excluding_images": 0,
    },
    "priority": divertible(),
}

#: A valid `riskroute law notification` request: a conditional caution for a possession offence.
NOTIFICATION_REQUEST: dict[str, Any] = {
    "offence": "pca1978_s1",
    "youngest_depicted": "under_16",
    "age_at_offence": 42,
    "age_on_relevant_date": 42,
    "disposal": {"type": "conditional_caution"},
    "relevant_date": "2025-06-02",
}
#: A valid `riskroute law sentencing` request.
SENTENCING_REQUEST: dict[str, Any] = {"category": "A", "activity": "possession"}


#: One synthetic case: its band ("" not prioritised), its deadline in days from today (None: no
#: deadline) and whether enforcement action was taken (so it is never overdue).
Spec = tuple[str, int | None, bool]


def make_cases(world: World, wanted: list[Spec], *, assigned: bool = False) -> list[Case]:
    """Cases straight through the ORM (encrypted as the service would), in the alpha unit."""
    today = timezone.localdate()
    alpha = world.alpha
    unit = alpha.units.get()
    made = []
    for band, deadline, taken in wanted:
        case = Case.objects.create(
            reference=f"PAGE-{uuid.uuid4().hex[:12]}",
            force=alpha,
            unit=unit,
            created_by=world["sup"],
            assigned_to=world["inv"] if assigned else None,
            referral_source="nca_ceop",
            received_on=today - dt.timedelta(days=40),
            summary="Synthetic paging case.",
            offence="cja1988_s160",
            priority_band=band,
            action_deadline=None if deadline is None else today + dt.timedelta(days=deadline),
            action_taken_on=today - dt.timedelta(days=1) if taken else None,
        )
        name = f"Paging Person {case.pk}"
        Subject.objects.create(
            case=case, full_name=name, name_index=blind_index(name, Subject.NAME_INDEX_PURPOSE)
        )
        made.append(case)
    return made
