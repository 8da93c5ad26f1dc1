"""Identification proofs, part 2: the mechanisms (paper 2's mediation, both ways) and the national rollout
(`all_treated`). See tests/lib/test_identification.py for the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from identification_helpers import DG, GDP, PLATFORM, _fails, _study, _summary, _works  # noqa: F401

import didbook

pytestmark = pytest.mark.slow


# --- paper 2's mechanism, both ways -----------------------------------------------------------------


def test_platform_baseline_mediators_move_but_do_not_transmit():
    est = {
        "three-step": {"method": "bjs", "controls": [*GDP, "entrepreneurship"], "cluster": "province_id", **PLATFORM},
        "BJS entrepreneurship": {
            "method": "bjs",
            "treatment": "platform",
            "outcome": "entrepreneurship",
            "cluster": "province_id",
        },
    }
    s = _study(est, designs=[101, 202], n_draws=250)
    # the 'direct' effect of step 3 is the total effect: indirect 0, the truth of the baseline
    _works(s.loc["three-step"])
    _works(s.loc["BJS entrepreneurship"], conservative=True)  # the mediator moves all the same
    assert s.loc["BJS entrepreneurship", "mean_estimate"] > 20 * s.loc["BJS entrepreneurship", "bias_mc_se"]


def _mediation_draws(design_seed: int, n_draws: int) -> pd.DataFrame:
    """Per-draw fits of the direct effect (the mediator varies by draw, so one design per draw): the fast path's
    fit of one column, checked against the library's fit (estimate and standard error) on the first draw."""
    import warnings

    seeds = [design_seed + r for r in range(n_draws)]
    kw = {"design_seed": design_seed, "scenario": "mediation"}
    panel, Y, total = didbook.simulate.outcome_draws("platform", "income_gap", seeds, **kw)
    _, M, _ = didbook.simulate.outcome_draws("platform", "entrepreneurship", seeds, **kw)
    d = panel.data.copy()
    share = didbook.simulate.MEDIATED_SHARE
    controls = [*GDP, "entrepreneurship"]
    rows = []
    for r in range(n_draws):
        d["income_gap"], d["entrepreneurship"] = Y[:, r], M[:, r]
        fits = {
            "direct, BJS": didbook.fast.staggered(
                d, Y[:, [r]], "platform_cohort", method="bjs", controls=controls, cluster="province_id"
            ),
            "direct, TWFE": didbook.fast.twfe(
                d, Y[:, [r]], "platform_treated", controls=controls, cluster="province_id"
            ),
        }
        if r == 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                library = {
                    "direct, BJS": didbook.staggered(
                        d, "income_gap", "city_id", "year", "platform_cohort", method="bjs", controls=controls,
                        cluster="province_id",
                    ).aggregate("simple"),
                    "direct, TWFE": didbook.twfe(
                        d, "income_gap", "platform_treated", "city_id", "year", controls=controls,
                        cluster="province_id", warn_few_clusters=False,
                    ),
                }  # fmt: skip
            for label, f in library.items():
                fast = fits[label]
                assert (f.estimate, f.std_error) == pytest.approx((fast.estimate[0], fast.std_error[0]), abs=1e-8)
        for label, f in fits.items():
            rows.append((design_seed * 10_000 + r, label, f.estimate[0], f.std_error[0], f.conf_low[0], f.conf_high[0],
                         f.p_value[0], (1 - share) * total[r]))  # fmt: skip
    return pd.DataFrame(rows, columns=["draw", "estimator", "estimate", "std_error", "conf_low", "conf_high",
                                       "p_value", "truth"])  # fmt: skip


def test_mediation_scenario_three_step_recovers_the_direct_effect():
    draws = pd.concat([_mediation_draws(s, 100) for s in (101, 202)], ignore_index=True)
    s = didbook.MonteCarloResult(draws=draws, estimators={}).tidy().set_index("estimator")
    _works(s.loc["direct, BJS"])
    _fails(s.loc["direct, TWFE"], +1, 0.1)  # the direct effect is negative: TWFE too close to 0


def test_mediation_scenario_total_and_steps_recovered():
    est = {
        "total": {"method": "bjs", "controls": GDP, "cluster": "province_id", **PLATFORM},
        "efficiency": {"method": "bjs", "treatment": "platform", "outcome": "service_efficiency",
                       "cluster": "province_id"},
        "entrepreneurship": {"method": "bjs", "treatment": "platform", "outcome": "entrepreneurship",
                             "cluster": "province_id"},
    }  # fmt: skip
    s = _study(est, designs=[101, 202], n_draws=250, scenario="mediation")
    # conservative here: the gap now carries the entrepreneurship noise of every city-year
    _works(s.loc["total"], conservative=True)
    _works(s.loc["efficiency"], conservative=True)
    _works(s.loc["entrepreneurship"], conservative=True)


# --- the national rollout (all_treated) ----------------------------------------------------------


def _identified_truth(design_seed: int, outcome: str, **switches) -> float:
    """Mean true effect over the treated city-years before the last launch (the identified cells)."""
    p = didbook.simulate_city_panel(design_seed, design_seed=design_seed, scenario="all_treated", **switches)
    cy = p.truth.att_cohort_year
    cy = cy[(cy.treatment == "platform") & (cy.outcome == outcome) & (cy.event_time >= 0)]
    cy = cy[cy.year < p.data["platform_cohort"].max()]
    return float((cy["att"] * cy["n"]).sum() / cy["n"].sum())


def _rollout_draws(outcome: str, design: int, n_draws: int):
    """``n_draws`` draws of ``outcome`` on the all_treated design (seeds ``design + r``, as monte_carlo), their truths
    (ATT over every treated city-year) and the rows before the last launch (the years with an untreated city)."""
    seeds = [design + r for r in range(n_draws)]
    panel, Y, truth = didbook.simulate.outcome_draws(
        "platform", outcome, seeds, design_seed=design, scenario="all_treated"
    )
    d = panel.data
    return d, Y, truth, (d["year"] < d["platform_cohort"].max()).to_numpy()


def _identified_fit(d, Y, pre, outcome: str, **spec) -> didbook.fast.BatchFit:
    """didbook.staggered on the whole rollout panel for every draw. It can only use the identified cells (the treated
    city-years before the last launch), so it is the batched fast path on the years before the last launch: checked
    here on the first two draws (estimate and standard error), then used for all."""
    import warnings

    fit = didbook.fast.staggered(d[pre].reset_index(drop=True), Y[pre], "platform_cohort", **spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(2):
            lib = didbook.staggered(
                d.assign(**{outcome: Y[:, r]}), outcome, "city_id", "year", "platform_cohort", **spec
            )
            lib = lib.aggregate("simple")
            assert (lib.estimate, lib.std_error) == pytest.approx((fit.estimate[r], fit.std_error[r]), abs=1e-8)
    return fit


def _rows(label: str, fit, truth) -> list[tuple]:
    truth = np.broadcast_to(truth, fit.estimate.shape)
    return [(r, label, fit.estimate[r], fit.std_error[r], fit.conf_low[r], fit.conf_high[r], fit.p_value[r], truth[r])
            for r in range(len(truth))]  # fmt: skip


def test_all_treated_identifies_only_the_years_before_the_last_launch():
    d, Y, truth, pre = _rollout_draws("income_gap", design=101, n_draws=200)
    bjs = _identified_fit(d, Y, pre, "income_gap", method="bjs", controls=GDP, cluster="province_id")
    twfe = didbook.fast.twfe(d, Y, "platform_treated", controls=GDP, cluster="province_id")
    s = _summary(
        _rows("BJS + log GDP (identified cells)", bjs, _identified_truth(101, "income_gap"))
        + _rows("BJS + log GDP (all treated city-years)", bjs, truth)
        + _rows("TWFE + log GDP", twfe, truth)
    )
    _works(s.loc["BJS + log GDP (identified cells)"], conservative=True)  # effects vary within cells
    # the overall ATT (2020-2022 included, larger effects) is not what it estimates
    _fails(s.loc["BJS + log GDP (all treated city-years)"], +1, 0.1)
    _fails(s.loc["TWFE + log GDP"], +1, 0.3)  # towards 0: already-treated provinces as controls


def test_all_treated_not_yet_treated_comparisons():
    d, Y, _, pre = _rollout_draws("service_efficiency", design=101, n_draws=150)
    cs = _identified_fit(d, Y, pre, "service_efficiency", method="cs", control="notyet", cluster="city_id")
    s = _summary(_rows("CS not yet (identified cells)", cs, _identified_truth(101, "service_efficiency")))
    _works(s.loc["CS not yet (identified cells)"], conservative=True)


def test_all_treated_constant_effects_identify_the_long_run():
    est = {"TWFE + log GDP": {"method": "twfe", "controls": GDP, "cluster": "province_id", **PLATFORM}}
    s = _study(est, designs=[101, 202, 303, 404], n_draws=250, scenario="all_treated", homogeneous=True)
    _works(s.loc["TWFE + log GDP"])


def test_all_treated_estimators_stop_at_the_horizon():
    """Event times beyond last launch - first launch - 1 are never estimated; control='never' refuses."""
    import warnings

    p = didbook.simulate_city_panel(scenario="all_treated")
    d = p.data
    horizon = d["platform_cohort"].max() - d["platform_cohort"].min() - 1
    assert horizon == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {
            "bjs": didbook.staggered(d, "income_gap", "city_id", "year", "platform_cohort", method="bjs",
                                     controls=GDP, cluster="province_id"),
            "cs": didbook.staggered(d, "service_efficiency", "city_id", "year", "platform_cohort", method="cs",
                                    control="notyet"),
            "sa": didbook.staggered(d, "income_gap", "city_id", "year", "platform_cohort", method="sa",
                                    controls=GDP, cluster="province_id"),
        }  # fmt: skip
        for method, fit in fits.items():
            ev = fit.aggregate("dynamic").tidy()
            ev = ev[ev["event_time"].notna() & ev["estimate"].notna()]
            assert ev["event_time"].max() == horizon, method
        with pytest.raises(ValueError, match="never"):
            didbook.staggered(d, "service_efficiency", "city_id", "year", "platform_cohort", method="cs")
        with pytest.raises(ValueError, match="never"):
            didbook.staggered(
                d, "service_efficiency", "city_id", "year", "platform_cohort", method="cs", control="never"
            )
