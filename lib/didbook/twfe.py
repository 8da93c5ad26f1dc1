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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result
from ._validation import PanelDataError, as_list, check_binary, check_panel

__all__ = ["twfe", "TwfeResult", "FEW_CLUSTERS", "FewClustersWarning"]

#: Below this many clusters, cluster-robust t-tests over-reject (Angrist and Pischke's "42";
#: Cameron, Gelbach and Miller 2008): :func:`twfe` warns and suggests
#: :func:`didbook.wild_cluster_bootstrap`. The organ-donation example (27 states) warns; the
#: castle example (50 states) does not. Silence with ``warn_few_clusters=False``.
FEW_CLUSTERS = 42

_TREND_PREFIX = "didbook_trend_"


class FewClustersWarning(UserWarning):
    """Cluster-robust inference with fewer than :data:`FEW_CLUSTERS` clusters."""


@dataclass(repr=False)
class TwfeResult(Result):
    """Result of :func:`twfe`.

    Attributes
    ----------
    coef, se, p_value : float
        Estimate, standard error and p-value of the treatment coefficient.
    nobs : int
        Observations used (always all rows: nothing is dropped).
    n_clusters : int or None
        Number of clusters (``None`` unless ``vcov="cluster"``).
    r2_within : float
        R-squared after removing the fixed effects (and unit trends are counted as regressors).
    vcov : pandas.DataFrame
        Covariance matrix of the reported coefficients (treatment first, then controls).
    model : pyfixest Feols
        The underlying engine fit (its variables carry internal names; see ``names``).
    """

    coef: float = np.nan
    se: float = np.nan
    p_value: float = np.nan
    nobs: int = 0
    n_clusters: int | None = None
    r2_within: float = np.nan
    vcov: pd.DataFrame | None = None
    model: Any = None
    treatment: str | list[str] = ""
    controls: list[str] = field(default_factory=list)
    unit: str = ""
    time: str = ""
    fixed_effects: list[str] = field(default_factory=list)
    unit_trends: bool = False
    cluster: str | None = None
    weights: str | None = None
    names: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- helpers


def _fe_codes(data: pd.DataFrame, spec: str) -> np.ndarray:
    """Integer codes of a fixed effect given as a column or ``"a^b"`` interaction."""
    cols = spec.split("^")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise PanelDataError(f"fixed effect {spec!r}: missing column(s) {missing}")
    for c in cols:
        if data[c].isna().any():
            raise PanelDataError(f"fixed effect {spec!r}: column {c!r} has missing values")
    return data.groupby(cols, sort=True).ngroup().to_numpy()


def _check_treatment(data: pd.DataFrame, treatment: str, unit: str, time: str, treatment_type: str) -> None:
    if treatment_type == "binary":
        check_binary(data, treatment)
    elif treatment_type == "share":
        v = data[treatment].to_numpy(dtype=float)
        if (v < 0).any() or (v > 1).any():
            raise PanelDataError(
                f"treatment {treatment!r} with treatment_type='share' must lie in [0, 1]; "
                f"found range [{v.min():g}, {v.max():g}]"
            )
    elif treatment_type != "continuous":
        raise ValueError("treatment_type must be 'binary', 'share' or 'continuous'")
    d = data[treatment].to_numpy(dtype=float)
    if np.ptp(d) == 0:
        raise PanelDataError(
            f"treatment {treatment!r} is constant ({d[0]:g}) in every row: no treated-versus-untreated "
            "comparison is possible"
        )
    paths = data.pivot(index=unit, columns=time, values=treatment)
    if len(paths.drop_duplicates()) == 1:
        raise PanelDataError(
            f"no untreated comparison units: every unit has the same {treatment!r} path over {time!r}, "
            "so the treatment effect is not separable from the time fixed effects"
        )


def _fit(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    unit: str,
    time: str,
    *,
    fixed_effects: Sequence[str] = (),
    unit_trends: bool = False,
    cluster: str | None = None,
    weights: str | None = None,
    vcov: str = "cluster",
    ssc: dict | None = None,
    drop_collinear: bool = False,
    protected: Sequence[str] = (),
    fixef_tol: float = 1e-12,
):
    """Run pyfixest on internally renamed columns. Returns (fit, names) with names: internal -> original."""
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    cols: dict[str, np.ndarray] = {"didbook_y": data[outcome].to_numpy(dtype=float)}
    names: dict[str, str] = {}
    xs = []
    for j, c in enumerate(regressors):
        key = f"didbook_x{j}"
        cols[key] = data[c].to_numpy(dtype=float)
        names[key] = c
        xs.append(key)
    cols["didbook_fe_unit"] = _fe_codes(data, unit)
    cols["didbook_fe_time"] = _fe_codes(data, time)
    fes = ["didbook_fe_unit", "didbook_fe_time"]
    for j, spec in enumerate(fixed_effects):
        key = f"didbook_fe{j}"
        cols[key] = _fe_codes(data, spec)
        fes.append(key)
    if unit_trends:
        if not pd.api.types.is_numeric_dtype(data[time]):
            raise PanelDataError(f"unit_trends=True needs a numeric time column; {time!r} is {data[time].dtype}")
        t = data[time].to_numpy(dtype=float)
        t = t - t.mean()
        codes = cols["didbook_fe_unit"]
        # The first unit's trend is collinear with the time effects; leave it out.
        for g in range(1, codes.max() + 1):
            key = f"{_TREND_PREFIX}{g}"
            cols[key] = np.where(codes == g, t, 0.0)
            xs.append(key)
    if weights is not None:
        cols["didbook_w"] = data[weights].to_numpy(dtype=float)
    if vcov == "cluster":
        cl = cluster if cluster is not None else unit
        cols["didbook_cl"] = _fe_codes(data, cl)
        vc: Any = {"CRV1": "didbook_cl"}
    elif vcov == "robust":
        vc = "hetero"
    elif vcov == "iid":
        vc = "iid"
    else:
        raise ValueError("vcov must be 'cluster', 'robust' or 'iid'")
    work = pd.DataFrame(cols)
    fml = "didbook_y ~ " + " + ".join(xs) + " | " + " + ".join(fes)
    kwargs = {} if ssc is None else {"ssc": ssc}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # collinearity is handled below, explicitly
        fit = pf.feols(
            fml,
            data=work,
            vcov=vc,
            weights="didbook_w" if weights is not None else None,
            fixef_rm="none",
            demeaner=MapDemeaner(fixef_tol=fixef_tol),
            **kwargs,
        )
    if fit._N != len(data):  # pragma: no cover - fixef_rm="none" keeps every row
        raise PanelDataError(f"the engine used {fit._N} of {len(data)} rows; refusing to drop data")
    dropped = [str(v) for v in fit._collin_vars]
    dropped_user = [names[v] for v in dropped if not v.startswith(_TREND_PREFIX)]
    lost = [names.get(v) for v in dropped if names.get(v) in protected]
    if lost:
        raise PanelDataError(
            f"{lost} perfectly collinear with the fixed effects/controls: no variation left to estimate "
            "it (no untreated comparison units, or a treatment that coincides with a fixed effect?)"
        )
    if dropped_user and not drop_collinear:
        raise PanelDataError(
            f"singular covariates: {dropped_user} are perfectly collinear with the fixed effects or other "
            "regressors; remove them, or pass drop_collinear=True to drop them explicitly"
        )
    return fit, names, dropped_user


def _tidy_from_fit(fit, names: dict[str, str], keep: Sequence[str] | None = None) -> pd.DataFrame:
    tb = fit.tidy()
    tb = tb[[not str(i).startswith(_TREND_PREFIX) for i in tb.index]]
    out = pd.DataFrame(
        {
            "term": [names[str(i)] for i in tb.index],
            "estimate": tb["Estimate"].to_numpy(float),
            "std_error": tb["Std. Error"].to_numpy(float),
            "p_value": tb["Pr(>|t|)"].to_numpy(float),
            "conf_low": tb["2.5%"].to_numpy(float),
            "conf_high": tb["97.5%"].to_numpy(float),
        }
    )
    return out if keep is None else out.set_index("term").loc[list(keep)].reset_index()


def _vcov_frame(fit, names: dict[str, str]) -> pd.DataFrame:
    coefnames = [str(c) for c in fit._coefnames]
    idx = [i for i, c in enumerate(coefnames) if not c.startswith(_TREND_PREFIX)]
    labels = [names[coefnames[i]] for i in idx]
    v = np.asarray(fit._vcov)[np.ix_(idx, idx)]
    return pd.DataFrame(v, index=labels, columns=labels)


def _n_clusters(fit, vcov: str) -> int | None:
    return int(np.min(fit._G)) if vcov == "cluster" else None


def _warn_clusters(g: int | None, warn: bool, stacklevel: int = 3) -> None:
    if warn and g is not None and g < FEW_CLUSTERS:
        warnings.warn(
            f"only {g} clusters (< {FEW_CLUSTERS}): cluster-robust t-tests over-reject with few clusters; "
            "consider didbook.wild_cluster_bootstrap(...) for the p-value and confidence interval "
            "(silence with warn_few_clusters=False)",
            FewClustersWarning,
            stacklevel=stacklevel,
        )


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
    warn_few_clusters: bool = True,
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
        in ``info["dropped (collinear)"]``. The treatment is never dropped.
    warn_few_clusters : bool
        Warn (:class:`FewClustersWarning`) when there are fewer than :data:`FEW_CLUSTERS` clusters.

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
    >>> fit = didbook.twfe(df, "Rate", "Treated", "State", "Quarter", warn_few_clusters=False)
    >>> round(fit.coef, 6), round(fit.se, 6)
    (-0.022459, 0.006131)
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
    check_panel(data, unit, time, used)
    _check_treatment(data, treatment, unit, time, treatment_type)
    if weights is not None and not (data[weights].to_numpy(dtype=float) > 0).all():
        raise PanelDataError(f"weights column {weights!r} must be strictly positive")
    if cluster is not None and vcov != "cluster":
        raise ValueError(f"cluster={cluster!r} given but vcov={vcov!r}; use vcov='cluster'")
    fit, names, dropped = _fit(
        data, outcome, [treatment, *controls], unit, time,
        fixed_effects=fixed_effects, unit_trends=unit_trends, cluster=cluster, weights=weights,
        vcov=vcov, ssc=ssc, drop_collinear=drop_collinear, protected=[treatment],
    )
    table = _tidy_from_fit(fit, names)
    g = _n_clusters(fit, vcov)
    _warn_clusters(g, warn_few_clusters)
    row = table.iloc[0]
    info = {
        "Outcome": outcome,
        "Treatment": treatment,
        "Fixed effects": ", ".join([unit, time, *fixed_effects]) + (", unit trends" if unit_trends else ""),
        "Controls": ", ".join(controls) if controls else "none",
        "Weights": weights or "none",
        "Observations": int(fit._N),
        "Std. errors": (f"clustered by {cluster or unit} ({g} clusters)" if vcov == "cluster" else vcov),
        "Within R2": round(float(fit._r2_within), 6),
    }
    if dropped:
        info["dropped (collinear)"] = ", ".join(dropped)
    return TwfeResult(
        table=table, info=info, title="Two-way fixed effects DID",
        coef=float(row["estimate"]), se=float(row["std_error"]), p_value=float(row["p_value"]),
        nobs=int(fit._N), n_clusters=g, r2_within=float(fit._r2_within), vcov=_vcov_frame(fit, names),
        model=fit, treatment=treatment, controls=[c for c in controls if c not in dropped], unit=unit,
        time=time, fixed_effects=fixed_effects, unit_trends=unit_trends,
        cluster=(cluster or unit) if vcov == "cluster" else None, weights=weights, names=names,
    )

