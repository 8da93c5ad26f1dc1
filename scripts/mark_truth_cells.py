"""Mark, in every chapter that runs on the simulated panel, the cells that use the simulation's truth.

Researchers fork chapters onto their own panels (see ``notebooks/your_panel.ipynb``). The cells that
estimate, tabulate and plot are the *method* and run on any long panel; the cells that use the known
truth of the simulation (``panel.truth``, ``panel.untreated``, ``panel.counterfactual``,
``didbook.monte_carlo``, variables named ``truth``/``true_*``) cannot. This script

1. puts :data:`MARKER` as the first line of every visible code cell that uses the truth, and
2. adds a short "Forking this chapter" note (a markdown cell tagged ``forking-note``) right before the
   ``parameters`` cell.

Idempotent. ``--check`` exits 1 if a cell or a note is missing (``tests/chapters/test_forking.py`` runs it).

Usage::

    python scripts/mark_truth_cells.py            # all chapters on the simulated panel
    python scripts/mark_truth_cells.py --check
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: Chapters that do not run on the simulated panel.
NOT_SIMULATED = {"did_real_data.ipynb", "your_panel.ipynb"}
MARKER = "# [simulation truth] uses the known effects: drop or adapt it when forking"
USES_TRUTH = re.compile(
    r"\.truth\b|\.untreated\(|\.counterfactual\b|monte_carlo\(|outcome_draws\(|\btrue_\w+|\btruth\w*\b"
)
NOTE_TAG = "forking-note"
NOTE = """```{admonition} Forking this chapter onto your own panel
:class: tip
The cells that estimate, tabulate and plot are the **method**: they run on any long panel. Code cells whose
first line is `# [simulation truth] ...` use the simulation's known effects (`panel.truth`,
`panel.untreated`, `didbook.monte_carlo`), which real data do not have: drop those cells, or the lines in
them that use the truth, when you fork the chapter. {doc}`your_panel` runs the whole toolkit on a CSV of
your own.
```"""


def chapters() -> list[Path]:
    return [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.name not in NOT_SIMULATED]


def hidden(cell) -> bool:
    return bool({"remove-cell", "remove-input", "parameters", "parameters-check"} & set(cell.metadata.get("tags", [])))


def process(path: Path, write: bool) -> list[str]:
    """Return the problems found (and fixed, when ``write``)."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or hidden(cell):
            continue
        uses = USES_TRUTH.search(cell.source) is not None
        marked = cell.source.startswith(MARKER)
        if uses and not marked:
            problems.append(f"{path.name}: cell {i} uses the truth but is not marked")
            cell.source = MARKER + "\n" + cell.source
        elif marked and not uses:
            problems.append(f"{path.name}: cell {i} is marked but does not use the truth")
            cell.source = cell.source[len(MARKER) :].lstrip("\n")
    has_note = any(NOTE_TAG in c.metadata.get("tags", []) for c in nb.cells)
    params = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if not has_note and params:
        problems.append(f"{path.name}: no forking note")
        note = nbformat.v4.new_markdown_cell(NOTE)
        note.metadata["tags"] = [NOTE_TAG]
        note.id = "forking-note"
        nb.cells.insert(params[0], note)
    if write and problems:
        nbformat.write(nb, path)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report, do not write; exit 1 on a problem")
    args = ap.parse_args(argv)
    problems = [p for path in chapters() for p in process(path, write=not args.check)]
    for p in problems:
        print(p)
    return 1 if (args.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
