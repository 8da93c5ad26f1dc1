"""The CR2 (Bell-McCaffrey) cluster-robust variance and its degrees of freedom, for one contrast.

Private infrastructure of :mod:`didbook.few_clusters`, written for any linear regression given an
orthonormal basis ``W`` of its design (``X = W R``) and the contrast ``lt = R^{-T} l`` (so that
``l'(X'X)^{-1}X' = lt' W'``). It follows Imbens and Kolesar (2016) and the implementation notes of
their R package ``dfadjust`` (Kolesar), with the design held cluster by cluster so that the
absorbed fixed effects are never formed as an ``N x N`` hat matrix:

* ``A_s`` is the symmetric (pseudo-)inverse square root of ``I - W_s W_s'`` (eigenvalues of
  ``W_s'W_s`` within ``tol`` of 1, such as the directions of fixed effects nested in the cluster,
  are left out, as Pustejovsky and Tipton 2018 prescribe), computed from the small matrix
  ``W_s'W_s``: ``a_s = A_s W_s lt = W_s R_s diag((1 - lambda)^{-1/2}) R_s' lt``;
* ``V = sum_s (u_s' a_s)^2``;
* Bell-McCaffrey df: ``tr(G'G)^2 / tr((G'G)^2)`` with ``G'G = diag(a_s'a_s) - B B'``,
  ``B[s, k] = a_s' W_s[:, k]``;
* Imbens-Kolesar df: the same with ``G' Omega G``, ``Omega`` the Moulton (1986) random-effects
  model ``sigma^2 I + rho 1 1'`` within clusters estimated from the residuals:
  ``G'Omega G = sigma^2 (diag(a_s'a_s) - BB') + rho (D - BF')(D - BF')'``, ``F[s, k] = 1'W_s[:, k]``,
  ``D = diag(1'a_s)``.

Each cluster's block is ``(W_s, cols_s)``: the rows of ``W`` in cluster ``s`` restricted to the
columns that are not zero there (``cols_s`` their global indices), so fixed-effect columns of
other clusters cost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Cr2", "cr2_contrast"]


@dataclass
class Cr2:
    """CR2 variance of ``l' beta`` and its Bell-McCaffrey and Imbens-Kolesar degrees of freedom."""

    variance: float
    df_bm: float
    df_ik: float
    rho: float
    sigma2: float


def _df(GG: np.ndarray) -> float:
    den = float(np.sum(GG * GG))
    return float(np.trace(GG) ** 2 / den) if den > 0 else np.nan


def cr2_contrast(
    blocks: Sequence[tuple[np.ndarray, np.ndarray]],
    residuals: Sequence[np.ndarray],
    lt: np.ndarray,
    tol: float = 1e-9,
) -> Cr2:
    """CR2 variance and df for ``l' beta`` from per-cluster design blocks and residuals (see module doc)."""
    S, p = len(blocks), len(lt)
    aa, dsum, usum, ns = np.zeros(S), np.zeros(S), np.zeros(S), np.zeros(S)
    V, ssr = 0.0, 0.0
    rows, cols, bvals, fvals = [], [], [], []
    for s, ((Ws, cs), us) in enumerate(zip(blocks, residuals, strict=True)):
        lam, R = np.linalg.eigh(Ws.T @ Ws)
        keep = (1.0 - lam) >= tol
        scale = np.where(keep, 1.0 / np.sqrt(np.maximum(1.0 - lam, tol)), 0.0)
        a = Ws @ (R @ (scale * (R.T @ lt[cs])))
        V += float(us @ a) ** 2
        aa[s], dsum[s], usum[s], ns[s] = a @ a, a.sum(), us.sum(), len(us)
        ssr += float(us @ us)
        rows.append(np.full(len(cs), s))
        cols.append(cs)
        bvals.append(a @ Ws)
        fvals.append(Ws.sum(axis=0))
    r, c = np.concatenate(rows), np.concatenate(cols)
    B = sparse.csr_matrix((np.concatenate(bvals), (r, c)), shape=(S, p))
    F = sparse.csr_matrix((np.concatenate(fvals), (r, c)), shape=(S, p))
    GG = np.diag(aa) - (B @ B.T).toarray()
    n = ns.sum()
    den = float(np.sum(ns**2) - n)
    rho = (float(np.sum(usum**2)) - ssr) / den if den > 0 else 0.0
    sigma2 = max(ssr / n - rho, 0.0)
    DBF = np.diag(dsum) - (B @ F.T).toarray()
    GOG = sigma2 * GG + rho * DBF @ DBF.T
    return Cr2(variance=V, df_bm=_df(GG), df_ik=_df(GOG), rho=rho, sigma2=sigma2)
