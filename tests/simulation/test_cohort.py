"""Synthetic arrestees and their routing by the real decision core (no hand-set eligibility)."""

from __future__ import annotations

import numpy as np
import pytest

from riskroute.core.facts import flatten
from riskroute.core.triage import triage
from riskroute.simulation.cohort import (
    BANDS,
    DIVERT,
    build_pool,
    latent_contact_probability,
    stratum_probabilities,
    synthetic_facts,
)
from riskroute.simulation.montecarlo import stream


@pytest.mark.parametrize("stratum", range(4))
def test_synthetic_facts_are_complete(loaded, stratum):
    rng = np.random.default_rng(stratum)
    for _ in range(50):
        facts = synthetic_facts(rng, bool(stratum // 2), bool(stratum % 2), loaded.scenario.central())
        unknown = [path for path, value in flatten(facts).items() if value is None]
        # A structured judgement is only recorded outside CPORT's population: the pool is adult men.
        assert unknown == ["process.structured_judgement_risk"]


def test_strata_carry_their_defining_facts(loaded):
    rng = np.random.default_rng(3)
    central = loaded.scenario.central()
    for contact, access in [(False, False), (False, True), (True, False), (True, True)]:
        for _ in range(50):
            f = synthetic_facts(rng, contact, access, central)
            indicator = bool(
                f.history.contact_offence_allegations
                or f.history.prior_contact_sexual_sanctions
                or f.behaviour.sexual_communication_with_child
                or f.behaviour.grooming_or_incitement
            )
            any_access = any(
                getattr(f.access_to_children, k)
                for k in ("household", "occupation", "volunteering", "family_or_friends")
            )
            assert indicator == contact
            assert any_access == access


def test_pool_routes_match_the_decision_core(loaded, small_pool):
    """The pool's routes are exactly what triage says for regenerated identical facts."""
    rng = np.random.default_rng(stream(7, 0))
    central = loaded.scenario.central()
    for i in range(30):  # the first stratum's first cases, regenerated in the same order
        facts = synthetic_facts(rng, False, False, central)
        result = triage(facts, "npcc-2017")
        assert small_pool.policy_route[i] == (DIVERT if result["recommendation"] == "divert" else 0)
        assert BANDS[small_pool.band[i]] == triage(facts, "current-practice")["priority"]["band"]


@pytest.mark.parametrize("policy", ["npcc-2017", "justice-2019", "current-practice"])
def test_access_or_contact_indicators_always_block_diversion(loaded, policy):
    pool = build_pool(loaded.scenario.central(), policy, stream(11, 0), per_stratum=80)
    blocked = pool.stratum != 0  # contact indicator recorded and/or access to children
    assert not (pool.policy_route[blocked] == DIVERT).any()
    assert not (pool.base_route[blocked] == DIVERT).any()
    assert not pool.policy_needs_information.any()


def test_the_tested_policy_diverts_some_of_the_unblocked(small_pool):
    unblocked = small_pool.stratum == 0
    share = (small_pool.policy_route[unblocked] == DIVERT).mean()
    assert 0 < share < 1
    assert small_pool.policy_identity["id"] == "npcc-2017"
    # the rest are blocked by named rules of the policy, each a share of the unblocked stratum
    assert small_pool.policy_blockers
    assert all(0 < v <= 1 for v in small_pool.policy_blockers.values())
    assert sum(small_pool.policy_blockers.values()) >= 1 - share - 1e-9  # each is blocked at least once
    assert small_pool.baseline_identity["id"] == "current-practice"


def test_pool_is_reproducible(loaded, small_pool):
    again = build_pool(loaded.scenario.central(), "npcc-2017", stream(7, 0), per_stratum=150)
    assert np.array_equal(again.policy_route, small_pool.policy_route)
    assert np.array_equal(again.band, small_pool.band)


def test_stratum_and_latent_probabilities_reproduce_the_contact_share(loaded):
    params = loaded.scenario.central()
    probs = stratum_probabilities(params)
    assert probs.sum() == pytest.approx(1.0)
    found = probs[2] + probs[3]
    latent = found * 1.0 + (1 - found) * float(latent_contact_probability(params, np.array([False]))[0])
    assert latent == pytest.approx(params["cohort.contact_risk_share"])
    assert probs[1] + probs[3] == pytest.approx(params["cohort.access_to_children_share"])
