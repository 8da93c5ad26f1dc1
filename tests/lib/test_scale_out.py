"""The scale-out path didbook.monte_carlo documents: joblib's dask backend on a dask.distributed cluster.

A local cluster inside this process (``processes=False``: worker threads talking over dask's in-process
transport, no sockets, no dashboard) runs the same study as ``n_jobs=1``; every draw has its own seed, so the draws must be identical.
``distributed`` is pinned in the ``test`` extra (constraints.txt, environment.yml); the test skips, saying
so, where it is not installed.
"""

from __future__ import annotations

import pandas as pd
import pytest

import didbook

distributed = pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed: pip install -c constraints.txt -e '.[test]' (it is in the test extra)",
)

SMALL = dict(n_cities=40, n_provinces=10, start_year=2012, end_year=2019)
SPECS = {
    "TWFE": {"method": "twfe", "treatment": "platform", "outcome": "income_gap"},
    "BJS": {"method": "bjs", "treatment": "platform", "outcome": "income_gap"},
}


def test_monte_carlo_on_a_local_dask_cluster_gives_the_same_draws_as_one_job():
    import joblib

    serial = didbook.monte_carlo(SPECS, n_draws=4, seed=3, n_jobs=1, **SMALL)
    # processes=False: scheduler and workers talk over dask's in-process transport (inproc://), no sockets
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        with joblib.parallel_backend("dask"):
            spread = didbook.monte_carlo(SPECS, n_draws=4, seed=3, n_jobs=2, **SMALL)
        ran_on = set(client.run(lambda dask_worker: dask_worker.address))
        transitions = cluster.scheduler.transition_counter  # > 0: the draws went through the scheduler
    assert transitions > 0
    assert len(ran_on) == 2 and all(a.startswith("inproc://") for a in ran_on), ran_on
    key = ["estimator", "draw"] if "draw" in serial.draws else ["estimator"]
    a = serial.draws.sort_values(key).reset_index(drop=True)
    b = spread.draws.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
