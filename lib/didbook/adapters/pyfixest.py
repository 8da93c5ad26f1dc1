"""Adapter for :mod:`pyfixest`: the only module of didbook that reads pyfixest internals.

pyfixest 0.60 exposes coefficients, standard errors and the tidy table publicly, but not the
coefficient covariance matrix with its names, the number of observations and clusters, the
within R-squared, the variables dropped as collinear or the residual degrees of freedom of its
t inference; those are private attributes (``_coefnames``, ``_vcov``, ``_N``, ``_G``,
``_r2_within``, ``_collin_vars``, ``_df_t``). Each is read by one function here, and
``tests/lib/test_adapters.py`` checks each against the public result it stands for (``se()``,
``coef()``, ``resid()``, ``tidy()``, an independent within R-squared), so a pyfixest upgrade that
changes them fails one named test instead of every estimator.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "feols",
    "coef_names",
    "coefficients",
    "vcov_matrix",
    "n_obs",
    "n_clusters",
    "r2_within",
    "collinear_vars",
    "residual_df",
    "tidy",
    "cluster_jackknife_vcov",
]


def feols(
    formula: str,
    data: pd.DataFrame,
    *,
    vcov: Any,
    weights: str | None = None,
    ssc: dict | None = None,
    fixef_tol: float = 1e-12,
):
    """:func:`pyfixest.feols` keeping every row (``fixef_rm="none"``), warnings silenced (the caller
    turns collinearity into explicit errors), with the alternating-projections demeaner at ``fixef_tol``."""
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    kwargs = {} if ssc is None else {"ssc": ssc}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            formula,
            data=data,
            vcov=vcov,
            weights=weights,
            fixef_rm="none",
            demeaner=MapDemeaner(fixef_tol=fixef_tol),
            **kwargs,
        )


def coef_names(model) -> list[str]:
    """Names of the estimated coefficients, in the order of :func:`coefficients` and :func:`vcov_matrix`."""
    return [str(c) for c in model._coefnames]


def coefficients(model) -> np.ndarray:
    """Estimated coefficients (``model.coef()`` as an array)."""
    return np.asarray(model._beta_hat, dtype=float)


def vcov_matrix(model) -> pd.DataFrame:
    """The coefficient covariance matrix (with the model's small-sample correction), labelled by coefficient."""
    names = coef_names(model)
    return pd.DataFrame(np.asarray(model._vcov, dtype=float), index=names, columns=names)


def n_obs(model) -> int:
    """Observations used in the fit."""
    return int(model._N)


def n_clusters(model) -> int | None:
    """Number of clusters of a clustered fit (the smallest, for multiway clustering); ``None`` otherwise."""
    g = getattr(model, "_G", None)
    if not getattr(model, "_is_clustered", False) or g is None:
        return None
    return int(np.min(g))


def r2_within(model) -> float:
    """R-squared of the regression after the fixed effects are partialled out."""
    return float(model._r2_within)


def collinear_vars(model) -> list[str]:
    """Regressors pyfixest dropped as perfectly collinear."""
    return [str(v) for v in model._collin_vars]


def residual_df(model) -> int:
    """Degrees of freedom of the t distribution behind ``model.tidy()``'s p-values and intervals."""
    return int(model._df_t)


def tidy(model) -> pd.DataFrame:
    """``model.tidy()`` renamed to the book's columns (index = coefficient names, as pyfixest)."""
    tb = model.tidy()
    return pd.DataFrame(
        {
            "estimate": tb["Estimate"].to_numpy(float),
            "std_error": tb["Std. Error"].to_numpy(float),
            "conf_low": tb["2.5%"].to_numpy(float),
            "conf_high": tb["97.5%"].to_numpy(float),
            "p_value": tb["Pr(>|t|)"].to_numpy(float),
        },
        index=[str(i) for i in tb.index],
    )


def cluster_jackknife_vcov(formula: str, data: pd.DataFrame, cluster: str) -> pd.DataFrame:
    """pyfixest's CRV3 (leave-one-cluster-out jackknife) covariance with no small-sample factor.

    ``pyfixest.feols(..., vcov={"CRV3": cluster}, ssc=ssc(k_adj=False, G_adj=False))`` refits the model
    once without each cluster and returns ``sum_g (beta_-g - beta)(beta_-g - beta)'``, centred at the
    full-sample estimate; the caller applies its own factor (e.g. ``(G - 1) / G``, MacKinnon, Nielsen
    and Webb 2023). Labelled by coefficient, like :func:`vcov_matrix`.
    """
    import pyfixest as pf

    model = feols(formula, data, vcov={"CRV3": cluster}, ssc=pf.ssc(k_adj=False, G_adj=False))
    return vcov_matrix(model)
