"""The edges where a wrong `divert` could slip through: keys given twice, facts that contradict
each other, the register, instruments outside their population, volume, peer-to-peer sharing,
the youth route and the explanation of a result.

Each property is asserted over generated documents (hypothesis) as well as the named cases.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from riskroute.core.errors import InvalidInput, from_validation_error
from riskroute.core.facts import CONSISTENCY_RULES, CaseFacts
from riskroute.core.facts_json import flat_from_json
from riskroute.core.triage import triage, triage_json
from tests.factories import divertible
from tests.strategies import POLICIES, any_document, consistent, facts, get, with_value

SETTINGS = settings(max_examples=150, deadline=None)


def refused(raw: bytes) -> list[dict[str, str]]:
    """The error details both readers give for `raw` (the batch reader and the model path agree)."""
    details = []
    for read in (flat_from_json, _model_path):
        try:
            read(raw)
        except InvalidInput as exc:
            details.append(exc.details)
        except ValidationError as exc:
            details.append(from_validation_error(exc).details)
        else:
            pytest.fail(f"{read.__name__} accepted {raw!r}")
    assert details[0] == details[1]
    return details[0]


def _model_path(raw: bytes) -> CaseFacts:
    from riskroute.cli.io import parse_model

    return parse_model(CaseFacts, raw)


# --- A1: a key given twice ------------------------------------------------------------------------


@st.composite
def duplicated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid document as JSON text with one of its keys given a second time, and that key's path."""
    document = draw(any_document())
    document.setdefault("process", {})["admits_offence"] = True  # at least one key to repeat
    section = draw(
        st.sampled_from(sorted(s for s, body in document.items() if isinstance(body, dict) and body))
    )
    key = draw(st.sampled_from(sorted(document[section])))
    again = json.dumps(draw(st.sampled_from([True, False, None, 0])))
    body = json.dumps(document[section])[:-1] + f', "{key}": {again}}}'
    rest = {k: v for k, v in document.items() if k != section}
    text = json.dumps(rest)[:-1] + (", " if rest else "") + f'"{section}": {body}}}'
    return text.encode(), f"{section}.{key}"


@SETTINGS
@given(duplicated())
def test_a_key_given_twice_never_reaches_triage(case: tuple[bytes, str]) -> None:
    raw, path = case
    assert {"path": path, "message": "key given more than once"} in refused(raw)


def test_the_household_key_given_true_then_false_is_refused_with_its_path() -> None:
    text = json.dumps(divertible())
    raw = text.replace('"household": false', '"household": true, "household": false').encode()
    assert refused(raw) == [{"path": "access_to_children.household", "message": "key given more than once"}]


# --- A2: facts that contradict each other ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        (
            {"history.any_prior_criminal_history": False, "history.prior_image_sanctions": 2},
            "history.any_prior_criminal_history",
        ),
        (
            {"history.any_prior_criminal_history": False, "history.any_failure_on_conditional_release": True},
            "history.any_prior_criminal_history",
        ),
        (
            {
                "history.prior_sexual_sanctions": 1,
                "history.prior_contact_sexual_sanctions": 2,
                "history.any_prior_criminal_history": True,
            },
            "history.prior_contact_sexual_sanctions",
        ),
        ({"subject.age": 30, "subject.age_at_offence": 31}, "subject.age_at_offence"),
        (
            {"subject.age": 19, "subject.age_at_offence": 19, "offence.collection_span_years": 20.0},
            "offence.collection_span_years",
        ),
        ({"access_to_children.checked": False}, "access_to_children.household"),
    ],
)
def test_contradictions_are_refused_naming_the_fact(changes: dict[str, Any], path: str) -> None:
    document = divertible()
    for leaf, value in changes.items():
        document = with_value(document, leaf, value)
    details = refused(orjson.dumps(document))
    assert path in [d["path"] for d in details]


def test_every_consistency_rule_is_exercised_above() -> None:
    # The table above names each rule's fact at least once (the access rule by its first kind).
    named = {rule.path for rule in CONSISTENCY_RULES}
    assert named - {
        f"access_to_children.{k}" for k in ("occupation", "volunteering", "family_or_friends")
    } == {
        "history.any_prior_criminal_history",
        "history.prior_contact_sexual_sanctions",
        "subject.age_at_offence",
        "offence.collection_span_years",
        "access_to_children.household",
    }


@SETTINGS
@given(any_document(), st.sampled_from(["history.prior_image_sanctions", "history.prior_violent_sanctions"]))
def test_no_inconsistent_document_reaches_triage(document: dict[str, Any], path: str) -> None:
    contradicted = with_value(with_value(document, "history.any_prior_criminal_history", False), path, 3)
    refused(orjson.dumps(contradicted))


# --- A3, A4, A6: properties of `divert` ------------------------------------------------------------


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES))
def test_divert_under_npcc_means_a_caution_is_known_to_be_notifiable(
    document: dict[str, Any], policy: str
) -> None:
    result = triage(facts(document), policy)
    if result["recommendation"] == "divert" and policy == "npcc-2017":
        assert result["notification_if_cautioned"]["notifiable"] is True


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES))
def test_never_divert_on_an_instrument_outside_its_population(document: dict[str, Any], policy: str) -> None:
    result = triage(facts(document), policy)
    outside = result["instrument_populations"]["cport"]["applicable"] is not True
    if result["recommendation"] == "divert" and outside:
        # Only a recorded structured professional judgement stands in for CPORT.
        assert get(document, "process.structured_judgement_risk") is not None
        if policy == "npcc-2017":
            assert get(document, "process.structured_judgement_risk") == "low"


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES), st.sampled_from([True, None]))
def test_peer_to_peer_sharing_or_its_absence_never_diverts(
    document: dict[str, Any], policy: str, shared: bool | None
) -> None:
    result = triage(facts(with_value(document, "offence.peer_to_peer_sharing", shared)), policy)
    assert result["recommendation"] != "divert"
    if shared:
        assert result["recommendation"] == "prosecute"


@pytest.mark.parametrize(
    ("leaf", "value"), [("offence.youngest_depicted", "16_17"), ("subject.age_at_offence", 17)]
)
def test_a_caution_that_would_not_be_notifiable_blocks_npcc_with_its_citation(leaf: str, value: Any) -> None:
    result = triage(facts(with_value(divertible(), leaf, value)))
    (rule,) = result["blocking_rules"]
    assert rule["id"] == "notifiable_on_caution" and "Sch 3" in rule["citation"]


@pytest.mark.parametrize(
    ("leaf", "value"),
    [
        ("offence.youngest_depicted", "unknown"),
        ("offence.youngest_depicted", None),
        ("subject.age_at_offence", None),
    ],
)
def test_unknown_notifiability_needs_information_naming_the_fact(leaf: str, value: Any) -> None:
    result = triage(facts(with_value(divertible(), leaf, value)))
    assert result["recommendation"] == "needs_information"
    assert result["missing_facts"] == [leaf]


@pytest.mark.parametrize(("leaf", "value"), [("subject.sex", "female"), ("subject.sex", None)])
def test_cport_outside_or_unknown_population_needs_a_structured_judgement(leaf: str, value: Any) -> None:
    document = with_value(divertible(), leaf, value)
    result = triage(facts(document))
    assert result["recommendation"] == "needs_information"
    assert "process.structured_judgement_risk" in result["missing_facts"]
    assert result["instrument_populations"]["cport"]["applicable"] is (False if value else None)
    assert "adult men" in result["instrument_populations"]["cport"]["reason"] or value is None
    # A recorded judgement of low risk stands in for CPORT (and, with the sex unknown, both agree).
    low = triage(facts(with_value(document, "process.structured_judgement_risk", "low")))
    assert low["recommendation"] == "divert"
    high = triage(facts(with_value(document, "process.structured_judgement_risk", "high")))
    assert high["recommendation"] in ("prosecute", "needs_information") and high["recommendation"] != "divert"


# --- A5: volume ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaf", "value", "rule"),
    [
        ("offence.image_counts.B", 1001, "low_volume_category_b"),
        ("offence.image_counts.C", 10001, "low_volume_category_c"),
        ("offence.collection_span_years", 5.5, "short_collection_span"),
        ("offence.csem_videos", True, "no_videos"),
    ],
)
def test_volume_and_severity_block_under_npcc_as_marked_policy_choices(
    leaf: str, value: Any, rule: str
) -> None:
    result = triage(facts(with_value(divertible(), leaf, value)))
    assert [r["id"] for r in result["blocking_rules"]] == [rule]
    assert any(u["id"] == rule and u["mark"] == "policy" for u in result["unverified_rules"])


@pytest.mark.parametrize(
    ("leaf", "value"),
    [
        ("offence.image_counts.B", 1000),
        ("offence.image_counts.C", 10000),
        ("offence.collection_span_years", 5.0),
    ],
)
def test_volume_at_the_threshold_still_diverts(leaf: str, value: Any) -> None:
    assert triage(facts(with_value(divertible(), leaf, value)))["recommendation"] == "divert"


@pytest.mark.parametrize("category", ["B", "C"])
def test_a_null_image_count_is_unknown_not_zero(category: str) -> None:
    result = triage(facts(with_value(divertible(), f"offence.image_counts.{category}", None)))
    assert result["recommendation"] == "needs_information"
    assert f"offence.image_counts.{category}" in result["missing_facts"]


# --- B6 and C1: the youth route and the explanation ------------------------------------------------


def test_a_child_gets_the_youth_route_with_its_options_and_referral() -> None:
    document = with_value(with_value(divertible(), "subject.age", 16), "subject.age_at_offence", 15)
    result = triage(facts(document))
    assert result["route"] == "youth"
    steps = [s["step"] for s in result["explanation"]["next_steps"]]
    assert "Youth caution" in steps and "Youth conditional caution" in steps
    assert any(s.startswith("Outcome 21") for s in steps) and any(s.startswith("Outcome 22") for s in steps)
    assert steps[-1] == "Referral to the youth justice service"
    assert result["recommendation"] != "divert"  # the adult policy never diverts a child


def test_a_safety_exclusion_takes_every_out_of_court_option_from_a_child() -> None:
    document = with_value(with_value(divertible(), "subject.age", 16), "subject.age_at_offence", 15)
    result = triage(facts(with_value(document, "access_to_children.household", True)))
    assert [s["step"] for s in result["explanation"]["next_steps"]] == ["Prosecution in the youth court"]


def test_a_divert_explains_every_rule_held_and_the_next_steps() -> None:
    result = triage(facts(divertible()))
    explanation = result["explanation"]
    assert len(explanation["held"]) == len(result["trace"])
    assert "The subject is 18 or over." in explanation["held"]
    steps = {s["step"]: s for s in explanation["next_steps"]}
    assert "Rehabilitation condition" in steps
    assert "sergeant" in steps["Who may authorise the caution"]["detail"]
    assert "exceptional circumstances" in steps["The route a caution for these offences needs"]["detail"]
    assert (
        "2 years beginning with the date of the caution"
        in steps["Notification (sex offenders register)"]["detail"]
    )
    assert steps["MAPPA"]["detail"].startswith("Category 1")
    assert all(s["mark"] for s in explanation["next_steps"])


def test_a_prosecute_explains_why_in_the_blocking_reasons() -> None:
    result = triage(facts(with_value(divertible(), "access_to_children.occupation", True)))
    assert "Access to children through the subject's occupation." in result["explanation"]["summary"]


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES))
def test_the_batch_writes_the_same_explanation_route_and_populations(
    document: dict[str, Any], policy: str
) -> None:
    batch = orjson.loads(triage_json(flat_from_json(orjson.dumps(document)), policy))
    single = triage(facts(document), policy)
    for key in ("explanation", "route", "instrument_populations"):
        assert batch[key] == single[key]


def test_the_consistent_helper_only_nulls_contradicted_facts() -> None:
    document = with_value(divertible(), "history.prior_image_sanctions", 2)
    assert get(consistent(document), "history.any_prior_criminal_history") is None
    assert get(consistent(document), "history.prior_image_sanctions") == 2
