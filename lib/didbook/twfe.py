"""Two-way fixed effects (TWFE) difference-in-differences with pyfixest as the engine.

:func:`twfe` fits ``y_it = beta * D_it + X_it' gamma + alpha_i + lambda_t (+ extra FE) (+ unit trends) + e_it``
and returns a :class:`TwfeResult`. The regression itself is done by :func:`pyfixest.feols`
(fast absorption of several fixed effects, weights, clustering and the small-sample
corrections of R's ``fixest``/``felm``); this module validates the panel, builds the design
and reports the result in the book's format.

Small-sample correction (the default, documented choice)
    Clustered standard errors use ``V = G/(G-1) * (N-1)/(N-K) * V_sandwich`` where ``K`` counts
    the slope coefficients plus the fixed-effect levels that are *not nested* in the cluster
    variable (pyfixest/fixest ``ssc(k_adj=True, k_fixef="nonnested", G_adj=True)``). With it the
    Mixtape castle-doctrine specification (R ``felm``) gives SE 0.033938 exactly; counting all fixed
    effects (``k_fixef="full"``) gives 0.035951 and ignoring them (``"none"``) 0.033530. Pass
    ``ssc=pyfixest.ssc(...)`` to choose another correction. Inference uses a t distribution with
    ``G - 1`` degrees of freedom when clustering (``N - K`` otherwise), as fixest does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._fitting import (
    FEW_CLUSTERS,
    FewClustersWarning,
    _check_treatment,
    _fit,
    _n_clusters,
    _tidy_from_fit,
    _vcov_frame,
    _warn_clusters,
)
from ._results import Result
from ._validation import PanelDataError, as_list, check_panel, plain, switching_units
from .adapters import pyfixest as pfx

__all__ = ["twfe", "TwfeResult", "FEW_CLUSTERS", "FewClustersWarning"]


@dataclass(repr=False)
class TwfeResult(Result):
    """Result of :func:`twfe`.

    Attributes
    ----------
    estimate, std_error, p_value, conf_low, conf_high : float
        The headline: the treatment coefficient, its standard error, p-value and 95% confidence
        interval (t(G - 1) when clustering, as :mod:`pyfixest`).
    nobs : int
        Observations used (always all rows: nothing is dropped).
    n_clusters : int or None
        Number of clusters (``None`` unless ``vcov="cluster"``).
    r2_within : float
        R-squared after removing the fixed effects (and unit trends are counted as regressors).
    vcov : pandas.DataFrame
        Covariance matrix of the reported coefficients (treatment first, then controls).
    model : pyfixest Feols
        The underlying engine fit, with the user's variable names: pass it to ``pf.etable``,
        ``pf.iplot`` or ``wildboottest`` (names pyfixest cannot parse are made safe; ``names``
        maps them back).
    controls, dropped_collinear : list of str
        The controls kept in the model, and those dropped as collinear (``drop_collinear=True``).
    info : dict
        ``outcome``, ``treatment``, ``fixed_effects``, ``controls``, ``weights``, ``n_obs``,
        ``std_errors``, ``r2_within`` (and ``dropped_collinear``); ``describe()`` shows them labelled.
    notes : list of str
        E.g. the few-clusters note (fewer than :data:`FEW_CLUSTERS` clusters).
    """

    nobs: int = 0
    n_clusters: int | None = None
    r2_within: float = np.nan
    vcov: pd.DataFrame | None = None
    model: Any = None
    treatment: str | list[str] = ""
    controls: list[str] = field(default_factory=list)
    dropped_collinear: list[str] = field(default_factory=list)
    unit: str = ""
    time: str = ""
    fixed_effects: list[str] = field(default_factory=list)
    unit_trends: bool = False
    cluster: str | None = None
    weights: str | None = None
    names: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- public API


def twfe(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
    *,
    fixed_effects: Sequence[str] = (),
    unit_trends: bool = False,
    vcov: str = "cluster",
    ssc: dict | None = None,
    treatment_type: str = "binary",
    drop_collinear: bool = False,
    warn_few_clusters: bool = False,
) -> TwfeResult:
    """Two-way fixed effects DID: regress ``outcome`` on ``treatment`` with unit and time effects.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per ``unit`` and ``time`` (unbalanced is fine).
    outcome, treatment, unit, time : str
        Column names. ``treatment`` is 0/1 unless ``treatment_type`` says otherwise.
    controls : sequence of str
        Time-varying covariates entered linearly.
    cluster : str, optional
        Cluster variable (default: ``unit``). May be a higher level such as a province.
    weights : str, optional
        Column of positive analytic weights (weighted least squares).
    fixed_effects : sequence of str
        Extra absorbed effects: a column (``"region"``) or an interaction (``"region^year"``).
    unit_trends : bool
        Add unit-specific linear time trends (one slope per unit; ``time`` must be numeric).
    vcov : {"cluster", "robust", "iid"}
        Cluster-robust (CRV1, default), heteroskedasticity-robust (HC1) or classical.
    ssc : dict, optional
        Small-sample correction, ``pyfixest.ssc(...)``; default reproduces fixest/felm (see module doc).
    treatment_type : {"binary", "share", "continuous"}
        ``"binary"`` (default) requires 0/1; ``"share"`` accepts values in [0, 1], such as the
        fraction of the adoption year a law was in force (Cheng and Hoekstra's original coding;
        the castle file shipped by causaldata codes ``post`` as 0/1); ``"continuous"`` accepts any
        real value.
    drop_collinear : bool
        If False (default) perfectly collinear controls raise; if True they are dropped and listed
        in ``result.dropped_collinear``. The treatment is never dropped.
    warn_few_clusters : bool
        With fewer than :data:`FEW_CLUSTERS` clusters a note is always added to ``result.notes``
        (shown by ``summary()`` and the notebook display). ``True`` additionally raises a
        :class:`FewClustersWarning` (off by default: a warning on stderr fails the book build).

    Returns
    -------
    TwfeResult

    Raises
    ------
    PanelDataError
        Missing columns, duplicated unit-time rows, NaNs in used columns, non-binary treatment,
        no untreated comparison, singular covariates, non-positive weights.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_dataset("organ_donations").data
    >>> fit = didbook.twfe(df, "Rate", "Treated", "State", "Quarter")
    >>> round(fit.estimate, 6), round(fit.std_error, 6)
    (-0.022459, 0.006131)
    >>> fit.notes[0][:37]
    'only 27 clusters: cluster-robust t-te'

    """
    controls = as_list(controls)
    fixed_effects = as_list(fixed_effects)
    if treatment in controls:
        raise PanelDataError(f"treatment {treatment!r} is also listed in controls")
    used = [outcome, treatment, *controls]
    if weights is not None:
        used.append(weights)
    if cluster is not None:
        used.append(cluster)
    check_panel(data, unit, time, used, ordered_time=unit_trends)
    _check_treatment(data, treatment, unit, time, treatment_type)
    if weights is not None and not (data[weights].to_numpy(dtype=float) > 0).all():
        raise PanelDataError(f"weights column {weights!r} must be strictly positive")
    if cluster is not None and vcov != "cluster":
        raise ValueError(f"cluster={cluster!r} given but vcov={vcov!r}; use vcov='cluster'")
    fit, names, dropped = _fit(
        data,
        outcome,
        [treatment, *controls],
        unit,
        time,
        fixed_effects=fixed_effects,
        unit_trends=unit_trends,
        cluster=cluster,
        weights=weights,
        vcov=vcov,
        ssc=ssc,
        drop_collinear=drop_collinear,
        protected=[treatment],
    )
    table = _tidy_from_fit(fit, names)
    g = _n_clusters(fit, vcov)
    notes = _warn_clusters(g, warn_few_clusters)
    if pd.api.types.is_numeric_dtype(data[time]):
        off = switching_units(data, unit, time, treatment)
        if len(off):
            notes.append(
                f"treatment {treatment!r} switches off (1 then 0) for {len(off)} unit(s) (e.g. {unit}="
                f"{plain(off[0])}): TWFE accepts it and compares treated with untreated periods, but the "
                "estimators for staggered adoption (event_study, staggered, bacon_decomposition, "
                "placebo_test, psm_did) assume treatment is absorbing and refuse these data"
            )
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "fixed_effects": [unit, time, *fixed_effects] + (["unit trends"] if unit_trends else []),
        "controls": list(controls) or "none",
        "weights": weights or "none",
        "n_obs": pfx.n_obs(fit),
        "std_errors": f"clustered by {cluster or unit} ({g} clusters)" if vcov == "cluster" else vcov,
        "r2_within": round(pfx.r2_within(fit), 6),
    }
    if dropped:
        info["dropped_collinear"] = dropped
    return TwfeResult.from_table(
        table,
        info=info,
        title="Two-way fixed effects DID",
        notes=notes,
        nobs=pfx.n_obs(fit),
        n_clusters=g,
        r2_within=pfx.r2_within(fit),
        vcov=_vcov_frame(fit, names),
        model=fit,
        treatment=treatment,
        controls=[c for c in controls if c not in dropped],
        dropped_collinear=dropped,
        unit=unit,
        time=time,
        fixed_effects=fixed_effects,
        unit_trends=unit_trends,
        cluster=(cluster or unit) if vcov == "cluster" else None,
        weights=weights,
        names=names,
    )
