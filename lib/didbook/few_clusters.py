"""Inference for the TWFE DID coefficient when treatment is assigned to few clusters.

In the book's simulated world policies are launched by province (30 of them), sometimes in one or
a few provinces. The cluster-robust (CRV1) t-test of :func:`didbook.twfe` then over-rejects, the
more so the fewer clusters are treated (MacKinnon and Webb 2017, 2018). This module adds three
remedies beside :func:`didbook.wild_cluster_bootstrap` and :func:`didbook.placebo_test`:

:func:`cr2_test`
    Bell-McCaffrey (CR2) cluster-robust standard error with the Imbens-Kolesar (2016) (or
    Bell-McCaffrey) degrees of freedom for a t reference distribution; ``vcov="CR3"`` gives the
    leave-one-cluster-out jackknife instead (pyfixest's ``CRV3``, scaled by ``(G - 1) / G``).
:func:`randomization_t_test`
    Randomization inference that re-assigns the treated clusters and compares the cluster-robust
    *t statistic*, not the coefficient (studentized RI: MacKinnon and Webb 2020; Young 2019).
:func:`conley_taber`
    Conley and Taber's (2011) interval for few treated groups and many control groups, built from
    the distribution of the control groups' residuals.

Each returns a :class:`didbook.Result` with the five headline numbers and notes saying what the
inference assumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._cr2 import cr2_contrast
from ._demean import _sorted_layout, _TwoWayAnnihilator
from ._resampling import (
    bootstrap_pvalue,
    cluster_cohorts,
    cluster_t_stats,
    distinct_assignments,
    draw_cohorts,
    n_distinct_assignments,
)
from ._results import Result
from ._validation import (
    PanelDataError,
    as_list,
    check_absorbing,
    check_binary,
    check_int,
    check_number,
    check_panel,
    outcome_draws,
)
from .adapters import pyfixest as pfx
from .twfe import twfe

__all__ = [
    "cr2_test",
    "SmallSampleResult",
    "randomization_t_test",
    "RandomizationTResult",
    "conley_taber",
    "ConleyTaberResult",
    "HETEROSKEDASTICITY",
    "cr2_pvalues",
    "randomization_t_pvalues",
    "conley_taber_pvalues",
]

#: Max float64 cells (rows x assignments) of residualized placebo treatments held at once.
CHUNK_CELLS = 20_000_000


@dataclass
class _Design:
    """Rows sorted by unit then time, the annihilator of the unit/time effects and controls, y~ and d~."""

    order: np.ndarray
    u_s: np.ndarray
    t_s: np.ndarray
    u_codes: np.ndarray
    t_codes: np.ndarray
    units: np.ndarray
    periods: np.ndarray
    cl: np.ndarray
    clusters: np.ndarray
    M: Any
    yt: np.ndarray
    dt: np.ndarray

    @property
    def beta(self) -> float:
        return float(self.dt @ self.yt / (self.dt @ self.dt))


def _design(data, outcome, treatment, unit, time, controls, cluster) -> _Design:
    u_codes, t_codes, units, periods, order, starts = _sorted_layout(data, unit, time)
    u_s, t_s = u_codes[order], t_codes[order]
    cl, clusters = pd.factorize(data[cluster].to_numpy()[order], sort=True)
    if len(clusters) < 2:
        raise PanelDataError(f"cluster column {cluster!r} has a single value; need at least 2 clusters")
    X = data[controls].to_numpy(dtype=float)[order] if controls else None
    M = _TwoWayAnnihilator(u_s, t_s, starts, X, controls)
    yt = M(data[outcome].to_numpy(dtype=float)[order]) if outcome is not None else np.zeros(len(order))
    dt = M(data[treatment].to_numpy(dtype=float)[order])
    return _Design(order, u_s, t_s, u_codes, t_codes, units, periods, cl, np.asarray(clusters), M, yt, dt)


def _treated_clusters(data: pd.DataFrame, treatment: str, cluster: str) -> tuple[int, int]:
    """(clusters with some treated row, clusters never treated)."""
    ever = data.groupby(cluster, sort=False)[treatment].max().to_numpy(dtype=float) > 0
    return int(ever.sum()), int((~ever).sum())


# ------------------------------------------------------------------------------------- CR2 / CR3


@dataclass(repr=False)
class SmallSampleResult(Result):
    """Result of :func:`cr2_test`.

    Attributes
    ----------
    estimate : float
        The TWFE coefficient (as :func:`didbook.twfe`).
    std_error : float
        CR2 (Bell-McCaffrey) or CR3 (jackknife) cluster-robust standard error.
    conf_low, conf_high, p_value : float
        From a t distribution with ``df`` degrees of freedom.
    t_stat, df : float
        The t statistic and its degrees of freedom (Imbens-Kolesar, Bell-McCaffrey or ``G - 1``).
    vcov_type : str
        ``"CR2"`` or ``"CR3"``.
    n_clusters : int
    model : TwfeResult
        The TWFE fit with the usual CRV1 standard error (``tidy()`` shows both).
    """

    t_stat: float = np.nan
    df: float = np.nan
    vcov_type: str = "CR2"
    n_clusters: int = 0
    model: Any = None


def _cr2_blocks(des: _Design) -> tuple[list, list, np.ndarray]:
    """Per-cluster blocks of the orthonormal design basis [unit indicators / sqrt(n_u), Q, d~/|d~|]."""
    n_units, q = len(des.units), des.M.Q.shape[1]
    n_u = np.bincount(des.u_s, minlength=n_units).astype(float)
    norm = float(np.sqrt(des.dt @ des.dt))
    rest = np.column_stack([des.M.Q, des.dt / norm])
    resid = des.yt - des.beta * des.dt
    blocks, residuals = [], []
    for s in range(len(des.clusters)):
        idx = np.flatnonzero(des.cl == s)
        loc, uinv = np.unique(des.u_s[idx], return_inverse=True)
        U = np.zeros((len(idx), len(loc)))
        U[np.arange(len(idx)), uinv] = 1.0 / np.sqrt(n_u[loc])[uinv]
        blocks.append((np.column_stack([U, rest[idx]]), np.r_[loc, n_units + np.arange(q + 1)]))
        residuals.append(resid[idx])
    lt = np.zeros(n_units + q + 1)
    lt[-1] = 1.0 / norm
    return blocks, residuals, lt


def _cr3_variance(data, outcome, treatment, unit, time, controls, cluster, G) -> float:
    """(G - 1)/G times pyfixest's leave-one-cluster-out sum of squared deviations (CRV3)."""
    cols = {"y": data[outcome].to_numpy(float), "d": data[treatment].to_numpy(float)}
    cols |= {f"x{j}": data[c].to_numpy(float) for j, c in enumerate(controls)}
    cols |= {name: pd.factorize(data[c])[0] for name, c in (("fe_u", unit), ("fe_t", time), ("cl", cluster))}
    rhs = " + ".join(["d", *[f"x{j}" for j in range(len(controls))]])
    try:
        raw = pfx.cluster_jackknife_vcov(f"y ~ {rhs} | fe_u + fe_t", pd.DataFrame(cols), "cl")
    except Exception as err:  # a leave-one-out fit lost the treatment or a control
        raise PanelDataError(
            f"the CR3 jackknife failed when leaving out one {cluster!r} cluster at a time ({err}); each "
            "leave-one-out sample must still identify the treatment effect"
        ) from err
    return (G - 1) / G * float(raw.loc["d", "d"])


def cr2_test(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    cluster: str | None = None,
    controls: Sequence[str] = (),
    *,
    vcov: str = "CR2",
    df: str = "IK",
    alpha: float = 0.05,
) -> SmallSampleResult:
    """Small-sample cluster-robust t-test of the TWFE coefficient: CR2 with Imbens-Kolesar df, or CR3.

    CR2 (Bell and McCaffrey 2002) rescales each cluster's residuals by ``(I - H_gg)^{-1/2}``,
    ``H`` the hat matrix of the full TWFE design (unit and time dummies, controls, treatment), so
    the variance estimator is unbiased under homoskedastic errors; directions of ``I - H_gg`` with
    eigenvalue 0 (fixed effects nested in the cluster) are left out, as in Pustejovsky and Tipton
    (2018) and the R package ``dfadjust``. The t statistic is compared with a t distribution whose
    degrees of freedom are Imbens and Kolesar's (2016), from a Moulton random-effects working
    model, or Bell and McCaffrey's (2002), from homoskedastic errors. With few treated clusters
    these df fall far below ``G - 1`` (towards 1 with two or three treated clusters): that is the
    correction. With a *single* treated cluster it has nothing to work with: the treatment dummy
    is then a column supported inside that cluster, fitted exactly there (leverage 1), so that
    direction of ``I - H_gg`` has eigenvalue 0 and is left out; the treated cluster contributes
    nothing, the df stay near those of the controls and the test over-rejects like CRV1 (use
    :func:`randomization_t_test` or :func:`conley_taber` there).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    outcome, treatment, unit, time : str
        Column names (unit and time effects are included, as in :func:`didbook.twfe`).
    cluster : str, optional
        Cluster column (default ``unit``), e.g. the province at which a policy was assigned.
    controls : sequence of str
        Covariates.
    vcov : {"CR2", "CR3"}
        ``"CR3"``: the leave-one-cluster-out jackknife ``(G-1)/G sum_g (b_-g - b)^2`` (pyfixest's
        ``CRV3`` refits; MacKinnon, Nielsen and Webb 2023) with t(G - 1); it needs at least two
        treated clusters.
    df : {"IK", "BM"}
        Degrees of freedom of the CR2 test: Imbens-Kolesar (default) or Bell-McCaffrey.
    alpha : float
        Level of the confidence interval.

    Returns
    -------
    SmallSampleResult
        ``.estimate``, ``.std_error``, ``.conf_low``, ``.conf_high``, ``.p_value``, ``.df``, ``.t_stat``;
        ``tidy()`` also shows the CRV1 standard error and p-value of :func:`didbook.twfe`.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.simulate_city_panel(seed=1).data  # 30 provinces
    >>> df["pilot"] = (df["province_id"].isin(["P01", "P02", "P03"]) & (df["year"] >= 2017)).astype(int)
    >>> res = didbook.cr2_test(df, "income_gap", "pilot", "city_id", "year", cluster="province_id")
    >>> round(res.std_error, 4), round(res.df, 2), round(res.p_value, 3)
    (0.2884, 2.49, 0.191)
    >>> round(float(res.tidy()["p_value_crv1"].iloc[0]), 3)  # the usual CRV1 test with t(G - 1)
    0.043
    """
    controls = as_list(controls)
    cluster = unit if cluster is None else cluster
    if vcov not in ("CR2", "CR3"):
        raise ValueError(f"vcov must be 'CR2' or 'CR3', got {vcov!r}")
    if df not in ("IK", "BM"):
        raise ValueError(f"df must be 'IK' (Imbens-Kolesar) or 'BM' (Bell-McCaffrey), got {df!r}")
    alpha = check_number("alpha", alpha, low=0, high=1)
    check_panel(data, unit, time, [outcome, treatment, cluster, *controls])
    fit = twfe(data, outcome, treatment, unit, time, controls=controls, cluster=cluster)
    des = _design(data, outcome, treatment, unit, time, controls, cluster)
    G = len(des.clusters)
    g1, g0 = _treated_clusters(data, treatment, cluster)
    info_extra = {}
    if vcov == "CR2":
        blocks, residuals, lt = _cr2_blocks(des)
        cr = cr2_contrast(blocks, residuals, lt)
        var, dof = cr.variance, cr.df_ik if df == "IK" else cr.df_bm
        if df == "IK":
            info_extra = {"moulton_rho": round(float(cr.rho), 6), "moulton_sigma2": round(float(cr.sigma2), 6)}
        label = f"CR2 (Bell-McCaffrey), clustered by {cluster}; t with {'Imbens-Kolesar' if df == 'IK' else 'Bell-McCaffrey'} df"
    else:
        if g1 < 2:
            raise PanelDataError(
                f"vcov='CR3' needs at least 2 treated clusters of {cluster!r}, found {g1}: leaving the only "
                "treated cluster out removes the treatment; use vcov='CR2' or didbook.randomization_t_test"
            )
        var, dof = _cr3_variance(data, outcome, treatment, unit, time, controls, cluster, G), float(G - 1)
        label = f"CR3 (cluster jackknife), clustered by {cluster}; t(G - 1)"
    se = float(np.sqrt(var))
    t_stat = fit.estimate / se
    crit = stats.t.ppf(1 - alpha / 2, dof)
    head = {
        "term": treatment,
        "estimate": fit.estimate,
        "std_error": se,
        "conf_low": fit.estimate - crit * se,
        "conf_high": fit.estimate + crit * se,
        "p_value": float(2 * stats.t.sf(abs(t_stat), dof)),
        "t_stat": t_stat,
        "df": dof,
        "std_error_crv1": fit.std_error,
        "p_value_crv1": fit.p_value,
    }
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "controls": controls or "none",
        "n_obs": fit.nobs,
        "std_errors": label,
        "cluster": cluster,
        "n_clusters": G,
        "n_clusters_treated": g1,
        "n_clusters_never_treated": g0,
        "t_stat": round(t_stat, 4),
        "df": round(dof, 3),
        "conf_level": 1 - alpha,
        **info_extra,
    }
    notes = [
        f"{vcov} standard error with t({dof:.2f}) inference: assumes errors independent across clusters of "
        f"{cluster!r} (any correlation within them); the df, not the standard error alone, carries most of the "
        "few-treated-clusters correction"
    ]
    if g1 == 1 and vcov == "CR2":
        notes.append(
            "one treated cluster: its treatment direction has leverage 1 and is left out of CR2, so the "
            f"standard error and the df ({dof:.1f}) come from the control clusters alone and the test over-rejects "
            "like CRV1; use didbook.randomization_t_test or didbook.conley_taber"
        )
    elif g1 <= 2:
        notes.append(
            f"only {g1} treated cluster(s): even CR2/CR3 tests can over-reject or lose all power here; compare "
            "didbook.randomization_t_test and didbook.conley_taber"
        )
    return SmallSampleResult.from_table(
        pd.DataFrame([head]), info=info, title=f"Small-sample cluster-robust test ({vcov})", notes=notes,
        t_stat=t_stat, df=dof, vcov_type=vcov, n_clusters=G, model=fit,
    )  # fmt: skip


# ---------------------------------------------------------------------- studentized randomization


@dataclass(repr=False)
class RandomizationTResult(Result):
    """Result of :func:`randomization_t_test`.

    Attributes
    ----------
    estimate : float
        The TWFE coefficient with the actual assignment.
    p_value : float
        Randomization p-value of the cluster-robust t statistic (studentized RI).
    std_error, conf_low, conf_high : float
        NaN: randomization inference gives a p-value (a note says so).
    t_stat : float
        The observed CRV1 t statistic (as :func:`didbook.twfe`).
    null_distribution : numpy.ndarray
        The t statistics under the re-assignments (on the scale of ``t_stat``).
    null_coefficients : numpy.ndarray
        The coefficients under the same re-assignments (for the unstudentized p-value).
    full_enumeration : bool
        Whether every distinct assignment was used (then ``p_value`` is exact).
    n_clusters, n_clusters_treated : int
    """

    t_stat: float = np.nan
    null_distribution: np.ndarray = field(default_factory=lambda: np.empty(0))
    null_coefficients: np.ndarray = field(default_factory=lambda: np.empty(0))
    full_enumeration: bool = False
    n_clusters: int = 0
    n_clusters_treated: int = 0
    model: Any = None

    def plot(self, ax=None, bins: int = 40):
        """Histogram of the re-assignment t statistics with the observed t marked; returns the Axes."""
        from .plotting import null_histogram

        return null_histogram(
            self.null_distribution, self.t_stat, ax=ax, bins=bins, draws_label="re-assigned t",
            observed_label=f"observed t = {self.t_stat:.2f}", xlabel="cluster-robust t statistic",
        )  # fmt: skip


def _null_t(des: _Design, cohorts: np.ndarray, g_of_unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient and raw cluster-robust t of every cluster assignment (rows of ``cohorts``), in chunks."""
    G, N = len(des.clusters), len(des.yt)
    betas, ts = [], []
    chunk = max(1, CHUNK_CELLS // N)
    for lo in range(0, len(cohorts), chunk):
        c_unit = cohorts[lo : lo + chunk][:, g_of_unit]  # r x units
        D = (des.t_s[:, None] >= c_unit[:, des.u_s].T).astype(float)  # N x r
        b, t = cluster_t_stats(des.M(D), des.yt, des.cl, G)
        betas.append(b)
        ts.append(t)
    return np.concatenate(betas), np.concatenate(ts)


def randomization_t_test(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    cluster: str,
    controls: Sequence[str] = (),
    n_draws: int = 999,
    seed: int = 0,
) -> RandomizationTResult:
    """Studentized randomization inference: re-assign the treated clusters, compare cluster-robust t statistics.

    Under the sharp null of no effect, and if the assignment of adoption periods to clusters was
    exchangeable (every permutation of the clusters' adoption periods was as likely as the actual
    one), the TWFE cluster-robust t statistic of the actual assignment is one draw from its
    distribution over the re-assignments. Comparing t statistics rather than coefficients
    (MacKinnon and Webb 2020; Young 2019) keeps the test close to its level when the treated
    clusters differ from the others in size or in variance, where coefficient-based RI
    (:func:`didbook.placebo_test`) does not. Every distinct assignment is used when there are at
    most ``n_draws`` of them (the p-value is then the exact share ``#{|t_r| >= |t|} / K``, the
    actual assignment included); otherwise ``n_draws`` random permutations with
    ``p = (1 + #{|t_r| >= |t|}) / (1 + n_draws)``.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel; ``treatment`` 0/1 and absorbing, adopted by whole clusters at once.
    outcome, treatment, unit, time : str
        Column names (``time`` numeric).
    cluster : str
        The level at which treatment was assigned (e.g. ``"province_id"``); also the cluster of the t statistic.
    controls : sequence of str
        Covariates.
    n_draws : int
        Number of random re-assignments when there are more distinct assignments than this.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    RandomizationTResult
        ``.p_value`` (studentized), ``.t_stat``, ``.null_distribution``; ``tidy()`` also has the
        coefficient-based ``p_value_coefficient`` from the same re-assignments.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.simulate_city_panel(seed=1).data  # 30 provinces
    >>> df["pilot"] = (df["province_id"].isin(["P01", "P02", "P03"]) & (df["year"] >= 2017)).astype(int)
    >>> res = didbook.randomization_t_test(df, "income_gap", "pilot", "city_id", "year", cluster="province_id",
    ...                                    n_draws=4060)  # C(30, 3) = 4060 assignments: all of them
    >>> res.full_enumeration, round(res.p_value, 3), round(float(res.tidy()["p_value_coefficient"].iloc[0]), 3)
    (True, 0.17, 0.117)
    """
    controls = as_list(controls)
    n = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    check_panel(data, unit, time, [outcome, treatment, cluster, *controls], ordered_time=True)
    check_binary(data, treatment)
    check_absorbing(data, unit, time, treatment)
    fit = twfe(data, outcome, treatment, unit, time, controls=controls, cluster=cluster)
    des = _design(data, outcome, treatment, unit, time, controls, cluster)
    g_of_unit, c_g, _ = cluster_cohorts(
        data, cluster, unit, treatment, des.u_codes, des.t_codes,
        data[treatment].to_numpy(dtype=float), des.periods, len(des.units),
    )  # fmt: skip
    g1 = int(np.isfinite(c_g).sum())
    K = n_distinct_assignments(c_g)
    full = K <= n
    cohorts = (
        distinct_assignments(c_g)
        if full
        else draw_cohorts(np.random.default_rng(seed), c_g, "permute", n, len(des.periods))
    )
    b_null, t_null = _null_t(des, cohorts, g_of_unit)
    if not np.isfinite(t_null).all():
        raise PanelDataError(
            f"{int((~np.isfinite(t_null)).sum())} re-assignment(s) of {treatment!r} across {cluster!r} clusters "
            "left no variation after the fixed effects (or a zero standard error); too few distinct assignments"
        )
    _, t_raw = cluster_t_stats(des.dt[:, None], des.yt, des.cl, len(des.clusters))
    t_obs = fit.estimate / fit.std_error
    p = bootstrap_pvalue(t_null, float(t_raw[0]), full)
    p_coef = bootstrap_pvalue(b_null, fit.estimate, full)
    head = {"term": treatment, "estimate": fit.estimate, "std_error": np.nan, "conf_low": np.nan,
            "conf_high": np.nan, "p_value": p, "t_stat": t_obs, "p_value_coefficient": p_coef}  # fmt: skip
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "controls": controls or "none",
        "placebo_scheme": f"permute adoption periods across clusters ({cluster}); statistic: CRV1 t",
        "cluster": cluster,
        "n_clusters": len(des.clusters),
        "n_clusters_treated": g1,
        "n_assignments": K,
        "n_draws": len(cohorts),
        "draws_rule": "full enumeration (exact p)" if full else f"seed {seed}; p = (1 + #) / (1 + draws)",
        "t_stat": round(t_obs, 4),
    }
    notes = [
        "std_error is NaN: randomization inference gives a p-value, not a standard error or interval",
        f"valid if the adoption periods were exchangeable across the {len(des.clusters)} clusters of {cluster!r} "
        "(as if randomly assigned) under the sharp null of no effect; the t statistic, unlike the coefficient, "
        "also guards against treated clusters that are larger or noisier than the rest (MacKinnon and Webb 2020)",
    ]
    if K < 20:  # fewer than 1 / 0.05 assignments
        notes.append(f"only {K} distinct assignments: the smallest attainable p-value is {1 / K:.3f}")
    return RandomizationTResult.from_table(
        pd.DataFrame([head]), info=info, title="Randomization inference on the cluster-robust t (studentized)",
        notes=notes, t_stat=t_obs, null_distribution=t_null * (t_obs / float(t_raw[0])), null_coefficients=b_null,
        full_enumeration=full, n_clusters=len(des.clusters), n_clusters_treated=g1, model=fit,
    )  # fmt: skip


# ---------------------------------------------------------------------------------- Conley-Taber

#: Values of ``conley_taber(heteroskedasticity=...)``.
HETEROSKEDASTICITY = (None, "ferman_pinto")


@dataclass(repr=False)
class ConleyTaberResult(Result):
    """Result of :func:`conley_taber`.

    Attributes
    ----------
    estimate : float
        The TWFE coefficient on the group-by-period panel.
    conf_low, conf_high : float
        Conley-Taber confidence interval (inverting the test built from control-group residuals).
    p_value : float
        Equal-tailed p-value of ``H0: effect = 0`` from the same distribution.
    std_error : float
        NaN: the interval comes from a residual distribution, not from a standard error.
    null_distribution : numpy.ndarray
        Draws of ``W``, the estimation error a treated group would produce with a control group's
        residuals (``estimate - effect`` is distributed as ``W`` under the assumptions); with
        ``heteroskedasticity="ferman_pinto"`` each control residual is first rescaled to the
        treated group's variance.
    n_treated_groups, n_control_groups : int
    full_enumeration : bool
        Whether all ``n_control ** n_treated`` combinations were used.
    group_panel : pandas.DataFrame
        The group-by-period panel the procedure ran on (aggregated if ``cluster`` groups several units).
    variance_model : pandas.DataFrame or None
        With ``heteroskedasticity="ferman_pinto"``: one row per treated group with its size ``M``,
        the fitted ``A`` and ``B`` of ``var = A + B / M`` and the variance at its own size.
    """

    null_distribution: np.ndarray = field(default_factory=lambda: np.empty(0))
    n_treated_groups: int = 0
    n_control_groups: int = 0
    full_enumeration: bool = False
    group_panel: pd.DataFrame | None = None
    variance_model: pd.DataFrame | None = None


def _group_panel(data, outcome, treatment, unit, time, group, controls) -> pd.DataFrame:
    """The panel at the group level: unit = group (as is) or group-by-period means (cluster of units)."""
    cols = [outcome, treatment, *controls]
    if group == unit:
        out = data[[unit, time, *cols]].copy()
    else:
        varies = data.groupby([group, time])[treatment].nunique()
        if (varies > 1).any():
            g, t = varies.index[varies > 1][0]
            raise PanelDataError(
                f"treatment {treatment!r} differs within {group}={g} in {time}={t}: Conley-Taber needs treatment "
                f"assigned to whole groups of {group!r}"
            )
        out = data.groupby([group, time], sort=True)[cols].mean().reset_index()
    counts = out.groupby(group)[time].nunique()
    n_t = out[time].nunique()
    if (counts < n_t).any():
        raise PanelDataError(
            f"Conley-Taber needs every group of {group!r} observed in every period of {time!r}: "
            f"{int((counts < n_t).sum())} group(s) lack some of the {n_t} periods (e.g. {group}={counts.index[counts < n_t][0]})"
        )
    return out


def _group_sizes(data, unit, group, groups, group_size) -> np.ndarray:
    """``M_j`` of every group (in the order of ``groups``): ``group_size``'s value, or the number of units."""
    if group_size is None:
        if group == unit:
            raise PanelDataError(
                "heteroskedasticity='ferman_pinto' needs group_size= (a column with each group's number of "
                f"observations, e.g. the individuals behind each mean) when each group of {group!r} is one unit"
            )
        m = data.groupby(group)[unit].nunique().astype(float)
    else:
        by = data.groupby(group)[group_size]
        varies = by.nunique()
        if (varies > 1).any():
            raise PanelDataError(
                f"group_size column {group_size!r} varies within {group}={varies.index[varies > 1][0]}: it must "
                "give one size per group"
            )
        m = pd.to_numeric(by.first(), errors="coerce").astype(float)
        if not (np.isfinite(m.to_numpy()) & (m.to_numpy() > 0)).all():
            raise PanelDataError(f"group_size column {group_size!r} must be a positive number for every group")
    return m.reindex(groups).to_numpy(dtype=float)


def _nonnegative_variance_fit(x: np.ndarray, z2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A, B >= 0`` minimizing ``sum_j (z2_j - A - B x_j)^2`` along the last axis of ``z2`` (``x`` shared).

    Least squares of ``z2`` on ``(1, x)``; where a coefficient comes out negative, the better of the
    two constrained fits ``A = 0`` and ``B = 0`` (the exact two-parameter non-negative least squares).
    """
    xm = x.mean()
    xc = x - xm
    zm = z2.mean(axis=-1)
    B = (z2 @ xc) / float(xc @ xc)
    A = zm - B * xm
    B0 = np.maximum((z2 @ x) / float(x @ x), 0.0)  # the fit with A = 0
    A0 = np.maximum(zm, 0.0)  # the fit with B = 0
    ssr_b = np.sum((z2 - B0[..., None] * x) ** 2, axis=-1)
    ssr_a = np.sum((z2 - A0[..., None]) ** 2, axis=-1)
    bad = (A < 0) | (B < 0)
    use_b = ssr_b <= ssr_a
    return np.where(bad, np.where(use_b, 0.0, A0), A), np.where(bad, np.where(use_b, B0, 0.0), B)


@dataclass
class _CtDesign:
    """The group-by-period design of Conley-Taber: annihilator, treatment contrasts, group sizes."""

    order: np.ndarray
    M: Any
    dt: np.ndarray
    w: np.ndarray  # n1 x T: d_lt - mean_t d_lt of the treated groups
    treated: np.ndarray
    n_periods: int
    key: str
    groups: np.ndarray
    sizes: np.ndarray | None  # M_j (Ferman-Pinto) or None

    @property
    def n1(self) -> int:
        return int(self.treated.sum())

    @property
    def n0(self) -> int:
        return int((~self.treated).sum())

    @property
    def den(self) -> float:
        return float(np.sum(self.w * self.w))


def _ct_design(data, gp, treatment, unit, time, group, controls, heteroskedasticity, group_size) -> _CtDesign:
    key = unit if group == unit else group
    g_codes, t_codes, groups, periods, order, starts = _sorted_layout(gp, key, time)
    J, T = len(groups), len(periods)
    Dm = gp[treatment].to_numpy(float)[order].reshape(J, T)
    treated = Dm.max(axis=1) > 0
    n1, n0 = int(treated.sum()), int((~treated).sum())
    if n1 == 0:
        raise PanelDataError(f"treatment {treatment!r} is never 1: no treated group of {key!r}")
    if n0 < 2:
        raise PanelDataError(
            f"Conley-Taber needs at least 2 never-treated control groups of {key!r} (it estimates the error "
            f"distribution from them, and is justified as their number grows); found {n0}"
        )
    X = gp[controls].to_numpy(float)[order] if controls else None
    M = _TwoWayAnnihilator(g_codes[order], t_codes[order], starts, X, controls)
    dt = M(Dm.ravel())
    if float(dt @ dt) <= 1e-12 * float(Dm.ravel() @ Dm.ravel()):
        raise PanelDataError(f"treatment {treatment!r} has no variation left after the group and period effects")
    w = Dm[treated] - Dm[treated].mean(axis=1, keepdims=True)
    sizes = None
    if heteroskedasticity == "ferman_pinto":
        sizes = _group_sizes(data, unit, group, np.asarray(groups), group_size)
        m0 = sizes[~treated]
        if np.ptp(m0) == 0 and np.any(sizes[treated] != m0[0]):
            raise PanelDataError(
                f"all {n0} control groups of {key!r} have the same size ({m0[0]:g}), so the variance model "
                "A + B / M cannot be fitted to predict the variance of treated groups of other sizes"
            )
        if n0 < 3:
            raise PanelDataError(
                f"heteroskedasticity='ferman_pinto' fits A and B from the control groups of {key!r}: it needs at "
                f"least 3 of them, found {n0}"
            )
    return _CtDesign(order, M, dt, w, treated, T, key, np.asarray(groups), sizes)


def _ct_contrasts(
    des: _CtDesign, Yg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Estimates (R,), contrasts ``Z[l, j, r] = w_l' e_j`` (rescaled with Ferman-Pinto), and the fitted A, B (n1, R)."""
    Yt = des.M(Yg[des.order])  # N x R
    est = (des.dt @ Yt) / float(des.dt @ des.dt)
    J = len(des.treated)
    E = (Yt - des.dt[:, None] * est[None, :]).reshape(J, des.n_periods, -1)[~des.treated]  # n0 x T x R
    Z = np.einsum("lt,jtr->ljr", des.w, E)
    if des.sizes is None:
        return est, Z, None, None
    m1, m0 = des.sizes[des.treated], des.sizes[~des.treated]
    if np.ptp(des.sizes) == 0:  # all groups of one size: nothing to correct
        A = np.einsum("ljr->lr", Z * Z) / des.n0
        return est, Z, A, np.zeros_like(A)
    A, B = _nonnegative_variance_fit(1.0 / m0, np.moveaxis(Z * Z, 1, 2))  # (n1, R)
    v1 = A + B / m1[:, None]  # treated group's own variance, (n1, R)
    v0 = A[:, None, :] + B[:, None, :] / m0[None, :, None]  # (n1, n0, R)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(v0 > 0, np.sqrt(v1[:, None, :] / v0), 1.0)
    return est, Z * scale, A, B


def _ct_index(n1: int, n0: int, n_draws: int, seed: int) -> np.ndarray | None:
    """``None`` (enumerate all ``n0 ** n1`` tuples) or the ``n_draws x n1`` random control tuples."""
    if n0**n1 <= n_draws:
        return None
    return np.random.default_rng(seed).integers(0, n0, size=(n_draws, n1))


def _ct_distribution(Z: np.ndarray, den: float, idx: np.ndarray | None) -> np.ndarray:
    """``W = sum_l Z[l, j_l] / den`` over all control tuples (j_1..j_N1) or the tuples ``idx``.

    ``Z`` is ``n1 x n0`` (one draw) or ``n1 x n0 x R`` (``W`` then has one column per draw).
    """
    tail = Z.shape[2:]
    if idx is None:
        W = Z[0]
        for row in Z[1:]:
            W = (W[:, None] + row[None, :]).reshape(-1, *tail)
        return W / den
    W = np.zeros((len(idx), *tail))
    for l in range(Z.shape[0]):
        W += Z[l, idx[:, l]]
    return W / den


def _ct_pvalue(W: np.ndarray, est: float) -> float:
    return min(1.0, 2 * min(float(np.mean(W <= est)), float(np.mean(W >= est))))


def _ct_checks(data, outcome, treatment, unit, time, group, controls, heteroskedasticity, group_size):
    if heteroskedasticity not in HETEROSKEDASTICITY:
        raise ValueError(f"heteroskedasticity must be None or 'ferman_pinto', got {heteroskedasticity!r}")
    if group_size is not None and heteroskedasticity is None:
        raise ValueError("group_size is used only with heteroskedasticity='ferman_pinto'")
    extra = [group_size] if group_size is not None else []
    check_panel(data, unit, time, [c for c in (outcome,) if c is not None] + [treatment, group, *controls, *extra])
    check_binary(data, treatment)


def conley_taber(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    cluster: str | None = None,
    controls: Sequence[str] = (),
    *,
    alpha: float = 0.05,
    n_draws: int = 100_000,
    seed: int = 0,
    heteroskedasticity: str | None = None,
    group_size: str | None = None,
) -> ConleyTaberResult:
    """Conley-Taber (2011) confidence interval for DID with few treated groups and many control groups.

    With ``N1`` treated groups, the TWFE estimation error does not vanish however many controls
    there are: as ``N0 -> inf``, ``a_hat - a -> W = sum_l sum_t w_lt eta_lt / sum_l sum_t w_lt^2``
    with ``w_lt = d_lt - mean_t d_lt`` and ``eta`` the treated groups' errors. If the errors of the
    treated groups are distributed like those of the controls, ``W``'s distribution is estimated by
    putting the control groups' TWFE residuals in place of ``eta``: over all ``N0 ** N1`` ways of
    picking one control group per treated group (or ``n_draws`` random ones when there are more).
    The interval inverts this: ``[a_hat - W_(n+1-k), a_hat - W_(k)]`` with ``k = floor(n alpha/2) + 1``
    (order statistics of the ``n`` draws), exactly the set of ``a0`` whose equal-tailed p-value
    ``2 min(#{W <= a_hat - a0}, #{W >= a_hat - a0}) / n`` exceeds ``alpha``.

    **Ferman and Pinto (2019)** (``heteroskedasticity="ferman_pinto"``): when a group-period value
    is a mean over ``M_j`` units or individuals, its error variance falls with ``M_j``, and plain
    Conley-Taber over-rejects when the treated groups are smaller than the controls (under-rejects
    when larger). They model the variance of a group's residual contrast as ``A + B / M_j``
    (``A`` from shocks common to the group, ``B / M_j`` from averaging independent unit errors).
    For each treated group ``l``, with its contrast ``Z_lj = sum_t w_lt e_jt`` of control ``j``'s
    residuals, ``A_l`` and ``B_l`` are fitted by least squares of ``Z_lj^2`` on ``(1, 1 / M_j)``
    over the control groups (constrained to ``A, B >= 0``: both are variances), and each contrast
    is rescaled to the treated group's size, ``Z_lj sqrt((A_l + B_l / M_l) / (A_l + B_l / M_j))``,
    before the combinations above are formed. It assumes the heteroskedasticity has this form
    (Ferman and Pinto's assumption that it is known up to the parameters), otherwise the
    homogeneity of Conley-Taber.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel; ``treatment`` 0/1.
    outcome, treatment, unit, time : str
        Column names.
    cluster : str, optional
        The group at which treatment is assigned, if coarser than ``unit`` (e.g. ``"province_id"``
        with cities as units): the procedure then runs on group-by-period means (each group-period
        weighted equally), so the estimate is the group-level TWFE coefficient, not the city-level one.
        Groups must be observed in every period.
    controls : sequence of str
        Covariates (group-period means when aggregating), partialled out with the fixed effects.
    alpha : float
        Level: the interval has coverage ``1 - alpha`` as the number of control groups grows.
    n_draws : int
        Enumerate all ``N0 ** N1`` combinations when there are at most this many, else draw this many.
    seed : int
        Seed of the random combinations.
    heteroskedasticity : {None, "ferman_pinto"}
        ``None``: the control residuals are used as they are (errors homogeneous across groups).
        ``"ferman_pinto"``: rescale them by the fitted ``A + B / M`` model (needs at least 3 control
        groups, of at least two sizes unless every group has the same size).
    group_size : str, optional
        With ``"ferman_pinto"``: a column giving each group's ``M_j`` (constant within the group,
        positive), e.g. the number of individuals behind each group mean. Default: the number of
        distinct ``unit`` values in the group (cities per province); required when each group is
        one unit (``cluster`` not given).

    Returns
    -------
    ConleyTaberResult
        ``.estimate``, ``.conf_low``, ``.conf_high``, ``.p_value``, ``.null_distribution``;
        ``.variance_model`` with Ferman-Pinto.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.simulate_city_panel(seed=1).data  # 30 provinces
    >>> df["pilot"] = (df["province_id"].isin(["P01", "P02", "P03"]) & (df["year"] >= 2017)).astype(int)
    >>> res = didbook.conley_taber(df, "income_gap", "pilot", "city_id", "year", cluster="province_id")
    >>> res.n_treated_groups, res.n_control_groups, res.info["n_draws"]  # all 27**3 combinations
    (3, 27, 19683)
    >>> round(res.estimate, 3), round(res.conf_low, 3), round(res.conf_high, 3)
    (-0.564, -1.164, 0.039)
    >>> fp = didbook.conley_taber(df, "income_gap", "pilot", "city_id", "year", cluster="province_id",
    ...                           heteroskedasticity="ferman_pinto")  # M_j = cities in the province
    >>> fp.variance_model.columns.tolist()
    ['group', 'M', 'A', 'B', 'variance']
    """
    controls = as_list(controls)
    group = unit if cluster is None else cluster
    alpha = check_number("alpha", alpha, low=0, high=1)
    n_draws = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    _ct_checks(data, outcome, treatment, unit, time, group, controls, heteroskedasticity, group_size)
    gp = _group_panel(data, outcome, treatment, unit, time, group, controls)
    des = _ct_design(data, gp, treatment, unit, time, group, controls, heteroskedasticity, group_size)
    n1, n0, key = des.n1, des.n0, des.key
    ests, Z, A, B = _ct_contrasts(des, gp[outcome].to_numpy(float)[:, None])
    est = float(ests[0])
    idx = _ct_index(n1, n0, n_draws, seed)
    W, full = _ct_distribution(Z[:, :, 0], des.den, idx), idx is None
    Ws = np.sort(W)
    n = len(Ws)
    k = int(np.floor(n * alpha / 2)) + 1
    lo, hi = est - Ws[n - k], est - Ws[k - 1]
    p = _ct_pvalue(W, est)
    head = {"term": treatment, "estimate": est, "std_error": np.nan, "conf_low": lo, "conf_high": hi,
            "p_value": p, "null_sd": float(np.std(W, ddof=1)) if n > 1 else np.nan}  # fmt: skip
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "controls": controls or "none",
        "group": key,
        "n_treated_groups": n1,
        "n_control_groups": n0,
        "n_periods": des.n_periods,
        "n_draws": n,
        "draws_rule": f"all {n0}^{n1} combinations" if full else f"seed {seed}; {n} random combinations",
        "conf_level": 1 - alpha,
        "heteroskedasticity": "none (homogeneous errors)" if des.sizes is None else "Ferman-Pinto: A + B / M",
    }
    notes = [
        "std_error is NaN: the interval inverts the distribution of control-group residuals (Conley and Taber "
        "2011), not a standard error",
    ]
    variance_model = None
    if des.sizes is None:
        notes.append(
            f"assumes the {n0} control groups' errors are distributed like the treated groups' (homogeneous across "
            "groups, independent of treatment) and many control groups; with groups of unequal size (so unequal "
            "error variances) use heteroskedasticity='ferman_pinto' (Ferman and Pinto 2019)"
        )
    else:
        m1 = des.sizes[des.treated]
        variance_model = pd.DataFrame(
            {"group": des.groups[des.treated], "M": m1, "A": A[:, 0], "B": B[:, 0], "variance": A[:, 0] + B[:, 0] / m1}
        )
        size_src = f"column {group_size!r}" if group_size is not None else f"{unit} per {key}"
        notes.append(
            f"Ferman-Pinto: each control residual contrast rescaled to the treated group's variance under "
            f"var = A + B / M (M = {size_src}; A, B >= 0 fitted on the {n0} control groups); assumes that "
            "variance model, errors otherwise alike across groups, and many control groups"
        )
    if group != unit:
        notes.append(f"run on {key}-by-{time} means of the units: the estimate is the group-level TWFE coefficient")
    return ConleyTaberResult.from_table(
        pd.DataFrame([head]), info=info, title="Conley-Taber inference (few treated groups)", notes=notes,
        null_distribution=W, n_treated_groups=n1, n_control_groups=n0, full_enumeration=full, group_panel=gp,
        variance_model=variance_model,
    )  # fmt: skip


# ------------------------------------------------------------------ batched Monte Carlo path
#
# As in :mod:`didbook.fast`: with the design fixed (units, periods, treated clusters, controls),
# every statistic below is a function of the residualized outcome, so many outcome draws (the
# columns of ``Y``) are tested at once. Each equals the per-draw function (tests/lib/test_few_clusters.py).


def _cr2_batch(des: _Design, U: np.ndarray, df: str, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """CR2 variances and df of every residual column of ``U`` (the batched ``_cr2.cr2_contrast``)."""
    blocks, _, lt = _cr2_blocks(des)
    S, p, R = len(blocks), len(lt), U.shape[1]
    aa, dsum, ns = np.zeros(S), np.zeros(S), np.zeros(S)
    V, usum = np.zeros(R), np.zeros((S, R))
    rows, cols, bvals, fvals = [], [], [], []
    for s, (Ws, cs) in enumerate(blocks):
        idx = np.flatnonzero(des.cl == s)  # the rows of _cr2_blocks' block s
        lam, Rm = np.linalg.eigh(Ws.T @ Ws)
        keep = (1.0 - lam) >= tol
        scale = np.where(keep, 1.0 / np.sqrt(np.maximum(1.0 - lam, tol)), 0.0)
        a = Ws @ (Rm @ (scale * (Rm.T @ lt[cs])))
        V += (a @ U[idx]) ** 2
        usum[s] = U[idx].sum(axis=0)
        aa[s], dsum[s], ns[s] = a @ a, a.sum(), len(idx)
        rows.append(np.full(len(cs), s))
        cols.append(cs)
        bvals.append(a @ Ws)
        fvals.append(Ws.sum(axis=0))
    from scipy import sparse

    r, c = np.concatenate(rows), np.concatenate(cols)
    Bm = sparse.csr_matrix((np.concatenate(bvals), (r, c)), shape=(S, p))
    GG = np.diag(aa) - (Bm @ Bm.T).toarray()
    if df == "BM":
        return V, np.full(R, np.trace(GG) ** 2 / np.sum(GG * GG))
    Fm = sparse.csr_matrix((np.concatenate(fvals), (r, c)), shape=(S, p))
    DBF = np.diag(dsum) - (Bm @ Fm.T).toarray()
    P = DBF @ DBF.T
    n, ssr = ns.sum(), np.sum(U * U, axis=0)
    den = float(np.sum(ns**2) - n)
    rho = (np.sum(usum**2, axis=0) - ssr) / den if den > 0 else np.zeros(R)
    sigma2 = np.maximum(ssr / n - rho, 0.0)
    # df of sigma2 GG + rho P: tr()^2 / sum of squared entries, expanded in sigma2 and rho
    num = (sigma2 * np.trace(GG) + rho * np.trace(P)) ** 2
    dsq = sigma2**2 * np.sum(GG * GG) + 2 * sigma2 * rho * np.sum(GG * P) + rho**2 * np.sum(P * P)
    with np.errstate(divide="ignore", invalid="ignore"):
        return V, np.where(dsq > 0, num / dsq, np.nan)


def cr2_pvalues(
    data: pd.DataFrame,
    Y,
    treatment: str,
    unit: str = "city_id",
    time: str = "year",
    cluster: str = "province_id",
    *,
    controls: Sequence[str] = (),
    df: str = "IK",
) -> np.ndarray:
    """p-values of :func:`cr2_test` (CR2, Imbens-Kolesar or Bell-McCaffrey df) for every column of ``Y``.

    The design-fixed parts (the per-cluster CR2 vectors ``a_s`` and the df matrices) are computed
    once; each draw's CR2 variance is ``sum_s (u_s' a_s)^2`` and its Imbens-Kolesar df follows
    from its Moulton parameters. Equals ``cr2_test(data_r, ...).p_value`` draw by draw.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design (unit, time, treatment, cluster and control columns).
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time, cluster : str
        Column names, as in :func:`cr2_test`.
    controls : sequence of str
        Covariates.
    df : {"IK", "BM"}
        Degrees of freedom, as in :func:`cr2_test`.

    Returns
    -------
    numpy.ndarray
        ``R`` p-values.

    Examples
    --------
    >>> import numpy as np, didbook
    >>> df = didbook.simulate_city_panel(seed=1).data
    >>> df["pilot"] = (df["province_id"].isin(["P01", "P02"]) & (df["year"] >= 2017)).astype(int)
    >>> Y = np.random.default_rng(0).normal(size=(len(df), 3))
    >>> didbook.few_clusters.cr2_pvalues(df, Y, "pilot").shape
    (3,)
    """
    controls = as_list(controls)
    if df not in ("IK", "BM"):
        raise ValueError(f"df must be 'IK' (Imbens-Kolesar) or 'BM' (Bell-McCaffrey), got {df!r}")
    check_panel(data, unit, time, [treatment, cluster, *controls])
    Y = outcome_draws(Y, len(data))
    des = _design(data, None, treatment, unit, time, controls, cluster)
    Yt = des.M(Y[des.order])
    beta = (des.dt @ Yt) / float(des.dt @ des.dt)
    V, dof = _cr2_batch(des, Yt - des.dt[:, None] * beta[None, :], df)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * stats.t.sf(np.abs(beta / np.sqrt(V)), dof)


def _raw_t(Dt: np.ndarray, Yt: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Raw cluster-robust t (as ``cluster_t_stats``) of every treatment column of ``Dt`` on every outcome column of ``Yt``.

    Rows sorted by cluster: cluster ``g`` is rows ``starts[g]:starts[g + 1]``.
    """
    dd = np.einsum("ij,ij->j", Dt, Dt)
    beta = (Dt.T @ Yt) / dd[:, None]
    se2 = np.zeros_like(beta)
    for a, b in zip(starts[:-1], starts[1:]):
        Dg = Dt[a:b]
        s = Dg.T @ Yt[a:b] - np.einsum("ij,ij->j", Dg, Dg)[:, None] * beta
        se2 += s * s
    with np.errstate(divide="ignore", invalid="ignore"):
        return beta / (np.sqrt(se2) / dd[:, None])


def randomization_t_pvalues(
    data: pd.DataFrame,
    Y,
    treatment: str,
    unit: str = "city_id",
    time: str = "year",
    cluster: str = "province_id",
    n_draws: int = 999,
    seed: int = 0,
    *,
    controls: Sequence[str] = (),
) -> np.ndarray:
    """p-values of :func:`randomization_t_test` (studentized RI) for every column of ``Y``.

    The re-assignments (every distinct one, or ``n_draws`` drawn with ``seed``, exactly as the
    per-draw function draws them) are fixed across outcome draws, so all their t statistics are
    formed for all draws at once. Equals ``randomization_t_test(data_r, ...).p_value`` draw by draw.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design (0/1 absorbing treatment adopted by whole clusters).
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time, cluster : str
        Column names, as in :func:`randomization_t_test`.
    n_draws, seed
        As in :func:`randomization_t_test`.
    controls : sequence of str
        Covariates.

    Returns
    -------
    numpy.ndarray
        ``R`` randomization p-values.

    Examples
    --------
    >>> import numpy as np, didbook
    >>> df = didbook.simulate_city_panel(seed=1).data
    >>> df["pilot"] = (df["province_id"].isin(["P01"]) & (df["year"] >= 2017)).astype(int)
    >>> Y = np.random.default_rng(0).normal(size=(len(df), 2))
    >>> p = didbook.few_clusters.randomization_t_pvalues(df, Y, "pilot")  # all 30 assignments
    >>> bool(np.all(p >= 1 / 30))
    True
    """
    controls = as_list(controls)
    n = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    check_panel(data, unit, time, [treatment, cluster, *controls], ordered_time=True)
    check_binary(data, treatment)
    check_absorbing(data, unit, time, treatment)
    Y = outcome_draws(Y, len(data))
    des = _design(data, None, treatment, unit, time, controls, cluster)
    G = len(des.clusters)
    g_of_unit, c_g, _ = cluster_cohorts(
        data, cluster, unit, treatment, des.u_codes, des.t_codes,
        data[treatment].to_numpy(dtype=float), des.periods, len(des.units),
    )  # fmt: skip
    K = n_distinct_assignments(c_g)
    full = K <= n
    cohorts = (
        distinct_assignments(c_g)
        if full
        else draw_cohorts(np.random.default_rng(seed), c_g, "permute", n, len(des.periods))
    )
    by_cluster = np.argsort(des.cl, kind="stable")  # rows grouped by cluster for _raw_t
    starts = np.searchsorted(des.cl[by_cluster], np.arange(G + 1))
    Yt = des.M(Y[des.order])[by_cluster]
    t_obs = np.abs(_raw_t(des.dt[by_cluster, None], Yt, starts)[0]) * (1 - 1e-10)
    count = np.zeros(Yt.shape[1])
    chunk = max(1, CHUNK_CELLS // len(Yt))
    for lo in range(0, len(cohorts), chunk):
        c_unit = cohorts[lo : lo + chunk][:, g_of_unit]
        D = (des.t_s[:, None] >= c_unit[:, des.u_s].T).astype(float)
        t_null = _raw_t(des.M(D)[by_cluster], Yt, starts)
        if not np.isfinite(t_null).all():
            raise PanelDataError(
                f"some re-assignment(s) of {treatment!r} across {cluster!r} clusters left no variation after the "
                "fixed effects (or a zero standard error); too few distinct assignments"
            )
        count += np.sum(np.abs(t_null) >= t_obs[None, :], axis=0)
    return count / len(cohorts) if full else (1 + count) / (1 + len(cohorts))


def conley_taber_pvalues(
    data: pd.DataFrame,
    Y,
    treatment: str,
    unit: str = "city_id",
    time: str = "year",
    cluster: str | None = "province_id",
    *,
    controls: Sequence[str] = (),
    n_draws: int = 100_000,
    seed: int = 0,
    heteroskedasticity: str | None = None,
    group_size: str | None = None,
) -> np.ndarray:
    """p-values of :func:`conley_taber` (optionally with Ferman-Pinto) for every column of ``Y``.

    The group-by-period design, its annihilator and the control tuples (enumerated, or drawn with
    ``seed`` as the per-draw function draws them) are fixed; each draw's group means, residual
    contrasts (and Ferman-Pinto fit) and p-value follow. Equals ``conley_taber(data_r,
    ...).p_value`` draw by draw.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design.
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time, cluster : str
        Column names, as in :func:`conley_taber` (``cluster=None``: each unit is a group).
    controls, n_draws, seed, heteroskedasticity, group_size
        As in :func:`conley_taber`.

    Returns
    -------
    numpy.ndarray
        ``R`` p-values of ``H0: effect = 0``.

    Examples
    --------
    >>> import numpy as np, didbook
    >>> df = didbook.simulate_city_panel(seed=1).data
    >>> df["pilot"] = (df["province_id"].isin(["P01"]) & (df["year"] >= 2017)).astype(int)
    >>> Y = np.random.default_rng(0).normal(size=(len(df), 2))
    >>> didbook.few_clusters.conley_taber_pvalues(df, Y, "pilot", heteroskedasticity="ferman_pinto").shape
    (2,)
    """
    controls = as_list(controls)
    group = unit if cluster is None else cluster
    n_draws = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    _ct_checks(data, None, treatment, unit, time, group, controls, heteroskedasticity, group_size)
    Y = outcome_draws(Y, len(data))
    outcome = "__conley_taber_outcome__"
    gp = _group_panel(data.assign(**{outcome: 0.0}), outcome, treatment, unit, time, group, controls)
    if group == unit:
        Yg = Y
    else:  # group-by-period means, rows in the order of _group_panel (sorted by group, then time)
        from scipy import sparse

        cell = data.groupby([group, time], sort=True).ngroup().to_numpy()
        n_cell = np.bincount(cell).astype(float)
        avg = sparse.csr_matrix((1.0 / n_cell[cell], (cell, np.arange(len(cell)))), shape=(len(n_cell), len(cell)))
        Yg = avg @ Y
    des = _ct_design(data, gp, treatment, unit, time, group, controls, heteroskedasticity, group_size)
    est, Z, _, _ = _ct_contrasts(des, Yg)
    idx = _ct_index(des.n1, des.n0, n_draws, seed)
    n = des.n0**des.n1 if idx is None else len(idx)
    p = np.empty(len(est))
    step = max(1, CHUNK_CELLS // (4 * n))
    for lo in range(0, len(est), step):  # W of a chunk of draws at once: (n, draws)
        cols = slice(lo, lo + step)
        W = _ct_distribution(Z[:, :, cols], des.den, idx)
        below, above = np.mean(W <= est[None, cols], axis=0), np.mean(W >= est[None, cols], axis=0)
        p[cols] = np.minimum(1.0, 2 * np.minimum(below, above))
    return p
