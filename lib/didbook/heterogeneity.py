"""Heterogeneous effects: is the effect in one group of units different from that in another?

:func:`permutation_gap_test` tests the gap between two groups' mean effects by re-assigning the
group labels across units (optionally within strata such as provinces) and recomputing the gap.
It works on any observation-level numbers, e.g. the imputed effects ``tau_hat`` of the treated
city-years from a Borusyak-Jaravel-Spiess fit (``didbook.staggered(..., method="bjs").model.
treatment_effects``), so the heavy estimation is done once and each permutation costs a few
matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._results import Result, tidy_frame

__all__ = ["permutation_gap_test", "GapTestResult"]


@dataclass(repr=False)
class GapTestResult(Result):
    """Result of :func:`permutation_gap_test`.

    Attributes
    ----------
    estimate : float
        The headline: the observed gap, mean of ``values`` in group ``groups[0]`` minus the mean in
        ``groups[1]`` (observations weighted equally).
    p_value : float
        Two-sided permutation p-value ``(1 + #{|gap*| >= |gap|}) / (1 + n_draws)``.
    std_error, conf_low, conf_high : float
        NaN: the test gives a p-value, not a standard error or a confidence interval.
    permutation_sd : float
        Standard deviation of the permutation (null) distribution (also a column of ``tidy()``).
    null_distribution : numpy.ndarray
        The ``n_draws`` gaps with re-assigned labels.
    groups : tuple
        The two labels, in the order of the gap.
    means : dict
        Observed mean of ``values`` in each group.
    """

    null_distribution: np.ndarray = field(default_factory=lambda: np.empty(0))
    permutation_sd: float = np.nan
    groups: tuple = ()
    means: dict = field(default_factory=dict)


def _unit_constant(name: str, x: pd.Series, units: pd.Series) -> pd.Series:
    per_unit = x.groupby(units, sort=True).nunique(dropna=False)
    if (per_unit > 1).any():
        raise ValueError(f"{name} must be constant within each unit; {per_unit.index[per_unit > 1][0]!r} varies")
    return x.groupby(units, sort=True).first()


def permutation_gap_test(
    values,
    labels,
    units,
    *,
    strata=None,
    groups: tuple | None = None,
    n_draws: int = 999,
    seed: int | None = None,
) -> GapTestResult:
    """Permutation test of the gap between two groups' mean effects, labels re-assigned by unit.

    Under the null that the group label is unrelated to the effects (given the strata), any
    re-assignment of the labels across units (within each stratum, keeping the number of units
    of each group per stratum) is as likely as the observed one. The p-value compares the observed
    gap with the gaps of ``n_draws`` random re-assignments.

    Parameters
    ----------
    values : array-like
        One number per observation, e.g. the imputed treatment effect of each treated city-year.
    labels : array-like
        Group of each observation; exactly two distinct values, constant within a unit.
    units : array-like
        Unit of each observation (labels are re-assigned unit by unit).
    strata : array-like, optional
        Stratum of each observation (constant within a unit), e.g. the province: labels are only
        exchanged between units of the same stratum. Default: one stratum.
    groups : tuple, optional
        The two labels ``(a, b)``; the gap is ``mean(a) - mean(b)``. Default: the sorted labels.
    n_draws : int
        Number of random re-assignments.
    seed : int, optional
        Seed of the random generator.

    Returns
    -------
    GapTestResult
        ``.estimate`` (observed gap), ``.p_value``, ``.std_error`` (sd of the null distribution),
        ``.null_distribution``, ``.means``.

    Raises
    ------
    ValueError
        Inputs of different lengths, not exactly two groups, labels or strata that vary within a
        unit, or ``n_draws < 1``.

    Examples
    --------
    Four units with one observation each: the gap of groups a = {1, 2} and b = {3, 4} is -2, and
    2 of the 6 ways to pick two units for group a give a gap at least that large in absolute value.

    >>> res = permutation_gap_test([1, 2, 3, 4], ["a", "a", "b", "b"], [1, 2, 3, 4], n_draws=2000, seed=1)
    >>> res.estimate
    -2.0
    >>> abs(res.p_value - 1 / 3) < 0.04
    True
    """
    v = np.asarray(values, dtype=float)
    n = v.size
    lab = pd.Series(np.asarray(labels, dtype=object))
    uni = pd.Series(np.asarray(units, dtype=object))
    stra = pd.Series(np.zeros(n, dtype=int) if strata is None else np.asarray(strata, dtype=object))
    if not (len(lab) == len(uni) == len(stra) == n):
        raise ValueError("values, labels, units and strata must have the same length")
    if not np.isfinite(v).all():
        raise ValueError("values must be finite")
    if isinstance(n_draws, bool) or int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    found = sorted(lab.unique(), key=str)
    if len(found) != 2:
        raise ValueError(f"labels must take exactly two values, found {len(found)}: {found[:5]}")
    a, b = found if groups is None else tuple(groups)
    if {a, b} != set(found):
        raise ValueError(f"groups {groups!r} do not match the labels {found}")
    unit_label = _unit_constant("labels", lab, uni)
    unit_stratum = _unit_constant("strata", stra, uni)
    # per-unit sums and counts of the observations
    codes, uniq = pd.factorize(uni, sort=True)
    s = np.bincount(codes, weights=v, minlength=len(uniq))
    c = np.bincount(codes, minlength=len(uniq)).astype(float)
    is_a = (unit_label.reindex(uniq).to_numpy() == a).astype(float)
    strat_code = pd.factorize(unit_stratum.reindex(uniq), sort=True)[0]

    def gap(ind):
        return (s @ ind) / (c @ ind) - (s @ (1 - ind)) / (c @ (1 - ind))

    observed = float(gap(is_a))
    rng = np.random.default_rng(seed)
    base = np.argsort(strat_code, kind="stable")  # units grouped by stratum
    keys = strat_code[base][None, :] + rng.random((int(n_draws), len(uniq)))
    shuffled = base[np.argsort(keys, axis=1)]  # a random order of the same units within each stratum
    perm = np.empty((int(n_draws), len(uniq)))
    perm[:, base] = is_a[shuffled]
    null = gap(perm.T)
    p = (1 + np.sum(np.abs(null) >= abs(observed) - 1e-12)) / (1 + int(n_draws))
    sd = float(np.std(null, ddof=1)) if n_draws > 1 else np.nan
    means = {a: float(s[is_a == 1].sum() / c[is_a == 1].sum()), b: float(s[is_a == 0].sum() / c[is_a == 0].sum())}
    table = tidy_frame([f"gap {a} - {b}"], [observed], [np.nan], p_values=[p], conf_low=[np.nan], conf_high=[np.nan])
    table["permutation_sd"] = sd
    return GapTestResult.from_table(
        table,
        info={
            "groups": f"{a} vs {b}",
            "n_units": len(uniq),
            "n_strata": int(strat_code.max()) + 1,
            "n_draws": int(n_draws),
        },
        title="Permutation test of a gap between two groups",
        notes=[
            "std_error is NaN: a permutation test gives a p-value, not a standard error or interval; "
            "permutation_sd is the spread of the permuted gaps"
        ],
        null_distribution=null,
        permutation_sd=sd,
        groups=(a, b),
        means=means,
    )
