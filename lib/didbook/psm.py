"""Propensity-score matching followed by DID on the matched sample (PSM-DID).

Steps of :func:`psm_did`:

1. Collapse the panel to one row per unit: the treatment group (ever treated) and the
   matching covariates (``controls``), either their **average over the common pre-treatment periods**
   (all periods before the earliest adoption; ``period="pre"``) or their values in the first
   period (``period="first"``).
2. Fit a logit propensity score ``P(treated | X)`` with statsmodels.
3. Greedy nearest-neighbour matching on the propensity score: treated units are taken in
   order of decreasing score (as MatchIt's ``m.order = "largest"``); each gets its ``ratio``
   nearest control units whose score lies within the caliper. The caliper is an absolute
   distance on the score scale (``caliper_scale="absolute"``, default 0.05) or a multiple of
   the score's standard deviation (``caliper_scale="sd"``). Without replacement a control is
   used at most once. Treated units with no control inside the caliper are left unmatched and
   listed in ``result.unmatched``.
4. Balance table: standardized mean differences (SMD) before and after matching, each
   difference divided by the *pre-matching* pooled standard deviation
   ``sqrt((s_t^2 + s_c^2) / 2)`` so that before/after differ only through the means; after
   matching, controls are weighted by how often they are used.
5. TWFE DID (``outcome ~ treatment | unit + time``, clustered by unit) on the matched units'
   full panel, with the matching weights, via :func:`didbook.twfe`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._results import Result
from ._validation import PanelDataError, as_list, check_absorbing, check_binary, check_int, check_panel
from .twfe import twfe

__all__ = ["psm_did", "PsmDidResult", "smd", "nearest_neighbor_match"]


@dataclass(repr=False)
class PsmDidResult(Result):
    """Result of :func:`psm_did`. ``tidy()`` is the DID coefficient on the matched sample.

    Attributes
    ----------
    estimate, std_error, conf_low, conf_high, p_value : float
        The headline: the TWFE DID coefficient on the matched sample (as ``model``).
    balance : pandas.DataFrame
        ``covariate, mean_treated, mean_control_before, mean_control_after, smd_before,
        smd_after`` (the propensity score is the last row).
    matched_units : pandas.DataFrame
        ``unit, treated, pscore, weight`` for every unit kept in the matched sample.
    pairs : pandas.DataFrame
        ``treated_unit, control_unit, distance``: every match.
    unmatched : list
        Treated units without a control inside the caliper (not in the DID sample).
    pscore : pandas.Series
        Estimated propensity score of every unit (indexed by unit).
    model : didbook.TwfeResult
        The TWFE fit on the matched sample (``model.model`` is its pyfixest fit).
    propensity_model : statsmodels result
        The logit propensity-score model.
    info : dict
        ``n_treated``, ``n_control``, ``n_matched_treated``, ``n_unmatched_treated``,
        ``n_matched_controls``, ``caliper`` (score scale), ``ratio``, ``replace``, ``controls``,
        ``period``, ``max_abs_smd_before``, ``max_abs_smd_after``, ``n_obs`` (DID rows).
    """

    balance: pd.DataFrame = None
    matched_units: pd.DataFrame = None
    pairs: pd.DataFrame = None
    unmatched: list = field(default_factory=list)
    pscore: pd.Series = None
    model: Any = None
    propensity_model: Any = None
    units: pd.DataFrame = None

    @property
    def did(self):
        """Retired name of :attr:`model`, kept only until the robustness chapter uses ``model``."""
        return self.model

    def plot(self, kind: str = "balance", ax=None, title: str | None = None):
        """``kind="balance"``: love plot of |SMD| before and after matching; ``kind="overlap"``:
        propensity-score histograms of treated and control units. Returns the matplotlib Axes.

        Examples
        --------
        >>> ax = res.plot("overlap")  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if kind not in ("balance", "overlap"):
            raise ValueError(f"kind must be 'balance' or 'overlap', got {kind!r}")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        if kind == "balance":
            b = self.balance
            y = np.arange(len(b))
            ax.scatter(b["smd_before"].abs(), y, marker="o", color="C3", label="before matching")
            ax.scatter(b["smd_after"].abs(), y, marker="s", color="C0", label="after matching")
            ax.axvline(0.1, color="0.5", ls="--", lw=0.8, label="|SMD| = 0.1")
            ax.set_yticks(y, b["covariate"])
            ax.set_xlabel("absolute standardized mean difference")
        else:
            u = self.units
            bins = np.linspace(0, 1, 26)
            ax.hist(u.loc[u["treated"] == 1, "pscore"], bins=bins, alpha=0.6, color="C3", label="treated")
            ax.hist(u.loc[u["treated"] == 0, "pscore"], bins=bins, alpha=0.6, color="C0", label="control")
            ax.set_xlabel("propensity score")
            ax.set_ylabel("units")
        if title:
            ax.set_title(title)
        ax.legend(frameon=False)
        return ax


def smd(x_t, x_c, w_c=None, sd=None) -> float:
    """Standardized mean difference ``(mean_t - mean_c) / sd``.

    ``w_c`` weights the control mean; ``sd`` defaults to the pooled ``sqrt((s_t^2 + s_c^2)/2)``.

    Examples
    --------
    >>> round(smd([1.0, 2.0, 3.0], [0.0, 1.0, 2.0]), 6)
    1.0
    """
    x_t = np.asarray(x_t, dtype=float)
    x_c = np.asarray(x_c, dtype=float)
    if sd is None:
        sd = np.sqrt((x_t.var(ddof=1) + x_c.var(ddof=1)) / 2)
    mc = np.average(x_c, weights=w_c) if w_c is not None else x_c.mean()
    return float((x_t.mean() - mc) / sd) if sd > 0 else 0.0


def nearest_neighbor_match(
    score_treated: pd.Series, score_control: pd.Series, caliper: float, ratio: int = 1, replace: bool = False
) -> pd.DataFrame:
    """Greedy nearest-neighbour matching on a score with a caliper.

    Treated units are processed in order of decreasing score; ties in distance go to the
    control listed first. Returns ``treated_unit, control_unit, distance``.

    Examples
    --------
    >>> t = pd.Series({"a": 0.8, "b": 0.5})
    >>> c = pd.Series({"x": 0.79, "y": 0.45, "z": 0.1})
    >>> nearest_neighbor_match(t, c, caliper=0.1)[["treated_unit", "control_unit"]].values.tolist()
    [['a', 'x'], ['b', 'y']]
    """
    order = score_treated.sort_values(ascending=False, kind="stable")
    available = score_control.copy()
    rows = []
    for tu, s in order.items():
        if len(available) == 0:
            break
        dist = (available - s).abs()
        dist = dist[dist <= caliper]
        if len(dist) == 0:
            continue
        chosen = dist.sort_values(kind="stable").iloc[:ratio]
        for cu, dv in chosen.items():
            rows.append((tu, cu, float(dv)))
        if not replace:
            available = available.drop(chosen.index)
    return pd.DataFrame(rows, columns=["treated_unit", "control_unit", "distance"])


def psm_did(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    controls: Sequence[str],
    *,
    caliper: float = 0.05,
    caliper_scale: str = "absolute",
    ratio: int = 1,
    replace: bool = False,
    period: str = "pre",
    cluster: str | None = None,
) -> PsmDidResult:
    """Propensity-score matching, balance check and DID on the matched sample.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome : str
        Outcome for the DID.
    treatment : str
        Time-varying 0/1 absorbing treatment indicator ``D_it``. The treatment group is the
        units with ``D_it = 1`` in some period (ever treated); the DID regresses on ``D_it``.
    unit, time : str
        Unit and period columns.
    controls : sequence of str
        Matching covariates (numeric).
    caliper : float
        Maximum propensity-score distance of a match (see ``caliper_scale``).
    caliper_scale : {"absolute", "sd"}
        ``"absolute"``: ``caliper`` is on the score scale (default 0.05); ``"sd"``: ``caliper``
        times the standard deviation of the score (Austin recommends 0.2 SD of the logit).
    ratio : int
        Controls per treated unit (k-nearest neighbours).
    replace : bool
        Match with replacement (a control may serve several treated units).
    period : {"pre", "first"}
        Covariates used for matching: averages over the periods before the earliest adoption,
        or values in the first period.
    cluster : str, optional
        Cluster variable of the DID (default: the unit).

    Returns
    -------
    PsmDidResult
        ``.balance``, ``.matched_units``, ``.pairs``, ``.model``, ``.plot()``, ``.summary()``.

    Raises
    ------
    PanelDataError
        Missing columns, duplicates, NaNs, non-binary or switching-off treatment, no
        pre-treatment period, no treated or no control units, singular covariates, perfect
        separation in the logit, no match inside the caliper.

    Examples
    --------
    >>> import didbook
    >>> panel = didbook.simulate_city_panel(seed=2024)
    >>> res = didbook.psm_did(panel.data, "equalization", "dg_treated", "city_id", "year",
    ...                       ["log_gdp_pc", "digitalization", "tertiary_share"], caliper=0.05)
    >>> bool((res.balance["smd_after"].abs() <= res.balance["smd_before"].abs()).all())
    True
    """
    controls = as_list(controls)
    _check_inputs(data, outcome, treatment, unit, time, controls, caliper, caliper_scale, period, cluster)
    ratio = check_int("ratio", ratio, minimum=1)
    d = data.sort_values([unit, time])
    ever, X = _matching_covariates(d, treatment, unit, time, controls, period)
    log = _WarningLog()
    logit, ps = _propensity(ever, X, controls, log)
    cal = caliper * float(ps.std(ddof=1)) if caliper_scale == "sd" else float(caliper)
    pairs = nearest_neighbor_match(ps[ever == 1], ps[ever == 0], cal, ratio=ratio, replace=replace)
    if pairs.empty:
        raise PanelDataError(f"no treated unit has a control within the caliper ({cal:.4g}); widen the caliper")
    # matching weights: treated 1, each control sum over its matches of 1 / (#controls of that treated unit)
    k = pairs.groupby("treated_unit")["control_unit"].transform("size")
    cw = (1.0 / k).groupby(pairs["control_unit"]).sum()
    treated_m = pairs["treated_unit"].unique()
    unmatched = [u for u in ps[ever == 1].sort_values(ascending=False).index if u not in set(treated_m)]
    mu = pd.DataFrame(
        {
            "unit": list(treated_m) + list(cw.index),
            "treated": [1] * len(treated_m) + [0] * len(cw),
            "weight": [1.0] * len(treated_m) + list(cw.to_numpy()),
        }
    )
    mu["pscore"] = ps.reindex(mu["unit"]).to_numpy()
    balance = _balance(X.assign(**{"propensity score": ps}), ever, treated_m, cw)

    # DID on the matched sample
    w = mu.set_index("unit")["weight"]
    sample = d.loc[d[unit].isin(w.index)].copy()
    sample["_psm_weight"] = sample[unit].map(w).astype(float)
    use_w = "_psm_weight" if not np.allclose(w.to_numpy(), 1.0) else None
    with log:
        did = twfe(sample, outcome, treatment, unit, time, cluster=cluster, weights=use_w, warn_few_clusters=False)
    table = did.tidy()
    table["term"] = f"{treatment} (matched sample)"
    info = {
        "n_treated": int(ever.sum()),
        "n_control": int((ever == 0).sum()),
        "n_matched_treated": len(treated_m),
        "n_unmatched_treated": len(unmatched),
        "n_matched_controls": len(cw),
        "caliper": round(cal, 6),
        "ratio": ratio,
        "replace": replace,
        "controls": controls,
        "period": period,
        "max_abs_smd_before": round(float(balance["smd_before"].abs().max()), 6),
        "max_abs_smd_after": round(float(balance["smd_after"].abs().max()), 6),
        "n_obs": len(sample),
    }
    info.update(_engine_info(log))
    return PsmDidResult.from_table(
        table,
        info=info,
        title="PSM-DID: TWFE on the propensity-score matched sample",
        balance=balance,
        matched_units=mu,
        pairs=pairs,
        unmatched=unmatched,
        pscore=ps,
        model=did,
        propensity_model=logit,
        units=pd.DataFrame({"treated": ever, "pscore": ps}),
        notes=list(did.notes),
    )


def _check_inputs(data, outcome, treatment, unit, time, controls, caliper, caliper_scale, period, cluster) -> None:
    """Parameter and panel checks of :func:`psm_did` (each error names the parameter or column)."""
    if not controls:
        raise ValueError("controls must name at least one matching covariate")
    if caliper_scale not in ("absolute", "sd"):
        raise ValueError(f"caliper_scale must be 'absolute' or 'sd', got {caliper_scale!r}")
    if period not in ("pre", "first"):
        raise ValueError(f"period must be 'pre' or 'first', got {period!r}")
    if not caliper > 0:
        raise ValueError(f"caliper must be positive, got {caliper!r}")
    check_panel(data, unit, time, [outcome, treatment, *controls] + ([cluster] if cluster else []), ordered_time=True)
    for c in controls:
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise PanelDataError(f"covariate {c!r} must be numeric, got dtype {data[c].dtype}")
    check_binary(data, treatment)
    check_absorbing(data, unit, time, treatment)


def _matching_covariates(d: pd.DataFrame, treatment, unit, time, controls, period) -> tuple[pd.Series, pd.DataFrame]:
    """Ever-treated indicator per unit and the covariates each unit is matched on."""
    ever = d.groupby(unit)[treatment].max().astype(int)
    if ever.sum() == 0:
        raise PanelDataError(f"no treated units: {treatment!r} is 0 everywhere")
    if (ever == 0).sum() == 0:
        raise PanelDataError(f"no untreated comparison units: every unit has {treatment!r} = 1 at some point")
    first_adopt = d.loc[d[treatment] == 1, time].min()
    if period == "pre":
        pre = d.loc[d[time] < first_adopt]
        if pre.empty:
            raise PanelDataError(f"no pre-treatment period: treatment starts in the first period ({first_adopt})")
        X = pre.groupby(unit)[controls].mean()
    else:
        X = d.loc[d[time] == d[time].min()].set_index(unit)[controls]
    X = X.reindex(ever.index)
    if X.isna().any().any():
        raise PanelDataError(f"some units are not observed in the matching period ({period!r}); balance the panel")
    return ever, X


def _propensity(ever: pd.Series, X: pd.DataFrame, controls, log: _WarningLog):
    """The logit propensity-score model and the score of every unit; separation is an error."""
    from statsmodels.discrete.discrete_model import Logit

    Z = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    rank = np.linalg.matrix_rank(Z)
    if rank < Z.shape[1]:
        raise PanelDataError(
            f"matching covariates {controls} are collinear (rank {rank} < {Z.shape[1]} "
            "including the constant); drop redundant covariates"
        )
    try:
        with log:
            logit = Logit(ever.to_numpy(dtype=float), Z).fit(disp=0, maxiter=200)
    except Exception as e:  # statsmodels raises PerfectSeparationError / LinAlgError
        raise PanelDataError(
            f"propensity-score logit failed ({type(e).__name__}: {e}); "
            "check for covariates that perfectly predict treatment"
        ) from e
    ps = pd.Series(np.asarray(logit.predict(Z)), index=ever.index, name="pscore")
    if ((ps < 1e-8) | (ps > 1 - 1e-8)).any() or any("separation" in m.lower() for m in log.messages):
        raise PanelDataError(
            "perfect or quasi-perfect separation in the propensity-score logit: some units have "
            "scores of 0 or 1; matching is not possible on these covariates"
        )
    return logit, ps


def _balance(Xb: pd.DataFrame, ever: pd.Series, treated_m, cw: pd.Series) -> pd.DataFrame:
    """Means and standardized mean differences before and after matching, one row per covariate."""
    rows = []
    xt_all, xc_all = Xb[ever == 1], Xb[ever == 0]
    xt_m = Xb.loc[treated_m]
    xc_m = Xb.loc[cw.index]
    for c in Xb.columns:
        sd = float(np.sqrt((xt_all[c].var(ddof=1) + xc_all[c].var(ddof=1)) / 2))
        rows.append(
            {
                "covariate": c,
                "mean_treated": float(xt_all[c].mean()),
                "mean_control_before": float(xc_all[c].mean()),
                "mean_treated_after": float(xt_m[c].mean()),
                "mean_control_after": float(np.average(xc_m[c], weights=cw.to_numpy())),
                "smd_before": smd(xt_all[c], xc_all[c], sd=sd),
                "smd_after": smd(xt_m[c], xc_m[c], w_c=cw.to_numpy(), sd=sd),
            }
        )
    return pd.DataFrame(rows)
