"""Input checks shared by every estimator.

Every public function that takes a panel calls :func:`check_panel` first, so a malformed
panel fails early with a message that names the problem instead of being silently
repaired. Nothing here drops, fills or guesses data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "PanelDataError",
    "check_panel",
    "check_binary",
    "check_absorbing",
    "switching_units",
    "check_cohorts",
    "check_int",
    "check_number",
    "plain",
    "prepare_panel",
    "as_list",
    "check_values",
]


def plain(value):
    """``value`` as a plain Python object for messages: ``np.int64(2016)`` -> ``2016``, ``2016.0`` -> ``2016``.

    Lists, tuples and arrays are converted element by element (so a message shows ``[2016, 2018]``).
    """
    if isinstance(value, (list, tuple, np.ndarray, pd.Index, pd.Series)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isfinite(value) and value == int(value):
        return int(value)
    return value


def check_int(name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` as ``int``; raise ``TypeError`` naming ``name`` unless it is a whole number.

    ``"abc"`` (e.g. passed on a command line) or ``2.5`` raise ``TypeError``; a value below
    ``minimum`` raises ``ValueError``. Both messages name the parameter and say what it accepts.
    """
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not ok and isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        ok = True
    if not ok:
        accepts = "a whole number" + (f" >= {minimum}" if minimum is not None else "")
        raise TypeError(f"{name} must be {accepts}, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value}")
    return value


def check_number(name: str, value, *, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as ``float``; ``TypeError`` naming ``name`` unless numeric, ``ValueError`` if out of (low, high)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if (low is not None and not value > low) or (high is not None and not value < high):
        raise ValueError(f"{name} must lie strictly between {low} and {high}, got {value:g}")
    return value


class PanelDataError(ValueError):
    """Raised when a panel is malformed (missing columns, duplicates, NaNs, ...)."""


def as_list(cols: str | Iterable[str] | None) -> list[str]:
    """Return ``cols`` as a list of column names (``None`` -> ``[]``, ``"x"`` -> ``["x"]``)."""
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    return list(cols)


def check_panel(
    data: pd.DataFrame,
    unit: str,
    time: str,
    columns: Sequence[str] = (),
    *,
    allow_nan: Sequence[str] = (),
    ordered_time: bool = False,
) -> None:
    """Validate a long (unit x time) panel.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit and period.
    unit, time : str
        Column names identifying the unit and the period.
    columns : sequence of str
        Further columns the caller will use; each must exist and (unless listed in
        ``allow_nan``) contain no missing values.
    allow_nan : sequence of str
        Columns in which missing values are legitimate (e.g. a cohort column where
        NaN means never treated).
    ordered_time : bool
        The caller orders periods (cohorts, event time, switching on and off): ``time`` must
        then be numeric, so that it sorts as numbers (text such as ``"8" < "16"`` sorts wrongly).
        Without it any ``time`` column works (time fixed effects only need the labels).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    PanelDataError
        If a column is missing, unit-time pairs are duplicated, a used column has NaNs or
        +-inf (e.g. the log of zero), or (``ordered_time``) the time column is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 1], "t": [1, 1], "y": [0.0, 1.0]})
    >>> check_panel(df, "id", "t", ["y"])
    Traceback (most recent call last):
    ...
    didbook._validation.PanelDataError: 1 duplicated (id, t) row(s), e.g. id=1, t=1; each unit may appear once per period
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise PanelDataError("the panel is empty (0 rows)")
    needed = [unit, time, *[c for c in columns if c not in (unit, time)]]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise PanelDataError(f"missing column(s) {missing}; available columns: {list(data.columns)[:30]}")
    for key in (unit, time):
        n = int(data[key].isna().sum())
        if n:
            raise PanelDataError(f"column {key!r} has {n} missing value(s); identifiers cannot be NaN")
    dup = data.duplicated([unit, time], keep=False)
    if dup.any():
        first = data.loc[dup, [unit, time]].iloc[0]
        n_dup = int(data.duplicated([unit, time]).sum())
        raise PanelDataError(
            f"{n_dup} duplicated ({unit}, {time}) row(s), e.g. {unit}={first[unit]}, "
            f"{time}={first[time]}; each unit may appear once per period"
        )
    if ordered_time:
        check_time(data, time)
    for c in [time, *columns]:
        if c == unit or not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            continue
        inf = np.isinf(data[c].to_numpy(dtype=float))
        if inf.any():
            where = data.loc[inf, [unit, time]].iloc[0]
            raise PanelDataError(
                f"column {c!r} has {int(inf.sum())} infinite value(s) (+-inf, e.g. the log of zero; first at "
                f"{unit}={plain(where[unit])}, {time}={plain(where[time])}); the estimators do not drop rows: "
                "recode them (e.g. log(x + 1)) or drop those rows explicitly before estimating"
            )
    for c in columns:
        if c in allow_nan or c in (unit, time):
            continue
        n = int(data[c].isna().sum())
        if n:
            raise PanelDataError(
                f"column {c!r} has {n} missing value(s); drop or impute them explicitly before estimating"
            )
    check_not_degenerate(data, unit, time)


def check_not_degenerate(data: pd.DataFrame, unit: str, time: str) -> None:
    """Raise when a panel has one period or one unit: no difference in differences can be formed."""
    n_t, n_u = data[time].nunique(), data[unit].nunique()
    if n_t < 2:
        raise PanelDataError(
            f"the panel has a single period ({time}={plain(data[time].iloc[0])}): difference-in-differences compares "
            f"changes over time, so it needs at least two values of {time!r}"
        )
    if n_u < 2:
        raise PanelDataError(
            f"the panel has a single unit ({unit}={plain(data[unit].iloc[0])}): difference-in-differences compares "
            f"units, so it needs at least two values of {unit!r} (treated and untreated)"
        )


def check_time(data: pd.DataFrame, time: str) -> None:
    """Raise :class:`PanelDataError` unless ``time`` is a numeric column (periods that sort as numbers)."""
    col = data[time]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return
    example = plain(col.dropna().iloc[0]) if col.notna().any() else None
    as_num = pd.to_numeric(col, errors="coerce")
    if as_num.notna().all():
        fix = f"convert it first: df[{time!r}] = pd.to_numeric(df[{time!r}])"
    else:
        fix = "map the periods to numbers in time order first (e.g. 2011Q1 -> 1, 2011Q2 -> 2)"
    raise PanelDataError(
        f"time column {time!r} is not numeric (dtype {col.dtype}, e.g. {example!r}); periods stored as text "
        f"sort as text ('16' < '8'), which scrambles the order of periods; {fix}"
    )


def check_cohorts(data: pd.DataFrame, unit: str, time: str, cohort: str) -> pd.Series:
    """Validate a cohort column (first treated period; 0 or NaN = never treated); return it as float, 0 = never.

    Raises :class:`PanelDataError` if the cohort is not numeric, negative, varies within a unit, or
    lies outside the panel: after the last period (e.g. never treated coded 9999: code it as 0 or
    leave it empty) or at/before the first period (no untreated period: drop those units).
    """
    if not pd.api.types.is_numeric_dtype(data[cohort]):
        raise PanelDataError(
            f"cohort column {cohort!r} must be numeric (the first treated period, same scale as {time!r}; "
            f"0 or empty = never treated), got dtype {data[cohort].dtype}"
        )
    g = data[cohort].astype(float).fillna(0.0)
    if (g < 0).any():
        raise PanelDataError(
            f"cohort column {cohort!r} has negative values; use the first treated period, 0 or empty = never treated"
        )
    varies = g.groupby(data[unit]).nunique()
    if (varies > 1).any():
        u = varies.index[varies > 1][0]
        raise PanelDataError(
            f"cohort column {cohort!r} varies within unit (is not constant within unit) for "
            f"{int((varies > 1).sum())} unit(s) "
            f"(e.g. {unit}={plain(u)}); it must be the unit's first treated period, constant within the unit"
        )
    tmin, tmax = plain(data[time].min()), plain(data[time].max())
    late = g > tmax
    if late.any():
        vals = sorted(set(plain(g[late].unique())))
        raise PanelDataError(
            f"{int(data.loc[late, unit].nunique())} unit(s) have {cohort} after the last period {tmax} "
            f"(value(s) {vals[:5]}); if these units are never treated, code {cohort} as 0 or leave it empty "
            "(NaN), not as a far-future year such as 9999"
        )
    early = (g > 0) & (g <= tmin)
    if early.any():
        raise PanelDataError(
            f"{int(data.loc[early, unit].nunique())} unit(s) have {cohort} <= {tmin}, the first period: they are "
            "treated already when the panel starts and have no untreated period to compare with; drop them "
            "explicitly before estimating"
        )
    return g


def check_binary(data: pd.DataFrame, column: str) -> None:
    """Raise :class:`PanelDataError` unless ``column`` only takes the values 0 and 1."""
    values = pd.unique(data[column].dropna())
    bad = [v for v in values if v not in (0, 1, True, False)]
    if bad:
        raise PanelDataError(
            f"treatment column {column!r} must be binary 0/1; found value(s) {sorted(map(float, bad))[:5]}"
        )


def switching_units(data: pd.DataFrame, unit: str, time: str, treatment: str) -> pd.Index:
    """Units whose ``treatment`` switches off (1 then 0) as ``time`` increases."""
    d = data.sort_values([unit, time])
    drops = d.groupby(unit, sort=False)[treatment].diff() < 0
    return pd.Index(d.loc[drops, unit].unique())


def check_absorbing(data: pd.DataFrame, unit: str, time: str, treatment: str) -> None:
    """Raise :class:`PanelDataError` if treatment ever switches off (1 then 0) within a unit."""
    check_time(data, time)
    bad = switching_units(data, unit, time, treatment)
    if len(bad):
        raise PanelDataError(
            f"treatment {treatment!r} switches off for {len(bad)} unit(s) (e.g. {unit}={plain(bad[0])}); "
            "this method assumes treatment is absorbing (once on, always on). Either the data have an error "
            "or the policy really ends: then estimate with didbook.twfe (which allows it and says so), or "
            "keep each unit's periods before the switch-off"
        )


def finite(x: np.ndarray, name: str) -> np.ndarray:
    """Return ``x`` as float array, raising if it has non-finite entries."""
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise PanelDataError(f"{name} contains NaN or infinite values")
    return arr


def outcome_draws(Y, n_rows: int) -> np.ndarray:
    """``Y`` as a float matrix with one row per data row and one column per outcome draw (the batched paths)."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != n_rows:
        raise ValueError(f"Y must have shape (n_rows={n_rows}, n_draws); got {Y.shape}")
    if not np.isfinite(Y).all():
        raise ValueError("Y has missing or infinite values")
    return Y


def check_values(
    arr: np.ndarray, name: str, *, nonnegative: bool = True, why_nonnegative: str = "values must be non-negative"
) -> None:
    """Raise ValueError (naming ``name``) if a float array has NaNs, infinities or, optionally, negatives.

    Shared by the index and inequality functions, which take plain arrays or indicator columns.
    """
    n_nan = int(np.isnan(arr).sum())
    if n_nan:
        raise ValueError(f"{name} has {n_nan} missing value(s); drop or impute them explicitly first")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has {int((~np.isfinite(arr)).sum())} infinite value(s)")
    if nonnegative and (arr < 0).any():
        raise ValueError(f"{name} has {int((arr < 0).sum())} negative value(s) (min {arr.min():g}); {why_nonnegative}")


COHORT_COLUMN = "didbook_cohort"
TREATED_COLUMN = "didbook_treated"


def prepare_panel(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    cohort: str | None = None,
    treatment: str | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    late_cohorts: str = "refuse",
):
    """Get any long panel ready for every estimator, dropping nothing silently.

    Checks that each role names a column, that ``time`` is numeric and that the adoption
    information is usable; then, explicitly and counted in the returned report, drops rows with a
    missing value in a used column and units treated already in the first period (they have no
    untreated period). Adds ``didbook_cohort`` (first treated period, 0 = never) and
    ``didbook_treated`` (``1{time >= cohort > 0}``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (unbalanced is fine).
    unit, time, outcome : str
        Column names (``time`` numeric).
    cohort : str, optional
        First treated period of each unit; 0 or empty (NaN) = never treated.
    treatment : str, optional
        0/1 absorbing treatment. With ``cohort`` it must agree with it; alone, the cohort is the
        first period with ``treatment == 1``. At least one of the two is needed.
    controls : sequence of str
        Time-varying covariates.
    cluster : str, optional
        Cluster column (default: the unit).
    late_cohorts : {"refuse", "not_yet"}
        A cohort after the panel's last period: ``"refuse"`` (default) raises, since it is often a "never
        treated" code such as 9999; ``"not_yet"`` treats those units as not (yet) treated within the window,
        R ``did``'s rule, and counts them in the report (``late_units``, ``late_values``).

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The prepared panel and a report: ``rows_in``, ``rows_missing`` (dropped),
        ``units_always_treated`` (dropped), ``late_units`` and ``late_values`` (recoded to never treated
        within the window, with ``late_cohorts="not_yet"``), ``rows_out``.

    Raises
    ------
    PanelDataError
        A role that is not a column, a non-numeric ``time``, neither ``cohort`` nor ``treatment``,
        a cohort after the last period (never treated coded 9999: code it 0 or leave it empty), a
        treatment that is not 0/1, switches off or disagrees with ``cohort``.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [0.0, 1.0, 0.5, None],
    ...                    "g": [2, 2, None, None]})
    >>> out, report = prepare_panel(df, "id", "t", "y", cohort="g")
    >>> out["didbook_treated"].tolist(), report["rows_missing"]
    ([0, 1, 0], 1)
    """
    controls = as_list(controls)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    roles = {"unit": unit, "time": time, "outcome": outcome, "cohort": cohort, "treatment": treatment}
    roles.update({"cluster": cluster, **{f"controls[{i}]": c for i, c in enumerate(controls)}})
    for role, col in roles.items():
        if col and col not in data.columns:
            raise PanelDataError(
                f"{role}={col!r} is not a column of the data; available columns: {list(data.columns)[:30]}"
            )
    if not cohort and not treatment:
        raise PanelDataError("give cohort (first treated period) or treatment (0/1 column): both are empty")
    if late_cohorts not in ("refuse", "not_yet"):
        raise ValueError(f"late_cohorts must be 'refuse' or 'not_yet', got {late_cohorts!r}")
    for new in (COHORT_COLUMN, TREATED_COLUMN):
        if new in data.columns:
            raise PanelDataError(f"the data already have a column {new!r}; rename it")
    check_time(data, time)
    used = list(dict.fromkeys([unit, time, outcome, *controls, *([cluster] if cluster else [])]))
    used += [c for c in (treatment,) if c and c not in used]
    d = data.dropna(subset=used).copy()
    report = {"rows_in": int(len(data)), "rows_missing": int(len(data) - len(d))}
    if cohort:
        g = d[cohort]
        if not pd.api.types.is_numeric_dtype(g):
            raise PanelDataError(
                f"cohort column {cohort!r} must be numeric (first treated period; 0 or empty = never), "
                f"got dtype {g.dtype}"
            )
        g = g.astype(float).fillna(0.0)
        late = g > d[time].max()
        report["late_units"], report["late_values"] = int(d.loc[late, unit].nunique()), plain(sorted(g[late].unique()))
        if late.any() and late_cohorts == "not_yet":
            g = g.mask(late, 0.0)
    else:
        check_binary(d, treatment)
        check_absorbing(d, unit, time, treatment)
        first = d.loc[d[treatment] == 1].groupby(unit)[time].min()
        g = d[unit].map(first).astype(float).fillna(0.0)
    d[COHORT_COLUMN] = g
    tmin = d[time].min()
    early = d.loc[(g > 0) & (g <= tmin), unit].unique()
    report["units_always_treated"] = int(len(early))
    d = d.loc[~d[unit].isin(early)]
    try:
        check_cohorts(d, unit, time, COHORT_COLUMN)
    except PanelDataError as err:  # name the user's column, not the helper one
        name = cohort or f"the first period with {treatment} = 1"
        raise PanelDataError(str(err).replace(repr(COHORT_COLUMN), repr(name)).replace(COHORT_COLUMN, name)) from None
    g = d[COHORT_COLUMN]
    d[TREATED_COLUMN] = ((g > 0) & (d[time] >= g)).astype(int)
    if cohort and treatment:
        check_binary(d, treatment)
        bad = d[TREATED_COLUMN] != d[treatment].astype(int)
        if bad.any():
            r = d.loc[bad].iloc[0]
            raise PanelDataError(
                f"cohort {cohort!r} and treatment {treatment!r} disagree in {int(bad.sum())} row(s) (e.g. "
                f"{unit}={plain(r[unit])}, {time}={plain(r[time])}); expected {treatment} = 1 exactly when "
                f"{time} >= {cohort} > 0. Pass only one of them"
            )
    report["rows_out"] = int(len(d))
    return d.reset_index(drop=True), report


def check_nested(data: pd.DataFrame, unit: str, column: str) -> None:
    """Raise if ``column`` (a cluster or weight column) varies within a unit, naming a unit where it does."""
    n = data.groupby(unit)[column].nunique(dropna=False)
    if (n > 1).any():
        u = n.index[n > 1][0]
        raise PanelDataError(
            f"column {column!r} must be constant within each {unit!r} (it varies for {unit}={plain(u)}): "
            "clusters and sampling weights are unit-level here"
        )
