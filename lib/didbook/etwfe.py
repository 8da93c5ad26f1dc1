"""Wooldridge's extended two-way fixed effects (ETWFE, Wooldridge 2021).

One regression with a separate coefficient for every treated cohort x period cell (and, with
controls, the controls interacted with cohort and period, demeaned within cohort), so no
already-treated unit serves as a control. Without controls its simple ATT equals the
Borusyak-Jaravel-Spiess imputation estimate (both average the same cell effects estimated from the
untreated observations). Engine: ``diff-diff`` ``WooldridgeDiD`` (OLS) via
:mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._wrapped import WrappedResult, check_alpha, effects_table, inference, inference_note, prepare_adoption

__all__ = ["etwfe", "EtwfeResult"]


@dataclass(repr=False)
class EtwfeResult(WrappedResult):
    """Result of :func:`etwfe`.

    Headline (``estimate``, ``std_error``, ``conf_low``, ``conf_high``, ``p_value``): the simple ATT,
    the average of the cohort x period effects weighted by their treated observations (first row of
    ``tidy()``, term ``"ATT"``); then the event-time averages (``event_time``).

    Attributes
    ----------
    att_gt : pandas.DataFrame
        ``cohort, time, event_time, estimate, std_error, conf_low, conf_high, p_value``: the cell
        coefficients of the ETWFE regression.
    """

    att_gt: pd.DataFrame = field(default_factory=pd.DataFrame)


def etwfe(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    *,
    control: str = "notyet",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> EtwfeResult:
    """Wooldridge (2021) extended TWFE: cohort x period treatment effects in one regression.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    cohort : str
        First treated period of each unit; 0 or missing = never treated (absorbing treatment).
    controls : sequence of str
        Time-varying covariates, entered interacted with cohort and with period (demeaned within
        cohort), as Wooldridge (2021) proposes.
    control : {"notyet", "never"}
        ``"notyet"`` (default): every untreated observation identifies the counterfactual (the
        imputation estimator's comparison); ``"never"``: never-treated units only, with the
        pre-periods of the treated cohorts modelled too.
    cluster : str, optional
        Cluster column (constant within unit; default the unit).
    alpha : float
        1 - confidence level.

    Returns
    -------
    EtwfeResult
        Headline simple ATT, ``att_gt``, ``event_study``, ``tidy()``, ``summary()``, ``model``
        (the ``diff-diff`` result). Inference: the engine's cluster-robust (CR1) standard
        errors; t(G - 1) intervals and p-values (stated in ``notes``).

    Raises
    ------
    PanelDataError
        Missing columns, duplicated rows, NaNs, a non-numeric time, an invalid cohort column, no
        untreated comparison, a cluster that varies within unit.

    Examples
    --------
    >>> import didbook
    >>> mpdta = didbook.load_dataset("mpdta").data
    >>> fit = didbook.etwfe(mpdta, "lemp", "countyreal", "year", "first.treat")
    >>> round(fit.estimate, 5)  # equals the BJS imputation estimate
    -0.04771
    """
    alpha = check_alpha(alpha)
    if control not in ("notyet", "never"):
        raise ValueError(f"control must be 'notyet' or 'never', got {control!r}")
    d, xs, facts = prepare_adoption(data, outcome, unit, time, cohort, controls, cluster)
    from .adapters.diff_diff import fit_wooldridge, group_time_frame, overall, wooldridge_event

    log = _WarningLog()
    with log:
        model = fit_wooldridge(d, xs, "_cluster", alpha, control)
        events = wooldridge_event(model)
    df = float(facts["n_clusters"] - 1)
    est, se = overall(model)
    table, es = effects_table(("ATT", est, se), events, df, alpha)
    gt = group_time_frame(model)
    att_gt = inference(
        [f"ATT({g},{t})" for g, t in zip(gt["cohort"], gt["time"])], gt["estimate"], gt["std_error"], df, alpha
    )
    att_gt.insert(1, "cohort", gt["cohort"].to_numpy())
    att_gt.insert(2, "time", gt["time"].to_numpy())
    att_gt.insert(3, "event_time", att_gt["time"] - att_gt["cohort"])
    notes = [
        inference_note(facts["n_clusters"], cluster or unit, "diff-diff WooldridgeDiD, cluster-robust CR1"),
        "comparison: " + ("all untreated observations (never and not yet treated)" if control == "notyet"
                          else "never-treated units only"),
    ]  # fmt: skip
    if list(controls):
        notes.append(f"controls {list(controls)} interacted with cohort and period, demeaned within cohort")
    info = {
        "method": "Wooldridge extended TWFE",
        "outcome": outcome,
        "n_obs": int(len(d)),
        "units": facts["n_units"],
        "cohorts": facts["cohorts"],
        "controls": list(controls) or "none",
        "cluster": cluster or unit,
        "n_clusters": facts["n_clusters"],
        **_engine_info(log),
    }
    return EtwfeResult.from_table(
        table, 0, info=info, title="Wooldridge extended TWFE (ETWFE)", notes=notes, model=model,
        event_study=es, df=df, alpha=alpha, att_gt=att_gt.drop(columns="term"),
    )  # fmt: skip
