"""didbook.lp_did against per-horizon long-difference regressions on clean controls (pyfixest), built here."""

from __future__ import annotations

import pandas as pd
import pyfixest as pf
import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook


def hand_lp(df, h):
    """Dube et al. (2023), eq. (4): y_{t+h} - y_{t-1} on the switch dD_t with period FE, in the sample of
    switchers at t and clean controls, units not treated by max(t, t + h); SEs clustered by unit."""
    d = df.assign(D=((df["g"] > 0) & (df["t"] >= df["g"])).astype(int))
    Y, D = d.pivot(index="id", columns="t", values="y"), d.pivot(index="id", columns="t", values="D")
    t0, t1 = d["t"].min(), d["t"].max()
    rows = []
    for t in range(t0 + 1, t1 + 1):
        if not t0 <= t + h <= t1:
            continue
        dD = D[t] - D[t - 1]
        keep = (dD == 1) | (D[max(t, t + h)] == 0)
        rows.append(pd.DataFrame({"id": Y.index[keep], "t": t, "dy": (Y[t + h] - Y[t - 1])[keep].to_numpy(),
                                  "dD": dD[keep].to_numpy()}))  # fmt: skip
    return pf.feols("dy ~ dD | t", data=pd.concat(rows), vcov={"CRV1": "id"})


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
