"""Local-projections difference-in-differences (Dube, Girardi, Jorda and Taylor 2023).

For each horizon ``h``, a long difference ``y_{t+h} - y_{t-1}`` regressed on the treatment switch
at ``t`` with period fixed effects, in a sample of *clean* observations: units switching at ``t``
and units not yet treated by ``t + h``. Already-treated units never serve as controls, so the
estimate is free of the negative weights of TWFE; by default it is a variance-weighted average of
cohort effects, ``reweight=True`` gives every treated unit equal weight (the Callaway-Sant'Anna
estimand). Engine: ``diff-diff`` ``LPDiD`` via :mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import PanelDataError, check_absorbing, check_int
from ._wrapped import WrappedResult, check_alpha, effects_table, inference_note, prepare_adoption

__all__ = ["lp_did", "LpDidResult"]


@dataclass(repr=False)
class LpDidResult(WrappedResult):
    """Result of :func:`lp_did`.

    Headline: the pooled post-window effect (one regression of the average of ``y_{t+h}``,
    ``h = 0..post``, minus ``y_{t-1}``; first row of ``tidy()``, term ``"ATT (pooled)"``); then one
    row per horizon (``event_time``; ``-1`` is the reference, without SE), with the observations and
    clusters each horizon's clean sample has (``n_obs``, ``n_clusters``).
    """


def lp_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    *,
    pre: int = 2,
    post: int = 2,
    reweight: bool = False,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> LpDidResult:
    """LP-DiD: per-horizon long-difference regressions on clean controls (Dube et al. 2023).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric, consecutive) period columns; any column names work.
    cohort : str
        First treated period; 0 or missing = never treated (absorbing treatment).
    controls : sequence of str
        Covariates of every horizon's regression, at their value in the switch period ``t``: added to
        the regression (``reweight=False``; the engine warns that the weights stay non-negative only
        with linear, homogeneous covariate effects) or by regression adjustment on the clean controls
        (``reweight=True``, Dube et al. 2023, section 4.1). A covariate the treatment moves in ``t`` is
        a bad control.
    pre, post : int
        Pre-treatment horizons (placebos, ``-pre..-2``; ``pre=1``: none, only the reference ``-1``)
        and post-treatment horizons (``0..post``).
    reweight : bool
        ``True``: equally weighted ATT (every treated unit counts the same); ``False`` (default):
        the variance-weighted regression estimand.
    cluster : str, optional
        Cluster column (constant within unit; default the unit).
    alpha : float
        1 - confidence level.

    Returns
    -------
    LpDidResult
        Headline pooled post effect, ``event_study``, ``tidy()``, ``summary()``, ``model``. Inference:
        the engine's cluster-robust standard errors; t(G - 1) intervals and p-values with G the
        clusters of the whole panel (``notes``; each horizon's clean sample may have fewer).

    Raises
    ------
    PanelDataError
        As :func:`didbook.etwfe`.

    Examples
    --------
    >>> import didbook
    >>> mpdta = didbook.load_dataset("mpdta").data
    >>> fit = didbook.lp_did(mpdta, "lemp", "countyreal", "year", "first.treat", pre=2, post=2)
    >>> fit.tidy()["event_time"].dropna().astype(int).tolist()
    [-2, -1, 0, 1, 2]
    """
    alpha = check_alpha(alpha)
    pre, post = check_int("pre", pre, minimum=1), check_int("post", post, minimum=0)
    d, xs, facts = prepare_adoption(data, outcome, unit, time, cohort, controls, cluster)
    check_absorbing(d, "_unit", "_time", "_d")
    from .adapters.diff_diff import fit_lpdid, lpdid_frames

    log = _WarningLog()
    # The engine also estimates a pooled pre window (-pre..-2), empty when pre = 1; that fit runs with a
    # two-year pre window, whose h = -2 placebo is dropped (no estimate depends on the pre window).
    try:
        with log:
            model = fit_lpdid(d, xs, (max(pre, 2), post), "_cluster", alpha, reweight=reweight)
    except ValueError as e:
        if pre == 1 and "pre horizons" in str(e):
            raise PanelDataError(
                f"lp_did with pre=1 needs a placebo horizon -2 for the engine's pooled pre window ({e}); "
                "no cohort has two untreated years before adoption"
            ) from e
        raise
    events, pooled = lpdid_frames(model)
    events = events.loc[events["event_time"] >= -pre].reset_index(drop=True)
    df = float(facts["n_clusters"] - 1)
    table, es = effects_table(("ATT (pooled)", pooled["estimate"], pooled["std_error"]), events, df, alpha)
    notes = [
        inference_note(facts["n_clusters"], cluster or unit, "diff-diff LPDiD, cluster-robust"),
        "clean controls: units not yet treated at t + h; "
        + ("equally weighted ATT (reweight=True)" if reweight else "variance-weighted estimand (reweight=False)"),
    ]
    info = {
        "method": "LP-DiD",
        "outcome": outcome,
        "n_obs": int(len(d)),
        "units": facts["n_units"],
        "cohorts": facts["cohorts"],
        "window": f"[-{pre}, {post}]",
        "controls": list(controls) or "none",
        "cluster": cluster or unit,
        "n_clusters": facts["n_clusters"],
        **_engine_info(log),
    }
    return LpDidResult.from_table(
        table, 0, info=info, title="Local-projections DID", notes=notes, model=model, event_study=es, df=df, alpha=alpha
    )
