"""Heterogeneity-robust DID estimators for staggered adoption.

:func:`staggered` is a thin, validated front end to well-tested packages:

``method="cs"``
    Callaway and Sant'Anna (2021) group-time ATTs with outcome-regression (``"reg"``),
    inverse-probability-weighting (``"ipw"``) or doubly-robust (``"dr"``) estimation and the
    ``simple``/``dynamic``/``group``/``calendar`` aggregations. Engine: ``moderndid``
    (``att_gt``/``aggte``, a port of the R ``did`` package, analytical influence-function
    standard errors). The test suite checks it against ``diff-diff``'s ``CallawaySantAnna`` and
    against the published R ``did`` output on the minimum-wage data ``mpdta``.
``method="sa"``
    Sun and Abraham (2021) interaction-weighted event study. Engine: ``diff-diff``
    ``SunAbraham`` (cohort x relative-time interactions; cross-checked against ``pyfixest``'s
    saturated event study in the tests). Aggregations: ``simple`` and ``dynamic``.
``method="bjs"``
    Borusyak, Jaravel and Spiess (2024) imputation. Engine: ``diff-diff`` ``ImputationDiD``
    (cross-checked against a direct hand computation in the tests; ``pyfixest`` 0.60's
    ``did2s`` fails on balanced panels such as ``mpdta``, so it is not used).
    Aggregations: ``simple``, ``dynamic`` and ``group``.

Cohort coding: the first period of treatment; ``0`` or missing means never treated. Warnings the
engines emit are captured and listed in ``result.info["engine_notes"]`` (so notebooks stay
free of stderr output) instead of being printed. ``info`` keys are identifiers (``att_simple``,
``base_period``, ``dropped_cohorts``, ...); :meth:`~didbook._results.Result.describe` and
``summary()`` show them with readable labels.

Headline numbers (``estimate``, ``std_error``, ``conf_low``, ``conf_high``, ``p_value``): for
:class:`StaggeredResult` the simple ATT (average over all treated cohort-periods, weighted by
cohort size); for :class:`StaggeredAggregate` the overall summary of that aggregation, which
``tidy()`` also lists as its last row (term ``"overall"``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._results import TIDY_COLUMNS, Result, tidy_frame
from ._validation import (
    PanelDataError,
    as_list,
    check_absorbing,
    check_binary,
    check_cohorts,
    check_int,
    check_nested,
    check_panel,
    plain,
)

__all__ = ["staggered", "StaggeredResult", "StaggeredAggregate"]

METHODS = ("cs", "sa", "bjs")
AGGREGATIONS = ("simple", "dynamic", "group", "calendar")
SUPPORTED = {"cs": AGGREGATIONS, "sa": ("simple", "dynamic"), "bjs": AGGREGATIONS}
_KEY_COL = {"dynamic": "event_time", "group": "cohort", "calendar": "time"}


# ---------------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class StaggeredAggregate(Result):
    """An aggregation of group-time ATTs (see :meth:`StaggeredResult.aggregate`).

    Attributes
    ----------
    kind : str
        ``"simple"``, ``"dynamic"``, ``"group"`` or ``"calendar"``.
    estimate, std_error, conf_low, conf_high, p_value : float
        The overall summary of this aggregation (for ``dynamic`` the average over event times
        >= 0, as R ``did``; for ``group`` the cohort-size weighted average of the cohort ATTs;
        for ``simple`` the simple ATT; NaN where there is none, i.e. BJS ``group``). Also the last row of
        ``tidy()`` (term ``"overall"``).
    vcov : numpy.ndarray or None
        Covariance of the rows of ``table`` when available (``dynamic``, ``group``, ``calendar``).
    df : float or None
        Degrees of freedom of the t distribution behind the intervals, p-values and band (``G - 1``).
    """

    kind: str = "simple"
    vcov: np.ndarray | None = None
    band_critical_value: float = np.nan
    alpha: float = 0.05
    df: float | None = None

    def tidy(self) -> pd.DataFrame:
        """``term, estimate, std_error, p_value, conf_low, conf_high`` plus the key column
        (``event_time``, ``cohort`` or ``time``; missing on the overall row).

        For ``dynamic``, ``group`` and ``calendar`` the last row (term ``"overall"``) is the
        overall summary -- the headline ``estimate``/``std_error``/... -- so nothing needs
        recomputing by hand; ``simple`` has that single row (term ``"ATT (simple)"``).
        """
        extra = [c for c in ("event_time", "cohort", "time") if c in self.table.columns]
        tb = self.table[[*TIDY_COLUMNS, *extra]].copy()
        if self.kind == "simple":
            return tb
        row = pd.DataFrame(
            [{"term": "overall", **{k: getattr(self, k) for k in TIDY_COLUMNS[1:]}, **{c: np.nan for c in extra}}]
        )
        return pd.concat([tb, row], ignore_index=True)

    def plot(self, ax=None, truth: pd.Series | None = None, title: str | None = None):
        """Point estimates with confidence intervals against the aggregation key.

        ``truth`` (a Series indexed like the key column, e.g. true effects by event time) is
        overlaid. Returns the matplotlib Axes.

        Examples
        --------
        >>> ax = fit.aggregate("dynamic").plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        key = _KEY_COL.get(self.kind)
        tb = self.table
        x = tb[key].to_numpy() if key else np.zeros(len(tb))
        est = tb["estimate"].to_numpy()
        lo, hi = tb["conf_low"].to_numpy(), tb["conf_high"].to_numpy()
        ax.axhline(0, color="0.5", lw=0.8)
        if "band_low" in tb.columns:
            ok = np.isfinite(tb["band_low"].to_numpy())
            ax.vlines(x[ok], tb["band_low"].to_numpy()[ok], tb["band_high"].to_numpy()[ok], color="0.6", lw=6,
                      alpha=0.35, label=f"simultaneous {1 - self.alpha:.0%} band")  # fmt: skip
        if self.kind == "dynamic":
            ax.axvline(-0.5, color="0.5", lw=0.8, ls="--")
            ref = tb.loc[tb["std_error"].isna() & (tb["estimate"] == 0), "event_time"]
            for r in ref.to_numpy() if len(ref) else ([] if (x == -1).any() else [-1]):
                ax.plot([r], [0.0], "o", mfc="white", color="C1", label=f"reference ({int(r)})")
            pre = x < 0
            for mask, color, lab in ((pre, "C1", "pre-treatment"), (~pre, "C0", "post-treatment")):
                if mask.any():
                    ax.errorbar(
                        x[mask],
                        est[mask],
                        yerr=[est[mask] - lo[mask], hi[mask] - est[mask]],
                        fmt="o",
                        color=color,
                        capsize=3,
                        label=lab,
                    )
        else:
            ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="o", color="C0", capsize=3, label="estimate")
        if truth is not None:
            tr = pd.Series(truth).sort_index()
            ax.plot(tr.index, tr.to_numpy(), "s--", color="C3", ms=4, label="truth")
        ax.set_xlabel(
            {"dynamic": "event time (periods since adoption)", "group": "cohort", "calendar": "period"}.get(
                self.kind, ""
            )
        )
        ax.set_ylabel("ATT")
        if title:
            ax.set_title(title)
        ax.legend(frameon=False)
        return ax


@dataclass(repr=False)
class StaggeredResult(Result):
    """Result of :func:`staggered`.

    ``table``/``tidy()`` hold the group-time ATTs (one row per cohort and period; for
    ``method="sa"`` the cohort x relative-period interaction effects, for ``"bjs"`` the mean
    imputed effects with no standard errors).

    Attributes
    ----------
    method : str
        ``"cs"``, ``"sa"`` or ``"bjs"``.
    att_gt : pandas.DataFrame
        ``cohort, time, event_time, estimate, std_error, conf_low, conf_high``.
    estimate, std_error, conf_low, conf_high, p_value : float
        The headline: the simple ATT (average over all treated cohort-periods, weighted by
        cohort size), as ``aggregate("simple")``.
    model : object
        The fitted engine's own result object (``moderndid`` ``MPResult``, ``diff_diff``
        ``SunAbrahamResults`` or ``ImputationDiDResults``), for anything not wrapped here.
    df : float or None
        Degrees of freedom of the t distribution behind the intervals and p-values: ``G - 1``
        with ``G`` clusters for every method (:data:`INFERENCE_RULE`; R ``did`` uses normal critical values).
    """

    method: str = "cs"
    att_gt: pd.DataFrame = field(default_factory=pd.DataFrame)
    alpha: float = 0.05
    model: Any = None
    df: float | None = None
    _aggregates: dict = field(default_factory=dict)
    _bjs: dict | None = None
    _cs_clusters: np.ndarray | None = None
    _cs_boot: bool = False

    def tidy(self) -> pd.DataFrame:
        """Group-time ATTs: ``term, estimate, std_error, p_value, conf_low, conf_high, cohort, time``."""
        return self.table[[*TIDY_COLUMNS, "cohort", "time"]].copy()

    def aggregate(self, kind: str = "simple") -> StaggeredAggregate:
        """Aggregate the group-time ATTs.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
            ``simple``: one overall ATT; ``dynamic``: by event time (one row per event time,
            column ``event_time``; pre-treatment rows are placebo estimates); ``group``: by
            cohort; ``calendar``: by period. ``method="sa"`` supports ``simple`` and
            ``dynamic``, ``"bjs"`` also ``group``.

        Examples
        --------
        >>> es = fit.aggregate("dynamic")  # doctest: +SKIP
        >>> es.tidy()[["event_time", "estimate"]]  # doctest: +SKIP
        """
        if kind not in AGGREGATIONS:
            raise ValueError(f"kind must be one of {AGGREGATIONS}, got {kind!r}")
        if kind not in SUPPORTED[self.method]:
            raise NotImplementedError(
                f"aggregation {kind!r} is not available for method={self.method!r}; "
                f"available: {SUPPORTED[self.method]} (method='cs' supports all four)"
            )
        if kind not in self._aggregates:
            self._aggregates[kind] = _AGGREGATORS[self.method](self, kind)
        return self._aggregates[kind]

    def plot(self, ax=None, truth: pd.Series | None = None, title: str | None = None):
        """Event-study plot of the ``dynamic`` aggregation. Returns the matplotlib Axes.

        Examples
        --------
        >>> truth = panel.truth.event("platform", "income_gap").set_index("event_time")["att"]  # doctest: +SKIP
        >>> ax = fit.plot(truth=truth)  # doctest: +SKIP
        """
        return self.aggregate("dynamic").plot(ax=ax, truth=truth, title=title)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _prepare(data, outcome, unit, time, cohort, controls, treatment, cluster) -> tuple[pd.DataFrame, dict]:
    used = [outcome, cohort, *controls] + ([treatment] if treatment else []) + ([cluster] if cluster else [])
    check_panel(data, unit, time, used, allow_nan=[cohort], ordered_time=True)
    for c in [outcome, *controls]:
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise PanelDataError(f"column {c!r} must be numeric, got dtype {data[c].dtype}")
    g = check_cohorts(data, unit, time, cohort)
    d = data.copy()
    d[cohort] = g
    treated_g = g[g > 0]
    if treatment:
        check_binary(d, treatment)
        check_absorbing(d, unit, time, treatment)
        implied = ((g > 0) & (d[time] >= g)).astype(int)
        bad = implied != d[treatment].astype(int)
        if bad.any():
            r = d.loc[bad].iloc[0]
            raise PanelDataError(
                f"cohort column {cohort!r} is inconsistent with treatment {treatment!r} in {int(bad.sum())} row(s) "
                f"(e.g. {unit}={plain(r[unit])}, {time}={plain(r[time])}: {cohort}={r[cohort]:g}, "
                f"{treatment}={plain(r[treatment])}); "
                f"expected {treatment} = 1 exactly when {time} >= {cohort} > 0"
            )
    if not (g > 0).any():
        raise PanelDataError(f"no treated units: cohort column {cohort!r} is 0/NaN everywhere")
    if controls:
        X = np.column_stack([np.ones(len(d)), d[controls].to_numpy(dtype=float)])
        rank = np.linalg.matrix_rank(X)
        if rank < X.shape[1]:
            raise PanelDataError(
                f"controls {controls} are collinear (with each other or the constant): rank {rank} < "
                f"{X.shape[1]}; drop redundant controls"
            )
    n_t = d.groupby(unit)[time].nunique()
    balanced = bool((n_t == d[time].nunique()).all())
    n_incomplete = int((n_t < d[time].nunique()).sum())
    facts = {
        "n_units": int(d[unit].nunique()),
        "n_periods": int(d[time].nunique()),
        "balanced": balanced,
        "n_incomplete": n_incomplete,
        "cohorts": sorted(int(x) for x in treated_g.unique()),
        "n_never": int(d.loc[g == 0, unit].nunique()),
    }
    return d, facts


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


def _gt_frame(cohort, time_, est, se, alpha, df=None) -> pd.DataFrame:
    cohort = np.asarray(cohort, dtype=int)
    time_ = np.asarray(time_, dtype=int)
    terms = [f"ATT({g},{t})" for g, t in zip(cohort, time_)]
    tb = tidy_frame(terms, est, se, alpha=alpha, df=df)
    tb["cohort"] = cohort
    tb["time"] = time_
    tb["event_time"] = time_ - cohort
    return tb


_CS_FAIL = re.compile(
    r"(?:Overlap condition violated for|Not enough control units for group|Singular covariate matrix for group|"
    r"No treated units in group|Error in computing 2x2 DiD for \(g,t\) = \()\s*([0-9.]+)"
)


def _cs_kwargs(d, outcome, unit, time, cohort, controls, opt) -> dict:
    clustered = bool(opt["cluster"]) and opt["cluster"] != unit
    boot = opt["n_draws"] > 0
    kw = dict(
        data=d,
        yname=outcome,
        tname=time,
        idname=unit,
        gname=cohort,
        xformla="~ " + " + ".join(controls) if controls else None,
        weightsname=opt["weights"],
        alp=opt["alpha"],
        est_method=opt["est_method"],
        control_group="nevertreated" if opt["control"] == "never" else "notyettreated",
        anticipation=opt["anticipation"],
        base_period=opt["base_period"],
        clustervars=[opt["cluster"]] if clustered and boot else None,
        boot=boot,
        cband=False,
    )
    if boot:
        kw.update(biters=int(opt["n_draws"]), random_state=opt["seed"])
    if not opt["balanced"]:  # moderndid 0.x: panel=True with unbalanced data fails; this is R did's unbalanced path
        if clustered and not boot:
            raise PanelDataError(
                f"method='cs' on an unbalanced panel clusters at {opt['cluster']!r} only with the multiplier "
                "bootstrap: set n_draws (e.g. 999)"
            )
        kw.update(panel=False, allow_unbalanced_panel=True)
    return kw


def _fit_cs(d, outcome, unit, time, cohort, controls, opt, log, notes):
    """Callaway-Sant'Anna by moderndid; cluster-robust SEs at ``cluster`` from the influence functions."""
    import moderndid

    from .adapters.moderndid import cluster_vcov, influence_unit_order

    d = d.copy()
    if not pd.api.types.is_integer_dtype(d[unit]):
        d[unit] = pd.factorize(d[unit])[0] + 1
    safe = {c: f"_x{i}" for i, c in enumerate(controls)}  # the engine parses a formula: formula-safe names
    d = d.rename(columns=safe)
    controls = [safe[c] for c in controls]
    kw = _cs_kwargs(d, outcome, unit, time, cohort, controls, opt)
    try:
        with log:
            mp = moderndid.att_gt(**kw)
    except (ValueError, np.linalg.LinAlgError) as e:
        said = str(e).replace("control_group='notyettreated'", "control='notyet'").replace("`dropna = True'", "")
        raise PanelDataError(
            f"Callaway-Sant'Anna estimation failed (engine moderndid said: {said}); check that every cohort has "
            "enough units observed before and after adoption, and that controls vary across units"
        ) from e
    _check_cs_cohorts(mp, log, opt, notes)
    se = np.asarray(mp.se_gt, dtype=float)
    clusters = None
    if opt["cluster"] and opt["cluster"] != unit:
        order = influence_unit_order(d, unit, cohort)
        clusters = d.groupby(unit)[opt["cluster"]].first().loc[order].to_numpy()
        if not kw["boot"]:  # analytic; with the bootstrap the engine's cluster-bootstrap SEs stay
            V = cluster_vcov(np.asarray(mp.influence_func), clusters)
            se = np.where(np.isfinite(se), np.sqrt(np.diag(V)), np.nan)
    gt = _gt_frame(mp.groups, mp.times, mp.att_gt, se, opt["alpha"], opt["df"])
    return mp, gt, clusters


def _check_cs_cohorts(mp, log, opt, notes) -> None:
    """Raise (or, with ``allow_dropped_cohorts``, note) when group-time ATTs could not be estimated."""
    bad = sorted({float(m.group(1)) for msg in log.messages for m in [_CS_FAIL.search(msg)] if m})
    att = np.asarray(mp.att_gt, dtype=float)
    bad = sorted(set(bad) | {float(g) for g in np.asarray(mp.groups)[~np.isfinite(att)]})
    if not bad:
        return
    names = ", ".join(f"{g:g}" for g in bad)
    if not opt["allow_dropped_cohorts"]:
        raise PanelDataError(
            f"Callaway-Sant'Anna could not estimate some group-time ATTs of cohort(s) {names} (engine: "
            f"{'; '.join(m for m in log.messages if _CS_FAIL.search(m))[:300] or 'NaN estimates'}); "
            "the aggregates would silently average the other cohorts only. Check overlap (the propensity score "
            "reaches 1: a control separates the cohort from its comparison units) or drop those cohorts; "
            "allow_dropped_cohorts=True keeps going and lists the cohorts the aggregates leave out"
        )
    notes["dropped_cohorts"] = (
        f"group-time ATTs of cohort(s) {names} could not be estimated (overlap or too few units) and are "
        "missing: every aggregate averages the remaining cohorts only"
    )


def _agg_cs(res: StaggeredResult, kind: str) -> StaggeredAggregate:
    import moderndid

    from .adapters.moderndid import cluster_vcov

    log = _WarningLog()
    try:
        with log:
            a = moderndid.aggte(res.model, type=kind, cband=False, alp=res.alpha)
    except ValueError as e:
        gt = res.att_gt
        miss = gt.loc[gt["estimate"].isna() | gt["std_error"].isna(), ["cohort", "time"]]
        cells = ", ".join(f"({int(g)}, {int(t)})" for g, t in miss.to_numpy()[:5])
        if "Missing values" in str(e):
            raise PanelDataError(
                f"the {kind!r} aggregation needs every group-time ATT, but {len(miss)} could not be estimated "
                f"(NaN), e.g. (cohort, period) {cells}: too few units of a cohort or of its comparison group "
                "are observed in those periods. Drop the cohorts with too few units, use control='notyet', "
                "or use method='bjs' (imputation uses every untreated observation)"
            ) from e
        raise PanelDataError(f"Callaway-Sant'Anna aggregation {kind!r} failed (engine moderndid said: {e})") from e
    inf = np.asarray(a.influence_func) if a.influence_func is not None else None
    ov_inf = np.asarray(a.influence_func_overall) if a.influence_func_overall is not None else None
    cl = res._cs_clusters
    ov_se = float(a.overall_se)
    if cl is not None and ov_inf is not None and not res._cs_boot:
        ov_se = float(np.sqrt(cluster_vcov(ov_inf.reshape(-1, 1), cl)[0, 0]))
    if kind == "simple":
        tb = tidy_frame(["ATT (simple)"], [a.overall_att], [ov_se], alpha=res.alpha, df=res.df)
        vcov = None
    else:
        key = _KEY_COL[kind]
        keys = np.asarray(a.event_times, dtype=float).astype(int)
        se = np.asarray(a.se_by_event, dtype=float)
        vcov = None
        if inf is not None and inf.ndim == 2 and inf.shape[1] == len(keys):
            n = inf.shape[0]
            vcov = cluster_vcov(inf, cl) if cl is not None else inf.T @ inf / n / n
            if cl is not None and not res._cs_boot:
                se = np.where(np.isfinite(se), np.sqrt(np.diag(vcov)), np.nan)
            elif cl is not None:  # bootstrap SEs by cluster; the band takes its correlation from the clusters
                sd = np.sqrt(np.diag(vcov))
                corr = vcov / np.outer(sd, sd)
                vcov = corr * np.outer(se, se)
        tb = tidy_frame([f"{key}::{k}" for k in keys], a.att_by_event, se, alpha=res.alpha, df=res.df)
        tb[key] = keys
    return _aggregate(
        tb,
        {
            "method": "Callaway-Sant'Anna",
            "aggregation": kind,
            "base_period": res.info["base_period"],
            **_engine_info(log),
        },
        f"Callaway-Sant'Anna ATT, {kind} aggregation",
        kind,
        a.overall_att,
        ov_se,
        res.alpha,
        vcov,
        res.df,
    )


def _fit_sa(d, outcome, unit, time, cohort, controls, anticipation, alpha, cluster, log, notes, df=None):
    import diff_diff as dd

    if (d[cohort] == 0).sum() == 0:
        last = d[cohort].max()
        d = d.loc[d[time] < last].copy()
        d.loc[d[cohort] == last, cohort] = 0
        notes["control_group"] = (
            f"no never-treated units: the last-treated cohort ({last:g}) is the control "
            f"and periods >= {last:g} are dropped (Sun and Abraham 2021)"
        )
        if not (d[cohort] > 0).any():
            raise PanelDataError("only one treated cohort and no never-treated units: no comparison group")
    est = dd.SunAbraham(anticipation=anticipation, alpha=alpha, cluster=cluster or unit)
    with log:
        fit = est.fit(d, outcome=outcome, unit=unit, time=time, first_treat=cohort, covariates=list(controls) or None)
    rows = [(g, e, v["effect"], v["se"]) for (g, e), v in fit.cohort_effects.items()]
    rows.sort()
    g = np.array([r[0] for r in rows], dtype=int)
    e = np.array([r[1] for r in rows], dtype=int)
    gt = _gt_frame(g, g + e, [r[2] for r in rows], [r[3] for r in rows], alpha, df)
    return fit, gt


def _agg_sa(res: StaggeredResult, kind: str) -> StaggeredAggregate:
    fit = res.model
    if kind == "simple":
        tb = tidy_frame(["ATT (simple)"], [fit.att], [fit.se], alpha=res.alpha, df=res.df)
        vcov = None
    else:
        es = fit.to_dataframe().sort_values("relative_period")
        k = es["relative_period"].to_numpy(dtype=int)
        tb = tidy_frame([f"event_time::{x}" for x in k], es["effect"], es["se"], alpha=res.alpha, df=res.df)
        tb["event_time"] = k
        vcov = None
        if fit.event_study_vcov is not None and fit.event_study_vcov_index is not None:
            idx = list(fit.event_study_vcov_index)
            if sorted(idx) == sorted(k.tolist()):
                pos = [idx.index(x) for x in k]
                vcov = np.asarray(fit.event_study_vcov)[np.ix_(pos, pos)]
    ov_est, ov_se = float(fit.att), float(fit.se)
    if kind == "dynamic":  # R did's dynamic overall: the mean of the event-time effects e >= 0
        post = (tb["event_time"] >= 0).to_numpy()
        w = post / post.sum()
        ov_est = float(w @ tb["estimate"])
        ov_se = float(np.sqrt(w @ vcov @ w)) if vcov is not None else np.nan
    return _aggregate(
        tb,
        {"method": "Sun-Abraham", "aggregation": kind},
        f"Sun-Abraham ATT, {kind} aggregation",
        kind,
        ov_est,
        ov_se,
        res.alpha,
        vcov,
        res.df,
    )


def _fit_bjs(d, outcome, unit, time, cohort, controls, anticipation, alpha, cluster, log, leave_out=True, df=None):
    import diff_diff as dd

    from ._bjs import bjs_design, bjs_vcov

    est = dd.ImputationDiD(anticipation=anticipation, alpha=alpha, cluster=cluster or unit)
    with log:
        fit = est.fit(d, outcome=outcome, unit=unit, time=time, first_treat=cohort, covariates=list(controls) or None)
    X = d[list(controls)].to_numpy(dtype=float) if controls else None
    des = bjs_design(
        pd.factorize(d[unit])[0],
        pd.factorize(d[time], sort=True)[0],
        d[cohort].to_numpy(dtype=float),
        d[time].to_numpy(dtype=float),
        X,
        pd.factorize(d[cluster or unit])[0],
        anticipation,
    )
    g1 = d[cohort].to_numpy(dtype=float)[des.om1]
    t1 = d[time].to_numpy(dtype=float)[des.om1]
    cells = sorted(set(zip(g1[des.ok1], t1[des.ok1])))
    W = np.column_stack([((g1 == g) & (t1 == t) & des.ok1) / np.sum((g1 == g) & (t1 == t) & des.ok1) for g, t in cells])
    out = bjs_vcov(des, d[outcome].to_numpy(dtype=float), W, leave_out)
    se = np.sqrt(np.diag(out["vcov"]))
    gt = _gt_frame([c[0] for c in cells], [c[1] for c in cells], out["estimate"], se, alpha, df)
    state = {"design": des, "y": d[outcome].to_numpy(dtype=float), "g1": g1, "t1": t1, "leave_out": leave_out}
    state["n_single"] = out["n_single"]
    state["sizes"] = {int(k): int(v) for k, v in d.loc[d[cohort] > 0].groupby(cohort)[unit].nunique().items()}
    return fit, gt, state


def _bjs_targets(res: StaggeredResult, kind: str) -> tuple[list, np.ndarray, np.ndarray]:
    """Keys, target weights (n1 x K) and the overall-combination vector for a BJS aggregation.

    The same definitions as R ``did``'s ``aggte`` (see :data:`AGGREGATION_RULES`): ``simple`` =
    every treated observation equally (cohort-size weights on the ATT(g,t)); ``dynamic`` = by event
    time ``e >= 0`` (cohort-size weights within ``e``), overall = mean over ``e``; ``group`` = by
    cohort, overall = cohort-size weighted; ``calendar`` = by period, overall = mean over periods.
    """
    st = res._bjs
    des, g1, t1 = st["design"], st["g1"], st["t1"]
    ok = des.ok1
    if kind == "simple":
        return ["ATT (simple)"], ok[:, None] / ok.sum(), np.ones(1)
    lab = {"dynamic": t1 - g1, "group": g1, "calendar": t1}[kind]
    keys = np.unique(lab[ok])
    if kind == "dynamic":
        keys = keys[keys >= 0]
    W = np.column_stack([((lab == k) & ok) / np.sum((lab == k) & ok) for k in keys])
    if kind == "group":
        size = np.array([st["sizes"][int(k)] for k in keys], dtype=float)
        comb = size / size.sum()
    else:
        comb = np.full(len(keys), 1.0 / len(keys))
    return list(keys), W, comb


def _agg_bjs(res: StaggeredResult, kind: str) -> StaggeredAggregate:
    from ._bjs import bjs_vcov

    keys, W, comb = _bjs_targets(res, kind)
    st = res._bjs
    out = bjs_vcov(st["design"], st["y"], W, st["leave_out"])
    V = out["vcov"]
    est = out["estimate"]
    se = np.sqrt(np.diag(V))
    info = {"method": "BJS imputation", "aggregation": kind, "variance": _bjs_variance_note(st)}
    if kind == "group":
        cl1 = st["design"].cluster[st["design"].om1]
        few = {int(k): len(np.unique(cl1[st["g1"] == k])) for k in keys}
        few = {k: n for k, n in few.items() if n <= 5}
        if few:
            info["few_clusters"] = (
                "cohort(s) "
                + ", ".join(f"{k} ({n} clusters)" for k, n in few.items())
                + ": a cohort's estimate rests on its own clusters only, so its interval is too narrow even with "
                "the leave-out (Monte Carlo coverage of a nominal 95% interval: about 84% with 2 clusters, "
                "90-95% with 3-5); read these cohort intervals as optimistic"
            )
    ov_est, ov_se = float(comb @ est), float(np.sqrt(comb @ V @ comb))
    if kind == "simple":
        tb = tidy_frame(["ATT (simple)"], est, se, alpha=res.alpha, df=res.df)
        return _aggregate(tb, info, "BJS imputation ATT, simple aggregation", kind, ov_est, ov_se, res.alpha, V, res.df)
    key = _KEY_COL[kind]
    k = np.asarray(keys, dtype=float).astype(int)
    tb = tidy_frame([f"{key}::{x}" for x in k], est, se, alpha=res.alpha, df=res.df)
    tb[key] = k
    return _aggregate(tb, info, f"BJS imputation ATT, {kind} aggregation", kind, ov_est, ov_se, res.alpha, V, res.df)


def _bjs_variance_note(st: dict) -> str:
    if not st["leave_out"]:
        return "BJS (2024) Theorem 3 conservative variance, no leave-out (R didimputation)"
    s = (
        "BJS (2024) Theorem 3 conservative variance with the leave-out step (Supplementary Appendix A.9): "
        "each observation's cohort x event-time mean of imputed effects leaves out its own cluster"
    )
    if st["n_single"]:
        s += f"; {st['n_single']} cell(s) lie in one cluster and keep the ordinary mean (leave-out undefined)"
    return s


def _aggregate(tb, info, title, kind, est, se, alpha, vcov, df=None) -> StaggeredAggregate:
    """A StaggeredAggregate whose headline is the overall summary ``est`` (SE ``se``; t(df), normal if None)."""
    if vcov is not None and kind != "simple":
        from .bands import add_band, sup_t_critical_value

        crit = sup_t_critical_value(vcov, alpha, df)
        tb = add_band(tb, crit)
        info = {**info, "simultaneous_band": f"sup-t, critical value {crit:.3f} (pointwise: t({df:g}))"}
    else:
        crit = np.nan
    overall = tidy_frame(["overall"], [float(est)], [float(se)], alpha=alpha, df=df).iloc[0]
    return StaggeredAggregate.from_table(
        tb, overall, info=info, title=title, kind=kind, vcov=vcov, band_critical_value=crit, alpha=alpha, df=df
    )


_AGGREGATORS = {"cs": _agg_cs, "sa": _agg_sa, "bjs": _agg_bjs}


# ---------------------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------------------


#: The library's one rule for critical values (stated in every result's ``info["inference"]``).
INFERENCE_RULE = (
    "cluster-robust standard errors with G clusters (the cluster column, else the unit); pointwise intervals "
    "and p-values use the t distribution with G - 1 degrees of freedom, simultaneous bands the sup-t critical "
    "value of the multivariate t(G - 1) (didbook.bands)"
)


def _inference_note(df: float, cluster: str | None, unit: str) -> str:
    return (
        f"standard errors clustered by {cluster or unit!r} (G = {df + 1:g}); intervals and p-values: t distribution "
        f"with {df:g} degrees of freedom (G - 1)"
    )


def _check_options(method, control, est_method, anticipation, n_draws, seed, alpha, base_period, weights) -> tuple:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if control not in ("never", "notyet"):
        raise ValueError(f"control must be 'never' or 'notyet', got {control!r}")
    if est_method not in ("dr", "ipw", "reg"):
        raise ValueError(f"est_method must be 'dr', 'ipw' or 'reg', got {est_method!r}")
    if base_period not in (None, "varying", "universal"):
        raise ValueError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    anticipation = check_int("anticipation", anticipation, minimum=0)
    n_draws = check_int("n_draws", n_draws, minimum=0)
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if method == "sa" and control != "never":
        raise ValueError(
            "method='sa' compares with never-treated units (or the last-treated cohort when there are "
            "none); control='notyet' is available for method='cs'"
        )
    if method == "sa" and base_period == "varying":
        raise ValueError("method='sa' measures every event time against event time -1: base_period='universal' only")
    if method != "cs" and weights is not None:
        raise ValueError(
            f"weights={weights!r}: sampling weights are supported for method='cs' only (moderndid's weightsname); "
            "the diff-diff engines behind method='sa' and 'bjs' are not wired for them here"
        )
    if method != "cs" and n_draws:
        raise ValueError("n_draws (multiplier bootstrap) is available for method='cs' only")
    return anticipation, n_draws, seed


def _check_comparisons(method, control, facts) -> None:
    if method == "cs" and control == "never" and facts["n_never"] == 0:
        raise PanelDataError(
            "no never-treated units (cohort 0 or NaN) to compare with; use control='notyet' "
            "(not-yet-treated units as controls) or method='sa' (last-treated cohort as control)"
        )
    if method in ("cs", "bjs") and facts["n_never"] == 0 and len(facts["cohorts"]) < 2:
        raise PanelDataError("no untreated comparison units: a single cohort and no never-treated units")


def _cs_notes(facts, opt, notes) -> None:
    if not facts["balanced"]:
        notes["unbalanced_panel"] = (
            f"{facts['n_incomplete']} of {facts['n_units']} units are not observed in every period; "
            "estimated as R did's allow_unbalanced_panel (moderndid: unbalanced-panel estimators): every "
            "observation is used and no unit is dropped, but unit effects are not differenced out, so standard "
            "errors are larger than on a balanced panel"
        )
    if opt["control"] == "notyet" and facts["n_never"] == 0:
        last = max(facts["cohorts"])
        a = opt["anticipation"]
        stop = f"{last:g}" if a == 0 else f"{last:g} - {a} (anticipation)"
        notes["note"] = (
            f"no never-treated units: ATT(g,t) only for t < {stop}, the last cohort's adoption period "
            f"(after it no unit is still untreated to compare with); cohort {last:g} has no post-treatment "
            "estimates and the aggregated ATTs cover only the periods before it"
        )
    notes["base_period"] = (
        "varying: each pre-period estimate compares consecutive periods (R did's default; not an event-study "
        "path to read against one reference period)"
        if opt["base_period"] == "varying"
        else "universal: every estimate is measured against the period before adoption (event time -1 = 0)"
    )
    if opt["n_draws"]:
        notes["bootstrap"] = f"multiplier bootstrap, {opt['n_draws']} draws, clustered by {opt['cluster'] or 'unit'}"


def _fit_method(method, d, outcome, unit, time, cohort, controls, opt, facts, log, notes) -> tuple:
    """Run one engine: returns (engine result, group-time table, title, extra result fields)."""
    if method == "cs":
        engine, gt, clusters = _fit_cs(d, outcome, unit, time, cohort, controls, opt, log, notes)
        _cs_notes(facts, opt, notes)
        title = f"Callaway-Sant'Anna group-time ATTs ({opt['est_method'].upper()}, control: {opt['control']} treated)"
        return engine, gt, title, {"_cs_clusters": clusters, "_cs_boot": opt["n_draws"] > 0}
    a, alpha, cluster, df = opt["anticipation"], opt["alpha"], opt["cluster"], opt["df"]
    if method == "sa":
        engine, gt = _fit_sa(d, outcome, unit, time, cohort, controls, a, alpha, cluster, log, notes, df)
        notes["base_period"] = "universal: event time -1 - anticipation is the reference"
        return engine, gt, "Sun-Abraham cohort x event-time effects", {}
    engine, gt, state = _fit_bjs(d, outcome, unit, time, cohort, controls, a, alpha, cluster, log, opt["leave_out"], df)
    notes["variance"] = _bjs_variance_note(state)
    title = "Borusyak-Jaravel-Spiess imputation: mean imputed effects by cohort and period"
    return engine, gt, title, {"_bjs": state}


def staggered(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    method: str = "cs",
    control: str = "never",
    controls: Sequence[str] = (),
    *,
    est_method: str = "dr",
    anticipation: int = 0,
    alpha: float = 0.05,
    cluster: str | None = None,
    treatment: str | None = None,
    n_draws: int = 0,
    seed: int | None = None,
    leave_out: bool = True,
    base_period: str | None = None,
    weights: str | None = None,
    allow_dropped_cohorts: bool = False,
) -> StaggeredResult:
    """Heterogeneity-robust DID with staggered adoption (Callaway-Sant'Anna, Sun-Abraham, BJS).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit identifier and (numeric) period columns.
    cohort : str
        First treated period of each unit (constant within unit); ``0`` or missing = never
        treated. Treatment must be absorbing (once treated, always treated).
    method : {"cs", "sa", "bjs"}
        Callaway-Sant'Anna, Sun-Abraham or Borusyak-Jaravel-Spiess imputation.
    control : {"never", "notyet"}
        Comparison units for ``"cs"``: never-treated only, or never- and not-yet-treated (with no
        never-treated units, ``"notyet"`` identifies ATT(g,t) only before the last cohort adopts,
        which ``info["note"]`` says). ``"sa"`` always uses never-treated units (or, if there are
        none, the last-treated cohort, which it says in ``info``); ``"bjs"`` always uses all
        untreated observations.
    controls : sequence of str
        Covariates: conditional parallel trends for ``"cs"`` (base-period values, via
        ``est_method``); linear controls in the regressions for ``"sa"``/``"bjs"``.
    est_method : {"dr", "ipw", "reg"}
        Callaway-Sant'Anna estimator. Without controls all three coincide.
    anticipation : int
        Number of periods before the cohort date in which effects may already start (all methods).
    alpha : float
        1 - confidence level of the pointwise intervals.
    cluster : str, optional
        Cluster column (constant within unit; default the unit). All methods cluster there:
        ``"cs"`` with the analytic cluster-robust variance of its influence functions (or the
        multiplier bootstrap by cluster with ``n_draws``, as R ``did``'s ``clustervars``).
    treatment : str, optional
        A 0/1 treatment column to check ``cohort`` against (raises if they disagree).
    n_draws : int
        ``"cs"`` only: multiplier-bootstrap draws (0 = analytic standard errors).
    seed : int, optional
        Seed for the bootstrap.
    leave_out : bool
        ``"bjs"``: leave the observation's own cluster out of the auxiliary cell means of the
        variance (BJS 2024 App. A.9; default). ``False`` = R ``didimputation``'s variance, biased
        down with few clusters per cell.
    base_period : {"varying", "universal"}, optional
        ``"cs"``: R ``did``'s base period (default ``"varying"``); ``"universal"`` gives an event
        study against event time -1 (needed by :func:`didbook.honest_sensitivity`). ``"sa"`` is
        always universal; ``"bjs"`` has no base period.
    weights : str, optional
        Sampling-weight column (``"cs"`` only; constant within unit).
    allow_dropped_cohorts : bool
        ``"cs"``: by default a cohort whose group-time ATTs cannot be estimated (overlap fails,
        too few units) raises an error naming it; ``True`` keeps the NaN rows and says in
        ``info["dropped_cohorts"]`` which cohorts the aggregates leave out.

    Returns
    -------
    StaggeredResult
        ``.estimate`` (simple ATT), ``.std_error``, ``.att_gt``, ``.aggregate(kind)``, ``.plot()``,
        ``.summary()``, ``.tidy()``. Inference: :data:`INFERENCE_RULE`.

    Raises
    ------
    PanelDataError
        Missing columns, duplicated unit-period rows, NaNs, a cohort that varies within a unit,
        units treated in the first period, a cohort inconsistent with ``treatment``, collinear
        controls, no never-treated units with ``control="never"``, cohorts outside the panel, a
        non-numeric ``time``, +-inf values, a cohort ``"cs"`` cannot estimate (see
        ``allow_dropped_cohorts``).

    Examples
    --------
    >>> import didbook
    >>> panel = didbook.simulate_city_panel(seed=2024)
    >>> fit = didbook.staggered(panel.data, "income_gap", "city_id", "year", "platform_cohort")
    >>> truth = panel.truth.att[("platform", "income_gap")]  # known in the simulated panel
    >>> bool(fit.conf_low <= truth <= fit.conf_high)
    True
    """
    anticipation, n_draws, seed = _check_options(
        method, control, est_method, anticipation, n_draws, seed, alpha, base_period, weights
    )
    controls = as_list(controls)
    extra = [c for c in (weights,) if c]
    d, facts = _prepare(data, outcome, unit, time, cohort, [*controls, *extra], treatment, cluster)
    _check_comparisons(method, control, facts)
    for c in [cluster, weights] if method == "cs" else []:
        if c and c != unit:
            check_nested(d, unit, c)
    d = d.sort_values([unit, time]).reset_index(drop=True)
    df = float(d[cluster or unit].nunique() - 1)
    opt = dict(
        control=control, est_method=est_method, anticipation=anticipation, alpha=alpha, cluster=cluster,
        n_draws=n_draws, seed=seed, balanced=facts["balanced"], base_period=base_period or "varying",
        weights=weights, allow_dropped_cohorts=allow_dropped_cohorts, leave_out=leave_out, df=df,
    )  # fmt: skip
    log = _WarningLog()
    notes: dict = {"inference": _inference_note(df, cluster, unit)}
    engine, gt, title, extra_fields = _fit_method(
        method, d, outcome, unit, time, cohort, controls, opt, facts, log, notes
    )
    info = {
        "method": method,
        "units": facts["n_units"],
        "periods": facts["n_periods"],
        "cohorts": facts["cohorts"],
        "n_never_treated": facts["n_never"],
        "control": {"cs": control, "sa": "never treated", "bjs": "all untreated obs. (never and not yet treated)"}[
            method
        ],
        "controls": controls or "none",
        "anticipation": anticipation,
        **notes,
        **_engine_info(log),
    }
    cols = ["cohort", "time", "event_time", "estimate", "std_error", "conf_low", "conf_high"]
    fields = dict(
        info=info, title=title, method=method, att_gt=gt[cols].copy(), alpha=alpha, model=engine, df=df,
        _aggregates={}, **extra_fields,
    )  # fmt: skip
    # the headline is the simple aggregation, computed from a fit without one (and kept in the cache)
    simple = StaggeredResult(table=gt, **fields).aggregate("simple")
    info["att_simple"] = f"{simple.estimate:.4f} (SE {simple.std_error:.4f})"
    return StaggeredResult.from_table(gt, simple.tidy().iloc[0], **fields)
