"""Inequality and equalization measures: Gini, Theil, Dagum's Gini decomposition, CV, urban-rural gap.

Every measure here is a plain formula, written out so that a reader can check it by hand:

* :func:`gini` -- the (optionally weighted) Gini coefficient, half the relative mean absolute difference;
* :func:`theil` -- Theil's T (GE(1)) or L (GE(0), mean log deviation) with the exact within/between
  decomposition by group (:cite:t:`Theil1967`, :cite:t:`Shorrocks1980`);
* :func:`dagum_gini` -- the Dagum (1997) decomposition of the Gini coefficient into within-group,
  net between-group and transvariation parts, ``G = Gw + Gnb + Gt``;
* :func:`coefficient_of_variation`;
* :func:`urban_rural_theil` and :func:`income_ratio` -- the urban-rural income gap measures used in the
  Chinese literature.

Inputs are validated: missing or infinite values, negative values (where the measure needs
non-negative ones), zero means and non-positive populations raise a :class:`ValueError` that names
the problem. Nothing is dropped or filled silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from ._results import Measure
from ._validation import check_values

__all__ = [
    "gini",
    "theil",
    "TheilResult",
    "dagum_gini",
    "DagumResult",
    "dagum_by",
    "coefficient_of_variation",
    "urban_rural_theil",
    "income_ratio",
]


# ----------------------------------------------------------------------------- helpers
def _values(values, name: str = "values", *, nonnegative: bool = True) -> np.ndarray:
    """Return ``values`` as a 1-d float array; raise ValueError on NaN/inf/negatives/empty input."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        arr = arr.ravel()
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    check_values(
        arr, name, nonnegative=nonnegative, why_nonnegative="this inequality measure needs non-negative values"
    )
    return arr


def _weights(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _values(weights, "weights")
    if w.size != n:
        raise ValueError(f"weights has length {w.size} but values has length {n}")
    if w.sum() <= 0:
        raise ValueError("weights sum to zero")
    return w


def _positive_mean(mu: float, name: str = "values") -> None:
    if not mu > 0:
        raise ValueError(f"the mean of {name} is {mu:g}; inequality measures need a positive mean")


def _abs_diff_sum(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Return ``(sum_ir |x_i - y_r|, sum_ir max(x_i - y_r, 0))`` in O((n+m) log m) time."""
    ys = np.sort(y)
    cum = np.concatenate([[0.0], np.cumsum(ys)])
    k = np.searchsorted(ys, x, side="right")  # number of y_r <= x_i
    below = x * k - cum[k]  # sum over y_r <= x_i of (x_i - y_r) >= 0
    above = (cum[-1] - cum[k]) - x * (ys.size - k)  # sum over y_r > x_i of (y_r - x_i) > 0
    return float(below.sum() + above.sum()), float(below.sum())


# ----------------------------------------------------------------------------- Gini
def gini(values, weights=None) -> float:
    r"""Gini coefficient: half the mean absolute difference divided by the mean.

    .. math::
        G = \frac{\sum_i \sum_j w_i w_j |y_i - y_j|}{2 W^2 \mu}, \qquad
        W = \sum_i w_i,\; \mu = \frac{1}{W}\sum_i w_i y_i .

    With integer weights this equals the Gini of the data with each value repeated ``w_i`` times
    (e.g. city values weighted by population). Without weights it is the sample Gini used by
    :func:`dagum_gini` (no ``n/(n-1)`` small-sample correction).

    Parameters
    ----------
    values : array-like
        Non-negative values (income, an index, ...) with a positive mean.
    weights : array-like, optional
        Non-negative frequency weights (e.g. population).

    Returns
    -------
    float
        Between 0 (perfect equality) and ``1 - 1/n`` (one unit holds everything).

    Raises
    ------
    ValueError
        If values are missing, infinite or negative, or their mean is zero.

    Examples
    --------
    >>> gini([1, 2, 3])   # sum|diff| = 8, n^2 = 9, mean = 2 -> 8 / (2*9*2)
    0.2222222222222222
    >>> gini([1, 3], weights=[2, 1]) == gini([1, 1, 3])
    True
    """
    y = _values(values)
    w = _weights(weights, y.size)
    W = w.sum()
    mu = float(np.dot(w, y) / W)
    _positive_mean(mu)
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cw = np.cumsum(ws) - ws  # weight strictly before i
    cwy = np.cumsum(ws * ys) - ws * ys  # weighted sum of values before i
    half = np.sum(ws * (ys * cw - cwy))  # sum over pairs i<j of w_i w_j (y_j - y_i)
    return float(2 * half / (2 * W**2 * mu))


def coefficient_of_variation(values, weights=None, ddof: int = 0) -> float:
    r"""Coefficient of variation: standard deviation divided by the mean.

    .. math:: CV = \frac{\sqrt{\sum_i w_i (y_i - \mu)^2 / (W - \text{ddof})}}{\mu}

    Parameters
    ----------
    values : array-like
        Values with a positive mean (negative values are allowed).
    weights : array-like, optional
        Non-negative frequency weights.
    ddof : int, default 0
        0 for the population standard deviation, 1 for the sample one.

    Examples
    --------
    >>> coefficient_of_variation([1, 2, 3])   # sd = sqrt(2/3), mean = 2
    0.408248290463863
    """
    y = _values(values, nonnegative=False)
    w = _weights(weights, y.size)
    W = w.sum()
    mu = float(np.dot(w, y) / W)
    _positive_mean(mu)
    if W - ddof <= 0:
        raise ValueError(f"need more than ddof={ddof} observations (total weight {W:g})")
    var = float(np.dot(w, (y - mu) ** 2) / (W - ddof))
    return float(np.sqrt(var) / mu)


# ----------------------------------------------------------------------------- Theil
@dataclass(repr=False)
class TheilResult(Measure):
    """Theil index with its exact within/between-group decomposition.

    Attributes
    ----------
    kind : {"T", "L"}
        Theil T (GE(1), income-share weighted) or Theil L (GE(0), mean log deviation).
    total, within, between : float
        ``total == within + between`` (exactly, up to rounding).
    estimate : float
        Same as ``total`` (a descriptive measure: no standard error, interval or p-value).
    by_group : pandas.DataFrame
        One row per group: ``n``, ``pop_share`` (weight share), ``income_share``, ``mean``,
        ``theil`` (the group's own index), ``within`` (its contribution to the within part),
        ``between`` (its term in the between part) and ``contribution`` (their sum).
        Empty when no groups were given.
    """

    kind: str = "T"
    total: float = float("nan")
    within: float = float("nan")
    between: float = float("nan")
    by_group: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def estimate(self) -> float:
        """The measure's value, ``total``."""
        return float(self.total)

    def tidy(self) -> pd.DataFrame:
        """Components ``total, within, between`` with columns ``term, estimate, share``."""
        return self.table.copy()


def _theil_plain(y: np.ndarray, w: np.ndarray, kind: str) -> float:
    W = w.sum()
    mu = np.dot(w, y) / W
    if kind == "T":
        r = y / mu
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(r > 0, r * np.log(r), 0.0)  # 0 * ln 0 = 0
        return float(np.dot(w, terms) / W)
    return float(np.dot(w, np.log(mu / y)) / W)


def theil(
    values,
    groups=None,
    weights=None,
    kind: Literal["T", "L"] = "T",
) -> TheilResult:
    r"""Theil T or L index, decomposed exactly into within- and between-group parts.

    With weights ``w_i`` (population; 1 if omitted), ``W = sum w``, ``mu`` the weighted mean,
    group shares ``p_g = W_g / W`` (population) and ``s_g = p_g mu_g / mu`` (income):

    .. math::
        T &= \frac{1}{W}\sum_i w_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}
           = \underbrace{\sum_g s_g T_g}_{\text{within}}
           + \underbrace{\sum_g s_g \ln\frac{\mu_g}{\mu}}_{\text{between}} \\
        L &= \frac{1}{W}\sum_i w_i \ln\frac{\mu}{y_i}
           = \underbrace{\sum_g p_g L_g}_{\text{within}}
           + \underbrace{\sum_g p_g \ln\frac{\mu}{\mu_g}}_{\text{between}}

    Parameters
    ----------
    values : array-like
        Non-negative values (strictly positive for ``kind="L"``); zeros count as ``0 ln 0 = 0`` in T.
    groups : array-like, optional
        Group label of each value (region, province, urban/rural, ...).
    weights : array-like, optional
        Non-negative frequency weights (e.g. population).
    kind : {"T", "L"}, default "T"

    Returns
    -------
    TheilResult
        ``.total``, ``.within``, ``.between``, ``.by_group``; ``.tidy()`` gives the three parts and
        their shares of the total.

    Examples
    --------
    >>> r = theil([1, 1, 2, 4], groups=["a", "a", "b", "b"])  # mean 2: (2 * .5ln.5 + 0 + 2ln2)/4
    >>> round(r.total, 6), round(r.between, 6)  # between: .25 ln(1/2) + .75 ln(3/2)
    (0.173287, 0.130812)
    >>> round(theil([1, 2, 3], kind="L").total, 6)  # mean 2: (ln 2 + ln 1 + ln 2/3) / 3
    0.095894
    """
    if kind not in ("T", "L"):
        raise ValueError(f"kind must be 'T' or 'L', got {kind!r}")
    y = _values(values)
    w = _weights(weights, y.size)
    if kind == "L" and (y <= 0).any():
        raise ValueError(
            f"values has {int((y <= 0).sum())} zero value(s); Theil L (mean log deviation) needs strictly "
            "positive values -- use kind='T', which treats 0 ln 0 as 0"
        )
    W = w.sum()
    mu = float(np.dot(w, y) / W)
    _positive_mean(mu)
    total = _theil_plain(y, w, kind)
    info = {"index": f"Theil {kind}", "n_obs": y.size}

    by_group = pd.DataFrame()
    within = between = float("nan")
    if groups is not None:
        g = pd.Series(np.asarray(groups, dtype=object))
        if len(g) != y.size:
            raise ValueError(f"groups has length {len(g)} but values has length {y.size}")
        if g.isna().any():
            raise ValueError(f"groups has {int(g.isna().sum())} missing label(s)")
        rows = []
        for label in pd.unique(g):
            m = (g == label).to_numpy()
            yg, wg = y[m], w[m]
            Wg = wg.sum()
            if Wg <= 0:
                raise ValueError(f"group {label!r} has zero total weight")
            mug = float(np.dot(wg, yg) / Wg)
            if mug <= 0:
                raise ValueError(f"group {label!r} has mean {mug:g}; its Theil index is undefined")
            p = Wg / W
            s = p * mug / mu
            tg = _theil_plain(yg, wg, kind)
            if kind == "T":
                win, bet = s * tg, s * np.log(mug / mu)
            else:
                win, bet = p * tg, p * np.log(mu / mug)
            rows.append(
                {
                    "group": label,
                    "n": int(m.sum()),
                    "pop_share": p,
                    "income_share": s,
                    "mean": mug,
                    "theil": tg,
                    "within": win,
                    "between": bet,
                    "contribution": win + bet,
                }
            )
        by_group = pd.DataFrame(rows).set_index("group")
        within = float(by_group["within"].sum())
        between = float(by_group["between"].sum())
        info["n_groups"] = len(by_group)
        info["between_share"] = round(between / total, 6) if total > 0 else np.nan
    terms = ["total", "within", "between"]
    est = [total, within, between]
    table = pd.DataFrame({"term": terms, "estimate": est, "share": [e / total if total > 0 else np.nan for e in est]})
    return TheilResult(
        table=table,
        info=info,
        title=f"Theil {kind} index",
        kind=kind,
        total=total,
        within=within,
        between=between,
        by_group=by_group,
    )


# ----------------------------------------------------------------------------- Dagum
@dataclass(repr=False)
class DagumResult(Measure):
    r"""Dagum (1997) decomposition of the Gini coefficient, ``total == within + between_net + transvariation``.

    Attributes
    ----------
    total : float
        The overall Gini (equal to :func:`gini` of all values); also ``estimate`` (a descriptive
        measure: no standard error, interval or p-value).
    within, between_net, transvariation : float
        ``Gw``, ``Gnb`` and ``Gt``. Their sum is ``total``; ``between = between_net + transvariation``
        is the gross between-group part.
    within_gini : pandas.Series
        ``G_jj``, the Gini of each group (indexed by group, ordered by decreasing mean).
    between_gini : pandas.Series
        ``G_jh`` for each pair ``(j, h)`` (MultiIndex), ``j`` the group with the larger mean.
    affluence : pandas.Series
        Relative economic affluence ``D_jh = (d_jh - p_jh) / (d_jh + p_jh)`` for each pair, in [0, 1].
    groups : pandas.DataFrame
        Per group: ``n``, ``mean``, ``p`` (= n_j/n), ``s`` (= n_j mu_j / (n mu)), ``gini``, ``within``
        (its contribution ``G_jj p_j s_j``).
    pairs : pandas.DataFrame
        Per pair: ``gini``, ``d``, ``p`` (gross affluence and transvariation, both as means over the
        ``n_j n_h`` pairs), ``D``, ``weight`` (= p_j s_h + p_h s_j), ``between_net``, ``transvariation``.
    contributions : pandas.DataFrame
        The three parts with columns ``component, value, share``.
    """

    total: float = float("nan")
    within: float = float("nan")
    between_net: float = float("nan")
    transvariation: float = float("nan")
    within_gini: pd.Series = field(default_factory=pd.Series)
    between_gini: pd.Series = field(default_factory=pd.Series)
    affluence: pd.Series = field(default_factory=pd.Series)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def estimate(self) -> float:
        """The measure's value, ``total``."""
        return float(self.total)

    @property
    def between(self) -> float:
        """Gross between-group part ``Gb = Gnb + Gt``."""
        return self.between_net + self.transvariation

    @property
    def contributions(self) -> pd.DataFrame:
        """The three parts (``within``, ``between_net``, ``transvariation``) with value and share of the total."""
        t = self.table[self.table["term"] != "total"]
        return t.rename(columns={"term": "component", "estimate": "value"}).reset_index(drop=True)

    def tidy(self) -> pd.DataFrame:
        """Total and the three parts with columns ``term, estimate, share``."""
        return self.table.copy()

    def plot(self, ax=None):
        """Bar chart of the three contributions (shares of the total Gini); returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        c = self.contributions
        ax.bar(c["component"], c["share"], color=["C0", "C1", "C2"])
        ax.set_ylabel("share of total Gini")
        ax.set_title(f"Dagum decomposition (G = {self.total:.3f})")
        return ax


def dagum_gini(values, groups) -> DagumResult:
    r"""Dagum (1997) decomposition of the Gini coefficient by group.

    For ``k`` groups with ``n_j`` values ``y_ji`` and means ordered ``mu_1 >= ... >= mu_k``
    (``n``, ``mu`` overall), ``p_j = n_j / n`` and ``s_j = n_j mu_j / (n mu)``:

    .. math::
        G &= \frac{\sum_j\sum_h\sum_i\sum_r |y_{ji}-y_{hr}|}{2n^2\mu}, \qquad
        G_{jj} = \frac{\sum_i\sum_r |y_{ji}-y_{jr}|}{2 n_j^2 \mu_j}, \qquad
        G_{jh} = \frac{\sum_i\sum_r |y_{ji}-y_{hr}|}{n_j n_h(\mu_j+\mu_h)} \\
        G_w &= \sum_j G_{jj} p_j s_j, \qquad
        G_{nb} = \sum_{j>h} G_{jh}(p_j s_h + p_h s_j) D_{jh}, \qquad
        G_t = \sum_{j>h} G_{jh}(p_j s_h + p_h s_j)(1 - D_{jh})

    with ``D_jh = (d_jh - p_jh)/(d_jh + p_jh)``, where ``d_jh`` is the mean of ``y_ji - y_hr`` over the
    pairs with ``y_ji > y_hr`` (the richer group ahead, counting zeros elsewhere) and ``p_jh`` the same
    for ``y_hr > y_ji`` (transvariation). Since ``d_jh - p_jh = mu_j - mu_h`` and ``d_jh + p_jh`` is the
    mean absolute difference between the groups, ``D_jh`` is the share of the between-group
    differences explained by the gap in means. ``G = G_w + G_nb + G_t`` holds exactly. If two groups
    have identical constant values (``d_jh + p_jh = 0``), ``D_jh`` is set to 0 (its weight ``G_jh`` is 0).

    Parameters
    ----------
    values : array-like
        Non-negative values (one per unit, e.g. a city's index in one year) with positive group means.
    groups : array-like
        Group label per value (region, province, ...). At least two groups.

    Returns
    -------
    DagumResult

    Examples
    --------
    >>> r = dagum_gini([1, 4, 2, 6], groups=["a", "a", "b", "b"])
    >>> round(r.total, 6), round(r.within, 6), round(r.between_net, 6), round(r.transvariation, 6)
    (0.326923, 0.134615, 0.115385, 0.076923)
    >>> abs(r.within + r.between_net + r.transvariation - r.total) < 1e-12
    True
    """
    y = _values(values)
    g = pd.Series(np.asarray(groups, dtype=object))
    if len(g) != y.size:
        raise ValueError(f"groups has length {len(g)} but values has length {y.size}")
    if g.isna().any():
        raise ValueError(f"groups has {int(g.isna().sum())} missing label(s)")
    labels = list(pd.unique(g))
    if len(labels) < 2:
        raise ValueError("dagum_gini needs at least two groups")
    n = y.size
    mu = float(y.mean())
    _positive_mean(mu)
    total_abs, _ = _abs_diff_sum(y, y)
    G = total_abs / (2 * n**2 * mu)

    parts = {lab: y[(g == lab).to_numpy()] for lab in labels}
    means = {lab: float(v.mean()) for lab, v in parts.items()}
    for lab, m in means.items():
        if m <= 0:
            raise ValueError(f"group {lab!r} has mean {m:g}; its Gini is undefined")
    # order by decreasing mean (Dagum's convention); ties keep first-appearance order
    labels = sorted(labels, key=lambda lab: -means[lab])

    grows = []
    for lab in labels:
        v = parts[lab]
        nj, mj = v.size, means[lab]
        s_abs, _ = _abs_diff_sum(v, v)
        gjj = s_abs / (2 * nj**2 * mj)
        p, s = nj / n, nj * mj / (n * mu)
        grows.append({"group": lab, "n": nj, "mean": mj, "p": p, "s": s, "gini": gjj, "within": gjj * p * s})
    gdf = pd.DataFrame(grows).set_index("group")

    prow = []
    for j, h in combinations(labels, 2):  # j has the larger (or equal) mean
        xj, xh = parts[j], parts[h]
        nj, nh = xj.size, xh.size
        s_abs, s_pos = _abs_diff_sum(xj, xh)
        d_jh = s_pos / (nj * nh)  # richer group ahead
        p_jh = (s_abs - s_pos) / (nj * nh)  # transvariation
        gjh = s_abs / (nj * nh * (means[j] + means[h]))
        D = (d_jh - p_jh) / (d_jh + p_jh) if d_jh + p_jh > 0 else 0.0
        wt = gdf.at[j, "p"] * gdf.at[h, "s"] + gdf.at[h, "p"] * gdf.at[j, "s"]
        prow.append(
            {
                "group_j": j,
                "group_h": h,
                "gini": gjh,
                "d": d_jh,
                "p": p_jh,
                "D": D,
                "weight": wt,
                "between_net": gjh * wt * D,
                "transvariation": gjh * wt * (1 - D),
            }
        )
    pdf = pd.DataFrame(prow).set_index(["group_j", "group_h"])

    Gw = float(gdf["within"].sum())
    Gnb = float(pdf["between_net"].sum())
    Gt = float(pdf["transvariation"].sum())
    table = pd.DataFrame({"term": ["total", "within", "between_net", "transvariation"], "estimate": [G, Gw, Gnb, Gt]})
    table["share"] = table["estimate"] / G if G > 0 else np.nan
    info = {
        "n_obs": n,
        "n_groups": len(labels),
        "gini": round(G, 6),
        "decomposition_residual": float(f"{Gw + Gnb + Gt - G:.1e}"),
    }
    return DagumResult(
        table=table,
        info=info,
        title="Dagum Gini decomposition",
        total=G,
        within=Gw,
        between_net=Gnb,
        transvariation=Gt,
        within_gini=gdf["gini"].rename("within_gini"),
        between_gini=pdf["gini"].rename("between_gini"),
        affluence=pdf["D"].rename("affluence"),
        groups=gdf,
        pairs=pdf,
    )


def dagum_by(data: pd.DataFrame, value: str, group: str, by: str = "year") -> pd.DataFrame:
    """Dagum decomposition of ``value`` by ``group`` separately for each ``by`` (e.g. each year).

    Returns a tidy frame, one row per ``by`` value, with columns ``total, within, between_net,
    transvariation`` and the within-group Gini of each group as ``gini_<group>``.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [1] * 4 + [2] * 4, "y": [1, 4, 2, 6, 1, 1, 2, 2],
    ...                    "region": ["a", "a", "b", "b"] * 2})
    >>> dagum_by(df, "y", "region")[["year", "total", "within"]].round(4)
       year   total  within
    0     1  0.3269  0.1346
    1     2  0.1667  0.0000
    """
    missing = [c for c in (value, group, by) if c not in data.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}")
    rows = []
    for key, d in data.groupby(by, sort=True):
        r = dagum_gini(d[value].to_numpy(), d[group].to_numpy())
        row = {
            by: key,
            "total": r.total,
            "within": r.within,
            "between_net": r.between_net,
            "transvariation": r.transvariation,
        }
        row.update({f"gini_{k}": v for k, v in r.within_gini.items()})
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- urban-rural
def _urban_rural_inputs(urban_income, rural_income, urban_population=None, rural_population=None):
    def arr(x, name, positive):
        a = np.asarray(x, dtype=float)
        n_nan = int(np.isnan(a).sum())
        if n_nan:
            raise ValueError(f"{name} has {n_nan} missing value(s)")
        if positive and (a <= 0).any():
            raise ValueError(f"{name} has {int((a <= 0).sum())} zero or negative value(s); it must be positive")
        return a

    ui = arr(urban_income, "urban_income", True)
    ri = arr(rural_income, "rural_income", True)
    if urban_population is None:
        return ui, ri, None, None
    up = arr(urban_population, "urban_population", True)
    rp = arr(rural_population, "rural_population", True)
    return ui, ri, up, rp


def _like(template, out: np.ndarray, name: str):
    if isinstance(template, pd.Series):
        return pd.Series(out, index=template.index, name=name)
    return out if out.ndim else float(out)


def urban_rural_theil(urban_income, rural_income, urban_population, rural_population, *, per_capita: bool = True):
    r"""Urban-rural income Theil index, row by row (e.g. per city-year).

    .. math::
        T = \sum_{j \in \{u, r\}} \frac{I_j}{I} \ln\!\left(\frac{I_j / I}{P_j / P}\right)

    where ``I_j`` is the total income of group ``j`` (urban or rural), ``I = I_u + I_r``, ``P_j`` the
    population and ``P = P_u + P_r`` -- the form common in the Chinese literature on the urban-rural gap.
    It is the between-group part of the Theil T index over the two groups, so it is 0 when per-capita
    incomes are equal and grows with the gap and with the income share of the richer group.

    Parameters
    ----------
    urban_income, rural_income : array-like or Series
        Per-capita income (default) or total income (``per_capita=False``). Must be positive.
    urban_population, rural_population : array-like or Series
        Populations; must be positive (a zero population makes the index undefined).
    per_capita : bool, default True
        If True, total income is ``I_j = income_j * P_j``.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Same shape as the inputs (a Series with the index of ``urban_income`` if it is one).

    Examples
    --------
    >>> round(urban_rural_theil(30.0, 10.0, 1.0, 1.0), 6)   # shares 3/4 and 1/4 of income, 1/2 of people
    0.130812
    """
    ui, ri, up, rp = _urban_rural_inputs(urban_income, rural_income, urban_population, rural_population)
    Iu, Ir = (ui * up, ri * rp) if per_capita else (ui, ri)
    I, P = Iu + Ir, up + rp
    out = (Iu / I) * np.log((Iu / I) / (up / P)) + (Ir / I) * np.log((Ir / I) / (rp / P))
    return _like(urban_income, np.asarray(out), "urban_rural_theil")


def income_ratio(urban_income, rural_income):
    """Urban-rural income ratio: per-capita urban income divided by per-capita rural income.

    Examples
    --------
    >>> income_ratio(30.0, 12.0)
    2.5
    """
    ui, ri, _, _ = _urban_rural_inputs(urban_income, rural_income)
    return _like(urban_income, np.asarray(ui / ri), "income_ratio")
