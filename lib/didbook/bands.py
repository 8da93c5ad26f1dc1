"""Simultaneous (sup-t) confidence bands for event studies: one rule for every estimator.

Pointwise intervals cover each event-time effect with 95% probability; a simultaneous band covers
all of them at once, which is what a reader checking "are all pre-period effects zero?" or "is
the whole path above zero?" needs. The band is ``estimate +- c * std_error`` with ``c`` the
``1 - alpha`` quantile of ``max_k |T_k|``, where ``T`` is a vector with the estimates' correlation
matrix: the sup-t band of Montiel Olea and Plagborg-Moller (2019), with ``c`` simulated from the
estimated covariance (a Gaussian multiplier bootstrap; R ``did`` draws the same statistic by
resampling cluster influence functions, and the tests check that both give the same ``c``).

Critical values follow the library rule (see :data:`didbook.staggered.INFERENCE_RULE`): with
``df`` (cluster-robust inference with ``G`` clusters, ``df = G - 1``) ``T`` is multivariate
t(df) -- a normal vector divided by one common ``sqrt(chi2_df / df)`` -- so that for a single
coefficient the band is exactly the pointwise t(G-1) interval; with ``df=None`` ``T`` is normal.
``c`` is never below the pointwise critical value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["sup_t_critical_value", "add_band"]


def sup_t_critical_value(
    vcov: np.ndarray, alpha: float = 0.05, df: float | None = None, n_draws: int = 20_000, seed: int = 0
) -> float:
    """The ``1 - alpha`` quantile of ``max_k |T_k|`` for ``T`` with the correlation of ``vcov``.

    Coefficients with zero or NaN variance (e.g. a reference period) are ignored. Deterministic
    given ``seed``.
    """
    V = np.asarray(vcov, dtype=float)
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    keep = np.isfinite(se) & (se > 0)
    if not keep.any():
        return np.nan
    V = V[np.ix_(keep, keep)]
    se = se[keep]
    R = V / np.outer(se, se)
    w, Q = np.linalg.eigh((R + R.T) / 2)
    L = Q * np.sqrt(np.clip(w, 0, None))
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_draws, len(se))) @ L.T
    if df is not None:
        Z /= np.sqrt(rng.chisquare(df, n_draws) / df)[:, None]
    c = float(np.quantile(np.abs(Z).max(axis=1), 1 - alpha))
    point = float((stats.norm if df is None else stats.t(df)).ppf(1 - alpha / 2))
    return max(c, point)


def add_band(table: pd.DataFrame, crit: float) -> pd.DataFrame:
    """``table`` with ``band_low``/``band_high`` = ``estimate -+ crit * std_error``."""
    tb = table.copy()
    tb["band_low"] = tb["estimate"] - crit * tb["std_error"]
    tb["band_high"] = tb["estimate"] + crit * tb["std_error"]
    return tb
