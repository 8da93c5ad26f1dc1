"""Goodman-Bacon (2021) decomposition of the two-way fixed effects DID estimate.

With staggered adoption and a binary, absorbing treatment, the TWFE coefficient from
``y ~ D | unit + time`` on a balanced panel is a weighted average of all 2x2 DIDs between
timing groups:

* **Treated vs Never Treated** - a cohort against the never-treated units;
* **Earlier vs Later Treated** - an earlier cohort, with a later cohort *not yet* treated as control;
* **Later vs Earlier Treated** - a later cohort, with an earlier, *already treated* cohort as
  control. Goodman-Bacon calls these the comparisons with already-treated controls: when
  effects change over time they subtract the earlier cohort's effect dynamics and can even
  get the sign wrong.

The weights are non-negative, sum to one, and grow with group size and with the variance of
treatment within the pair (cohorts treated in the middle of the panel weigh most). Units already
treated in the first period have no within-unit variation in ``D`` and act like never-treated
units (Goodman-Bacon 2021, footnote 11).

Engine: ``diff-diff``'s ``BaconDecomposition`` (exact weights). The tests check it against a
hand computation on a three-group panel and check that the components add up to the TWFE
coefficient on the castle-doctrine data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._engine import _engine_info, _WarningLog
from ._results import Result, tidy_frame
from ._validation import PanelDataError, check_absorbing, check_binary, check_panel

__all__ = ["bacon_decomposition", "BaconResult"]

TYPE_NAMES = {
    "treated_vs_never": "Treated vs Never Treated",
    "earlier_vs_later": "Earlier vs Later Treated",
    "later_vs_earlier": "Later vs Earlier Treated",
}
DESCRIPTIONS = {
    "Treated vs Never Treated": "cohort vs never-treated units (clean)",
    "Earlier vs Later Treated": "earlier cohort vs not-yet-treated later cohort (clean)",
    "Later vs Earlier Treated": "later cohort vs already-treated earlier cohort (biased if effects change over time)",
}


@dataclass(repr=False)
class BaconResult(Result):
    """Result of :func:`bacon_decomposition`.

    ``tidy()`` has one row per comparison type (weight-averaged estimate; no standard errors,
    the decomposition is an identity).

    Attributes
    ----------
    components : pandas.DataFrame
        One row per 2x2 comparison: ``type, treated, control, estimate, weight, description``
        (``control`` is the control cohort or ``"never"``).
    by_type : pandas.DataFrame
        ``type, weight, estimate`` (weight-averaged estimate within type).
    estimate : float
        The headline: the TWFE coefficient of ``treatment`` (``outcome ~ treatment | unit + time``)
        that is being decomposed. ``std_error``, ``conf_low``, ``conf_high`` and ``p_value`` are
        NaN: the decomposition is an identity, not an inference.
    weighted_sum : float
        ``sum(weight * estimate)``; equals ``estimate`` up to rounding.
    """

    components: pd.DataFrame = None
    by_type: pd.DataFrame = None
    weighted_sum: float = np.nan

    @property
    def sum_check(self) -> float:
        """``weighted_sum - estimate`` (should be ~1e-15)."""
        return float(self.weighted_sum - self.estimate)

    def plot(self, ax=None, title: str | None = None):
        """Scatter of each 2x2 estimate against its weight, by comparison type, with the TWFE line.

        Returns the matplotlib Axes.

        Examples
        --------
        >>> ax = bacon_decomposition(df, "y", "d", "id", "t").plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        markers = {"Treated vs Never Treated": "o", "Earlier vs Later Treated": "^", "Later vs Earlier Treated": "v"}
        for i, (typ, grp) in enumerate(self.components.groupby("type", sort=False)):
            ax.scatter(
                grp["weight"], grp["estimate"], marker=markers.get(typ, "s"), color=f"C{i}", label=typ, alpha=0.8
            )
        ax.axhline(self.estimate, color="0.3", ls="--", lw=1, label=f"TWFE = {self.estimate:.4f}")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel("weight")
        ax.set_ylabel("2x2 DID estimate")
        if title:
            ax.set_title(title)
        ax.legend(frameon=False, fontsize="small")
        return ax


def bacon_decomposition(data: pd.DataFrame, outcome: str, treatment: str, unit: str, time: str) -> BaconResult:
    """Decompose the TWFE DID estimate into Goodman-Bacon 2x2 comparisons.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    outcome : str
        Outcome column.
    treatment : str
        Binary (0/1), absorbing treatment indicator. The timing groups are the first period
        with ``treatment == 1``.
    unit, time : str
        Unit and (numeric) period columns.

    Returns
    -------
    BaconResult
        ``.estimate`` (the TWFE coefficient), ``.components``, ``.by_type``, ``.weighted_sum``, ``.plot()``.

    Raises
    ------
    PanelDataError
        Missing columns, duplicate unit-period rows, NaNs, a non-binary treatment (e.g. the
        share of a year a law was in force: binarize it explicitly first), treatment that
        switches off, an unbalanced panel, or no variation in treatment timing.

    Examples
    --------
    >>> import didbook
    >>> castle = didbook.load_dataset("castle").data
    >>> bd = didbook.bacon_decomposition(castle, "l_homicide", "post", "sid", "year")
    >>> round(bd.estimate, 6), abs(bd.sum_check) < 1e-10
    (0.069398, True)
    """
    check_panel(data, unit, time, [outcome, treatment], ordered_time=True)
    if not pd.api.types.is_numeric_dtype(data[outcome]):
        raise PanelDataError(f"outcome {outcome!r} must be numeric, got dtype {data[outcome].dtype}")
    check_binary(data, treatment)
    check_absorbing(data, unit, time, treatment)
    n_t = data.groupby(unit)[time].nunique()
    T = data[time].nunique()
    if (n_t < T).any():
        n_drop, n_all = int((n_t < T).sum()), int(len(n_t))
        raise PanelDataError(
            f"unbalanced panel: {n_drop} of {n_all} unit(s) are not observed in all {T} periods; the "
            "Goodman-Bacon decomposition is an exact identity only for balanced panels. Balancing would drop "
            f"those {n_drop} units ({n_drop / n_all:.0%}): keep the units observed in every period explicitly, "
            f"e.g. data[data.groupby({unit!r})[{time!r}].transform('nunique') == {T}], and decompose "
            "that balanced sub-panel's TWFE estimate"
        )
    d = data[[unit, time, outcome, treatment]].copy()
    d[treatment] = d[treatment].astype(int)
    first = d.loc[d[treatment] == 1].groupby(unit)[time].min()
    d["_first_treat"] = d[unit].map(first).fillna(0)
    tmin = d[time].min()
    timing = sorted(first[first > tmin].unique())
    if len(timing) == 0:
        raise PanelDataError(f"treatment {treatment!r} never switches on within the panel: nothing to decompose")
    n_untreated = int((d.groupby(unit)[treatment].max() == 0).sum())
    if len(timing) == 1 and n_untreated == 0 and not (first <= tmin).any():
        raise PanelDataError("a single treatment cohort and no untreated units: no comparison is possible")

    import diff_diff as dd
    import pyfixest as pf

    log = _WarningLog()
    with log:
        res = dd.BaconDecomposition(weights="exact").fit(
            d, outcome=outcome, unit=unit, time=time, first_treat="_first_treat"
        )
        # formula-safe names: user columns may hold spaces, dots, CJK characters or leading digits
        safe = d[[outcome, treatment, unit, time]].set_axis(["y_", "d_", "u_", "t_"], axis=1)
        fit = pf.feols("y_ ~ d_ | u_ + t_", data=safe, vcov="iid")
    twfe_est = float(fit.coef()["d_"])
    comp = res.to_dataframe()
    n_always = int(getattr(res, "n_always_treated_remapped", 0) or 0)
    comps = pd.DataFrame(
        {
            "type": comp["comparison_type"].map(TYPE_NAMES),
            "treated": comp["treated_group"].astype(int),
            "control": [("never" if c == "never_treated" else int(c)) for c in comp["control_group"]],
            "estimate": comp["estimate"].astype(float),
            "weight": comp["weight"].astype(float),
        }
    )
    comps["description"] = comps["type"].map(DESCRIPTIONS)
    comps = comps.loc[comps["weight"] > 0].reset_index(drop=True)
    by = (
        comps.assign(we=comps["weight"] * comps["estimate"])
        .groupby("type", sort=False)
        .agg(weight=("weight", "sum"), we=("we", "sum"))
        .reset_index()
    )
    by["estimate"] = by["we"] / by["weight"]
    by = by[["type", "weight", "estimate"]]
    wsum = float((comps["weight"] * comps["estimate"]).sum())
    table = tidy_frame(by["type"], by["estimate"], np.full(len(by), np.nan))
    table["weight"] = by["weight"].to_numpy()
    info = {
        "TWFE estimate": f"{twfe_est:.6f}",
        "sum of weight x estimate": f"{wsum:.6f}",
        "comparisons": len(comps),
        "timing groups": [int(x) for x in timing],
        "never-treated units": n_untreated,
    }
    for typ, w in zip(by["type"], by["weight"]):
        info[f"weight: {typ}"] = f"{w:.4f}"
    if n_always:
        info["always-treated units"] = f"{n_always} (pooled with the never treated, Goodman-Bacon fn. 11)"
    info.update(_engine_info(log))
    return BaconResult(
        table=table,
        info=info,
        title=f"Goodman-Bacon decomposition of the TWFE estimate ({treatment})",
        components=comps,
        by_type=by,
        estimate=twfe_est,
        weighted_sum=wsum,
    )
