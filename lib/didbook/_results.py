"""A small base class shared by all result objects: ``summary()`` and ``tidy()``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

TIDY_COLUMNS = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high"]


def tidy_frame(
    terms, estimates, std_errors, *, df: float | None = None, alpha: float = 0.05, p_values=None,
    conf_low=None, conf_high=None,
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


@dataclass
class Result:
    """Base for result objects. Subclasses fill ``table`` (a tidy frame) and ``info``."""

    table: pd.DataFrame
    info: dict = field(default_factory=dict)
    title: str = "Estimation result"

    def tidy(self) -> pd.DataFrame:
        """Coefficients as a DataFrame with columns ``term, estimate, std_error, p_value, conf_low, conf_high``."""
        return self.table[TIDY_COLUMNS].copy()

    def summary(self) -> str:
        """A plain-text report: title, key facts (N, clusters, ...) and the coefficient table."""
        lines = [self.title, "=" * len(self.title)]
        for k, v in self.info.items():
            lines.append(f"{k:<28}{v}")
        lines.append("")
        lines.append(self.tidy().to_string(index=False, float_format=lambda x: f"{x:.6g}"))
        return "\n".join(lines)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        facts = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in self.info.items())
        return (
            f"<p><b>{self.title}</b></p><table>{facts}</table>"
            + self.tidy().to_html(index=False, float_format=lambda x: f"{x:.4f}")
        )
