"""Student copies of the chapter notebooks (solutions removed) and the solutions-free book config.

For homework. Each copy keeps the chapter's text, code and exercises, and loses

* every ``{solution}`` block (MyST ``:::{solution}`` / fenced ``{solution}`` and gated
  ``{solution-start}`` ... ``{solution-end}`` with the cells between them);
* the hidden bookkeeping cells (tagged ``remove-cell``) of the *Exercises* section, which compute
  the numbers the solutions quote;
* all outputs.

With students named, each gets a personal seed written into the ``parameters`` cell
(``seed = ...``), so simulated answers differ from student to student; the seed is derived from the
name (stable: the same name always gives the same seed) unless the CSV gives one.

Usage::

    python scripts/student_notebooks.py                                   # _build/student/*.ipynb
    python scripts/student_notebooks.py notebooks/theory.ipynb --student "Li Hua" --student "Wang Fang"
    python scripts/student_notebooks.py --students roster.csv             # columns: student[, seed]
    python scripts/student_notebooks.py --no-solutions-config _build/src  # for make book-no-solutions

Output: ``OUT/<chapter>.ipynb`` without students, ``OUT/<student>/<chapter>.ipynb`` with them, and
``OUT/seeds.csv`` (student, seed) for the instructor.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "_build" / "student"
NO_SOLUTIONS_CONFIG = "_config_no_solutions.yml"

_COLON_SOLUTION = re.compile(r"^(?P<fence>:{3,})\{solution\}.*?^(?P=fence)\s*$\n?", re.M | re.S)
_BACKTICK_SOLUTION = re.compile(r"^(?P<fence>`{3,})\{solution\}.*?^(?P=fence)\s*$\n?", re.M | re.S)
_GATED_START = re.compile(r"^(:{3,}|`{3,})\{solution-start\}")
_GATED_END = re.compile(r"^(:{3,}|`{3,})\{solution-end\}")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
_SEED_LINE = re.compile(r"^seed\s*=.*$", re.M)


def seed_from_name(name: str) -> int:
    """A stable seed in [1, 2**31 - 1) from a student's name or id (SHA-256, not Python's hash)."""
    digest = hashlib.sha256(name.strip().encode("utf-8")).hexdigest()
    return int(digest[:12], 16) % (2**31 - 2) + 1


def _strip_solutions(text: str) -> str:
    text = _COLON_SOLUTION.sub("", text)
    return _BACKTICK_SOLUTION.sub("", text)


def _exercise_heading_level(text: str) -> int | None:
    for m in _HEADING.finditer(text):
        if m.group(2).strip().lower().startswith("exercises"):
            return len(m.group(1))
    return None


def strip_notebook(nb, seed: int | None = None):
    """Return a student copy of ``nb``: no solutions, no hidden exercise bookkeeping, no outputs."""
    nb = nbformat.from_dict(nb)
    cells = []
    in_gate = False
    in_exercises = False
    for cell in nb.cells:
        src = cell.source
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            level = _exercise_heading_level(src)
            headings = [len(m.group(1)) for m in _HEADING.finditer(src)]
            if level is not None:
                in_exercises = True
            elif in_exercises and headings and min(headings) <= 2:
                in_exercises = False  # the next section (e.g. "Key ideas") starts
        if _GATED_START.match(src.lstrip()):
            in_gate = True
        if in_gate:
            if _GATED_END.match(src.lstrip()) or _GATED_END.search(src):
                in_gate = False
            continue
        if "solution" in tags:
            continue
        if cell.cell_type == "code" and in_exercises and "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            new = _strip_solutions(src)
            if new != src:
                cell.source = re.sub(r"\n{3,}", "\n\n", new).strip("\n")
                if not cell.source.strip():
                    continue
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if seed is not None and "parameters" in tags:
                cell.source = set_seed(cell.source, seed)
        cells.append(cell)
    nb.cells = cells
    return nb


def set_seed(source: str, seed: int) -> str:
    """Put ``seed = <seed>`` in a parameters cell (replacing the chapter's seed, or appending one)."""
    line = f"seed = {seed}  # your personal seed: your numbers differ from your classmates'"
    if _SEED_LINE.search(source):
        return _SEED_LINE.sub(lambda _: line, source, count=1)
    return source.rstrip("\n") + "\n" + line


def has_solutions(nb) -> bool:
    """True if any cell still holds a solution block (used by the tests)."""
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            return True
        if cell.cell_type == "markdown" and re.search(r"\{solution(-start|-end)?\}", cell.source):
            return True
    return False


def read_students(path: Path) -> list[tuple[str, int]]:
    """Students from a CSV with a ``student`` (or first) column and an optional ``seed`` column."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        name = (r.get("student") or next(iter(r.values())) or "").strip()
        if not name:
            continue
        seed = r.get("seed")
        out.append((name, int(seed) if seed not in (None, "") else seed_from_name(name)))
    return out


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name.strip()) or "student"


def write_copies(notebooks: list[Path], out: Path, students: list[tuple[str, int]] | None = None) -> list[Path]:
    """Write the student copies; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    targets = students or [(None, None)]
    for name, seed in targets:
        dest = out / _safe(name) if name else out
        dest.mkdir(parents=True, exist_ok=True)
        for path in notebooks:
            nb = strip_notebook(nbformat.read(path, as_version=4), seed=seed)
            nbformat.write(nb, dest / path.name)
            written.append(dest / path.name)
    if students:
        with open(out / "seeds.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["student", "seed"])
            w.writerows(students)
    return written


def write_no_solutions_config(book_dir: Path) -> Path:
    """``book_dir/_config_no_solutions.yml``: ``book_dir/_config.yml`` with sphinx-exercise's
    ``hide_solutions: true`` (the solutions-free build, ``make book-no-solutions``)."""
    config = yaml.safe_load((book_dir / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    config["title"] = str(config.get("title", "")) + " (without solutions)"
    target = book_dir / NO_SOLUTIONS_CONFIG
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: all notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/student)")
    parser.add_argument("--student", action="append", default=[], help="a student name or id (seed from it)")
    parser.add_argument("--students", type=Path, help="CSV roster: column student, optional column seed")
    parser.add_argument("--no-solutions-config", type=Path, metavar="BOOK_DIR", help="only write the config")
    args = parser.parse_args(argv)

    if args.no_solutions_config:
        print(write_no_solutions_config(args.no_solutions_config))
        return 0
    notebooks = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    students = [(s, seed_from_name(s)) for s in args.student]
    if args.students:
        students += read_students(args.students)
    written = write_copies(notebooks, args.out, students or None)
    print(f"{len(written)} student notebook(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
