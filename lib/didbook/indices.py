"""Composite indices: normalization, weights (entropy, PCA, equal) and the urban-rural equalization index.

A composite index of public services is built in three steps:

1. **normalize** each indicator to a common scale (:func:`normalize`): min-max, with the direction
   reversed for negative indicators (more is worse), or z-scores;
2. **weight** the indicators (:func:`entropy_weights` -- the entropy weight method, 熵值法;
   :func:`pca_weights`; :func:`equal_weights`);
3. **aggregate**: per-dimension sub-indices and an overall index (:func:`composite_index`).

:func:`equalization_index` applies this to urban and rural versions of the same indicators on a
common scale and returns the rural/urban ratio of the index (1 = equal provision).

Inputs are validated: missing, infinite or negative indicator values and constant indicators
raise a :class:`ValueError` naming the column. Nothing is dropped or filled silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ._results import Measure
from ._validation import as_list, check_values

__all__ = [
    "normalize",
    "entropy_weights",
    "pca_weights",
    "equal_weights",
    "composite_index",
    "CompositeIndex",
    "equalization_index",
    "EqualizationIndex",
    "PUBLIC_SERVICE_DIMENSIONS",
    "public_service_indicators",
]

DEFAULT_SHIFT = 1e-4

#: Paper 1's basic public services: 4 dimensions, 10 indicators (all per 10,000 people; education
#: spending per capita). Column stems of the simulated panel (each with ``_urban``/``_rural``).
PUBLIC_SERVICE_DIMENSIONS: dict[str, list[str]] = {
    "education": ["primary_schools", "primary_pupils", "teachers", "education_spending"],
    "health": ["health_institutions", "hospital_beds", "physicians"],
    "social_security": ["pension_enrollees", "medical_enrollees"],
    "culture": ["library_books"],
}

_INDICATOR_NAMES = {
    "primary_schools": ("primary schools", "小学数"),
    "primary_pupils": ("primary-school pupils", "小学在校生数"),
    "teachers": ("full-time primary-school teachers", "小学专任教师数"),
    "education_spending": ("education spending", "教育支出"),
    "health_institutions": ("health institutions", "医疗卫生机构数"),
    "hospital_beds": ("hospital beds", "医院床位数"),
    "physicians": ("licensed (assistant) physicians", "执业（助理）医师数"),
    "pension_enrollees": ("basic pension insurance enrollees", "基本养老保险参保人数"),
    "medical_enrollees": ("basic medical insurance enrollees", "基本医疗保险参保人数"),
    "library_books": ("public-library books", "公共图书馆藏书量"),
}
_DIMENSION_NAMES = {"education": "教育", "health": "医疗", "social_security": "社会保障", "culture": "文化"}


def public_service_indicators() -> pd.DataFrame:
    """The indicator table of paper 1: dimension, indicator stem, English and Chinese names, direction.

    Examples
    --------
    >>> t = public_service_indicators()
    >>> t.shape, t.loc[t.indicator == "hospital_beds", "chinese"].item()
    ((10, 6), '医院床位数')
    """
    rows = [
        (d, _DIMENSION_NAMES[d], k, *_INDICATOR_NAMES[k], "+")
        for d, ks in PUBLIC_SERVICE_DIMENSIONS.items()
        for k in ks
    ]
    return pd.DataFrame(rows, columns=["dimension", "dimension_zh", "indicator", "english", "chinese", "direction"])


# ----------------------------------------------------------------------------- validation
def _check_indicators(
    data: pd.DataFrame, columns: Sequence[str], negative: Iterable[str] = (), *, nonnegative: bool = True
) -> None:
    """Raise ValueError unless every column exists, is numeric and finite (and non-negative)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"indicators must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) < 2:
        raise ValueError(f"need at least 2 rows to normalize indicators, got {len(data)}")
    columns = list(columns)
    if not columns:
        raise ValueError("no indicator columns given")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"missing indicator column(s) {missing}; available: {list(data.columns)[:30]}")
    bad_neg = [c for c in negative if c not in columns]
    if bad_neg:
        raise ValueError(f"negative= names column(s) {bad_neg} that are not among the indicators {columns}")
    for c in columns:
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise ValueError(f"indicator {c!r} is not numeric (dtype {data[c].dtype})")
        check_values(
            data[c].to_numpy(dtype=float),
            f"indicator {c!r}",
            nonnegative=nonnegative,
            why_nonnegative="counts and amounts per 10,000 people cannot be negative",
        )


def _groups_of(data: pd.DataFrame, by) -> pd.Series:
    if isinstance(by, str):
        if by not in data.columns:
            raise ValueError(f"by={by!r} is not a column of the data")
        g = data[by]
    else:
        g = pd.Series(np.asarray(by), index=data.index)
        if len(g) != len(data):
            raise ValueError(f"by has length {len(g)} but the data have {len(data)} rows")
    if g.isna().any():
        raise ValueError(f"the grouping variable has {int(g.isna().sum())} missing value(s)")
    return g


# ----------------------------------------------------------------------------- normalization
def normalize(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    method: Literal["minmax", "zscore"] = "minmax",
    negative: Iterable[str] = (),
    *,
    shift: float = 0.0,
    nonnegative: bool = True,
) -> pd.DataFrame:
    r"""Normalize indicators to a common scale, reversing negative indicators.

    * ``"minmax"``: positive indicator ``(x - min) / (max - min)``, negative indicator
      ``(max - x) / (max - min)``, both in [0, 1], plus ``shift`` (e.g. ``1e-4`` so that no value is
      exactly 0 before taking logs in the entropy method).
    * ``"zscore"``: ``(x - mean) / sd`` (population sd, ``ddof=0``, as :func:`scipy.stats.zscore`),
      with the sign flipped for negative indicators. ``shift`` is ignored.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (city or city-year).
    columns : sequence of str, optional
        Indicator columns (default: all columns of ``data``).
    method : {"minmax", "zscore"}
    negative : iterable of str
        Indicators for which more is worse (e.g. pupils per teacher).
    shift : float, default 0
        Added to min-max normalized values.
    nonnegative : bool, default True
        Require non-negative raw values (counts and amounts). Set False for indicators such as growth rates.

    Returns
    -------
    pandas.DataFrame
        Normalized indicators with the same index and column names.

    Raises
    ------
    ValueError
        On missing, infinite or negative values, or a constant indicator (its scale is undefined).

    Examples
    --------
    >>> df = pd.DataFrame({"beds": [10.0, 20.0, 30.0], "ratio": [1.0, 3.0, 2.0]})
    >>> normalize(df, negative=["ratio"])
       beds  ratio
    0   0.0    1.0
    1   0.5    0.0
    2   1.0    0.5
    """
    columns = list(data.columns) if columns is None else as_list(columns)
    negative = as_list(negative)
    _check_indicators(data, columns, negative, nonnegative=nonnegative)
    if method not in ("minmax", "zscore"):
        raise ValueError(f"method must be 'minmax' or 'zscore', got {method!r}")
    return _apply_scaling(data, _scaling(data, columns, method, negative, shift))


def _scaling(data: pd.DataFrame, columns, method: str, negative, shift: float) -> pd.DataFrame:
    """Per indicator ``center, scale, sign, offset`` so that ``z = sign * (x - center) / scale + offset``."""
    rows = {}
    for c in columns:
        x = data[c].astype(float)
        lo, hi = x.min(), x.max()
        if hi == lo:
            raise ValueError(
                f"indicator {c!r} is constant (every value is {lo:g}); it carries no information and its "
                "normalized value and entropy weight are undefined -- drop it from the index"
            )
        neg = c in negative
        if method == "minmax":
            rows[c] = (hi if neg else lo, hi - lo, -1.0 if neg else 1.0, shift)
        else:
            rows[c] = (x.mean(), x.std(ddof=0), -1.0 if neg else 1.0, 0.0)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["center", "scale", "sign", "offset"])


def _apply_scaling(data: pd.DataFrame, sc: pd.DataFrame) -> pd.DataFrame:
    x = data[list(sc.index)].astype(float)
    return x.sub(sc["center"], axis=1).div(sc["scale"], axis=1).mul(sc["sign"], axis=1).add(sc["offset"], axis=1)


# ----------------------------------------------------------------------------- weights
def _entropy_one(z: pd.DataFrame, shift: float) -> pd.Series:
    n = len(z)
    p = z / z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)  # with shift=0: 0 ln 0 = 0
    e = -plogp.sum(axis=0) / np.log(n)
    d = 1.0 - e
    if d.sum() <= 0:
        raise ValueError("all indicators have maximal entropy (no dispersion); entropy weights are undefined")
    return pd.Series(d / d.sum(), index=z.columns, name="weight")


def entropy_weights(
    indicators: pd.DataFrame,
    negative: Iterable[str] = (),
    *,
    shift: float = DEFAULT_SHIFT,
    by=None,
) -> pd.Series | pd.DataFrame:
    r"""Entropy weight method (熵值法): indicators that vary more across units get more weight.

    With ``n`` units and min-max normalized indicators ``z_ij`` (direction-adjusted, plus ``shift``):

    .. math::
        p_{ij} = \frac{z_{ij}}{\sum_i z_{ij}}, \quad
        e_j = -\frac{1}{\ln n}\sum_i p_{ij}\ln p_{ij}, \quad
        d_j = 1 - e_j, \quad
        w_j = \frac{d_j}{\sum_k d_k}.

    ``e_j`` is in [0, 1]: an indicator with the same value everywhere has ``e_j = 1`` and no weight.
    The ``shift`` (default ``1e-4``) keeps ``p_ij > 0`` so that ``ln p`` exists; with ``shift=0`` the
    convention ``0 ln 0 = 0`` is used instead.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Raw indicators, one column each (counts/amounts, non-negative), one row per unit. Pooled panel
        data (city-years) give one set of weights for all years.
    negative : iterable of str
        Indicators for which more is worse; their direction is reversed.
    shift : float, default 1e-4
        Added to the min-max normalized values.
    by : str or array-like, optional
        Compute the weights separately within each group (e.g. ``"year"``: each year's cross-section
        normalized and weighted on its own). A column name of ``indicators`` or labels aligned with its rows.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        One weight per indicator, summing to 1; with ``by``, a DataFrame with one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    >>> entropy_weights(df, shift=0).round(4)  # e_a = ln(27/4)/(3 ln 3), e_b = 0
    a    0.2961
    b    0.7039
    Name: weight, dtype: float64
    """
    negative = as_list(negative)
    if by is not None:
        g = _groups_of(indicators, by)
        cols = [c for c in indicators.columns if not (isinstance(by, str) and c == by)]
        rows = {}
        for key, pos in g.groupby(g, sort=True).indices.items():
            try:
                rows[key] = entropy_weights(indicators.iloc[pos][cols], negative, shift=shift)
            except ValueError as err:
                raise ValueError(f"group {key}: {err}") from None
        out = pd.DataFrame(rows).T
        out.index.name = by if isinstance(by, str) else "group"
        return out
    z = normalize(indicators, method="minmax", negative=negative, shift=shift)
    return _entropy_one(z, shift)


def pca_weights(
    indicators: pd.DataFrame,
    negative: Iterable[str] = (),
    *,
    n_components: int | None = None,
) -> pd.Series:
    r"""Principal-component weights from the correlation matrix of the (direction-adjusted) indicators.

    Let ``lambda_k`` and ``v_k`` be the eigenvalues and unit eigenvectors of the correlation matrix
    (each ``v_k`` signed so that its entries sum to a positive number), and keep ``K`` components
    (``n_components``; by default the Kaiser rule, eigenvalue > 1, at least one). Then

    .. math:: w_j \propto \sum_{k \le K} \frac{\lambda_k}{\sum_{l \le K}\lambda_l} |v_{jk}|,

    normalized to sum to 1: each indicator's weight is its (variance-share weighted) loading on the
    retained components. Min-max or z-score scaling does not change the correlation matrix, so the
    raw indicators can be passed.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Raw indicators (non-negative, non-constant), one row per unit.
    negative : iterable of str
        Indicators for which more is worse (their sign is flipped first).
    n_components : int, optional
        Number of components to keep; default: Kaiser rule.

    Returns
    -------
    pandas.Series
        One weight per indicator, summing to 1.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [3.0, 5.0, 7.0, 9.0], "c": [1.0, -1.0, -1.0, 1.0]})
    >>> pca_weights(df, n_components=1).round(6)   # a and b move together, c is unrelated
    a    0.5
    b    0.5
    c    0.0
    Name: weight, dtype: float64
    """
    z = normalize(indicators, method="zscore", negative=negative, nonnegative=False)
    m = z.shape[1]
    if m == 1:
        return pd.Series([1.0], index=z.columns, name="weight")
    R = np.corrcoef(z.to_numpy(), rowvar=False)
    lam, vec = np.linalg.eigh(R)
    order = np.argsort(lam)[::-1]
    lam, vec = lam[order], vec[:, order]
    if n_components is None:
        K = max(1, int((lam > 1).sum()))
    else:
        if not 1 <= int(n_components) <= m:
            raise ValueError(f"n_components must be between 1 and {m}, got {n_components}")
        K = int(n_components)
    vec = vec[:, :K] * np.where(vec[:, :K].sum(axis=0) < 0, -1.0, 1.0)
    share = lam[:K] / lam[:K].sum()
    raw = np.abs(vec) @ share
    w = raw / raw.sum()
    w[np.abs(w) < 1e-14] = 0.0
    return pd.Series(w, index=z.columns, name="weight")


def equal_weights(indicators: pd.DataFrame | Sequence[str]) -> pd.Series:
    """Equal weights ``1/m`` for ``m`` indicators (a DataFrame's columns or a list of names).

    Examples
    --------
    >>> equal_weights(["a", "b", "c", "d"]).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    cols = list(indicators.columns) if isinstance(indicators, pd.DataFrame) else as_list(indicators)
    if not cols:
        raise ValueError("no indicators given")
    return pd.Series(1.0 / len(cols), index=cols, name="weight")


# ----------------------------------------------------------------------------- composite index
@dataclass(repr=False)
class CompositeIndex(Measure):
    """A composite index with its sub-indices and weights.

    Attributes
    ----------
    scores : pandas.DataFrame
        Index aligned with the input rows; one column per dimension (its sub-index) and ``"overall"``.
        Sub-index ``d`` is ``sum_{j in d} (w_j / W_d) z_j`` (weights renormalized within the dimension,
        so sub-indices share the scale of the normalized indicators) and
        ``overall = sum_d W_d * sub-index_d = sum_j w_j z_j`` with ``W_d = sum_{j in d} w_j``.
    weights : pandas.Series or pandas.DataFrame
        Indicator weights (a DataFrame with one row per group when ``by`` was used).
    dimension_weights : pandas.Series or pandas.DataFrame
        ``W_d`` per dimension (per group with ``by``).
    normalized : pandas.DataFrame
        The normalized indicators ``z``.
    dimensions : dict
        Dimension name -> list of indicators.
    method, normalization : str
    scaling : pandas.DataFrame
        The fitted normalization, per indicator ``center, scale, sign, offset`` with
        ``z = sign * (x - center) / scale + offset`` (used by :meth:`transform`).
    by : str or None
        The grouping column of group-specific weights.
    """

    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    weights: pd.Series | pd.DataFrame = field(default_factory=pd.Series)
    dimension_weights: pd.Series | pd.DataFrame = field(default_factory=pd.Series)
    normalized: pd.DataFrame = field(default_factory=pd.DataFrame)
    dimensions: dict = field(default_factory=dict)
    method: str = "entropy"
    normalization: str = "minmax"
    scaling: pd.DataFrame = field(default_factory=pd.DataFrame)
    by: str | None = None

    @property
    def overall(self) -> pd.Series:
        """The overall index (a Series aligned with the input rows)."""
        return self.scores["overall"]

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Score new rows with the **fitted** normalization constants and weights.

        Useful for counterfactual data (the same cities without the policy) or later years: the
        index is then the same function of the indicators, so differences are comparable. Values
        outside the fitted range give normalized values outside [0, 1]; nothing is clipped.

        Returns
        -------
        pandas.DataFrame
            Same columns as :attr:`scores`, indexed like ``data``.
        """
        cols = list(self.scaling.index)
        _check_indicators(data, cols, nonnegative=False)
        z = _apply_scaling(data, self.scaling)
        if self.by is None:
            wr = pd.DataFrame([self.weights[cols].to_numpy()] * len(data), columns=cols, index=data.index)
        else:
            g = _groups_of(data, self.by)
            unseen = sorted(set(g) - set(self.weights.index))
            if unseen:
                raise ValueError(f"no fitted weights for {self.by}={unseen[:5]}")
            wr = self.weights.loc[g.to_numpy(), cols].set_axis(data.index)
        scores = pd.DataFrame(
            {d: (z[v] * wr[v]).sum(axis=1) / wr[v].sum(axis=1) for d, v in self.dimensions.items()}, index=data.index
        )
        scores["overall"] = (z * wr).sum(axis=1)
        return scores

    def tidy(self) -> pd.DataFrame:
        """Weights as a table: ``dimension, indicator, weight`` (plus the group column with ``by``)."""
        return self.table.copy()


def _as_dimensions(dimensions) -> dict[str, list[str]]:
    if isinstance(dimensions, Mapping):
        dims = {str(k): as_list(v) for k, v in dimensions.items()}
    else:
        dims = {"index": as_list(dimensions)}
    cols = [c for v in dims.values() for c in v]
    if not cols:
        raise ValueError("dimensions lists no indicators")
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise ValueError(f"indicator(s) {dup} appear in more than one dimension")
    if "overall" in dims:
        raise ValueError("'overall' is reserved for the overall index; rename that dimension")
    return dims


def _weights_for(method: str, X: pd.DataFrame, negative, shift, n_components):
    if method == "entropy":
        return entropy_weights(X, negative, shift=shift)
    if method == "pca":
        return pca_weights(X, negative, n_components=n_components)
    if method == "equal":
        return equal_weights(X)
    raise ValueError(f"method must be 'entropy', 'pca' or 'equal', got {method!r}")


def composite_index(
    data: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]] | Sequence[str],
    method: Literal["entropy", "pca", "equal"] = "entropy",
    negative: Iterable[str] = (),
    by: str | None = None,
    normalize: Literal["minmax", "zscore"] = "minmax",
    *,
    shift: float = DEFAULT_SHIFT,
    n_components: int | None = None,
) -> CompositeIndex:
    """Composite index per dimension and overall, with entropy, PCA or equal weights.

    Steps: (1) each indicator is normalized over **all rows together** (pooled, so index levels are
    comparable across years) with :func:`normalize` (min-max values get ``+ shift``); (2) weights
    come from :func:`entropy_weights`, :func:`pca_weights` or :func:`equal_weights` over all the
    indicators jointly -- pooled, or separately for each group of ``by`` (e.g. by-year weights,
    each computed from that year's cross-section); (3) sub-indices and the overall index are
    weighted sums (see :class:`CompositeIndex`). The entropy method always uses its own min-max
    step for the weights; ``normalize`` only changes how indicators enter the index.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (city or city-year) with the raw indicators.
    dimensions : dict of str to list of str, or list of str
        Dimension name -> its indicators (e.g. ``{"education": [...], "health": [...]}``). A plain
        list is one dimension called ``"index"``.
    method : {"entropy", "pca", "equal"}
    negative : iterable of str
        Indicators for which more is worse.
    by : str, optional
        Column of ``data`` for group-specific weights (e.g. ``"year"``).
    normalize : {"minmax", "zscore"}
    shift : float, default 1e-4
        Added to min-max normalized values (in the weights and in the scores).
    n_components : int, optional
        For ``method="pca"`` (default: Kaiser rule).

    Returns
    -------
    CompositeIndex
        ``.scores`` (sub-indices and ``"overall"``), ``.weights``, ``.dimension_weights``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0], "c": [5.0, 3.0, 1.0]})
    >>> idx = composite_index(df, {"x": ["a", "b"], "y": ["c"]}, method="equal", shift=0)
    >>> idx.scores.round(4)
          x    y  overall
    0  0.00  1.0   0.3333
    1  0.25  0.5   0.3333
    2  1.00  0.0   0.6667
    """
    dims = _as_dimensions(dimensions)
    cols = [c for v in dims.values() for c in v]
    negative = as_list(negative)
    z = _normalize(data, cols, method=normalize, negative=negative, shift=shift)
    X = data[cols]
    if by is None:
        w = _weights_for(method, X, negative, shift, n_components)
        W = pd.Series({d: w[v].sum() for d, v in dims.items()}, name="weight")
        wide = w.reindex(cols)
        scores = pd.DataFrame(
            {d: z[v].to_numpy() @ (w[v] / W[d]).to_numpy() for d, v in dims.items()}, index=data.index
        )
        scores["overall"] = z.to_numpy() @ wide.to_numpy()
        table = pd.DataFrame(
            {"dimension": [d for d, v in dims.items() for _ in v], "indicator": cols, "weight": wide.to_numpy()}
        )
    else:
        g = _groups_of(data, by)
        per = {}
        for key, pos in g.groupby(g, sort=True).indices.items():
            try:
                per[key] = _weights_for(method, X.iloc[pos], negative, shift, n_components)
            except ValueError as err:
                raise ValueError(f"{by}={key}: {err}") from None
        w = pd.DataFrame(per).T[cols]
        w.index.name = by
        W = pd.DataFrame({d: w[v].sum(axis=1) for d, v in dims.items()})
        wr = w.loc[g.to_numpy()].set_axis(data.index)  # each row's weights
        Wr = W.loc[g.to_numpy()].set_axis(data.index)
        scores = pd.DataFrame({d: (z[v] * wr[v]).sum(axis=1) / Wr[d] for d, v in dims.items()}, index=data.index)
        scores["overall"] = (z * wr[cols]).sum(axis=1)
        table = w.reset_index().melt(id_vars=by, var_name="indicator", value_name="weight")
        table.insert(1, "dimension", table["indicator"].map({c: d for d, v in dims.items() for c in v}))
    info = {
        "method": method,
        "normalization": normalize,
        "n_obs": len(data),
        "n_indicators": len(cols),
        "n_dimensions": len(dims),
    }
    if by is not None:
        info["weights_by"] = by
    return CompositeIndex(
        table=table,
        info=info,
        title=f"Composite index ({method} weights)",
        scores=scores,
        weights=w,
        dimension_weights=W,
        normalized=z,
        dimensions=dims,
        method=method,
        normalization=normalize,
        scaling=_scaling(data, cols, normalize, negative, shift),
        by=by,
    )


_normalize = normalize  # composite_index's ``normalize`` argument shadows the function


# ----------------------------------------------------------------------------- urban-rural equalization
@dataclass(repr=False)
class EqualizationIndex(CompositeIndex):
    """Urban and rural composite indices on a common scale and their rural/urban ratio.

    Attributes
    ----------
    scores : pandas.DataFrame
        Aligned with the input rows: ``equalization`` (overall rural/urban ratio), ``urban``,
        ``rural`` (overall indices) and, per dimension ``d``, ``d_urban``, ``d_rural``, ``d_ratio``.
    index : CompositeIndex
        The composite index fitted on the stacked urban and rural rows.
    """

    index: CompositeIndex | None = None
    suffixes: tuple[str, str] = ("_urban", "_rural")

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Equalization scores of new rows with the fitted normalization and weights (see
        :meth:`CompositeIndex.transform`), e.g. for the same cities without the policy.

        Examples
        --------
        >>> df = pd.DataFrame({"a_urban": [2.0, 4.0], "a_rural": [1.0, 2.0]})
        >>> eq = equalization_index(df, ["a"], shift=0)
        >>> eq.transform(df.assign(a_rural=[2.0, 4.0]))["equalization"].tolist()
        [1.0, 1.0]
        """
        base = list(self.scaling.index)
        stacked = _stack_areas(data, base, *self.suffixes, self.by)
        return _ratios(self.index.transform(stacked), data.index, self.dimensions)

    @property
    def equalization(self) -> pd.Series:
        """Overall rural/urban ratio of the composite index (1 = equal provision)."""
        return self.scores["equalization"]

    @property
    def overall(self) -> pd.Series:
        """Same as :attr:`equalization` (the ratio is the outcome)."""
        return self.equalization


def equalization_index(
    data: pd.DataFrame,
    indicators: Mapping[str, Sequence[str]] | Sequence[str],
    urban_suffix: str = "_urban",
    rural_suffix: str = "_rural",
    method: Literal["entropy", "pca", "equal"] = "entropy",
    negative: Iterable[str] = (),
    by: str | None = None,
    *,
    shift: float = DEFAULT_SHIFT,
    n_components: int | None = None,
) -> EqualizationIndex:
    """Urban-rural equalization of public services: rural index / urban index, row by row.

    For each indicator ``x`` the data hold ``x + urban_suffix`` and ``x + rural_suffix``. The urban
    and rural rows are **stacked** so that every indicator is min-max normalized on one common scale
    (pooled over urban and rural values and all rows; ``+ shift`` so no index is exactly 0) and
    weighted with one set of weights; the urban index ``U`` and rural index ``R`` of each row are
    then comparable and

    ``equalization = R / U``

    is 1 when rural areas are as well provided as urban ones and below 1 when they lag. The same
    ratio is returned for each dimension. (Normalizing urban and rural values separately would put
    each on its own 0-1 scale and make the ratio meaningless.)

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (e.g. city-year) with the urban and rural indicator columns.
    indicators : dict of str to list of str, or list of str
        Base indicator names (without suffix), optionally grouped into dimensions.
    urban_suffix, rural_suffix : str
    method : {"entropy", "pca", "equal"}
    negative : iterable of str
        Base names of indicators for which more is worse.
    by : str, optional
        Column of ``data`` for group-specific weights (e.g. ``"year"``).
    shift : float, default 1e-4
    n_components : int, optional
        For ``method="pca"``.

    Returns
    -------
    EqualizationIndex
        ``.scores["equalization"]`` (also ``.equalization``) is the outcome.

    Examples
    --------
    >>> df = pd.DataFrame({"beds_urban": [4.0, 6.0], "beds_rural": [2.0, 6.0],
    ...                    "docs_urban": [3.0, 5.0], "docs_rural": [1.0, 4.0]})
    >>> eq = equalization_index(df, ["beds", "docs"], method="equal", shift=0)
    >>> eq.scores[["urban", "rural", "equalization"]].round(4)
       urban  rural  equalization
    0    0.5  0.000         0.000
    1    1.0  0.875         0.875
    """
    dims = _as_dimensions(indicators)
    base = [c for v in dims.values() for c in v]
    n = len(data)
    stacked = _stack_areas(data, base, urban_suffix, rural_suffix, by)
    for b in base:  # name the original column in errors
        try:
            _check_indicators(stacked, [b])
        except ValueError as err:
            raise ValueError(str(err).replace(f"indicator {b!r}", f"indicator {b!r} (urban + rural)")) from None
    ci = composite_index(
        stacked,
        dims,
        method=method,
        negative=as_list(negative),
        by=by,
        normalize="minmax",
        shift=shift,
        n_components=n_components,
    )
    scores = _ratios(ci.scores, data.index, dims)
    info = dict(ci.info)
    info["n_obs"] = n
    info["mean_equalization"] = round(float(scores["equalization"].mean()), 6)
    return EqualizationIndex(
        table=ci.table,
        info=info,
        title=f"Urban-rural equalization index ({method} weights)",
        scores=scores,
        weights=ci.weights,
        dimension_weights=ci.dimension_weights,
        normalized=ci.normalized,
        dimensions=dims,
        method=method,
        normalization="minmax",
        scaling=ci.scaling,
        by=by,
        index=ci,
        suffixes=(urban_suffix, rural_suffix),
    )


def _stack_areas(data: pd.DataFrame, base, urban_suffix: str, rural_suffix: str, by) -> pd.DataFrame:
    """Urban rows on top of rural rows, indicator columns renamed to their stems."""
    need = [b + s for b in base for s in (urban_suffix, rural_suffix)]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"missing urban/rural indicator column(s) {missing}")
    if by is not None and by not in data.columns:
        raise ValueError(f"by={by!r} is not a column of the data")
    parts = []
    for area, suf in (("urban", urban_suffix), ("rural", rural_suffix)):
        part = data[[b + suf for b in base]].set_axis(base, axis=1).reset_index(drop=True)
        part["_area"] = area
        if by is not None:
            part[by] = data[by].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _ratios(stacked_scores: pd.DataFrame, index: pd.Index, dims) -> pd.DataFrame:
    n = len(index)
    u = stacked_scores.iloc[:n].set_axis(index)
    r = stacked_scores.iloc[n:].set_axis(index)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = pd.DataFrame(
            {"equalization": r["overall"] / u["overall"], "urban": u["overall"], "rural": r["overall"]}, index=index
        )
        for d in dims:
            scores[f"{d}_urban"] = u[d]
            scores[f"{d}_rural"] = r[d]
            scores[f"{d}_ratio"] = r[d] / u[d]
    if not np.isfinite(scores["equalization"]).all():
        raise ValueError("an urban index is 0, so the ratio is undefined; use a positive shift (e.g. 1e-4)")
    return scores
