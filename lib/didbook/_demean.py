"""Exact two-way (unit + time) demeaning shared by the one-pass estimators.

:func:`_sorted_layout` factorizes a long panel and sorts it by unit then time;
:class:`_TwoWayAnnihilator` is the residual maker ``M`` of the unit and time effects (and
optional controls) on such unit-sorted rows: ``M a = a - unit means - Q Q' (a - unit means)``
with ``Q`` an orthonormal basis of the unit-demeaned time dummies and controls. It is exact for
balanced and unbalanced panels (no iteration). Used by :func:`didbook.placebo_test` and
:func:`didbook.wild_cluster_bootstrap`. :func:`group_sums` adds rows up by group (the BJS leave-out
residuals, the simulator's truth tables).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validation import PanelDataError

__all__ = ["_sorted_layout", "_orthonormal_basis", "_TwoWayAnnihilator", "group_sums"]


def group_sums(codes: np.ndarray, X: np.ndarray, n: int) -> np.ndarray:
    """Column sums of ``X`` (rows x k) by group ``codes`` (0 .. n-1): an ``n x k`` matrix. Rows are added in
    order, as ``np.add.at`` does (the same floating-point result), one ``np.bincount`` per column."""
    return np.column_stack([np.bincount(codes, weights=X[:, j], minlength=n) for j in range(X.shape[1])])


def _sorted_layout(data: pd.DataFrame, unit: str, time: str):
    u_codes, units = pd.factorize(data[unit], sort=True)
    t_codes, periods = pd.factorize(data[time], sort=True)
    order = np.lexsort((t_codes, u_codes))
    starts = np.flatnonzero(np.r_[True, np.diff(u_codes[order]) != 0])
    return u_codes, t_codes, np.asarray(units), np.asarray(periods), order, starts


def _orthonormal_basis(Z: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Orthonormal basis of the columns of ``Z`` (Cholesky QR, applied twice for accuracy).

    Raises PanelDataError naming the columns that are (numerically) linear combinations of others.
    Cholesky QR uses only matrix products of ``N x q`` blocks, which stays fast on a busy machine.
    """
    from scipy.linalg import cholesky

    if Z.shape[1] == 0:
        return Z
    norms = np.sqrt(np.einsum("ij,ij->j", Z, Z))
    scale = np.where(norms > 0, norms, 1.0)
    Zs = Z / scale
    G = Zs.T @ Zs
    r = np.linalg.qr(G, mode="r")  # q x q: cheap rank check on the scaled Gram matrix
    bad = np.flatnonzero((norms <= 1e-12 * max(1.0, norms.max())) | (np.abs(np.diag(r)) <= 1e-10))
    if len(bad):
        raise PanelDataError(
            f"singular covariates: {[labels[j] for j in bad]} are collinear with the unit/time effects "
            "or with other controls"
        )
    Q = Zs
    for _ in range(2):
        R = cholesky(Q.T @ Q, lower=False)
        Q = Q @ np.linalg.inv(R)  # Q R^{-1}; R is a small, well-conditioned q x q triangle
    return Q


class _TwoWayAnnihilator:
    """Exact residual maker ``M`` for unit + time effects (+ controls) on unit-sorted rows."""

    def __init__(
        self,
        u_sorted: np.ndarray,
        t_sorted: np.ndarray,
        starts: np.ndarray,
        X: np.ndarray | None,
        names: Sequence[str] = (),
    ):
        self.u = u_sorted
        self.starts = starts
        self.counts = np.diff(np.r_[starts, len(u_sorted)])
        n_t = int(t_sorted.max()) + 1
        Z = np.zeros((len(u_sorted), n_t - 1))
        rows = np.flatnonzero(t_sorted > 0)
        Z[rows, t_sorted[rows] - 1] = 1.0
        if X is not None and X.shape[1]:
            Z = np.column_stack([Z, X])
        self.Q = _orthonormal_basis(self.within(Z), [f"time dummy {j + 1}" for j in range(n_t - 1)] + list(names))

    def within(self, A: np.ndarray) -> np.ndarray:
        """Subtract unit means (rows sorted by unit)."""
        means = (
            np.add.reduceat(A, self.starts, axis=0) / self.counts[:, None]
            if A.ndim == 2
            else (np.add.reduceat(A, self.starts) / self.counts)
        )
        return A - means[self.u]

    def __call__(self, A: np.ndarray) -> np.ndarray:
        Au = self.within(A)
        return Au - self.Q @ (self.Q.T @ Au)
