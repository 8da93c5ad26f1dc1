"""event_study: agreement with pyfixest i(), binning, pre-trend Wald test, known truth."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import didbook


@pytest.fixture(scope="module")
def castle():
    df = didbook.load_dataset("castle").data.copy()
    first = df[df["post"] > 0].groupby("sid")["year"].min()
    df["cohort"] = df["sid"].map(first).fillna(0)
    return df


def pyfixest_event_study(df, leads, lags, clip=True):
    d = df.copy()
    rel = d["year"] - d["cohort"]
    rel = rel.clip(-leads, lags) if clip else rel.where(rel.between(-leads, lags), -1)
    d["rel"] = np.where(d["cohort"] > 0, rel, -1).astype(int)
    return pf.feols("l_homicide ~ i(rel, ref=-1) | sid + year", d, vcov={"CRV1": "sid"})


@pytest.mark.parametrize("binned", [True, False])
def test_matches_pyfixest_and_wald(castle, binned):
    es = didbook.event_study(castle, "l_homicide", "sid", "year", "cohort", leads=4, lags=3, bin=binned)
    ref = pyfixest_event_study(castle, 4, 3, clip=binned)
    assert es.event_times == [-4, -3, -2, 0, 1, 2, 3]
    np.testing.assert_allclose(es.estimates, ref.coef().to_numpy(), atol=1e-8)
    np.testing.assert_allclose(es.vcov, ref._vcov, atol=1e-10)
    # joint Wald test of the three leads vs pyfixest's chi2 version
    R = np.zeros((3, 7))
    R[[0, 1, 2], [0, 1, 2]] = 1
    w = ref.wald_test(R=R, distribution="chi2")
    assert es.pretrend_test.chi2 == pytest.approx(float(w["statistic"]), rel=1e-8)
    assert es.pretrend_test.df == (3, 49)
    assert es.pretrend_test.statistic == pytest.approx(es.pretrend_test.chi2 / 3)
    assert es.pretrend_test.p_value == pytest.approx(stats.f.sf(es.pretrend_test.statistic, 3, 49))


def test_interface_for_downstream(castle):
    es = didbook.event_study(castle, "l_homicide", "sid", "year", "cohort", leads=3, lags=2, reference=-1)
    assert isinstance(es.event_times, list) and all(isinstance(k, int) for k in es.event_times)
    assert isinstance(es.estimates, np.ndarray) and isinstance(es.vcov, np.ndarray)
    assert es.vcov.shape == (len(es.event_times),) * 2 and es.reference == -1
    tb = es.tidy()
    assert tb["event_time"].tolist() == es.event_times
    np.testing.assert_allclose(tb["std_error"], np.sqrt(np.diag(es.vcov)))
    ax = es.plot(truth=pd.Series(0.0, index=range(-3, 3)))
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.get_lines()) >= 2


def test_reference_other_than_minus_one(castle):
    a = didbook.event_study(castle, "l_homicide", "sid", "year", "cohort", leads=3, lags=2, reference=-1)
    b = didbook.event_study(castle, "l_homicide", "sid", "year", "cohort", leads=3, lags=2, reference=-2)
    # changing the reference shifts every coefficient by the same constant
    ea = dict(zip(a.event_times, a.estimates))
    eb = dict(zip(b.event_times, b.estimates))
    shift = eb[-1]
    for k in [0, 1, 2, -3]:
        assert eb[k] - ea[k] == pytest.approx(shift, abs=1e-10)


def test_homogeneous_simulation_covers_truth():
    """Under constant effects, leads are 0 and lags equal the truth (pointwise intervals cover it)."""
    panel = didbook.simulate_city_panel(seed=21, scenario="homogeneous")
    es = didbook.event_study(
        panel.data,
        "income_gap",
        "city_id",
        "year",
        "platform_cohort",
        leads=4,
        lags=4,
        controls=["log_gdp_pc"],  # parallel trends hold conditional on it
        cluster="province_id",
    )
    te = panel.truth.att_event
    te = te[(te["treatment"] == "platform") & (te["outcome"] == "income_gap")].set_index("event_time")["att"]
    truth = te.reindex(es.event_times).to_numpy()
    assert np.all(truth[np.array(es.event_times) < 0] == 0)
    tb = es.tidy()
    covered = (tb["conf_low"].to_numpy() <= truth) & (truth <= tb["conf_high"].to_numpy())
    assert covered.sum() >= len(truth) - 1  # pointwise 95% intervals: at most one miss in eight
    # and the lags are clearly different from 0 (the test has power)
    lag = np.array(es.event_times) >= 0
    assert np.all(es.tidy()["conf_high"].to_numpy()[lag] < 0)
    assert es.pretrend_test.p_value > 0.01


def test_simultaneous_band():
    """sup-t band: wider than the pointwise t(G-1) intervals, critical value in the result and its info."""
    import didbook

    panel = didbook.simulate_city_panel(seed=2024)
    es = didbook.event_study(panel.data, "income_gap", "city_id", "year", "platform_cohort", leads=3, lags=3, bin=False,
                             cluster="province_id")  # fmt: skip
    tb = es.table
    assert es.band_critical_value > 2.045  # t(29) 97.5% quantile
    assert (tb["band_low"] < tb["conf_low"]).all() and (tb["band_high"] > tb["conf_high"]).all()
    assert f"{es.band_critical_value:.3f}" in es.info["inference"]
