"""Gardner's two-stage difference-in-differences (did2s, Gardner 2021).

Stage 1 estimates unit and period fixed effects (and controls) on the untreated observations only;
stage 2 regresses the residualized outcome on treatment indicators. The point estimates equal the
Borusyak-Jaravel-Spiess imputation estimates; the standard errors are Gardner's GMM sandwich,
which accounts for stage 1 (Butts and Gardner 2022), clustered. Engine: ``diff-diff``
``TwoStageDiD`` via :mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import check_int
from ._wrapped import WrappedResult, check_alpha, effects_table, inference_note, prepare_adoption

__all__ = ["two_stage", "TwoStageResult"]


@dataclass(repr=False)
class TwoStageResult(WrappedResult):
    """Result of :func:`two_stage`.

    Headline: the overall ATT (every treated observation equally weighted; first row of ``tidy()``,
    term ``"ATT"``); then the event-time effects (``event_time``; the reference -1 has no SE).
    """


def two_stage(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    *,
    cluster: str | None = None,
    horizon_max: int | None = None,
    alpha: float = 0.05,
) -> TwoStageResult:
    """Gardner (2021) two-stage DID: imputation point estimates with GMM standard errors.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    cohort : str
        First treated period; 0 or missing = never treated (absorbing treatment).
    controls : sequence of str
        Time-varying covariates, estimated in stage 1 on the untreated observations.
    cluster : str, optional
        Cluster column (constant within unit; default the unit).
    horizon_max : int, optional
        Largest event time reported (default: all).
    alpha : float
        1 - confidence level.

    Returns
    -------
    TwoStageResult
        Headline overall ATT, ``event_study``, ``tidy()``, ``summary()``, ``model``. Inference:
        the engine's GMM (stage-1 corrected) standard errors clustered at ``cluster``; t(G - 1)
        intervals and p-values (stated in ``notes``).

    Raises
    ------
    PanelDataError
        As :func:`didbook.etwfe`.

    Examples
    --------
    >>> import didbook
    >>> mpdta = didbook.load_dataset("mpdta").data
    >>> fit = didbook.two_stage(mpdta, "lemp", "countyreal", "year", "first.treat")
    >>> round(fit.estimate, 5)  # the imputation estimate
    -0.04771
    """
    alpha = check_alpha(alpha)
    if horizon_max is not None:
        horizon_max = check_int("horizon_max", horizon_max, minimum=0)
    d, xs, facts = prepare_adoption(data, outcome, unit, time, cohort, controls, cluster)
    from .adapters.diff_diff import effects_frame, fit_two_stage, overall

    log = _WarningLog()
    with log:
        model = fit_two_stage(d, xs, "_cluster", alpha, horizon_max)
    df = float(facts["n_clusters"] - 1)
    est, se = overall(model)
    table, es = effects_table(("ATT", est, se), effects_frame(model.event_study_effects), df, alpha)
    notes = [
        inference_note(facts["n_clusters"], cluster or unit, "diff-diff TwoStageDiD, GMM sandwich (stage 1 accounted for)"),
        "point estimates equal Borusyak-Jaravel-Spiess imputation; stage 1 uses every untreated observation",
    ]  # fmt: skip
    info = {
        "method": "Gardner two-stage DID",
        "outcome": outcome,
        "n_obs": int(len(d)),
        "units": facts["n_units"],
        "cohorts": facts["cohorts"],
        "controls": list(controls) or "none",
        "cluster": cluster or unit,
        "n_clusters": facts["n_clusters"],
        **_engine_info(log),
    }
    return TwoStageResult.from_table(
        table, 0, info=info, title="Gardner two-stage DID", notes=notes, model=model, event_study=es, df=df, alpha=alpha
    )
