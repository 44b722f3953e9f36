"""Synthetic arrestees, routed by the real decision core.

No eligibility share is set by hand anywhere: the model generates complete case facts whose
marginals follow the scenario, and `riskroute.core.triage.triage` (the same policy files the live
system uses) decides who is diverted under `current-practice` (the baseline) and under the policy
being tested, and which pre-arrest priority band each person gets.

Triage costs tens of microseconds, so it is not called per case per replication. Instead a pool of
cases is generated once per (scenario, seed) in four strata (contact indicator recorded or not ×
access to children or not), with every other cohort share at its central value, and each person's
draws (distribution or not, image categories, record, admission, evidence, consent) are kept.
Each replication draws people stratum by stratum with its own sampled stratum shares and, within a
stratum, with importance weights: the likelihood ratio of that person's draws under the
replication's sampled shares against the central ones (`RoutedPool.weights`). So every cohort share
is drawn per replication and its uncertainty reaches the results, without re-triaging anyone.

What the investigator sees before arrest is not what the decision core sees after it. For each
person the pool also holds the band the prioritisation tree gives on the facts known when the
referral is graded: an access to children or a contact indicator (other than a prior contact
sanction, which is on the PNC) may not have been found yet, and is then recorded as not found
(`band_at_referral[i, access_seen, contact_seen]`). After arrest the full facts are known: the
case is re-banded and routed on them.

Facts are complete (every leaf known), so `needs_information` should not occur; if a policy still
returns it, the case is routed to prosecution, as an investigator would keep it on the criminal
route until the facts were gathered, and the share is reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskroute.core.facts import CaseFacts
from riskroute.core.instruments import get_instrument
from riskroute.core.results import TriageResult
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
    band: np.ndarray  # on the full facts (after arrest)
    band_at_referral: np.ndarray  # (n, 2, 2): [person, access seen, contact indicator seen]
    attributes: np.ndarray  # (n, len(ATTRIBUTES)) kept draws, -1 = not drawn
    central: dict[str, float]  # the cohort shares the pool was drawn with
    target_days: tuple[float, ...]  # days to enforcement action, by band (the prioritisation tree's)
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

    def weights(self, params: dict[str, float]) -> np.ndarray:
        """Importance weight of each pool person under a replication's cohort shares.

        The likelihood ratio of the person's kept draws under `params` against the central shares
        the pool was drawn with; exactly 1 for everyone when the shares are central. A share whose
        central value is 0 or 1 cannot be reweighted and is left as drawn.
        """
        w = np.ones(self.stratum.size)
        for attribute, share in SHARE_OF.items():
            column = self.attributes[:, ATTRIBUTES.index(attribute)]
            w *= _ratio(column, params[share], self.central[share])
        category = self.attributes[:, ATTRIBUTES.index("category")]
        a, b = (params[name] for name in _CATEGORY_SHARES)
        a0, b0 = (self.central[name] for name in _CATEGORY_SHARES)
        by_category = np.array(
            [_safe_ratio(a, a0), _safe_ratio(b, b0), _safe_ratio(max(0.0, 1 - a - b), 1 - a0 - b0)]
        )
        weights: np.ndarray = w * by_category[category]
        return weights


def _safe_ratio(new: float, old: float) -> float:
    return new / old if old > 0 else 1.0


def _ratio(drawn: np.ndarray, new: float, old: float) -> np.ndarray:
    """Likelihood ratio of one Bernoulli draw per person (-1 = not drawn: ratio 1)."""
    if not 0 < old < 1:
        return np.ones(drawn.size)
    return np.where(drawn == 1, new / old, np.where(drawn == 0, (1 - new) / (1 - old), 1.0))


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


#: The per-person draws kept for reweighting, in this order; -1 = not drawn for this person.
ATTRIBUTES: tuple[str, ...] = (
    "distribution",
    "production",
    "category",  # 0: any A, 1: B but no A, 2: C only
    "prior_sexual",
    "history_draw",
    "admits",
    "sufficient_evidence",
    "consents",
)
_CATEGORY_SHARES = ("cohort.category_a_share", "cohort.category_b_share")
#: The cohort share each binary kept draw was made with (the category is three-way, weighted apart).
SHARE_OF: dict[str, str] = {
    "distribution": "cohort.distribution_share",
    "production": "cohort.production_share",
    "prior_sexual": "cohort.prior_sexual_sanction_share",
    "history_draw": "cohort.prior_criminal_history_share",
    "admits": "cohort.admits_offence_share",
    "sufficient_evidence": "cohort.sufficient_evidence_share",
    "consents": "cohort.consents_to_caution_share",
}


def synthetic_facts(
    rng: np.random.Generator, contact_found: bool, access: bool, cohort: dict[str, float]
) -> CaseFacts:
    """One complete, synthetic case-facts document (counts and facts only, no person named)."""
    return CaseFacts.model_validate(_synthetic_case(rng, contact_found, access, cohort)[0])


def _synthetic_case(
    rng: np.random.Generator, contact_found: bool, access: bool, cohort: dict[str, float]
) -> tuple[dict[str, Any], list[int]]:
    """The facts document and the person's kept draws (`ATTRIBUTES`). The order of random draws
    is fixed: a pool built from the same seed is the same pool."""
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
    history_draw = -1
    if not (prior_sexual or prior_contact):
        history_draw = int(rng.random() < cohort["cohort.prior_criminal_history_share"])
    history = history_draw != 0
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
    }
    # Drawn last, as they always were: the same seed must keep giving the same pool.
    evidence = bool(rng.random() < cohort["cohort.sufficient_evidence_share"])
    consents = int(rng.random() < cohort["cohort.consents_to_caution_share"]) if admits else -1
    document["process"] = {
        "admits_offence": admits,
        "sufficient_evidence_to_charge": evidence,
        "consents_to_caution": consents == 1,
        "safeguarding_checks_complete": True,
    }
    kept = [
        int("distribution" in activities),
        int("production" in activities),
        0 if has_a else (1 if has_b else 2),
        int(prior_sexual),
        history_draw,
        int(admits),
        int(evidence),
        consents,
    ]
    return document, kept


def _as_graded_at_referral(document: dict[str, Any], access_seen: bool, contact_seen: bool) -> dict[str, Any]:
    """The facts as the referral is graded: what was not yet found is recorded as not found."""
    seen = copy.deepcopy(document)
    if not access_seen:
        seen["access_to_children"] = {"checked": True, **{k: False for k in ACCESS_KIND_ODDS}}
    if not contact_seen:
        seen["history"]["contact_offence_allegations"] = False
        seen["behaviour"]["sexual_communication_with_child"] = False
        seen["behaviour"]["grooming_or_incitement"] = False
    return seen


def _route(result: TriageResult) -> tuple[int, bool]:
    needs_information = result["recommendation"] == "needs_information"
    return (DIVERT if result["recommendation"] == "divert" else PROSECUTE), needs_information


def _target_days() -> tuple[float, ...]:
    """Days to enforcement action by band, from the prioritisation tree's own definition."""
    spec = get_instrument("priority").spec.target_days
    if spec is None:
        raise ValueError("the prioritisation tree gives no target days")
    return tuple(float(spec.values[band]) for band in BANDS)


def _band(document: dict[str, Any]) -> int:
    result = triage(CaseFacts.model_validate(document), BASELINE_POLICY)
    return BANDS.index(result["priority"]["band"])


def build_pool(
    central: dict[str, float], policy_id: str, seed: np.random.SeedSequence, per_stratum: int = 1000
) -> RoutedPool:
    """Generate `per_stratum` arrestees in each stratum and triage each under both policies.

    Each person is also graded as the referral would be when an access or a contact indicator has
    not been found yet (only the combinations that change the facts are triaged again).
    """
    rng = np.random.default_rng(seed)
    strata, bands, base, pol, base_ni, pol_ni = [], [], [], [], [], []
    at_referral, kept_draws = [], []
    base_identity: dict[str, str] = {}
    policy_identity: dict[str, str] = {}
    blockers: dict[str, int] = {}
    for stratum in range(4):
        contact_found, access = bool(stratum // 2), bool(stratum % 2)
        for _ in range(per_stratum):
            document, kept = _synthetic_case(rng, contact_found, access, central)
            facts = CaseFacts.model_validate(document)
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
            full = BANDS.index(base_result["priority"]["band"])
            bands.append(full)
            graded = np.full((2, 2), full, dtype=np.int8)
            for access_seen in (False, True):
                for contact_seen in (False, True):
                    hidden = (access and not access_seen) or (contact_found and not contact_seen)
                    if hidden:
                        graded[int(access_seen), int(contact_seen)] = _band(
                            _as_graded_at_referral(document, access_seen or not access, contact_seen)
                        )
            at_referral.append(graded)
            kept_draws.append(kept)
            base_identity = dict(base_result["policy"])
            policy_identity = dict(policy_result["policy"])
    return RoutedPool(
        stratum=np.array(strata, dtype=np.int8),
        band=np.array(bands, dtype=np.int8),
        band_at_referral=np.array(at_referral, dtype=np.int8),
        attributes=np.array(kept_draws, dtype=np.int8),
        central={name: central[name] for name in (*SHARE_OF.values(), *_CATEGORY_SHARES)},
        target_days=_target_days(),
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
