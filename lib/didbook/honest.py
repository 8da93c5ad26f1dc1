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

The *breakdown value* is the smallest ``M``/``Mbar`` on the grid at which the robust
confidence set includes 0, i.e. the conclusion "the effect is not zero" stops being robust.

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
        Smallest ``M`` on the grid whose robust set includes 0 (``None`` if none does; 0 if even
        the original interval includes 0).
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
    for attr in ("event_times", "estimates", "vcov"):
        if not hasattr(obj, attr):
            raise TypeError(
                f"expected an event-study result with .event_times, .estimates, .vcov (and .reference), or an "
                f"array of coefficients; {type(obj).__name__} has no attribute {attr!r}"
            )
    et = [int(e) for e in obj.event_times]
    ref = int(getattr(obj, "reference", -1))
    if ref in et:
        raise ValueError(f"event_times include the reference period {ref}; it must be omitted (normalized to 0)")
    order = np.argsort(et)
    et = [et[i] for i in order]
    b = np.asarray(obj.estimates, dtype=float)[order]
    V = np.asarray(obj.vcov, dtype=float)[np.ix_(order, order)]
    num_pre = sum(e < ref for e in et)
    num_post = sum(e > ref for e in et)
    return b, V, num_pre, num_post, et


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
) -> HonestResult:
    """Rambachan-Roth sensitivity analysis of an event study.

    Parameters
    ----------
    event_study_or_betahat : EventStudyResult or array-like
        Either a result with ``.event_times`` (reference excluded), ``.estimates``, ``.vcov`` and
        ``.reference`` (e.g. :func:`didbook.event_study`), whose event times before the reference
        are the pre-periods and after it the post-periods; or the coefficient vector
        (pre-periods first, in time order, then post-periods).
    sigma : array-like, optional
        Covariance matrix of the coefficients (required with an array).
    num_pre, num_post : int, optional
        Number of pre- and post-period coefficients (required with an array).
    method : {"relative_magnitude", "smoothness"}
        Restriction on the post-treatment violation of parallel trends.
    Mbar : sequence of float
        Grid of ``Mbar`` for ``"relative_magnitude"``.
    M : sequence of float, optional
        Grid of ``M`` for ``"smoothness"`` (default: 10 values from 0 to a data-driven upper
        bound, as HonestDiD).
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
        no post-periods, bad grids or options.

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
    import moderndid

    if method not in ("relative_magnitude", "smoothness"):
        raise ValueError(f"method must be 'relative_magnitude' or 'smoothness', got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if isinstance(event_study_or_betahat, (np.ndarray, list, tuple, pd.Series)):
        b = np.asarray(event_study_or_betahat, dtype=float).ravel()
        if sigma is None or num_pre is None or num_post is None:
            raise ValueError("with an array of coefficients, pass sigma, num_pre and num_post")
        V = np.asarray(sigma, dtype=float)
        labels = list(range(-num_pre - 1, -1)) + list(range(num_post))
    else:
        b, V, num_pre, num_post, labels = _from_object(event_study_or_betahat)
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
    if isinstance(target, str):
        if target == "first":
            l_vec = np.eye(num_post)[0]
        elif target == "average":
            l_vec = np.full(num_post, 1.0 / num_post)
        else:
            raise ValueError(f"target must be 'first', 'average' or a weight vector, got {target!r}")
    else:
        l_vec = np.asarray(target, dtype=float)
        if l_vec.shape != (num_post,):
            raise ValueError(f"target weights must have length num_post = {num_post}")

    log = _WarningLog()
    speedup = _fast_lps() if fast else contextlib.nullcontext()
    common = dict(betahat=b, sigma=V, num_pre_periods=num_pre, num_post_periods=num_post, l_vec=l_vec, alpha=alpha)
    with log, speedup:
        orig = moderndid.construct_original_cs(**common)
        if method == "relative_magnitude":
            grid = [float(x) for x in Mbar]
            if not grid or min(grid) < 0:
                raise ValueError(f"Mbar must be a non-empty grid of non-negative values, got {Mbar!r}")
            out = moderndid.create_sensitivity_results_rm(
                **common, m_bar_vec=grid, method=ci_method or "C-LF", grid_points=grid_points
            )
            mcol = "Mbar"
        else:
            grid = None if M is None else [float(x) for x in M]
            if grid is not None and (not grid or min(grid) < 0):
                raise ValueError(f"M must be a non-empty grid of non-negative values, got {M!r}")
            out = moderndid.create_sensitivity_results_sm(
                **common, m_vec=grid, method=ci_method or "FLCI", grid_points=grid_points
            )
            mcol = "m"
    out = out.to_pandas() if hasattr(out, "to_pandas") else pd.DataFrame(out)
    est = float(l_vec @ b[num_pre:])
    Ms = out[mcol].to_numpy(dtype=float)
    lb, ub = out["lb"].to_numpy(dtype=float), out["ub"].to_numpy(dtype=float)
    covers = (lb <= 0) & (ub >= 0)
    o_lb, o_ub = float(orig.lb), float(orig.ub)
    if o_lb <= 0 <= o_ub:
        breakdown: float | None = 0.0
    else:
        breakdown = float(Ms[covers].min()) if covers.any() else None
    name = "Mbar" if method == "relative_magnitude" else "M"
    se = float(np.sqrt(l_vec @ V[num_pre:, num_pre:] @ l_vec))
    table = tidy_frame(
        ["original"] + [f"{name}={m:g}" for m in Ms],
        [est] * (len(Ms) + 1),
        [se] + [np.nan] * len(Ms),
        alpha=alpha,
        conf_low=np.r_[o_lb, lb],
        conf_high=np.r_[o_ub, ub],
        p_values=[np.nan] * (len(Ms) + 1),
    )
    table["M"] = np.r_[np.nan, Ms]
    table["lb"] = table["conf_low"]
    table["ub"] = table["conf_high"]
    table["method"] = ["original"] + list(out["method"].astype(str))
    table = table.iloc[1:].reset_index(drop=True)
    restriction = "relative magnitudes (Delta^RM)" if method == "relative_magnitude" else "smoothness (Delta^SD)"
    info = {
        "restriction": restriction,
        "pre / post periods": f"{num_pre} / {num_post}",
        "target": target if isinstance(target, str) else f"l_vec = {list(l_vec)}",
        "estimate": f"{est:.4g}",
        "original CI": f"[{o_lb:.4g}, {o_ub:.4g}]",
        "breakdown": "none on the grid" if breakdown is None else f"{breakdown:g}",
        "event times": labels,
    }
    info.update(_engine_info(log))
    p_orig = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan
    return HonestResult(
        table=table,
        info=info,
        title=f"Rambachan-Roth sensitivity ({info['restriction']})",
        estimate=est,
        std_error=se,
        conf_low=o_lb,
        conf_high=o_ub,
        p_value=p_orig,
        breakdown=breakdown,
        restriction=method,
        l_vec=l_vec,
    )
