"""didbook.lp_did against per-horizon long-difference regressions on clean controls (pyfixest), built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook


def hand_sample(df, h):
    """Dube et al. (2023), eq. (4) sample at horizon h: the long difference y_{t+h} - y_{t-1}, the switch dD_t,
    the covariate x at t, for switchers at t and clean controls, units not treated by max(t, t + h)."""
    d = df.assign(D=((df["g"] > 0) & (df["t"] >= df["g"])).astype(int))
    Y, D = d.pivot(index="id", columns="t", values="y"), d.pivot(index="id", columns="t", values="D")
    X, P = d.pivot(index="id", columns="t", values="x"), d.pivot(index="id", columns="t", values="prov")
    t0, t1 = d["t"].min(), d["t"].max()
    rows = []
    for t in range(t0 + 1, t1 + 1):
        if not t0 <= t + h <= t1:
            continue
        dD = D[t] - D[t - 1]
        keep = (dD == 1) | (D[max(t, t + h)] == 0)
        rows.append(pd.DataFrame({"id": Y.index[keep], "t": t, "dy": (Y[t + h] - Y[t - 1])[keep].to_numpy(),
                                  "dD": dD[keep].to_numpy(), "x": X[t][keep].to_numpy(),
                                  "prov": P[t][keep].to_numpy()}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def hand_lp(df, h, controls=(), cluster="id"):
    """The horizon-h regression dy ~ dD (+ controls) | t, CR1 by ``cluster``."""
    rhs = " + ".join(["dD", *controls])
    return pf.feols(f"dy ~ {rhs} | t", data=hand_sample(df, h), vcov={"CRV1": cluster})


def hand_ra(df, h, cluster="id"):
    """Regression adjustment (Dube et al. 2023, section 4.1): OLS of dy on x and period dummies in the clean
    controls, the treated switchers' mean residual from it; SE from its influence function summed by cluster
    (phi_i = n/n_1 (r_i - ATT) for switchers, -n z_i' (Z0'Z0)^{-1} mean(z_1) e_i for controls)."""
    s = hand_sample(df, h)
    Z = np.column_stack([np.ones(len(s)), s["x"], pd.get_dummies(s["t"], drop_first=True, dtype=float)])
    tr = s["dD"].to_numpy() == 1
    b = np.linalg.lstsq(Z[~tr], s["dy"].to_numpy()[~tr], rcond=None)[0]
    r = s["dy"].to_numpy() - Z @ b
    att = r[tr].mean()
    n = len(s)
    phi = np.where(tr, n / tr.sum() * (r - att), 0.0)
    phi[~tr] = -n * (Z[~tr] @ np.linalg.solve(Z[~tr].T @ Z[~tr], Z[tr].mean(axis=0))) * r[~tr]
    g = pd.Series(phi).groupby(s[cluster].to_numpy()).sum().to_numpy()
    return att, float(np.sqrt(g @ g) / n)


@pytest.fixture(scope="module")
def panel():
    return staggered_panel(seed=7)


@pytest.fixture(scope="module")
def fit(panel):
    return didbook.lp_did(panel, "y", "id", "t", "g", pre=2, post=2)


@pytest.mark.parametrize("h", [-2, 0, 1, 2])
def test_each_horizon_matches_a_hand_regression(panel, fit, h):
    ref = hand_lp(panel, h)
    row = fit.event_study.set_index("event_time").loc[h]
    assert row["estimate"] == pytest.approx(float(ref.coef().iloc[0]), abs=1e-8)
    assert row["std_error"] == pytest.approx(float(ref.se().iloc[0]), rel=0.02)
    assert row["n_obs"] == ref._N


def test_vocabulary_and_reference(fit):
    check_vocabulary(fit)
    ref = fit.event_study.set_index("event_time").loc[-1]
    assert ref["estimate"] == 0 and pd.isna(ref["std_error"])
    assert fit.tidy().iloc[0]["term"] == "ATT (pooled)"


def test_reweighted_estimand_and_odd_names(panel):
    a = didbook.lp_did(panel, "y", "id", "t", "g", pre=2, post=2, reweight=True)
    odd = panel.rename(columns={"y": "outcome (y)", "id": "单位"})
    b = didbook.lp_did(odd, "outcome (y)", "单位", "t", "g", pre=2, post=2, reweight=True)
    assert b.estimate == pytest.approx(a.estimate, abs=1e-12)
    assert any("equally weighted" in n for n in a.notes)


@pytest.mark.parametrize("h", [-2, 0, 2])
def test_controls_and_province_clusters_match_hand_regressions(panel, h):
    """A control named like the wrapper's internal columns used to clash with LPDiD's reserved names."""
    fit = didbook.lp_did(panel, "y", "id", "t", "g", ["x"], pre=2, post=2, cluster="prov")
    ref = hand_lp(panel, h, ["x"], cluster="prov")
    row = fit.event_study.set_index("event_time").loc[h]
    assert row["estimate"] == pytest.approx(float(ref.coef()["dD"]), abs=1e-8)
    assert row["std_error"] == pytest.approx(float(ref.se()["dD"]), rel=0.02)
    assert fit.info["n_clusters"] == 20 and fit.info["controls"] == ["x"]
    check_vocabulary(fit)


@pytest.mark.parametrize("h", [-2, 0, 2])
def test_reweighted_controls_are_regression_adjustment(panel, h):
    fit = didbook.lp_did(panel, "y", "id", "t", "g", ["x"], pre=2, post=2, reweight=True, cluster="prov")
    att, se = hand_ra(panel, h, cluster="prov")
    row = fit.event_study.set_index("event_time").loc[h]
    assert row["estimate"] == pytest.approx(att, abs=1e-8)
    assert row["std_error"] == pytest.approx(se, rel=1e-6)


def test_pre_1_has_no_placebos_and_the_same_estimates(panel, fit):
    one = didbook.lp_did(panel, "y", "id", "t", "g", pre=1, post=2)
    assert one.event_study["event_time"].tolist() == [-1, 0, 1, 2]
    two = fit.event_study.set_index("event_time").loc[[-1, 0, 1, 2]]
    assert one.event_study["estimate"].to_numpy() == pytest.approx(two["estimate"].to_numpy(), abs=1e-12)
    assert (one.estimate, one.std_error) == pytest.approx((fit.estimate, fit.std_error), abs=1e-12)
    with pytest.raises(ValueError, match="pre"):
        didbook.lp_did(panel, "y", "id", "t", "g", pre=0)
