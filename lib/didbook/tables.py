"""Side-by-side regression tables as in published DID papers.

:func:`regression_table` lays out several fits in columns: coefficients with significance stars,
standard errors in parentheses underneath, then rows saying which controls, fixed effects and
trends each column includes, the number of observations and the within R-squared. The table
renders to HTML (notebooks), Markdown and LaTeX (booktabs).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["regression_table", "RegressionTable"]


class RegressionTable:
    """A rendered comparison of several fits; ``.frame`` holds the cells as strings.

    Coefficient rows are labelled with the term; the standard-error row under each has an
    empty label. Use :meth:`to_html`, :meth:`to_markdown` or :meth:`to_latex` to render.
    """

    def __init__(self, frame: pd.DataFrame, notes: str):
        self.frame = frame
        self.notes = notes

    def __repr__(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_markdown(self) -> str:
        """GitHub/MyST pipe table with the star legend underneath."""
        cols = ["", *map(str, self.frame.columns)]
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join([":---"] + [":---:"] * (len(cols) - 1)) + "|"]
        for label, row in zip(self.frame.index, self.frame.itertuples(index=False)):
            cells = [str(label)] + [str(c).replace("*", r"\*") for c in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n\n" + self.notes.replace("*", r"\*") + "\n"

    def to_html(self) -> str:
        """An HTML ``<table>`` (class ``didbook-regtable``) with the star legend as caption."""
        head = "".join(f"<th style='text-align:center'>{html.escape(str(c))}</th>" for c in self.frame.columns)
        body = []
        for label, row in zip(self.frame.index, self.frame.itertuples(index=False)):
            cells = "".join(f"<td style='text-align:center'>{html.escape(str(c))}</td>" for c in row)
            body.append(f"<tr><th style='text-align:left'>{html.escape(str(label))}</th>{cells}</tr>")
        return (
            "<table class='didbook-regtable'>"
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"<caption style='caption-side:bottom;text-align:left'>{html.escape(self.notes)}</caption></table>"
        )

    def to_latex(self) -> str:
        """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""

        def esc(s: str) -> str:
            for a, b in [
                ("\\", r"\textbackslash{}"),
                ("&", r"\&"),
                ("%", r"\%"),
                ("$", r"\$"),
                ("#", r"\#"),
                ("_", r"\_"),
                ("{", r"\{"),
                ("}", r"\}"),
                ("^", r"\^{}"),
                ("~", r"\~{}"),
            ]:
                s = s.replace(a, b)
            return s.replace("²", "$^2$")

        def cell(s: str) -> str:
            s = esc(str(s))
            stars = len(s) - len(s.rstrip("*"))
            return s[: len(s) - stars] + (f"$^{{{'*' * stars}}}$" if stars else "")

        ncol = len(self.frame.columns)
        out = [
            r"\begin{tabular}{l" + "c" * ncol + "}",
            r"\toprule",
            " & ".join(["", *[esc(str(c)) for c in self.frame.columns]]) + r" \\",
            r"\midrule",
        ]
        for label, row in zip(self.frame.index, self.frame.itertuples(index=False)):
            if label == "Controls" or (label == "N" and "Controls" not in self.frame.index):
                out.append(r"\midrule")
            out.append(" & ".join([esc(str(label)), *[cell(c) for c in row]]) + r" \\")
        out += [
            r"\bottomrule",
            r"\multicolumn{"
            + str(ncol + 1)
            + "}{l}{\\footnotesize "
            + esc(self.notes).replace(r"\textbackslash{}", "")
            + "}",
            r"\end{tabular}",
        ]
        return "\n".join(out)


def _stars(p: float, stars: Sequence[float]) -> str:
    if not np.isfinite(p):
        return ""
    return "*" * sum(p < s for s in stars)


def regression_table(
    fits: Sequence,
    names: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
    stars: Sequence[float] = (0.1, 0.05, 0.01),
    fmt: str = "{:.4f}",
    labels: dict[str, str] | None = None,
) -> RegressionTable:
    """Several fits side by side: coefficients with stars, SEs in parentheses, FE rows, N, within R².

    Parameters
    ----------
    fits : sequence of TwfeResult (or any result with ``tidy()``)
        The columns of the table.
    names : sequence of str, optional
        Column headers (default ``(1)``, ``(2)``, ...).
    keep : sequence of str, optional
        Terms to show, in this order (default: each fit's treatment variable; for results
        without one, all their terms). Controls not kept are summarized by the "Controls" row.
    stars : sequence of float
        p-value thresholds for one, two, three stars (p < threshold).
    fmt : str
        Number format for coefficients and standard errors.
    labels : dict, optional
        Display names for terms, e.g. ``{"post": "Castle doctrine"}``.

    Returns
    -------
    RegressionTable
        ``.frame``, ``.to_html()``, ``.to_markdown()``, ``.to_latex()``.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_dataset("castle").data
    >>> f1 = didbook.twfe(df, "l_homicide", "post", "sid", "year", treatment_type="share")
    >>> f2 = didbook.twfe(df, "l_homicide", "post", "sid", "year", controls=["l_police"],
    ...                   treatment_type="share")
    >>> tab = didbook.regression_table([f1, f2])
    >>> tab.frame.loc["post"].tolist()
    ['0.0694', '0.0697']
    """
    fits = list(fits)
    if not fits:
        raise ValueError("regression_table needs at least one fit")
    names = list(names) if names is not None else [f"({i + 1})" for i in range(len(fits))]
    if len(names) != len(fits):
        raise ValueError(f"{len(names)} names for {len(fits)} fits")
    labels = labels or {}
    tidies = [f.tidy().set_index("term") for f in fits]
    if keep is None:
        keep = []
        for f, tb in zip(fits, tidies):
            treat = getattr(f, "treatment", None)
            terms = [treat] if isinstance(treat, str) and treat else list(tb.index)
            keep += [t for t in terms if t not in keep]
    else:
        keep = list(keep)
        unknown = [t for t in keep if not any(t in tb.index for tb in tidies)]
        if unknown:
            raise KeyError(f"term(s) {unknown} are in none of the fits")
    rows: list[tuple[str, list[str]]] = []
    for term in keep:
        coef, se = [], []
        for tb in tidies:
            if term in tb.index:
                r = tb.loc[term]
                coef.append(fmt.format(r["estimate"]) + _stars(float(r["p_value"]), sorted(stars, reverse=True)))
                se.append("(" + fmt.format(r["std_error"]) + ")")
            else:
                coef.append("")
                se.append("")
        rows += [(labels.get(term, term), coef), ("", se)]

    def yn(flag: bool) -> str:
        return "Yes" if flag else "No"

    is_twfe = [hasattr(f, "unit") and hasattr(f, "fixed_effects") for f in fits]
    if any(is_twfe):
        rows.append(("Controls", [yn(bool(getattr(f, "controls", []))) if t else "" for f, t in zip(fits, is_twfe)]))
        rows.append(("Unit FE", [yn(t) if t else "" for t in is_twfe]))
        rows.append(("Year FE", [yn(t) if t else "" for t in is_twfe]))
        extra: list[str] = []
        for f in fits:
            extra += [e for e in getattr(f, "fixed_effects", []) if e not in extra]
        for e in extra:
            rows.append((f"{e.replace('^', ' x ')} FE", [yn(e in getattr(f, "fixed_effects", [])) for f in fits]))
        if any(getattr(f, "unit_trends", False) for f in fits):
            rows.append(("Unit trends", [yn(getattr(f, "unit_trends", False)) for f in fits]))
        if any(getattr(f, "weights", None) for f in fits):
            rows.append(("Weights", [getattr(f, "weights", None) or "No" for f in fits]))
    rows.append(("N", [str(getattr(f, "nobs", "")) for f in fits]))
    if any(getattr(f, "n_clusters", None) for f in fits):
        rows.append(("Clusters", [str(getattr(f, "n_clusters", None) or "") for f in fits]))
    rows.append(
        ("Within R²", [fmt.format(f.r2_within) if np.isfinite(getattr(f, "r2_within", np.nan)) else "" for f in fits])
    )
    frame = pd.DataFrame([r[1] for r in rows], index=[r[0] for r in rows], columns=names)
    levels = sorted(stars, reverse=True)
    notes = (
        "Standard errors in parentheses. " + ", ".join(f"{'*' * (i + 1)} p<{s:g}" for i, s in enumerate(levels)) + "."
    )
    return RegressionTable(frame, notes)
