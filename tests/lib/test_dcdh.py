"""didbook.dcdh on a switching panel with a known effect (Monte Carlo), and didbook.twfe_weights against the
de Chaisemartin-D'Haultfoeuille (2020) weights computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from wrapped_checks import check_vocabulary

import didbook
from didbook import PanelDataError


def pilot_panel(seed, n=240, T=6, effect=1.0):
    """A pilot switched on in period 2 and withdrawn in period 4 (a third of units), units that adopt in
    2 and stay treated (a third), never-treated units (a third); unit and period effects, noise sd 0.5."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(i, t) for i in range(n) for t in range(T)], columns=["id", "t"])
    pilot = (df["id"] % 3 == 0) & df["t"].between(2, 3)
    df["pilot"] = (pilot | ((df["id"] % 3 == 1) & (df["t"] >= 2))).astype(int)
    df["y"] = rng.normal(size=n)[df["id"]] + 0.2 * df["t"] + effect * df["pilot"] + rng.normal(0, 0.5, len(df))
    return df


@pytest.mark.slow
def test_did_m_recovers_the_effect_over_draws_and_its_se_is_not_too_small():
    fits = [didbook.dcdh(pilot_panel(s), "y", "id", "t", "pilot") for s in range(120)]
    est = np.array([f.estimate for f in fits])
    se = np.array([f.std_error for f in fits])
    mc_se = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - 1.0) < 4 * mc_se
    ratio = se.mean() / est.std(ddof=1)  # engine variance with multi-switch units: conservative here
    assert 0.9 < ratio < 1.6
    cover = np.mean([f.conf_low <= 1.0 <= f.conf_high for f in fits])
    assert cover >= 0.9


def test_joiners_leavers_switching_off_note_and_vocabulary():
    fit = didbook.dcdh(pilot_panel(1), "y", "id", "t", "pilot")
    check_vocabulary(fit)
    assert fit.info["units_switching_off"] == 80
    assert any("switches off for 80 unit(s)" in n for n in fit.notes)
    for part in (fit.joiners, fit.leavers):
        assert list(part.columns[:6]) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
        assert abs(part["estimate"].iloc[0] - 1.0) < 4 * part["std_error"].iloc[0]
    dyn = didbook.dcdh(pilot_panel(1), "y", "id", "t", "pilot", horizons=2)
    assert dyn.info["estimand"].startswith("delta")
    assert {1, 2} <= set(dyn.event_study["event_time"]) and (dyn.event_study["event_time"] < 0).any()


def test_odd_names_and_errors():
    df = pilot_panel(2)
    odd = df.rename(columns={"id": "城市 id", "t": "year.0", "pilot": "试点 (pilot)", "y": "gap y"})
    a = didbook.dcdh(df, "y", "id", "t", "pilot")
    b = didbook.dcdh(odd, "gap y", "城市 id", "year.0", "试点 (pilot)")
    assert b.estimate == pytest.approx(a.estimate, abs=1e-12)
    with pytest.raises(PanelDataError, match="试点"):
        didbook.dcdh(
            odd.assign(**{"试点 (pilot)": odd["试点 (pilot)"] * 2}), "gap y", "城市 id", "year.0", "试点 (pilot)"
        )
    with pytest.raises(PanelDataError, match="never changes"):
        didbook.dcdh(odd.assign(**{"试点 (pilot)": 0}), "gap y", "城市 id", "year.0", "试点 (pilot)")


def hand_weights(df, unit, time, treatment):
    """w_gt = e_gt / sum over treated cells of e, e the residual of D on unit and period dummies (balanced panel,
    one observation per cell; de Chaisemartin and D'Haultfoeuille 2020, Theorem 1)."""
    X = pd.get_dummies(df[[unit, time]].astype(str), drop_first=False).to_numpy(float)
    D = df[treatment].to_numpy(float)
    e = D - X @ np.linalg.lstsq(X, D, rcond=None)[0]
    tr = D == 1
    return pd.Series(e[tr] / e[tr].sum(), index=pd.MultiIndex.from_frame(df.loc[tr, [unit, time]]))


@pytest.fixture(scope="module")
def mpdta_weights():
    df = didbook.load_dataset("mpdta").data
    df["D"] = ((df["first.treat"] > 0) & (df["year"] >= df["first.treat"])).astype(int)
    return df, didbook.twfe_weights(df, "lemp", "countyreal", "year", "D")  # about 10 s (the engine)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["mpdta", "pilot"])
def test_twfe_weights_match_the_formula(which, mpdta_weights):
    if which == "mpdta":
        (df, w), (unit, time, y, d) = mpdta_weights, ("countyreal", "year", "lemp", "D")
    else:
        df, unit, time, y, d = pilot_panel(3), "id", "t", "y", "pilot"
        w = didbook.twfe_weights(df, y, unit, time, d)
    ref = hand_weights(df, unit, time, d)
    got = w.tidy().set_index([unit, time])["weight"]
    assert got.loc[ref.index].to_numpy() == pytest.approx(ref.to_numpy(), abs=1e-10)
    assert w.share_negative == pytest.approx(float((ref < -1e-12).mean()), abs=1e-12)
    assert w.sum_negative == pytest.approx(float(ref[ref < 0].sum()), abs=1e-10)
    assert w.tidy()["weight"].sum() == pytest.approx(1.0, abs=1e-10)
    twfe = didbook.twfe(df, y, d, unit, time)
    assert w.estimate == pytest.approx(twfe.estimate, abs=1e-8)  # beta_fe = sum_gt w_gt * Delta_gt's TWFE


@pytest.mark.slow
def test_twfe_weights_on_mpdta_values(mpdta_weights):
    w = mpdta_weights[1]
    assert (w.share_negative, round(w.sum_negative, 4)) == (pytest.approx(20 / 291), -0.0109)
    assert w.estimate == pytest.approx(-0.0365, abs=5e-5)  # the static TWFE coefficient on mpdta
