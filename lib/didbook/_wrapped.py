"""Shared front end of the estimators wrapped from ``diff-diff`` (issue 22: beyond the papers' toolkit).

:func:`etwfe`, :func:`two_stage`, :func:`stacked`, :func:`lp_did`, :func:`dcdh`,
:func:`continuous_did`, :func:`synthetic_did` and :func:`synthetic_control` share:

* validation (:func:`prepare_adoption` for absorbing staggered adoption, :func:`prepare_switching`
  for treatments that switch on and off), with errors that name the user's columns;
* a frame with formula-safe internal column names (``_unit``, ``_time``, ``_y``, ``_cohort``,
  ``_d``, ``_x0``..., ``_cluster``) handed to the engine, so any user column name works (spaces,
  CJK, dots, leading digits);
* the library's inference rule (:func:`inference`): the engine's cluster-robust standard error,
  intervals and p-values from the t distribution with G - 1 degrees of freedom;
* :class:`WrappedResult`, the result base: headline, ``tidy()`` (headline row first, then the
  event-time rows), ``model`` (the engine's result), ``event_study``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._results import TIDY_COLUMNS, Result, tidy_frame
from ._validation import (
    PanelDataError,
    as_list,
    check_binary,
    check_cohorts,
    check_nested,
    check_panel,
    plain,
    switching_units,
)

__all__ = [
    "WrappedResult",
    "prepare_adoption",
    "prepare_switching",
    "inference",
    "inference_note",
    "effects_table",
    "check_alpha",
    "SAFE",
]

#: Internal column names handed to the engines (the adapter's constants).
SAFE = {"unit": "_unit", "time": "_time", "outcome": "_y", "cohort": "_cohort", "treatment": "_d"}


@dataclass(repr=False)
class WrappedResult(Result):
    """Base of the wrapped estimators' results.

    ``table``/``tidy()``: the headline row first (term ``"ATT"`` or as documented), then one row per
    event time (column ``event_time``; NaN on the headline row) where the estimator has them.

    Attributes
    ----------
    model : object
        The engine's own result object (``diff-diff``), for anything not wrapped here.
    event_study : pandas.DataFrame
        ``event_time, estimate, std_error, conf_low, conf_high, p_value`` (empty if none).
    df : float or None
        Degrees of freedom of the t distribution behind intervals and p-values (``G - 1``);
        ``None`` = normal.
    alpha : float
        1 - confidence level.
    """

    model: Any = None
    event_study: pd.DataFrame = field(default_factory=pd.DataFrame)
    df: float | None = None
    alpha: float = 0.05

    def tidy(self) -> pd.DataFrame:
        """``term, estimate, std_error, conf_low, conf_high, p_value`` then any extra columns."""
        extra = [c for c in self.table.columns if c not in TIDY_COLUMNS]
        return self.table[[*TIDY_COLUMNS, *extra]].copy()


def check_alpha(alpha) -> float:
    """``alpha`` as a float in (0, 1), else ``ValueError``."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    return float(alpha)


def _numeric(data: pd.DataFrame, cols: Sequence[str]) -> None:
    for c in cols:
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise PanelDataError(f"column {c!r} must be numeric, got dtype {data[c].dtype}")


def _safe(data: pd.DataFrame, unit, time, outcome, controls, cluster) -> tuple[pd.DataFrame, list[str]]:
    """The engine frame: integer unit codes, numeric time, outcome, controls ``_x0..`` and ``_cluster``."""
    d = pd.DataFrame(
        {
            SAFE["unit"]: pd.factorize(data[unit], sort=True)[0] + 1,
            SAFE["time"]: data[time].to_numpy(),
            SAFE["outcome"]: data[outcome].to_numpy(dtype=float),
        },
        index=data.index,
    )
    xs = [f"_x{i}" for i in range(len(controls))]
    for x, c in zip(xs, controls):
        d[x] = data[c].to_numpy(dtype=float)
    d["_cluster"] = pd.factorize(data[cluster or unit], sort=True)[0] + 1
    return d, xs


def prepare_adoption(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    controls=(),
    cluster: str | None = None,
    extra: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[str], dict]:
    """Validate a staggered-adoption panel; return the engine frame, its control names and facts.

    Checks: the columns exist (``check_panel``, numeric ``time``), numeric outcome and controls, a
    valid cohort (``check_cohorts``: 0/NaN never treated, constant within unit, inside the panel), a
    cluster constant within unit, at least one treated unit and an untreated comparison.
    """
    controls = as_list(controls)
    used = [outcome, cohort, *controls, *([cluster] if cluster else []), *extra]
    check_panel(data, unit, time, used, allow_nan=[cohort], ordered_time=True)
    _numeric(data, [outcome, *controls, *extra])
    g = check_cohorts(data, unit, time, cohort)
    if cluster and cluster != unit:
        check_nested(data, unit, cluster)
    if not (g > 0).any():
        raise PanelDataError(f"no treated units: cohort column {cohort!r} is 0/NaN everywhere")
    cohorts = sorted(plain(g[g > 0].unique()))
    n_never = int(data.loc[g == 0, unit].nunique())
    if n_never == 0 and len(cohorts) < 2:
        raise PanelDataError(
            f"no untreated comparison units: a single cohort ({cohort}={cohorts[0]}) and no never-treated units"
        )
    d, xs = _safe(data, unit, time, outcome, controls, cluster)
    d[SAFE["cohort"]] = g.to_numpy()
    d[SAFE["treatment"]] = ((g > 0) & (data[time] >= g)).astype(int).to_numpy()
    for c in extra:
        d[c] = data[c].to_numpy(dtype=float)
    d = d.sort_values([SAFE["unit"], SAFE["time"]]).reset_index(drop=True)
    facts = {
        "n_units": int(data[unit].nunique()),
        "n_periods": int(data[time].nunique()),
        "cohorts": cohorts,
        "n_never": n_never,
        "n_clusters": int(data[cluster or unit].nunique()),
    }
    return d, xs, facts


def prepare_switching(
    data: pd.DataFrame, outcome: str, unit: str, time: str, treatment: str, cluster: str | None = None
) -> tuple[pd.DataFrame, dict]:
    """Validate a panel whose 0/1 ``treatment`` may switch on and off; return the engine frame and facts
    (``n_switch_off``: units whose treatment switches off at least once)."""
    used = [outcome, treatment, *([cluster] if cluster else [])]
    check_panel(data, unit, time, used, ordered_time=True)
    _numeric(data, [outcome])
    check_binary(data, treatment)
    if cluster and cluster != unit:
        check_nested(data, unit, cluster)
    d, _ = _safe(data, unit, time, outcome, [], cluster)
    d[SAFE["treatment"]] = data[treatment].astype(int).to_numpy()
    d = d.sort_values([SAFE["unit"], SAFE["time"]]).reset_index(drop=True)
    if d[SAFE["treatment"]].nunique() < 2:
        raise PanelDataError(f"treatment {treatment!r} never changes (all {plain(d[SAFE['treatment']].iloc[0])})")
    off = switching_units(data, unit, time, treatment)
    facts = {
        "n_units": int(data[unit].nunique()),
        "n_periods": int(data[time].nunique()),
        "n_switch_off": int(len(off)),
        "n_clusters": int(data[cluster or unit].nunique()),
    }
    return d, facts


def inference(terms, est, se, df: float | None, alpha: float) -> pd.DataFrame:
    """A tidy table with t(``df``) intervals and p-values from the engine's estimates and standard errors."""
    return tidy_frame(terms, est, se, df=df, alpha=alpha)


def inference_note(n_clusters: int, cluster: str, engine: str) -> str:
    """The note stating the inference rule: engine SEs clustered by ``cluster``, t with G - 1 df."""
    return (
        f"standard errors: {engine}, clustered by {cluster!r} (G = {n_clusters}); intervals and p-values: "
        f"t distribution with {n_clusters - 1} degrees of freedom (G - 1), the library's rule"
    )


def effects_table(
    headline: tuple[str, float, float], events: pd.DataFrame, df, alpha
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table, event_study): the headline row then ``event_time::k`` rows, with t(df) inference.

    ``events`` has ``event_time, estimate, std_error`` (a reference period, estimate 0 with SE 0 or
    NaN, keeps a NaN standard error).
    """
    ev = events.copy()
    ref = (ev["estimate"] == 0) & ~(ev["std_error"] > 0)
    ev.loc[ref, "std_error"] = np.nan
    es = inference([f"event_time::{int(k)}" for k in ev["event_time"]], ev["estimate"], ev["std_error"], df, alpha)
    es["event_time"] = ev["event_time"].to_numpy(int)
    for c in ev.columns:
        if c not in es.columns and c not in ("estimate", "std_error") and ev[c].notna().any():
            es[c] = ev[c].to_numpy()
    head = inference([headline[0]], [headline[1]], [headline[2]], df, alpha)
    head["event_time"] = np.nan
    table = pd.concat([head, es], ignore_index=True)
    return table, es.drop(columns="term").reset_index(drop=True)
