"""Adapter for ``moderndid`` (Callaway-Sant'Anna ``att_gt``/``aggte``; HonestDiD sensitivity).

The only module that relies on moderndid's internals; ``tests/lib/test_adapters_engines.py`` pins
each function:

* :func:`influence_unit_order` -- the row order of ``MPResult.influence_func`` and
  ``AGGTEResult.influence_func``: units sorted by cohort (never-treated last), then by id
  (found by perturbing one unit's outcome; undocumented);
* :func:`cluster_vcov` -- cluster-robust covariance from those influence functions
  (``sum_c S_c S_c' / n^2`` with cluster sums ``S_c``), the analytic counterpart of R ``did``'s
  multiplier bootstrap with ``clustervars``;
* :class:`FastLPs` -- swaps the lean HiGHS solvers of :mod:`didbook.honest` into
  ``moderndid.didhonest``'s modules while active (a ``sys.modules`` patch).
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd

__all__ = ["influence_unit_order", "cluster_vcov", "FastLPs"]


def influence_unit_order(d: pd.DataFrame, unit: str, cohort: str) -> np.ndarray:
    """Unit ids in the row order of moderndid's (balanced-panel) influence functions."""
    f = d.groupby(unit, sort=True)[cohort].first().reset_index()
    f["_k"] = f[cohort].astype(float).replace(0.0, np.inf)
    return f.sort_values(["_k", unit], kind="stable")[unit].to_numpy()


def cluster_vcov(inf: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """``sum_c S_c S_c' / n^2`` for influence functions ``inf`` (n units x K) and cluster codes per row."""
    inf = np.nan_to_num(np.atleast_2d(np.asarray(inf, dtype=float).T).T)
    n = inf.shape[0]
    codes = pd.factorize(np.asarray(clusters))[0]
    S = np.zeros((codes.max() + 1, inf.shape[1]))
    np.add.at(S, codes, inf)
    return S.T @ S / n**2


class FastLPs:
    """Context manager: moderndid's HonestDiD modules use lean HiGHS solvers while it is active.

    ``least_favorable_cv`` and ``linprog`` are the replacements (from :mod:`didbook.honest`).
    """

    original_cv = None

    def __init__(self, least_favorable_cv, linprog):
        self._cv, self._linprog = least_favorable_cv, linprog

    def __enter__(self):
        from moderndid.didhonest import arp_nuisance

        if FastLPs.original_cv is None:
            FastLPs.original_cv = arp_nuisance.compute_least_favorable_cv
        self._saved = []
        for name, mod in list(sys.modules.items()):
            if not name.startswith("moderndid.didhonest") or mod is None:
                continue
            if getattr(mod, "compute_least_favorable_cv", None) is FastLPs.original_cv:
                self._saved.append((mod, "compute_least_favorable_cv", FastLPs.original_cv))
                mod.compute_least_favorable_cv = self._cv
        # only the ARP module's LPs (thousands per interval); the others are a handful per call
        self._saved.append((arp_nuisance, "opt", arp_nuisance.opt))
        arp_nuisance.opt = types.SimpleNamespace(linprog=self._linprog)
        return self

    def __exit__(self, *exc):
        for mod, attr, value in reversed(self._saved):
            setattr(mod, attr, value)
        return False
