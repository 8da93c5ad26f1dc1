"""Rambachan-Roth (2023) sensitivity of event-study conclusions to violations of parallel trends.

Given event-study coefficients ``betahat`` (pre-period leads, then post-period effects, the
reference period omitted) and their covariance ``sigma``, :func:`honest_sensitivity` reports
confidence sets for a post-treatment target (the first post effect, or the average of the
post effects) that are valid when the post-treatment violation of parallel trends ``delta``
lies in a restricted set:

``method="relative_magnitude"`` (Delta^RM(Mbar))
    Post-treatment changes in the violation between consecutive periods are at most ``Mbar``
    times the largest such change before treatment. ``Mbar = 0`` is exact parallel trends
    after treatment; ``Mbar = 1`` allows a violation as bad as the worst pre-period one.
    Confidence sets: ARP conditional / least-favourable hybrid (``"C-LF"``, the R default).
``method="smoothness"`` (Delta^SD(M))
    The slope of the violation may change by at most ``M`` per period: ``M = 0`` allows a
    linear trend extrapolated from the pre-periods. Confidence sets: fixed-length (FLCI).

The *breakdown value* is the largest ``M``/``Mbar`` under which the conclusion "the effect is not
zero" still holds: the supremum of the values whose robust confidence set excludes 0, found by
bisection between the grid point where the set first includes 0 and the one before it (the sets
are nested in ``M``). Inference: :data:`INFERENCE_NOTE`.

Engine: ``moderndid`` (a port of the R package HonestDiD). The tests reproduce the published
HonestDiD README (Medicaid expansion) numbers and cross-check the smoothness intervals against
diff-diff's FLCI solver. The relative-magnitude intervals are computationally heavy in the
engine (about 10-40 seconds per ``Mbar`` value with five pre-periods), almost all of it in
thousands of small linear programs solved through ``scipy.optimize.linprog``, whose set-up costs
far more than the solve. With ``fast=True`` (the default) :func:`honest_sensitivity` swaps in two
leaner, equivalent solvers while the engine runs: the least-favourable critical value re-solves
ONE HiGHS model per draw, changing only the right-hand side (same draws, same seed, same LP), and
the other LPs call HiGHS directly without linprog's input checks. The intervals are the same to
machine precision (``benchmarks/honest_speed.py`` checks it and measures the gain, about 5-10x).
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._engine import _engine_info, _WarningLog
from ._results import Result, tidy_frame

__all__ = ["honest_sensitivity", "HonestResult"]


@dataclass(repr=False)
class HonestResult(Result):
    """Result of :func:`honest_sensitivity`.

    ``tidy()`` lists the robust set for each ``M`` (no standard error for the robust rows;
    their ``estimate`` is the original one).

    Attributes
    ----------
    estimate : float
        The headline: point estimate of the target ``l_vec' beta_post``.
    std_error, conf_low, conf_high, p_value : float
        Its standard error, the usual (parallel trends exact) confidence interval and normal
        p-value -- the benchmark the robust sets in ``table`` widen as ``M`` grows.
    table : pandas.DataFrame
        Robust confidence sets: ``M, lb, ub, method`` (``method`` is the CI construction) plus
        the tidy columns.
    breakdown : float or None
        Supremum of ``M`` whose robust set excludes 0, by bisection (``None`` if every set on the
        grid excludes 0; 0 if even the original interval includes 0).
    restriction : str
        ``"relative_magnitude"`` or ``"smoothness"``.
    """

    breakdown: float | None = None
    restriction: str = "relative_magnitude"
    l_vec: np.ndarray | None = None

    def plot(self, ax=None, title: str | None = None):
        """The usual sensitivity plot: robust confidence sets against ``M`` (or ``Mbar``), with the
        original interval on the left. Returns the matplotlib Axes.

        Examples
        --------
        >>> ax = honest_sensitivity(b, sigma, num_pre=3, num_post=2, method="smoothness").plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        tb = self.table
        m = tb["M"].to_numpy(dtype=float)
        step = np.min(np.diff(np.unique(m))) if len(np.unique(m)) > 1 else 1.0
        x0 = m.min() - step
        lo, hi = self.conf_low, self.conf_high
        ax.errorbar(
            [x0], [(lo + hi) / 2], yerr=[[(hi - lo) / 2]], fmt="none", color="C3", capsize=4, lw=2, label="original CI"
        )
        mid = (tb["lb"] + tb["ub"]).to_numpy() / 2
        ax.errorbar(
            m,
            mid,
            yerr=[mid - tb["lb"].to_numpy(), tb["ub"].to_numpy() - mid],
            fmt="none",
            color="C0",
            capsize=4,
            lw=2,
            label="robust CI",
        )
        ax.axhline(0, color="0.5", lw=0.8)
        if self.breakdown is not None and self.breakdown > 0:
            ax.axvline(self.breakdown, color="0.4", ls=":", lw=1, label=f"breakdown = {self.breakdown:g}")
        ax.set_xlabel(
            r"$\bar{M}$ (relative magnitudes)" if self.restriction == "relative_magnitude" else "M (smoothness)"
        )
        ax.set_ylabel("confidence set for the target")
        if title:
            ax.set_title(title)
        ax.legend(frameon=False, fontsize="small")
        return ax


def _lean_linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None, method="highs"):
    """``scipy.optimize.linprog`` for the engine's small dense LPs, calling HiGHS directly.

    Same problem, same solver (HiGHS, dual simplex), without linprog's input parsing and option
    checking, which cost most of the time for LPs this small. Returns the attributes the engine
    reads: ``success``, ``x``, ``fun``, ``ineqlin.marginals``.
    """
    import highspy

    inf = highspy.kHighsInf
    c = np.asarray(c, dtype=float)
    n = c.size
    blocks, lo, up, m_ub = [], [], [], 0
    if A_ub is not None:
        b_ub = np.asarray(b_ub, dtype=float)
        blocks.append(np.atleast_2d(np.asarray(A_ub, dtype=float)))
        lo.append(np.full(b_ub.size, -inf))
        up.append(b_ub)
        m_ub = b_ub.size
    if A_eq is not None:
        b_eq = np.asarray(b_eq, dtype=float)
        blocks.append(np.atleast_2d(np.asarray(A_eq, dtype=float)))
        lo.append(b_eq)
        up.append(b_eq)
    A = np.vstack(blocks)
    bounds = [(0, None)] * n if bounds is None else bounds
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("simplex_strategy", 1)  # dual simplex, as linprog's HiGHS methods
    if method == "highs-ds":
        h.setOptionValue("solver", "simplex")
    h.passModel(_dense_lp(highspy, A, c, bounds, np.concatenate(lo), np.concatenate(up)))
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    return types.SimpleNamespace(
        success=ok,
        x=np.array(sol.col_value) if ok else None,
        fun=h.getInfo().objective_function_value if ok else None,
        ineqlin=types.SimpleNamespace(marginals=np.array(sol.row_dual)[:m_ub] if ok else None),
    )


def _dense_lp(highspy, A, c, bounds, row_lower, row_upper):
    inf = highspy.kHighsInf
    m, n = A.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.array([-inf if b[0] is None else b[0] for b in bounds], dtype=float)
    lp.col_upper_ = np.array([inf if b[1] is None else b[1] for b in bounds], dtype=float)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, dtype=float), np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, m * n + 1, m, dtype=np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(m, dtype=np.int32), n)
    lp.a_matrix_.value_ = np.ascontiguousarray(A.T).ravel()
    return lp


def _fast_least_favorable_cv(x_t=None, sigma=None, hybrid_kappa=0.05, sims=1000, rows_for_arp=None, seed=0):
    """The engine's least-favourable critical value with one HiGHS model re-solved per draw.

    Identical draws (same generator and seed) and the same LP per draw,
    ``min eta s.t. -sd * eta - X delta <= -xi``; only the right-hand side changes between draws,
    so the model is built once and each solve starts from the previous basis.
    """
    if x_t is None:  # no nuisance parameters: no LP, the engine's own code is already fast
        from .adapters.moderndid import FastLPs

        return FastLPs.original_cv(x_t, sigma, hybrid_kappa, sims, rows_for_arp, seed)
    import highspy

    rng = np.random.default_rng(seed)
    if rows_for_arp is not None:
        x_t = x_t[rows_for_arp]
        sigma = sigma[np.ix_(rows_for_arp, rows_for_arp)]
    if x_t.ndim == 1:
        x_t = x_t.reshape(-1, 1)
    n = sigma.shape[0]
    sd_vec = np.sqrt(np.diag(sigma))
    C = -np.column_stack([sd_vec, x_t])
    xi_draws = rng.multivariate_normal(mean=np.zeros(n), cov=sigma, size=sims)
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("simplex_strategy", 1)
    cost = np.r_[1.0, np.zeros(x_t.shape[1])]
    h.passModel(_dense_lp(highspy, C, cost, [(None, None)] * cost.size, np.full(n, -inf), -xi_draws[0]))
    rows, lower = np.arange(n, dtype=np.int32), np.full(n, -inf)
    eta = []
    for xi in xi_draws:
        h.changeRowsBounds(n, rows, lower, -xi)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            eta.append(h.getSolution().col_value[0])
    if not eta:
        raise RuntimeError("Failed to compute any valid eta values")
    return float(np.quantile(eta, 1 - hybrid_kappa))


def _fast_lps():
    from .adapters.moderndid import FastLPs

    return FastLPs(_fast_least_favorable_cv, _lean_linprog)


def _from_object(obj: Any) -> tuple[np.ndarray, np.ndarray, int, int, list[int]]:
    """(betahat, sigma, num_pre, num_post, event times) of an event-study result, refusing unusable ones.

    Accepted: :func:`didbook.event_study` without binned end points, and the ``dynamic``
    aggregation of :func:`didbook.staggered` (Sun-Abraham; Callaway-Sant'Anna with
    ``base_period="universal"``) -- heterogeneity-robust event studies measured against one
    reference period, with a covariance matrix.
    """
    if getattr(obj, "kind", None) is not None and hasattr(obj, "table") and "event_time" in obj.table.columns:
        return _from_aggregate(obj)
    for attr in ("event_times", "estimates", "vcov"):
        if not hasattr(obj, attr):
            raise TypeError(
                f"expected an event-study result (didbook.event_study, or staggered(...).aggregate('dynamic')) "
                f"or an array of coefficients; {type(obj).__name__} has no attribute {attr!r}"
            )
    if getattr(obj, "binned", False):
        raise ValueError(
            "the event study has binned end points (event_study(bin=True)): the first and last coefficients "
            "pool several event times, which breaks the one-period spacing both restrictions assume. Re-run "
            "event_study(..., bin=False) on a window covering the data, or pass a heterogeneity-robust event study: "
            "staggered(..., method='sa').aggregate('dynamic') or staggered(..., method='cs', "
            "base_period='universal').aggregate('dynamic')"
        )
    et = [int(e) for e in obj.event_times]
    ref = int(getattr(obj, "reference", -1))
    if ref in et:
        raise ValueError(f"event_times include the reference period {ref}; it must be omitted (normalized to 0)")
    return _ordered(et, np.asarray(obj.estimates, dtype=float), np.asarray(obj.vcov, dtype=float), ref)


def _ordered(et, b, V, ref):
    order = np.argsort(et)
    et = [et[i] for i in order]
    b, V = b[order], V[np.ix_(order, order)]
    steps = np.diff([*et[: sum(e < ref for e in et)], ref, *et[sum(e < ref for e in et) :]])
    if len(steps) and (steps != 1).any():
        raise ValueError(
            f"event times {et} (reference {ref}) are not consecutive: both restrictions need one-period steps"
        )
    return b, V, sum(e < ref for e in et), sum(e > ref for e in et), et


def _from_aggregate(agg) -> tuple:
    if agg.kind != "dynamic":
        raise ValueError(f"pass the 'dynamic' aggregation (an event study), got the {agg.kind!r} aggregation")
    if agg.vcov is None:
        raise ValueError("this event study has no covariance matrix of its event-time estimates")
    base = str(agg.info.get("base_period", ""))
    if base.startswith("varying"):
        raise ValueError(
            "Callaway-Sant'Anna with base_period='varying' compares consecutive periods before adoption, not an "
            "event-study path against one reference period; re-run staggered(..., base_period='universal')"
        )
    tb = agg.table
    et = tb["event_time"].to_numpy(dtype=int)
    V = np.asarray(agg.vcov, dtype=float)
    keep = np.isfinite(np.diag(V)) & (np.diag(V) > 0)  # CS universal: the reference row (-1) is 0 with no variance
    dropped = set(et[~keep].tolist())
    ref = -1 if (-1 not in et or -1 in dropped) else None
    if ref is None:
        raise ValueError("event time -1 is estimated, so the event study has no reference period to measure against")
    b = tb["estimate"].to_numpy(dtype=float)[keep]
    return _ordered(et[keep].tolist(), b, V[np.ix_(keep, keep)], ref)


def honest_sensitivity(
    event_study_or_betahat: Any,
    sigma: np.ndarray | None = None,
    num_pre: int | None = None,
    num_post: int | None = None,
    method: str = "relative_magnitude",
    Mbar: Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0),
    M: Sequence[float] | None = None,
    alpha: float = 0.05,
    target: str | Sequence[float] = "first",
    ci_method: str | None = None,
    grid_points: int = 1000,
    fast: bool = True,
    breakdown_tol: float = 0.01,
) -> HonestResult:
    """Rambachan-Roth sensitivity analysis of an event study.

    Parameters
    ----------
    event_study_or_betahat : event-study result or array-like
        A heterogeneity-robust event study -- ``staggered(..., method="sa").aggregate("dynamic")``
        or ``staggered(..., method="cs", base_period="universal").aggregate("dynamic")`` -- or
        :func:`didbook.event_study` with ``bin=False`` (binned end points and CS's varying base
        period are refused with an explanation); or the coefficient vector (pre-periods first, in
        time order, then post-periods, the reference omitted).
    sigma : array-like, optional
        Covariance matrix of the coefficients (required with an array).
    num_pre, num_post : int, optional
        Number of pre- and post-period coefficients (required with an array).
    method : {"relative_magnitude", "smoothness"}
        Restriction on the post-treatment violation of parallel trends.
    Mbar : sequence of float
        Grid of ``Mbar`` for ``"relative_magnitude"``.
    M : sequence of float, optional
        Grid of ``M`` for ``"smoothness"``, in the outcome's units per period squared (the largest
        change in the slope of the violation from one period to the next). Default: 10 values
        from 0 to HonestDiD's data-driven upper bound, built from the second differences of the
        pre-period coefficients -- so it needs at least 3 of them. With fewer, ``M`` must be given
        (the error suggests a grid in units of the first post-period standard error, e.g.
        ``M=[0, 0.25 * se, 0.5 * se, se]``).
    alpha : float
        1 - coverage of the confidence sets.
    target : {"first", "average"} or sequence of float
        The first post-period effect, the average of the post-period effects, or explicit
        weights ``l_vec`` (length ``num_post``).
    ci_method : str, optional
        Confidence-set construction: relative magnitudes ``"C-LF"`` (default) or
        ``"Conditional"``; smoothness ``"FLCI"`` (default), ``"C-F"``, ``"C-LF"`` or
        ``"Conditional"``.
    grid_points : int
        Grid size of the test-inversion intervals.
    breakdown_tol : float
        Relative precision of the breakdown value (bisection stops when the bracket is narrower
        than ``breakdown_tol`` times its upper end).
    fast : bool
        Solve the engine's linear programs with lean direct HiGHS calls (same LPs, same
        answers, several times faster); ``False`` runs the engine unchanged.

    Returns
    -------
    HonestResult
        ``.table`` (M, lb, ub, method), ``.estimate`` with the original ``.conf_low``/``.conf_high``, ``.breakdown``, ``.plot()``.

    Raises
    ------
    ValueError
        Inconsistent dimensions, a non-symmetric or non-positive-semidefinite ``sigma``, no pre- or
        no post-periods, bad grids or options, ``method="smoothness"`` without ``M`` and fewer than
        3 pre-period coefficients (the message suggests a grid).

    Examples
    --------
    >>> import numpy as np
    >>> b = np.array([0.01, -0.005, 0.05, 0.06])
    >>> V = np.diag([0.01, 0.01, 0.012, 0.015]) ** 2
    >>> res = honest_sensitivity(b, V, num_pre=2, num_post=2, method="smoothness", M=[0, 0.01, 0.02])
    >>> res.table[["M", "lb", "ub"]].shape
    (3, 3)
    """
    from ._validation import check_int

    grid_points = check_int("grid_points", grid_points, minimum=2)
    if method not in ("relative_magnitude", "smoothness"):
        raise ValueError(f"method must be 'relative_magnitude' or 'smoothness', got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if not 0 < breakdown_tol < 1:
        raise ValueError(f"breakdown_tol must be in (0, 1), got {breakdown_tol!r}")
    b, V, num_pre, num_post, labels = _inputs(event_study_or_betahat, sigma, num_pre, num_post, method)
    grid = _grid(method, Mbar, M, num_pre, V)
    l_vec = _l_vec(target, num_post)
    log = _WarningLog()
    common = dict(betahat=b, sigma=V, num_pre_periods=num_pre, num_post_periods=num_post, l_vec=l_vec, alpha=alpha)
    run = _Runner(method, common, ci_method, grid_points, fast, log)
    with log:
        orig = run.original()
    o_lb, o_ub = float(orig.lb), float(orig.ub)
    out = run(grid)
    mcol = "Mbar" if method == "relative_magnitude" else "m"
    Ms = out[mcol].to_numpy(dtype=float)
    lb, ub = out["lb"].to_numpy(dtype=float), out["ub"].to_numpy(dtype=float)
    breakdown = _breakdown(run, Ms, lb, ub, o_lb, o_ub, breakdown_tol)
    est = float(l_vec @ b[num_pre:])
    se = float(np.sqrt(l_vec @ V[num_pre:, num_pre:] @ l_vec))
    name = "Mbar" if method == "relative_magnitude" else "M"
    table = tidy_frame(
        [f"{name}={m:g}" for m in Ms], [est] * len(Ms), [np.nan] * len(Ms), alpha=alpha,
        conf_low=lb, conf_high=ub, p_values=[np.nan] * len(Ms),
    )  # fmt: skip
    table["M"], table["lb"], table["ub"] = Ms, lb, ub
    table["method"] = list(out["method"].astype(str))
    restriction = "relative magnitudes (Delta^RM)" if method == "relative_magnitude" else "smoothness (Delta^SD)"
    info = {
        "restriction": restriction,
        "pre_post_periods": f"{num_pre} / {num_post}",
        "target": target if isinstance(target, str) else f"l_vec = {list(l_vec)}",
        "estimate": f"{est:.4g}",
        "original_ci": f"[{o_lb:.4g}, {o_ub:.4g}]",
        "breakdown": "none up to the largest value tried" if breakdown is None else f"{breakdown:.4g}",
        "event_times": labels,
        "inference": INFERENCE_NOTE,
    }
    info.update(_engine_info(log))
    p_orig = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan
    headline = {"estimate": est, "std_error": se, "conf_low": o_lb, "conf_high": o_ub, "p_value": p_orig}
    return HonestResult.from_table(
        table, headline, info=info, title=f"Rambachan-Roth sensitivity ({restriction})", breakdown=breakdown,
        restriction=method, l_vec=l_vec,
    )  # fmt: skip


#: How honest_sensitivity's intervals are built (stated in every result's ``info["inference"]``).
INFERENCE_NOTE = (
    "normal critical values for the original and the robust intervals, as HonestDiD (the robust sets are built "
    "from the normal approximation of the event-study estimates); the event-study table itself shows t(G - 1) "
    "intervals, slightly wider with few clusters"
)


def _inputs(obj, sigma, num_pre, num_post, method):
    if isinstance(obj, (np.ndarray, list, tuple, pd.Series)):
        b = np.asarray(obj, dtype=float).ravel()
        if sigma is None or num_pre is None or num_post is None:
            raise ValueError("with an array of coefficients, pass sigma, num_pre and num_post")
        V = np.asarray(sigma, dtype=float)
        labels = list(range(-num_pre - 1, -1)) + list(range(num_post))
    else:
        b, V, num_pre, num_post, labels = _from_object(obj)
    num_pre, num_post = int(num_pre), int(num_post)
    if num_pre < 1 or num_post < 1:
        raise ValueError(
            f"need at least one pre- and one post-period coefficient, got num_pre={num_pre}, num_post={num_post}"
        )
    if method == "relative_magnitude" and num_pre < 2:
        raise ValueError(
            f"the relative-magnitude restriction needs at least 2 pre-period coefficients (it compares "
            f"post-period changes with pre-period changes), got num_pre={num_pre}"
        )
    if len(b) != num_pre + num_post:
        raise ValueError(f"betahat has {len(b)} entries but num_pre + num_post = {num_pre + num_post}")
    if V.shape != (len(b), len(b)):
        raise ValueError(f"sigma must be {len(b)}x{len(b)}, got {V.shape}")
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(V))):
        raise ValueError("betahat and sigma must be finite (no NaN)")
    if not np.allclose(V, V.T, atol=1e-12 * max(1.0, np.abs(V).max())):
        raise ValueError("sigma must be symmetric")
    if np.linalg.eigvalsh(V).min() < -1e-10 * max(1.0, np.abs(V).max()):
        raise ValueError("sigma must be positive semi-definite")
    return b, V, num_pre, num_post, labels


def _l_vec(target, num_post: int) -> np.ndarray:
    if isinstance(target, str):
        if target == "first":
            return np.eye(num_post)[0]
        if target == "average":
            return np.full(num_post, 1.0 / num_post)
        raise ValueError(f"target must be 'first', 'average' or a weight vector, got {target!r}")
    l_vec = np.asarray(target, dtype=float)
    if l_vec.shape != (num_post,):
        raise ValueError(f"target weights must have length num_post = {num_post}")
    return l_vec


#: Fewest pre-period coefficients for the default ``M`` grid of ``method="smoothness"``.
SMOOTHNESS_DEFAULT_MIN_PRE = 3


def _grid(method, Mbar, M, num_pre: int, V: np.ndarray):
    if method == "relative_magnitude":
        grid = [float(x) for x in Mbar]
        if not grid or min(grid) < 0:
            raise ValueError(f"Mbar must be a non-empty grid of non-negative values, got {Mbar!r}")
        return grid
    if M is None and num_pre < SMOOTHNESS_DEFAULT_MIN_PRE:
        se = float(np.sqrt(V[num_pre, num_pre]))
        eg = ", ".join(f"{f * se:.3g}" for f in (0.25, 0.5, 1.0))
        raise ValueError(
            f"method='smoothness' with num_pre={num_pre} pre-period coefficient(s): the default grid of M is "
            f"data-driven from the second differences of the pre-period coefficients and needs at least "
            f"{SMOOTHNESS_DEFAULT_MIN_PRE}. Pass the grid M yourself (M bounds the change in the slope of the "
            f"violation from one period to the next, in the outcome's units), e.g. in units of the standard error "
            f"of the first post-period coefficient (se = {se:.3g}): M=[0, {eg}] (0, 1/4, 1/2 and 1 se)"
        )
    grid = None if M is None else [float(x) for x in M]
    if grid is not None and (not grid or min(grid) < 0):
        raise ValueError(f"M must be a non-empty grid of non-negative values, got {M!r}")
    return grid


class _Runner:
    """Robust confidence sets from the engine for a grid of ``Mbar`` (or ``M``)."""

    def __init__(self, method, common, ci_method, grid_points, fast, log):
        self.method, self.common, self.grid_points, self.fast, self.log = method, common, grid_points, fast, log
        self.ci = ci_method or ("C-LF" if method == "relative_magnitude" else "FLCI")

    def original(self):
        import moderndid

        return moderndid.construct_original_cs(**self.common)

    def __call__(self, grid) -> pd.DataFrame:
        import moderndid

        speedup = _fast_lps() if self.fast else contextlib.nullcontext()
        with self.log, speedup:
            if self.method == "relative_magnitude":
                out = moderndid.create_sensitivity_results_rm(
                    **self.common, m_bar_vec=grid, method=self.ci, grid_points=self.grid_points
                )
            else:
                out = moderndid.create_sensitivity_results_sm(
                    **self.common, m_vec=grid, method=self.ci, grid_points=self.grid_points
                )
        return out.to_pandas() if hasattr(out, "to_pandas") else pd.DataFrame(out)

    def excludes_zero(self, m: float) -> bool:
        out = self(np.array([m]))
        return not (float(out["lb"].iloc[0]) <= 0 <= float(out["ub"].iloc[0]))


def _breakdown(run, Ms, lb, ub, o_lb, o_ub, tol) -> float | None:
    """Supremum of ``M`` whose robust set excludes 0 (bisection between grid points, to ``tol`` x the bracket top).

    0 if the original interval already includes 0; ``None`` if every set on the grid excludes 0
    (the breakdown lies above the grid). The sets are nested in ``M``, so bisection is valid.
    """
    if o_lb <= 0 <= o_ub:
        return 0.0
    order = np.argsort(Ms)
    Ms, covers = Ms[order], ((lb <= 0) & (ub >= 0))[order]
    if not covers.any():
        return None
    hi_i = int(np.argmax(covers))
    hi = float(Ms[hi_i])
    lo = float(Ms[hi_i - 1]) if hi_i > 0 else 0.0
    if hi_i == 0 and not run.excludes_zero(0.0):
        return 0.0
    while hi - lo > tol * max(hi, 1e-12):
        mid = (lo + hi) / 2
        if run.excludes_zero(mid):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
