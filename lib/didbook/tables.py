"""Side-by-side regression tables as in published DID papers.

:func:`regression_table` lays out several fits in columns: coefficients with significance stars,
standard errors in parentheses underneath, then rows saying which controls, fixed effects and
trends each column includes, the number of observations and the within R-squared. The table
renders to HTML (notebooks), Markdown, LaTeX (booktabs) and CSV.

Digits follow the standard errors: :func:`decimals_for` gives the decimals that show a standard error to two
significant digits, :func:`format_by_se` formats a results frame row by row with them (``fmt="auto"`` does the
same in :func:`regression_table`), so a table never rounds a small effect to 0.000 nor prints noise digits.
:func:`save_table` writes a table as ``.csv`` (full precision), ``.md`` and ``.tex``; :func:`etable_latex`
renders TWFE fits through :func:`pyfixest.etable`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .adapters import pyfixest as pfx

__all__ = ["regression_table", "RegressionTable", "decimals_for", "format_by_se", "save_table", "etable_latex"]


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

    def to_csv(self) -> str:
        """The cells as CSV (first column: the row labels; the star legend is not included)."""
        return self.frame.rename_axis("").to_csv()

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
    rows: dict[str, Sequence] | None = None,
    note: str = "",
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
        Number format for coefficients and standard errors, or ``"auto"``: the decimals that show the
        smallest standard error of the table to two significant digits (:func:`decimals_for`).
    labels : dict, optional
        Display names for terms, e.g. ``{"post": "Castle doctrine"}``.
    rows : dict, optional
        Further rows after "Clusters", one value per fit (e.g. ``{"Control group": [...]}``).
    note : str
        Appended to the table's notes (e.g. the critical-value rule).

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
    if fmt == "auto":
        ses = [float(tb.loc[t, "std_error"]) for tb in tidies for t in keep if t in tb.index]
        fmt = "{:." + str(decimals_for(min([s for s in ses if np.isfinite(s) and s > 0], default=np.nan))) + "f}"
    rows_extra = rows
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
    for label, values in (rows_extra or {}).items():
        if len(values) != len(fits):
            raise ValueError(f"rows[{label!r}] has {len(values)} values for {len(fits)} fits")
        rows.append((label, [str(v) for v in values]))
    rows.append(
        ("Within R²", [fmt.format(f.r2_within) if np.isfinite(getattr(f, "r2_within", np.nan)) else "" for f in fits])
    )
    frame = pd.DataFrame([r[1] for r in rows], index=[r[0] for r in rows], columns=names)
    levels = sorted(stars, reverse=True)
    notes = (
        "Standard errors in parentheses. " + ", ".join(f"{'*' * (i + 1)} p<{s:g}" for i, s in enumerate(levels)) + "."
    )
    notes += f" {note}" if note else ""
    return RegressionTable(frame, notes)


def decimals_for(se: float, significant: int = 2, maximum: int = 10) -> int:
    """Decimals that show ``se`` to ``significant`` significant digits (3 when ``se`` is 0, NaN or infinite).

    Examples
    --------
    >>> decimals_for(0.0234), decimals_for(0.5), decimals_for(12.3), decimals_for(0.000123)
    (3, 2, 0, 5)
    """
    se = abs(float(se))
    if not np.isfinite(se) or se == 0:
        return 3
    return int(min(maximum, max(0, significant - 1 - int(np.floor(np.log10(se))))))


#: Display headers of the tidy columns (``format_by_se(..., rename=True)``).
DISPLAY_NAMES = {"estimate": "estimate", "std_error": "SE", "conf_low": "95% CI low", "conf_high": "95% CI high",
                 "p_value": "p-value", "band_low": "band low", "band_high": "band high"}  # fmt: skip


def format_by_se(
    frame: pd.DataFrame,
    columns: Sequence[str] = ("estimate", "std_error", "conf_low", "conf_high", "band_low", "band_high"),
    se: str = "std_error",
    significant: int = 2,
    rename: bool = False,
) -> pd.DataFrame:
    """``frame`` with ``columns`` as strings, each row rounded to the decimals of its standard error.

    A row without a standard error keeps 3 decimals; ``p_value`` (if present) gets 3 decimals (``<0.001``
    below). Other columns are left as they are. ``rename=True`` gives the columns the headers of
    :data:`DISPLAY_NAMES` ("SE", "95% CI low", ...).

    Examples
    --------
    >>> tb = pd.DataFrame({"estimate": [-0.51234, 12.345], "std_error": [0.0234, 3.1], "p_value": [1e-5, 0.2]})
    >>> format_by_se(tb).values.tolist()
    [['-0.512', '0.023', '<0.001'], ['12.3', '3.1', '0.200']]
    """
    out = frame.copy().astype(object)
    for i, row in frame.iterrows():
        k = decimals_for(row[se], significant) if se in frame.columns else 3
        for c in columns:
            if c in frame.columns:
                v = row[c]
                out.at[i, c] = "" if pd.isna(v) else f"{float(v):.{k}f}"
    if "p_value" in frame.columns:
        out["p_value"] = ["" if pd.isna(p) else "<0.001" if p < 0.001 else f"{p:.3f}" for p in frame["p_value"]]
    return out.rename(columns=DISPLAY_NAMES) if rename else out


def _markdown(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    esc = lambda v: str(v).replace("|", "\\|").replace("*", "\\*").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(map(esc, cols)) + " |", "|" + "|".join(":---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


_TEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"$<$",
    ">": r"$>$",
}


def _latex(frame: pd.DataFrame) -> str:
    def esc(v) -> str:
        return "".join(_TEX.get(ch, ch) for ch in str(v))

    cols = [esc(c) for c in frame.columns]
    out = [r"\begin{tabular}{" + "l" * len(cols) + "}", r"\toprule", " & ".join(cols) + r" \\", r"\midrule"]
    out += [" & ".join(esc(v) for v in row) + r" \\" for row in frame.itertuples(index=False)]
    return "\n".join([*out, r"\bottomrule", r"\end{tabular}"]) + "\n"


def save_table(table, stem, display: pd.DataFrame | None = None, latex: str | None = None) -> list:
    """Write ``stem.csv``, ``stem.md`` and ``stem.tex``; return the three paths.

    ``table`` is a :class:`RegressionTable` (its own renderings) or a DataFrame: the CSV holds the
    DataFrame at full precision, Markdown and LaTeX (booktabs) the ``display`` frame (e.g. from
    :func:`format_by_se`; default the DataFrame itself). ``latex`` replaces the LaTeX rendering (e.g.
    :func:`etable_latex`). Text is UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in save_table(pd.DataFrame({"a": [1.5]}), d / "t")]
    ['t.csv', 't.md', 't.tex']
    """
    from pathlib import Path

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(table, RegressionTable):
        texts = [table.to_csv(), table.to_markdown(), latex or table.to_latex() + "\n"]
    else:
        shown = table if display is None else display
        texts = [table.to_csv(index=False), _markdown(shown), latex or _latex(shown)]
    paths = [stem.with_name(stem.name + ext) for ext in (".csv", ".md", ".tex")]
    for path, text in zip(paths, texts):
        path.write_text(text, encoding="utf-8")
    return paths


def etable_latex(
    fits: Sequence,
    names: Sequence[str],
    rows: dict[str, Sequence] | None = None,
    digits: int = 3,
    labels: dict[str, str] | None = None,
) -> str:
    """LaTeX of TWFE fits by :func:`pyfixest.etable`, with the user's variable names and extra rows.

    Coefficients are labelled with the names of the fits' ``tidy()`` tables (a column name pyfixest cannot
    parse is fitted under a safe name); the fixed effects didbook absorbs are listed as rows ("Unit FE",
    "Period FE"), as pyfixest cannot see them; ``rows`` adds model statistics (clusters, control group, ...);
    ``labels`` renames terms (``{"didbook_treated": "treated"}``);
    stars at 0.1/0.05/0.01 as :func:`regression_table`. Needs ``\\usepackage{booktabs, makecell, tabularx,
    threeparttable}``.
    """
    import pyfixest as pf

    names_: dict[str, str] = {}
    for f in fits:
        terms = f.tidy()["term"].tolist()
        coefs = pfx.coef_names(f.model)
        if len(coefs) == len(terms):
            names_.update({str(c): str(t) for c, t in zip(coefs, terms)})
    names_ = {c: (labels or {}).get(t, t) for c, t in names_.items()}
    stats = {"Unit FE": ["Yes"] * len(fits), "Period FE": ["Yes"] * len(fits), **(rows or {})}
    stats["Clusters"] = [str(getattr(f, "n_clusters", "") or "") for f in fits]
    return pf.etable(
        [f.model for f in fits], type="tex", labels=names_, show_fe=False, custom_model_stats=stats,
        signif_code=[0.01, 0.05, 0.1], coef_fmt=f"b:.{digits}f* \\n (se:.{digits}f)", model_heads=list(names),
    )  # fmt: skip
