"""The hidden Colab setup cell: a chapter opened in Google Colab installs ``didbook`` itself.

The "Colab" launch button opens a chapter notebook straight from the repository, in a fresh
machine where ``import didbook`` fails. Every chapter therefore starts with a code cell tagged
``remove-cell`` (invisible in the rendered book) that installs the package from the repository
**only** when it runs inside Colab and ``didbook`` is missing; anywhere else (papermill, Binder,
a local ``make book``) it does nothing.

The repository is named in one place, ``repository: url`` (and ``branch``) in ``_config.yml``.
This script writes the cell from it:

    python scripts/colab_setup.py notebooks/theory.ipynb ...   # add or refresh the cell
    python scripts/colab_setup.py --all                         # every chapter notebook
    python scripts/colab_setup.py --check --all                 # exit 1 if a cell is missing/stale

A fork changes the ``url`` line in ``_config.yml`` and runs ``make colab-setup``
(``tests/book/test_frame.py`` fails while a cell still names another repository).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
TAG = "colab-setup"

CELL_TEMPLATE = '''\
# Colab setup (hidden in the book): installs didbook when run in Google Colab.
import importlib.util
import subprocess
import sys

DIDBOOK_SOURCE = "didbook @ git+{url}@{branch}"


def didbook_needs_install(find_spec=importlib.util.find_spec):
    """True only inside Colab (google.colab importable) without didbook installed."""
    try:
        in_colab = find_spec("google.colab") is not None
    except ModuleNotFoundError:  # no "google" package at all: not Colab
        in_colab = False
    return in_colab and find_spec("didbook") is None


if didbook_needs_install():
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", DIDBOOK_SOURCE], check=True
    )
'''


def repository(config: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, from ``_config.yml`` (the one place to set it)."""
    repo = yaml.safe_load(config.read_text(encoding="utf-8")).get("repository", {})
    return str(repo["url"]).rstrip("/"), str(repo.get("branch", "main"))


def setup_source(config: Path = ROOT / "_config.yml") -> str:
    """The source of the setup cell for this repository."""
    url, branch = repository(config)
    return CELL_TEMPLATE.format(url=url, branch=branch).rstrip("\n")


def setup_cell(config: Path = ROOT / "_config.yml") -> nbformat.NotebookNode:
    """A fresh setup cell, tagged ``remove-cell`` (hidden in the book) and ``colab-setup``."""
    cell = nbformat.v4.new_code_cell(setup_source(config))
    cell.metadata["tags"] = ["remove-cell", TAG]
    return cell


def find_setup_cell(nb) -> int | None:
    """Index of the notebook's setup cell, or None."""
    for i, cell in enumerate(nb.cells):
        if TAG in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def add_setup_cell(path: Path, config: Path = ROOT / "_config.yml") -> bool:
    """Insert (first code cell) or refresh the setup cell of one notebook; True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    source = setup_source(config)
    i = find_setup_cell(nb)
    if i is not None:
        if nb.cells[i].source == source:
            return False
        nb.cells[i].source = source
    else:
        first_code = next((k for k, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
        cell = setup_cell(config)
        nb.cells.insert(first_code, cell)
    nb = nbformat.from_dict(nbformat.validator.normalize(nb)[1])
    nbformat.write(nb, path)
    return True


def is_current(path: Path, config: Path = ROOT / "_config.yml") -> bool:
    nb = nbformat.read(path, as_version=4)
    i = find_setup_cell(nb)
    return i is not None and nb.cells[i].source == setup_source(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebooks/*.ipynb")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if a cell is missing or stale")
    args = parser.parse_args(argv)
    paths = list(args.notebooks) + (sorted((ROOT / "notebooks").glob("*.ipynb")) if args.all else [])
    if not paths:
        parser.error("name notebooks or pass --all")
    if args.check:
        stale = [p for p in paths if not is_current(p)]
        for p in stale:
            print(f"missing or stale Colab setup cell: {p}", file=sys.stderr)
        return 1 if stale else 0
    for p in paths:
        print(("updated " if add_setup_cell(p) else "ok      ") + str(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
