"""Replications on a Dask distributed cluster (a simulation's and a sweep's) give exactly the
single-process result."""

from __future__ import annotations

import orjson
import pytest

from riskroute.core.errors import InvalidInput
from riskroute.simulation.montecarlo import simulate
from riskroute.simulation.sweep import sweep

distributed = pytest.importorskip("dask.distributed", reason="Dask is the optional 'dask' extra")

SWEEP = {"replications": 2, "seed": 6, "years": 0.5, "pool_per_stratum": 40}


def test_local_cluster_matches_serial(quick):
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = simulate(
            quick,
            "npcc-2017",
            replications=3,
            seed=6,
            years=1,
            dask_address=cluster.scheduler_address,
            pool_per_stratum=60,
        )
        sweep_on_dask = sweep(
            quick,
            "npcc-2017",
            "enforcement.investigators",
            [250.0, 400.0],
            **SWEEP,
            dask_address=cluster.scheduler_address,
        )
    serial = simulate(quick, "npcc-2017", replications=3, seed=6, years=1, pool_per_stratum=60)
    assert orjson.dumps(on_dask.document()) == orjson.dumps(serial.document())
    serial_sweep = sweep(quick, "npcc-2017", "enforcement.investigators", [250.0, 400.0], **SWEEP)
    assert orjson.dumps(sweep_on_dask) == orjson.dumps(serial_sweep)


def test_unreachable_scheduler_is_invalid_input(loaded, monkeypatch):
    monkeypatch.setattr("riskroute.simulation.montecarlo.DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(InvalidInput) as info:
        simulate(
            loaded,
            "npcc-2017",
            replications=1,
            seed=1,
            years=0.25,
            dask_address="tcp://127.0.0.1:9",
            pool_per_stratum=20,
        )
    assert info.value.details[0]["path"] == "--dask"
