"""didbook.two_stage (Gardner): point estimates equal BJS imputation (mpdta and a simulated panel)."""

from __future__ import annotations

import numpy as np
import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook


@pytest.fixture(scope="module")
def mpdta():
    return didbook.load_dataset("mpdta").data


def _compare(df, y, unit, time, cohort, controls=(), cluster=None):
    ts = didbook.two_stage(df, y, unit, time, cohort, controls, cluster=cluster)
    bjs = didbook.staggered(df, y, unit, time, cohort, method="bjs", controls=controls, cluster=cluster)
    assert ts.estimate == pytest.approx(bjs.estimate, abs=1e-8)
    dyn = bjs.aggregate("dynamic").tidy().dropna(subset=["event_time"]).set_index("event_time")["estimate"]
    es = ts.event_study.set_index("event_time")["estimate"]
    common = dyn.index.intersection(es.index)
    assert len(common) >= 3
    assert es.loc[common].to_numpy() == pytest.approx(dyn.loc[common].to_numpy(), abs=1e-8)
    return ts, bjs


def test_equals_imputation_on_mpdta(mpdta):
    ts, bjs = _compare(mpdta, "lemp", "countyreal", "year", "first.treat")
    assert ts.estimate == pytest.approx(-0.04771, abs=5e-6)
    # GMM standard error (0.01348) close to the BJS conservative variance (0.01347), both clustered by county
    assert ts.std_error == pytest.approx(bjs.std_error, rel=0.05)
    check_vocabulary(ts)


def test_equals_imputation_on_a_simulated_panel_with_controls_and_clusters():
    df = staggered_panel(seed=3)
    ts, _ = _compare(df, "y", "id", "t", "g", controls=["x"], cluster="prov")
    assert ts.info["n_clusters"] == df["prov"].nunique()
    assert ts.df == df["prov"].nunique() - 1
    check_vocabulary(ts)


def test_recovers_the_true_effect_and_odd_names():
    df = staggered_panel(seed=4, n=300, noise=0.3)
    e = df["t"] - df["g"]
    treated = (df["g"] > 0) & (e >= 0)
    truth = (1 + 0.5 * e + 0.2 * (df["g"] == 4))[treated].mean()
    fit = didbook.two_stage(df.rename(columns={"y": "收入 gap"}), "收入 gap", "id", "t", "g", ["x"])
    assert abs(fit.estimate - truth) < 4 * fit.std_error
    assert np.isfinite(fit.conf_low) and fit.conf_low < fit.estimate < fit.conf_high
