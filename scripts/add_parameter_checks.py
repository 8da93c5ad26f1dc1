"""Insert the standard hidden parameter-check cell after the ``parameters`` cell of chapter notebooks.

The cell (tags ``remove-cell`` and ``parameters-check``) runs ``didbook.check_parameters(globals())``,
so executing a chapter with a parameter it does not declare, or of the wrong type or value, fails
with a message naming the parameter -- under plain ``papermill`` too (see ``didbook.parameters``).

Idempotent: a notebook whose ``parameters`` cell is already followed by a check cell (tag
``parameters-check``, or any cell calling ``check_parameters``) is left as it is, so a chapter may
customize its check (``choices=``, ``minimum=``). Notebooks without a ``parameters`` cell are skipped.
Also reports a ``parameters`` cell whose first line is exactly ``# Parameters`` (papermill's marker
for its injected cell, which the check relies on to tell the two apart).

Usage::

    python scripts/add_parameter_checks.py                 # every notebooks/*.ipynb
    python scripts/add_parameter_checks.py notebooks/x.ipynb
    python scripts/add_parameter_checks.py --check         # exit 1 if a notebook lacks the cell
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from didbook.parameters import CHECK_CELL_SOURCE, CHECK_CELL_TAG, INJECTED_HEADER  # noqa: E402


def has_check(cell) -> bool:
    return CHECK_CELL_TAG in cell.metadata.get("tags", []) or "check_parameters(" in cell.source


def add_check(path: Path, write: bool = True) -> str:
    """Insert the check cell into one notebook; return what was done."""
    nb = nbformat.read(path, as_version=4)
    idx = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if not idx:
        return "no parameters cell (skipped)"
    i = idx[0]
    first = (nb.cells[i].source.strip().splitlines() or [""])[0].strip()
    warn = (
        f"; WARNING: first line of the parameters cell must not be exactly {INJECTED_HEADER!r}"
        if (first == INJECTED_HEADER)
        else ""
    )
    if i + 1 < len(nb.cells) and has_check(nb.cells[i + 1]):
        return "already has the check cell" + warn
    if not write:
        return "MISSING the check cell" + warn
    cell = nbformat.v4.new_code_cell(CHECK_CELL_SOURCE)
    cell.metadata["tags"] = ["remove-cell", CHECK_CELL_TAG]
    cell.id = "parameters-check"
    nb.cells.insert(i + 1, cell)
    nbformat.write(nb, path)
    return "check cell inserted" + warn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if a cell is missing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = 0
    for path in paths:
        status = add_check(path, write=not args.check)
        missing += status.startswith("MISSING")
        print(f"{path.name}: {status}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
