"""Policies and triage: the bundled examples under every policy, the outcome rules, flags and hashes.

Expectations are derived by hand from each policy's rules (the policy files' documented rules
and their citations) and each example's description, and asserted case by case.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml

from riskroute.core.facts import FACT_PATHS
from riskroute.core.knowledge import CORE_DIR
from riskroute.core.triage import triage
from riskroute.examples import example_paths, load_example
from tests.contract import INSTRUMENT_FIELDS, TRIAGE_FIELDS
from tests.factories import divertible
from tests.strategies import POLICIES, facts, with_value

POLICY_DIR = CORE_DIR / "policy" / "policies"
SAFETY = yaml.safe_load((POLICY_DIR / "_safety.yaml").read_bytes())
CASE_FACT_PATHS = {path for path, _ in FACT_PATHS}

# (example, policy) -> (recommendation, rules that must block, facts that must be reported missing)
EXPECTED: dict[tuple[str, str], tuple[str, set[str], set[str]]] = {
    # 01: adult, admits, consents, possession of B/C only, no access, CPORT 0, priority low.
    ("01", "npcc-2017"): ("divert", set(), set()),
    ("01", "justice-2019"): ("divert", set(), set()),
    ("01", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 02: works with children: the safety exclusion blocks under every policy (priority high too).
    ("02", "npcc-2017"): ("prosecute", {"no_access_occupation", "priority_low_or_medium"}, set()),
    ("02", "justice-2019"): ("prosecute", {"no_access_occupation"}, set()),
    ("02", "current-practice"): ("prosecute", {"no_access_occupation"}, set()),
    # 03: distribution: safety exclusion, npcc's possession-only rule, JUSTICE's exclusion.
    # Offering in a peer-to-peer folder is distribution in law: its own exclusion fires too.
    ("03", "npcc-2017"): (
        "prosecute",
        {"no_distribution_or_advertising", "no_peer_to_peer_sharing", "possession_or_making_only"},
        set(),
    ),
    ("03", "justice-2019"): (
        "prosecute",
        {"no_distribution_or_advertising", "no_production_or_distribution_accused"},
        set(),
    ),
    ("03", "current-practice"): ("prosecute", {"no_distribution_or_advertising"}, set()),
    # 04: sexual communication with a child: safety exclusion; priority very high.
    ("04", "npcc-2017"): (
        "prosecute",
        {"no_sexual_communication_with_child", "priority_low_or_medium"},
        set(),
    ),
    ("04", "justice-2019"): ("prosecute", {"no_sexual_communication_with_child"}, set()),
    ("04", "current-practice"): ("prosecute", {"no_sexual_communication_with_child"}, set()),
    # 05: access not checked: needs information (never divert on unknowns); current practice
    # still prosecutes because its own rule blocks on nothing unknown.
    ("05", "npcc-2017"): (
        "needs_information",
        set(),
        {"access_to_children.checked", "access_to_children.household"},
    ),
    ("05", "justice-2019"): (
        "needs_information",
        set(),
        {"access_to_children.checked", "access_to_children.household"},
    ),
    ("05", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 06: Category A: not low-level under npcc's default; JUSTICE has no image-grade rule.
    ("06", "npcc-2017"): ("prosecute", {"low_level_images"}, set()),
    ("06", "justice-2019"): ("divert", set(), set()),
    ("06", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 07: denies: no conditional caution; consent unknown is reported but does not matter.
    ("07", "npcc-2017"): ("prosecute", {"admits_offence"}, set()),
    ("07", "justice-2019"): ("prosecute", {"admits_offence"}, set()),
    ("07", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 08: CPORT 5 (age 24, prior history, failure on bail, admitted interest, boy content) >= 4.
    # JUSTICE has no CPORT cut-off; prior history with violent sanctions unknown -> needs information.
    ("08", "npcc-2017"): ("prosecute", {"cport_below_threshold"}, set()),
    ("08", "justice-2019"): ("needs_information", set(), {"history.prior_violent_sanctions"}),
    ("08", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 09: 17-year-old: conditional cautions are for adults only.
    ("09", "npcc-2017"): ("prosecute", {"adult"}, set()),
    ("09", "justice-2019"): ("prosecute", {"adult"}, set()),
    ("09", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 10: three CPORT items unknown: not scorable, so the assessment is incomplete.
    ("10", "npcc-2017"): (
        "needs_information",
        set(),
        {
            "history.any_prior_criminal_history",
            "history.any_failure_on_conditional_release",
            "behaviour.sexual_interest_in_children",
        },
    ),
    ("10", "justice-2019"): ("needs_information", set(), {"history.any_prior_criminal_history"}),
    ("10", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 11: a woman: CPORT is outside its population, so a structured professional judgement is needed.
    ("11", "npcc-2017"): ("needs_information", set(), {"process.structured_judgement_risk"}),
    ("11", "justice-2019"): ("needs_information", set(), {"process.structured_judgement_risk"}),
    ("11", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 12: images only of 16-17-year-olds: a caution would not bring notification, which npcc needs.
    ("12", "npcc-2017"): ("prosecute", {"notifiable_on_caution"}, set()),
    ("12", "justice-2019"): ("divert", set(), set()),
    ("12", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 13: offended at 16, now 20: Sch 3 reads the age at the offence, so a caution is not notifiable.
    ("13", "npcc-2017"): ("prosecute", {"notifiable_on_caution"}, set()),
    ("13", "justice-2019"): ("divert", set(), set()),
    ("13", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
    # 14: 25,000 Category C images over 9 years: not low-level under npcc's volume parameters.
    ("14", "npcc-2017"): ("prosecute", {"low_volume_category_c", "short_collection_span"}, set()),
    ("14", "justice-2019"): ("divert", set(), set()),
    ("14", "current-practice"): ("prosecute", {"caution_unlikely_to_be_suitable"}, set()),
}


def example(prefix: str) -> dict[str, Any]:
    (path,) = [p for p in example_paths() if p.name.startswith(prefix)]
    return load_example(path.name)


def test_every_example_and_policy_has_an_expectation() -> None:
    prefixes = {p.name[:2] for p in example_paths()}
    assert {(e, p) for e in prefixes for p in POLICIES} == set(EXPECTED)


def test_the_examples_cover_every_recommendation() -> None:
    assert {r for r, _, _ in EXPECTED.values()} == {"divert", "prosecute", "needs_information"}


@pytest.mark.parametrize(("prefix", "policy"), sorted(EXPECTED))
def test_example_under_policy(prefix: str, policy: str) -> None:
    recommendation, blocking, missing = EXPECTED[prefix, policy]
    result = triage(facts(example(prefix)), policy)
    assert result["recommendation"] == recommendation
    assert result["eligible_for_diversion"] == {"divert": True, "prosecute": False}.get(recommendation)
    blocked = {rule["id"] for rule in result["blocking_rules"]}
    assert blocking <= blocked
    if recommendation != "prosecute":
        assert blocked == set()
    assert missing <= set(result["missing_facts"])
    assert set(result["missing_facts"]) <= CASE_FACT_PATHS


# -- outcome rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["npcc-2017", "justice-2019"])
def test_a_block_on_known_facts_wins_over_missing_facts(policy: str) -> None:
    document = with_value(example("05"), "process.admits_offence", False)
    result = triage(facts(document), policy)
    assert result["recommendation"] == "prosecute"
    assert [r["id"] for r in result["blocking_rules"]] == ["admits_offence"]
    assert "access_to_children.checked" in result["missing_facts"]


def test_a_missing_fact_names_case_fact_paths_not_derived_names() -> None:
    # Contact history unknown and one more CPORT item unknown: CPORT is not scorable, and the
    # unknown CPORT item read through two facts must be reported as those two facts.
    document = divertible()
    for path in (
        "history.prior_contact_sexual_sanctions",
        "history.contact_offence_allegations",
        "history.any_prior_criminal_history",
    ):
        document = with_value(document, path, None)
    result = triage(facts(document))
    assert result["recommendation"] == "needs_information"
    assert set(result["missing_facts"]) == {
        "history.prior_contact_sexual_sanctions",
        "history.contact_offence_allegations",
        "history.any_prior_criminal_history",
    }


@pytest.mark.parametrize(
    "path",
    [
        "process.admits_offence",
        "process.safeguarding_checks_complete",
        "offence.image_counts.A",
        "history.prior_sexual_sanctions",
        "subject.age",
        "offence.more_boys_than_girls_csem",
    ],
)
def test_one_unknown_needed_fact_gives_needs_information_naming_it(path: str) -> None:
    result = triage(facts(with_value(divertible(), path, None)))
    if path == "offence.more_boys_than_girls_csem":
        # CPORT tolerates one unknown item, and 0..1 is below the cut-off either way: still divert.
        assert result["recommendation"] == "divert"
        assert result["scores"]["cport"]["missing"] == [path]
        return
    assert result["recommendation"] == "needs_information"
    assert result["eligible_for_diversion"] is None
    assert path in result["missing_facts"]
    assert all(not m.startswith(("scores.", "priority.")) for m in result["missing_facts"])


def test_a_straddling_cport_total_names_the_unknown_item() -> None:
    # CPORT 3 known + one unknown item: the total is 3 or 4, across the cut-off of 4.
    document = example("08")
    for path, value in (
        ("offence.more_boys_than_girls_csem", False),
        ("behaviour.sexual_interest_in_children", None),
    ):
        document = with_value(document, path, value)
    result = triage(facts(document))
    assert result["scores"]["cport"]["total"] == 3  # age, prior history, failure on bail
    assert result["recommendation"] == "needs_information"
    assert "behaviour.sexual_interest_in_children" in result["missing_facts"]


@pytest.mark.parametrize("prefix", sorted({p.name[:2] for p in example_paths()}))
def test_current_practice_never_diverts(prefix: str) -> None:
    result = triage(facts(example(prefix)), "current-practice")
    assert result["recommendation"] == "prosecute"


# -- flags, identity, output shape --------------------------------------------------------------


def policy_file(policy: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((POLICY_DIR / f"{policy}.yaml").read_bytes())
    return data


def unverified_expected(result: dict[str, Any], policy: str) -> set[str]:
    """Every rule the recommendation relies on (the blocking ones, else all) whose mark is not
    verified or derived, and every unverified parameter such a rule uses, read from the files."""
    data = policy_file(policy)
    rules = {r["id"]: r for r in SAFETY["rules"] + data["rules"]}
    blocked = [r["id"] for r in result["blocking_rules"]]
    relied = blocked or list(rules)
    expected = {rid for rid in relied if rules[rid]["mark"] not in ("verified", "derived")}
    for rid in relied:
        text = repr(rules[rid]["requires"])
        for name, parameter in (data.get("parameters") or {}).items():
            if f"${name}" in text and parameter["mark"] not in ("verified", "derived"):
                expected.add(f"parameter:{name}")
    return expected


@pytest.mark.parametrize(("prefix", "policy"), sorted(EXPECTED))
def test_unverified_rules_and_parameters_relied_on_are_flagged(prefix: str, policy: str) -> None:
    result = triage(facts(example(prefix)), policy)
    assert {f["id"] for f in result["unverified_rules"]} == unverified_expected(result, policy)
    for flag in result["unverified_rules"]:
        assert flag["mark"] not in ("verified", "derived") and flag["citation"]


@pytest.mark.parametrize("policy", POLICIES)
def test_result_identifies_the_policy_file_by_its_bytes(policy: str) -> None:
    raw = (POLICY_DIR / f"{policy}.yaml").read_bytes()
    result = triage(facts(divertible()), policy)
    identity = result["policy"]
    assert identity["id"] == policy
    assert identity["version"] == yaml.safe_load(raw)["version"]
    assert identity["sha256"] == hashlib.sha256(raw).hexdigest()


def test_instrument_results_carry_their_definition_hash() -> None:
    result = triage(facts(divertible()))
    definitions = CORE_DIR / "instruments" / "definitions"
    for name in ("cport", "casic"):
        raw = (definitions / f"{name}.yaml").read_bytes()
        assert result["scores"][name]["definition_sha256"] == hashlib.sha256(raw).hexdigest()
        assert result["scores"][name]["version"] == yaml.safe_load(raw)["version"]
    raw = (definitions / "priority.yaml").read_bytes()
    assert result["priority"]["definition_sha256"] == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(("prefix", "policy"), sorted(EXPECTED))
def test_output_has_every_field_of_the_contract(prefix: str, policy: str) -> None:
    result = triage(facts(example(prefix)), policy)
    assert set(result) >= TRIAGE_FIELDS
    assert set(result["priority"]) >= {"band", "target_days"}
    assert set(result["scores"]) >= {"cport", "casic"}
    assert set(result["policy"]) >= {"id", "version", "sha256"}
    for rule in result["blocking_rules"]:
        assert set(rule) >= {"id", "reason", "citation"} and rule["citation"]
    for entry in result["trace"]:
        assert set(entry) >= {"rule", "result", "facts"}
        assert entry["result"] in (True, False, None)
    traced = [e["rule"] for e in result["trace"]]
    assert traced[: len(SAFETY["rules"])] == [r["id"] for r in SAFETY["rules"]]
    assert traced[len(SAFETY["rules"]) :] == [r["id"] for r in policy_file(policy)["rules"]]
    for name in ("cport", "casic"):
        score = result["scores"][name]
        assert set(score) >= INSTRUMENT_FIELDS
        assert score["band"] is None  # neither instrument has published bands
        for item in score["items"]:
            assert set(item) >= {"id", "value", "points", "source"}
