"""The batched fast path (didbook.fast) equals per-draw library fits to 1e-8.

Each batched estimator fits an (n_rows x R) outcome matrix on one fixed design. Here the design is
a small simulated city panel and the R = 3 outcome columns are the panel's outcome plus independent
noise; every column is refitted with didbook.twfe / didbook.staggered and compared (estimate,
standard error and interval ends).
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
from scipy import stats

import didbook
from didbook import fast

TOL = 1e-8
CONTROLS = ["log_gdp_pc", "digitalization"]


def _panel(**kw):
    return didbook.simulate_city_panel(seed=11, n_cities=40, n_provinces=10, start_year=2012, end_year=2019, **kw)


@pytest.fixture(scope="module")
def balanced():
    p = _panel()
    rng = np.random.default_rng(5)
    y = p.data["income_gap"].to_numpy()
    Y = np.column_stack([y + rng.normal(0, 0.4, len(y)) for _ in range(3)])
    return p.data, Y


@pytest.fixture(scope="module")
def unbalanced():
    p = _panel(scenario="unbalanced")
    rng = np.random.default_rng(6)
    y = p.data["income_gap"].to_numpy()
    Y = np.column_stack([y + rng.normal(0, 0.4, len(y)) for _ in range(3)])
    return p.data, Y


def _stag_kw(controls):
    name = "controls" if "controls" in inspect.signature(didbook.staggered).parameters else "covariates"
    return {name: list(controls)}


def _library(data, Y, method, controls, cluster, control="never", aggregation="simple", **kw):
    out = []
    d = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(Y.shape[1]):
            d["y_draw"] = Y[:, r]
            if method == "twfe":
                res = didbook.twfe(
                    d,
                    "y_draw",
                    "platform_treated",
                    "city_id",
                    "year",
                    controls=controls,
                    cluster=cluster,
                    warn_few_clusters=False,
                )
                row = res.tidy().iloc[0]
            else:
                res = didbook.staggered(
                    d,
                    "y_draw",
                    "city_id",
                    "year",
                    "platform_cohort",
                    method=method,
                    control=control,
                    cluster=cluster,
                    **_stag_kw(controls),
                    **kw,
                )
                agg = res.aggregate(aggregation)
                row = {k: getattr(agg, k) for k in ("estimate", "std_error", "conf_low", "conf_high")}
            out.append([row["estimate"], row["std_error"], row["conf_low"], row["conf_high"]])
    return np.array(out)


def _batch(data, Y, method, controls, cluster, control="never", aggregation="simple", **kw):
    if method == "twfe":
        f = fast.twfe(data, Y, "platform_treated", controls=controls, cluster=cluster)
    else:
        f = fast.staggered(
            data,
            Y,
            "platform_cohort",
            method=method,
            controls=controls,
            cluster=cluster,
            control=control,
            aggregation=aggregation,
            **kw,
        )
    return np.column_stack([f.estimate, f.std_error, f.conf_low, f.conf_high])


CASES = [(m, c, cl) for m in ("twfe", "sa", "bjs") for c in ([], CONTROLS) for cl in ("city_id", "province_id")]


@pytest.mark.parametrize(("method", "controls", "cluster"), CASES)
def test_batched_equals_library_balanced(balanced, method, controls, cluster):
    data, Y = balanced
    got, want = _batch(data, Y, method, controls, cluster), _library(data, Y, method, controls, cluster)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


@pytest.mark.parametrize("aggregation", ["simple", "dynamic"])
@pytest.mark.parametrize("cluster", [None, "province_id"])
@pytest.mark.parametrize("control", ["never", "notyet"])
def test_batched_cs_equals_library(balanced, control, cluster, aggregation):
    """CS clustered by the unit or by province (influence functions summed by cluster), simple and dynamic."""
    data, Y = balanced
    got = _batch(data, Y, "cs", [], cluster, control, aggregation)
    want = _library(data, Y, "cs", [], cluster, control, aggregation)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def test_batched_cs_clustered_by_province_is_not_the_unit_fit(balanced):
    data, Y = balanced
    unit, prov = _batch(data, Y, "cs", [], None), _batch(data, Y, "cs", [], "province_id")
    np.testing.assert_allclose(unit[:, 0], prov[:, 0], rtol=0, atol=1e-12)  # same estimate
    assert np.all(np.abs(unit[:, 1] - prov[:, 1]) > 1e-6)  # different standard error
    f = fast.staggered(data, Y, "platform_cohort", method="cs", cluster="province_id")
    G = data["province_id"].nunique()
    half = f.conf_high - f.estimate
    np.testing.assert_allclose(half / f.std_error, stats.t(G - 1).ppf(0.975), rtol=1e-12)  # t(G - 1), G provinces


@pytest.mark.parametrize("leave_out", [True, False])
@pytest.mark.parametrize("controls", [[], CONTROLS])
def test_batched_bjs_leave_out_equals_library(balanced, leave_out, controls):
    data, Y = balanced
    got = _batch(data, Y, "bjs", controls, "province_id", leave_out=leave_out)
    want = _library(data, Y, "bjs", controls, "province_id", leave_out=leave_out)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    if not leave_out:  # the leave-out changes the variance, not the estimate
        other = _batch(data, Y, "bjs", controls, "province_id")
        np.testing.assert_allclose(got[:, 0], other[:, 0], rtol=0, atol=1e-12)
        assert np.all(got[:, 1] < other[:, 1])


@pytest.mark.parametrize(("method", "controls", "cluster"), [("sa", [], "province_id"), ("sa", CONTROLS, None),
                                                             ("bjs", [], "province_id"), ("bjs", CONTROLS, None)])  # fmt: skip
def test_batched_dynamic_equals_library(balanced, method, controls, cluster):
    data, Y = balanced
    got = _batch(data, Y, method, controls, cluster, aggregation="dynamic")
    want = _library(data, Y, method, controls, cluster, aggregation="dynamic")
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


@pytest.mark.parametrize("method", ["twfe", "sa", "bjs"])
def test_batched_equals_library_unbalanced(unbalanced, method):
    data, Y = unbalanced
    got, want = _batch(data, Y, method, CONTROLS, "province_id"), _library(data, Y, method, CONTROLS, "province_id")
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def test_not_batchable_is_explicit(balanced, unbalanced):
    data, Y = balanced
    with pytest.raises(fast.NotBatchable, match="covariates"):
        fast.staggered(data, Y, "platform_cohort", method="cs", controls=CONTROLS)
    with pytest.raises(fast.NotBatchable, match="aggregation 'group'"):
        fast.staggered(data, Y, "platform_cohort", method="cs", aggregation="group")
    with pytest.raises(ValueError, match="aggregation must be"):
        fast.staggered(data, Y, "platform_cohort", method="cs", aggregation="event")
    mixed = data.assign(region=np.arange(len(data)) % 3)  # varies within city
    with pytest.raises(ValueError, match="varies within unit"):
        fast.staggered(mixed, Y, "platform_cohort", method="cs", cluster="region")
    with pytest.raises(fast.NotBatchable, match="balanced"):
        fast.staggered(unbalanced[0], unbalanced[1], "platform_cohort", method="cs")
    with pytest.raises(ValueError, match="shape"):
        fast.twfe(data, Y[:-1], "platform_treated")


def _placebo_design(data, k=3, year=2016, seed=4):
    """A province-level placebo launch (all cities of k provinces in ``year``), as the size study."""
    launched = np.random.default_rng(seed).choice(np.sort(data["province_id"].unique()), k, replace=False)
    d = data[["city_id", "province_id", "year"]].copy()
    d["placebo"] = (d["province_id"].isin(launched) & (d["year"] >= year)).astype(int)
    return d


@pytest.mark.parametrize("weight_type", ["rademacher", "webb"])
def test_wild_bootstrap_pvalues_equal_library(balanced, weight_type):
    data, Y = balanced
    d = _placebo_design(data)
    got = fast.wild_bootstrap_pvalues(
        d, Y, "placebo", "city_id", "year", "province_id", n_draws=199, seed=3, weight_type=weight_type
    )
    want = []
    for r in range(Y.shape[1]):
        d["y_draw"] = Y[:, r]
        res = didbook.wild_cluster_bootstrap(
            d,
            "y_draw",
            "placebo",
            "city_id",
            "year",
            "province_id",
            n_draws=199,
            seed=3,
            weight_type=weight_type,
            conf_int=False,
        )
        want.append(res.p_value)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("cluster", "controls"), [("province_id", []), (None, CONTROLS)])
def test_placebo_pvalues_equal_library(balanced, cluster, controls):
    data, Y = balanced
    d = _placebo_design(data).join(data[CONTROLS])
    got = fast.placebo_pvalues(d, Y, "placebo", "city_id", "year", cluster, n_draws=199, seed=3, controls=controls)
    want = []
    for r in range(Y.shape[1]):
        d["y_draw"] = Y[:, r]
        res = didbook.placebo_test(
            d, "y_draw", "placebo", "city_id", "year", controls, n_draws=199, seed=3, cluster=cluster, progress=False
        )
        want.append(res.p_value)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
