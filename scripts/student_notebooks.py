"""Student copies of the chapter notebooks: no solutions, the student's own numbers, plain markdown, self-checks.

For homework. A copy keeps the chapter's text, code and exercises, and

* loses every solution, in every form (:func:`strip_solutions`): gated blocks ``{solution-start}`` ...
  ``{solution-end}`` with every cell between them, wherever in a cell the markers stand (a markdown cell often
  holds the end of one block, an exercise and the start of the next); ``{solution}`` directive blocks; cells
  tagged ``solution``; and, for chapters not yet converted to gated blocks, the hidden code cells of the
  *Exercises* section (tagged ``remove-cell``/``hide-input``/``hide-cell``) that compute what the solutions quote;
* gets the student's seed in the ``parameters`` cell (``seed = ...``; from the roster, else derived from the
  name: the same name always gives the same seed);
* reads cleanly in Jupyter and Colab: ``{glue:text}`` placeholders become the student's own numbers (the
  chapter is executed with the student's seed, once, cached: ``scripts/answer_keys.py``), MyST roles and
  ``:::`` fences become plain markdown (``scripts/myst_plain.py``), figures get their captions, and the
  bookkeeping cells that only glue numbers are dropped;
* gets, after each exercise whose solution records numeric answers (``didbook.book.answer``), a cell for the
  student's answers and a check cell comparing them with a hashed key of that seed (``didbook.homework``);
* has no outputs.

Usage::

    python scripts/student_notebooks.py                                   # _build/student/*.ipynb (default seed)
    python scripts/student_notebooks.py notebooks/theory.md --student "Li Hua" --student "Wang Fang"
    python scripts/student_notebooks.py --students roster.csv             # columns: student[, seed]
    python scripts/student_notebooks.py --no-execute ...                  # no run: glue roles become a note

Output: ``OUT/<chapter>.ipynb`` without students, ``OUT/<student>/<chapter>.ipynb`` with them, and
``OUT/seeds.csv`` (student, seed) for the instructor.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chapters  # noqa: E402
import myst_plain  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "_build" / "student"

_F = r"(?P<fence>:{3,}|`{3,})"
GATED_START = re.compile(
    r"^[ \t]*" + _F + r"\{solution-start\}[^\n]*\n(?:.*?\n)??[ \t]*(?P=fence)[ \t]*$\n?", re.M | re.S
)
GATED_END = re.compile(r"^[ \t]*" + _F + r"\{solution-end\}[^\n]*\n(?:.*?\n)??[ \t]*(?P=fence)[ \t]*$\n?", re.M | re.S)
SOLUTION_BLOCK = re.compile(r"^[ \t]*" + _F + r"\{solution\}.*?^[ \t]*(?P=fence)[ \t]*$\n?", re.M | re.S)
SOLUTION_ANY = re.compile(r"\{solution(?:-start|-end)?\}")
_LABEL = re.compile(r"\{solution(?:-start)?\}[ \t]*(\S+)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
_SEED_LINE = re.compile(r"^seed\s*=.*$", re.M)
_HIDDEN = {"remove-cell", "hide-input", "hide-cell", "remove-input"}
LEGACY_NOTE = re.compile(r"^The cells? below computes? what the solutions quote[^\n]*$\n?", re.M)


class SolutionError(ValueError):
    """A solution block that does not close, or an end without a start (names the notebook)."""


@dataclass
class Stripped:
    """A notebook without its solutions, and what was removed (for the leak tests)."""

    nb: nbformat.NotebookNode
    labels: list[str] = field(default_factory=list)
    removed_markdown: list[str] = field(default_factory=list)
    removed_code: list[str] = field(default_factory=list)


def seed_from_name(name: str) -> int:
    """A stable seed in [1, 2**31 - 1) from a student's name or id (SHA-256, not Python's hash)."""
    digest = hashlib.sha256(name.strip().encode("utf-8")).hexdigest()
    return int(digest[:12], 16) % (2**31 - 2) + 1


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _strip_markdown(text: str, in_gate: bool, where: str, st: Stripped) -> tuple[str, bool]:
    """Drop the gated parts of one markdown cell; return (kept text, still inside a gate)."""
    kept, pos = [], 0
    while True:
        if in_gate:
            m = GATED_END.search(text, pos)
            if not m:
                st.removed_markdown.append(text[pos:])
                return "".join(kept), True
            st.removed_markdown.append(text[pos : m.start()])
            pos, in_gate = m.end(), False
        else:
            m = GATED_START.search(text, pos)
            end = GATED_END.search(text, pos)
            if end and (not m or end.start() < m.start()):
                raise SolutionError(f"{where}: {{solution-end}} without a {{solution-start}} before it")
            if not m:
                kept.append(text[pos:])
                break
            kept.append(text[pos : m.start()])
            st.labels += _LABEL.findall(m.group(0))
            pos, in_gate = m.end(), True
    rest = "".join(kept)

    def drop(m: re.Match) -> str:
        st.labels.extend(_LABEL.findall(m.group(0)))
        st.removed_markdown.append(m.group(0))
        return ""

    rest = SOLUTION_BLOCK.sub(drop, rest)
    return rest, False


def strip_solutions(nb, where: str = "notebook") -> Stripped:
    """A copy of ``nb`` without any solution (see the module docstring); outputs kept (for built pages)."""
    nb = nbformat.from_dict(nb)
    st = Stripped(nb)
    # the hidden-exercise-cell rule is for chapters still in the old form only: in a gated chapter a hidden cell
    # outside every block computes what a *question* quotes, and stays
    legacy = not any(cell.cell_type == "markdown" and "{solution-start}" in cell.source for cell in nb.cells)
    cells, in_gate, in_exercises = [], False, False
    for cell in nb.cells:
        tags = _tags(cell)
        if cell.cell_type == "markdown" and not in_gate:
            for m in _HEADING.finditer(cell.source):
                if m.group(2).strip().lower().startswith("exercises"):
                    in_exercises = True
                elif in_exercises and len(m.group(1)) <= 2:
                    in_exercises = False  # the next section (e.g. "Key ideas") starts
        if cell.cell_type != "markdown":
            hidden_exercise_cell = legacy and in_exercises and cell.cell_type == "code" and bool(tags & _HIDDEN)
            if in_gate or "solution" in tags or hidden_exercise_cell:
                st.removed_code.append(cell.source)
                continue
            cells.append(cell)
            continue
        if "solution" in tags:
            st.removed_markdown.append(cell.source)
            continue
        text, in_gate = _strip_markdown(cell.source, in_gate, where, st)
        if in_exercises:
            text = LEGACY_NOTE.sub("", text)
        if text != cell.source:
            cell.source = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
            if not cell.source.strip():
                continue
        cells.append(cell)
    if in_gate:
        raise SolutionError(f"{where}: a {{solution-start}} block never ends (no {{solution-end}} after it)")
    nb.cells = cells
    return st


def has_solutions(nb) -> bool:
    """True if any cell still holds a solution block or marker (used by the tests)."""
    for cell in nb.cells:
        if "solution" in _tags(cell):
            return True
        if cell.cell_type == "markdown" and SOLUTION_ANY.search(cell.source):
            return True
    return False


def set_seed(source: str, seed: int) -> str:
    """Put ``seed = <seed>`` in a parameters cell (replacing the chapter's seed, or appending one)."""
    line = f"seed = {seed}  # your personal seed: your numbers differ from your classmates'"
    if _SEED_LINE.search(source):
        return _SEED_LINE.sub(lambda _: line, source, count=1)
    return source.rstrip("\n") + "\n" + line


def _only_glue(source: str) -> bool:
    """A bookkeeping cell: every statement is a ``glue_all(...)`` call (nothing the reader's code needs)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False

    def is_glue(stmt) -> bool:
        return (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and getattr(stmt.value.func, "attr", getattr(stmt.value.func, "id", "")) == "glue_all"
        )

    return bool(body) and all(is_glue(s) for s in body)


# ---- answers: the student's cells and the self-check ----------------------------------------------------------------


def answer_cells(exercise: str, number: int, answers: list[dict], seed: int) -> list[nbformat.NotebookNode]:
    """The two cells after a numeric exercise: the student's answers, and the check against the hashed key."""
    from didbook.homework import answer_hashes

    lines = [f"# Exercise {number}: your answers (numbers), then run the check cell below"]
    lines += [f"{a['name']} = ...  # within {a['tolerance']:g}" for a in answers]
    key = {
        "seed": seed,
        "answers": {
            a["name"]: [a["tolerance"], answer_hashes(seed, exercise, a["name"], a["value"], a["tolerance"])]
            for a in answers
        },
    }
    args = ", ".join(f"{a['name']}={a['name']}" for a in answers)
    check = (
        f"import didbook.homework\n\ndidbook.homework.check_answers(\n    {exercise!r},\n    {key!r},\n    {args},\n)"
    )
    cells = [nbformat.v4.new_code_cell("\n".join(lines)), nbformat.v4.new_code_cell(check)]
    cells[0].metadata["tags"] = ["answer"]
    cells[1].metadata["tags"] = ["answer-check"]
    cells[1].metadata["didbook"] = {"check": exercise}
    return cells


# ---- the student copy -------------------------------------------------------------------------------------------------


def student_copy(
    generated,
    *,
    chapter: str,
    seed: int | None,
    glue: dict | None,
    answers: list[dict] | None = None,
    student: str | None = None,
) -> nbformat.NotebookNode:
    """The student copy of one generated chapter notebook (see the module docstring).

    ``glue``: the values glued when the chapter ran with this seed (``didbook.book.glued_values``), or None
    when the chapter was not executed (each placeholder then reads "(run the notebook: name)").
    ``answers``: the answers recorded at that run (``didbook.book.recorded_answers``).
    """
    where = f"{chapter}" + (f" (student {student})" if student else "")
    nb = strip_solutions(generated, where).nb
    values = glue if glue is not None else _Placeholders()
    ctx = myst_plain.context(nb, where, values)
    by_exercise: dict[str, list[dict]] = {}
    for a in answers or []:
        by_exercise.setdefault(a["exercise"], []).append(a)
    unknown = sorted(set(by_exercise) - set(ctx.exercises))
    if unknown:
        raise myst_plain.MystError(f"{where}: answers recorded for {unknown}, which are not exercises of the chapter")
    from answer_keys import default_seed

    effective_seed = seed if seed is not None else (default_seed(nb) or 0)
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if cell.cell_type == "code":
            if "remove-cell" in tags and _only_glue(cell.source):
                continue
            cell.outputs, cell.execution_count = [], None
            if seed is not None and "parameters" in tags:
                cell.source = set_seed(cell.source, seed)
            cells.append(cell)
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            if fig.get("name"):
                caption = myst_plain.to_plain(str(fig.get("caption", "")), ctx)
                cells.append(nbformat.v4.new_markdown_cell(f"**Figure {ctx.figures[fig['name']]}.** {caption}"))
            continue
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        text = myst_plain.to_plain(cell.source, ctx)
        pieces = re.split("\x00exercise-end:([^\x00]*)\x00", text)
        for k, piece in enumerate(pieces):
            if k % 2 == 0:
                if piece.strip():
                    new = nbformat.v4.new_markdown_cell(piece.strip("\n"))
                    new.metadata = {key: v for key, v in cell.metadata.items() if key != "tags"}
                    cells.append(new)
            elif piece in by_exercise:
                cells += answer_cells(piece, ctx.exercises[piece], by_exercise[piece], effective_seed)
    nb.cells = cells
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"
    nb.metadata["didbook"] = {"chapter": chapter, "seed": seed, "student": student, "homework": True}
    return nb


class _Placeholders(dict):
    """Glue values for a copy made without running the chapter: each role says to run the notebook."""

    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key):
        return _Run(key)


class _Run(str):
    def __new__(cls, key):
        return super().__new__(cls, f"(run the notebook: `{key}`)")

    def __format__(self, spec) -> str:
        return str(self)


# ---- roster and writing ----------------------------------------------------------------------------------------------


def read_students(path: Path) -> list[tuple[str, int]]:
    """Students from a CSV with a ``student`` column and an optional ``seed`` column (errors name the row)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "student" not in reader.fieldnames:
            raise ValueError(f"{path}: the roster needs a 'student' column (found {reader.fieldnames})")
        rows = list(reader)
    out, seen = [], set()
    for line, r in enumerate(rows, start=2):
        name = (r.get("student") or "").strip()
        if not name:
            raise ValueError(f"{path}, line {line}: empty student name")
        if name in seen:
            raise ValueError(f"{path}, line {line}: student {name!r} listed twice")
        seen.add(name)
        seed = (r.get("seed") or "").strip()
        if seed and not seed.isdigit():
            raise ValueError(f"{path}, line {line}: seed of {name!r} must be a whole number, got {seed!r}")
        out.append((name, int(seed) if seed else seed_from_name(name)))
    return out


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name.strip()) or "student"


def chapter_source(path: Path) -> Path:
    """The chapter source ``notebooks/<chapter>.md`` for a ``.md`` or ``.ipynb`` path or a bare chapter name."""
    path = Path(path)
    source = path.with_suffix(".md") if path.suffix in (".md", ".ipynb") else NOTEBOOKS / f"{path.name}.md"
    if not source.exists():
        raise FileNotFoundError(f"no chapter source {source} (chapters are notebooks/<chapter>.md)")
    return source


def write_copies(
    sources: list[Path],
    out: Path,
    students: list[tuple[str, int]] | None = None,
    *,
    execute: bool = True,
    jobs: int = 2,
) -> list[Path]:
    """Write the student copies; return their paths. With ``execute``, each (chapter, seed) runs once (cached)."""
    import answer_keys

    out.mkdir(parents=True, exist_ok=True)
    targets = students or [(None, None)]
    runs = {}
    if execute:
        runs = answer_keys.run_all(sources, sorted({seed for _, seed in targets}, key=str), jobs=jobs)
    written = []
    for name, seed in targets:
        dest = out / safe_name(name) if name else out
        dest.mkdir(parents=True, exist_ok=True)
        for source in sources:
            generated = chapters.generate(source)
            glue = answers = None
            if execute:
                executed = nbformat.read(runs[(source, seed)], as_version=4)
                from didbook.book import glued_values, recorded_answers

                glue, answers = glued_values(executed), recorded_answers(executed)
            nb = student_copy(generated, chapter=source.stem, seed=seed, glue=glue, answers=answers, student=name)
            nbformat.write(nb, dest / f"{source.stem}.ipynb")
            written.append(dest / f"{source.stem}.ipynb")
    if students:
        with open(out / "seeds.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["student", "seed"])
            w.writerows(students)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters (default: all notebooks/*.md)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/student)")
    parser.add_argument("--student", action="append", default=[], help="a student name or id (seed from it)")
    parser.add_argument("--students", type=Path, help="CSV roster: column student, optional column seed")
    parser.add_argument("--no-execute", action="store_true", help="do not run the chapters (numbers left out)")
    parser.add_argument("--jobs", type=int, default=2, help="chapters run at once (default 2)")
    args = parser.parse_args(argv)

    sources = [chapter_source(p) for p in args.chapters] or chapters.chapter_sources()
    students = [(s, seed_from_name(s)) for s in args.student]
    if args.students:
        students += read_students(args.students)
    written = write_copies(sources, args.out, students or None, execute=not args.no_execute, jobs=args.jobs)
    print(f"{len(written)} student notebook(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
