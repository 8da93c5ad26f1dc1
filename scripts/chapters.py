"""Chapter sources -> runnable notebooks: ``notebooks/*.md`` (MyST markdown) -> ``.ipynb``.

A chapter is written once, as a MyST markdown notebook (jupytext ``md:myst``; one text file, small diffs).
The ``.ipynb`` files that papermill, Jupyter, Colab, Binder and the download button need are
**generated** from it, never edited, never committed (``notebooks/*.ipynb`` is in ``.gitignore``).
Generation adds the cells every chapter needs, so no source carries copies of them:

1. **Colab setup** (tag ``remove-cell``, hidden in the book), right after the title: installs ``didbook``
   from the repository named in ``_config.yml`` (``repository: url`` and ``branch``) when, and only when,
   the notebook runs in Google Colab;
2. **forking note** (a tip box) after the Colab cell of every chapter with cells tagged
   ``simulation-truth`` (cells that use the simulation's known effects; the book labels them, see
   ``book/_static/didbook.css``);
3. **parameter check** (tag ``remove-cell``) right after the ``parameters`` cell:
   ``didbook.book.check_parameters(globals())``, with the ``minimum``/``choices`` a chapter declares in its
   front matter (``didbook: parameters: minimum: {leads: 1}``), so a parameter the chapter does not
   declare, of the wrong type or out of range stops plain ``papermill`` with a message naming it.

Usage::

    python scripts/chapters.py                       # notebooks/*.md -> notebooks/*.ipynb
    python scripts/chapters.py notebooks/theory.md   # one chapter
    python scripts/chapters.py --out DIR             # somewhere else

``scripts/execute_notebooks.py`` calls :func:`generate` before papermill runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

COLAB_TAG = "colab-setup"
CHECK_TAG = "parameters-check"
FORKING_TAG = "forking-note"
TRUTH_TAG = "simulation-truth"

COLAB_SOURCE = """\
# Colab only: install didbook (nothing happens anywhere else)
import sys

if "google.colab" in sys.modules:
    DIDBOOK = "didbook @ git+{url}@{branch}"
    %pip install --quiet "{{DIDBOOK}}\""""

FORKING_NOTE = """\
```{admonition} Forking this chapter onto your own panel
:class: tip
The cells that estimate, tabulate and plot are the **method**: they run on any long panel. Cells labelled
*uses the simulation's truth* use the simulation's known effects (`panel.truth`, `panel.untreated`,
`didbook.monte_carlo`), which real data do not have: drop them, or the lines in them that use the truth,
when you fork the chapter. {doc}`your_panel` runs the whole toolkit on a CSV of your own.
```"""


def sources() -> list[Path]:
    """Every chapter source, sorted."""
    return sorted(NOTEBOOKS.glob("*.md"), key=lambda p: p.name) if NOTEBOOKS.exists() else []


def chapter_sources(paths: list[Path] | None = None) -> list[Path]:
    """Chapter sources (``.md``) among ``paths`` (default all); ``README.md`` is not a chapter."""
    return [p for p in (paths or sources()) if p.suffix == ".md" and p.name != "README.md"]


def repository(config: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, from ``_config.yml`` (the one place to set it)."""
    repo = yaml.safe_load(config.read_text(encoding="utf-8")).get("repository", {})
    return str(repo["url"]).rstrip("/"), str(repo.get("branch", "main"))


def quick_parameters(source: Path) -> dict:
    """Parameters that make a chapter quick for the second-seed test run (front matter ``didbook: quick:``)."""
    return dict(jupytext.read(source, fmt="md:myst").metadata.get("didbook", {}).get("quick", {}))


def colab_cell(config: Path = ROOT / "_config.yml") -> nbformat.NotebookNode:
    url, branch = repository(config)
    cell = nbformat.v4.new_code_cell(COLAB_SOURCE.format(url=url, branch=branch))
    cell.metadata["tags"] = ["remove-cell", COLAB_TAG]
    return cell


def check_call(options: dict, width: int = 88) -> str:
    """``didbook.book.check_parameters(globals(), ...)`` laid out as ruff formats it (one line if it fits)."""
    args = "".join(f", {key}={value!r}".replace("'", '"') for key, value in sorted(options.items()))
    line = f"didbook.book.check_parameters(globals(){args})"
    if len(line) <= width:
        return line
    lines = ["didbook.book.check_parameters(", "    globals(),"]
    for key, value in sorted(options.items()):
        if isinstance(value, dict):
            lines.append(f"    {key}={{")
            lines += [f"        {k!r}: {v!r},".replace("'", '"') for k, v in value.items()]
            lines.append("    },")
        else:
            lines.append(f"    {key}={value!r},".replace("'", '"'))
    return "\n".join(lines + [")"])


def check_cell(options: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"import didbook\n\n{check_call(options)}")
    cell.metadata["tags"] = ["remove-cell", CHECK_TAG]
    return cell


def forking_cell() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(FORKING_NOTE)
    cell.metadata["tags"] = [FORKING_TAG]
    return cell


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def generate(source: Path, config: Path = ROOT / "_config.yml") -> nbformat.NotebookNode:
    """The runnable notebook of one chapter source, with the injected cells (see the module docstring)."""
    nb = jupytext.read(source, fmt="md:myst")
    injected = {COLAB_TAG, CHECK_TAG, FORKING_TAG}
    clash = [t for c in nb.cells for t in _tags(c) if t in injected]
    if clash:
        raise ValueError(f"{source.name}: a source cell carries the build's tag {clash[0]!r}; remove it")
    options = dict(nb.metadata.get("didbook", {}).get("parameters", {}))
    cells = list(nb.cells)
    params = [i for i, c in enumerate(cells) if "parameters" in _tags(c)]
    if params:
        cells.insert(params[0] + 1, check_cell(options))
    title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    top = [colab_cell(config)]
    if params and any(TRUTH_TAG in _tags(c) for c in cells):
        top.append(forking_cell())
    cells[title + 1 : title + 1] = top
    nb.cells = cells
    nb.metadata.pop("jupytext", None)
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"
    return nb


def write(source: Path, out_dir: Path = NOTEBOOKS) -> Path:
    """Generate one chapter's notebook into ``out_dir`` (same name, ``.ipynb``); return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (source.stem + ".ipynb")
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    nbformat.write(generate(source), partial)
    os.replace(partial, target)  # atomic: parallel test workers never read a half-written notebook
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, help="chapter sources (default: notebooks/*.md)")
    parser.add_argument("--out", type=Path, default=NOTEBOOKS, help="where to write (default notebooks/)")
    args = parser.parse_args(argv)
    for source in chapter_sources([p.resolve() for p in args.sources] or None):
        write(source, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
