"""Dynamic (event-study) TWFE: leads and lags relative to adoption.

:func:`event_study` regresses the outcome on event-time dummies ``1{t - cohort_i = k}`` for
``k = -leads, ..., lags`` (omitting ``reference``, by default -1) with unit and time effects,
using the same engine and standard errors as :func:`didbook.twfe`. With ``bin=True`` the end
points are binned: ``k = -leads`` collects all event times ``<= -leads`` and ``k = lags`` all
``>= lags``, so every treated observation is assigned to some dummy. The joint Wald test of the
leads (pre-trend test) uses ``F = W / q`` with ``F(q, G - 1)`` reference distribution when
clustering (``N - K`` otherwise), as R's ``fixest::wald``.

Under heterogeneous effects with staggered adoption these TWFE coefficients are contaminated by
other periods' effects (Sun and Abraham 2021); see :func:`didbook.staggered` for robust estimators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._fitting import _fit, _n_clusters, _tidy_from_fit, _warn_clusters
from ._results import TIDY_COLUMNS, Result
from ._validation import PanelDataError, as_list, check_cohorts, check_int, check_panel
from .adapters import pyfixest as pfx

__all__ = ["event_study", "EventStudyResult", "WaldTest"]


@dataclass(frozen=True)
class WaldTest:
    """Joint Wald test: ``statistic`` = W/q, ``df`` = (q, denominator df), ``p_value``, ``chi2`` = W."""

    statistic: float
    df: tuple[int, int]
    p_value: float
    chi2: float

    def __str__(self) -> str:
        return f"F({self.df[0]}, {self.df[1]}) = {self.statistic:.4f}, p = {self.p_value:.4f}"


@dataclass(repr=False)
class EventStudyResult(Result):
    """Result of :func:`event_study`.

    Attributes
    ----------
    estimate, std_error, conf_low, conf_high, p_value : float
        The headline: the **average of the post-period coefficients** (event times ``>= 0``,
        equal weights), its standard error from ``vcov`` (delta method), confidence interval and
        p-value with the same t reference distribution as the coefficients. Row-level numbers are
        in ``tidy()``.
    event_times : list of int
        Estimated event times (reference excluded), in increasing order.
    estimates : numpy.ndarray
        Coefficients, same order as ``event_times``.
    vcov : numpy.ndarray
        Their covariance matrix (same order).
    reference : int
        The omitted event time (normalized to 0).
    pretrend_test : WaldTest or None
        Joint test that all leads (event times < 0 except the reference) are 0.
    """

    event_times: list[int] = field(default_factory=list)
    estimates: np.ndarray = field(default_factory=lambda: np.empty(0))
    vcov: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    reference: int = -1
    pretrend_test: WaldTest | None = None
    nobs: int = 0
    n_clusters: int | None = None
    binned: bool = True
    model: object = None
    band_critical_value: float = np.nan

    def tidy(self) -> pd.DataFrame:
        """Event-time coefficients: ``term, estimate, std_error, p_value, conf_low, conf_high, event_time``."""
        return self.table[[*TIDY_COLUMNS, "event_time"]].copy()

    def plot(self, ax=None, truth: pd.Series | None = None, title: str | None = None):
        """Coefficient plot with 95% confidence intervals; ``truth`` (Series indexed by event time) is overlaid.

        Returns the matplotlib Axes.

        Examples
        --------
        >>> ax = es.plot(truth=panel.truth.att_event)  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        tb = self.table
        k = tb["event_time"].to_numpy()
        est = tb["estimate"].to_numpy()
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(self.reference + 0.5, color="0.5", lw=0.8, ls="--")
        if "band_low" in tb.columns:
            ax.vlines(k, tb["band_low"], tb["band_high"], color="0.6", lw=6, alpha=0.35, label="simultaneous 95% band")
        ax.errorbar(
            k,
            est,
            yerr=[est - tb["conf_low"], tb["conf_high"] - est],
            fmt="o",
            color="C0",
            capsize=3,
            label="estimate (95% CI)",
        )
        ax.plot([self.reference], [0.0], "o", mfc="white", color="C0", label=f"reference ({self.reference})")
        if truth is not None:
            tr = pd.Series(truth).sort_index()
            ax.plot(tr.index, tr.to_numpy(), "s--", color="C3", ms=4, label="truth")
        ax.set_xlabel("event time (periods since adoption)")
        ax.set_ylabel("coefficient")
        if title:
            ax.set_title(title)
        ax.legend(frameon=False)
        return ax


def _term(k: int) -> str:
    return f"event_time::{k}"


def event_study(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int = 5,
    lags: int = 5,
    bin: bool = True,
    reference: int = -1,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
    *,
    fixed_effects: Sequence[str] = (),
    vcov: str = "cluster",
    ssc: dict | None = None,
    warn_few_clusters: bool = False,
) -> EventStudyResult:
    """TWFE event study with leads and lags around adoption.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel with a numeric ``time`` column.
    outcome, unit, time : str
        Column names.
    cohort : str
        First treated period of the unit (same scale as ``time``); 0 or NaN for never treated.
        Must be constant within unit.
    leads, lags : int
        Window ``-leads .. lags`` of event times.
    bin : bool
        Bin the end points (``<= -leads`` and ``>= lags``). If False, treated observations outside
        the window get no dummy and so are pooled with the reference period and the never treated.
    reference : int
        Omitted event time (default -1, the period before adoption).
    controls, cluster, weights, fixed_effects, vcov, ssc, warn_few_clusters
        As in :func:`didbook.twfe`.

    Returns
    -------
    EventStudyResult

    Raises
    ------
    PanelDataError
        Bad panel (including +-inf values and a non-numeric ``time``), a cohort that varies
        within a unit or lies outside the panel (after the last period, e.g. never treated coded
        9999: code it 0 or leave it empty; or at/before the first period), no never-treated
        units, or an event time with no observations.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_dataset("castle").data
    >>> df["cohort"] = df.groupby("sid")["year"].transform(lambda s: s[df.loc[s.index, "post"] > 0].min())
    >>> es = didbook.event_study(df, "l_homicide", "sid", "year", "cohort", leads=4, lags=3)
    >>> es.event_times
    [-4, -3, -2, 0, 1, 2, 3]
    """
    controls = as_list(controls)
    used = [outcome, *controls] + ([weights] if weights else []) + ([cluster] if cluster else [])
    check_panel(data, unit, time, [*used, cohort], allow_nan=[cohort], ordered_time=True)
    leads = check_int("leads", leads, minimum=1)
    lags = check_int("lags", lags, minimum=0)
    reference = check_int("reference", reference)
    if not (-leads <= reference <= lags):
        raise ValueError(f"reference {reference} must lie in the window [-{leads}, {lags}]")
    ks = [k for k in range(-leads, lags + 1) if k != reference]
    dummies = _event_dummies(data, unit, time, cohort, ks, leads, lags, bin)
    work = pd.concat([data, pd.DataFrame(dummies, index=data.index)], axis=1)
    fit, names, _ = _fit(
        work,
        outcome,
        [*dummies, *controls],
        unit,
        time,
        fixed_effects=as_list(fixed_effects),
        cluster=cluster,
        weights=weights,
        vcov=vcov,
        ssc=ssc,
        protected=list(dummies),
    )
    tb = _tidy_from_fit(fit, names)
    g = _n_clusters(fit, vcov)
    notes = _warn_clusters(g, warn_few_clusters)
    es_tb = tb[tb["term"].isin(dummies)].reset_index(drop=True)
    es_tb["event_time"] = [int(t.split("::")[1]) for t in es_tb["term"]]
    coefnames = [names[str(c)] for c in pfx.coef_names(fit)]
    idx = [coefnames.index(_term(k)) for k in ks]
    V = np.asarray(pfx.vcov_matrix(fit))[np.ix_(idx, idx)]
    b = np.asarray(pfx.coefficients(fit))[idx]

    dfd = int(g - 1) if g is not None else int(pfx.residual_df(fit))
    headline, pretrend, avg, avg_se = _headline_and_pretrend(b, V, ks, dfd)
    from .bands import add_band, sup_t_critical_value

    band_crit = sup_t_critical_value(V, 0.05, dfd)
    es_tb = add_band(es_tb, band_crit)

    info = {
        "outcome": outcome,
        "window": f"[-{leads}, {lags}]" + (" (end points binned)" if bin else " (not binned)"),
        "reference_period": reference,
        "n_obs": pfx.n_obs(fit),
        "std_errors": f"clustered by {cluster or unit} ({g} clusters)" if vcov == "cluster" else vcov,
        "pretrend_test": str(pretrend) if pretrend else "no leads",
        "average_post_effect": f"{avg:.6g} (SE {avg_se:.6g})",
        "inference": f"t({dfd}) pointwise intervals; simultaneous sup-t band, critical value {band_crit:.3f}",
    }
    return EventStudyResult.from_table(
        es_tb,
        headline=headline,
        info=info,
        title="Event study (TWFE leads and lags)",
        notes=notes,
        event_times=ks,
        estimates=b,
        vcov=V,
        reference=reference,
        pretrend_test=pretrend,
        nobs=pfx.n_obs(fit),
        n_clusters=g,
        binned=bin,
        model=fit,
        band_critical_value=band_crit,
    )


def _event_dummies(data, unit, time, cohort, ks, leads, lags, bin) -> dict[str, np.ndarray]:
    """One 0/1 column per event time in ``ks`` (treated units only; end points pooled with ``bin``)."""
    coh = check_cohorts(data, unit, time, cohort)
    treated = (coh > 0).to_numpy()
    if treated.all():
        raise PanelDataError(
            f"no untreated comparison units: every unit has a cohort in {cohort!r} (0/NaN = never treated); "
            "an event study with all units treated is not identified without further restrictions"
        )
    if not treated.any():
        raise PanelDataError(f"no treated units: {cohort!r} is 0/NaN everywhere")
    rel = data[time].to_numpy(dtype=float) - coh.to_numpy()
    rel = np.where(treated, rel, np.nan)
    if bin:
        rel = np.where(treated, np.clip(rel, -leads, lags), np.nan)
    dummies = {_term(k): (rel == k).astype(float) for k in ks}
    empty = [k for k in ks if dummies[_term(k)].sum() == 0]
    if empty:
        raise PanelDataError(f"event time(s) {empty} have no observations; shrink leads/lags")
    return dummies


def _headline_and_pretrend(b, V, ks, dfd):
    """The average post-period effect with its t(dfd) interval, and the F test that all leads are 0."""
    post = np.array([k >= 0 for k in ks], dtype=float)
    w = post / post.sum() if post.sum() else post
    avg, avg_se = float(w @ b), float(np.sqrt(w @ V @ w)) if post.sum() else np.nan
    crit = float(stats.t.ppf(0.975, dfd))
    headline = {
        "estimate": avg,
        "std_error": avg_se,
        "conf_low": avg - crit * avg_se,
        "conf_high": avg + crit * avg_se,
        "p_value": float(2 * stats.t.sf(abs(avg / avg_se), dfd)),
    }
    pre = [i for i, k in enumerate(ks) if k < 0]
    pretrend = None
    if pre:
        bp, Vp = b[pre], V[np.ix_(pre, pre)]
        W = float(bp @ np.linalg.solve(Vp, bp))
        q = len(pre)
        F = W / q
        pretrend = WaldTest(statistic=F, df=(q, dfd), p_value=float(stats.f.sf(F, q, dfd)), chi2=W)
    return headline, pretrend, avg, avg_se
