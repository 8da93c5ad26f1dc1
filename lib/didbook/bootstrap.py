"""Wild cluster bootstrap (WCR, bootstrap-t) for the TWFE DID coefficient with few clusters.

Method (Cameron, Gelbach and Miller 2008; Roodman, MacKinnon, Nielsen and Webb 2019)
    1. Partial the unit and time effects and the controls out of ``y`` and ``d`` exactly
       (Frisch-Waugh-Lovell; see :mod:`didbook.placebo`): ``y~ = M y``, ``d~ = M d``.
    2. Impose the null ``beta = beta0`` (WCR, default): restricted residuals
       ``u = M (y - beta0 d) = y~ - beta0 d~``. With ``impose_null=False`` (WCU) ``u`` are the
       unrestricted residuals and the bootstrap t is centred at ``beta_hat``.
    3. For each draw of cluster-level weights ``v_g`` (Rademacher or Webb's six-point), form
       ``y* = fitted + u * v_g``, re-estimate ``beta*`` and its CRV1 standard error, and compute
       ``t* = (beta* - beta0) / se*``. Everything is done with ``G x G`` cluster summaries
       ("fast and wild", Roodman et al. 2019), so ``n_draws = 9999`` draws take a fraction of a second.
    4. p-value (symmetric, two-sided), with the same finite-draw convention as
       :func:`didbook.placebo_test`: ``p = (1 + #{r : |t*_r| >= |t|}) / (1 + n_draws)``. The
       observed sample counts as one draw from the null, so ``p`` is never 0 (Phipson and Smyth
       2010; with few draws ``#/n_draws`` can be 0, which no finite sample supports). Exact ties --
       under WCR the draws with all weights +1 or all -1 reproduce ``|t|`` -- are counted
       (relative tolerance 1e-10), the conservative choice. With Rademacher weights and
       ``2**G < n_draws`` all ``2**G`` sign vectors are enumerated instead of sampled (as in
       ``wildboottest``); the enumeration contains the observed sample itself (all weights +1),
       so there ``p`` is the exact share ``#{|t*| >= |t|} / 2**G`` with no +1. The random draws use
       the same generator calls as ``wildboottest``, so the two packages use identical draws: our
       ``p`` equals ``(1 + n_draws * p_wildboottest) / (1 + n_draws)`` (``wildboottest`` reports
       the plain share), and equals it exactly under full enumeration.
    5. Confidence interval by test inversion: the set of ``beta0`` not rejected at level
       ``alpha``, found by bisection on ``p(beta0) - alpha`` with the same weight draws (and the
       same p-value convention).

The small-sample factor ``G/(G-1) (N-1)/(N-K)`` is the one of :func:`didbook.twfe` and cancels
in the bootstrap p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._demean import _sorted_layout, _TwoWayAnnihilator
from ._fitting import _check_treatment
from ._resampling import WildT, bootstrap_pvalue, draw_wild_weights
from ._results import Result
from ._validation import PanelDataError, as_list, check_int, check_panel
from .twfe import twfe

__all__ = ["wild_cluster_bootstrap", "BootstrapResult"]


@dataclass(repr=False)
class BootstrapResult(Result):
    """Result of :func:`wild_cluster_bootstrap`.

    Attributes
    ----------
    estimate, std_error, t_stat : float
        TWFE estimate, its CRV1 standard error and t statistic (as :func:`didbook.twfe`).
    p_value : float
        Wild cluster bootstrap p-value for ``H0: beta = 0`` (finite-draw convention, see module doc).
    conf_low, conf_high : float
        Bootstrap confidence interval by test inversion (NaN if not requested).
    t_boot : numpy.ndarray
        Bootstrap t statistics under ``H0: beta = 0``.
    n_draws : int
        Number of draws actually used (``2**G`` under full enumeration).
    full_enumeration : bool
    n_clusters : int
    """

    t_stat: float = np.nan
    t_boot: np.ndarray = field(default_factory=lambda: np.empty(0))
    n_draws: int = 0
    full_enumeration: bool = False
    n_clusters: int = 0

    def plot(self, ax=None, bins: int = 50):
        """Histogram of the bootstrap t statistics with the observed t marked; returns the Axes."""
        from .plotting import null_histogram

        return null_histogram(
            self.t_boot,
            self.t_stat,
            ax=ax,
            bins=bins,
            draws_label="bootstrap t*",
            observed_label=f"observed t = {self.t_stat:.2f}",
            xlabel="t statistic",
        )


def _invert(wt: WildT, V: np.ndarray, alpha: float, se: float) -> tuple[float, float]:
    """Endpoints {beta0: p(beta0) = alpha} on each side of beta_hat, by bracketing and bisection."""
    b = wt.beta
    ends = []
    for sign in (-1.0, 1.0):
        step = max(se, 1e-12)
        inside, outside = b, None
        for _ in range(60):
            cand = b + sign * step
            if wt.pvalue(V, cand) < alpha:
                outside = cand
                break
            inside, step = cand, step * 2
        if outside is None:
            ends.append(sign * np.inf)
            continue
        for _ in range(50):
            mid = 0.5 * (inside + outside)
            if wt.pvalue(V, mid) < alpha:
                outside = mid
            else:
                inside = mid
            if abs(outside - inside) < 1e-7 * max(se, 1e-12):
                break
        ends.append(0.5 * (inside + outside))
    return float(ends[0]), float(ends[1])


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    cluster: str,
    controls: Sequence[str] = (),
    n_draws: int = 9999,
    weight_type: str = "rademacher",
    seed: int = 0,
    impose_null: bool = True,
    *,
    alpha: float = 0.05,
    conf_int: bool = True,
    treatment_type: str = "binary",
) -> BootstrapResult:
    """Wild cluster bootstrap-t test and confidence interval for the TWFE treatment coefficient.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    outcome, treatment, unit, time : str
        Column names (as in :func:`didbook.twfe`; unit and time effects are included).
    cluster : str
        Cluster variable (e.g. province); units should be nested in clusters.
    controls : sequence of str
        Covariates.
    n_draws : int
        Number of bootstrap draws (full enumeration replaces it when Rademacher and ``2**G < n_draws``).
    weight_type : {"rademacher", "webb"}
        Cluster weight distribution; Webb's six-point weights are preferred below ~12 clusters.
    seed : int
        Seed for ``numpy.random.default_rng``.
    impose_null : bool
        WCR (True, recommended) or WCU (False).
    alpha : float
        Level for the confidence interval.
    conf_int : bool
        Compute the test-inversion confidence interval.
    treatment_type : {"binary", "share", "continuous"}
        As in :func:`didbook.twfe`.

    Returns
    -------
    BootstrapResult
        ``.p_value``, ``.conf_low``, ``.conf_high``, ``.t_stat``, ``.t_boot``, ``.tidy()``, ``.summary()``.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_dataset("castle").data
    >>> res = didbook.wild_cluster_bootstrap(df, "l_homicide", "post", "sid", "year", "sid",
    ...                                      n_draws=999, seed=1, treatment_type="share")
    >>> 0 < res.p_value < 1 and res.conf_low < res.estimate < res.conf_high
    True
    """
    controls = as_list(controls)
    n_draws = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    check_panel(data, unit, time, [outcome, treatment, cluster, *controls])
    _check_treatment(data, treatment, unit, time, treatment_type)
    fit = twfe(
        data,
        outcome,
        treatment,
        unit,
        time,
        controls=controls,
        cluster=cluster,
        treatment_type=treatment_type,
        warn_few_clusters=False,
    )
    u_codes, t_codes, units, periods, order, starts = _sorted_layout(data, unit, time)
    cl_codes, cl_labels = pd.factorize(data[cluster].to_numpy()[order], sort=True)
    G = len(cl_labels)
    if G < 2:
        raise PanelDataError(f"cluster {cluster!r} has a single value; need at least 2 clusters")
    X = data[controls].to_numpy(dtype=float)[order] if controls else None
    M = _TwoWayAnnihilator(u_codes[order], t_codes[order], starts, X, controls)
    yt = M(data[outcome].to_numpy(dtype=float)[order])
    dt = M(data[treatment].to_numpy(dtype=float)[order])
    V, full = draw_wild_weights(G, int(n_draws), weight_type, seed)
    wt = WildT(yt, dt, cl_codes, G, M, impose_null, full)
    t_obs = fit.estimate / fit.std_error
    tb = wt.tboot(V, 0.0)
    p = bootstrap_pvalue(tb, wt.tstat_obs(0.0), full)
    ci = _invert(wt, V, alpha, fit.std_error) if conf_int else (np.nan, np.nan)
    # rescale bootstrap t to the reported (small-sample corrected) t statistic
    scale = t_obs / wt.tstat_obs(0.0) if wt.tstat_obs(0.0) != 0 else 1.0
    table = pd.DataFrame(
        [
            {
                "term": treatment,
                "estimate": fit.estimate,
                "std_error": fit.std_error,
                "conf_low": ci[0],
                "conf_high": ci[1],
                "p_value": p,
            }
        ]
    )
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "cluster": cluster,
        "n_clusters": G,
        "bootstrap": f"wild cluster bootstrap-t, {'WCR (null imposed)' if impose_null else 'WCU'}, {weight_type} weights",
        "n_draws": int(V.shape[1]),
        "draws_rule": "full enumeration" if full else f"seed {seed}; p = (1 + #) / (1 + draws)",
        "t_stat": round(float(t_obs), 4),
        "conf_level": 1 - alpha,
        "conf_method": "test inversion" if conf_int else "not computed",
    }
    return BootstrapResult.from_table(
        table,
        info=info,
        title="Wild cluster bootstrap",
        t_stat=float(t_obs),
        t_boot=tb * scale,
        n_draws=int(V.shape[1]),
        full_enumeration=full,
        n_clusters=G,
    )
