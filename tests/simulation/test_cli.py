"""`riskroute simulate` through the real CLI app: the JSON contract and exit 2 with field paths."""

from __future__ import annotations

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from riskroute.cli import app
from riskroute.simulation.metrics import CONTRACT_METRICS

runner = CliRunner()


def run(*args: str):
    if "--workers" not in args:  # one process unless a test is about workers: forkserver start-up is slow
        args = (*args, "--workers", "1")
    return runner.invoke(app, ["simulate", *args])


def test_json_output_follows_the_contract_and_is_reproducible():
    args = ("england-wales-2017", "--replications", "2", "--years", "0.5", "--seed", "12", "--json")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    document = orjson.loads(first.stdout)
    assert document["scenario"] == "england-wales-2017"
    assert (document["policy"], document["seed"], document["replications"], document["years"]) == (
        "npcc-2017",
        12,
        2,
        0.5,
    )
    for table in ("baseline", "policy_run", "difference"):
        assert set(CONTRACT_METRICS) <= set(document[table])
    assert first.stdout == second.stdout


def test_human_output_is_a_table():
    result = run("england-wales-2017", "--replications", "1", "--years", "0.25", "--policy", "justice-2019")
    assert result.exit_code == 0, result.output
    assert "cost_gbp_total" in result.stdout and "justice-2019" in result.stdout


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("--replications", "many"), "--replications"),
        (("--replications", "0"), "--replications"),
        (("--years", "-1"), "--years"),
        (("--seed", "1.5"), "--seed"),
        (("--policy", "lenient"), "--policy"),
        (("--workers", "0"), "--workers"),
    ],
)
def test_bad_options_exit_2_with_the_option_named(args, path):
    result = run("england-wales-2017", *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    error = orjson.loads(result.stderr)
    assert error["error"] == "invalid_input"
    assert path in [d["path"] for d in error["details"]]


def test_missing_scenario_is_invalid_input():
    result = runner.invoke(app, ["simulate", "--json"])
    assert result.exit_code == 2
    assert orjson.loads(result.stderr)["details"][0]["path"] == "scenario"


def test_bad_scenario_yaml_names_the_field(tmp_path, scenario_data):
    data = yaml.safe_load(yaml.safe_dump(scenario_data))
    data["parameters"]["forensics"]["devices_per_case"]["low"] = -1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = run(str(bad), "--json")
    assert result.exit_code == 2
    assert orjson.loads(result.stderr)["details"][0]["path"] == "parameters.forensics.devices_per_case"
    broken = tmp_path / "broken.yaml"
    broken.write_text("parameters: [")
    result = run(str(broken), "--json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_a_scenario_file_runs(tmp_path, scenario_data):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(scenario_data))
    result = run(str(path), "--replications", "1", "--years", "0.25", "--json")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["scenario_origin"] == str(path)
