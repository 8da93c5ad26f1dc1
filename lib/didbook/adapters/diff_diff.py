"""Adapter for ``diff-diff``: the estimators of "Beyond the papers' toolkit" (issue 22).

The only module that calls ``diff_diff``'s estimators for :mod:`didbook.etwfe`,
:mod:`didbook.two_stage`, :mod:`didbook.stacked`, :mod:`didbook.lp_did`, :mod:`didbook.dcdh`,
:mod:`didbook.continuous` and :mod:`didbook.synthetic`, and reads their result objects. Every
reader returns plain numbers or frames with the book's column names, so an engine upgrade that
renames a field breaks one function here (each is exercised by the estimator's tests).

Engines receive formula-safe internal column names (``_unit``, ``_time``, ...; see
:func:`didbook._wrapped.safe_frame`), never the user's.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

__all__ = [
    "fit_wooldridge",
    "fit_two_stage",
    "fit_stacked",
    "fit_lpdid",
    "fit_dcdh",
    "twfe_weights",
    "fit_continuous",
    "continuous_engine",
    "fit_synthetic_did",
    "fit_synthetic_control",
    "overall",
    "overall_acrt",
    "effects_frame",
    "group_time_frame",
    "wooldridge_event",
    "lpdid_frames",
    "stacked_frame",
    "dcdh_frames",
    "dose_response_frame",
    "synthetic_weights",
    "synthetic_placebo_p",
]

# The columns every engine is handed (see didbook._wrapped.safe_frame).
U, T, Y, G, D = "_unit", "_time", "_y", "_cohort", "_d"


def fit_wooldridge(d: pd.DataFrame, controls: list[str], cluster: str, alpha: float, control_group: str):
    """``diff_diff.WooldridgeDiD`` (OLS ETWFE, cluster-robust CR1 at ``cluster``); controls as ``xtvar``
    (time-varying, interacted with cohort x period, demeaned within cohort, Wooldridge 2021)."""
    import diff_diff as dd

    est = dd.WooldridgeDiD(
        control_group={"never": "never_treated", "notyet": "not_yet_treated"}[control_group],
        alpha=alpha,
        cluster=cluster,
        unsupported_period_action="drop",
    )
    return est.fit(d, outcome=Y, unit=U, time=T, first_treat=G, xtvar=controls or None)


def fit_two_stage(d: pd.DataFrame, controls: list[str], cluster: str, alpha: float, horizon_max: int | None):
    """``diff_diff.TwoStageDiD`` (Gardner 2021; GMM sandwich variance clustered at ``cluster``)."""
    import diff_diff as dd

    est = dd.TwoStageDiD(alpha=alpha, cluster=cluster, horizon_max=horizon_max)
    return est.fit(d, outcome=Y, unit=U, time=T, first_treat=G, covariates=controls or None, aggregate="event_study")


def fit_stacked(d: pd.DataFrame, window: tuple[int, int], weighting: str, alpha: float, population=None):
    """``diff_diff.StackedDiD`` (Wing, Freedman and Hollingsworth 2024): the sub-experiments, the trimming and
    the corrective weights (read with :func:`stacked_frame`). Its own regression has no unit fixed effects,
    takes covariates only for entropy balancing and clusters only by unit, so :func:`didbook.stacked` refits
    the stacked regression itself (pyfixest) on :func:`stacked_frame`."""
    import diff_diff as dd

    est = dd.StackedDiD(kappa_pre=window[0], kappa_post=window[1], weighting=weighting, cluster="unit", alpha=alpha)
    return est.fit(d, outcome=Y, unit=U, time=T, first_treat=G, aggregate="event_study", population=population)


def fit_lpdid(d: pd.DataFrame, controls: list[str], window: tuple[int, int], cluster: str, alpha: float, **kw):
    """``diff_diff.LPDiD`` (Dube, Girardi, Jorda and Taylor 2023) on the 0/1 treatment ``_d``.

    LPDiD reserves column names starting with ``_`` (and ``horizon``), so the controls are handed over
    as ``lpdid_x0, lpdid_x1, ...``; they enter each horizon's regression at their value in the switch
    period ``t`` (direct inclusion with ``reweight=False``, regression adjustment with ``reweight=True``)."""
    import diff_diff as dd

    names = {x: f"lpdid_x{i}" for i, x in enumerate(controls)}
    est = dd.LPDiD(pre_window=window[0], post_window=window[1], cluster=cluster, alpha=alpha, **kw)
    return est.fit(d.rename(columns=names), Y, U, T, D, covariates=list(names.values()) or None)


def fit_dcdh(d: pd.DataFrame, horizons: int | None, alpha: float):
    """``diff_diff.ChaisemartinDHaultfoeuille``: DID_M (``horizons=None``) or DID_l, l = 1..horizons.

    Every unit is kept (``drop_larger_lower=False``: units that switch on and then off count, as in the
    2020 DID_M); the engine clusters at the unit (its ``cluster`` must be None)."""
    import diff_diff as dd

    placebo = horizons is not None  # the single-period placebo has no standard error
    est = dd.ChaisemartinDHaultfoeuille(alpha=alpha, placebo=placebo, twfe_diagnostic=False, drop_larger_lower=False)
    return est.fit(d, Y, unit=U, time=T, treatment=D, L_max=horizons)


def twfe_weights(d: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``diff_diff.twowayfeweights``: per-cell weights (``_unit, _time, weight``) and the summary numbers."""
    import diff_diff as dd

    r = dd.twowayfeweights(d, Y, unit=U, time=T, treatment=D)
    w = pd.DataFrame(r.weights).rename(columns={"weight": "weight"})
    facts = {
        "beta_fe": float(r.beta_fe),
        "sigma_fe": float(r.sigma_fe),
        "fraction_negative": float(r.fraction_negative),
    }
    return w, facts


def fit_continuous(d: pd.DataFrame, dose: str, degree: int, num_knots: int, dvals, alpha: float):
    """``diff_diff.ContinuousDiD`` (Callaway, Goodman-Bacon and Sant'Anna 2024), never-treated controls."""
    est = continuous_engine()(
        degree=degree, num_knots=num_knots, dvals=dvals, alpha=alpha, control_group="never_treated"
    )
    return est.fit(d, outcome=Y, unit=U, time=T, first_treat=G, dose=dose)


@functools.cache
def continuous_engine():
    """``diff_diff.ContinuousDiD`` with its panel pivot done by array indexing.

    The engine fills its unit x period outcome matrix one row at a time (``DataFrame.iterrows``), which
    is about 60% of a fit on the 276-city panel. This subclass builds the same structures in one scatter;
    ``tests/lib/test_adapters_engines.py`` checks them equal to the engine's own, key by key, so an
    engine upgrade that changes the structures fails there.
    """
    import diff_diff as dd
    from diff_diff.survey import build_unit_first_row_index

    class ContinuousDiD(dd.ContinuousDiD):
        def _precompute_structures(
            self, df, outcome, unit, time, first_treat, dose, time_periods, survey_weights=None, covariates=None
        ):
            all_units = sorted(df[unit].unique())
            unit_to_idx = {u: i for i, u in enumerate(all_units)}
            n_units, n_periods = len(all_units), len(time_periods)
            period_to_col = {t: j for j, t in enumerate(time_periods)}
            rows = df[unit].map(unit_to_idx).to_numpy()
            cols = df[time].map(period_to_col).to_numpy()
            if np.isnan(cols.astype(float)).any():
                raise KeyError(f"periods outside {list(time_periods)}")  # the engine's loop fails here too
            cols = cols.astype(int)
            outcome_matrix = np.full((n_units, n_periods), np.nan)
            outcome_matrix[rows, cols] = df[outcome].to_numpy(dtype=float)
            covariate_by_period = None
            if covariates:
                cube = np.full((n_units, n_periods, len(covariates)), np.nan)
                cube[rows, cols, :] = df[list(covariates)].to_numpy(dtype=float)
                covariate_by_period = {t: cube[:, period_to_col[t], :] for t in time_periods}
            first = df.groupby(unit).first().loc[all_units]
            unit_cohorts = first[first_treat].to_numpy(dtype=float)
            first_row = build_unit_first_row_index(df[unit].values, all_units)
            return {
                "all_units": all_units,
                "unit_to_idx": unit_to_idx,
                "outcome_matrix": outcome_matrix,
                "period_to_col": period_to_col,
                "unit_cohorts": unit_cohorts,
                "dose_vector": first[dose].to_numpy(dtype=float),
                "cohort_masks": {c: unit_cohorts == c for c in np.unique(unit_cohorts)},
                "never_treated_mask": unit_cohorts == 0,
                "time_periods": time_periods,
                "n_units": n_units,
                "unit_survey_weights": None if survey_weights is None else survey_weights[first_row],
                "unit_first_panel_row": first_row,
                "covariate_by_period": covariate_by_period,
            }

    return ContinuousDiD


def fit_synthetic_did(d: pd.DataFrame, post: list, variance: str, n_draws: int, seed, alpha: float):
    """``diff_diff.SyntheticDiD`` (Arkhangelsky et al. 2021) on the ever-treated indicator ``_d``."""
    import diff_diff as dd

    est = dd.SyntheticDiD(alpha=alpha, variance_method=variance, n_bootstrap=n_draws, seed=seed)
    return est.fit(d, Y, D, U, T, post_periods=post)


def fit_synthetic_control(d: pd.DataFrame, post: list, pre: list, seed, alpha: float):
    """``diff_diff.SyntheticControl``: donor weights fit on every pre-period outcome with equal importance
    (the outcome-only synthetic control of Arkhangelsky et al. 2021, Table 1), treatment ``_d`` absorbing."""
    import diff_diff as dd

    est = dd.SyntheticControl(v_method="custom", custom_v=np.ones(len(pre)), standardize="none", alpha=alpha, seed=seed)
    return est.fit(d, Y, D, U, T, post_periods=post, pre_period_outcomes=pre)


# ------------------------------------------------------------------------------------------ readers


def overall(res) -> tuple[float, float]:
    """The engine's overall ATT and its standard error."""
    att = getattr(res, "overall_att", None)
    if att is None:
        return float(res.att), float(res.se)
    se = getattr(res, "overall_att_se", None)  # ContinuousDiD spells it overall_att_se
    return float(att), float(res.overall_se if se is None else se)


def overall_acrt(res) -> tuple[float, float]:
    """ContinuousDiD's overall average causal response (ACRT^glob plug-in) and its standard error."""
    return float(res.overall_acrt), float(res.overall_acrt_se)


def effects_frame(effects: dict | None) -> pd.DataFrame:
    """An engine's ``event_study_effects`` dict -> ``event_time, estimate, std_error, n_obs`` (sorted)."""
    rows = []
    for k, v in (effects or {}).items():
        est = v.get("effect", v.get("att"))
        rows.append((int(k), float(est), float(v.get("se", np.nan)), v.get("n_obs", np.nan)))
    out = pd.DataFrame(rows, columns=["event_time", "estimate", "std_error", "n_obs"])
    return out.sort_values("event_time").reset_index(drop=True)


def group_time_frame(res) -> pd.DataFrame:
    """``group_time_effects`` ({(g, t): {"att", "se"}}) -> ``cohort, time, estimate, std_error``."""
    rows = [(int(g), int(t), float(v["att"]), float(v["se"])) for (g, t), v in res.group_time_effects.items()]
    return pd.DataFrame(rows, columns=["cohort", "time", "estimate", "std_error"]).sort_values(["cohort", "time"])


def wooldridge_event(res) -> pd.DataFrame:
    """ETWFE event-study aggregation (cell-weighted averages of the cohort x period ATTs by event time)."""
    res.aggregate("event")
    return effects_frame(res.event_study_effects)


def stacked_frame(res) -> pd.DataFrame:
    """StackedDiD's stacked data with the book's names: the engine frame's columns (``_unit``, ``_time``,
    ``_y``, controls, ``_cluster``, ...) plus ``sub_experiment`` (the cohort's adoption period),
    ``event_time``, ``treated`` (1 = the cohort's units) and ``weight`` (the corrective weight)."""
    st = res.stacked_data
    return st.rename(
        columns={"_sub_exp": "sub_experiment", "_event_time": "event_time", "_D_sa": "treated", "_Q_weight": "weight"}
    ).reset_index(drop=True)


def lpdid_frames(res) -> tuple[pd.DataFrame, dict]:
    """LP-DiD per-horizon estimates (``event_time, estimate, std_error, n_obs, n_clusters``) and the pooled
    post-window row (``estimate``, ``std_error``)."""
    es = res.event_study
    out = pd.DataFrame(
        {
            "event_time": es["horizon"].to_numpy(int),
            "estimate": es["coefficient"].to_numpy(float),
            "std_error": es["se"].to_numpy(float),
            "n_obs": es["n_obs"].to_numpy(float),
            "n_clusters": es["n_clusters"].to_numpy(float),
        }
    )
    pooled = {"estimate": float(res.att), "std_error": float(res.se)}
    return out, pooled


def dcdh_frames(res) -> tuple[pd.DataFrame, dict]:
    """dCDH event study (``event_time, estimate, std_error, n_obs``; placebos at negative times, the
    reference 0 dropped) and the joiners/leavers split."""
    es = res.to_dataframe("event_study")
    es = es.loc[(es["estimand"] != "ref") & es["effect"].notna()]
    out = pd.DataFrame(
        {
            "event_time": es["horizon"].to_numpy(int),
            "estimand": es["estimand"].astype(str).to_numpy(),
            "estimate": es["effect"].to_numpy(float),
            "std_error": es["se"].to_numpy(float),
            "n_obs": es["n_obs"].to_numpy(float),
        }
    )
    split = {
        "joiners": (float(res.joiners_att), float(res.joiners_se)) if res.joiners_available else None,
        "leavers": (float(res.leavers_att), float(res.leavers_se)) if res.leavers_available else None,
    }
    return out, split


def dose_response_frame(res) -> pd.DataFrame:
    """ATT(d) and ACRT(d) on the engine's dose grid: ``dose, att, att_se, acrt, acrt_se``."""
    a, c = res.dose_response_att, res.dose_response_acrt
    return pd.DataFrame(
        {
            "dose": np.asarray(a.dose_grid, dtype=float),
            "att": np.asarray(a.effects, dtype=float),
            "att_se": np.asarray(a.se, dtype=float),
            "acrt": np.asarray(c.effects, dtype=float),
            "acrt_se": np.asarray(c.se, dtype=float),
        }
    )


def synthetic_weights(res) -> pd.Series:
    """Donor (unit) weights of a synthetic DID or synthetic control fit, indexed by the engine's unit id."""
    w = getattr(res, "donor_weights", None)
    if w is None:
        w = res.unit_weights
    return pd.Series(dict(w), dtype=float).sort_values(ascending=False)


def synthetic_placebo_p(res) -> float:
    """Run the in-space placebos of a synthetic control fit; the RMSPE-ratio rank p-value (ADH 2010)."""
    res.in_space_placebo()
    return float(res.placebo_p_value)
