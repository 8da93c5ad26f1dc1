"""Synthetic difference-in-differences and synthetic control, for one or a few treated units.

* :func:`synthetic_did` -- Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021): unit weights
  that make the donors' pre-period path parallel to the treated units', time weights that make the
  pre-periods resemble the post-periods, then a weighted DID. Inference: placebo variance
  (their Algorithm 4; the valid choice with one treated unit), bootstrap or jackknife.
* :func:`synthetic_control` -- Abadie, Diamond and Hainmueller (2010): non-negative donor weights
  summing to one that reproduce the treated unit's pre-period outcomes (every pre-period outcome
  with equal importance, the outcome-only version of Arkhangelsky et al.'s Table 1); inference by
  in-space placebos (the rank of the treated unit's post/pre RMSPE ratio among all units').

Both need a block design: every treated unit starts treatment in the same period and stays
treated. Engine: ``diff-diff`` ``SyntheticDiD`` / ``SyntheticControl`` via
:mod:`didbook.adapters.diff_diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._validation import PanelDataError, check_absorbing, check_binary, check_int, check_panel, plain
from ._wrapped import SAFE, WrappedResult, check_alpha, inference

__all__ = ["synthetic_did", "synthetic_control", "SyntheticResult"]

VARIANCES = ("placebo", "bootstrap", "jackknife")


@dataclass(repr=False)
class SyntheticResult(WrappedResult):
    """Result of :func:`synthetic_did` and :func:`synthetic_control`.

    Headline: the ATT, the average post-period effect on the treated unit(s) (one row, term
    ``"ATT"``). For :func:`synthetic_control` ``std_error`` and the interval are NaN and
    ``p_value`` is the in-space placebo p-value.

    Attributes
    ----------
    weights : pandas.Series
        Donor weights indexed by the user's unit labels (largest first; zero weights kept).
    """

    weights: pd.Series = field(default_factory=pd.Series)


def _block(data, outcome, unit, time, treatment) -> tuple[pd.DataFrame, dict]:
    """Validate a block design; the engine frame (``_unit`` = user labels as codes) and facts."""
    check_panel(data, unit, time, [outcome, treatment], ordered_time=True)
    if not pd.api.types.is_numeric_dtype(data[outcome]):
        raise PanelDataError(f"column {outcome!r} must be numeric, got dtype {data[outcome].dtype}")
    check_binary(data, treatment)
    check_absorbing(data, unit, time, treatment)
    n_per = data.groupby(unit)[time].nunique()
    if (n_per < data[time].nunique()).any():
        raise PanelDataError(
            f"the panel must be balanced: {int((n_per < data[time].nunique()).sum())} unit(s) of {unit!r} miss some "
            f"{time!r} periods (e.g. {unit}={plain(n_per.index[n_per < data[time].nunique()][0])})"
        )
    first = data.loc[data[treatment] == 1].groupby(unit)[time].min()
    if first.empty:
        raise PanelDataError(f"no treated unit: {treatment!r} is 0 everywhere")
    if first.nunique() > 1:
        raise PanelDataError(
            f"treated units start in different periods ({sorted(plain(first.unique()))[:5]}): synthetic methods "
            "need one treatment date; use didbook.staggered for staggered adoption or estimate each date separately"
        )
    labels = np.sort(data[unit].unique())
    d = pd.DataFrame({SAFE["unit"]: pd.Index(labels).get_indexer(data[unit]) + 1, SAFE["time"]: data[time].to_numpy(),
                      SAFE["outcome"]: data[outcome].to_numpy(float), SAFE["treatment"]: data[treatment].astype(int).to_numpy()})  # fmt: skip
    d["_ever"] = d[SAFE["unit"]].isin(d.loc[d[SAFE["treatment"]] == 1, SAFE["unit"]]).astype(int)
    start = plain(first.iloc[0])
    periods = sorted(data[time].unique())
    facts = {
        "labels": labels, "start": start, "treated_units": [plain(u) for u in first.index],
        "post": [p for p in periods if p >= start], "pre": [p for p in periods if p < start],
        "n_units": len(labels),
    }  # fmt: skip
    if len(facts["pre"]) < 2:
        raise PanelDataError(f"treatment starts at {time}={start}: synthetic weights need at least two pre-periods")
    return d.sort_values([SAFE["unit"], SAFE["time"]]).reset_index(drop=True), facts


def _relabel(weights: pd.Series, labels) -> pd.Series:
    codes = np.asarray(weights.index, dtype=int)
    return pd.Series(weights.to_numpy(), index=pd.Index(labels[codes - 1]), name="weight")


def synthetic_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    variance: str = "placebo",
    n_draws: int = 200,
    seed: int | None = None,
    alpha: float = 0.05,
) -> SyntheticResult:
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021).

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    treatment : str
        0/1 treatment, absorbing, switched on in the same period for every treated unit.
    variance : {"placebo", "bootstrap", "jackknife"}
        ``"placebo"`` (default; valid with a single treated unit): re-assign treatment to donors;
        ``"bootstrap"``/``"jackknife"`` need several treated units.
    n_draws : int
        Placebo or bootstrap draws.
    seed : int, optional
        Seed of the draws.
    alpha : float
        1 - confidence level.

    Returns
    -------
    SyntheticResult
        Headline ATT with its standard error, ``weights`` (donor weights by unit), ``model``.
        Intervals and p-values use the normal distribution, as the synthdid package (stated in
        ``notes``).

    Raises
    ------
    PanelDataError
        Unbalanced panel, a treatment that is not 0/1, switches off, starts at different dates or
        leaves fewer than two pre-periods.

    Examples
    --------
    >>> import didbook, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame([(i, t) for i in range(20) for t in range(10)], columns=["province", "year"])
    >>> df["on"] = ((df["province"] == 0) & (df["year"] >= 7)).astype(int)
    >>> df["y"] = rng.normal(size=20)[df["province"]] + 0.2 * df["year"] - 1.0 * df["on"] + rng.normal(0, .1, 200)
    >>> fit = didbook.synthetic_did(df, "y", "province", "year", "on", seed=1)
    >>> bool(abs(fit.estimate + 1.0) < 0.3)
    True
    """
    alpha = check_alpha(alpha)
    if variance not in VARIANCES:
        raise ValueError(f"variance must be one of {VARIANCES}, got {variance!r}")
    n_draws = check_int("n_draws", n_draws, minimum=2)
    d, facts = _block(data, outcome, unit, time, treatment)
    if variance != "placebo" and len(facts["treated_units"]) < 2:
        raise ValueError(f"variance={variance!r} needs at least two treated units; use 'placebo' with one")
    from .adapters.diff_diff import fit_synthetic_did, overall, synthetic_weights

    log = _WarningLog()
    with log:
        model = fit_synthetic_did(d.assign(_d=d["_ever"]), facts["post"], variance, n_draws, seed, alpha)
    est, se = overall(model)
    table = inference(["ATT"], [est], [se], None, alpha)
    notes = [
        f"standard error: {variance} variance ({n_draws} draws; Arkhangelsky et al. 2021, Algorithms 2-4); "
        "intervals and p-values: normal distribution, as the synthdid package",
        f"treated: {facts['treated_units'][:5]} from {time}={facts['start']}; {len(facts['pre'])} pre-periods",
    ]
    info = {"method": "synthetic DID", "outcome": outcome, "n_obs": int(len(d)), "units": facts["n_units"],
            "treated_units": len(facts["treated_units"]), "variance": variance, "seed": seed, **_engine_info(log)}  # fmt: skip
    return SyntheticResult.from_table(
        table, 0, info=info, title="Synthetic difference-in-differences", notes=notes, model=model, alpha=alpha,
        weights=_relabel(synthetic_weights(model), facts["labels"]),
    )  # fmt: skip


def synthetic_control(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    placebos: bool = True,
    seed: int | None = None,
    alpha: float = 0.05,
) -> SyntheticResult:
    """Synthetic control (Abadie, Diamond and Hainmueller 2010) for one treated unit, outcome-only weights.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    outcome, unit, time : str
        Outcome, unit and (numeric) period columns; any column names work.
    treatment : str
        0/1 treatment, absorbing, on for exactly one unit from some period on.
    placebos : bool
        Run the in-space placebos (every donor treated in turn) for the p-value (default).
    seed : int, optional
        Seed of the engine's optimizer starts.
    alpha : float
        Recorded for the vocabulary; synthetic control has no standard error or interval here.

    Returns
    -------
    SyntheticResult
        Headline ATT (average post-period gap), ``std_error``/intervals NaN, ``p_value`` the share of
        units whose post/pre RMSPE ratio is at least the treated unit's (Abadie et al. 2010);
        ``weights``, ``model``.

    Raises
    ------
    PanelDataError
        As :func:`synthetic_did`, and more than one treated unit.

    Examples
    --------
    >>> import didbook, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame([(i, t) for i in range(20) for t in range(10)], columns=["province", "year"])
    >>> df["on"] = ((df["province"] == 0) & (df["year"] >= 7)).astype(int)
    >>> df["y"] = rng.normal(size=20)[df["province"]] + 0.2 * df["year"] - 1.0 * df["on"] + rng.normal(0, .1, 200)
    >>> fit = didbook.synthetic_control(df, "y", "province", "year", "on")
    >>> round(float(fit.weights.sum()), 6)
    1.0
    """
    alpha = check_alpha(alpha)
    d, facts = _block(data, outcome, unit, time, treatment)
    if len(facts["treated_units"]) != 1:
        raise PanelDataError(
            f"synthetic_control takes one treated unit; {treatment!r} treats {len(facts['treated_units'])} "
            f"(e.g. {facts['treated_units'][:3]}): use didbook.synthetic_did for several"
        )
    from .adapters.diff_diff import fit_synthetic_control, synthetic_placebo_p, synthetic_weights

    log = _WarningLog()
    with log:
        model = fit_synthetic_control(d, facts["post"], facts["pre"], seed, alpha)
        p = synthetic_placebo_p(model) if placebos else np.nan
    table = pd.DataFrame([{"term": "ATT", "estimate": float(model.att), "std_error": np.nan, "conf_low": np.nan,
                           "conf_high": np.nan, "p_value": p}])  # fmt: skip
    notes = [
        "no standard error: p_value is the in-space placebo p-value (rank of the treated unit's post/pre RMSPE "
        f"ratio among {facts['n_units']} units; Abadie et al. 2010), smallest possible 1/{facts['n_units']}"
        if placebos else "no standard error and no p-value (placebos=False)",
        f"donor weights fit on every pre-period outcome ({len(facts['pre'])}) with equal importance",
    ]  # fmt: skip
    info = {"method": "synthetic control", "outcome": outcome, "n_obs": int(len(d)), "units": facts["n_units"],
            "treated_unit": facts["treated_units"][0], "start": facts["start"], **_engine_info(log)}  # fmt: skip
    return SyntheticResult.from_table(
        table, 0, info=info, title="Synthetic control", notes=notes, model=model, alpha=alpha,
        weights=_relabel(synthetic_weights(model), facts["labels"]),
    )  # fmt: skip
