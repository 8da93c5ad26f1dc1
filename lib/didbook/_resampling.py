"""Resampling kernels shared by the bootstrap, the placebo test and the fast Monte Carlo path.

One private module, imported by :mod:`didbook.bootstrap`, :mod:`didbook.placebo` and
:mod:`didbook.fast`, so the per-fit functions and the batched ones draw exactly the same weights
and placebo assignments from the same seed and use the same p-value conventions:

* :func:`draw_wild_weights`, :func:`bootstrap_pvalue`, :class:`WildT` -- wild cluster bootstrap
  (cluster weights drawn as ``wildboottest`` draws them; ``(1 + #) / (1 + B)`` p-values);
* :func:`cohort_of_units`, :func:`cluster_cohorts`, :func:`draw_cohorts` -- placebo adoption
  periods for randomization inference (units or whole clusters re-assigned).

The names carry no underscore: the module itself is private, these are its interface.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from ._validation import PanelDataError

__all__ = [
    "WEBB",
    "draw_wild_weights",
    "bootstrap_pvalue",
    "WildT",
    "cohort_of_units",
    "cluster_cohorts",
    "draw_cohorts",
    "n_distinct_assignments",
    "distinct_assignments",
    "cluster_t_stats",
    "sparse_indicator",
]

WEBB = np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)])


def draw_wild_weights(G: int, B: int, kind: str, seed: int) -> tuple[np.ndarray, bool]:
    """G x B weight matrix, drawn exactly as ``wildboottest.weights.draw_weights``."""
    if kind == "rademacher" and 2**G < B:
        return np.array(list(product([-1, 1], repeat=G)), dtype=float).T, True
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        v = rng.choice([-1, 1], size=G * B, replace=True)
    elif kind == "webb":
        v = rng.choice(a=WEBB, size=G * B, replace=True)
    else:
        raise ValueError("weight_type must be 'rademacher' or 'webb'")
    return np.asarray(v, dtype=float).reshape(G, B), False


def bootstrap_pvalue(tb: np.ndarray, t: float, full: bool = False) -> float:
    """``(1 + #{|t*| >= |t|}) / (1 + B)`` for random draws; the exact share under full enumeration.

    Ties to 1e-10 relative (e.g. the all-ones draw under WCR) are counted.
    """
    k = int(np.sum(np.abs(tb) >= abs(t) * (1 - 1e-10)))
    return k / len(tb) if full else (1 + k) / (1 + len(tb))


class WildT:
    """Bootstrap t statistics for H0: beta = beta0 from G x G cluster summaries (FWL form)."""

    def __init__(
        self, yt: np.ndarray, dt: np.ndarray, cl: np.ndarray, G: int, M, impose_null: bool, full: bool = False
    ):
        self.yt, self.dt, self.cl, self.G, self.impose_null, self.full = yt, dt, cl, G, impose_null, full
        self.dd = float(dt @ dt)
        self.beta = float(dt @ yt) / self.dd
        self.H = (cl[:, None] == np.arange(G)[None, :]).astype(float)  # N x G cluster indicators
        self.A = M(dt[:, None] * self.H)  # N x G: M (d~ 1_g)
        self.Dg = np.bincount(cl, weights=dt * dt, minlength=G)
        ehat = yt - self.beta * dt
        self.score_hat = np.bincount(cl, weights=dt * ehat, minlength=G)

    def _summaries(self, u: np.ndarray):
        n = np.bincount(self.cl, weights=self.dt * u, minlength=self.G)  # (G,)
        C = self.A.T @ (self.H * u[:, None])  # C[g, h] = sum_{i in h} A[i, g] u_i
        return n, C

    def tstat_obs(self, beta0: float) -> float:
        se_raw = np.sqrt(np.sum(self.score_hat**2)) / self.dd
        return (self.beta - beta0) / se_raw

    def tboot(self, V: np.ndarray, beta0: float) -> np.ndarray:
        if self.impose_null:
            u = self.yt - beta0 * self.dt
        else:
            u = self.yt - self.beta * self.dt
        n, C = self._summaries(u)
        delta = (n @ V) / self.dd  # beta* - (beta0 or beta_hat), shape (B,)
        S = C @ V - delta[None, :] * self.Dg[:, None]  # G x B bootstrap scores
        se = np.sqrt(np.sum(S * S, axis=0)) / self.dd
        with np.errstate(divide="ignore", invalid="ignore"):
            return delta / se

    def pvalue(self, V: np.ndarray, beta0: float) -> float:
        return bootstrap_pvalue(self.tboot(V, beta0), self.tstat_obs(beta0), self.full)


def cohort_of_units(d_sorted: np.ndarray, t_sorted: np.ndarray, u_sorted: np.ndarray, n_units: int) -> np.ndarray:
    """First treated period code per unit (inf if never treated)."""
    c = np.full(n_units, np.inf)
    treated = d_sorted > 0.5
    np.minimum.at(c, u_sorted[treated], t_sorted[treated].astype(float))
    return c


def cluster_cohorts(
    data: pd.DataFrame,
    cluster: str,
    unit: str,
    treatment: str,
    u_codes: np.ndarray,
    t_codes: np.ndarray,
    d: np.ndarray,
    periods: np.ndarray,
    n_units: int,
):
    """Cluster of every unit and adoption period (code) of every cluster, checking the design.

    ``d`` is the treatment in input row order. Raises PanelDataError if the cluster varies within a
    unit, or if the treatment of some unit is not ``1{t >= c_g}`` for its cluster's adoption period
    ``c_g`` (the earliest treated period of any unit in the cluster): every unit of a cluster must
    adopt together (in an unbalanced panel, rows a unit lacks are not held against it).
    """
    g_codes, clusters = pd.factorize(data[cluster], sort=True)
    first = np.full(n_units, -1)
    first[u_codes[::-1]] = g_codes[::-1]  # some row's cluster per unit
    bad = np.flatnonzero(first[u_codes] != g_codes)
    if len(bad):
        u = data[unit].to_numpy()[bad[0]]
        n_bad = len(np.unique(u_codes[bad]))
        raise PanelDataError(
            f"cluster column {cluster!r} varies within unit for {n_bad} unit(s) (e.g. {unit}={u}); "
            "each unit must belong to one cluster"
        )
    c_g = np.full(len(clusters), np.inf)
    treated = d > 0.5
    np.minimum.at(c_g, g_codes[treated], t_codes[treated].astype(float))
    expected = (t_codes >= c_g[g_codes]).astype(float)
    bad = np.flatnonzero(expected != d)
    if len(bad):
        g = bad[0]
        first_per_unit = pd.Series(np.where(treated, t_codes, np.inf)).groupby(u_codes).min()
        in_g = np.unique(u_codes[g_codes == g_codes[g]])
        seen = sorted({("never" if np.isinf(c) else periods[int(c)]) for c in first_per_unit.loc[in_g]}, key=str)
        raise PanelDataError(
            f"treatment timing of {treatment!r} differs within cluster {cluster}={clusters[g_codes[g]]} "
            f"(first treated periods of its units: {seen}); cluster-level re-assignment needs all units of a "
            "cluster to adopt together"
        )
    return first, c_g, np.asarray(clusters)


def draw_cohorts(rng: np.random.Generator, cohort: np.ndarray, kind: str, n: int, n_t: int) -> np.ndarray:
    """``(n, len(cohort))`` placebo adoption period codes (inf = never) of the re-assigned blocks."""
    if kind == "permute":
        return rng.permuted(np.tile(cohort, (n, 1)), axis=1)
    ever = np.isfinite(cohort)
    cohorts = np.full((n, len(cohort)), np.inf)
    cohorts[:, ever] = rng.integers(1, n_t, size=(n, int(ever.sum())))
    return cohorts


# ----------------------------------------------------------------- studentized randomization inference


def n_distinct_assignments(values: np.ndarray) -> int:
    """Number of distinct orderings of ``values`` (a multinomial coefficient; ``inf`` counts as a value)."""
    from math import factorial, prod

    _, counts = np.unique(np.where(np.isfinite(values), values, -1.0), return_counts=True)
    return factorial(len(values)) // prod(factorial(int(c)) for c in counts)


def distinct_assignments(values: np.ndarray) -> np.ndarray:
    """Every distinct ordering of the multiset ``values``, one per row (the observed order first).

    For the assignment of adoption periods to clusters in randomization inference: with one
    treated cohort this is every choice of which clusters are treated. Call only when
    :func:`n_distinct_assignments` is small enough to hold.
    """
    values = np.asarray(values, dtype=float)
    keys, inverse = np.unique(np.where(np.isfinite(values), values, -1.0), return_inverse=True)
    labels = np.where(keys == -1.0, np.inf, keys)  # adoption codes are >= 0; -1 stands for never (inf)
    counts = np.bincount(inverse, minlength=len(keys))
    out, cur = [], []

    def rec(left: int) -> None:
        if left == 0:
            out.append(list(cur))
            return
        for k in range(len(keys)):
            if counts[k]:
                counts[k] -= 1
                cur.append(k)
                rec(left - 1)
                cur.pop()
                counts[k] += 1

    rec(len(values))
    codes = np.array(out, dtype=int)
    first = np.flatnonzero((codes == inverse).all(axis=1))[0]
    codes = np.concatenate([codes[[first]], np.delete(codes, first, axis=0)])
    return labels[codes]


def cluster_t_stats(Dt: np.ndarray, yt: np.ndarray, cl: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and cluster-robust (CRV1 without its constant factor) t statistics, one per column of ``Dt``.

    ``Dt`` (N x R) are residualized treatments (``M d``) and ``yt`` the residualized outcome, so
    ``beta_r = d_r'y / d_r'd_r`` and the cluster scores are ``sum_{i in g} d_ri (y_i - beta_r d_ri)``.
    The factor ``G/(G-1) (N-1)/(N-K)`` is the same for every column and is left out: it cancels in
    a randomization p-value.
    """
    dd = np.einsum("ij,ij->j", Dt, Dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = (Dt.T @ yt) / dd
        H = sparse_indicator(cl, G)  # G x N
        scores = H @ (Dt * yt[:, None]) - (H @ (Dt * Dt)) * beta[None, :]
        se = np.sqrt(np.einsum("gj,gj->j", scores, scores)) / dd
        return beta, beta / se


def sparse_indicator(cl: np.ndarray, G: int):
    """The G x N 0/1 matrix of cluster membership (sparse)."""
    from scipy import sparse

    return sparse.csr_matrix((np.ones(len(cl)), (cl, np.arange(len(cl)))), shape=(G, len(cl)))
