"""didbook.continuous_did on simulated panels with a known dose-response curve: ATT(d) = 2 d^2, ACRT(d) = 4 d
(a platform's service-capability score d ~ U(0, 1) switched on in period 3 for half the units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from wrapped_checks import check_vocabulary

import didbook
from didbook import PanelDataError

GRID = np.array([0.2, 0.4, 0.6, 0.8])


def dose_panel(seed, n=400, T=4):
    rng = np.random.default_rng(seed)
    dose = np.where(np.arange(n) < n // 2, rng.uniform(0, 1, n), 0.0)
    df = pd.DataFrame([(i, t) for i in range(n) for t in range(1, T + 1)], columns=["city", "year"])
    df["cohort"] = np.where(dose > 0, 3, 0)[df["city"]]
    df["capability score"] = dose[df["city"]]
    on = (df["year"] >= 3) & (df["cohort"] > 0)
    df["y"] = (
        rng.normal(size=n)[df["city"]]
        + 0.1 * df["year"]
        + 2 * df["capability score"] ** 2 * on
        + rng.normal(0, 0.5, len(df))
    )
    return df


@pytest.fixture(scope="module")
def draws():
    return [
        didbook.continuous_did(
            dose_panel(s), "y", "city", "year", "cohort", "capability score", degree=2, dose_grid=GRID
        )
        for s in range(40)
    ]


@pytest.mark.slow
def test_dose_response_curve_recovered_over_draws(draws):
    att = np.array([f.dose_response["att"].to_numpy() for f in draws])
    acrt = np.array([f.dose_response["acrt"].to_numpy() for f in draws])
    for est, truth in ((att, 2 * GRID**2), (acrt, 4 * GRID)):
        mc_se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
        assert np.all(np.abs(est.mean(axis=0) - truth) < 4 * mc_se + 0.02), (est.mean(axis=0), truth)
    # the engine's standard errors match the spread over draws (within 25%)
    se = np.array([f.dose_response["att_se"].to_numpy() for f in draws]).mean(axis=0)
    assert np.all(np.abs(se / att.std(axis=0, ddof=1) - 1) < 0.25)


@pytest.mark.slow
def test_overall_att_and_acrt_over_draws(draws):
    att = np.array([f.estimate for f in draws])
    acrt = np.array([f.tidy().loc[1, "estimate"] for f in draws])
    # ATT^o = E[2 D^2 | D > 0] = 2/3; ACRT^o = E[4 D | D > 0] = 2 (d ~ U(0, 1))
    assert abs(att.mean() - 2 / 3) < 4 * att.std(ddof=1) / np.sqrt(len(att)) + 0.01
    assert abs(acrt.mean() - 2.0) < 4 * acrt.std(ddof=1) / np.sqrt(len(acrt)) + 0.02
    check_vocabulary(draws[0])
    assert draws[0].tidy()["term"].tolist() == ["ATT", "ACRT"]


def test_dose_errors_name_the_column():
    df = dose_panel(0)
    bad = df.copy()
    bad.loc[bad["city"] == 0, "capability score"] = [0.1, 0.2, 0.3, 0.4]
    with pytest.raises(PanelDataError, match="capability score"):
        didbook.continuous_did(bad, "y", "city", "year", "cohort", "capability score")
    bad = df.copy()
    bad.loc[bad["cohort"] == 0, "capability score"] = 0.5
    with pytest.raises(PanelDataError, match="never-treated"):
        didbook.continuous_did(bad, "y", "city", "year", "cohort", "capability score")
