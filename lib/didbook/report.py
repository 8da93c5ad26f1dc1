"""The "Your panel" report: the book's toolkit run on a CSV, as files anyone can open.

One command runs the chapter ``notebooks/your_panel.md`` on a panel and writes, into a folder you name::

    python -m didbook.report my_panel.csv --out report_dir --unit county --time yr --outcome gap \\
        --cohort adopt_year [--controls "lngdp,popdens"] [--cluster prov] [--weights pop] [-p leads 4 ...]

``report_dir/`` then holds

* ``report.html`` -- the executed chapter as one self-contained web page: every sentence with its numbers in
  place (the chapter's ``{glue:text}`` roles resolved), tables as HTML, figures embedded, code folded away;
* ``your_panel.ipynb`` -- the executed notebook (open it in Jupyter to re-run or change anything);
* ``tables/`` -- every table as ``.csv`` (full precision), ``.md`` and ``.tex`` (digits from the standard
  errors; the TWFE table's LaTeX by :func:`pyfixest.etable`);
* ``figures/`` -- every figure as ``.pdf``, ``.svg`` and 300-dpi ``.png``.

Where the chapter comes from
    The chapter source is part of the book's repository, not of the installed package: the command looks for
    ``notebooks/your_panel.md`` in the repository that holds this package (a clone with ``pip install -e .``,
    the book's own set-up) and uses the repository's ``scripts/`` to generate and render it. Pass
    ``--chapter PATH`` (or set ``DIDBOOK_CHAPTER``) for a chapter elsewhere. It works from any directory:
    relative paths are taken from where you run it. It needs the book's extra packages (papermill, jupytext,
    ipykernel: ``pip install -e ".[book]"``).

Before papermill starts, the parameters are checked against the chapter's ``parameters`` cell
(:func:`didbook.parameters.validate`): an unknown name or a wrong type stops the run with a message naming it.

The chapter itself uses the helpers of this module: :class:`Exporter` (the files), :class:`MethodLog` (every
method run, its refusal or its warnings kept for the summary), :func:`prepare_your_panel`,
:func:`event_window` and :func:`plot_event_window` (event studies in the ``leads``/``lags`` window with
simultaneous bands).
"""

from __future__ import annotations

import argparse
import base64
import html
import os
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validation import PanelDataError, as_list, prepare_panel
from .tables import save_table

__all__ = [
    "Exporter",
    "MethodLog",
    "prepare_your_panel",
    "event_window",
    "plot_event_window",
    "event_study_figure",
    "legend_outside",
    "windowed_event_study",
    "sensitivity",
    "find_chapter",
    "render_html",
    "run_report",
    "main",
]

CHAPTER = "your_panel"
FIGURE_FORMATS = ("pdf", "svg", "png")
PNG_DPI = 300


# ---- files --------------------------------------------------------------------------------------------------------


class Exporter:
    """Writes the chapter's tables and figures into ``output_dir`` (nothing at all when it is ``""``).

    Figures go to ``output_dir/figures/NAME.{pdf,svg,png}`` (PNG at 300 dpi), tables to
    ``output_dir/tables/NAME.{csv,md,tex}`` (see :func:`didbook.tables.save_table`). ``written`` lists the
    files, in order.

    Examples
    --------
    >>> Exporter("").figure(None, "nothing")  # no folder: a no-op
    []
    """

    def __init__(self, output_dir: str | os.PathLike = ""):
        self.root = Path(output_dir).expanduser().resolve() if str(output_dir) else None
        self.written: list[Path] = []

    def figure(self, fig, name: str) -> list[Path]:
        """Save ``fig`` as PDF, SVG and 300-dpi PNG; return the paths."""
        if self.root is None:
            return []
        folder = self.root / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for ext in FIGURE_FORMATS:
            path = folder / f"{name}.{ext}"
            fig.savefig(path, dpi=PNG_DPI if ext == "png" else None, bbox_inches="tight")
            paths.append(path)
        self.written += paths
        return paths

    def table(self, table, name: str, display: pd.DataFrame | None = None, latex: str | None = None) -> list[Path]:
        """Save a table as CSV, Markdown and LaTeX (``display``: the formatted strings; ``latex``: ready-made)."""
        if self.root is None:
            return []
        paths = save_table(table, self.root / "tables" / name, display=display, latex=latex)
        self.written += paths
        return paths


@dataclass
class MethodLog:
    """Runs each method of the chapter and keeps what the summary must say about it.

    :meth:`run` returns the method's result, or ``None`` when the library refused the data (the message is
    kept in ``refused``). Every warning raised while the method ran, and the notes the result carries
    (``result.notes`` and its engine's ``info["engine_notes"]``), are kept in ``warnings`` under the method's
    name: nothing is swallowed.

    Examples
    --------
    >>> log = MethodLog()
    >>> log.run("bad", lambda: int("x")) is None, list(log.refused)
    (True, ['bad'])
    """

    refused: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def run(self, name: str, fn: Callable[[], Any]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = fn()
            except (PanelDataError, ValueError, NotImplementedError, np.linalg.LinAlgError) as err:
                self.refused[name] = str(err)
                res = None
        quiet = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
        msgs = [str(w.message).strip().splitlines()[0] for w in caught if not issubclass(w.category, quiet)]
        self.note(name, *msgs)
        if res is not None:
            self.note(name, *getattr(res, "notes", []) or [])
            engine = getattr(res, "info", {}).get("engine_notes")
            if engine:
                self.note(name, *str(engine).split("; "))
        return res

    def note(self, name: str, *messages: str) -> None:
        """Add messages (deduplicated) to a method's list."""
        have = self.warnings.setdefault(name, [])
        have += [m for m in dict.fromkeys(m.strip() for m in messages if m and m.strip()) if m not in have]
        if not have:
            del self.warnings[name]

    def frame(self) -> pd.DataFrame:
        """One row per message: ``method, kind (refused / warning), message``."""
        rows = [(m, "refused", msg) for m, msg in self.refused.items()]
        rows += [(m, "warning", msg) for m, msgs in self.warnings.items() for msg in msgs]
        return pd.DataFrame(rows, columns=["method", "kind", "message"])


# ---- data ---------------------------------------------------------------------------------------------------------


def prepare_your_panel(
    raw: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    cohort: str | None,
    treatment: str | None = None,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
) -> tuple[pd.DataFrame, dict]:
    """:func:`didbook.prepare_panel` plus what real panels need: late cohorts, weights, the user's names.

    * A cohort after the panel's last period (a unit treated only after the data end) is treated as not
      (yet) treated within the window -- R ``did``'s rule -- and counted in the report (``late_units``,
      ``late_values``), never dropped or recoded silently.
    * ``weights`` must be a column with positive values (rows with a missing weight are dropped and counted
      like other missing values).
    * Messages name your columns, never the helper columns ``didbook_cohort``/``didbook_treated``.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [0.0, 1.0, 0.5, 0.7],
    ...                    "g": [2, 2, 5, 5]})
    >>> out, rep = prepare_your_panel(df, "id", "t", "y", "g")
    >>> out["didbook_cohort"].tolist(), rep["late_units"]
    ([2.0, 2.0, 0.0, 0.0], 1)
    """
    controls = as_list(controls)
    if weights and weights not in raw.columns:
        raise PanelDataError(f"weights={weights!r} is not a column of the data; available: {list(raw.columns)[:30]}")
    if weights:
        bad = pd.to_numeric(raw[weights], errors="coerce")
        if not pd.api.types.is_numeric_dtype(raw[weights]) or (bad.dropna() <= 0).any():
            raise PanelDataError(f"weights column {weights!r} must hold positive numbers (sampling weights)")
    used = [*controls, *([weights] if weights else [])]
    df, report = prepare_panel(
        raw, unit, time, outcome, cohort or None, treatment or None, used, cluster, late_cohorts="not_yet"
    )
    report.setdefault("late_units", 0)
    report.setdefault("late_values", [])
    return df, report


# ---- event studies in the chapter's window ------------------------------------------------------------------------


def event_window(
    result, leads: int, lags: int, df: float | None = None, alpha: float = 0.05
) -> tuple[pd.DataFrame, float, int | None]:
    """Event-time rows of ``result`` in ``[-leads, lags]``, with a simultaneous (sup-t) band for that window.

    ``result``: :func:`didbook.event_study` or a ``dynamic`` aggregation of :func:`didbook.staggered`. The
    band's critical value is recomputed for the rows shown (:func:`didbook.bands.sup_t_critical_value`; pass
    ``df = G - 1`` for the library's t(G - 1) rule, ``None`` for normal), so it covers exactly the path shown. Returns ``(table, critical value,
    reference event time or None)``; the table has ``event_time, estimate, std_error, conf_low, conf_high,
    band_low, band_high``.

    Examples
    --------
    >>> import didbook
    >>> es = didbook.event_study(didbook.load_dataset("castle").data.assign(
    ...     g=lambda d: d.groupby("sid")["year"].transform(lambda s: s[d.loc[s.index, "post"] > 0].min())),
    ...     "l_homicide", "sid", "year", "g", leads=3, lags=3)
    >>> tb, crit, ref = event_window(es, 2, 2, df=es.n_clusters - 1)
    >>> tb["event_time"].tolist(), ref
    ([-2, 0, 1, 2], -1)
    """
    from .bands import add_band, sup_t_critical_value

    tb = result.table.reset_index(drop=True)
    et = tb["event_time"].to_numpy(dtype=int)
    V = getattr(result, "vcov", None)
    keep = (et >= -leads) & (et <= lags)
    ref = getattr(result, "reference", None)
    if ref is None:
        zero = tb["std_error"].isna() & (tb["estimate"] == 0)
        ref = int(et[zero.to_numpy()][0]) if zero.any() else (-1 if (et < 0).any() and -1 not in et else None)
    rows = tb.loc[keep & tb["std_error"].notna().to_numpy()]
    idx = rows.index.to_numpy()
    crit = np.nan
    if V is not None and len(idx):
        crit = sup_t_critical_value(np.asarray(V, dtype=float)[np.ix_(idx, idx)], alpha, df)
    cols = ["event_time", "estimate", "std_error", "conf_low", "conf_high"]
    out = add_band(rows[cols].reset_index(drop=True), crit) if np.isfinite(crit) else rows[cols].reset_index(drop=True)
    return out, float(crit), ref


def windowed_event_study(result, leads: int, lags: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(betahat, sigma, num_pre, num_post)`` of a robust event study in the window, for the sensitivity analysis.

    Event times ``-leads .. -2`` (the reference -1 omitted) and ``0 .. lags`` of a Sun-Abraham or
    Callaway-Sant'Anna (``base_period="universal"``) ``dynamic`` aggregation, in order, with their covariance;
    pass them to :func:`didbook.honest_sensitivity` as arrays. Raises ``ValueError`` when the window's event
    times are not all estimated (the restrictions need consecutive periods).
    """
    tb = result.table.reset_index(drop=True)
    et = tb["event_time"].to_numpy(dtype=int)
    want = [*range(-leads, -1), *range(0, lags + 1)]
    have = {int(e): i for i, e in enumerate(et) if np.isfinite(tb.loc[i, "std_error"])}
    missing = [e for e in want if e not in have]
    if missing:
        raise ValueError(
            f"event time(s) {missing} are not estimated in this event study: the sensitivity analysis needs every "
            f"period from -{leads} to {lags}; lower leads or lags"
        )
    idx = [have[e] for e in want]
    V = np.asarray(result.vcov, dtype=float)[np.ix_(idx, idx)]
    return tb.loc[idx, "estimate"].to_numpy(dtype=float), V, leads - 1, lags + 1


def sensitivity(
    window, method: str = "relative_magnitude", limit: float = 8.0, grid_points: int = 100, tol: float = 0.02
):
    """:func:`didbook.honest_sensitivity` of a windowed event study with a grid that grows to the breakdown value.

    ``window`` is ``(betahat, sigma, num_pre, num_post)`` (:func:`windowed_event_study`). Relative magnitudes
    start from ``Mbar = 0, 0.5, 1, 1.5, 2``; smoothness from ``M = 0, 0.25, 0.5, 1, 2`` times the standard
    error of the first post-adoption estimate (the scale of the outcome, known with any number of
    pre-periods). While the breakdown value lies beyond the grid, the grid is doubled (the new part only),
    up to ``limit`` times the first grid's top; the breakdown is then found by bisection to a relative
    precision ``tol`` (2%: quote it with two significant digits).
    ``result.breakdown`` is ``None`` only if it lies beyond that. The result's table holds every grid value.
    """
    import dataclasses

    from .honest import honest_sensitivity

    b, V, n_pre, n_post = window
    scale = 1.0 if method == "relative_magnitude" else float(np.sqrt(V[n_pre, n_pre]))
    grid = [scale * m for m in ((0, 0.5, 1, 1.5, 2) if method == "relative_magnitude" else (0, 0.25, 0.5, 1, 2))]
    key = "Mbar" if method == "relative_magnitude" else "M"
    opts = dict(method=method, grid_points=grid_points, breakdown_tol=tol)
    res = honest_sensitivity(b, V, n_pre, n_post, **opts, **{key: grid})
    top, tables = grid[-1], [res.table]
    while res.breakdown is None and top < limit * grid[-1]:
        more = honest_sensitivity(b, V, n_pre, n_post, **opts, **{key: [top, 2 * top]})
        tables.append(more.table.iloc[1:])
        res = dataclasses.replace(res, breakdown=more.breakdown)
        top *= 2
    table = pd.concat(tables, ignore_index=True)
    return dataclasses.replace(res, table=table, info={**res.info, "grid": f"{key} up to {top:g}"})


def plot_event_window(
    result, leads: int, lags: int, ax, df: float | None = None, color: str = "C0", alpha: float = 0.05
):
    """Plot an event study in ``[-leads, lags]``: 95% pointwise intervals, the sup-t band, the reference period.

    Returns the window table of :func:`event_window`.
    """
    tb, crit, ref = event_window(result, leads, lags, df, alpha)
    x, est = tb["event_time"].to_numpy(), tb["estimate"].to_numpy()
    ax.axhline(0, color="0.5", lw=0.8)
    if "band_low" in tb:
        ax.bar(x, tb["band_high"] - tb["band_low"], bottom=tb["band_low"], width=0.5, color=color, alpha=0.18,
               lw=0, label=f"simultaneous {1 - alpha:.0%} band (sup-t, c = {crit:.2f})")  # fmt: skip
    ax.errorbar(x, est, yerr=[est - tb["conf_low"], tb["conf_high"] - est], fmt="o", color=color, capsize=3,
                ms=4, label=f"estimate, pointwise {1 - alpha:.0%} CI")  # fmt: skip
    if ref is not None:
        ax.axvline(ref + 0.5, color="0.5", lw=0.8, ls="--")
        ax.plot([ref], [0.0], "o", mfc="white", color=color, label=f"reference period ({ref})")
    return tb


def legend_outside(ax) -> None:
    """The chapter's legend placement: outside the axes, right of the data, no frame."""
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))


def event_study_figure(result, leads: int, lags: int, ax, df: float | None = None, outcome: str = "the outcome"):
    """One estimator's event study in the window on ``ax`` (:func:`plot_event_window`), labelled; or, when
    ``result`` is None (the method was refused), a note pointing to the summary. Returns the window table or None.
    """
    from matplotlib.ticker import MaxNLocator

    if result is None:
        ax.text(0.5, 0.5, "not estimated:\nsee the summary", ha="center", va="center", transform=ax.transAxes)
        return None
    tb = plot_event_window(result, leads, lags, ax, df=df)
    ax.set_xlabel("periods since adoption")
    ax.set_ylabel(f"effect on {outcome}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    legend_outside(ax)
    return tb


# ---- the command: find, run, render -------------------------------------------------------------------------------


def find_chapter(chapter: str | os.PathLike | None = None) -> Path:
    """The chapter source: ``chapter``, else ``$DIDBOOK_CHAPTER``, else the repository holding this package."""
    given = chapter or os.environ.get("DIDBOOK_CHAPTER")
    if given:
        path = Path(given).expanduser().resolve()
        if not path.exists():
            raise FileNotFoundError(f"--chapter {given}: no such file")
        return path
    path = Path(__file__).resolve().parents[2] / "notebooks" / f"{CHAPTER}.md"
    if not path.exists():
        raise FileNotFoundError(
            f"the chapter source notebooks/{CHAPTER}.md is not next to this didbook ({Path(__file__).parent}): "
            "`python -m didbook.report` runs the book's chapter, so it needs the book's repository. Clone it and "
            '`pip install -e ".[book]"` there, or pass --chapter /path/to/repository/notebooks/your_panel.md'
        )
    return path


def _scripts(chapter: Path):
    """The repository's ``scripts/chapters.py`` and ``scripts/myst_plain.py`` (next to the chapter's folder)."""
    scripts = chapter.resolve().parents[1] / "scripts"
    if not (scripts / "chapters.py").exists():
        raise FileNotFoundError(f"{scripts}/chapters.py not found: the chapter must sit in the book's notebooks/")
    if str(scripts) not in sys.path:
        sys.path.insert(0, str(scripts))
    import chapters
    import myst_plain

    return chapters, myst_plain


def run_report(
    csv: str | os.PathLike | None,
    out: str | os.PathLike,
    parameters: Mapping[str, Any],
    chapter: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Generate, check and execute the chapter on ``csv`` into ``out``; write ``report.html``. Returns the paths."""
    import nbformat
    import papermill as pm

    from .parameters import notebook_parameters, validate

    source = find_chapter(chapter)
    chapters, _ = _scripts(source)
    out = Path(out).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = {k: v for k, v in parameters.items() if v is not None}
    params["data_path"] = str(Path(csv).expanduser().resolve()) if csv else ""
    if params["data_path"] and not Path(params["data_path"]).exists():
        raise FileNotFoundError(f"{csv}: no such file")
    params["output_dir"] = str(out)
    generated = out / f".{CHAPTER}.generated.ipynb"
    nbformat.write(chapters.generate(source), generated)
    declared, options = notebook_parameters(generated)
    validate(declared, params, where=f"{CHAPTER} (python -m didbook.report)", **options)
    executed = out / f"{CHAPTER}.ipynb"
    _kernel_environment()
    try:
        pm.execute_notebook(
            str(generated), str(executed), parameters=params, cwd=str(source.parent), kernel_name="python3",
            progress_bar=False, log_output=False,
        )  # fmt: skip
    finally:
        generated.unlink(missing_ok=True)
    report = out / "report.html"
    report.write_text(render_html(executed, source), encoding="utf-8")
    return {"report": report, "notebook": executed, "tables": out / "tables", "figures": out / "figures"}


def _kernel_environment() -> None:
    """The kernel is this interpreter's (``python3`` found first on PATH); figures inline; one BLAS thread."""
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


# ---- HTML ---------------------------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem}
thead th{background:#f3f3f3}figure{margin:1.5rem 0}figure img{max-width:100%}figcaption{font-size:.9rem;color:#444}
pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;font-size:.85rem}details{margin:.5rem 0;color:#555}
blockquote{border-left:4px solid #9ab;margin:1rem 0;padding:.25rem 1rem;background:#f7fafc}
.didbook-note{color:#444}
"""

_HIDDEN = {"remove-cell", "parameters-check", "colab-setup", "injected-parameters"}


def render_html(executed: str | os.PathLike, chapter: str | os.PathLike | None = None) -> str:
    """One self-contained HTML page of an executed chapter notebook: prose with every glued number in place.

    MyST roles and directives become plain text (``scripts/myst_plain.py``: terms, figure numbers, citations,
    boxes); ``{glue:text}`` roles take the values glued in the notebook (:func:`didbook.book.glued_values`,
    raising on a role with no value: a sentence is never shown with a hole). Outputs: HTML tables as they
    are, figures as embedded PNG with their numbered captions, printed text in ``<pre>``; code folded in
    ``<details>``. The exercises and what follows them are left out (they are for students of the book).
    """
    import markdown_it
    import nbformat

    from .book import glued_values

    nb = nbformat.read(str(executed), as_version=4)
    _, myst_plain = _scripts(find_chapter(chapter))
    glue = glued_values(nb)
    ctx = myst_plain.context(nb, where=Path(executed).name, glue=glue)
    md = markdown_it.MarkdownIt("commonmark", {"html": False}).enable("table")
    parts, title = [], "Your panel"
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & _HIDDEN:
            continue
        if cell.cell_type == "markdown":
            text = myst_plain.to_plain(cell.source, ctx)
            if text.lstrip().startswith("## Exercises"):
                break
            if text.startswith("# "):
                title = text.splitlines()[0][2:].strip()
            parts.append(md.render(text))
        elif cell.cell_type == "code":
            parts.append(_code_cell_html(cell, ctx))
    body = "\n".join(parts)
    if "{glue" in body:
        raise ValueError("unresolved {glue} role left in the report")
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def _code_cell_html(cell, ctx) -> str:
    tags = set(cell.metadata.get("tags", []))
    out = []
    if cell.source.strip() and not tags & {"remove-input", "parameters"}:
        out.append(f"<details><summary>code</summary><pre><code>{html.escape(cell.source)}</code></pre></details>")
    if "parameters" in tags:
        out.append(f"<details><summary>parameters (defaults)</summary><pre>{html.escape(cell.source)}</pre></details>")
    fig = cell.metadata.get("mystnb", {}).get("figure", {})
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if o.get("metadata", {}).get("scrapbook"):
            continue  # a glued value: it is in the prose
        if o.get("output_type") == "stream":
            if o.get("name") == "stdout":
                out.append(f"<pre>{html.escape(o.get('text', ''))}</pre>")
        elif o.get("output_type") == "error":
            out.append(f"<pre>{html.escape(o.get('ename', ''))}: {html.escape(o.get('evalue', ''))}</pre>")
        elif "image/png" in data:
            src = data["image/png"].replace("\n", "")
            base64.b64decode(src[:64] + "=" * (-len(src[:64]) % 4))  # a PNG, not a stray string
            cap = ""
            if fig.get("name") in ctx.figures:
                caption = html.escape(_plain_caption(fig.get("caption", ""), ctx))
                cap = f"<figcaption><b>Figure {ctx.figures[fig['name']]}.</b> {caption}</figcaption>"
            out.append(
                f"<figure><img alt='{html.escape(fig.get('name', 'figure'))}' src='data:image/png;base64,{src}'>{cap}</figure>"
            )
        elif "text/html" in data:
            out.append(data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"]))
        elif "text/plain" in data:
            out.append(f"<pre>{html.escape(str(data['text/plain']))}</pre>")
    return "\n".join(out)


def _plain_caption(caption: str, ctx) -> str:
    import myst_plain

    return myst_plain.to_plain(caption, ctx)


# ---- command line -------------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m didbook.report",
        description="Run the book's 'Your panel' chapter on a CSV and write report.html, the executed notebook, "
        "tables (CSV, Markdown, LaTeX) and figures (PDF, SVG, PNG) into one folder.",
    )
    p.add_argument("csv", nargs="?", help="long panel, one row per unit and period (omit: the shipped example)")
    p.add_argument("--out", required=True, help="output folder (created if needed)")
    for name, what in [
        ("unit", "unit identifier column"),
        ("time", "numeric period column"),
        ("outcome", "outcome column"),
        ("cohort", "first treated period column (empty or 0: never treated)"),
        ("treatment", "0/1 treatment column, to derive the cohort when --cohort is not given"),
        ("controls", "comma-separated covariate columns"),
        ("cluster", "cluster column (default: the unit)"),
        ("weights", "sampling-weight column, constant within unit"),
    ]:
        p.add_argument(f"--{name}", help=what)
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="any other chapter parameter, e.g. -p leads 4 -p n_draws 999")  # fmt: skip
    p.add_argument("--chapter", help="chapter source (default: notebooks/your_panel.md of this repository)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (``python -m didbook.report --help``)."""
    import ast

    args = _parser().parse_args(argv)
    params: dict[str, Any] = {}
    for name in ("unit", "time", "outcome", "cohort", "treatment", "controls", "cluster", "weights"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    if args.csv and args.cohort is None and args.treatment is not None:
        params["cohort"] = ""
    for name, value in args.parameter:
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    from .parameters import ParameterError

    try:
        paths = run_report(args.csv, args.out, params, args.chapter)
    except (ParameterError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - papermill's error carries the chapter's message
        said = f"{err.ename}: {err.evalue}" if hasattr(err, "evalue") else str(err)[-3000:]
        print(f"error: the chapter stopped (see {Path(args.out) / 'your_panel.ipynb'}): {said}", file=sys.stderr)
        return 1
    print(f"report:   {paths['report']}\nnotebook: {paths['notebook']}")
    print(f"tables:   {paths['tables']}\nfigures:  {paths['figures']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
