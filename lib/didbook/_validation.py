"""Input checks shared by every estimator.

Every public function that takes a panel calls :func:`check_panel` first, so a malformed
panel fails early with a message that names the problem instead of being silently
repaired. Nothing here drops, fills or guesses data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["PanelDataError", "check_panel", "check_binary", "check_absorbing", "as_list", "check_values"]


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

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    PanelDataError
        If a column is missing, unit-time pairs are duplicated, or a used column has NaNs.

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
    for c in columns:
        if c in allow_nan or c in (unit, time):
            continue
        n = int(data[c].isna().sum())
        if n:
            raise PanelDataError(
                f"column {c!r} has {n} missing value(s); drop or impute them explicitly before estimating"
            )


def check_binary(data: pd.DataFrame, column: str) -> None:
    """Raise :class:`PanelDataError` unless ``column`` only takes the values 0 and 1."""
    values = pd.unique(data[column].dropna())
    bad = [v for v in values if v not in (0, 1, True, False)]
    if bad:
        raise PanelDataError(
            f"treatment column {column!r} must be binary 0/1; found value(s) {sorted(map(float, bad))[:5]}"
        )


def check_absorbing(data: pd.DataFrame, unit: str, time: str, treatment: str) -> None:
    """Raise :class:`PanelDataError` if treatment ever switches off (1 then 0) within a unit."""
    d = data.sort_values([unit, time])
    drops = d.groupby(unit, sort=False)[treatment].diff() < 0
    if drops.any():
        u = d.loc[drops, unit].iloc[0]
        raise PanelDataError(
            f"treatment {treatment!r} switches off for {int(d.loc[drops, unit].nunique())} unit(s) "
            f"(e.g. {unit}={u}); this method assumes treatment is absorbing (once on, always on)"
        )


def finite(x: np.ndarray, name: str) -> np.ndarray:
    """Return ``x`` as float array, raising if it has non-finite entries."""
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise PanelDataError(f"{name} contains NaN or infinite values")
    return arr


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
