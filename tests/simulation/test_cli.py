"""`riskroute simulate` through the real CLI app: the JSON contract and exit 2 with field paths."""

from __future__ import annotations

import orjson
import pandas as pd
import pyarrow.parquet as pq
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


def test_set_overrides_a_parameter_and_a_bad_one_is_exit_2_naming_it():
    base = ("england-wales-2017", "--replications", "1", "--years", "0.25", "--seed", "3", "--json")
    result = run(*base, "--set", "enforcement.investigators=500", "--set", "diversion.programme_places=300")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["overrides"] == {
        "enforcement.investigators": 500.0,
        "diversion.programme_places": 300.0,
    }
    for bad, path in [
        ("enforcement.investigatorz=5", "enforcement.investigatorz"),
        ("cohort.contact_risk_share=2", "cohort.contact_risk_share"),
        ("forensics.examiners=many", "forensics.examiners"),
    ]:
        result = run(*base, "--set", bad)
        assert result.exit_code == 2 and result.stdout == ""
        assert orjson.loads(result.stderr)["details"][0]["path"] == path


def test_sweep_follows_the_contract():
    result = runner.invoke(
        app,
        [
            "sweep",
            "england-wales-2017",
            "--param",
            "diversion.programme_places",
            "--values",
            "60,600",
            "--replications",
            "1",
            "--years",
            "0.25",
            "--workers",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = orjson.loads(result.stdout)
    assert {"scenario", "policy", "param", "values", "points"} <= set(document)
    assert document["values"] == [60.0, 600.0]
    for point in document["points"]:
        assert set(CONTRACT_METRICS) <= set(point["difference"])
        assert all(set(row) == {"mean", "p05", "p95", "mcse"} for row in point["difference"].values())
    bad = runner.invoke(app, ["sweep", "england-wales-2017", "--param", "no.such", "--values", "1", "--json"])
    assert bad.exit_code == 2 and orjson.loads(bad.stderr)["details"][0]["path"] == "no.such"
    bad = runner.invoke(
        app, ["sweep", "england-wales-2017", "--param", "charging.lawyers", "--values", "1,x"]
    )
    assert bad.exit_code == 2 and orjson.loads(bad.stderr)["details"][0]["path"] == "--values"


def test_calibrate_and_export(tmp_path):
    out = tmp_path / "runs.csv"
    result = run(
        "england-wales-2017",
        "--replications",
        "2",
        "--years",
        "0.5",
        "--calibrate",
        "--export",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = orjson.loads(result.stdout)
    assert {row["target"] for row in document["calibration"]} >= {"arrests a month", "forensic wait"}
    assert out.read_text().count("\n") == 3  # header + one row per replication
    bad = run(
        "england-wales-2017", "--replications", "1", "--years", "0.25", "--export", str(tmp_path / "x.xlsx")
    )
    assert bad.exit_code == 2 and orjson.loads(bad.stderr)["details"][0]["path"] == "--export"


def test_parquet_export_holds_the_same_rows_as_the_csv(tmp_path):
    """`--export` chooses the format by suffix; both files of one seed read back as the same table,
    the Parquet one with its column types intact."""
    args = ("england-wales-2017", "--replications", "3", "--years", "0.5", "--seed", "5", "--json")
    for name in ("runs.csv", "runs.PARQUET"):
        result = run(*args, "--export", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert orjson.loads(result.stdout)["export"] == str(tmp_path / name)
    from_csv = pd.read_csv(tmp_path / "runs.csv")
    from_parquet = pd.read_parquet(tmp_path / "runs.PARQUET")
    assert len(from_parquet) == 3 and list(from_parquet["replication"]) == [0, 1, 2]
    assert list(from_parquet.columns) == list(from_csv.columns)
    pd.testing.assert_frame_equal(from_parquet, from_csv, check_dtype=False, check_exact=True)
    table = pq.read_table(tmp_path / "runs.PARQUET")
    assert table.num_rows == 3
    assert str(table.schema.field("baseline.arrests_per_month").type) == "double"
    assert table.column("policy_id").to_pylist() == ["npcc-2017"] * 3
