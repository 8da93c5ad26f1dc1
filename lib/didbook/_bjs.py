"""Borusyak-Jaravel-Spiess (2024) imputation variance with the leave-out step, by hand.

No engine computes it: ``diff_diff.ImputationDiD(leave_one_out=True)`` leaves out the *unit*
(BJS 2024, Supplementary Appendix A.9), but with clustered data the auxiliary averages
``tau_tilde`` (cohort x event-time cell means of the imputed effects) must leave out the unit's
whole *cluster*: with 2-5 provinces in a cell, the province shocks are partly absorbed by the cell
mean and the conservative variance of Theorem 3 is biased down (in the book's homogeneous world
with province clusters: mean SE 0.113 against a spread of 0.125 and 92.8% coverage without the
leave-out; 96.5% with it). The Stata ``did_imputation`` option ``leaveout`` does the same.

For a target ``sum_it w_it tau_it`` over the treated observations ``Omega_1`` (weights ``w``):

* imputation weights of the untreated observations ``v_0 = -A_0 (A_0'A_0)^{-1} A_1' w``
  (``A`` = unit dummies, period dummies, controls; BJS eq. 6), and ``v_1 = w``;
* untreated residuals ``eps_0 = Y_0 - A_0 theta`` of the imputation model;
* treated auxiliary residuals ``eps_1 = tau_hat - tau_tilde`` where ``tau_tilde`` is the
  ``v^2``-weighted mean of ``tau_hat`` over the observation's cohort x event-time cell, computed
  WITHOUT the observation's own cluster (the cluster is the unit when there is no cluster
  column); a cell whose positive-weight observations all lie in one cluster keeps the ordinary
  mean (leave-out undefined, BJS fn. 51) and is counted in ``n_single``;
* cluster scores ``psi_c = sum_{it in c} v_it eps_it``; ``Var = sum_c psi_c^2`` and for several
  targets ``Cov = Psi' Psi``.

Used by :func:`didbook.staggered` (``method="bjs"``) and the batched fast path
(:mod:`didbook.fast`), so both give the same standard errors. Tested against a direct loop over
clusters in ``tests/lib/test_staggered.py`` and by Monte Carlo coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

from ._demean import group_sums

__all__ = ["aux_residuals", "BJSDesign", "bjs_design", "bjs_vcov"]


def aux_residuals(
    tau: np.ndarray, w: np.ndarray, cell: np.ndarray, cluster: np.ndarray, leave_out: bool = True
) -> tuple[np.ndarray, int]:
    """Treated auxiliary residuals ``tau - tau_tilde`` (shape of ``tau``: ``(n1,)`` or ``(n1, R)``).

    ``tau_tilde`` = the ``w^2``-weighted mean of ``tau`` over the cell (``cell`` codes), leaving out
    the observation's own cluster (``cluster`` codes) when ``leave_out``. Returns the residuals and
    the number of cells where the leave-out was impossible (one cluster holds all the weight).
    """
    tau = np.asarray(tau, dtype=float)
    one = tau.ndim == 1
    T = tau[:, None] if one else tau
    w2 = np.asarray(w, dtype=float) ** 2
    cell = pd.factorize(np.asarray(cell))[0]
    n_cell = cell.max() + 1
    cc = pd.factorize(pd.factorize(np.asarray(cluster))[0] * n_cell + cell)[0]  # (cell, cluster) pairs
    n_cc = cc.max() + 1
    ok = np.isfinite(T).all(axis=1) & (w2 > 0)
    Tz = np.where(ok[:, None], T, 0.0)
    wz = np.where(ok, w2, 0.0)
    num_g = group_sums(cell, wz[:, None] * Tz, n_cell)
    den_g = np.bincount(cell, weights=wz, minlength=n_cell)
    # fallback for cells without weight (psi contribution 0 anyway): plain mean, finite
    cnt = np.bincount(cell, minlength=n_cell).astype(float)
    plain = group_sums(cell, Tz, n_cell)
    plain /= np.maximum(cnt, 1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        full = np.where(den_g[:, None] > 0, num_g / den_g[:, None], plain)
    tilde = full[cell]
    n_single = 0
    if leave_out:
        num_c = group_sums(cc, wz[:, None] * Tz, n_cc)
        den_c = np.bincount(cc, weights=wz, minlength=n_cc)
        den = den_g[cell] - den_c[cc]
        good = den > 1e-12 * np.maximum(den_g[cell], 1e-300)
        with np.errstate(invalid="ignore", divide="ignore"):
            lo = (num_g[cell] - num_c[cc]) / den[:, None]
        tilde = np.where(good[:, None], lo, tilde)
        single = np.unique(cell[ok & ~good])
        n_single = int(len(single))
    eps = T - tilde
    return (eps[:, 0] if one else eps), n_single


@dataclass
class BJSDesign:
    """The fixed imputation design: masks, sparse ``A_0``/``A_1`` and a factorized ``A_0'A_0``."""

    om1: np.ndarray  # treated (imputed) rows, boolean over the data rows
    ok1: np.ndarray  # treated rows whose unit and period are seen untreated (imputable), over om1 rows
    A0: sparse.csr_matrix
    A1: sparse.csr_matrix
    lu: object
    cell: np.ndarray  # cohort x event-time codes of the om1 rows
    cluster: np.ndarray  # cluster codes of all rows
    n_clusters: int

    def solve(self, b: np.ndarray) -> np.ndarray:
        return self.lu.solve(np.asarray(b, dtype=float))


def bjs_design(
    unit_codes: np.ndarray,
    time_codes: np.ndarray,
    cohort: np.ndarray,
    time_vals: np.ndarray,
    X: np.ndarray | None,
    cluster_codes: np.ndarray,
    anticipation: int = 0,
) -> BJSDesign:
    """Imputation design from integer unit/period codes, cohorts (0 = never), period values, controls."""
    g = np.asarray(cohort, dtype=float)
    tv = np.asarray(time_vals, dtype=float)
    om1 = (g > 0) & (tv >= g - anticipation)
    om0 = ~om1
    n = len(g)
    n_u, n_t = int(unit_codes.max()) + 1, int(time_codes.max()) + 1
    seen_t = np.zeros(n_t, bool)
    seen_t[time_codes[om0]] = True
    seen_u = np.zeros(n_u, bool)
    seen_u[unit_codes[om0]] = True
    # period dummies for periods seen untreated, dropping the first such period
    t_cols = np.cumsum(seen_t) - 1  # column of each period among the seen ones
    first = np.argmax(seen_t)
    rows = np.arange(n)
    U = sparse.csr_matrix((np.ones(n), (rows, unit_codes)), shape=(n, n_u))
    keep_t = seen_t[time_codes] & (time_codes != first)
    Tm = sparse.csr_matrix(
        (np.ones(keep_t.sum()), (rows[keep_t], t_cols[time_codes[keep_t]] - 1)),
        shape=(n, max(int(seen_t.sum()) - 1, 0)),
    )
    blocks = [U, Tm] + ([sparse.csr_matrix(np.asarray(X, dtype=float))] if X is not None and X.size else [])
    A = sparse.hstack(blocks, format="csr")
    A0, A1 = A[om0], A[om1]
    ok1 = seen_u[unit_codes[om1]] & seen_t[time_codes[om1]]
    lu = splu((A0.T @ A0).tocsc())
    rel = (tv - g)[om1]
    cell = pd.factorize(pd.MultiIndex.from_arrays([g[om1], rel]))[0]
    cl = pd.factorize(np.asarray(cluster_codes))[0]
    return BJSDesign(om1, ok1, A0, A1, lu, cell, cl, int(cl.max()) + 1)


def bjs_vcov(des: BJSDesign, y: np.ndarray, W: np.ndarray, leave_out: bool = True) -> dict:
    """Estimates, covariance and cluster scores for the targets in the columns of ``W`` (n1 x K).

    ``y`` is the outcome over all rows. Rows of ``W`` at non-imputable treated observations must be 0.
    Returns ``{"estimate", "vcov", "psi", "tau", "n_single"}``.
    """
    y = np.asarray(y, dtype=float)
    W = np.asarray(W, dtype=float)
    om1 = des.om1
    y0, y1 = y[~om1], y[om1]
    theta = des.solve(des.A0.T @ y0)
    eps0 = y0 - des.A0 @ theta
    tau = np.where(des.ok1, y1 - des.A1 @ theta, np.nan)
    V0 = -(des.A0 @ des.solve(des.A1.T @ W))  # (n0, K)
    cl0, cl1 = des.cluster[~om1], des.cluster[om1]
    K = W.shape[1]
    psi = np.zeros((des.n_clusters, K))
    n_single = 0
    for k in range(K):
        eps1, ns = aux_residuals(tau, W[:, k], des.cell, cl1, leave_out)
        n_single = max(n_single, ns)
        psi[:, k] = np.bincount(cl0, weights=V0[:, k] * eps0, minlength=des.n_clusters) + np.bincount(
            cl1, weights=np.where(W[:, k] != 0, W[:, k] * np.nan_to_num(eps1), 0.0), minlength=des.n_clusters
        )
    est = np.nan_to_num(tau) @ W
    return {"estimate": est, "vcov": psi.T @ psi, "psi": psi, "tau": tau, "n_single": n_single}
