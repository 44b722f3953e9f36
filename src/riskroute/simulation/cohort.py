"""Synthetic arrestees, routed by the real decision core.

No eligibility share is set by hand anywhere: the model generates complete case facts whose
marginals follow the scenario, and `riskroute.core.triage.triage` (the same policy files the live
system uses) decides who is diverted under `current-practice` (the baseline) and under the policy
being tested, and which pre-arrest priority band each person gets.

Triage costs tens of microseconds, so it is not called per case per replication. Instead a pool of
cases is generated once per (scenario, seed) in four strata: contact indicator recorded or not ×
access to children or not. Those are the two cohort shares whose ranges matter most and vary per
replication; each replication draws arrestees stratum by stratum with its own sampled shares and
uniformly within a stratum. Every other cohort share is held at its central value inside the pool
(documented in docs/simulation.md as a limit of the uncertainty analysis).

Facts are complete (every leaf known), so `needs_information` should not occur; if a policy still
returns it, the case is routed to prosecution, as an investigator would keep it on the criminal
route until the facts were gathered, and the share is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from riskroute.core.facts import CaseFacts
from riskroute.core.triage import triage

BASELINE_POLICY = "current-practice"
BANDS: tuple[str, ...] = ("very_high", "high", "medium", "low")
PROSECUTE, DIVERT = 0, 1

#: Which facts carry a recorded contact indicator or an access to children, and the other details
#: of a synthetic arrestee, are modelling guesses (G). They change which rule fires and the
#: priority band mix, not whether a stratum is blocked from diversion.
CONTACT_INDICATOR_ODDS = {
    "allegation": 0.5,
    "prior_contact_sanction": 0.3,
    "communication": 0.3,
    "grooming": 0.1,
}
ACCESS_KIND_ODDS = {"household": 0.6, "occupation": 0.25, "volunteering": 0.1, "family_or_friends": 0.4}
UNDER_16_DEPICTED = 0.95
NEVER_MARRIED = 0.4
SEXUAL_INTEREST_RECORDED = 0.3
FAILED_CONDITIONAL_RELEASE_GIVEN_HISTORY = 0.15
PRIOR_VIOLENT_GIVEN_HISTORY = 0.15


@dataclass(frozen=True)
class RoutedPool:
    """Pool of synthetic arrestees with their routes under the baseline and the tested policy.

    Arrays are indexed by pool case. `stratum` = 2 × contact indicator recorded + access to children.
    """

    stratum: np.ndarray
    band: np.ndarray
    base_route: np.ndarray
    policy_route: np.ndarray
    base_needs_information: np.ndarray
    policy_needs_information: np.ndarray
    baseline_identity: dict[str, str]
    policy_identity: dict[str, str]
    #: Share of the people with no recorded contact indicator and no access to children (stratum 0)
    #: that each of the tested policy's rules blocks: why the unblocked are still not diverted.
    policy_blockers: dict[str, float]

    def members(self) -> list[np.ndarray]:
        """Pool indices of each stratum 0..3."""
        return [np.flatnonzero(self.stratum == s) for s in range(4)]


def stratum_probabilities(params: dict[str, float]) -> np.ndarray:
    """P(stratum) for one parameter draw; access is taken as independent of contact risk."""
    found = params["cohort.contact_risk_share"] * params["cohort.assessment_detects_contact_risk"]
    access = params["cohort.access_to_children_share"]
    return np.array([(1 - found) * (1 - access), (1 - found) * access, found * (1 - access), found * access])


def latent_contact_probability(params: dict[str, float], contact_found: np.ndarray) -> np.ndarray:
    """P(the person poses a contact risk | whether the assessment recorded an indicator)."""
    p = params["cohort.contact_risk_share"]
    d = params["cohort.assessment_detects_contact_risk"]
    missed = p * (1 - d) / (1 - p * d) if p * d < 1 else 1.0
    return np.where(contact_found, 1.0, missed)


def _pick(rng: np.random.Generator, odds: dict[str, float]) -> set[str]:
    """Each kind independently with its odds, at least one (the stratum says there is one)."""
    chosen = {kind for kind, p in odds.items() if rng.random() < p}
    if not chosen:
        kinds = list(odds)
        weights = np.array(list(odds.values()))
        chosen = {kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]}
    return chosen


def synthetic_facts(
    rng: np.random.Generator, contact_found: bool, access: bool, cohort: dict[str, float]
) -> CaseFacts:
    """One complete, synthetic case-facts document (counts and facts only, no person named)."""
    indicators = _pick(rng, CONTACT_INDICATOR_ODDS) if contact_found else set()
    access_kinds = _pick(rng, ACCESS_KIND_ODDS) if access else set()
    activities = ["possession", "making"]
    if rng.random() < cohort["cohort.distribution_share"]:
        activities.append("distribution")
    if rng.random() < cohort["cohort.production_share"]:
        activities.append("production")
    u = rng.random()
    has_a = u < cohort["cohort.category_a_share"]
    has_b = has_a or u < cohort["cohort.category_a_share"] + cohort["cohort.category_b_share"]
    counts = {
        "A": int(rng.lognormal(2.5, 1.5)) + 1 if has_a else 0,
        "B": int(rng.lognormal(3.0, 1.5)) + 1 if has_b else 0,
        "C": int(rng.lognormal(4.0, 1.5)) + 1,
    }
    prior_sexual = rng.random() < cohort["cohort.prior_sexual_sanction_share"]
    prior_contact = "prior_contact_sanction" in indicators
    history = prior_sexual or prior_contact or rng.random() < cohort["cohort.prior_criminal_history_share"]
    admits = bool(rng.random() < cohort["cohort.admits_offence_share"])
    age = int(18 + min(rng.gamma(4.0, 6.0), 60))
    span = round(float(rng.gamma(2.0, 1.0)), 1)
    document: dict[str, Any] = {
        "subject": {
            "age": age,
            # The collection began `span` years ago: the earliest offence was then.
            "age_at_offence": max(10, age - int(span)),
            "sex": "male",
            "never_married": bool(rng.random() < NEVER_MARRIED),
        },
        "offence": {
            "activities": activities,
            "image_counts": counts,
            "youngest_depicted": "under_16" if rng.random() < UNDER_16_DEPICTED else "16_17",
            "csem_videos": bool(rng.random() < 0.5),
            "csem_stories": bool(rng.random() < 0.2),
            "collection_span_years": min(span, float(age)),
            "more_boys_than_girls_csem": bool(rng.random() < 0.2),
            "more_boys_than_girls_other_child_content": bool(rng.random() < 0.2),
            # Peer-to-peer offering is distribution in law, so only the distributors do it.
            "peer_to_peer_sharing": "distribution" in activities,
        },
        "history": {
            "any_prior_criminal_history": bool(history),
            "any_failure_on_conditional_release": bool(
                history and rng.random() < FAILED_CONDITIONAL_RELEASE_GIVEN_HISTORY
            ),
            "prior_sexual_sanctions": int(prior_sexual) + int(prior_contact),
            "prior_contact_sexual_sanctions": int(prior_contact),
            "prior_image_sanctions": int(prior_sexual),
            "prior_violent_sanctions": int(history and rng.random() < PRIOR_VIOLENT_GIVEN_HISTORY),
            "contact_offence_allegations": "allegation" in indicators,
        },
        "access_to_children": {"checked": True, **{k: k in access_kinds for k in ACCESS_KIND_ODDS}},
        "behaviour": {
            "sexual_communication_with_child": "communication" in indicators,
            "grooming_or_incitement": "grooming" in indicators,
            "sexual_interest_in_children": bool(rng.random() < SEXUAL_INTEREST_RECORDED),
        },
        "process": {
            "admits_offence": admits,
            "sufficient_evidence_to_charge": bool(rng.random() < cohort["cohort.sufficient_evidence_share"]),
            "consents_to_caution": bool(admits and rng.random() < cohort["cohort.consents_to_caution_share"]),
            "safeguarding_checks_complete": True,
        },
    }
    return CaseFacts.model_validate(document)


def _route(result: dict[str, Any]) -> tuple[int, bool]:
    needs_information = result["recommendation"] == "needs_information"
    return (DIVERT if result["recommendation"] == "divert" else PROSECUTE), needs_information


def build_pool(
    central: dict[str, float], policy_id: str, seed: np.random.SeedSequence, per_stratum: int = 1000
) -> RoutedPool:
    """Generate `per_stratum` arrestees in each stratum and triage each under both policies."""
    rng = np.random.default_rng(seed)
    strata, bands, base, pol, base_ni, pol_ni = [], [], [], [], [], []
    base_identity: dict[str, str] = {}
    policy_identity: dict[str, str] = {}
    blockers: dict[str, int] = {}
    for stratum in range(4):
        contact_found, access = bool(stratum // 2), bool(stratum % 2)
        for _ in range(per_stratum):
            facts = synthetic_facts(rng, contact_found, access, central)
            base_result = triage(facts, BASELINE_POLICY)
            policy_result = triage(facts, policy_id)
            route, needs = _route(base_result)
            base.append(route)
            base_ni.append(needs)
            route, needs = _route(policy_result)
            if stratum == 0:
                for rule in policy_result["blocking_rules"]:
                    blockers[rule["id"]] = blockers.get(rule["id"], 0) + 1
            pol.append(route)
            pol_ni.append(needs)
            strata.append(stratum)
            bands.append(BANDS.index(base_result["priority"]["band"]))
            base_identity = dict(base_result["policy"])
            policy_identity = dict(policy_result["policy"])
    return RoutedPool(
        stratum=np.array(strata, dtype=np.int8),
        band=np.array(bands, dtype=np.int8),
        base_route=np.array(base, dtype=np.int8),
        policy_route=np.array(pol, dtype=np.int8),
        base_needs_information=np.array(base_ni, dtype=bool),
        policy_needs_information=np.array(pol_ni, dtype=bool),
        baseline_identity=base_identity,
        policy_identity=policy_identity,
        policy_blockers={
            rule: n / per_stratum for rule, n in sorted(blockers.items(), key=lambda kv: (-kv[1], kv[0]))
        },
    )
