"""The simulated world keeps its promise: Monte Carlo proof of the documented identification claims.

``didbook.simulate_city_panel`` documents, for each (treatment, outcome) pair the book uses and each
scenario, which identifying assumption holds by construction and therefore which estimators are
unbiased for ``.truth`` and which are not. Each claim is checked here over many draws of the
untreated outcomes on several fixed designs (``monte_carlo(design="outcomes")``, the batched fast
path): an estimator claimed to work has |mean bias| <= 3% of the truth and 95% coverage in
[93%, 97%] (with the stated clustering); one claimed to fail misses by far more than its Monte
Carlo standard error, in the documented direction.
"""

from __future__ import annotations

import pytest
from identification_helpers import DG, GDP, PLATFORM, _fails, _study, _summary, _works  # noqa: F401

import didbook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def platform_baseline():
    est = {
        "BJS + log GDP": {"method": "bjs", "controls": GDP, "cluster": "province_id", **PLATFORM},
        "SA + log GDP": {"method": "sa", "controls": GDP, "cluster": "province_id", **PLATFORM},
        "TWFE + log GDP": {"method": "twfe", "controls": GDP, "cluster": "province_id", **PLATFORM},
        "BJS, no controls": {"method": "bjs", "cluster": "province_id", **PLATFORM},
        "CS, no covariates": {"method": "cs", **PLATFORM},
    }
    return _study(est, designs=[101, 202, 303, 404], n_draws=250)


@pytest.mark.parametrize("label", ["BJS + log GDP", "SA + log GDP"])
def test_platform_conditional_pt_estimators_recover_the_truth(platform_baseline, label):
    # BJS: the leave-out variance is an upper bound when effects vary within cells (BJS 2024): conservative
    _works(platform_baseline.loc[label], conservative=label.startswith("BJS"))


def test_platform_twfe_is_biased_towards_zero_by_heterogeneous_effects(platform_baseline):
    # the truth is negative; a positive bias is an estimate too close to 0 (forbidden comparisons)
    _fails(platform_baseline.loc["TWFE + log GDP"], +1, 0.10)


@pytest.mark.parametrize("label", ["BJS, no controls", "CS, no covariates"])
def test_platform_without_log_gdp_overstates_the_effect(platform_baseline, label):
    # unconditional parallel trends fail: richer (eastern) provinces grow faster and launch earlier,
    # and growth narrows the gap, so the untreated gap falls faster in early adopters
    _fails(platform_baseline.loc[label], -1, 0.03)


def test_platform_homogeneous_effects_twfe_recovers_the_truth():
    est = {"TWFE + log GDP": {"method": "twfe", "controls": GDP, "cluster": "province_id", **PLATFORM}}
    _works(_study(est, designs=[101, 202, 303, 404], n_draws=250, scenario="homogeneous").loc["TWFE + log GDP"])


def test_platform_pt_violation_biases_every_estimator_downwards():
    est = {
        "BJS + log GDP": {"method": "bjs", "controls": GDP, "cluster": "province_id", **PLATFORM},
        "SA + log GDP": {"method": "sa", "controls": GDP, "cluster": "province_id", **PLATFORM},
    }
    s = _study(est, designs=[101], n_draws=200, scenario="pt_violation")
    for label in est:
        _fails(s.loc[label], -1, 0.2)


def test_platform_anticipation_biases_the_estimate_towards_zero():
    est = {"BJS + log GDP": {"method": "bjs", "controls": GDP, "cluster": "province_id", **PLATFORM}}
    _fails(_study(est, designs=[101], n_draws=200, scenario="anticipation").loc["BJS + log GDP"], +1, 0.04)


@pytest.fixture(scope="module")
def dg_baseline():
    five = ["log_gdp_pc", "fiscal_exp_gdp", "fiscal_rev_gdp", "log_internet_users", "tertiary_share"]
    est = {
        "BJS + log GDP + smart city": {"method": "bjs", "controls": [*GDP, "smart_city"], **DG},
        "BJS + smart city": {"method": "bjs", "controls": ["smart_city"], **DG},
        "TWFE + five controls + smart city": {"method": "twfe", "controls": [*five, "smart_city"], **DG},
        # the three-step method's step 3: a mediator (paper 1's 优化政务服务 channel) as a control
        "three-step, online services": {"method": "bjs", "controls": [*GDP, "smart_city", "online_services"], **DG},
    }
    return _study(est, designs=[101], n_draws=200)


def test_dg_imputation_with_growth_and_the_pilot_recovers_the_truth(dg_baseline):
    # BJS's variance is conservative when effects vary within cohort x horizon cells (here by city
    # size and digitalization): the interval covers at least its nominal rate
    _works(dg_baseline.loc["BJS + log GDP + smart city"], conservative=True)


def test_dg_without_log_gdp_overstates_the_effect(dg_baseline):
    # digital-government cities are chosen for income, size and digitalization; richer, more digital
    # cities grow faster and their rural services catch up faster without any policy
    _fails(dg_baseline.loc["BJS + smart city"], +1, 0.2)


def test_dg_twfe_is_biased_by_heterogeneous_effects(dg_baseline):
    _fails(dg_baseline.loc["TWFE + five controls + smart city"], -1, 0.1)


def test_platform_mechanisms_follow_unconditional_parallel_trends():
    est = {
        "BJS": {"method": "bjs", "treatment": "platform", "outcome": "service_efficiency", "cluster": "province_id"},
        "TWFE": {"method": "twfe", "treatment": "platform", "outcome": "service_efficiency", "cluster": "province_id"},
    }
    s = _study(est, designs=[101, 202], n_draws=250)
    _works(s.loc["BJS"], conservative=True)  # effects vary within cohort x horizon cells
    _fails(s.loc["TWFE"], -1, 0.05)  # the truth is positive: TWFE too close to 0


# --- paper 1's four mechanisms (digital government) ----------------------------------------------


def test_dg_mediators_recovered_by_imputation_missed_by_twfe():
    est = {}
    for m in ("online_services", "open_data", "service_satisfaction"):
        est[f"BJS {m}"] = {"method": "bjs", "treatment": "dg", "outcome": m}
        est[f"TWFE {m}"] = {"method": "twfe", "treatment": "dg", "outcome": m}
    est["BJS digital_infrastructure"] = {
        "method": "bjs",
        "treatment": "dg",
        "outcome": "digital_infrastructure",
        "controls": ["smart_city"],
    }
    est["TWFE digital_infrastructure"] = {**est["BJS digital_infrastructure"], "method": "twfe"}
    s = _study(est, designs=[101, 202], n_draws=250)
    for m in ("online_services", "open_data", "service_satisfaction", "digital_infrastructure"):
        _works(s.loc[f"BJS {m}"], conservative=True)  # effects vary within cohort x horizon cells
        _fails(s.loc[f"TWFE {m}"], -1, 0.1)  # the truth is positive: TWFE too low


def test_dg_three_step_misses_the_channels(dg_baseline):
    """Step 3 (the mediator as a control) returns the total effect: 'no mediation' where 45% runs through it."""
    share = didbook.simulate.DG_CHANNEL_SHARES["online_services"]
    three = dg_baseline.loc["three-step, online services"]
    # unbiased for the TOTAL effect, so its 'direct' effect overstates the true direct effect (1 - share) x total
    assert abs(three["relative_bias"]) <= 0.03, three
    assert (three["mean_estimate"] - (1 - share) * three["mean_truth"]) / three["mean_truth"] > share - 0.05, three


def test_identification_table_matches_these_tests():
    rows = {(r["treatment"], r["outcome"], r["scenario"]) for r in didbook.simulate.IDENTIFICATION}
    assert ("platform", "income_gap", "baseline") in rows and ("dg", "equalization", "baseline") in rows
    assert {"pt_violation", "anticipation", "homogeneous", "mediation", "all_treated"} <= {r[2] for r in rows}
    assert ("platform", "income_gap (mediation)", "mediation") in rows
    assert ("platform", "income_gap", "all_treated") in rows
    assert ("dg", "online_services, open_data, service_satisfaction", "baseline") in rows
    assert {"pilot=True", "pilot=True, homogeneous=True", "dose=True", "dose=True, dose_selection=True",
            "province_panel()"} <= {r[2] for r in rows}  # fmt: skip
