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
from ._validation import PanelDataError, as_list, check_absorbing, check_binary, check_int, check_number, check_panel
from .adapters import pyfixest as pfx
from .twfe import twfe

__all__ = [
    "cr2_test",
    "SmallSampleResult",
    "randomization_t_test",
    "RandomizationTResult",
    "conley_taber",
    "ConleyTaberResult",
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
    yt = M(data[outcome].to_numpy(dtype=float)[order])
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
    these df fall far below ``G - 1`` (towards 1 with one treated cluster): that is the correction.

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
    if g1 <= 2:
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
        residuals (``estimate - effect`` is distributed as ``W`` under the assumptions).
    n_treated_groups, n_control_groups : int
    full_enumeration : bool
        Whether all ``n_control ** n_treated`` combinations were used.
    group_panel : pandas.DataFrame
        The group-by-period panel the procedure ran on (aggregated if ``cluster`` groups several units).
    """

    null_distribution: np.ndarray = field(default_factory=lambda: np.empty(0))
    n_treated_groups: int = 0
    n_control_groups: int = 0
    full_enumeration: bool = False
    group_panel: pd.DataFrame | None = None


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


def _ct_distribution(Z: np.ndarray, den: float, n_draws: int, seed: int) -> tuple[np.ndarray, bool]:
    """``W = sum_l Z[l, j_l] / den`` over all control tuples (j_1..j_N1), or ``n_draws`` random ones."""
    n1, n0 = Z.shape
    if n0**n1 <= n_draws:
        W = Z[0]
        for row in Z[1:]:
            W = (W[:, None] + row[None, :]).ravel()
        return W / den, True
    idx = np.random.default_rng(seed).integers(0, n0, size=(n_draws, n1))
    return Z[np.arange(n1)[None, :], idx].sum(axis=1) / den, False


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

    Returns
    -------
    ConleyTaberResult
        ``.estimate``, ``.conf_low``, ``.conf_high``, ``.p_value``, ``.null_distribution``.

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
    """
    controls = as_list(controls)
    group = unit if cluster is None else cluster
    alpha = check_number("alpha", alpha, low=0, high=1)
    n_draws = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    check_panel(data, unit, time, [outcome, treatment, group, *controls])
    check_binary(data, treatment)
    gp = _group_panel(data, outcome, treatment, unit, time, group, controls)
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
    yt = M(gp[outcome].to_numpy(float)[order])
    est = float(dt @ yt / (dt @ dt))
    E = (yt - est * dt).reshape(J, T)[~treated]  # control groups' TWFE residuals
    w = Dm[treated] - Dm[treated].mean(axis=1, keepdims=True)
    W, full = _ct_distribution(w @ E.T, float(np.sum(w * w)), n_draws, seed)
    Ws = np.sort(W)
    n = len(Ws)
    k = int(np.floor(n * alpha / 2)) + 1
    lo, hi = est - Ws[n - k], est - Ws[k - 1]
    p = min(1.0, 2 * min(np.mean(W <= est), np.mean(W >= est)))
    head = {"term": treatment, "estimate": est, "std_error": np.nan, "conf_low": lo, "conf_high": hi,
            "p_value": p, "null_sd": float(np.std(W, ddof=1)) if n > 1 else np.nan}  # fmt: skip
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "controls": controls or "none",
        "group": key,
        "n_treated_groups": n1,
        "n_control_groups": n0,
        "n_periods": T,
        "n_draws": n,
        "draws_rule": f"all {n0}^{n1} combinations" if full else f"seed {seed}; {n} random combinations",
        "conf_level": 1 - alpha,
    }
    notes = [
        "std_error is NaN: the interval inverts the distribution of control-group residuals (Conley and Taber "
        "2011), not a standard error",
        f"assumes the {n0} control groups' errors are distributed like the treated groups' (homogeneous across "
        "groups, independent of treatment) and many control groups; with groups of unequal size (so unequal "
        "error variances) use Ferman and Pinto's (2019) heteroskedasticity correction",
    ]
    if group != unit:
        notes.append(f"run on {key}-by-{time} means of the units: the estimate is the group-level TWFE coefficient")
    return ConleyTaberResult.from_table(
        pd.DataFrame([head]), info=info, title="Conley-Taber inference (few treated groups)", notes=notes,
        null_distribution=W, n_treated_groups=n1, n_control_groups=n0, full_enumeration=full, group_panel=gp,
    )  # fmt: skip
