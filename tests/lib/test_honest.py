"""Tests for didbook.honest_sensitivity: the published HonestDiD Medicaid example and cross-checks.

Reference: the README of the R package HonestDiD (github.com/asheshrambachan/HonestDiD),
"Example usage - Medicaid expansions": TWFE event study of ``dins`` on ``i(year, D, ref = 2013)``
with state and year effects, clustered by state, on ``ehec_data`` restricted to years < 2016 and
dropping the 2015 cohort; ``numPrePeriods = 5``, ``numPostPeriods = 2``. The README prints the
robust intervals (rounded to three significant digits) but not ``betahat``/``sigma``, so the
inputs are rebuilt from the same data, which ships inside the ``moderndid`` wheel.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import didbook
from didbook import honest_sensitivity

# HonestDiD README: createSensitivityResults(..., Mvec = seq(0, 0.05, by = 0.01)), FLCI
README_SD = [
    (0.00, 0.0259, 0.0607),
    (0.01, 0.0132, 0.0787),
    (0.02, 0.00286, 0.0907),
    (0.03, -0.00714, 0.101),
    (0.04, -0.0171, 0.111),
    (0.05, -0.0271, 0.121),
]
# HonestDiD README: createSensitivityResults_relativeMagnitudes(..., Mbarvec = seq(0.5, 2, by = 0.5)), C-LF
README_RM = [(0.5, 0.0240, 0.0672), (1.0, 0.0170, 0.0720), (1.5, 0.00824, 0.0797), (2.0, -0.000916, 0.0881)]


@pytest.fixture(scope="module")
def medicaid() -> tuple[np.ndarray, np.ndarray]:
    import moderndid
    import pyfixest as pf

    df = moderndid.load_ehec()
    df = df.to_pandas() if hasattr(df, "to_pandas") else df
    d = df[(df["year"] < 2016) & (df["yexp2"].isna() | (df["yexp2"] != 2015))].copy()
    d["D"] = (d["yexp2"] == 2014).astype(int)
    cols = []
    for y in range(2008, 2016):
        if y != 2013:
            d[f"D_{y}"] = ((d["year"] == y) & (d["D"] == 1)).astype(int)
            cols.append(f"D_{y}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("dins ~ " + " + ".join(cols) + " | stfips + year", data=d, vcov={"CRV1": "stfips"})
    return fit.coef()[cols].to_numpy(), np.asarray(fit._vcov)


@pytest.fixture(scope="module")
def sd_result(medicaid):
    b, V = medicaid
    return honest_sensitivity(b, V, num_pre=5, num_post=2, method="smoothness", M=[m for m, _, _ in README_SD])


@pytest.mark.slow  # several seconds: runs in make test, not in the make check loop
def test_smoothness_reproduces_honestdid_readme(sd_result):
    tb = sd_result.table
    assert tb["M"].tolist() == pytest.approx([m for m, _, _ in README_SD])
    for (m, lb, ub), (_, row) in zip(README_SD, tb.iterrows()):
        assert row["lb"] == pytest.approx(lb, abs=1.5e-4), m
        assert row["ub"] == pytest.approx(ub, abs=1.5e-3 if abs(ub) > 0.1 else 1.5e-4), m
    assert (tb["method"] == "FLCI").all()
    # README: "the breakdown value for a significant effect is M = 0.03" -- the first grid value whose set includes
    # 0; the breakdown as the book defines it (the largest M under which the effect is still significant) lies
    # between the README's 0.02 (lb 0.00286) and 0.03 (lb -0.00714): by linear interpolation about 0.0229
    assert 0.02 < sd_result.breakdown < 0.03
    assert sd_result.breakdown == pytest.approx(0.02 + 0.01 * 0.00286 / (0.00286 + 0.00714), abs=5e-4)


def test_original_ci(sd_result, medicaid):
    b, V = medicaid
    lo, hi = sd_result.conf_low, sd_result.conf_high
    se = np.sqrt(V[5, 5])
    assert sd_result.estimate == pytest.approx(b[5])
    assert lo == pytest.approx(b[5] - 1.959964 * se, abs=1e-6)
    assert hi == pytest.approx(b[5] + 1.959964 * se, abs=1e-6)
    assert lo > 0  # significant under exact parallel trends


def test_smoothness_agrees_with_diff_diff(medicaid, sd_result):
    """moderndid (our engine) vs diff-diff's independent FLCI solver.

    diff-diff exposes the solver only as ``diff_diff.honest_did._compute_optimal_flci`` (private, but
    the version is pinned). The ``honestdid`` port is not used: it requires PyTorch (several GB).
    """
    from diff_diff.honest_did import _compute_optimal_flci

    b, V = medicaid
    ours = sd_result.table.set_index("M")
    for m in (0.0, 0.02, 0.05):
        lb, ub = _compute_optimal_flci(b[:5], b[5:], V, np.array([1.0, 0.0]), 5, 2, m)
        assert ours.loc[m, "lb"] == pytest.approx(float(lb), abs=1e-4)
        assert ours.loc[m, "ub"] == pytest.approx(float(ub), abs=1e-4)


@pytest.mark.slow  # about a minute: relative-magnitude C-LF intervals, run in every `make test`
def test_relative_magnitude_reproduces_honestdid_readme(medicaid):
    b, V = medicaid
    res = honest_sensitivity(b, V, num_pre=5, num_post=2, method="relative_magnitude", Mbar=[0.5, 2.0])
    got = res.table.set_index("M")
    for m, lb, ub in (README_RM[0], README_RM[3]):
        assert got.loc[m, "lb"] == pytest.approx(lb, abs=5e-4)
        assert got.loc[m, "ub"] == pytest.approx(ub, abs=5e-4)
    # README: "robust to violations up to about twice the largest pre-period one": the set still excludes 0 at
    # Mbar = 1.5 (lb 0.00824) and includes it at 2 (lb -0.000916), so the supremum lies in between, near 2
    assert 1.5 < res.breakdown < 2.0
    assert res.breakdown > 1.9  # lb(Mbar) is about linear between 1.5 and 2: zero crossing near 1.96


def test_relative_magnitude_small_example():
    """Two pre-periods (fast): robust sets widen with Mbar and contain the estimate."""
    b = np.array([0.004, -0.003, 0.05, 0.06])
    V = np.diag([0.01, 0.01, 0.012, 0.015]) ** 2
    res = honest_sensitivity(b, V, num_pre=2, num_post=2, method="relative_magnitude", Mbar=[0.0, 2.0], grid_points=200)
    tb = res.table
    assert (tb["method"] == "C-LF").all()
    assert (tb["lb"] <= res.estimate).all() and (tb["ub"] >= res.estimate).all()
    assert tb["lb"].iloc[1] < tb["lb"].iloc[0] and tb["ub"].iloc[1] > tb["ub"].iloc[0]
    assert res.conf_low > 0
    covers = (tb["lb"] <= 0) & (tb["ub"] >= 0)
    assert res.breakdown == (2.0 if covers.iloc[1] else None)
    # Mbar = 0 (no post-treatment change in the violation): close to the original interval
    assert tb["lb"].iloc[0] == pytest.approx(res.conf_low, abs=0.01)


@pytest.mark.slow  # several seconds: runs in make test, not in the make check loop
def test_accepts_event_study_result_and_matches_arrays():
    panel = didbook.simulate_city_panel(seed=2024, scenario="pt_violation")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = didbook.event_study(
            panel.data, "income_gap", "city_id", "year", "platform_cohort", leads=3, lags=2, bin=False
        )
    assert es.reference == -1
    res = honest_sensitivity(es, method="smoothness", M=[0.0, 0.05], target="average")
    pre = [e for e in es.event_times if e < -1]
    post = [e for e in es.event_times if e > -1]
    assert res.info["pre_post_periods"] == f"{len(pre)} / {len(post)}"
    est = np.asarray(es.estimates)
    order = np.argsort(es.event_times)
    assert res.estimate == pytest.approx(est[order][len(pre) :].mean())
    arr = honest_sensitivity(
        est[order],
        np.asarray(es.vcov)[np.ix_(order, order)],
        num_pre=len(pre),
        num_post=len(post),
        method="smoothness",
        M=[0.0, 0.05],
        target="average",
    )
    np.testing.assert_allclose(res.table[["lb", "ub"]], arr.table[["lb", "ub"]], atol=1e-10)


def test_plot_and_summary(sd_result):
    import matplotlib.pyplot as plt

    ax = sd_result.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    plt.close("all")
    s = sd_result.summary()
    assert "breakdown" in s.lower() and "M=0.03" in s
    from didbook._results import TIDY_COLUMNS

    assert list(sd_result.tidy().columns)[: len(TIDY_COLUMNS)] == TIDY_COLUMNS


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(sigma=np.eye(3)), ValueError, "sigma must be 4x4"),
        (dict(sigma=np.eye(4) + np.triu(np.ones((4, 4)), 1)), ValueError, "symmetric"),
        (dict(sigma=-np.eye(4)), ValueError, "positive semi-definite"),
        (dict(num_pre=3), ValueError, "num_pre \\+ num_post"),
        (dict(num_pre=1, num_post=3), ValueError, "at least 2 pre-period"),
        (dict(method="linear"), ValueError, "method must be"),
        (dict(target="last"), ValueError, "target must be"),
        (dict(sigma=None), ValueError, "pass sigma"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(sigma=np.eye(4) * 1e-4, num_pre=2, num_post=2, method="relative_magnitude")
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        honest_sensitivity(np.array([0.0, 0.01, 0.05, 0.06]), **args)


@pytest.mark.parametrize("num_pre", [1, 2])
def test_smoothness_default_grid_needs_three_pre_periods(num_pre):
    """Fewer than 3 pre-periods and no M: a message naming M, with a grid in units of the first post SE."""
    b = np.r_[np.zeros(num_pre), 0.05, 0.06]
    V = np.diag(np.r_[[0.01] * num_pre, 0.02, 0.03]) ** 2  # first post-period SE: 0.02
    with pytest.raises(
        ValueError,
        match=r"num_pre=%d .*at least 3.*Pass the grid M.*se = 0\.02\): M=\[0, 0\.005, 0\.01, 0\.02\]" % num_pre,
    ):
        honest_sensitivity(b, V, num_pre=num_pre, num_post=2, method="smoothness")


def test_smoothness_with_two_pre_periods_runs_with_the_suggested_grid():
    b, V = np.array([0.0, 0.0, 0.05, 0.06]), np.diag([0.01, 0.01, 0.02, 0.03]) ** 2
    res = honest_sensitivity(b, V, num_pre=2, num_post=2, method="smoothness", M=[0, 0.005, 0.01, 0.02])
    assert res.table["M"].tolist() == [0, 0.005, 0.01, 0.02]
    assert (np.diff(res.table["ub"] - res.table["lb"]) >= -1e-9).all()  # the sets widen with M
    assert res.info["pre_post_periods"] == "2 / 2" and all(k.isidentifier() for k in res.info)


def test_object_without_event_study_attributes():
    with pytest.raises(TypeError, match="event_times"):
        honest_sensitivity(object())


@pytest.mark.slow  # several seconds: runs in make test, not in the make check loop
def test_breakdown_is_the_supremum_found_by_bisection(medicaid, sd_result):
    """Smoothness on the Medicaid example: the set excludes 0 at M = 0.02 (lb 0.00286) and includes it at 0.03;
    the breakdown is where the FLCI lower bound crosses 0, checked by recomputing the set there."""
    assert 0.02 < sd_result.breakdown < 0.03
    b, V = medicaid
    at = honest_sensitivity(b, V, num_pre=5, num_post=2, method="smoothness", M=[sd_result.breakdown])
    assert at.table["lb"].iloc[0] == pytest.approx(0.0, abs=0.01 * 0.03 * 2)  # bracket width x slope (~1 per M)
    below = honest_sensitivity(b, V, num_pre=5, num_post=2, method="smoothness", M=[0.99 * sd_result.breakdown])
    assert below.table["lb"].iloc[0] > 0
    assert sd_result.info["inference"].startswith("normal critical values")


def test_refuses_binned_and_varying_base_event_studies():
    panel = didbook.simulate_city_panel(seed=2024)
    d = panel.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binned = didbook.event_study(d, "income_gap", "city_id", "year", "platform_cohort", leads=3, lags=2)
    with pytest.raises(ValueError, match="binned end points"):
        honest_sensitivity(binned, method="smoothness")
    args = (d, "income_gap", "city_id", "year", "platform_cohort")
    varying = didbook.staggered(*args, method="cs").aggregate("dynamic")
    with pytest.raises(ValueError, match="base_period='universal'"):
        honest_sensitivity(varying, method="smoothness")


@pytest.mark.slow  # several seconds: runs in make test, not in the make check loop
def test_accepts_heterogeneity_robust_event_studies():
    """CS with a universal base and SA: the -1 reference row is dropped, pre and post periods read off the table."""
    panel = didbook.simulate_city_panel(seed=2024)
    args = (panel.data, "income_gap", "city_id", "year", "platform_cohort")
    for fit in (
        didbook.staggered(*args, method="cs", base_period="universal", cluster="province_id"),
        didbook.staggered(*args, method="sa", cluster="province_id"),
    ):
        dyn = fit.aggregate("dynamic")
        res = honest_sensitivity(dyn, method="smoothness", M=[0.0, 0.1])
        tb = dyn.table.set_index("event_time")
        n_pre = int((tb.index < -1).sum())
        assert res.info["pre_post_periods"] == f"{n_pre} / {int((tb.index >= 0).sum())}"
        assert res.estimate == pytest.approx(tb.loc[0, "estimate"])
        assert res.std_error == pytest.approx(tb.loc[0, "std_error"], rel=1e-8)
