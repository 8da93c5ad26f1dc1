"""The public fast Monte Carlo path (:mod:`didbook.fast`): batched DID estimators for many outcome draws on one design.

With the design fixed (units, periods, adoption timing, controls, clusters), every estimator
below is a fixed linear map of the outcome vector, and its squared standard error a fixed
quadratic form of it. So instead of refitting the library once per Monte Carlo draw, the
functions here take an ``(n_rows, R)`` outcome matrix ``Y`` (column ``r`` = draw ``r``, rows in
the order of ``data``) and return the ``R`` estimates and standard errors in a few matrix
products. Each reproduces the library's per-draw fit (estimate *and* standard error) to rounding
error; ``tests/lib/test_fast.py`` checks agreement to 1e-8 against :func:`didbook.twfe` and
:func:`didbook.staggered` on the simulated city panel.

``twfe``
    Unit and period fixed effects (plus linear controls), CRV1 clustered standard error with the
    fixest/pyfixest small-sample correction ``G/(G-1) * (N-1)/(N-K)``, ``K`` = slopes plus the
    fixed-effect levels not nested in the cluster (``ssc(k_fixef="nonnested")``); t(G-1) intervals.
``staggered(method="sa")``
    Sun and Abraham: the saturated regression of ``diff_diff.SunAbraham`` (cohort x relative-time
    interactions, reference period -1, unit and period effects, controls), aggregated with the
    share of each cohort-relative-time cell among the treated post-treatment rows; clustered
    sandwich with the same correction (diff-diff's CR1 with the absorbed-FE ``K`` bracket).
``staggered(method="bjs")``
    Borusyak, Jaravel and Spiess imputation as in ``diff_diff.ImputationDiD``: unit + period
    effects (and controls) fitted on the untreated rows, imputed effects averaged over the
    treated rows; the conservative variance of their Theorem 3 with the cohort x horizon
    auxiliary residuals and the exact imputation weights ``v = -A0 (A0'A0)^-1 A1' w``.
``staggered(method="cs")``
    Callaway and Sant'Anna without covariates (never- or not-yet-treated comparison units,
    varying base period), ``simple`` or ``dynamic`` aggregation as ``moderndid.aggte``:
    cohort-size weights, analytic influence-function standard error ``sqrt(mean(psi^2) / n)``
    including the estimation effect of the weights; with ``cluster`` (e.g. the province) the unit
    influence functions are summed by cluster, ``sqrt(sum_c S_c^2) / n``, as
    :func:`didbook.staggered` (``adapters.moderndid.cluster_vcov``). t(G - 1) intervals (G =
    clusters, the library's rule). Balanced panels only.

``staggered`` returns the headline of ``aggregate("simple")`` (default) or of
``aggregate("dynamic")`` (the average over event times >= 0) for every method; ``"bjs"`` takes
``leave_out`` as the library (the own cluster left out of the auxiliary cell means, default).

``wild_bootstrap_pvalues``
    WCR wild cluster bootstrap p-values (:func:`didbook.wild_cluster_bootstrap` with
    ``conf_int=False``): same weights (same seed), same bootstrap t and p-value convention; the
    cluster summaries of every draw are formed at once.
``placebo_pvalues``
    Randomization-inference p-values (:func:`didbook.placebo_test`, ``kind="permute"``, optionally
    re-assigning whole clusters): the placebo assignments, drawn by the library's code with the
    same seed, are fixed across draws, so every placebo coefficient is a linear map of ``y``.
    Both are tested draw by draw against the library in ``tests/lib/test_fast.py`` (1e-12).

Anything else raises :class:`NotBatchable` with the reason, and callers fall back to per-draw
library fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ._demean import _sorted_layout, _TwoWayAnnihilator
from ._resampling import WildT, bootstrap_pvalue, cluster_cohorts, cohort_of_units, draw_cohorts, draw_wild_weights
from ._validation import outcome_draws

__all__ = ["NotBatchable", "BatchFit", "twfe", "staggered", "wild_bootstrap_pvalues", "placebo_pvalues"]


class NotBatchable(ValueError):
    """The specification is not covered by the batched fast path (the message says why)."""


@dataclass
class BatchFit:
    """Estimates for ``R`` draws: arrays of length ``R``."""

    estimate: np.ndarray
    std_error: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    p_value: np.ndarray

    @classmethod
    def from_se(cls, est: np.ndarray, se: np.ndarray, *, df: float | None, alpha: float) -> BatchFit:
        dist = stats.norm if df is None else stats.t(df)
        crit = dist.ppf(1 - alpha / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * dist.sf(np.abs(est / se))
        return cls(est, se, est - crit * se, est + crit * se, p)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "estimate": self.estimate,
                "std_error": self.std_error,
                "p_value": self.p_value,
                "conf_low": self.conf_low,
                "conf_high": self.conf_high,
            }
        )


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniq = pd.factorize(s, sort=True)
    if (codes < 0).any():
        raise NotBatchable(f"column {s.name!r} has missing values")
    return codes, len(uniq)


def _dummies(codes: np.ndarray, k: int, drop_first: bool = False) -> np.ndarray:
    m = np.zeros((len(codes), k))
    m[np.arange(len(codes)), codes] = 1.0
    return m[:, 1:] if drop_first else m


_FE_CACHE: dict = {}  # a few recent FE bases: repeated calls on one layout (e.g. many designs) skip the QR


def _fe_basis(u: np.ndarray, n_u: int, t: np.ndarray, n_t: int) -> np.ndarray:
    """Orthonormal basis of the span of unit and period dummies (connected panel: rank U + T - 1)."""
    key = (n_u, n_t, u.tobytes(), t.tobytes())
    if key in _FE_CACHE:
        return _FE_CACHE[key]
    Z = np.hstack([_dummies(u, n_u), _dummies(t, n_t, drop_first=True)])
    q, r = np.linalg.qr(Z)
    keep = np.abs(np.diag(r)) > 1e-10 * np.abs(np.diag(r)).max()
    q = q[:, keep]
    q.setflags(write=False)
    if len(_FE_CACHE) >= 4:
        _FE_CACHE.pop(next(iter(_FE_CACHE)))
    _FE_CACHE[key] = q
    return q


def _cluster_matrix(codes: np.ndarray, n_g: int) -> sparse.csr_matrix:
    n = len(codes)
    return sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_g, n))


def _nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True if every level of ``inner`` maps to one level of ``outer``."""
    return bool((pd.Series(outer).groupby(inner).nunique() == 1).all())


def _crv1_scale(n: int, k: int, g: int, fe: Sequence[tuple[np.ndarray, int]], cl: np.ndarray) -> float:
    """fixest/pyfixest ``ssc(k_adj=True, k_fixef="nonnested", G_adj=True)`` for unit + time effects."""
    k_fe = sum(levels for _, levels in fe)
    k_fe_adj = k_fe - (len(fe) - 1)
    nested = [levels for codes, levels in fe if _nested(codes, cl)]
    df_k = k + k_fe_adj - sum(nested) + len(nested)
    return g / (g - 1) * (n - 1) / (n - df_k)


def _controls_matrix(data: pd.DataFrame, controls: Sequence[str]) -> np.ndarray:
    if not controls:
        return np.empty((len(data), 0))
    missing = [c for c in controls if c not in data.columns]
    if missing:
        raise ValueError(f"controls {missing} are not columns of the design")
    X = data[list(controls)].to_numpy(dtype=float)
    if not np.isfinite(X).all():
        raise NotBatchable("controls have missing values")
    return X


def _clustered_linear(Q: np.ndarray, X: np.ndarray, Y: np.ndarray, c: np.ndarray, cl_mat) -> tuple:
    """Estimate ``c' beta`` of ``Y ~ X + FE`` (FE spanned by ``Q``) and its unscaled cluster sandwich."""
    Xt = X - Q @ (Q.T @ X)
    Yt = Y - Q @ (Q.T @ Y)
    XtX = Xt.T @ Xt
    if np.linalg.matrix_rank(XtX) < XtX.shape[0]:
        raise NotBatchable("regressors are collinear with the fixed effects (rank-deficient design)")
    B = np.linalg.solve(XtX, Xt.T @ Yt)  # (p, R)
    a = Xt @ np.linalg.solve(XtX, c)  # row weights of c'beta
    est = c @ B
    resid = Yt - Xt @ B
    scores = cl_mat @ (a[:, None] * resid)  # (G, R)
    return est, np.einsum("gr,gr->r", scores, scores)


@dataclass
class _Layout:
    u: np.ndarray
    n_u: int
    t: np.ndarray
    n_t: int
    periods: np.ndarray
    balanced: bool


def _layout(data: pd.DataFrame, unit: str, time: str) -> _Layout:
    for c in (unit, time):
        if c not in data.columns:
            raise ValueError(f"column {c!r} is not in the design")
    u, n_u = _codes(data[unit])
    t, n_t = _codes(data[time])
    if pd.Series(u * n_t + t).duplicated().any():
        raise ValueError(f"duplicated ({unit}, {time}) rows in the design")
    periods = np.sort(data[time].unique())
    return _Layout(u, n_u, t, n_t, periods, balanced=len(data) == n_u * n_t)


def _cluster(data: pd.DataFrame, cluster: str | None, unit: str) -> tuple[np.ndarray, int]:
    col = cluster or unit
    if col not in data.columns:
        raise ValueError(f"cluster column {col!r} is not in the design")
    return _codes(data[col])


# ---------------------------------------------------------------------------------------------
# TWFE
# ---------------------------------------------------------------------------------------------


def twfe(
    data: pd.DataFrame,
    Y,
    treatment: str,
    *,
    unit: str = "city_id",
    time: str = "year",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> BatchFit:
    """:func:`didbook.twfe` (unit + period effects, CRV1 by ``cluster`` or the unit) for every column of ``Y``.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design: unit, time, treatment, controls and cluster columns, one row per unit-period.
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time : str
        Column names.
    controls : sequence of str
        Linear controls.
    cluster : str, optional
        Cluster column (default: the unit).
    alpha : float
        1 - confidence level (t(G-1) intervals, as the library).

    Returns
    -------
    BatchFit
    """
    lay = _layout(data, unit, time)
    Y = outcome_draws(Y, len(data))
    d = data[treatment].to_numpy(dtype=float)
    X = np.column_stack([d, _controls_matrix(data, controls)])
    cl, n_g = _cluster(data, cluster, unit)
    Q = _fe_basis(lay.u, lay.n_u, lay.t, lay.n_t)
    c = np.zeros(X.shape[1])
    c[0] = 1.0
    est, meat = _clustered_linear(Q, X, Y, c, _cluster_matrix(cl, n_g))
    scale = _crv1_scale(len(data), X.shape[1], n_g, [(lay.u, lay.n_u), (lay.t, lay.n_t)], cl)
    return BatchFit.from_se(est, np.sqrt(scale * meat), df=n_g - 1, alpha=alpha)


# ---------------------------------------------------------------------------------------------
# Staggered: SA, BJS, CS
# ---------------------------------------------------------------------------------------------


def _cohorts(data: pd.DataFrame, cohort: str, lay: _Layout) -> np.ndarray:
    g = data[cohort].fillna(0).to_numpy(dtype=float)
    per_unit = pd.Series(g).groupby(lay.u).nunique()
    if (per_unit > 1).any():
        raise ValueError(f"cohort column {cohort!r} varies within unit")
    return g


def _sa(data, Y, g, lay, time_vals, controls, cluster, unit, alpha, anticipation, aggregation) -> BatchFit:
    if not (g == 0).any():
        raise NotBatchable("Sun-Abraham without never-treated units (last cohort as control) is not batched")
    rel = np.where(g > 0, time_vals - g, np.nan)
    ref = -1 - anticipation
    cells = sorted({(gg, int(e)) for gg, e in zip(g[g > 0], rel[g > 0]) if int(e) != ref})
    cols = [((g == gg) & (rel == e)).astype(float) for gg, e in cells]
    D = np.column_stack(cols)
    Xc = _controls_matrix(data, controls)
    X = np.column_stack([D, Xc])
    n_cell = D.sum(axis=0)
    post = np.array([e >= 0 for _, e in cells])
    c = np.zeros(X.shape[1])
    if aggregation == "simple":  # share of each cohort x relative-time cell among the treated post-treatment rows
        c[: len(cells)] = np.where(post, n_cell, 0.0) / n_cell[post].sum()
    else:  # dynamic: mean over e >= 0 of the event-time effects, each the cell-size weighted mean over cohorts
        rel_c = np.array([e for _, e in cells])
        n_e = {e: n_cell[rel_c == e].sum() for e in np.unique(rel_c[post])}
        c[: len(cells)] = [n_cell[k] / n_e[e] / len(n_e) if e >= 0 else 0.0 for k, e in enumerate(rel_c)]
    cl, n_g = _cluster(data, cluster, unit)
    Q = _fe_basis(lay.u, lay.n_u, lay.t, lay.n_t)
    est, meat = _clustered_linear(Q, X, Y, c, _cluster_matrix(cl, n_g))
    scale = _crv1_scale(len(data), X.shape[1], n_g, [(lay.u, lay.n_u), (lay.t, lay.n_t)], cl)
    return BatchFit.from_se(est, np.sqrt(scale * meat), df=n_g - 1, alpha=alpha)  # t(G-1), as staggered()


def _bjs(data, Y, g, lay, time_vals, controls, cluster, unit, alpha, anticipation, aggregation, leave_out) -> BatchFit:
    treated = (g > 0) & (time_vals >= g - anticipation)
    om0, om1 = ~treated, treated
    Xc = _controls_matrix(data, controls)
    A = np.hstack([_dummies(lay.u, lay.n_u), _dummies(lay.t, lay.n_t, drop_first=True), Xc])
    A0, A1 = A[om0], A[om1]
    # units / periods of treated rows must appear among the untreated rows (rank condition)
    if not (np.isin(lay.u[om1], lay.u[om0]).all() and np.isin(lay.t[om1], lay.t[om0]).all()):
        raise NotBatchable("some treated units or periods have no untreated observations (rank condition)")
    if not lay.t[om0].min() == 0:
        raise NotBatchable("the first period has no untreated observations")
    q0, r0 = np.linalg.qr(A0)
    if np.abs(np.diag(r0)).min() < 1e-10 * np.abs(np.diag(r0)).max():
        raise NotBatchable("the untreated-outcome model is rank-deficient")
    # theta = R^-1 Q0' Y0 ; imputed Y(0) on treated rows = A1 theta
    P1 = np.linalg.solve(r0.T, A1.T).T  # A1 R^-1, shape (n1, p)
    Y0, Y1 = Y[om0], Y[om1]
    coef = q0.T @ Y0  # (p, R)
    tau = Y1 - P1 @ coef
    n1 = int(om1.sum())
    rel1 = (time_vals - g)[om1]
    if aggregation == "simple":  # every treated observation equally
        w = np.full(n1, 1.0 / n1)
    else:  # dynamic: mean over event times e >= 0 of the mean imputed effect at e
        keys, inv, cnt = np.unique(rel1, return_inverse=True, return_counts=True)
        w = 1.0 / cnt[inv] / len(keys)
    est = w @ tau
    eps0 = Y0 - q0 @ coef
    v0 = -(q0 @ (P1.T @ w))
    # auxiliary residuals: tau minus its cohort x horizon cell mean, the own cluster left out
    # (BJS 2024 App. A.9; the same function as didbook.staggered, see didbook._bjs)
    from ._bjs import aux_residuals

    # w is constant within each cohort x event-time cell, so the w^2-weighted cell means are plain
    # means and one set of auxiliary residuals serves every target (as the per-key ones of the library)
    cell = pd.factorize(pd.Series(list(zip(g[om1], rel1))), sort=False)[0]
    cl, n_g = _cluster(data, cluster, unit)
    eps1 = aux_residuals(tau, w, cell, cl[om1], leave_out=leave_out)[0]
    Cm = _cluster_matrix(cl[om0], n_g)
    Cm1 = _cluster_matrix(cl[om1], n_g)
    psi = Cm @ (v0[:, None] * eps0) + Cm1 @ (w[:, None] * eps1)
    se = np.sqrt(np.einsum("gr,gr->r", psi, psi))
    return BatchFit.from_se(est, se, df=n_g - 1, alpha=alpha)  # t(G-1), as staggered()


def _unit_clusters(data: pd.DataFrame, cluster: str | None, unit: str, lay: _Layout) -> tuple[np.ndarray | None, int]:
    """Cluster code of every unit (index = unit code) and the number of clusters; ``None`` = the unit."""
    if cluster in (None, unit):
        return None, lay.n_u
    cl, n_g = _cluster(data, cluster, unit)
    if not _nested(lay.u, cl):
        raise ValueError(f"cluster column {cluster!r} varies within unit (clusters must contain whole units)")
    cu = np.zeros(lay.n_u, dtype=int)
    cu[lay.u] = cl
    return cu, n_g


def _cs(data, Y, g, lay, control, alpha, anticipation, cu=None, n_g=None, aggregation="simple") -> BatchFit:
    """Callaway-Sant'Anna ``simple`` or ``dynamic`` overall ATT with the influence-function SE.

    ``cu``: cluster code of every unit (``None``: the unit is the cluster). The unit influence
    functions are summed by cluster, ``se = sqrt(sum_c S_c^2) / N`` (``adapters.moderndid.cluster_vcov``).
    """
    if not lay.balanced:
        raise NotBatchable("Callaway-Sant'Anna needs a balanced panel")
    n_u, n_t, R = lay.n_u, lay.n_t, Y.shape[1]
    W = np.full((n_u, n_t, R), np.nan)
    W[lay.u, lay.t] = Y
    gu = np.zeros(n_u)
    gu[lay.u] = g
    periods = lay.periods.astype(float)
    cohorts = np.sort(np.unique(gu[gu > 0]))
    if control == "never" and not (gu == 0).any():
        raise NotBatchable("no never-treated units")
    N = n_u
    pg = {c: np.mean(gu == c) for c in cohorts}
    cells = []  # (cohort, event time, att (R,), treated idx, control idx, dY)
    for c in cohorts:
        pre = np.where(periods < c - anticipation)[0]
        if len(pre) == 0:
            raise NotBatchable(f"cohort {c:g} has no pre-treatment period")
        b = pre[-1]
        for ti in np.where(periods >= c)[0]:
            if ti == 0:
                continue
            tr = gu == c
            if control == "never":
                co = gu == 0
            else:
                co = (gu == 0) | (gu > periods[ti] + anticipation)
            if not co.any():
                raise NotBatchable(f"no comparison units for ATT({c:g},{periods[ti]:g})")
            dY = W[:, ti, :] - W[:, b, :]
            cells.append((c, periods[ti] - c, dY[tr].mean(axis=0) - dY[co].mean(axis=0), tr, co, dY))
    att = np.array([a for _, _, a, *_ in cells])  # (K, R)
    pgk = np.array([pg[c] for c, *_ in cells])
    rel = np.array([e for _, e, *_ in cells])
    # targets: groups of cells, each averaged with cohort-size weights, then combined with weights comb
    # (simple: one group, every post cell; dynamic: one group per event time e >= 0, their mean, as aggte)
    groups = [np.arange(len(cells))] if aggregation == "simple" else [np.where(rel == e)[0] for e in np.unique(rel)]
    comb = np.full(len(groups), 1.0 / len(groups))
    wk = np.zeros(len(cells))  # overall weight of each cell
    est = np.zeros(R)
    psi = np.zeros((n_u, R))
    for j, K in enumerate(groups):
        w = pgk[K] / pgk[K].sum()
        wk[K] = comb[j] * w
        est += comb[j] * (w @ att[K])
        # estimation effect of the cohort-size weights (moderndid _compute_weight_inf_func)
        sum_pg = pgk[K].sum()
        ind = np.column_stack([(gu == cells[k][0]).astype(float) - pgk[k] for k in K])  # (N, |K|)
        wif = ind / sum_pg - np.outer(ind.sum(axis=1) / sum_pg**2, pgk[K])
        psi += comb[j] * (wif @ att[K])
    for k, (_c, _e, _, tr, co, dY) in enumerate(cells):
        n1, n0 = tr.sum(), co.sum()
        m1, m0 = dY[tr].mean(axis=0), dY[co].mean(axis=0)
        psi[tr] += wk[k] * N / n1 * (dY[tr] - m1)
        psi[co] -= wk[k] * N / n0 * (dY[co] - m0)
    if cu is None:  # the engine's own SE: sqrt(mean(psi^2) / n), NaN at numerical zero
        se = np.sqrt(np.mean(psi**2, axis=0) / N)
        se = np.where(se <= np.sqrt(np.finfo(float).eps) * 10, np.nan, se)
        return BatchFit.from_se(est, se, df=n_u - 1, alpha=alpha)  # t(G - 1), G = units: the library's rule
    S = np.zeros((n_g, R))
    np.add.at(S, cu, psi)
    se = np.sqrt(np.einsum("gr,gr->r", S, S)) / N  # staggered(): cluster_vcov of the influence function
    return BatchFit.from_se(est, se, df=n_g - 1, alpha=alpha)  # t(G - 1), G = clusters


def staggered(
    data: pd.DataFrame,
    Y,
    cohort: str,
    *,
    method: str = "cs",
    unit: str = "city_id",
    time: str = "year",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    control: str = "never",
    est_method: str = "dr",
    anticipation: int = 0,
    alpha: float = 0.05,
    aggregation: str = "simple",
    leave_out: bool = True,
) -> BatchFit:
    """The headline of :func:`didbook.staggered` ``.aggregate(aggregation)`` for every column of ``Y``.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design (unit, time, cohort, controls, cluster columns), rows aligned with ``Y``.
    Y : array-like, shape (n_rows, R)
        Outcome draws.
    cohort : str
        First treated period (0 or missing = never treated).
    method : {"cs", "sa", "bjs"}
        Estimator, as in :func:`didbook.staggered`.
    unit, time : str
        Column names.
    controls : sequence of str
        Controls (``"sa"``/``"bjs"`` only; ``"cs"`` with covariates is not batched).
    cluster : str, optional
        Cluster column (default the unit; constant within unit). ``"cs"`` sums the unit influence
        functions by cluster, as :func:`didbook.staggered` does for its analytic SEs.
    control : {"never", "notyet"}
        Comparison group of ``"cs"``.
    est_method : {"dr", "ipw", "reg"}
        ``"cs"`` estimator; without covariates all three coincide.
    anticipation : int
        Periods of anticipation.
    alpha : float
        1 - confidence level (t(G - 1) intervals, as the library).
    aggregation : {"simple", "dynamic"}
        The headline of that aggregation: ``"simple"`` the simple ATT, ``"dynamic"`` the average
        of the event-time effects over event times >= 0 (the overall row of
        ``aggregate("dynamic")``).
    leave_out : bool
        ``"bjs"``: leave the observation's own cluster out of the auxiliary cell means of the
        variance (default, as :func:`didbook.staggered`); ``False`` = R ``didimputation``'s variance.

    Returns
    -------
    BatchFit

    Raises
    ------
    NotBatchable
        For specifications outside the fast path (the message names the reason).
    """
    if method not in ("cs", "sa", "bjs"):
        raise ValueError(f"method must be 'cs', 'sa' or 'bjs', got {method!r}")
    if aggregation not in ("simple", "dynamic"):
        if aggregation in ("group", "calendar"):
            raise NotBatchable(f"aggregation {aggregation!r} is not batched (simple and dynamic only)")
        raise ValueError(f"aggregation must be 'simple' or 'dynamic', got {aggregation!r}")
    lay = _layout(data, unit, time)
    Y = outcome_draws(Y, len(data))
    g = _cohorts(data, cohort, lay)
    tv = data[time].to_numpy(dtype=float)
    if method == "cs":
        if controls:
            raise NotBatchable("Callaway-Sant'Anna with covariates is not batched")
        cu, n_g = _unit_clusters(data, cluster, unit, lay)
        return _cs(data, Y, g, lay, control, alpha, anticipation, cu, n_g, aggregation)
    if method == "sa":
        if anticipation:
            raise NotBatchable("Sun-Abraham with anticipation is not batched")
        return _sa(data, Y, g, lay, tv, controls, cluster, unit, alpha, anticipation, aggregation)
    if anticipation:
        raise NotBatchable("BJS with anticipation is not batched")
    return _bjs(data, Y, g, lay, tv, controls, cluster, unit, alpha, anticipation, aggregation, bool(leave_out))


# ---------------------------------------------------------------------------------------------
# Wild cluster bootstrap (WCR) and province-level randomization inference p-values
# ---------------------------------------------------------------------------------------------


def _fwl_design(data: pd.DataFrame, Y, treatment: str, unit: str, time: str, controls: Sequence[str]):
    """Rows sorted as the library sorts them, the two-way annihilator ``M``, ``M d`` and ``M Y``."""
    Y = outcome_draws(Y, len(data))
    controls = list(controls)
    u_codes, t_codes, units, periods, order, starts = _sorted_layout(data, unit, time)
    X = data[controls].to_numpy(dtype=float)[order] if controls else None
    M = _TwoWayAnnihilator(u_codes[order], t_codes[order], starts, X, controls)
    d = data[treatment].to_numpy(dtype=float)
    return u_codes, t_codes, units, periods, order, M, M(d[order]), M(Y[order])


def wild_bootstrap_pvalues(
    data: pd.DataFrame,
    Y,
    treatment: str,
    unit: str = "city_id",
    time: str = "year",
    cluster: str = "province_id",
    n_draws: int = 9999,
    seed: int = 0,
    weight_type: str = "rademacher",
    *,
    controls: Sequence[str] = (),
) -> np.ndarray:
    """WCR wild cluster bootstrap p-values of ``H0: beta = 0`` for every column of ``Y``.

    Equals ``didbook.wild_cluster_bootstrap(data_r, ..., n_draws=n_draws, seed=seed,
    weight_type=weight_type, conf_int=False).p_value`` for each draw ``r`` (same bootstrap weights:
    same seed), using the library's own weights, t statistics and p-value convention. The
    design-fixed parts (``M d``, cluster summaries ``M (d~ 1_g)``, weight matrix) are computed once;
    each outcome column then costs ``O(N G + G^2 n_draws)``.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design (unit, time, treatment, cluster and control columns).
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time, cluster : str
        Column names, as in :func:`didbook.wild_cluster_bootstrap`.
    n_draws, seed, weight_type
        Bootstrap draws, seed and weights (``"rademacher"`` or ``"webb"``), as the library.
    controls : sequence of str
        Covariates partialled out with the fixed effects.

    Returns
    -------
    numpy.ndarray
        ``R`` bootstrap p-values.
    """
    _, _, _, _, order, M, dt, Yt = _fwl_design(data, Y, treatment, unit, time, controls)
    cl, G = _codes(data[cluster].iloc[order].reset_index(drop=True))
    if G < 2:
        raise ValueError(f"cluster {cluster!r} has a single value; need at least 2 clusters")
    V, full = draw_wild_weights(G, int(n_draws), weight_type, int(seed))
    wt = WildT(Yt[:, 0], dt, cl, G, M, True, full)  # design-fixed parts: A = M (d~ 1_g), Dg, dd
    # restricted residuals under beta0 = 0 are M y itself; cluster summaries of every draw at once
    nsum = _cluster_matrix(cl, G) @ (dt[:, None] * Yt)  # (G, R): sum_{i in g} d~_i u_i
    C = np.empty((G, G, Yt.shape[1]))  # C[g, h, r] = sum_{i in h} A[i, g] u_ir
    for h in range(G):
        rows = cl == h
        C[:, h, :] = wt.A[rows].T @ Yt[rows]
    beta = (dt @ Yt) / wt.dd
    out = np.empty(Yt.shape[1])
    for r in range(Yt.shape[1]):
        delta = (nsum[:, r] @ V) / wt.dd
        S = C[:, :, r] @ V - delta[None, :] * wt.Dg[:, None]
        se = np.sqrt(np.sum(S * S, axis=0)) / wt.dd
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = delta / se
        score = nsum[:, r] - beta[r] * wt.Dg  # observed cluster scores d~' (y~ - beta d~)
        t_obs = beta[r] / (np.sqrt(np.sum(score**2)) / wt.dd)
        out[r] = bootstrap_pvalue(tb, t_obs, full)
    return out


def placebo_pvalues(
    data: pd.DataFrame,
    Y,
    treatment: str,
    unit: str = "city_id",
    time: str = "year",
    cluster: str | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    *,
    controls: Sequence[str] = (),
) -> np.ndarray:
    """Randomization-inference p-values (``kind="permute"``) for every column of ``Y``.

    Equals ``didbook.placebo_test(data_r, ..., n_draws=n_draws, seed=seed, cluster=cluster).p_value``
    for each draw ``r``: the placebo assignments are drawn by the library's own code with the same
    seed (whole clusters re-assigned when ``cluster`` is given), so they are the same for every
    draw, and each placebo coefficient ``(M d_p)' y / d_p' M d_p`` is a fixed linear map of ``y``.
    ``p = (1 + #{|beta_p| >= |beta|}) / (1 + n_draws)``, as the library.

    Parameters
    ----------
    data : pandas.DataFrame
        The fixed design (0/1 absorbing treatment; with ``cluster``, all units of a cluster adopt
        together).
    Y : array-like, shape (n_rows, R)
        Outcome draws, rows aligned with ``data``.
    treatment, unit, time : str
        Column names.
    cluster : str or None
        Level at which the placebo assignments re-assign adoption periods (``None``: units).
    n_draws, seed
        Placebo draws and seed, as :func:`didbook.placebo_test`.
    controls : sequence of str
        Covariates partialled out with the fixed effects.

    Returns
    -------
    numpy.ndarray
        ``R`` randomization p-values.
    """
    u_codes, t_codes, units, periods, order, M, md, Yt = _fwl_design(data, Y, treatment, unit, time, controls)
    n_units, n_t = len(units), len(periods)
    u_s, t_s = u_codes[order], t_codes[order]
    d = data[treatment].to_numpy(dtype=float)
    rng = np.random.default_rng(int(seed))
    if cluster is None:
        cohorts = draw_cohorts(rng, cohort_of_units(d[order], t_s, u_s, n_units), "permute", n_draws, n_t)
    else:
        g_of_unit, c_g, _ = cluster_cohorts(data, cluster, unit, treatment, u_codes, t_codes, d, periods, n_units)
        cohorts = draw_cohorts(rng, c_g, "permute", n_draws, n_t)[:, g_of_unit]
    D = (t_s[:, None] >= cohorts.T[u_s]).astype(float)  # (N, n_draws) placebo treatments, sorted rows
    MD = M(D)
    den = np.einsum("ij,ij->j", MD, D)
    if (den <= 1e-10 * max(1.0, float(md @ md))).any():
        raise ValueError("some placebo draws give a treatment with no variation after the fixed effects")
    null = (MD / den).T @ Yt  # (n_draws, R)
    # M is idempotent, so (M d)' y = (M d)' (M y)
    observed = (md @ Yt) / float(md @ md)
    tol = 1e-12 * np.maximum(1.0, np.abs(observed))
    return (1 + np.sum(np.abs(null) >= np.abs(observed) - tol, axis=0)) / (1 + n_draws)
