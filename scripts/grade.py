"""Grade a folder of submitted student notebooks against the answer keys, into a CSV.

Each student copy (``scripts/student_notebooks.py``) names its chapter, student and seed in its metadata and
has, after each numeric exercise, a cell where the student sets the answer variables and a check cell
(``didbook.homework.check_answers``) that writes the submitted values into its output. This script

1. reads every ``*.ipynb`` under ``SUBMISSIONS`` (any folder layout);
2. re-executes it (papermill, the chapter's working directory; a submission that stops with an error is graded
   on the check cells that ran before it, and the error is noted) -- ``--no-execute`` grades the saved outputs
   as submitted, which a student could have edited;
3. compares each submitted value with the key (``answer_keys.csv`` from ``scripts/answer_keys.py``) by the
   exact rule ``|submitted - value| <= tolerance`` (``didbook.homework.within``).

Output CSV (one row per answer): student, seed, chapter, exercise, answer, submitted, value, tolerance,
correct, note; and a total per student and chapter on stdout. Why not otter-grader or nbgrader: both grade one
assignment with one key (no per-student seeds), otter's grading runs in Docker and nbgrader needs a
Jupyter server with a database; the check here is twenty lines on papermill, which the book already pins.

Usage::

    python scripts/grade.py SUBMISSIONS --keys _build/answer-keys/answer_keys.csv --out grades.csv
    make grade SUBMISSIONS=dir KEYS=_build/answer-keys/answer_keys.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIELDS = ["student", "seed", "chapter", "exercise", "answer", "submitted", "value", "tolerance", "correct", "note"]


class GradingError(ValueError):
    """A submission or key that cannot be graded (names the file, student or column)."""


def read_keys(path: Path) -> dict[tuple[str, str], list[dict]]:
    """(student, chapter) -> key rows; every column checked."""
    need = ["student", "seed", "chapter", "exercise", "answer", "value", "tolerance"]
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise GradingError(f"{path}: missing column(s) {missing} (answer_keys.py writes {need})")
        keys: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for line, row in enumerate(reader, start=2):
            try:
                row["seed"], row["value"], row["tolerance"] = (
                    int(row["seed"]),
                    float(row["value"]),
                    float(row["tolerance"]),
                )
            except ValueError as err:
                raise GradingError(f"{path}, line {line}: seed, value and tolerance must be numbers ({err})") from None
            keys[(row["student"], row["chapter"])].append(row)
    return keys


def submitted_answers(nb) -> tuple[dict[tuple[str, str], float | None], int | None]:
    """(exercise, answer) -> the value the check cells recorded; and the seed they were run with."""
    values, seed = {}, None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("didbook", {})
            if "check" in meta:
                seed = meta.get("seed", seed)
                for name, value in meta.get("answers", {}).items():
                    values[(meta["check"], name)] = value
    return values, seed


def execute(path: Path, workdir: Path) -> tuple[nbformat.NotebookNode, str]:
    """Run a submission; return the executed notebook and a note (the error that stopped it, or '')."""
    import papermill as pm

    sys.path.insert(0, str(ROOT / "scripts"))
    from execute_notebooks import run_papermill

    out = workdir / path.name
    note = ""
    try:
        run_papermill(path, out, cwd=NOTEBOOKS)
    except pm.PapermillExecutionError as err:
        note = f"stopped at cell {err.exec_count}: {err.ename}: {err.evalue}"[:300]
    return nbformat.read(out, as_version=4), note


def grade(submissions: Path, keys_path: Path, *, run: bool = True, workers: int = 2) -> list[dict]:
    """Grade every notebook under ``submissions``; return one row per key answer."""
    from didbook.homework import within

    keys = read_keys(keys_path)
    paths = sorted(submissions.rglob("*.ipynb"))
    if not paths:
        raise GradingError(f"{submissions}: no submitted notebooks (*.ipynb) found")
    rows, seen, jobs = [], {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for k, path in enumerate(paths):
            meta = nbformat.read(path, as_version=4).metadata.get("didbook", {})
            student, chapter, seed = meta.get("student"), meta.get("chapter"), meta.get("seed")
            if not meta.get("homework") or not student or not chapter:
                raise GradingError(f"{path}: not a student copy (no didbook student/chapter in its metadata)")
            if (student, chapter) in seen:
                raise GradingError(
                    f"{path}: student {student!r} submitted {chapter} twice (also {seen[(student, chapter)]})"
                )
            seen[(student, chapter)] = path
            key = keys.get((student, chapter))
            if not key:
                raise GradingError(f"{path}: no key for student {student!r}, chapter {chapter!r} in {keys_path}")
            if seed is not None and int(seed) != key[0]["seed"]:
                raise GradingError(f"{path}: student {student!r} has seed {seed}, the key has {key[0]['seed']}")
            jobs.append((k, path, student, chapter, key))

        def load(job):
            k, path = job[0], job[1]
            if not run:
                return nbformat.read(path, as_version=4), "not re-executed"
            workdir = Path(tmp) / str(k)
            workdir.mkdir()
            return execute(path, workdir)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            executed = list(pool.map(load, jobs))
        for (_, _path, student, chapter, key), (nb, note) in zip(jobs, executed):
            values, ran_seed = submitted_answers(nb)
            for row in key:
                value = values.get((row["exercise"], row["answer"]))
                why = note
                if (row["exercise"], row["answer"]) not in values:
                    why = "; ".join(x for x in (note, "check cell did not run") if x)
                elif value is None:
                    why = "; ".join(x for x in (note, "not answered") if x)
                elif ran_seed is not None and int(ran_seed) != row["seed"]:
                    why = "; ".join(x for x in (note, f"run with seed {ran_seed}, not {row['seed']}") if x)
                same_seed = ran_seed is None or int(ran_seed) == row["seed"]
                ok = value is not None and same_seed and within(value, row["value"], row["tolerance"])
                rows.append(
                    {
                        "student": student,
                        "seed": row["seed"],
                        "chapter": chapter,
                        "exercise": row["exercise"],
                        "answer": row["answer"],
                        "submitted": "" if value is None else repr(value),
                        "value": repr(row["value"]),
                        "tolerance": repr(row["tolerance"]),
                        "correct": int(bool(ok)),
                        "note": why,
                    }
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--keys", type=Path, required=True, help="answer_keys.csv (scripts/answer_keys.py)")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the grades CSV (default grades.csv)")
    parser.add_argument("--no-execute", action="store_true", help="grade the saved outputs, do not re-run")
    parser.add_argument("--jobs", type=int, default=2, help="submissions run at once (default 2)")
    args = parser.parse_args(argv)
    try:
        rows = grade(args.submissions, args.keys, run=not args.no_execute, workers=args.jobs)
    except GradingError as err:
        print(f"grade: {err}", file=sys.stderr)
        return 2
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        totals[(r["student"], r["chapter"])][0] += r["correct"]
        totals[(r["student"], r["chapter"])][1] += 1
    for (student, chapter), (right, total) in sorted(totals.items()):
        print(f"{student:>20}  {chapter:<24} {right}/{total}")
    print(f"{len(rows)} answer(s) graded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
