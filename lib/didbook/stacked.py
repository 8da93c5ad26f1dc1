"""Stacked difference-in-differences (Cengiz et al. 2019; Wing, Freedman and Hollingsworth 2024).

For every adoption cohort, a sub-experiment: its units and the *clean* controls (units not treated
within the event window), over the event window ``[-pre, post]`` around its adoption date. The
sub-experiments are stacked and one event-study regression is run,

    y ~ sum_{e != -1} treated x 1[event time = e] + controls | sub-experiment x unit + sub-experiment x period,

weighted with Wing, Freedman and Hollingsworth's corrective weights so that the estimate targets a
well-defined average of cohort ATTs (plain stacking weights cohorts by an arbitrary mix of their
treated and control sizes). Cohorts whose window does not fit inside the panel are trimmed (listed
in ``info``). Engines: ``diff-diff`` ``StackedDiD`` builds the sub-experiments, the trimming and the
weights (:mod:`didbook.adapters.diff_diff`); the weighted regression is fitted with pyfixest
(:mod:`didbook.adapters.pyfixest`), because diff-diff's own regression takes covariates only for
entropy balancing and clusters only by unit. Without controls, on a balanced panel, the event-time
estimates equal diff-diff's (the corrective weights give every sub-experiment the same weighted
treated share, so sub-experiment x period effects change nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import PanelDataError, as_list, check_int
from ._wrapped import WrappedResult, check_alpha, effects_table, inference_note, prepare_adoption

__all__ = ["stacked", "StackedResult"]

WEIGHTINGS = ("aggregate", "population", "sample_share")
POP = "_population"  # the population column in the engine frame


def _check_population(data: pd.DataFrame, unit: str, weighting: str, population: str | None) -> list[str]:
    """``population`` is needed with ``weighting="population"`` and refused otherwise; per unit, positive."""
    if weighting != "population":
        if population is not None:
            raise ValueError(f"population={population!r} is used only with weighting='population' (got {weighting!r})")
        return []
    if population is None:
        raise ValueError("weighting='population' needs population=: the column with each unit's population")
    if population not in data.columns:
        raise KeyError(f"population column {population!r} not in the data")
    values = pd.to_numeric(data[population], errors="coerce")
    bad = data.index[~(values > 0)]
    if len(bad):
        who, value = (data[c].loc[bad[:1]].tolist()[0] for c in (unit, population))  # Python scalars
        raise PanelDataError(
            f"population column {population!r} must be a positive number in every row ({unit} {who!r} has {value!r})"
        )
    varying = values.groupby(data[unit]).nunique()
    if (varying > 1).any():
        first = varying.index[varying > 1].tolist()[0]
        raise PanelDataError(
            f"population column {population!r} must be constant within {unit} ({unit} {first!r} has several values)"
        )
    return [population]


@dataclass(repr=False)
class StackedResult(WrappedResult):
    """Result of :func:`stacked`.

    Headline: the average of the post-period event-time effects (``e = 0..post``; first row of
    ``tidy()``, term ``"ATT"``); then the event-time effects (reference ``-1`` without SE).
    ``model`` is diff-diff's ``StackedDiD`` result (the stacked data in ``model.stacked_data``);
    ``regression`` the pyfixest fit of the stacked regression.
    """

    regression: Any = None


def _term(e: int) -> str:
    return f"te_m{-e}" if e < 0 else f"te_{e}"


def _stacked_regression(st: pd.DataFrame, xs: list[str], events: list[int], controls: list[str]):
    """Weighted stacked event-study regression (pyfixest through the adapter), clustered by ``_cluster``."""
    from .adapters import pyfixest as pfx

    reg = pd.DataFrame(
        {
            "y": st["_y"].to_numpy(float),
            "w": st["weight"].to_numpy(float),
            "cl": st["_cluster"].to_numpy(),
            "sub_unit": st.groupby(["sub_experiment", "_unit"]).ngroup().to_numpy(),
            "sub_time": st.groupby(["sub_experiment", "_time"]).ngroup().to_numpy(),
        }
    )
    for e in events:
        reg[_term(e)] = ((st["event_time"] == e) & (st["treated"] == 1)).to_numpy(float)
    names = {x: f"x{i}" for i, x in enumerate(xs)}
    for x, n in names.items():
        reg[n] = st[x].to_numpy(float)
    rhs = " + ".join([*(_term(e) for e in events), *names.values()])
    model = pfx.feols(f"y ~ {rhs} | sub_unit + sub_time", reg, vcov={"CRV1": "cl"}, weights="w")
    dropped = set(pfx.collinear_vars(model))
    bad = [c for x, c in zip(xs, controls) if names[x] in dropped]
    if bad:
        raise PanelDataError(
            f"controls {bad} are collinear with the sub-experiment x unit and sub-experiment x period fixed "
            "effects (constant within unit or within period) in the stacked data; drop them"
        )
    if dropped & {_term(e) for e in events}:
        raise PanelDataError(f"event-time effects {sorted(dropped)} are not identified in the stacked data")
    return model


def stacked(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    *,
    pre: int = 1,
    post: int = 1,
    weighting: str = "aggregate",
    population: str | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> StackedResult:
    """Stacked DID with clean controls and corrective weights (Wing, Freedman and Hollingsworth 2024).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    cohort : str
        First treated period; 0 or missing = never treated (absorbing treatment).
    controls : sequence of str
        Time-varying covariates added to the stacked regression with one common slope (their value in
        each period; a covariate the treatment moves is a bad control). Covariates constant within unit
        are absorbed by the sub-experiment x unit effects and raise an error.
    pre, post : int
        Event window: ``pre`` periods before adoption (>= 1, the last is the reference) and ``post``
        periods after it.
    weighting : {"aggregate", "population", "sample_share"}
        Target of the corrective weights (WFH 2024, Table 1): equal weight per treated unit across
        sub-experiments (``"aggregate"``, the trimmed aggregate ATT) or the other two schemes.
    population : str, optional
        With ``weighting="population"`` (and only then): each unit's population, constant within unit and
        positive; a sub-experiment weighs by its treated units' total population.
    cluster : str, optional
        Cluster column (constant within unit; default the unit). Every copy of a unit in the stack
        falls in the unit's cluster.
    alpha : float
        1 - confidence level.

    Returns
    -------
    StackedResult
        Headline post-window average, ``event_study``, ``tidy()``, ``summary()``, ``model`` (diff-diff's
        result, with the stacked data in ``model.stacked_data``), ``regression`` (the pyfixest fit).
        Inference: cluster-robust (CR1, fixest's small-sample factor) standard errors by ``cluster``;
        t(G - 1) intervals and p-values, G the clusters in the stacked data (``notes``).

    Raises
    ------
    PanelDataError
        As :func:`didbook.etwfe`; when no cohort's event window fits inside the panel; when a control is
        collinear with the fixed effects.

    Examples
    --------
    >>> import didbook
    >>> mpdta = didbook.load_dataset("mpdta").data
    >>> fit = didbook.stacked(mpdta, "lemp", "countyreal", "year", "first.treat", pre=1, post=2)
    >>> fit.info["trimmed_cohorts"]  # 2006 and 2007 have no two post years in 2003-2007
    [2006, 2007]
    """
    alpha = check_alpha(alpha)
    pre, post = check_int("pre", pre, minimum=1), check_int("post", post, minimum=0)
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    controls = as_list(controls)
    extra = _check_population(data, unit, weighting, population)
    d, xs, facts = prepare_adoption(data, outcome, unit, time, cohort, controls, cluster, extra=extra)
    if population is not None:
        d[POP] = d.pop(population)
    from .adapters import pyfixest as pfx
    from .adapters.diff_diff import fit_stacked, stacked_frame

    log = _WarningLog()
    try:
        with log:
            model = fit_stacked(d, (pre, post), weighting, alpha, population=POP if population else None)
    except ValueError as e:
        raise PanelDataError(f"stacked DID failed for the window pre={pre}, post={post} (engine: {e})") from e
    st = stacked_frame(model)
    events = [e for e in range(-pre, post + 1) if e != -1]
    with log:
        reg = _stacked_regression(st, xs, events, controls)
    coefs = pd.Series(pfx.coefficients(reg), index=pfx.coef_names(reg))
    vcov = pfx.vcov_matrix(reg)
    terms = [_term(e) for e in events]
    post_terms = [_term(e) for e in range(0, post + 1)]
    a = np.full(len(post_terms), 1 / len(post_terms))
    est = float(a @ coefs[post_terms].to_numpy())
    se = float(np.sqrt(a @ vcov.loc[post_terms, post_terms].to_numpy() @ a))
    events_frame = pd.DataFrame(
        {
            "event_time": [*events, -1],
            "estimate": [*coefs[terms].to_numpy(float), 0.0],
            "std_error": [*np.sqrt(np.diag(vcov.loc[terms, terms].to_numpy())), np.nan],
        }
    ).sort_values("event_time")
    n_clusters = int(pfx.n_clusters(reg))
    df = float(n_clusters - 1)
    table, es = effects_table(("ATT", est, se), events_frame.reset_index(drop=True), df, alpha)
    trimmed = sorted(int(g) for g in (model.trimmed_groups or []))
    cl_name = cluster or unit
    notes = [
        inference_note(n_clusters, cl_name, "stacked WLS (pyfixest, diff-diff's stack and weights), cluster-robust CR1")
    ]
    if trimmed:
        notes.append(f"cohorts {trimmed} trimmed: their window [-{pre}, {post}] does not fit inside the panel")
    info = {
        "method": "stacked DID (clean controls, corrective weights)",
        "outcome": outcome,
        "n_obs": int(len(d)),
        "stacked_obs": int(len(st)),
        "sub_experiments": int(st["sub_experiment"].nunique()),
        "window": f"[-{pre}, {post}]",
        "weighting": weighting,
        **({"population": population} if population else {}),
        "trimmed_cohorts": trimmed,
        "controls": list(controls) or "none",
        "cluster": cl_name,
        "n_clusters": n_clusters,
        **_engine_info(log),
    }
    return StackedResult.from_table(
        table,
        0,
        info=info,
        title="Stacked DID",
        notes=notes,
        model=model,
        event_study=es,
        df=df,
        alpha=alpha,
        regression=reg,
    )
