"""A small base class shared by all result objects: ``summary()`` and ``tidy()``."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

TIDY_COLUMNS = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high"]


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
    """Build a tidy coefficient table with normal (``df=None``) or t(df) inference.

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
        {"term": list(terms), "estimate": est, "std_error": se, "p_value": p, "conf_low": lo, "conf_high": hi}
    )


#: The headline attributes every result carries (NaN where a concept does not apply).
HEADLINE = ("estimate", "std_error", "conf_low", "conf_high", "p_value")


@dataclass
class Result:
    """Base for result objects. Subclasses fill ``table`` (a tidy frame) and ``info``.

    Every result has the same five headline attributes -- ``estimate``, ``std_error``,
    ``conf_low``, ``conf_high``, ``p_value`` -- with NaN where a concept does not apply (each
    subclass documents what its headline number is), and a list of ``notes``: things the reader
    must know about this result (few clusters, a restricted comparison window, ...). Notes are
    shown by :meth:`summary` and the notebook display instead of being emitted as warnings.
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

    def _set_headline(self, row) -> None:
        """Copy the five headline numbers from a tidy row (a Series or dict)."""
        for k in HEADLINE:
            setattr(self, k, float(row[k]))

    def tidy(self) -> pd.DataFrame:
        """Coefficients as a DataFrame with columns ``term, estimate, std_error, p_value, conf_low, conf_high``."""
        return self.table[TIDY_COLUMNS].copy()

    def summary(self) -> str:
        """A plain-text report: title, key facts (N, clusters, ...), notes and the coefficient table."""
        lines = [self.title, "=" * len(self.title)]
        for k, v in self.info.items():
            lines.append(f"{k:<28}{v}")
        for n in self.notes:
            lines.append(f"Note: {n}")
        lines.append("")
        lines.append(self.tidy().to_string(index=False, float_format=lambda x: f"{x:.6g}"))
        return "\n".join(lines)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        facts = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self.info.items()
        )
        notes = "".join(f"<p class='didbook-note'><b>Note:</b> {html.escape(n)}</p>" for n in self.notes)
        return f"<p><b>{html.escape(self.title)}</b></p><table>{facts}</table>{notes}" + self.tidy().to_html(
            index=False, float_format=lambda x: f"{x:.4f}"
        )
