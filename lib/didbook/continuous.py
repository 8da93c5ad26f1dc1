"""Difference-in-differences with a continuous dose (Callaway, Goodman-Bacon and Sant'Anna 2024).

Treated units receive a dose ``d > 0`` (e.g. a platform's service-capability score) at their
adoption date; never-treated units have dose 0. Under (strong) parallel trends the outcome change
of units with dose ``d`` minus that of the untreated identifies ``ATT(d)``, the dose-response curve,
estimated with a B-spline in the dose; its derivative is the average causal response ``ACRT(d)``.
Engine: ``diff-diff`` ``ContinuousDiD`` via :mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import PanelDataError, check_int
from ._wrapped import WrappedResult, check_alpha, inference, inference_note, prepare_adoption

__all__ = ["continuous_did", "ContinuousResult"]


@dataclass(repr=False)
class ContinuousResult(WrappedResult):
    """Result of :func:`continuous_did`.

    Headline: the overall ATT (``ATT^o``: the average effect of the doses received, relative to no
    treatment; first row of ``tidy()``); the second row is the overall average causal response
    (``ACRT^o``, term ``"ACRT"``).

    Attributes
    ----------
    dose_response : pandas.DataFrame
        ``dose, att, att_se, att_low, att_high, acrt, acrt_se, acrt_low, acrt_high`` on the dose grid.
    """

    dose_response: pd.DataFrame = field(default_factory=pd.DataFrame)


def continuous_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    dose: str,
    *,
    degree: int = 3,
    num_knots: int = 0,
    dose_grid=None,
    alpha: float = 0.05,
) -> ContinuousResult:
    """Continuous-treatment DID: the dose-response curve ATT(d) and ACRT(d).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (balanced).
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    cohort : str
        First treated period; 0 or missing = never treated.
    dose : str
        Treatment intensity, constant within unit, ``> 0`` for treated units and 0 for never-treated.
    degree, num_knots : int
        B-spline degree and number of interior knots of the dose-response curve.
    dose_grid : array-like, optional
        Doses at which the curve is evaluated (default: the engine's grid over the observed doses).
    alpha : float
        1 - confidence level.

    Returns
    -------
    ContinuousResult
        Headline ``ATT^o``, the ``ACRT^o`` row, ``dose_response``, ``model``. Inference: the engine's
        analytic (influence-function) standard errors, units as clusters; t(G - 1) intervals.

    Raises
    ------
    PanelDataError
        As :func:`didbook.etwfe`, a dose that varies within unit, is negative, positive for a
        never-treated unit or zero for a treated one.

    Examples
    --------
    >>> import didbook, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame([(i, t) for i in range(400) for t in range(1, 5)], columns=["id", "t"])
    >>> dose = np.where(np.arange(400) < 200, rng.uniform(0.1, 1, 400), 0.0)
    >>> df["g"], df["score"] = np.where(dose > 0, 3, 0)[df["id"]], dose[df["id"]]
    >>> df["y"] = 0.1 * df["t"] + 2 * df["score"] * (df["t"] >= 3) + rng.normal(0, 0.1, len(df))
    >>> fit = didbook.continuous_did(df, "y", "id", "t", "g", "score", degree=1)
    >>> bool(abs(fit.tidy().loc[1, "estimate"] - 2.0) < 0.2)  # ACRT: the slope 2
    True
    """
    alpha = check_alpha(alpha)
    degree, num_knots = check_int("degree", degree, minimum=1), check_int("num_knots", num_knots, minimum=0)
    d, _, facts = prepare_adoption(data, outcome, unit, time, cohort, extra=[dose])
    _check_dose(data, unit, cohort, dose)
    from .adapters.diff_diff import dose_response_frame, fit_continuous, overall, overall_acrt

    grid = None if dose_grid is None else np.asarray(dose_grid, dtype=float)
    log = _WarningLog()
    with log:
        model = fit_continuous(d, dose, degree, num_knots, grid, alpha)
    df = float(facts["n_units"] - 1)
    (att, att_se), (acrt, acrt_se) = overall(model), overall_acrt(model)
    table = inference(["ATT", "ACRT"], [att, acrt], [att_se, acrt_se], df, alpha)
    curve = dose_response_frame(model)
    for k in ("att", "acrt"):
        t = inference(curve["dose"], curve[k], curve[f"{k}_se"], df, alpha)
        curve[f"{k}_low"], curve[f"{k}_high"] = t["conf_low"].to_numpy(), t["conf_high"].to_numpy()
    notes = [
        inference_note(facts["n_units"], unit, "diff-diff ContinuousDiD, analytic influence functions"),
        f"dose-response: B-spline of degree {degree} with {num_knots} interior knot(s); ATT(d) needs parallel "
        "trends, comparing doses (ACRT) needs strong parallel trends (Callaway, Goodman-Bacon and Sant'Anna 2024)",
    ]
    info = {"method": "continuous DID", "outcome": outcome, "dose": dose, "n_obs": int(len(d)),
            "units": facts["n_units"], "cohorts": facts["cohorts"], "n_clusters": facts["n_units"],
            **_engine_info(log)}  # fmt: skip
    return ContinuousResult.from_table(
        table, 0, info=info, title="Continuous-treatment DID (dose response)", notes=notes, model=model, df=df,
        alpha=alpha, dose_response=curve[["dose", "att", "att_se", "att_low", "att_high", "acrt", "acrt_se",
                                          "acrt_low", "acrt_high"]],
    )  # fmt: skip


def _check_dose(data: pd.DataFrame, unit: str, cohort: str, dose: str) -> None:
    if (data.groupby(unit)[dose].nunique() > 1).any():
        raise PanelDataError(f"dose column {dose!r} must be constant within each {unit!r}")
    treated = data[cohort].fillna(0) > 0
    if (data[dose] < 0).any():
        raise PanelDataError(f"dose column {dose!r} has negative values")
    if (data.loc[~treated, dose] != 0).any():
        raise PanelDataError(f"dose column {dose!r} must be 0 for never-treated units ({cohort} = 0 or empty)")
    if (data.loc[treated, dose] <= 0).any():
        raise PanelDataError(f"dose column {dose!r} must be > 0 for treated units ({cohort} > 0)")
