"""Stacked difference-in-differences (Cengiz et al. 2019; Wing, Freedman and Hollingsworth 2024).

For every adoption cohort, a sub-experiment: its units and the *clean* controls (units not treated
within the event window), over the event window ``[-pre, post]`` around its adoption date. The
sub-experiments are stacked and one event-study regression with sub-experiment x unit and
sub-experiment x period fixed effects is run, weighted with Wing, Freedman and Hollingsworth's
corrective weights so that the estimate targets a well-defined average of cohort ATTs (plain
stacking weights cohorts by an arbitrary mix of their treated and control sizes). Cohorts whose
window does not fit inside the panel are trimmed (listed in ``info``). Engine: ``diff-diff``
``StackedDiD`` via :mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import PanelDataError, check_int
from ._wrapped import WrappedResult, check_alpha, effects_table, inference_note, prepare_adoption

__all__ = ["stacked", "StackedResult"]

WEIGHTINGS = ("aggregate", "population", "sample_share")


@dataclass(repr=False)
class StackedResult(WrappedResult):
    """Result of :func:`stacked`.

    Headline: the average of the post-period event-time effects (``e = 0..post``; first row of
    ``tidy()``, term ``"ATT"``); then the event-time effects (reference ``-1`` without SE).
    """


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
        Covariates added to the stacked regression.
    pre, post : int
        Event window: ``pre`` periods before adoption (>= 1, the last is the reference) and ``post``
        periods after it.
    weighting : {"aggregate", "population", "sample_share"}
        Target of the corrective weights (WFH 2024, Table 1): equal weight per treated unit across
        sub-experiments (``"aggregate"``, the trimmed aggregate ATT) or the other two schemes.
    alpha : float
        1 - confidence level.

    Returns
    -------
    StackedResult
        Headline post-window average, ``event_study``, ``tidy()``, ``summary()``, ``model`` (with the
        stacked data in ``model.stacked_data``). Inference: the engine's cluster-robust (CR1) standard
        errors clustered by the original unit; t(G - 1) intervals and p-values (``notes``).

    Raises
    ------
    PanelDataError
        As :func:`didbook.etwfe`, and when no cohort's event window fits inside the panel.

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
    d, xs, facts = prepare_adoption(data, outcome, unit, time, cohort, controls)
    from .adapters.diff_diff import effects_frame, fit_stacked, overall

    log = _WarningLog()
    try:
        with log:
            model = fit_stacked(d, xs, (pre, post), weighting, alpha)
    except ValueError as e:
        raise PanelDataError(f"stacked DID failed for the window pre={pre}, post={post} (engine: {e})") from e
    df = float(facts["n_clusters"] - 1)
    est, se = overall(model)
    table, es = effects_table(("ATT", est, se), effects_frame(model.event_study_effects), df, alpha)
    trimmed = sorted(int(g) for g in (model.trimmed_groups or []))
    notes = [inference_note(facts["n_clusters"], unit, "diff-diff StackedDiD, cluster-robust CR1 by original unit")]
    if trimmed:
        notes.append(f"cohorts {trimmed} trimmed: their window [-{pre}, {post}] does not fit inside the panel")
    info = {
        "method": "stacked DID (clean controls, corrective weights)",
        "outcome": outcome,
        "n_obs": int(len(d)),
        "stacked_obs": int(model.n_stacked_obs),
        "sub_experiments": int(model.n_sub_experiments),
        "window": f"[-{pre}, {post}]",
        "weighting": weighting,
        "trimmed_cohorts": trimmed,
        "controls": list(controls) or "none",
        "cluster": unit,
        "n_clusters": facts["n_clusters"],
        **_engine_info(log),
    }
    return StackedResult.from_table(
        table, 0, info=info, title="Stacked DID", notes=notes, model=model, event_study=es, df=df, alpha=alpha
    )
