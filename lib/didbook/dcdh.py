"""de Chaisemartin and D'Haultfoeuille: DID for treatments that switch on and off, and the TWFE weights.

* :func:`dcdh` -- ``DID_M`` (de Chaisemartin and D'Haultfoeuille 2020): the average, over periods,
  of the outcome change of the units whose treatment switches (on: joiners; off: leavers) against
  units with the same treatment in both periods; with ``horizons`` the dynamic ``DID_l`` of their
  2024 paper (effect ``l`` periods after the first switch) and placebos.
* :func:`twfe_weights` -- the diagnostic of their Theorem 1: the static TWFE coefficient is a
  weighted sum of the treated cells' effects, ``w_gt`` proportional to the residual of the
  treatment on unit and period fixed effects; negative weights mean TWFE can have the wrong sign
  even when every effect is positive.

Unlike :func:`didbook.staggered`, treatment need not be absorbing. Engine: ``diff-diff``
``ChaisemartinDHaultfoeuille`` / ``twowayfeweights`` via :mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._results import Measure
from ._validation import check_int
from ._wrapped import WrappedResult, check_alpha, effects_table, inference, inference_note, prepare_switching

__all__ = ["dcdh", "DcdhResult", "twfe_weights", "TwfeWeights"]


@dataclass(repr=False)
class DcdhResult(WrappedResult):
    """Result of :func:`dcdh`.

    Headline: ``DID_M`` (``horizons=None``), or with ``horizons`` the engine's overall summary of
    the dynamic effects (``info["estimand"]`` says which); first row of ``tidy()``. Then the
    event-time rows: ``DID_l`` at ``event_time = l >= 1`` and placebos at negative event times.

    Attributes
    ----------
    joiners, leavers : pandas.DataFrame
        One-row tables (``tidy()`` schema) of the effect of switching on and of switching off
        (``DID_+``, ``DID_-``); empty where there are no such switchers.
    """

    joiners: pd.DataFrame = field(default_factory=pd.DataFrame)
    leavers: pd.DataFrame = field(default_factory=pd.DataFrame)


def _split(split, name, df, alpha) -> pd.DataFrame:
    if split[name] is None:
        return inference([], [], [], df, alpha)
    return inference([f"DID_{'+' if name == 'joiners' else '-'}"], [split[name][0]], [split[name][1]], df, alpha)


def dcdh(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    horizons: int | None = None,
    alpha: float = 0.05,
) -> DcdhResult:
    """de Chaisemartin-D'Haultfoeuille DID for a 0/1 treatment that may switch on and off.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    treatment : str
        0/1 treatment; it may switch off (a pilot that is withdrawn) and on again.
    horizons : int, optional
        ``None``: ``DID_M``, the contemporaneous effect of switching. ``L >= 1``: the dynamic effects
        ``DID_1..DID_L`` (and placebos), the units' first switch as the event.
    alpha : float
        1 - confidence level.

    Returns
    -------
    DcdhResult
        Headline ``DID_M`` (or the dynamic summary), ``event_study``, ``joiners``, ``leavers``,
        ``tidy()``, ``summary()``, ``model``. Inference: the engine's analytic (influence-function)
        standard errors clustered by unit (the engine's only option); t(G - 1) intervals and p-values (``notes``).
        A switch whose comparison group is empty (e.g. leavers when no unit stays treated) is zeroed by the
        estimator, as in the paper; ``model.to_dataframe("per_period")`` shows which.

    Raises
    ------
    PanelDataError
        Missing columns, duplicates, NaNs, a non-numeric time, a treatment that is not 0/1 or never
        changes.

    Examples
    --------
    >>> import didbook, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame([(i, t) for i in range(200) for t in range(6)], columns=["id", "t"])
    >>> pilot = (df["id"] % 3 == 0) & df["t"].between(2, 3)  # switched on in 2, withdrawn in 4
    >>> df["pilot"] = (pilot | ((df["id"] % 3 == 1) & (df["t"] >= 2))).astype(int)  # others stay on
    >>> df["y"] = 0.1 * df["t"] + 1.0 * df["pilot"] + rng.normal(0, 0.1, len(df))
    >>> fit = didbook.dcdh(df, "y", "id", "t", "pilot")
    >>> bool(abs(fit.estimate - 1.0) < 0.1)
    True
    """
    alpha = check_alpha(alpha)
    if horizons is not None:
        horizons = check_int("horizons", horizons, minimum=1)
    d, facts = prepare_switching(data, outcome, unit, time, treatment)
    from .adapters.diff_diff import dcdh_frames, fit_dcdh, overall

    log = _WarningLog()
    with log:
        model = fit_dcdh(d, horizons, alpha)
    df = float(facts["n_clusters"] - 1)
    est, se = overall(model)
    events, split = dcdh_frames(model)
    label = "DID_M" if horizons is None else f"delta (average of DID_1..DID_{horizons})"
    table, es = effects_table((label.split(" ")[0], est, se), events, df, alpha)
    notes = [inference_note(facts["n_clusters"], unit, "diff-diff ChaisemartinDHaultfoeuille, analytic")]
    if facts["n_switch_off"]:
        notes.append(
            f"treatment {treatment!r} switches off for {facts['n_switch_off']} unit(s): allowed here (leavers are "
            "compared with units treated in both periods); the staggered-adoption estimators refuse such panels. "
            "For units that switch more than once the engine's analytic variance is not exact (it warns); in the "
            "library's Monte Carlo check (tests/lib/test_dcdh.py) it was conservative"
        )
    info = {
        "method": "de Chaisemartin-D'Haultfoeuille",
        "estimand": label,
        "outcome": outcome,
        "n_obs": int(len(d)),
        "units": facts["n_units"],
        "units_switching_off": facts["n_switch_off"],
        "cluster": unit,
        "n_clusters": facts["n_clusters"],
        **_engine_info(log),
    }
    return DcdhResult.from_table(
        table, 0, info=info, title=f"de Chaisemartin-D'Haultfoeuille {label}", notes=notes, model=model,
        event_study=es, df=df, alpha=alpha, joiners=_split(split, "joiners", df, alpha),
        leavers=_split(split, "leavers", df, alpha),
    )  # fmt: skip


@dataclass(repr=False)
class TwfeWeights(Measure):
    """Result of :func:`twfe_weights`: a descriptive diagnostic (no sampling inference).

    ``tidy()``/``table``: one row per treated (unit, period) cell with the user's column names and
    ``weight`` (summing to 1 over treated cells).

    Attributes
    ----------
    estimate : float
        The static TWFE coefficient (``beta_fe``) the weights decompose.
    share_negative : float
        Share of treated cells with a negative weight (below -1e-12: rounding noise on a weight that is
        zero in exact arithmetic does not count).
    sum_negative : float
        Sum of the negative weights.
    sigma_fe : float
        de Chaisemartin-D'Haultfoeuille's ``sigma_fe``: the smallest standard deviation of the
        cell effects under which TWFE could have the opposite sign of every effect.
    """

    estimate: float = np.nan
    share_negative: float = np.nan
    sum_negative: float = np.nan
    sigma_fe: float = np.nan


def twfe_weights(data: pd.DataFrame, outcome: str, unit: str, time: str, treatment: str) -> TwfeWeights:
    """de Chaisemartin-D'Haultfoeuille (2020) weights behind the static TWFE coefficient.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns.
    treatment : str
        0/1 treatment (absorbing or switching).

    Returns
    -------
    TwfeWeights
        ``estimate`` (TWFE coefficient), ``share_negative``, ``sum_negative``, ``sigma_fe`` and the
        per-cell weights in ``tidy()``.

    Raises
    ------
    PanelDataError
        As :func:`dcdh`.

    Examples
    --------
    >>> import didbook
    >>> import pandas as pd
    >>> df = pd.DataFrame([(i, t) for i in range(3) for t in range(4)], columns=["id", "t"])
    >>> df["d"] = (df["t"] >= df["id"].map({0: 1, 1: 3, 2: 9})).astype(int)  # adopt in 1, in 3, never
    >>> df["y"] = 1.0 * df["d"]
    >>> w = didbook.twfe_weights(df, "y", "id", "t", "d")
    >>> w.tidy().round(3).to_dict("list")  # the early adopter's last cell gets a negative weight
    {'id': [0, 0, 0, 1], 't': [1, 2, 3, 3], 'weight': [0.3, 0.3, -0.1, 0.5]}
    >>> w.share_negative, round(w.sum_negative, 3)
    (0.25, -0.1)
    """
    d, facts = prepare_switching(data, outcome, unit, time, treatment)
    from .adapters.diff_diff import twfe_weights as engine_weights

    log = _WarningLog()
    with log:
        w, nums = engine_weights(d)
    units = pd.Series(np.sort(data[unit].unique()))  # codes are factorize(sort=True) + 1
    treated = d.loc[d["_d"] == 1, ["_unit", "_time"]]
    w = treated.merge(w, on=["_unit", "_time"], how="left")
    table = pd.DataFrame({unit: units.to_numpy()[w["_unit"].to_numpy() - 1], time: w["_time"].to_numpy(),
                          "weight": w["weight"].to_numpy(float)})  # fmt: skip
    neg = table["weight"] < -1e-12  # weights that are zero in exact arithmetic stay zero
    info = {"outcome": outcome, "treated_cells": int(len(table)), "units": facts["n_units"], **_engine_info(log)}
    notes = [
        f"{int(neg.sum())} of {len(table)} treated cells get a negative weight (sum {table['weight'][neg].sum():.4f}): "
        "TWFE averages their effects with these weights, so heterogeneous effects can bias it, even reverse its sign"
    ]
    return TwfeWeights(
        table=table, info=info, title="TWFE weights (de Chaisemartin-D'Haultfoeuille 2020)", notes=notes,
        estimate=nums["beta_fe"], share_negative=float(neg.mean()), sum_negative=float(table["weight"][neg].sum()),
        sigma_fe=nums["sigma_fe"],
    )  # fmt: skip
