"""Monte Carlo studies of DID estimators on the simulated city panel.

:func:`monte_carlo` draws many data sets with known truth, fits several estimators to each and
reports, per estimator, bias, RMSE, coverage of the 95% interval, the ratio of the mean standard
error to the spread of the estimates, and the rejection rate of "no effect" -- each with its Monte
Carlo standard error, so a reader can tell a real difference from simulation noise.

Three designs
    ``"panel"``: every draw is a fresh panel ``simulate_city_panel(seed=seed + r)`` (new cities,
    adoption timing, effects and noise); the truth is that draw's ATT. Per-draw library fits,
    parallel over draws with joblib.
    ``"outcomes"``: the design (cities, covariates, adoption timing, effect sizes) is fixed at
    ``design_seed=seed`` and only the outcome noise is re-drawn, through
    :func:`didbook.simulate.outcome_draws`. Every supported estimator is then a fixed linear map of
    the outcome vector, so all draws are fitted at once by the batched fast path
    (:mod:`didbook.fast`; it agrees with the per-draw library fits to 1e-8), ``simple`` and
    ``dynamic`` aggregations, any cluster column, BJS with or without the leave-out.
    Specifications it does not cover (Callaway-Sant'Anna with covariates, unbalanced panels for
    Callaway-Sant'Anna, ...) fall back to per-draw library fits, and ``result.info`` says which.
    ``"assignment"``: the outcomes are fixed at the untreated potential outcome
    ``panel.untreated(outcome, treatment)`` (so the true effect is 0) and the adoption periods
    are permuted across units -- or across the spec's clusters with ``"reassign": "cluster"`` --
    in every draw (design-based, as :func:`didbook.placebo_test`). The rejection rate is then the
    size of the test.

Parallel and distributed runs
    ``n_jobs`` goes through :class:`joblib.Parallel`, so any joblib backend works: a study too big
    for one machine can be spread over a cluster with ``with joblib.parallel_backend("dask"):``
    (a ``dask.distributed.Client`` must exist) or the ``ray`` backend
    (``ray.util.joblib.register_ray()``). Every draw has its own seed, so the draws do not depend
    on ``n_jobs`` or on the backend.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import fast as batched
from ._results import _Report

__all__ = ["monte_carlo", "MonteCarloResult"]

UNIT, TIME = "city_id", "year"
METHODS = ("twfe", "cs", "sa", "bjs")
DESIGNS = ("panel", "outcomes", "assignment")
AGGREGATIONS = ("simple", "dynamic")
SPEC_KEYS = (
    "method",
    "treatment",
    "outcome",
    "controls",
    "cluster",
    "aggregation",
    "control_group",
    "est_method",
    "leave_out",
    "reassign",
)
DRAW_COLUMNS = ["draw", "estimator", "estimate", "std_error", "conf_low", "conf_high", "p_value", "truth"]
#: Above this many fits (draws x estimators) the progress bar is on by default (in a terminal).
PROGRESS_FITS = 200


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class MonteCarloResult(_Report):
    """Result of :func:`monte_carlo`.

    Attributes
    ----------
    draws : pandas.DataFrame
        One row per draw and estimator: ``draw, estimator, estimate, std_error, conf_low,
        conf_high, p_value, truth``.
    estimators : dict
        The validated specifications, label -> spec (defaults filled in).
    info : dict
        ``design``, ``scenario``, ``draws``, ``alpha``, ..., and with the outcomes design
        ``fast_path`` (labels fitted by :mod:`didbook.fast`) and ``fallback`` (``"label (reason)"``
        of the per-draw library fits).
    alpha : float
        1 - nominal coverage of the intervals (0.05).
    """

    draws: pd.DataFrame
    estimators: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    alpha: float = 0.05
    title: str = "Monte Carlo study"
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        """A plain-text report: the facts of ``info`` and the main columns of :meth:`tidy`."""
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{k:<28}{v}" for k, v in self.describe().items()]
        cols = ["estimator", "bias", "bias_mc_se", "rmse", "coverage", "coverage_mc_se", "se_ratio", "rejection_rate"]
        lines += ["", self.tidy()[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}")]
        return "\n".join(lines)

    def tidy(self) -> pd.DataFrame:
        """Performance of each estimator over the draws.

        Returns
        -------
        pandas.DataFrame
            One row per estimator: ``n_draws``; ``mean_estimate``, ``mean_truth``; ``bias`` (mean of
            estimate - truth) and ``bias_mc_se`` (its Monte Carlo SE, sd / sqrt(R));
            ``relative_bias`` (bias / mean truth, NaN when the truth is 0); ``rmse``;
            ``sd_estimate`` (spread of the estimates) and ``mean_std_error`` (the average reported
            SE; their ratio ``se_ratio`` is 1 for honest SEs); ``coverage`` of the 95% interval
            with ``coverage_mc_se`` = sqrt(c (1 - c) / R); ``rejection_rate`` of H0: effect = 0
            (interval excludes 0) with its Monte Carlo SE.

        Examples
        --------
        >>> mc.tidy()[["estimator", "bias", "coverage"]]  # doctest: +SKIP
        """
        rows = []
        for label, g in self.draws.groupby("estimator", sort=False):
            est, truth, se = g["estimate"].to_numpy(), g["truth"].to_numpy(), g["std_error"].to_numpy()
            err = est - truth
            r = len(g)
            ok = np.isfinite(g["conf_low"]) & np.isfinite(g["conf_high"])
            covered = ((g["conf_low"] <= g["truth"]) & (g["truth"] <= g["conf_high"]))[ok].to_numpy(dtype=float)
            reject = ((g["conf_low"] > 0) | (g["conf_high"] < 0))[ok].to_numpy(dtype=float)
            cov = covered.mean() if len(covered) else np.nan
            rej = reject.mean() if len(reject) else np.nan
            sd_err = err.std(ddof=1) if r > 1 else np.nan
            mean_truth = truth.mean()
            bias = err.mean()
            rows.append(
                {
                    "estimator": label,
                    "n_draws": r,
                    "mean_estimate": est.mean(),
                    "mean_truth": mean_truth,
                    "bias": bias,
                    "bias_mc_se": sd_err / np.sqrt(r),
                    "relative_bias": bias / mean_truth if mean_truth != 0 else np.nan,
                    "rmse": float(np.sqrt(np.mean(err**2))),
                    "sd_estimate": est.std(ddof=1) if r > 1 else np.nan,
                    "mean_std_error": np.nanmean(se) if np.isfinite(se).any() else np.nan,
                    "coverage": cov,
                    "coverage_mc_se": np.sqrt(cov * (1 - cov) / max(len(covered), 1)),
                    "rejection_rate": rej,
                    "rejection_mc_se": np.sqrt(rej * (1 - rej) / max(len(reject), 1)),
                }
            )
        out = pd.DataFrame(rows)
        out["se_ratio"] = out["mean_std_error"] / out["sd_estimate"]
        return out

    def plot(self, ax=None, bins: int = 40, title: str | None = None):
        """Distribution of the estimation error (estimate - truth) for each estimator, 0 marked.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> ax = mc.plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        err = self.draws.assign(error=self.draws["estimate"] - self.draws["truth"])
        lo, hi = err["error"].min(), err["error"].max()
        edges = np.linspace(lo, hi, bins + 1) if hi > lo else bins
        for i, (label, g) in enumerate(err.groupby("estimator", sort=False)):
            ax.hist(g["error"], bins=edges, alpha=0.45, color=f"C{i}", label=f"{label} (mean {g['error'].mean():+.3g})")
        ax.axvline(0, color="black", lw=1.2, ls="--", label="no error (estimate = truth)")
        outcome = ", ".join(sorted({s["outcome"] for s in self.estimators.values()}))
        ax.set_xlabel(f"estimate - true ATT (units of {outcome})")
        ax.set_ylabel(f"number of draws (of {self.info.get('draws', '')})")
        ax.set_title(title or f"Monte Carlo: estimation error, {self.info.get('design', '')} design")
        ax.legend(frameon=False, fontsize="small")
        return ax


# ---------------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------------


def _treatments() -> dict:
    from .simulate import TREATMENTS

    return TREATMENTS


def _validate(estimators: Mapping, design: str) -> dict:
    if not isinstance(estimators, Mapping) or not estimators:
        raise ValueError(
            "estimators must be a non-empty dict: label -> spec dict, e.g. "
            "{'TWFE': {'method': 'twfe', 'treatment': 'platform', 'outcome': 'income_gap'}}"
        )
    treatments = _treatments()
    out = {}
    for label, spec in estimators.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"estimator {label!r}: spec must be a dict, got {type(spec).__name__}")
        bad = [k for k in spec if k not in SPEC_KEYS]
        if bad:
            raise ValueError(f"estimator {label!r}: unknown key(s) {bad}; allowed keys: {list(SPEC_KEYS)}")
        for k in ("method", "treatment", "outcome"):
            if k not in spec:
                raise ValueError(f"estimator {label!r}: missing required key {k!r}")
        s = {"controls": [], "cluster": UNIT, "aggregation": "simple", **dict(spec)}
        if s["method"] not in METHODS:
            raise ValueError(f"estimator {label!r}: method={s['method']!r}; allowed: {list(METHODS)}")
        if s["treatment"] not in treatments:
            raise ValueError(f"estimator {label!r}: treatment={s['treatment']!r}; allowed: {sorted(treatments)}")
        if not isinstance(s["outcome"], str):
            raise ValueError(f"estimator {label!r}: outcome must be a column name (str), got {s['outcome']!r}")
        if isinstance(s["controls"], str):
            s["controls"] = [s["controls"]]
        s["controls"] = list(s["controls"] or [])
        if s["cluster"] is None:
            s["cluster"] = UNIT
        if s["aggregation"] not in AGGREGATIONS:
            raise ValueError(f"estimator {label!r}: aggregation={s['aggregation']!r}; allowed: {list(AGGREGATIONS)}")
        if s["method"] == "twfe" and s["aggregation"] != "simple":
            raise ValueError(f"estimator {label!r}: method='twfe' has one coefficient; aggregation must be 'simple'")
        if "control_group" in s:
            if s["method"] != "cs":
                raise ValueError(f"estimator {label!r}: control_group is a key of method='cs' only")
            if s["control_group"] not in ("never", "notyet"):
                raise ValueError(
                    f"estimator {label!r}: control_group={s['control_group']!r}; allowed: ['never', 'notyet']"
                )
        if "est_method" in s:
            if s["method"] != "cs":
                raise ValueError(f"estimator {label!r}: est_method is a key of method='cs' only")
            if s["est_method"] not in ("dr", "ipw", "reg"):
                raise ValueError(f"estimator {label!r}: est_method={s['est_method']!r}; allowed: ['dr', 'ipw', 'reg']")
        if "leave_out" in s:
            if s["method"] != "bjs":
                raise ValueError(f"estimator {label!r}: leave_out is a key of method='bjs' only")
            if not isinstance(s["leave_out"], (bool, np.bool_)):
                raise ValueError(f"estimator {label!r}: leave_out={s['leave_out']!r}; allowed: [True, False]")
            s["leave_out"] = bool(s["leave_out"])
        if "reassign" in s:
            if design != "assignment":
                raise ValueError(f"estimator {label!r}: 'reassign' is a key of design='assignment' only")
            if s["reassign"] not in ("unit", "cluster"):
                raise ValueError(f"estimator {label!r}: reassign={s['reassign']!r}; allowed: ['unit', 'cluster']")
        out[str(label)] = s
    return out


def _headline(res) -> tuple[float, float, float, float, float]:
    """(estimate, std_error, conf_low, conf_high, p_value): the headline every didbook result carries."""
    return tuple(float(getattr(res, k)) for k in ("estimate", "std_error", "conf_low", "conf_high", "p_value"))


def _fit_library(
    data: pd.DataFrame, outcome: str, spec: dict, cohort_col: str | None = None, treat_col: str | None = None
) -> tuple:
    """Fit one spec with the library on ``data`` (column ``outcome``); returns the headline numbers."""
    from .staggered import staggered
    from .twfe import twfe

    dcol, ccol = _treatments()[spec["treatment"]]
    dcol, ccol = treat_col or dcol, cohort_col or ccol
    if spec["method"] == "twfe":
        res = twfe(
            data, outcome, dcol, UNIT, TIME, controls=spec["controls"], cluster=spec["cluster"], warn_few_clusters=False
        )
        return _headline(res)
    kw = dict(method=spec["method"], cluster=spec["cluster"], controls=spec["controls"])
    if spec["method"] == "cs":
        kw.update(control=spec.get("control_group", "never"), est_method=spec.get("est_method", "dr"))
    if spec["method"] == "bjs":
        kw.update(leave_out=spec.get("leave_out", True))
    res = staggered(data, outcome, UNIT, TIME, ccol, **kw)
    # the headline of an aggregation is its overall summary (dynamic: the average over event times >= 0)
    return _headline(res.aggregate(spec["aggregation"]))


def _truth(truth, spec: dict) -> float:
    key = (spec["treatment"], spec["outcome"])
    if spec["aggregation"] == "dynamic":
        ev = truth.event(*key)
        return float(ev.loc[ev["event_time"] >= 0, "att"].mean())
    if key not in truth.att:
        raise KeyError(f"no true ATT for {key}")
    return float(truth.att[key])


# ---------------------------------------------------------------------------------------------
# Draw workers (module level so joblib can pickle them)
# ---------------------------------------------------------------------------------------------


def _panel_draw(r: int, seed: int, scenario: str, switches: dict, specs: dict) -> list:
    import warnings

    from .simulate import simulate_city_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = simulate_city_panel(seed=seed + r, scenario=scenario, **switches)
        rows = []
        for label, spec in specs.items():
            fit = _fit_library(panel.data, spec["outcome"], spec)
            rows.append((r, label, *fit[:4], fit[4], _truth(panel.truth, spec)))
    return rows


def _outcome_chunk(draws: list, data: pd.DataFrame, Y: np.ndarray, truth: np.ndarray, label: str, spec: dict) -> list:
    import warnings

    rows = []
    d = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, r in enumerate(draws):
            d[spec["outcome"]] = Y[:, j]
            fit = _fit_library(d, spec["outcome"], spec)
            rows.append((r, label, *fit[:4], fit[4], float(truth[j])))
    return rows


def _assignment_chunk(draws: list, data: pd.DataFrame, cohorts: np.ndarray, label: str, spec: dict) -> list:
    import warnings

    rows = []
    d = data.copy()
    t = d[TIME].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, r in enumerate(draws):
            c = cohorts[j]
            d["mc_cohort"] = c
            d["mc_treated"] = ((c > 0) & (t >= c)).astype(int)
            fit = _fit_library(d, spec["outcome"], spec, cohort_col="mc_cohort", treat_col="mc_treated")
            rows.append((r, label, *fit[:4], fit[4], 0.0))
    return rows


# ---------------------------------------------------------------------------------------------
# Runner helpers
# ---------------------------------------------------------------------------------------------


def _use_progress(progress, n_fits: int) -> bool:
    if progress is not None:
        return bool(progress)
    # Auto: only in a real terminal. Notebooks (stderr not a tty) stay silent: stderr output
    # fails the book build.
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and n_fits >= PROGRESS_FITS


def _run(tasks: list, n_jobs: int, progress: bool, desc: str) -> list:
    """Run joblib ``delayed`` tasks, each returning a list of rows; optional tqdm bar over tasks."""
    from joblib import Parallel

    it = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    if progress:
        from tqdm import tqdm  # plain tqdm on stderr (never tqdm.auto's notebook widget)

        it = tqdm(it, total=len(tasks), desc=desc, file=sys.stderr)
    out = []
    for rows in it:
        out.extend(rows)
    return out


def _chunks(n: int, n_jobs: int) -> list[list[int]]:
    n_chunks = max(1, min(n, 4 * max(1, n_jobs if n_jobs > 0 else 4)))
    return [list(c) for c in np.array_split(np.arange(n), n_chunks) if len(c)]


def _outcome_draws(treatment, outcome, seeds, *, design_seed, scenario, switches):
    from . import simulate

    if not hasattr(simulate, "outcome_draws"):
        raise NotImplementedError(
            "design='outcomes' needs didbook.simulate.outcome_draws(treatment, outcome, seeds, design_seed=..., "
            "scenario=..., **switches), which this version of the simulation does not provide yet; use "
            "design='panel'"
        )
    panel, Y, truth = simulate.outcome_draws(
        treatment, outcome, seeds, design_seed=design_seed, scenario=scenario, **switches
    )
    Y = np.asarray(Y, dtype=float)
    truth = np.asarray(truth, dtype=float)
    if Y.shape != (len(panel.data), len(seeds)) or truth.shape != (len(seeds),):
        raise ValueError(
            f"outcome_draws returned Y {Y.shape} and truth {truth.shape}; expected "
            f"({len(panel.data)}, {len(seeds)}) and ({len(seeds)},)"
        )
    return panel, Y, truth


def _batched_fit(data: pd.DataFrame, Y: np.ndarray, spec: dict) -> batched.BatchFit:
    dcol, ccol = _treatments()[spec["treatment"]]
    if spec["method"] == "twfe":
        return batched.twfe(data, Y, dcol, unit=UNIT, time=TIME, controls=spec["controls"], cluster=spec["cluster"])
    return batched.staggered(
        data,
        Y,
        ccol,
        method=spec["method"],
        unit=UNIT,
        time=TIME,
        controls=spec["controls"],
        cluster=spec["cluster"],
        control=spec.get("control_group", "never"),
        est_method=spec.get("est_method", "dr"),
        aggregation=spec["aggregation"],
        leave_out=spec.get("leave_out", True),
    )


def _check_design(data: pd.DataFrame, specs: dict) -> None:
    for label, s in specs.items():
        need = [s["outcome"], *s["controls"], s["cluster"]]
        missing = [c for c in need if c not in data.columns]
        if missing:
            raise ValueError(f"estimator {label!r}: column(s) {missing} are not in the simulated panel")


# ---------------------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------------------


def monte_carlo(
    estimators: Mapping[str, Mapping],
    n_draws: int = 1000,
    seed: int = 0,
    scenario: str = "baseline",
    n_jobs: int = 1,
    design: str = "panel",
    progress: bool | None = None,
    **switches,
) -> MonteCarloResult:
    """Monte Carlo study: bias, RMSE, coverage and size of DID estimators on simulated panels.

    Parameters
    ----------
    estimators : dict
        Label -> specification dict with keys ``method`` (``"twfe"``, ``"cs"``, ``"sa"``,
        ``"bjs"``), ``treatment`` (``"platform"``, ``"dg"``, ``"smart_city"``: mapped to the
        panel's columns by :data:`didbook.simulate.TREATMENTS`), ``outcome`` (a panel column);
        optional ``controls`` (list, default ``[]``), ``cluster`` (default the unit
        ``"city_id"``; e.g. ``"province_id"``, for every method), ``aggregation`` (``"simple"``,
        default, or ``"dynamic"``: the average over event times >= 0, compared with the mean true
        effect over those event times), ``control_group`` (``"cs"``: ``"never"``/``"notyet"``),
        ``est_method`` (``"cs"``: ``"dr"``/``"ipw"``/``"reg"``), ``leave_out`` (``"bjs"``:
        ``True``, default, or ``False``, as :func:`didbook.staggered`) and, for
        ``design="assignment"``, ``reassign`` (``"unit"``, default, or ``"cluster"``).
        Unit ``"city_id"``, time ``"year"``.
    n_draws : int
        Number of Monte Carlo draws ``R``.
    seed : int
        Draw ``r`` uses seed ``seed + r`` (``"panel"``: the panel; ``"outcomes"``: the outcome
        noise, with the design fixed at ``design_seed=seed``); ``"assignment"`` simulates the
        panel with ``seed`` and derives the permutations from it.
    scenario : str
        A scenario of :data:`didbook.SCENARIOS`.
    n_jobs : int
        Parallel workers (joblib; ``-1`` = all cores). Any joblib backend can be used, e.g.
        ``with joblib.parallel_backend("dask"):`` to spread a large study over a cluster. Results
        do not depend on ``n_jobs``.
    design : {"panel", "outcomes", "assignment"}
        What is re-drawn (see the module documentation): the whole panel, only the outcome
        noise (fast batched path), or only the adoption timing (truth 0: size of the tests).
    progress : bool or None
        Show a tqdm bar on stderr. ``None`` (default): only for long runs in a terminal, never
        in notebooks (stderr output fails the book build).
    **switches
        Switches of :func:`didbook.simulate_city_panel` (``effect_scale=0``, ``noise_scale``, ...).

    Returns
    -------
    MonteCarloResult
        ``.draws`` (one row per draw and estimator), ``.tidy()`` (bias, RMSE, coverage, SE
        ratio, rejection rate, with Monte Carlo SEs), ``.summary()`` (text), ``.plot()``.

    Raises
    ------
    ValueError
        Unknown design, bad specification (the message names the key, the value and the allowed
        values), columns missing from the panel.

    Examples
    --------
    >>> import didbook
    >>> mc = didbook.monte_carlo(
    ...     {"TWFE": {"method": "twfe", "treatment": "platform", "outcome": "income_gap"}},
    ...     n_draws=2, seed=1)
    >>> mc.tidy()[["estimator", "n_draws"]].to_dict("records")
    [{'estimator': 'TWFE', 'n_draws': 2}]
    """
    from joblib import delayed

    if design not in DESIGNS:
        raise ValueError(f"design={design!r}; allowed: {list(DESIGNS)}")
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    specs = _validate(estimators, design)
    show = _use_progress(progress, n_draws * len(specs))
    info = {"design": design, "scenario": scenario, "draws": int(n_draws), "seed": int(seed)}
    if switches:
        info["switches"] = ", ".join(f"{k}={v!r}" for k, v in switches.items())

    if design == "panel":
        tasks = [delayed(_panel_draw)(r, seed, scenario, switches, specs) for r in range(n_draws)]
        rows = _run(tasks, n_jobs, show, "Monte Carlo draws")
        info["method"] = "per-draw library fits on a new panel each draw"
    elif design == "outcomes":
        rows, fast, slow = [], [], []
        seeds = [seed + r for r in range(n_draws)]
        cache: dict = {}
        tasks = []
        for label, spec in specs.items():
            key = (spec["treatment"], spec["outcome"])
            if key not in cache:
                cache[key] = _outcome_draws(*key, seeds, design_seed=seed, scenario=scenario, switches=switches)
            panel, Y, truth = cache[key]
            _check_design(panel.data, {label: spec})
            try:
                fit = _batched_fit(panel.data, Y, spec)
            except batched.NotBatchable as e:
                slow.append(f"{label} ({e})")
                tasks += [
                    delayed(_outcome_chunk)([int(r) for r in c], panel.data, Y[:, c], truth[c], label, spec)
                    for c in _chunks(n_draws, n_jobs)
                ]
                continue
            fast.append(label)
            rows += list(
                zip(
                    range(n_draws),
                    [label] * n_draws,
                    fit.estimate,
                    fit.std_error,
                    fit.conf_low,
                    fit.conf_high,
                    fit.p_value,
                    truth,
                )
            )
        if tasks:
            rows += _run(tasks, n_jobs, show, "Monte Carlo fits (fallback)")
        info["fast_path"] = fast
        if slow:
            info["fallback"] = slow
    else:
        from .simulate import simulate_city_panel

        panel = simulate_city_panel(seed=seed, scenario=scenario, **switches)
        data = panel.data
        _check_design(data, specs)
        tasks = []
        children = np.random.SeedSequence(seed).spawn(n_draws)
        for label, spec in specs.items():
            d = data.copy()
            d[spec["outcome"]] = panel.untreated(spec["outcome"], spec["treatment"]).to_numpy()
            cohorts = _permuted_cohorts(d, spec, children, label)
            tasks += [
                delayed(_assignment_chunk)([int(r) for r in c], d, cohorts[c], label, spec)
                for c in _chunks(n_draws, n_jobs)
            ]
        rows = _run(tasks, n_jobs, show, "Monte Carlo re-assignments")
        info["method"] = "per-draw library fits; untreated outcome fixed, adoption periods permuted (truth 0)"

    draws = pd.DataFrame(
        rows, columns=["draw", "estimator", "estimate", "std_error", "conf_low", "conf_high", "p_value", "truth"]
    )
    order = {k: i for i, k in enumerate(specs)}
    draws = draws.sort_values(["estimator", "draw"], key=lambda s: s.map(order) if s.name == "estimator" else s)
    draws = draws.reset_index(drop=True)[DRAW_COLUMNS]
    draws["draw"] = draws["draw"].astype(int)
    return MonteCarloResult(draws=draws, estimators=specs, info=info, title=f"Monte Carlo study ({design} design)")


def _permuted_cohorts(d: pd.DataFrame, spec: dict, children, label: str) -> np.ndarray:
    """``(R, n_rows)`` cohort of every row in each draw: unit (or cluster) adoption periods permuted."""
    _, ccol = _treatments()[spec["treatment"]]
    u_codes, _ = pd.factorize(d[UNIT], sort=True)
    cohort_row = d[ccol].fillna(0).to_numpy(dtype=float)
    n_u = u_codes.max() + 1
    unit_c = np.zeros(n_u)
    unit_c[u_codes] = cohort_row
    if spec.get("reassign", "unit") == "cluster":
        cl = spec["cluster"]
        g_codes, _ = pd.factorize(d[cl], sort=True)
        per = pd.DataFrame({"g": g_codes, "c": cohort_row}).groupby("g")["c"].nunique()
        if (per > 1).any():
            raise ValueError(
                f"estimator {label!r}: reassign='cluster' needs one adoption period per {cl!r} "
                f"cluster; {int((per > 1).sum())} cluster(s) mix adoption periods"
            )
        g_of_unit = np.zeros(n_u, dtype=int)
        g_of_unit[u_codes] = g_codes
        cl_c = np.zeros(g_codes.max() + 1)
        cl_c[g_codes] = cohort_row
        out = np.empty((len(children), len(d)))
        for j, ch in enumerate(children):
            perm = np.random.default_rng(ch).permutation(cl_c)
            out[j] = perm[g_of_unit][u_codes]
        return out
    out = np.empty((len(children), len(d)))
    for j, ch in enumerate(children):
        out[j] = np.random.default_rng(ch).permutation(unit_c)[u_codes]
    return out
