"""The base classes of every result: one headline, one ``tidy()`` schema, one ``summary()``.

* :class:`Result` -- an *estimate* with sampling uncertainty. Its five headline attributes
  (:data:`HEADLINE`: ``estimate``, ``std_error``, ``conf_low``, ``conf_high``, ``p_value``) are set
  in one way, :meth:`Result.from_table` (from a row of its table, or from a mapping); ``tidy()``
  returns :data:`TIDY_COLUMNS` then any extra columns of the table.
* :class:`Measure` -- a *descriptive* measure (Theil, Dagum-Gini, composite-index weights): a
  plain table of values, no standard errors or intervals pretending to exist.

Both have ``info``: facts about the fit under identifier keys (``n_obs``, ``std_errors``, ...),
read as data (``fit.info["n_obs"]``), and rendered for display with readable labels by
:meth:`describe` (labels from :data:`FACT_LABELS`); ``summary()`` always returns a string.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

#: The headline attributes every estimate carries (NaN where a concept does not apply).
HEADLINE = ("estimate", "std_error", "conf_low", "conf_high", "p_value")
#: The leading columns of every estimate's ``tidy()`` (extra columns, if any, follow).
TIDY_COLUMNS = ["term", *HEADLINE]

#: Display labels of the ``info`` keys (a key not listed is shown with ``_`` as a space).
FACT_LABELS = {
    "outcome": "Outcome",
    "treatment": "Treatment",
    "fixed_effects": "Fixed effects",
    "controls": "Controls",
    "weights": "Weights",
    "n_obs": "Observations",
    "std_errors": "Std. errors",
    "r2_within": "Within R2",
    "dropped_collinear": "Dropped (collinear)",
    "engine_notes": "Notes from the engine",
    "n_draws": "Draws",
    "seed": "Seed",
    "n_clusters": "Clusters",
    "cluster": "Cluster",
    "t_stat": "t statistic",
    "window": "Window",
    "reference_period": "Reference period",
    "pretrend_test": "Pre-trend test (leads = 0)",
    "average_post_effect": "Average post-period effect",
    # staggered adoption (didbook.staggered)
    "att_simple": "ATT (simple)",
    "n_never_treated": "Never-treated units",
    "control_group": "Control group",
    "base_period": "Base period",
    "dropped_cohorts": "Dropped cohorts",
    "unbalanced_panel": "Unbalanced panel",
    "simultaneous_band": "Simultaneous band",
    "few_clusters": "Few clusters",
    # sensitivity analysis (didbook.honest_sensitivity)
    "pre_post_periods": "Pre / post periods",
    "original_ci": "Original CI",
    "event_times": "Event times",
    "m_grid": "M grid",
}


def fact_label(key: str) -> str:
    """The display label of an ``info`` key (keys that are not identifiers are shown as they are)."""
    if key in FACT_LABELS:
        return FACT_LABELS[key]
    return key.replace("_", " ").capitalize() if key.isidentifier() else key


def tidy_frame(
    terms,
    estimates,
    std_errors,
    *,
    df: float | None = None,
    alpha: float = 0.05,
    p_values=None,
    conf_low=None,
    conf_high=None,
) -> pd.DataFrame:
    """A tidy coefficient table (:data:`TIDY_COLUMNS`) with normal (``df=None``) or t(df) inference.

    Explicit ``p_values``/``conf_low``/``conf_high`` override the computed ones
    (e.g. for bootstrap or simultaneous bands).
    """
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    dist = stats.norm if df is None else stats.t(df)
    crit = dist.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    p = 2 * dist.sf(np.abs(z)) if p_values is None else np.asarray(p_values, dtype=float)
    lo = est - crit * se if conf_low is None else np.asarray(conf_low, dtype=float)
    hi = est + crit * se if conf_high is None else np.asarray(conf_high, dtype=float)
    return pd.DataFrame(
        {"term": list(terms), "estimate": est, "std_error": se, "conf_low": lo, "conf_high": hi, "p_value": p}
    )


class _Report:
    """``describe()``, ``summary()`` and the notebook display shared by :class:`Result` and :class:`Measure`."""

    title: str
    info: dict
    notes: list

    def tidy(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def describe(self) -> pd.Series:
        """The ``info`` facts with display labels (``"Observations"`` for ``n_obs``, ...), as a Series."""
        return pd.Series(
            [", ".join(map(str, v)) if isinstance(v, list | tuple) else v for v in self.info.values()],
            index=[fact_label(k) for k in self.info],
            dtype=object,
        )

    def summary(self) -> str:
        """A plain-text report: title, the facts of :meth:`describe`, notes and the ``tidy()`` table."""
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{k:<28}{v}" for k, v in self.describe().items()]
        lines += [f"Note: {n}" for n in self.notes]
        lines += ["", self.tidy().to_string(index=False, float_format=lambda x: f"{x:.6g}")]
        return "\n".join(lines)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        facts = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self.describe().items()
        )
        notes = "".join(f"<p class='didbook-note'><b>Note:</b> {html.escape(n)}</p>" for n in self.notes)
        return f"<p><b>{html.escape(self.title)}</b></p><table>{facts}</table>{notes}" + self.tidy().to_html(
            index=False, float_format=lambda x: f"{x:.4f}"
        )


@dataclass(repr=False)
class Result(_Report):
    """Base of every estimate. Subclasses fill ``table`` (a tidy frame) and ``info``.

    Every result has the same five headline attributes -- ``estimate``, ``std_error``,
    ``conf_low``, ``conf_high``, ``p_value`` -- with NaN where a concept does not apply (each
    subclass documents what its headline number is), set by :meth:`from_table`, and a list of
    ``notes``: things the reader must know about this result (few clusters, a restricted
    comparison window, ...). Notes are shown by :meth:`summary` and the notebook display instead
    of being emitted as warnings.
    """

    table: pd.DataFrame
    info: dict = field(default_factory=dict)
    title: str = "Estimation result"
    estimate: float = np.nan
    std_error: float = np.nan
    conf_low: float = np.nan
    conf_high: float = np.nan
    p_value: float = np.nan
    notes: list = field(default_factory=list)

    @classmethod
    def from_table(cls, table: pd.DataFrame, headline: int | Mapping[str, Any] = 0, **fields):
        """Build a result whose headline is row ``headline`` of ``table`` (a position), or the given mapping.

        The one way the five headline numbers are set: ``headline`` is either the position of the
        headline row in ``table`` (default: the first row) or a mapping with the five
        :data:`HEADLINE` names (a missing name is NaN).
        """
        row = table.iloc[headline] if isinstance(headline, int | np.integer) else headline
        head = {k: float(row[k]) if k in row else np.nan for k in HEADLINE}
        return cls(table=table, **head, **fields)

    def tidy(self) -> pd.DataFrame:
        """Estimates with columns ``term, estimate, std_error, conf_low, conf_high, p_value``, then any extra."""
        extra = [c for c in self.table.columns if c not in TIDY_COLUMNS]
        return self.table[[*TIDY_COLUMNS, *extra]].copy()


@dataclass(repr=False)
class Measure(_Report):
    """Base of descriptive measures (inequality indices, index weights): values, no sampling inference.

    ``tidy()`` returns the table of values as it is (each subclass documents its columns); there
    are no standard errors, intervals or p-values to report, so none are carried.
    """

    table: pd.DataFrame
    info: dict = field(default_factory=dict)
    title: str = "Measure"
    notes: list = field(default_factory=list)

    def tidy(self) -> pd.DataFrame:
        """The table of values (columns documented by the subclass)."""
        return self.table.copy()
