"""pyfixest fitting shared by the regression-based estimators (twfe, event_study, ...).

:func:`_fit` validates nothing about the panel itself (callers run
:func:`didbook._validation.check_panel` first); it builds the design, runs
:func:`pyfixest.feols` with the **user's column names** (so ``result.model`` can be passed to
``pf.etable``, ``pf.iplot`` or ``wildboottest`` and reads naturally), and turns collinearity into
explicit errors. Names pyfixest's formula parser cannot read (spaces, ``::``, keywords, ...) are
replaced by a safe identifier and mapped back in the tidy tables (``names``).

Few clusters are reported as a visible note on the result (:func:`_few_clusters_note`), not as a
Python warning: a warning printed to stderr would fail the book build for a documented, legitimate
call such as ``twfe(..., cluster="province_id")``.
"""

from __future__ import annotations

import keyword
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import PanelDataError, check_binary
from .adapters import pyfixest as pfx

__all__ = [
    "FEW_CLUSTERS",
    "FewClustersWarning",
    "_fe_codes",
    "_check_treatment",
    "_fit",
    "_tidy_from_fit",
    "_vcov_frame",
    "_n_clusters",
    "_few_clusters_note",
    "_warn_clusters",
]

#: Below this many clusters the estimators add a note to the result suggesting a check with
#: :func:`didbook.wild_cluster_bootstrap` or :func:`didbook.placebo_test`. There is no threshold
#: above which cluster-robust t-tests are safe: they over-reject when clusters are few, unequal in
#: size, or when few clusters are treated (Cameron, Gelbach and Miller 2008; MacKinnon and Webb
#: 2017). 42 is only a rule-of-thumb trigger for the reminder. The organ-donation example (27
#: states) gets the note; the castle example (50 states) does not.
FEW_CLUSTERS = 42

_TREND_PREFIX = "didbook_trend_"
_RESERVED = {"C", "I", "Q", "i"}  # formula functions of pyfixest/formulaic


class FewClustersWarning(UserWarning):
    """Cluster-robust inference with fewer than :data:`FEW_CLUSTERS` clusters.

    Only raised when asked for (``warn_few_clusters=True``); by default the estimators put the
    same message in ``result.notes`` instead.
    """


def _fe_codes(data: pd.DataFrame, spec: str) -> np.ndarray:
    """Integer codes of a fixed effect given as a column or ``"a^b"`` interaction."""
    cols = spec.split("^")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise PanelDataError(f"fixed effect {spec!r}: missing column(s) {missing}")
    for c in cols:
        if data[c].isna().any():
            raise PanelDataError(f"fixed effect {spec!r}: column {c!r} has missing values")
    return data.groupby(cols, sort=True).ngroup().to_numpy()


def _check_treatment(data: pd.DataFrame, treatment: str, unit: str, time: str, treatment_type: str) -> None:
    if treatment_type == "binary":
        check_binary(data, treatment)
    elif treatment_type == "share":
        v = data[treatment].to_numpy(dtype=float)
        if (v < 0).any() or (v > 1).any():
            raise PanelDataError(
                f"treatment {treatment!r} with treatment_type='share' must lie in [0, 1]; "
                f"found range [{v.min():g}, {v.max():g}]"
            )
    elif treatment_type != "continuous":
        raise ValueError("treatment_type must be 'binary', 'share' or 'continuous'")
    d = data[treatment].to_numpy(dtype=float)
    if np.ptp(d) == 0:
        raise PanelDataError(
            f"treatment {treatment!r} is constant ({d[0]:g}) in every row: no treated-versus-untreated "
            "comparison is possible"
        )
    paths = data.pivot(index=unit, columns=time, values=treatment)
    if len(paths.drop_duplicates()) == 1:
        raise PanelDataError(
            f"no untreated comparison units: every unit has the same {treatment!r} path over {time!r}, "
            "so the treatment effect is not separable from the time fixed effects"
        )


class _Names:
    """Formula-safe names for user columns: the user's name whenever pyfixest can parse it."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, name: str) -> str:
        base = str(name)
        ok = base.isidentifier() and not keyword.iskeyword(base) and base not in _RESERVED
        if not ok:
            base = re.sub(r"\W+", "_", re.sub(r"-(?=\d)", "m", base)).strip("_") or "v"
            base = base if base[0].isalpha() else f"v_{base}"
            if keyword.iskeyword(base) or base in _RESERVED:
                base = f"{base}_"
        out, j = base, 1
        while out in self.used:
            j += 1
            out = f"{base}_{j}"
        self.used.add(out)
        return out


def _fit(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    unit: str,
    time: str,
    *,
    fixed_effects: Sequence[str] = (),
    unit_trends: bool = False,
    cluster: str | None = None,
    weights: str | None = None,
    vcov: str = "cluster",
    ssc: dict | None = None,
    drop_collinear: bool = False,
    protected: Sequence[str] = (),
    fixef_tol: float = 1e-12,
):
    """Run pyfixest with the user's column names.

    Returns ``(fit, names, dropped)``: the pyfixest model, ``names`` mapping the model's
    coefficient names to the user's (the identity for ordinary names) and the user-named
    controls dropped as collinear.
    """
    safe = _Names()
    cols: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    y_name = safe(outcome)
    cols[y_name] = data[outcome].to_numpy(dtype=float)
    xs = []
    for c in regressors:
        key = safe(c)
        cols[key] = data[c].to_numpy(dtype=float)
        names[key] = c
        xs.append(key)
    # Fixed effects enter as integer codes under the user's column names (``a^b`` stays an interaction).
    fe_key: dict[str, str] = {}

    def fe_column(col: str) -> str:
        if col not in fe_key:
            fe_key[col] = safe(col)
            cols[fe_key[col]] = _fe_codes(data, col)
        return fe_key[col]

    fes = [fe_column(unit), fe_column(time)]
    for spec in fixed_effects:
        parts = spec.split("^")
        _fe_codes(data, spec)  # validates every part
        fes.append("^".join(fe_column(c) for c in parts))
    if unit_trends:
        if not pd.api.types.is_numeric_dtype(data[time]):
            raise PanelDataError(f"unit_trends=True needs a numeric time column; {time!r} is {data[time].dtype}")
        t = data[time].to_numpy(dtype=float)
        t = t - t.mean()
        codes = cols[fe_key[unit]]
        # The first unit's trend is collinear with the time effects; leave it out.
        for g in range(1, codes.max() + 1):
            key = f"{_TREND_PREFIX}{g}"
            cols[key] = np.where(codes == g, t, 0.0)
            xs.append(key)
    w_name = None
    if weights is not None:
        w_name = safe(weights)
        cols[w_name] = data[weights].to_numpy(dtype=float)
    if vcov == "cluster":
        vc: Any = {"CRV1": fe_column(cluster if cluster is not None else unit)}
    elif vcov == "robust":
        vc = "hetero"
    elif vcov == "iid":
        vc = "iid"
    else:
        raise ValueError("vcov must be 'cluster', 'robust' or 'iid'")
    work = pd.DataFrame(cols)
    fml = f"{y_name} ~ " + " + ".join(xs) + " | " + " + ".join(fes)
    fit = pfx.feols(fml, work, vcov=vc, weights=w_name, ssc=ssc, fixef_tol=fixef_tol)
    if pfx.n_obs(fit) != len(data):  # pragma: no cover - fixef_rm="none" keeps every row
        raise PanelDataError(f"the engine used {pfx.n_obs(fit)} of {len(data)} rows; refusing to drop data")
    dropped = pfx.collinear_vars(fit)
    dropped_user = [names[v] for v in dropped if not v.startswith(_TREND_PREFIX)]
    lost = [names.get(v) for v in dropped if names.get(v) in protected]
    if lost:
        raise PanelDataError(
            f"{lost} perfectly collinear with the fixed effects/controls: no variation left to estimate "
            "it (no untreated comparison units, or a treatment that coincides with a fixed effect?)"
        )
    if dropped_user and not drop_collinear:
        raise PanelDataError(
            f"singular covariates: {dropped_user} are perfectly collinear with the fixed effects or other "
            "regressors; remove them, or pass drop_collinear=True to drop them explicitly"
        )
    return fit, names, dropped_user


def _tidy_from_fit(fit, names: dict[str, str], keep: Sequence[str] | None = None) -> pd.DataFrame:
    tb = pfx.tidy(fit)
    tb = tb[[not i.startswith(_TREND_PREFIX) for i in tb.index]]
    out = tb.rename(index=names).rename_axis("term").reset_index()
    return out if keep is None else out.set_index("term").loc[list(keep)].reset_index()


def _vcov_frame(fit, names: dict[str, str]) -> pd.DataFrame:
    v = pfx.vcov_matrix(fit)
    keep = [c for c in v.index if not c.startswith(_TREND_PREFIX)]
    return v.loc[keep, keep].rename(index=names, columns=names)


def _n_clusters(fit, vcov: str) -> int | None:
    return pfx.n_clusters(fit) if vcov == "cluster" else None


def _few_clusters_note(g: int | None) -> str | None:
    """The note added to a result when cluster-robust inference rests on fewer than FEW_CLUSTERS clusters."""
    if g is None or g >= FEW_CLUSTERS:
        return None
    return (
        f"only {g} clusters: cluster-robust t-tests can over-reject when clusters are few or unequal, and "
        "most when few of them are treated (there is no safe threshold); check the p-value and interval "
        "with didbook.wild_cluster_bootstrap(...) or didbook.placebo_test(..., cluster=...)"
    )


def _warn_clusters(g: int | None, warn: bool, stacklevel: int = 3) -> list[str]:
    """Notes for a result with ``g`` clusters; also a :class:`FewClustersWarning` if ``warn`` (opt-in)."""
    note = _few_clusters_note(g)
    if note is None:
        return []
    if warn:
        warnings.warn(note, FewClustersWarning, stacklevel=stacklevel)
    return [note]
