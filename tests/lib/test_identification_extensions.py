"""Identification proofs, part 3: the extensions of the simulated world -- a pilot that switches off (dcdh), a
dose (continuous DID), one early province (synthetic control / DID). See tests/lib/test_identification.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from identification_helpers import DG, GDP, PLATFORM, _fails, _study, _summary, _works  # noqa: F401

import didbook

pytestmark = pytest.mark.slow


# --- a pilot that switches off (dcdh), a dose (continuous_did), one early province (SC, SDID) -------------------


def _twfe_by_hand(panel, Y):
    """The static TWFE coefficient of pilot_on for every column of Y (residual of D on city and year dummies)."""
    from didbook.simulate._extras import twfe_weights as weights_of

    d = panel.data
    on = d["pilot_on"].to_numpy() == 1
    w = weights_of(d["city_id"].to_numpy(), d["year"].to_numpy(), on)
    D = d["pilot_on"].to_numpy(float)
    ui, ti = pd.factorize(d["city_id"])[0], pd.factorize(d["year"])[0]
    r = D.copy()
    for _ in range(200):
        r = r - (np.bincount(ui, r) / np.bincount(ui))[ui]
        r = r - (np.bincount(ti, r) / np.bincount(ti))[ti]
    assert np.allclose(r[on] / r[on].sum(), w)
    return (r @ Y) / (r @ D)


def _pilot_draws(design_seed: int, n_draws: int, n_dcdh: int, **switches) -> tuple[pd.DataFrame, object]:
    import warnings

    seeds = [design_seed * 1000 + r for r in range(n_draws)]
    panel, Y, _ = didbook.simulate.outcome_draws("pilot", "rural_eservice_use", seeds, design_seed=design_seed,
                                                 pilot=True, **switches)  # fmt: skip
    sw = panel.truth.switching.set_index("quantity")["value"]
    d = panel.data.copy()
    twfe = _twfe_by_hand(panel, Y)
    fit = didbook.twfe(d, "rural_eservice_use", "pilot_on", "city_id", "year", warn_few_clusters=False)
    assert twfe[0] == pytest.approx(fit.estimate, abs=1e-8)
    rows = [(r, "TWFE", twfe[r], np.nan, np.nan, np.nan, np.nan, sw["ATT"]) for r in range(n_draws)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(n_dcdh):
            d["rural_eservice_use"] = Y[:, r]
            f = didbook.dcdh(d, "rural_eservice_use", "city_id", "year", "pilot_on")
            rows.append((r, "dcdh", f.estimate, f.std_error, f.conf_low, f.conf_high, f.p_value, sw["DID_M"]))
    return _summary(rows), sw


def test_pilot_dcdh_recovers_did_m_twfe_misses_the_att():
    s, sw = _pilot_draws(101, n_draws=400, n_dcdh=200)
    _works(s.loc["dcdh"], conservative=True)  # the engine's analytic variance: about 1.7x the spread
    _fails(s.loc["TWFE"], -1, 0.05)  # too low for the ATT ...
    assert (
        abs(s.loc["TWFE", "mean_estimate"] - sw["TWFE estimand"]) < 4 * s.loc["TWFE", "bias_mc_se"]
    )  # ... as weighted
    assert sw["TWFE negative weight share"] > 0.05 and sw["TWFE estimand"] > 1.3 * sw["DID_M"]  # and not DID_M


def test_pilot_homogeneous_effects_dcdh_and_twfe_recover_the_effect():
    s, sw = _pilot_draws(202, n_draws=200, n_dcdh=200, homogeneous=True)
    assert sw["DID_M"] == pytest.approx(3.0) and sw["ATT"] == pytest.approx(3.0)
    _works(s.loc["dcdh"], conservative=True)
    assert abs(s.loc["TWFE", "relative_bias"]) <= 0.03 and abs(s.loc["TWFE", "bias"]) < 4 * s.loc["TWFE", "bias_mc_se"]


GRID = [0.4, 0.6, 0.8]  # 0.2 is too thinly populated for a 3% check at affordable draws


def _dose_works(row) -> None:
    """Unbiased within 3%; the engine's pointwise intervals are somewhat narrow (200 draws: coverage 0.87-0.94,
    standard errors 0.83-0.95 of the spread), documented in IDENTIFICATION: at least 85% here."""
    assert abs(row["relative_bias"]) <= 0.03, row
    assert row["coverage"] >= 0.85, row


def _dose_draws(design_seed: int, n_draws: int, selection: bool):
    import warnings

    seeds = [design_seed * 1000 + r for r in range(n_draws)]
    panel, Y, _ = didbook.simulate.outcome_draws("platform", "online_approval_rate", seeds, design_seed=design_seed,
                                                 dose=True, dose_selection=selection)  # fmt: skip
    truth = panel.truth.dose_response(GRID).set_index("dose")
    d, rows = panel.data.copy(), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(n_draws):
            d["online_approval_rate"] = Y[:, r]
            f = didbook.continuous_did(d, "online_approval_rate", "city_id", "year", "platform_cohort",
                                       "service_capability", dose_grid=GRID)  # fmt: skip
            c = f.dose_response.set_index("dose")
            for g in GRID:
                for k in ("att", "acrt"):
                    row = c.loc[g]
                    rows.append((r, f"{k}({g})", row[k], row[f"{k}_se"], row[f"{k}_low"], row[f"{k}_high"], np.nan,
                                 truth.loc[g, k]))  # fmt: skip
            t = f.tidy().set_index("term")
            for term, key in (("ATT", "att_o"), ("ACRT", "acrt_o")):
                rows.append((r, f"{term}^o", t.loc[term, "estimate"], t.loc[term, "std_error"], t.loc[term, "conf_low"],
                             t.loc[term, "conf_high"], t.loc[term, "p_value"], panel.truth.dose[key]))  # fmt: skip
    return _summary(rows), truth


def test_dose_strong_parallel_trends_continuous_did_recovers_att_and_acrt():
    s, _ = _dose_draws(101, n_draws=120, selection=False)
    for g in GRID:
        _dose_works(s.loc[f"att({g})"])
        acrt = s.loc[f"acrt({g})"]  # noisier (a derivative): within 4 MC SEs and 5%
        assert abs(acrt["bias"]) < 4 * acrt["bias_mc_se"] and abs(acrt["relative_bias"]) <= 0.05, acrt
    assert abs(s.loc["ATT^o", "relative_bias"]) <= 0.03 and s.loc["ATT^o", "coverage"] >= 0.93
    assert abs(s.loc["ACRT^o", "bias"]) < 4 * s.loc["ACRT^o", "bias_mc_se"]


def test_dose_selection_on_gains_acrt_not_identified():
    s, truth = _dose_draws(202, n_draws=120, selection=True)
    for g in GRID:
        _dose_works(s.loc[f"att({g})"])  # ATT(d|d) still identified (parallel trends hold)
        _fails(s.loc[f"acrt({g})"], +1, 0.3)  # the derivative of ATT(d|d) is not the causal response ...
        slope = truth.loc[g, "slope"]  # ... it is the slope, selection term included
        assert abs(s.loc[f"acrt({g})", "mean_estimate"] - slope) / slope <= 0.05, (g, s.loc[f"acrt({g})"])
    assert abs(s.loc["ATT^o", "relative_bias"]) <= 0.03
    _fails(s.loc["ACRT^o"], +1, 0.3)


def _province_draws(design_seed: int, n_draws: int, n_sdid: int) -> list[tuple]:
    import warnings

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(n_draws):
            pp = didbook.simulate.province_panel(design_seed * 1000 + r, design_seed=design_seed)
            args = (pp.data, "income_gap", "province_id", "year", "reform")
            att, r = pp.truth.att, design_seed * 10_000 + r
            sc = didbook.synthetic_control(*args, placebos=False)
            did = didbook.twfe(*args[:2], "reform", "province_id", "year", warn_few_clusters=False)
            rows += [(r, "SC", sc.estimate, np.nan, np.nan, np.nan, np.nan, att),
                     (r, "DID", did.estimate, np.nan, np.nan, np.nan, np.nan, att),
                     (r, "DID vs did_bias", did.estimate, np.nan, np.nan, np.nan, np.nan, att + pp.truth.did_bias)]  # fmt: skip
            if r % 10_000 < n_sdid:
                f = didbook.synthetic_did(*args, n_draws=50, seed=r)
                rows.append((r, "SDID", f.estimate, f.std_error, f.conf_low, f.conf_high, f.p_value, att))
    return rows


def test_one_early_province_synthetic_methods_close_did_biased():
    s = _summary(_province_draws(101, n_draws=100, n_sdid=100) + _province_draws(202, n_draws=100, n_sdid=100))
    for label in ("SC", "SDID"):
        assert abs(s.loc[label, "relative_bias"]) <= 0.2, s.loc[label]
    assert s.loc["SDID", "coverage"] >= 0.9, s.loc["SDID"]
    _fails(s.loc["DID"], -1, 1.0)  # too negative by more than the effect itself
    assert abs(s.loc["DID vs did_bias", "bias"]) < 4 * s.loc["DID vs did_bias", "bias_mc_se"]
