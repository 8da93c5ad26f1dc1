"""Tests of the simulated city panel: determinism, schema, truth, scenarios, files."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import didbook
from didbook._validation import check_absorbing, check_panel
from didbook.simulate import INDICATORS, SCENARIOS, TREATMENTS, city_panel_files, simulate_city_panel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def panel():
    return simulate_city_panel()


# --- determinism and structure ------------------------------------------------------------


def test_same_seed_identical_frame_and_truth(panel):
    again = simulate_city_panel(seed=2024)
    pd.testing.assert_frame_equal(panel.data, again.data)
    pd.testing.assert_frame_equal(panel.counterfactual, again.counterfactual)
    pd.testing.assert_frame_equal(panel.truth.att_event, again.truth.att_event)
    assert panel.truth.att == again.truth.att


def test_different_seed_differs(panel):
    other = simulate_city_panel(seed=7)
    assert not np.allclose(other.data["income_gap"], panel.data["income_gap"])


def test_shorter_window_is_exact_subset(panel):
    short = simulate_city_panel(end_year=2020)
    sub = panel.data[panel.data["year"] <= 2020].reset_index(drop=True)
    # the equalization index is refitted on each panel, and the policy effects on the rural
    # indicators are sized on its scale; everything else is drawn on a fixed calendar
    fitted = ["equalization", *[f"{k}_rural" for k in INDICATORS]]
    pd.testing.assert_frame_equal(short.data.drop(columns=fitted), sub.drop(columns=fitted))
    no_policy = ((sub["dg_treated"] == 0) & (sub["smart_city"] == 0)).to_numpy()
    assert 0 < no_policy.sum() < len(sub)
    rural = [f"{k}_rural" for k in INDICATORS]
    pd.testing.assert_frame_equal(short.data.loc[no_policy, rural], sub.loc[no_policy, rural])
    np.testing.assert_allclose(short.data[rural], sub[rural], rtol=0.01)  # effects sized on a similar scale
    assert not np.allclose(short.data["equalization"], sub["equalization"], rtol=1e-6, atol=0)  # refitted


def test_dimensions_and_identifiers(panel):
    d = panel.data
    assert len(d) == 280 * 12
    assert d["city_id"].nunique() == 280 and d["province_id"].nunique() == 30
    assert set(d["region"]) == {"east", "central", "west"}
    assert d["city_id"].str.fullmatch(r"C\d{3}").all() and d["province_id"].str.fullmatch(r"P\d{2}").all()
    assert (d.groupby("city_id")["province_id"].nunique() == 1).all()
    check_panel(d, "city_id", "year", list(d.columns))
    for _tr, (dcol, _) in TREATMENTS.items():
        check_absorbing(d, "city_id", "year", dcol)


def test_schema_matches_codebook(panel):
    d, cb = panel.data, panel.codebook
    assert list(cb["column"]) == list(d.columns), "codebook rows must match the data columns, in order"
    assert cb[["meaning", "unit", "chinese"]].notna().all().all()
    kinds = {"str": "str", "int": "int64", "float": "float64"}
    for r in cb.itertuples():
        assert str(d[r.column].dtype) == kinds[r.dtype], r.column
        assert d[r.column].notna().all(), r.column
        if r.dtype != "str":
            assert d[r.column].min() >= r.min and d[r.column].max() <= r.max, (r.column, r.min, r.max)


def test_treatment_columns_consistent(panel):
    d = panel.data
    for tr, (dcol, ccol) in TREATMENTS.items():
        expected = ((d[ccol] > 0) & (d["year"] >= d[ccol])).astype(int)
        assert (d[dcol] == expected).all(), tr
    # platform timing is by province
    assert (d.groupby("province_id")["platform_cohort"].nunique() == 1).all()
    cohorts = set(d["platform_cohort"].unique())
    assert 0 in cohorts and cohorts - {0} <= set(range(2015, 2021))


def test_accounting_identities(panel):
    d = panel.data
    comp = d[["rural_wage_income", "rural_operating_income", "rural_property_income", "rural_transfer_income"]]
    np.testing.assert_allclose(comp.sum(axis=1), d["rural_income"], rtol=1e-12)
    np.testing.assert_allclose(d["income_ratio"], d["urban_income"] / d["rural_income"], rtol=1e-12)
    np.testing.assert_allclose(d["income_gap"], 100 * (1 - d["rural_income"] / d["urban_income"]), rtol=1e-12)
    np.testing.assert_allclose(d["urban_population"] + d["rural_population"], d["population"], rtol=1e-12)


def test_equalization_is_the_index_chapters_index(panel):
    """`equalization` is didbook.equalization_index with its defaults, fitted on the panel itself."""
    d = panel.data
    eq = didbook.equalization_index(d, didbook.PUBLIC_SERVICE_DIMENSIONS)
    assert eq.scores.index.equals(d.index)  # scores are aligned with the input rows
    np.testing.assert_allclose(d["equalization"], eq.scores["equalization"], rtol=0, atol=1e-12)
    # hand check of one city-year: rural / urban entropy-weighted index on the pooled min-max scale
    row = d.index[123]
    urban = d.loc[row, [f"{k}_urban" for k in eq.weights.index]].to_numpy(float)
    rural = d.loc[row, [f"{k}_rural" for k in eq.weights.index]].to_numpy(float)
    lo, rng = eq.scaling["center"].to_numpy(), eq.scaling["scale"].to_numpy()
    w = eq.weights.to_numpy()
    ratio = (((rural - lo) / rng + 1e-4) @ w) / (((urban - lo) / rng + 1e-4) @ w)
    assert d.loc[row, "equalization"] == pytest.approx(ratio, abs=1e-12)
    # the untreated outcome is the untreated indicators scored with the SAME normalization and weights
    for tr in ("dg", "smart_city"):
        world0 = d.copy()
        for k in INDICATORS:
            world0[f"{k}_rural"] = panel.counterfactual[f"{k}_rural_y0_{tr}"].to_numpy()
        y0 = eq.transform(world0)["equalization"]
        np.testing.assert_allclose(panel.untreated("equalization", tr), y0, rtol=0, atol=1e-12)
        refit = didbook.equalization_index(world0, didbook.PUBLIC_SERVICE_DIMENSIONS).equalization
        assert not np.allclose(refit, y0, rtol=0, atol=1e-6)  # refitting would change the scale


def test_equalization_truth_is_observed_minus_untreated_index(panel):
    d, cf, att = panel.data, panel.counterfactual, panel.truth.att
    for tr in ("dg", "smart_city"):
        treated = d[TREATMENTS[tr][0]] == 1
        effect = d["equalization"] - cf[f"equalization_y0_{tr}"]
        assert att[(tr, "equalization")] == pytest.approx(float(effect[treated].mean()), abs=1e-12)
        assert (effect[~treated] == 0).all()  # no anticipation in the baseline
        # the policy raises every rural indicator of a treated city-year by the same factor
        factor = np.column_stack([d[f"{k}_rural"] / cf[f"{k}_rural_y0_{tr}"] for k in INDICATORS])
        np.testing.assert_allclose(factor, np.repeat(factor[:, [0]], len(INDICATORS), axis=1), rtol=1e-12)
        assert (factor[treated.to_numpy(), 0] > 1).any() and (factor[~treated.to_numpy(), 0] == 1).all()


def _theil2(pop_u, pop_r, inc_u, inc_r):
    """Two-group (urban, rural) Theil index, written out from its definition."""
    iu, ir = pop_u * inc_u, pop_r * inc_r
    su, sr = iu / (iu + ir), ir / (iu + ir)
    pu, pr = pop_u / (pop_u + pop_r), pop_r / (pop_u + pop_r)
    return su * np.log(su / pu) + sr * np.log(sr / pr)


def test_theil_hand_computed(panel):
    # 60 urban residents earning 30, 40 rural earning 10: income shares 1800/2200 and 400/2200
    # T = 0.81818 * ln(0.81818 / 0.6) + 0.18182 * ln(0.18182 / 0.4) = 0.25376 - 0.14336 = 0.11040
    assert _theil2(60.0, 40.0, 30.0, 10.0) == pytest.approx(0.11040, abs=1e-5)
    assert _theil2(50.0, 50.0, 20.0, 20.0) == pytest.approx(0.0, abs=1e-15)  # equal incomes -> 0
    d = panel.data
    expected = _theil2(d["urban_population"], d["rural_population"], d["urban_income"], d["rural_income"])
    np.testing.assert_allclose(d["income_theil"], expected, rtol=1e-10)


# --- magnitudes -----------------------------------------------------------------------------


def test_magnitudes_look_like_chinese_city_statistics(panel):
    d = panel.data
    by_year = d.groupby("year").mean(numeric_only=True)
    assert 2.6 < by_year.loc[2011, "income_ratio"] < 3.0
    assert 2.0 < by_year.loc[2022, "income_ratio"] < 2.4
    slope = np.polyfit(by_year.index, by_year["income_gap"], 1)[0]
    assert -0.9 < slope < -0.65  # paper: -0.78 pp a year
    att = panel.truth.att[("platform", "income_gap")]
    assert -1.15 < att < -0.85  # paper: about -1 pp
    assert 1.1 < att / slope < 1.5  # effect about 1.3 x the yearly decline
    assert 0.45 < by_year.loc[2011, "urban_population"] / by_year.loc[2011, "population"] < 0.6
    assert 15000 < by_year.loc[2011, "urban_income"] < 30000
    assert 0.3 < by_year.loc[2011, "tertiary_share"] < 0.5
    # equalization index: rural provision well below urban, catching up over time
    assert 0.3 < by_year.loc[2011, "equalization"] < by_year.loc[2022, "equalization"] < 0.8
    assert (d["equalization"] < 1).mean() > 0.95
    # the digital-government effect (0.03 at adoption, growing) against the year-to-year noise
    resid = d["equalization"] - d.groupby("city_id")["equalization"].transform("mean")
    resid = resid - resid.groupby(d["year"]).transform("mean")
    assert 0.035 < panel.truth.att[("dg", "equalization")] < 0.07
    assert 0.5 < panel.truth.att[("dg", "equalization")] / resid.std() < 3


# --- truth ----------------------------------------------------------------------------------


def test_truth_equals_sample_att_from_potential_outcomes(panel):
    d, cf, truth = panel.data, panel.counterfactual, panel.truth
    assert (cf[["city_id", "year"]].to_numpy() == d[["city_id", "year"]].to_numpy()).all()
    checked = 0
    for (tr, outcome), value in truth.att.items():
        col = f"{outcome}_y0_{tr}"
        if col not in cf:
            continue
        dcol = TREATMENTS[tr][0]
        mask = d[dcol] == 1
        assert value == pytest.approx(float((d.loc[mask, outcome] - cf.loc[mask, col]).mean()), abs=1e-12)
        checked += 1
    assert checked >= 30
    # event-time truth = mean over city-years at that event time
    m = d["platform_cohort"] > 0
    e = (d["year"] - d["platform_cohort"])[m]
    eff = (d["income_gap"] - cf["income_gap_y0_platform"])[m]
    ev = truth.event("platform", "income_gap").set_index("event_time")
    pd.testing.assert_series_equal(eff.groupby(e).mean(), ev["att"], check_names=False, check_index_type=False)


def test_untreated_cells_equal_their_potential_outcome(panel):
    d = panel.data
    for tr, outcome in [("platform", "income_gap"), ("dg", "equalization"), ("smart_city", "equalization")]:
        y0 = panel.untreated(outcome, tr)
        not_yet = d[TREATMENTS[tr][0]] == 0
        np.testing.assert_allclose(d.loc[not_yet, outcome], y0[not_yet], rtol=0, atol=1e-12)


def test_aggregations_are_weighted_averages(panel):
    t = panel.truth
    ev = t.att_event[(t.att_event.treatment == "platform") & (t.att_event.outcome == "income_gap")]
    post = ev[ev.event_time >= 0]
    assert np.average(post.att, weights=post.n) == pytest.approx(t.att[("platform", "income_gap")])
    co = t.att_cohort[(t.att_cohort.treatment == "dg") & (t.att_cohort.outcome == "equalization")]
    assert np.average(co.att, weights=co.n) == pytest.approx(t.att[("dg", "equalization")])
    cy = t.att_cohort_year[(t.att_cohort_year.treatment == "dg") & (t.att_cohort_year.outcome == "equalization")]
    assert (cy.loc[cy.event_time < 0, "att"] == 0).all()
    sg = t.att_subgroup[
        (t.att_subgroup.treatment == "platform")
        & (t.att_subgroup.outcome == "income_gap")
        & (t.att_subgroup.subgroup_var == "ruggedness")
    ]
    assert np.average(sg.att, weights=sg.n) == pytest.approx(t.att[("platform", "income_gap")])


def test_cell_tables_are_group_means_of_the_effects(panel):
    """Every cell table of the truth is the pandas group mean and count of Y(1) - Y(0) over its rows."""
    d, cf, t = panel.data, panel.counterfactual, panel.truth
    sub = d[["city_id"]].merge(panel.subgroups, on="city_id", how="left")
    for tr, outcome in [("dg", "equalization"), ("platform", "income_gap")]:
        dcol, ccol = TREATMENTS[tr]
        eff = d[outcome] - cf[f"{outcome}_y0_{tr}"]
        ever, post = d[ccol] > 0, d[dcol] == 1
        cells = [
            (t.att_cohort_year, ever, {"cohort": d[ccol], "year": d["year"]}),
            (t.att_event, ever, {"event_time": d["year"] - d[ccol]}),
            (t.att_cohort, post, {"cohort": d[ccol]}),
            (t.att_subgroup[t.att_subgroup.subgroup_var == "size_class"], post, {"subgroup": sub["size_class"]}),
        ]
        for table, rows, keys in cells:
            got = table[(table.treatment == tr) & (table.outcome == outcome)].set_index(list(keys))[["att", "n"]]
            want = pd.DataFrame(keys)[rows].assign(eff=eff[rows]).groupby(list(keys))["eff"].agg(att="mean", n="size")
            pd.testing.assert_frame_equal(got, want, rtol=1e-12, check_index_type=False)


def test_mechanism_chain_and_falsification(panel):
    att = panel.truth.att
    assert att[("platform", "service_efficiency")] > 0
    assert att[("platform", "entrepreneurship")] > 0
    assert att[("platform", "rural_operating_income")] > att[("platform", "rural_wage_income")] > 0
    assert att[("platform", "rural_property_income")] == 0.0
    assert att[("platform", "rural_transfer_income")] == 0.0
    mech = panel.truth.mechanism.set_index(["treatment", "variable"])["att"]
    assert mech[("dg", "digital_infrastructure")] > 0


def test_heterogeneity_as_designed(panel):
    sg = panel.truth.att_subgroup.set_index(["treatment", "outcome", "subgroup_var", "subgroup"])["att"]
    pf = sg.loc[("platform", "income_gap")]
    assert pf[("admin_tier_group", "tier 4-5")] < pf[("admin_tier_group", "tier 1-3")]
    for var in ["ruggedness", "clan_strength", "economic_vitality", "market_integration", "digital_economy"]:
        assert pf[(var, "high")] < pf[(var, "low")], var  # more negative = larger effect
    assert pf[("grassroots_capacity", "low")] < pf[("grassroots_capacity", "high")]
    dg = sg.loc[("dg", "equalization")]
    assert dg[("size_class", "large")] > 0.03 and dg[("size_class", "medium")] > 0.03
    assert abs(dg[("size_class", "small")]) < 0.1 * dg[("size_class", "large")]
    assert dg[("digitalization", "low")] == 0.0 and dg[("digitalization", "high")] > 0.03


def test_dynamic_and_cohort_heterogeneity(panel):
    t = panel.truth
    ev = t.event("platform", "income_gap").set_index("event_time")["att"]
    assert (ev.loc[ev.index < 0] == 0).all()
    assert ev.loc[4] < ev.loc[0] < 0
    co = t.att_cohort[(t.att_cohort.treatment == "platform") & (t.att_cohort.outcome == "income_gap")]
    co = co.set_index("cohort")["att"]
    assert co.loc[2015] < co.loc[2019]
    assert t.att[("platform", "income_gap_province_sd")] < 0  # within-province dispersion falls


def test_selection_on_observables_and_concurrent_policy(panel):
    d = panel.data[panel.data.year == 2011].set_index("city_id")
    ever = d["dg_cohort"] > 0
    for col in ["population", "log_gdp_pc", "digitalization"]:
        assert d.loc[ever, col].mean() > d.loc[~ever, col].mean(), col
    sc = d["smart_city_cohort"] > 0
    assert np.corrcoef(ever, sc)[0, 1] > 0.2


def test_paper1_design_visible_to_twfe(panel):
    """Paper 1's TWFE: significant in large and medium cities, nil in small ones and in low-digital
    ones, and controlling for the concurrent smart-city pilot lowers the estimate."""
    pf = pytest.importorskip("pyfixest")
    ctrl = "log_gdp_pc + fiscal_exp_gdp + fiscal_rev_gdp + log_internet_users + tertiary_share"
    d = panel.data.merge(
        panel.subgroups[["city_id", "digitalization"]].rename(columns={"digitalization": "digi"}), on="city_id"
    )

    def twfe(data, extra=""):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.feols(
                f"equalization ~ dg_treated{extra} + {ctrl} | city_id + year", data=data, vcov={"CRV1": "city_id"}
            )
        return float(fit.coef()["dg_treated"]), float(fit.pvalue()["dg_treated"])

    for size in ("large", "medium"):
        b, p = twfe(d[d["size_class"] == size], " + smart_city")
        assert b > 0 and p < 0.01, size
    b, p = twfe(d[d["size_class"] == "small"], " + smart_city")
    assert p > 0.05 and abs(b) < 0.01
    b, p = twfe(d[d["digi"] == "low"], " + smart_city")
    assert p > 0.05
    without, _ = twfe(d)
    with_sc, _ = twfe(d, " + smart_city")
    assert without - with_sc > 0.002


# --- scenarios ------------------------------------------------------------------------------


def test_scenario_list():
    assert set(SCENARIOS) == {
        "baseline", "homogeneous", "pt_violation", "anticipation", "unbalanced", "all_treated", "mediation"
    }  # fmt: skip


def test_homogeneous_truth_is_constant():
    t = simulate_city_panel(scenario="homogeneous").truth
    post = t.att_cohort_year[(t.att_cohort_year.event_time >= 0)]
    for tr, outcome, value in [("platform", "income_gap", -1.0), ("dg", "equalization", 0.03)]:
        cells = post[(post.treatment == tr) & (post.outcome == outcome)]["att"]
        np.testing.assert_allclose(cells, value, atol=1e-12)


def test_pt_violation_changes_untreated_trends_not_truth(panel):
    v = simulate_city_panel(scenario="pt_violation")
    assert v.truth.att[("platform", "income_gap")] == pytest.approx(panel.truth.att[("platform", "income_gap")])

    def trend_gap(p):
        d = p.data.assign(y0=p.untreated("income_gap", "platform").to_numpy())
        ever = d.platform_cohort > 0
        m = d.groupby([ever, "year"])["y0"].mean().unstack(0)
        diff = m[True] - m[False]
        return np.polyfit(diff.index, diff.to_numpy(), 1)[0]

    assert abs(trend_gap(panel)) < 0.08
    assert trend_gap(v) - trend_gap(panel) == pytest.approx(-0.15, abs=0.02)  # the injected differential trend


def test_anticipation_effects_before_adoption():
    t = simulate_city_panel(scenario="anticipation").truth
    ev = t.event("platform", "income_gap").set_index("event_time")["att"]
    assert ev.loc[-1] < 0 and ev.loc[-2] == 0
    assert ev.loc[-1] == pytest.approx(ev.loc[0] / 2, rel=0.05)


def test_unbalanced_panel():
    p = simulate_city_panel(scenario="unbalanced")
    n = len(p.data)
    assert 0.88 * 3360 < n < 0.96 * 3360
    check_panel(p.data, "city_id", "year", ["income_gap"])
    assert len(p.counterfactual) == n


def test_all_treated_scenario():
    d = simulate_city_panel(scenario="all_treated").data
    assert (d["platform_cohort"] > 0).all()
    assert d.loc[d.year == d.year.max(), "platform_treated"].all()


def test_paper1_mediators_and_their_channels(panel):
    d, att = panel.data, panel.truth.att
    tau = d["equalization"] - panel.untreated("equalization", "dg")
    for m, k in didbook.simulate.DG_MEDIATOR_EFFECTS.items():
        effect = d[m] - panel.untreated(m, "dg")
        np.testing.assert_allclose(effect, k * tau, rtol=1e-6, atol=1e-9)  # k x dg's equalization effect
        assert att[("dg", m)] > 0
    for m in ("online_services", "open_data", "service_satisfaction"):
        for tr in ("platform", "smart_city"):
            assert (panel.untreated(m, tr) == d[m]).all()  # moved by digital government only
    med = panel.truth.mediation.set_index(["treatment", "effect", "path"]).sort_index()
    dg = med.loc["dg"]
    assert dg["share"].drop(("total", "all")).sum() == pytest.approx(1.0)
    assert dg.loc[("indirect", "online_services"), "share"] == 0.45
    assert dg.loc[("indirect", "service_satisfaction"), "att"] == 0.0
    total = att[("dg", "equalization")]
    assert dg.loc[("indirect", "open_data"), "att"] == pytest.approx(0.2 * total)
    pf = med.loc["platform"]
    assert pf.loc[("direct",), "share"].item() == 1.0 and pf.loc[("indirect",), "att"].item() == 0.0


def test_mediation_scenario_chain_is_causal_and_exact(panel):
    m = simulate_city_panel(scenario="mediation")
    d, cf, att = m.data, m.counterfactual, m.truth.att
    share = didbook.simulate.MEDIATED_SHARE
    # same design and the same total effects as the baseline; only the chain's causal structure differs
    assert att[("platform", "income_gap")] == pytest.approx(panel.truth.att[("platform", "income_gap")], abs=1e-12)
    assert att[("platform", "entrepreneurship")] == pytest.approx(panel.truth.att[("platform", "entrepreneurship")])
    treated = d["platform_treated"] == 1
    d_entre = (d["entrepreneurship"] - cf["entrepreneurship_y0_platform"])[treated]
    indirect = -didbook.simulate._config.GAP_PER_ENTRE * d_entre.mean()
    med = m.truth.mediation.set_index(["treatment", "effect"]).loc["platform"]
    assert med.loc["indirect", "att"] == pytest.approx(indirect, abs=1e-9)
    assert med.loc["indirect", "att"] == pytest.approx(share * att[("platform", "income_gap")], abs=1e-9)
    assert med.loc["direct", "share"] == pytest.approx(1 - share)
    # efficiency drives entrepreneurship in untreated city-years too (baseline: unrelated)
    y0 = pd.DataFrame(
        {
            "e": cf["service_efficiency_y0_platform"],
            "n": cf["entrepreneurship_y0_platform"],
            "gap": cf["income_gap_y0_platform"],
        }
    )
    within = y0 - y0.groupby(d["city_id"]).transform("mean") - y0.groupby(d["year"]).transform("mean") + y0.mean()
    slope = np.polyfit(within["e"], within["n"], 1)[0]
    assert slope == pytest.approx(didbook.simulate._config.ENTRE_PER_EFFICIENCY, abs=0.1)
    # the untreated gap falls with untreated entrepreneurship (0.12 pp per entity); the accounting identities hold
    assert np.polyfit(within["n"], within["gap"], 1)[0] < -0.05
    comp = d[["rural_wage_income", "rural_operating_income", "rural_property_income", "rural_transfer_income"]]
    np.testing.assert_allclose(comp.sum(axis=1), d["rural_income"], rtol=1e-12)
    assert (comp > 0).all().all()


def test_switches_combine():
    p = simulate_city_panel(scenario="homogeneous", anticipation=1, effect_scale=0.0)
    assert p.params["homogeneous"] and p.params["anticipation"] == 1
    assert all(v == 0 for k, v in p.truth.att.items() if k[1] != "income_gap_province_sd")


# --- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"scenario": "nonsense"}, ValueError, "valid scenarios"),
        ({"n_cities": -5}, ValueError, "n_cities"),
        ({"n_provinces": 0}, ValueError, "n_provinces"),
        ({"start_year": 2020, "end_year": 2015}, ValueError, "before end_year"),
        ({"start_year": 2016}, ValueError, "start_year"),
        ({"end_year": 2040}, ValueError, "end_year"),
        ({"n_cities": 280.5}, TypeError, "n_cities"),
        ({"homogenous": True}, TypeError, "valid switches"),
        ({"anticipation": 7}, ValueError, "anticipation"),
        ({"missing_share": 0.9}, ValueError, "missing_share"),
        ({"effect_scale": -1}, ValueError, "effect_scale"),
        ({"mediation": 1}, TypeError, "mediation"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulate_city_panel(**kwargs)


# --- shipped files ---------------------------------------------------------------------------


def test_shipped_files_are_reproducible(panel):
    for name, content in city_panel_files(panel).items():
        path = ROOT / "data" / name
        assert path.exists(), f"{path} missing: run `python scripts/make_data.py`"
        assert path.read_bytes() == content, f"{name} differs from the generator: rerun scripts/make_data.py"


def test_make_data_check_mode():
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_data.py"), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr


def test_load_city_panel_roundtrip(panel, tmp_path):
    df = didbook.load_city_panel()
    assert list(df.columns) == list(panel.data.columns)
    assert (df.dtypes == panel.data.dtypes).all()
    num = panel.data.select_dtypes("number").columns
    np.testing.assert_allclose(df[num], panel.data[num], rtol=1e-5)
    with pytest.raises(FileNotFoundError, match="make data"):
        didbook.load_city_panel(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "treatment, outcome",
    [
        ("platform", "income_gap"),
        ("platform", "income_ratio"),
        ("platform", "service_efficiency"),
        ("dg", "equalization"),
        ("dg", "digital_infrastructure"),
        ("dg", "online_services"),
        ("dg", "service_satisfaction"),
        ("mediation", "income_gap"),
        ("mediation", "entrepreneurship"),
        ("mediation", "rural_operating_income"),
    ],
)
def test_outcome_draws_equal_full_panels_on_one_design(treatment, outcome):
    scenario = "baseline"
    if treatment == "mediation":
        treatment, scenario = "platform", "mediation"
    panel, Y, truth = didbook.simulate.outcome_draws(treatment, outcome, [11, 12], design_seed=3, scenario=scenario)
    for r, seed in enumerate([11, 12]):
        full = simulate_city_panel(seed, design_seed=3, scenario=scenario)
        np.testing.assert_allclose(Y[:, r], full.data[outcome], rtol=1e-12, atol=1e-12)
        assert truth[r] == pytest.approx(full.truth.att[(treatment, outcome)], abs=1e-12)
    assert not np.allclose(Y[:, 0], Y[:, 1])


def test_design_seed_holds_the_design_and_redraws_the_outcomes():
    a, b = simulate_city_panel(1, design_seed=9), simulate_city_panel(2, design_seed=9)
    design = [
        "city_id",
        "province_id",
        "year",
        "population",
        "log_gdp_pc",
        "digitalization",
        "dg_cohort",
        "platform_cohort",
        "smart_city_cohort",
    ]
    pd.testing.assert_frame_equal(a.data[design], b.data[design])
    assert not np.allclose(a.data["income_gap"], b.data["income_gap"])
    # the platform's effect on the gap is a property of the design: the same in both draws
    assert a.truth.att[("platform", "income_gap")] == pytest.approx(b.truth.att[("platform", "income_gap")])
    assert a.params["design_seed"] == 9 and a.params["seed"] == 1


# --- the additions: pilot, dose, province panel --------------------------------------------------------------


EXTRA = ["pilot_on", "rural_eservice_use", "service_capability", "online_approval_rate"]


@pytest.fixture(scope="module")
def extras():
    return simulate_city_panel(pilot=True, dose=True)


def test_additions_leave_every_other_column_byte_identical(panel, extras):
    pd.testing.assert_frame_equal(extras.data.drop(columns=EXTRA), panel.data)
    pd.testing.assert_frame_equal(extras.counterfactual[panel.counterfactual.columns], panel.counterfactual)
    assert list(extras.data.columns[-4:]) == EXTRA and list(extras.codebook["column"]) == list(extras.data.columns)
    assert list(didbook.city_panel_codebook()["column"]) == list(panel.data.columns)
    for k, v in panel.truth.att.items():
        assert extras.truth.att[k] == v
    assert panel.truth.switching.empty and not panel.truth.dose
    cb = extras.codebook.set_index("column")
    for c in EXTRA:
        assert cb.loc[c, "min"] <= extras.data[c].min() and extras.data[c].max() <= cb.loc[c, "max"], c


def test_pilot_switches_off_and_its_truth(extras):
    d = extras.data
    first = d.groupby("city_id")["pilot_on"].agg(lambda s: s.diff().min())
    assert (first == -1).any() and (d.groupby("province_id")["pilot_on"].nunique() == 1).any()  # leavers, never
    assert (d.groupby(["province_id", "year"])["pilot_on"].nunique() == 1).all()  # provincial
    effect = d["rural_eservice_use"] - extras.untreated("rural_eservice_use", "pilot")
    assert (effect[d["pilot_on"] == 0] == 0).all()
    sw = extras.truth.switching.set_index("quantity")
    assert sw.loc["ATT", "value"] == pytest.approx(effect[d["pilot_on"] == 1].mean())
    assert extras.truth.att[("pilot", "rural_eservice_use")] == pytest.approx(sw.loc["ATT", "value"])
    assert sw.loc["DID_M", "n"] == sw.loc["DID_+ (joiners)", "n"] + sw.loc["DID_- (leavers)", "n"]
    # the TWFE weights agree with didbook.twfe_weights (engine)
    w = didbook.twfe_weights(d, "rural_eservice_use", "city_id", "year", "pilot_on")
    assert w.share_negative == pytest.approx(sw.loc["TWFE negative weight share", "value"])
    assert w.sum_negative == pytest.approx(sw.loc["TWFE negative weight sum", "value"], abs=1e-8)


def test_dose_columns_and_curve(extras):
    d = extras.data
    assert (d.groupby("city_id")["service_capability"].nunique() == 1).all()
    treated = d["platform_cohort"] > 0
    assert (d.loc[~treated, "service_capability"] == 0).all() and (d.loc[treated, "service_capability"] > 0).all()
    assert d["service_capability"].max() <= 1
    effect = d["online_approval_rate"] - extras.untreated("online_approval_rate", "platform")
    dose = d["service_capability"]
    on = d["platform_treated"] == 1
    np.testing.assert_allclose(effect[on], 30 * dose[on] - 12 * dose[on] ** 2)
    assert (effect[~on] == 0).all()
    curve = extras.truth.dose_response([0.5, 1.0])
    assert curve["att"].tolist() == pytest.approx([12.0, 18.0]) and curve["acrt"].tolist() == pytest.approx([18.0, 6.0])
    assert (curve["slope"] == curve["acrt"]).all()
    sel = simulate_city_panel(dose=True, dose_selection=True).truth.dose_response([0.5])
    assert sel["att"].item() == pytest.approx(12.0) and sel["slope"].item() == pytest.approx(18.0 + 12.0)
    with pytest.raises(ValueError, match="grid"):
        extras.truth.dose_response([0.0])
    with pytest.raises(KeyError, match="dose=True"):
        simulate_city_panel(pilot=True).truth.dose_response()


def test_addition_outcomes_redraw_exactly():
    kw = {"design_seed": 3, "pilot": True, "dose": True}
    for tr, outcome in (("pilot", "rural_eservice_use"), ("platform", "online_approval_rate")):
        _, Y, truth = didbook.simulate.outcome_draws(tr, outcome, [11, 12], **kw)
        full = simulate_city_panel(12, **kw)
        np.testing.assert_allclose(Y[:, 1], full.data[outcome], rtol=1e-12, atol=1e-12)
        assert truth[1] == pytest.approx(full.truth.att[(tr, outcome)])
    with pytest.raises(ValueError, match="pilot=True"):
        didbook.simulate.outcome_draws("pilot", "rural_eservice_use", [1], design_seed=3)
    with pytest.raises(ValueError, match="dose=True"):
        simulate_city_panel(dose_selection=True)


def test_province_panel():
    pp = didbook.simulate.province_panel()
    d = pp.data
    assert d.shape == (30 * 18, 5) and d["province_id"].nunique() == 30
    assert d.loc[d["reform"] == 1, "province_id"].unique().tolist() == ["P01"]
    assert d.loc[d["reform"] == 1, "year"].min() == 2014
    eff = d["income_gap"] - pp.counterfactual["income_gap_y0"]
    np.testing.assert_allclose(eff[d["reform"] == 1].to_numpy(), pp.truth.att_path["att"].to_numpy())
    assert pp.truth.att == pytest.approx(pp.truth.att_path["att"].mean()) and pp.truth.did_bias < 0
    again = didbook.simulate.province_panel(5, design_seed=2024)
    pd.testing.assert_frame_equal(again.loadings, pp.loadings)
    assert not np.allclose(again.data["income_gap"], d["income_gap"])
    for kwargs, match in (({"n_provinces": 5}, "n_provinces"), ({"start_year": 2013}, "start_year"),
                          ({"noise_scale": -1}, "noise_scale"), ({"seed": 1.5}, "seed")):  # fmt: skip
        with pytest.raises((ValueError, TypeError), match=match):
            didbook.simulate.province_panel(**kwargs)
