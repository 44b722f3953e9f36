"""`riskroute score INSTRUMENT [FILE|-]` per docs/cli.md: outputs, and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskroute.core.knowledge import CORE_DIR
from tests.cli.runner import assert_invalid, compact, run
from tests.contract import INSTRUMENT_FIELDS
from tests.factories import INSTRUMENT_INPUTS

DEFINITIONS = CORE_DIR / "instruments" / "definitions"
FILES = {
    "cport": "cport.yaml",
    "casic": "casic.yaml",
    "osp-dc": "osp_dc.yaml",
    "osp-iic": "osp_iic.yaml",
    "priority": "priority.yaml",
}


def changed(instrument: str, path: str, value: Any) -> str:
    document = json.loads(json.dumps(INSTRUMENT_INPUTS[instrument]))
    node = document
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return compact(document)


@pytest.mark.parametrize("instrument", FILES)
@pytest.mark.parametrize("how", ["stdin", "dash", "file"])
def test_each_instrument_scores_with_the_contract_fields(instrument: str, how: str, tmp_path: Path) -> None:
    text = compact(INSTRUMENT_INPUTS[instrument])
    if how == "file":
        source = tmp_path / "input.json"
        source.write_text(text)
        code, out, err = run(["score", instrument, str(source)])
    else:
        code, out, err = run(["score", instrument, *(["-"] if how == "dash" else [])], text)
    assert code == 0, err
    assert err == ""
    result = json.loads(out)
    assert out.count("\n") == 1
    assert set(result) >= INSTRUMENT_FIELDS
    raw = (DEFINITIONS / FILES[instrument]).read_bytes()
    assert result["instrument"] == instrument
    assert result["definition_sha256"] == hashlib.sha256(raw).hexdigest()
    assert result["version"] == yaml.safe_load(raw)["version"]
    for item in result["items"]:
        assert {"id", "value", "points", "source"} <= set(item)
    if instrument == "priority":
        assert result["target_days"] == {"low": 30, "medium": 14, "high": 7, "very_high": 1}[result["band"]]


def test_score_outputs_for_the_worked_examples() -> None:
    osp_dc = json.loads(run(["score", "osp-dc"], compact(INSTRUMENT_INPUTS["osp-dc"]))[1])
    assert (osp_dc["total"], osp_dc["band"], round(osp_dc["probability"] * 100, 2)) == (17, "low", 0.27)
    osp_iic = json.loads(run(["score", "osp-iic"], compact(INSTRUMENT_INPUTS["osp-iic"]))[1])
    assert (osp_iic["band"], round(osp_iic["probability"] * 100, 2)) == ("medium", 3.33)
    cport = json.loads(run(["score", "cport"], compact(INSTRUMENT_INPUTS["cport"]))[1])
    assert (cport["scorable"], cport["total"], cport["band"]) == (True, 2, None)
    assert cport["missing"] == ["any_failure_on_conditional_release"]
    casic = json.loads(run(["score", "casic"], compact(INSTRUMENT_INPUTS["casic"]))[1])
    assert (casic["total"], casic["missing"]) == (2, ["interest_two_years_or_more"])


def test_osp_dc_not_applicable_for_women_through_the_cli() -> None:
    code, out, _ = run(["score", "osp-dc"], changed("osp-dc", "sex", "female"))
    result = json.loads(out)
    assert code == 0
    assert (result["applicable"], result["band"], result["total"]) == (False, "not_applicable", None)


def test_cport_two_unknowns_not_scorable_through_the_cli() -> None:
    code, out, _ = run(["score", "cport"], changed("cport", "sexual_interest_in_children", None))
    result = json.loads(out)
    assert code == 0
    assert (result["scorable"], result["total"], result["band"]) == (False, None, None)


# -- bad input -----------------------------------------------------------------------------------

BAD: list[tuple[str, str, str]] = [
    # (instrument, input text, the path the error must name)
    *[(i, '{"sex": "male",', "$") for i in FILES],  # malformed JSON
    *[(i, "", "$") for i in FILES],  # empty input
    *[(i, "[1, 2]", "$") for i in FILES],  # not an object
    *[(i, changed(i, "shoe_size", 9), "shoe_size") for i in FILES],  # unknown field
    ("priority", changed("priority", "subject.shoe_size", 9), "subject.shoe_size"),
    ("priority", changed("priority", "offence.image_counts.D", 1), "offence.image_counts.D"),
    ("cport", changed("cport", "age_at_index", "42"), "age_at_index"),
    ("cport", changed("cport", "age_at_index", 42.5), "age_at_index"),
    ("cport", changed("cport", "any_prior_criminal_history", 1), "any_prior_criminal_history"),
    ("cport", changed("cport", "more_boys_than_girls_csem", "yes"), "more_boys_than_girls_csem"),
    ("casic", changed("casic", "never_married", 1), "never_married"),
    ("osp-dc", changed("osp-dc", "age_at_start_of_followup", "42"), "age_at_start_of_followup"),
    ("osp-dc", changed("osp-dc", "current_offence_stranger_victim", 1), "current_offence_stranger_victim"),
    ("osp-dc", changed("osp-dc", "total_sanctions", 1.0), "total_sanctions"),
    ("osp-dc", changed("osp-dc", "sex", "MALE"), "sex"),
    ("osp-dc", changed("osp-dc", "sex", None), "sex"),
    ("osp-dc", changed("osp-dc", "in_custody", 0), "in_custody"),
    ("osp-iic", changed("osp-iic", "indecent_image_sanctions", "1"), "indecent_image_sanctions"),
    ("osp-iic", changed("osp-iic", "sex", 1), "sex"),
    ("priority", changed("priority", "subject.age", "42"), "subject.age"),
    ("priority", changed("priority", "access_to_children.household", 1), "access_to_children.household"),
    ("priority", changed("priority", "offence.activities", ["viewing"]), "offence.activities[0]"),
    # negative counts
    ("osp-dc", changed("osp-dc", "contact_adult_sexual_sanctions", -1), "contact_adult_sexual_sanctions"),
    ("osp-dc", changed("osp-dc", "years_since_last_offence", -0.5), "years_since_last_offence"),
    ("osp-iic", changed("osp-iic", "indecent_image_sanctions", -1), "indecent_image_sanctions"),
    ("priority", changed("priority", "history.prior_image_sanctions", -1), "history.prior_image_sanctions"),
    ("priority", changed("priority", "offence.image_counts.C", -3), "offence.image_counts.C"),
    # impossible ages
    *[("cport", changed("cport", "age_at_index", age), "age_at_index") for age in (9, 121)],
    *[
        ("osp-dc", changed("osp-dc", field, age), field)
        for field in ("age_at_start_of_followup", "age_at_last_sexual_sanction")
        for age in (9, 121)
    ],
    *[("priority", changed("priority", "subject.age", age), "subject.age") for age in (9, 121)],
    # missing required fields and inconsistent totals
    ("osp-dc", compact({k: v for k, v in INSTRUMENT_INPUTS["osp-dc"].items() if k != "sex"}), "sex"),
    ("osp-dc", changed("osp-dc", "contact_child_sexual_sanctions", 2), "total_sanctions"),
    # numbers JSON cannot carry: beyond the exact integer range, NaN and Infinity
    ("osp-dc", changed("osp-dc", "total_sanctions", 2**64), "total_sanctions"),
    (
        "osp-iic",
        changed("osp-iic", "contact_adult_sexual_sanctions", 2**70),
        "contact_adult_sexual_sanctions",
    ),
    ("priority", changed("priority", "offence.image_counts.A", 2**64), "offence.image_counts.A"),
    (
        "osp-dc",
        compact(INSTRUMENT_INPUTS["osp-dc"])[:-1] + ', "years_since_last_offence": Infinity}',
        "years_since_last_offence",
    ),
    (
        "osp-dc",
        compact(INSTRUMENT_INPUTS["osp-dc"])[:-1] + ', "years_since_start_of_followup": NaN}',
        "years_since_start_of_followup",
    ),
]


@pytest.mark.parametrize(
    ("instrument", "text", "path"), BAD, ids=[f"{i}:{p}:{n}" for n, (i, _, p) in enumerate(BAD)]
)
def test_bad_input_is_exit_2_with_the_field_path(instrument: str, text: str, path: str) -> None:
    assert_invalid(*run(["score", instrument], text), path)


def test_invalid_utf8_is_exit_2() -> None:
    assert_invalid(*run(["score", "cport"], b"\xff\xfe{}"), "$")


def test_unknown_instrument_is_exit_2() -> None:
    assert_invalid(*run(["score", "static-99"], compact(INSTRUMENT_INPUTS["cport"])), "instrument")


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    details = assert_invalid(*run(["score", "cport", str(tmp_path / "absent.json")]), "$")
    assert "absent.json" in details[0]["message"]
    assert_invalid(*run(["score", "cport", str(tmp_path)]), "$")  # a directory


# -- a force's own tree via --definition --------------------------------------------------------


def force_tree(tmp_path: Path, band_for_b: str = "high") -> Path:
    data = yaml.safe_load((DEFINITIONS / "priority.yaml").read_bytes())
    data["version"] = "force-y-2026.2"
    data["rules"].append(
        {
            "id": "force_category_b",
            "label": "Category B images",
            "domain": "other_factors",
            "band": band_for_b,
            "when": {"fact": "offence.image_counts.B", "gt": 0},
            "mark": "policy",
        }
    )
    path = tmp_path / "force-tree.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_force_tree_given_with_definition_is_used(tmp_path: Path) -> None:
    path = force_tree(tmp_path)
    code, out, err = run(
        ["score", "priority", "--definition", str(path)], compact(INSTRUMENT_INPUTS["priority"])
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["version"] == "force-y-2026.2"
    assert result["definition_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (result["band"], result["target_days"]) == ("high", 7)
    bundled = json.loads(run(["score", "priority"], compact(INSTRUMENT_INPUTS["priority"]))[1])
    assert bundled["band"] == "low"


def test_a_malformed_definition_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    path = force_tree(tmp_path, band_for_b="urgent")
    details = assert_invalid(
        *run(["score", "priority", "--definition", str(path)], compact(INSTRUMENT_INPUTS["priority"])),
        "--definition",
    )
    assert str(path) in details[0]["message"]
    absent = tmp_path / "absent.yaml"
    assert_invalid(*run(["score", "priority", "--definition", str(absent)], "{}"), "--definition")


@pytest.mark.parametrize(("instrument", "wrong"), [("priority", "cport.yaml"), ("osp-iic", "osp_dc.yaml")])
def test_a_definition_of_another_kind_is_exit_2_naming_it(instrument: str, wrong: str) -> None:
    path = DEFINITIONS / wrong
    details = assert_invalid(
        *run(["score", instrument, "--definition", str(path)], compact(INSTRUMENT_INPUTS[instrument])),
        "--definition",
    )
    assert str(path) in details[0]["message"]


def test_the_older_osp_iic_rule_set_through_definition() -> None:
    document = changed("osp-iic", "indecent_image_sanctions", 0)
    path = DEFINITIONS / "osp_iic_f134c2f.yaml"
    code, out, err = run(["score", "osp-iic", "--definition", str(path)], document)
    assert code == 0, err
    result = json.loads(out)
    assert (result["version"], result["probability"]) == ("hmpps-f134c2f+riskroute.1", 0.00062)
    assert json.loads(run(["score", "osp-iic"], document)[1])["probability"] == 0
