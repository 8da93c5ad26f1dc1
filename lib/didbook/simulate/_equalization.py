"""The equalization index of :func:`didbook.equalization_index` on plain arrays, for the simulator.

The simulated ``equalization`` column is the index fitted on the panel being generated, found by a fixed point
(:func:`didbook.simulate._outcomes.add_policy_effects_to_index`) that refits it ~7 times per panel. These functions
run the default fit (entropy weights, pooled min-max over the stacked urban and rural rows, shift ``1e-4``, no
``negative``, no ``by``) with the same operations in the same order and memory layout as the pandas path, so the
results are bit-identical (tests/lib/test_indices.py) at ~1/50 of the cost.
"""

from __future__ import annotations

import numpy as np

from ..indices import DEFAULT_SHIFT


def equalization_arrays(urban: np.ndarray, rural: np.ndarray, shift: float = DEFAULT_SHIFT) -> dict:
    """:func:`didbook.equalization_index` with default settings (entropy weights, pooled, no ``negative``) on plain
    arrays, for the simulator's fixed-point loop (the pandas path costs ~50x more).

    ``urban`` and ``rural`` are (rows x indicators) float matrices, indicators in the order of the
    dimensions' lists (the overall index does not depend on the grouping). The same operations run in the same
    order and memory layout as the pandas path, so the results are bit-identical to
    ``equalization_index(frame, dims)`` (``scale``: ``.scaling["scale"]``, ``weights``, ``urban``:
    ``.scores["urban"]``, ``equalization``) -- tests/lib/test_indices.py checks this. Inputs are not
    validated; use :func:`didbook.equalization_index` for data.
    """
    xt = np.ascontiguousarray(np.vstack([urban, rural]).T)  # indicators x stacked rows, as pandas' block
    lo = xt.min(axis=1)
    scale = xt.max(axis=1) - lo
    zt = _scaled_rows(xt, lo, scale, shift)
    pt = zt / zt.sum(axis=1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(pt > 0, pt * np.log(pt), 0.0)
    d = 1.0 - (-plogp.sum(axis=1) / np.log(zt.shape[1]))
    w = d / d.sum()
    overall = zt.T @ w
    n = len(urban)
    return {"center": lo, "scale": scale, "weights": w, "urban": overall[:n], "equalization": overall[n:] / overall[:n]}


def equalization_transform(urban: np.ndarray, rural: np.ndarray, fit: dict, shift: float = DEFAULT_SHIFT):
    """:meth:`didbook.EqualizationIndex.transform`'s ``equalization`` for the fit of :func:`equalization_arrays`
    (bit-identical to the pandas path)."""
    zt = _scaled_rows(np.ascontiguousarray(np.vstack([urban, rural]).T), fit["center"], fit["scale"], shift)
    overall = (zt * fit["weights"][:, None]).sum(axis=0)  # indicator by indicator, as DataFrame.sum(axis=1)
    n = len(urban)
    return overall[n:] / overall[:n]


def _scaled_rows(xt: np.ndarray, center: np.ndarray, scale: np.ndarray, shift: float) -> np.ndarray:
    """``indices._apply_scaling`` of min-max constants (sign +1) on indicators stored as rows."""
    return (xt - center[:, None]) / scale[:, None] * 1.0 + shift
