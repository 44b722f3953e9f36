"""Per-replication results as a table for pandas (CSV or Parquet), beside the summary.

One row per replication: its index, how many parameter draws the history match took, every
parameter as drawn (after overrides), and every metric of the baseline, the policy run and their
difference, as `baseline.<metric>`, `policy.<metric>`, `difference.<metric>`. A reader can
recompute any summary, or look at the joint spread of inputs and outputs, from this file alone.

The file's suffix chooses the format: `.csv` (text, every float written with 17 significant
digits so it reads back exactly) or `.parquet` (typed columns via pyarrow: smaller, faster to load,
no parsing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskroute.core.errors import InvalidInput
from riskroute.simulation.montecarlo import SimulationResult


def replication_frame(result: SimulationResult) -> pd.DataFrame:
    rows = []
    for rep in result.replications:
        row: dict[str, float | int | str] = {
            "replication": rep.index,
            "policy_id": result.policy_id,
            "seed": result.seed,
            "history_match_draws": rep.attempts,
        }
        row.update({f"param.{k}": v for k, v in rep.params.items()})
        row.update({f"baseline.{k}": v for k, v in rep.baseline.items()})
        row.update({f"policy.{k}": v for k, v in rep.policy.items()})
        row.update({f"difference.{k}": rep.policy[k] - rep.baseline[k] for k in rep.baseline})
        rows.append(row)
    return pd.DataFrame(rows)


#: Writers by file suffix.
FORMATS = (".csv", ".parquet")


def write_replications(result: SimulationResult, path: Path) -> Path:
    """Write the per-replication table as CSV or Parquet, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            [
                {
                    "path": "--export",
                    "message": "the per-replication export is CSV or Parquet: name a .csv or .parquet file",
                }
            ]
        )
    frame = replication_frame(result)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            frame.to_csv(path, index=False, float_format="%.17g")
        else:
            frame.to_parquet(path, engine="pyarrow", index=False)
    except OSError as exc:
        raise InvalidInput([{"path": "--export", "message": f"cannot write {path}: {exc.strerror}"}]) from exc
    return path
