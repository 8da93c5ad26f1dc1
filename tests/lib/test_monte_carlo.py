"""didbook.monte_carlo: designs, validation, summary statistics, joblib determinism."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import importlib

import numpy as np
import pandas as pd
import pytest

import didbook
from didbook.monte_carlo import MonteCarloResult, monte_carlo

mc_mod = importlib.import_module("didbook.monte_carlo")  # the module (didbook.monte_carlo is the function)

SMALL = dict(n_cities=40, n_provinces=10, start_year=2012, end_year=2019)
TWFE = {"method": "twfe", "treatment": "platform", "outcome": "income_gap"}
BJS = {"method": "bjs", "treatment": "platform", "outcome": "income_gap", "cluster": "province_id"}
CS = {"method": "cs", "treatment": "platform", "outcome": "income_gap", "control_group": "notyet"}
CS_X = {
    "method": "cs",
    "treatment": "platform",
    "outcome": "income_gap",
    "controls": ["log_gdp_pc"],
    "est_method": "reg",
}


def _stand_in_outcome_draws(treatment, outcome, seeds, *, design_seed, scenario="baseline", **switches):
    """Test-only stand-in for didbook.simulate.outcome_draws: fixed design, fresh noise per seed."""
    panel = didbook.simulate_city_panel(seed=design_seed, scenario=scenario, **switches)
    y = panel.data[outcome].to_numpy()
    Y = np.column_stack([y + np.random.default_rng(s).normal(0, 0.3, len(y)) for s in seeds])
    return panel, Y, np.full(len(seeds), panel.truth.att[(treatment, outcome)])


@pytest.fixture
def outcome_draws(monkeypatch):
    if not hasattr(didbook.simulate, "outcome_draws"):
        monkeypatch.setattr(didbook.simulate, "outcome_draws", _stand_in_outcome_draws, raising=False)
    return didbook.simulate.outcome_draws


@pytest.mark.slow  # several seconds: runs in make test, not in the make check loop
def test_panel_design_and_joblib_determinism():
    a = monte_carlo({"TWFE": TWFE, "BJS": BJS}, n_draws=3, seed=4, **SMALL)
    b = monte_carlo({"BJS": BJS}, n_draws=3, seed=4, n_jobs=2, **SMALL)  # local joblib backend, 2 workers
    assert isinstance(a, MonteCarloResult)
    assert (
        list(a.draws.columns[:7]) == ["draw", "estimator", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
        and "truth" in a.draws
    )
    assert len(a.draws) == 6 and a.draws["truth"].nunique() == 3  # a new panel (and truth) per draw
    pd.testing.assert_frame_equal(a.draws.query("estimator == 'BJS'").reset_index(drop=True), b.draws)
    # each draw is the library fit on simulate_city_panel(seed=seed + r)
    p = didbook.simulate_city_panel(seed=5, **SMALL)
    fit = didbook.twfe(p.data, "income_gap", "platform_treated", "city_id", "year", warn_few_clusters=False)
    row = a.draws.query("estimator == 'TWFE' and draw == 1").iloc[0]
    assert row["estimate"] == pytest.approx(fit.tidy().iloc[0]["estimate"], abs=1e-12)
    assert row["truth"] == pytest.approx(p.truth.att[("platform", "income_gap")])


def test_summary_statistics_by_hand():
    draws = pd.DataFrame(
        {
            "draw": [0, 1, 2, 3],
            "estimator": "E",
            "estimate": [1.0, 2.0, 3.0, 6.0],
            "std_error": [1.0, 1.0, 2.0, 2.0],
            "conf_low": [0.5, -1.0, 2.5, 5.0],
            "conf_high": [1.5, 5.0, 3.5, 7.0],
            "p_value": 0.5,
            "truth": 2.0,
        }
    )
    s = MonteCarloResult(draws=draws, estimators={"E": TWFE}).tidy().iloc[0]
    err = np.array([-1.0, 0.0, 1.0, 4.0])
    assert s["bias"] == pytest.approx(1.0)
    assert s["relative_bias"] == pytest.approx(0.5)
    assert s["rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
    assert s["bias_mc_se"] == pytest.approx(err.std(ddof=1) / 2)
    assert s["coverage"] == pytest.approx(0.25) and s["coverage_mc_se"] == pytest.approx(np.sqrt(0.25 * 0.75 / 4))
    assert s["rejection_rate"] == pytest.approx(0.75)
    assert s["mean_std_error"] == pytest.approx(1.5)
    assert s["se_ratio"] == pytest.approx(1.5 / np.std([1, 2, 3, 6], ddof=1))
    text = MonteCarloResult(draws=draws, estimators={"E": TWFE}).summary()
    assert isinstance(text, str) and "coverage" in text and "Monte Carlo study" in text


def test_outcomes_design_fast_path_and_fallback(outcome_draws):
    specs = {"TWFE": TWFE, "BJS": BJS, "CS": CS, "CS x": CS_X}
    res = monte_carlo(specs, n_draws=3, seed=2, design="outcomes", **SMALL)
    assert res.info["fast_path"] == ["TWFE", "BJS", "CS"]
    assert any(s.startswith("CS x (") for s in res.info["fallback"])
    # fast-path draws equal library fits on the same outcome column
    panel, Y, truth = outcome_draws("platform", "income_gap", [2, 3, 4], design_seed=2, **SMALL)
    d = panel.data.copy()
    d["income_gap"] = Y[:, 2]
    for label in ("TWFE", "BJS", "CS"):
        want = mc_mod._fit_library(d, "income_gap", res.estimators[label])
        got = res.draws.query("estimator == @label and draw == 2").iloc[0]
        assert got["estimate"] == pytest.approx(want[0], abs=1e-8)
        assert got["std_error"] == pytest.approx(want[1], abs=1e-8)
        assert got["truth"] == pytest.approx(truth[2])


def test_outcomes_design_province_cs_dynamic_and_bjs_without_leave_out(outcome_draws):
    """CS clustered by province (simple, dynamic) and BJS with/without the leave-out stay on the fast path."""
    specs = {
        "CS prov": {**CS, "cluster": "province_id"},
        "CS prov dyn": {**CS, "cluster": "province_id", "aggregation": "dynamic"},
        "BJS": BJS,
        "BJS no leave-out": {**BJS, "leave_out": False},
        "BJS dyn": {**BJS, "aggregation": "dynamic"},
    }
    res = monte_carlo(specs, n_draws=2, seed=3, design="outcomes", **SMALL)
    assert res.info["fast_path"] == list(specs) and "fallback" not in res.info
    panel, Y, _ = outcome_draws("platform", "income_gap", [3, 4], design_seed=3, **SMALL)
    d = panel.data.copy()
    d["income_gap"] = Y[:, 1]
    for label in specs:
        want = mc_mod._fit_library(d, "income_gap", res.estimators[label])
        got = res.draws.query("estimator == @label and draw == 1").iloc[0]
        np.testing.assert_allclose(got[["estimate", "std_error", "conf_low", "conf_high"]].to_numpy(float),
                                   want[:4], rtol=0, atol=1e-8)  # fmt: skip
    se = res.draws.pivot(index="draw", columns="estimator", values="std_error")
    assert (se["BJS no leave-out"] < se["BJS"]).all()


def test_assignment_design_truth_zero_and_cluster_reassignment():
    specs = {
        "TWFE": TWFE,
        "SA by province": {
            "method": "sa",
            "treatment": "platform",
            "outcome": "income_gap",
            "cluster": "province_id",
            "reassign": "cluster",
        },
    }
    res = monte_carlo(specs, n_draws=3, seed=1, design="assignment", **SMALL)
    assert (res.draws["truth"] == 0).all() and len(res.draws) == 6
    coh = mc_mod._permuted_cohorts(
        didbook.simulate_city_panel(seed=1, **SMALL).data,
        res.estimators["SA by province"],
        np.random.SeedSequence(1).spawn(2),
        "x",
    )
    data = didbook.simulate_city_panel(seed=1, **SMALL).data
    for c in coh:  # one adoption period per province, and the same multiset of province periods
        assert pd.Series(c).groupby(data["province_id"].to_numpy()).nunique().max() == 1


def test_plot_and_repr():
    draws = pd.DataFrame(
        {
            "draw": [0, 1],
            "estimator": "E",
            "estimate": [1.0, 2.0],
            "std_error": 1.0,
            "conf_low": 0.0,
            "conf_high": 3.0,
            "p_value": 0.5,
            "truth": 1.5,
        }
    )
    res = MonteCarloResult(draws=draws, estimators={"E": TWFE}, info={"design": "panel", "draws": 2})
    ax = res.plot()
    assert "income_gap" in ax.get_xlabel() and "draws" in ax.get_ylabel()
    assert "bias" in repr(res)


@pytest.mark.parametrize(
    ("specs", "kw", "match"),
    [
        ({"A": {**TWFE, "method": "ols"}}, {}, r"method='ols'; allowed: \['twfe', 'cs', 'sa', 'bjs'\]"),
        ({"A": {**TWFE, "treatment": "tax"}}, {}, "treatment='tax'; allowed"),
        ({"A": {**TWFE, "colour": 1}}, {}, r"unknown key\(s\) \['colour'\]"),
        ({"A": {"method": "twfe", "treatment": "platform"}}, {}, "missing required key 'outcome'"),
        ({"A": {**CS, "control_group": "later"}}, {}, "control_group='later'"),
        ({"A": {**TWFE, "aggregation": "group"}}, {}, "aggregation='group'"),
        ({"A": {**CS, "leave_out": False}}, {}, "leave_out is a key of method='bjs' only"),
        ({"A": {**BJS, "leave_out": "no"}}, {}, r"leave_out='no'; allowed: \[True, False\]"),
        ({"A": {**TWFE, "reassign": "cluster"}}, {}, "design='assignment' only"),
        ({"A": TWFE}, {"design": "bootstrap"}, "design='bootstrap'"),
        ({}, {}, "non-empty dict"),
    ],
)
def test_bad_specs(specs, kw, match):
    with pytest.raises(ValueError, match=match):
        monte_carlo(specs, n_draws=1, **kw)


def test_progress_is_off_outside_a_terminal(capsys):
    assert mc_mod._use_progress(None, 10_000) is False  # pytest captures stderr: not a tty
    monte_carlo({"TWFE": TWFE}, n_draws=1, seed=1, **SMALL)
    assert capsys.readouterr().err == ""
