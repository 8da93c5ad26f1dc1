"""Answer keys per student: each chapter run with each student's seed, its recorded answers collected.

A solution records the numbers its exercise asks for with ``didbook.book.answer("label", tolerance=...,
name=value)`` (``lib/didbook/homework.py``). This script runs every chapter once per seed (papermill, with the
solutions: the full chapter), reads the recorded answers back from the executed notebook, and writes

* ``OUT/answer_keys.csv``: student, seed, chapter, exercise, answer, value, tolerance (one row per answer);
* ``OUT/seed-<seed>.html``: the chapters with their solutions, run with that seed, every number filled in and
  the seed (and its students) at the top of the page -- the key to read beside a student's work.

Runs are cached in ``_build/homework/runs`` by chapter, seed and a hash of the chapter and library sources, so
``make student-notebooks`` (which needs the same runs for the student's numbers) and this script run each
(chapter, seed) once.

Usage::

    python scripts/answer_keys.py --students roster.csv theory baseline_did     # -> _build/answer-keys
    make answer-keys ROSTER=roster.csv CHAPTERS="theory baseline_did"
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import html
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chapters  # noqa: E402
import myst_plain  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RUNS = ROOT / "_build" / "homework" / "runs"
DEFAULT_OUT = ROOT / "_build" / "answer-keys"
FIELDS = ["student", "seed", "chapter", "exercise", "answer", "value", "tolerance"]


class AnswerKeyError(ValueError):
    """A chapter whose answers cannot make a key (names the chapter and seed)."""


def default_seed(nb) -> int | None:
    """The ``seed = <int>`` of a notebook's ``parameters`` cell (None if it has no seed)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for stmt in ast.parse(cell.source).body:
                if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "seed" for t in stmt.targets):
                    return int(ast.literal_eval(stmt.value))
    return None


def _library_hash() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "lib" / "didbook").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv"):
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def run(source: Path, seed: int | None, lib_hash: str | None = None) -> Path:
    """Execute one chapter (with its solutions) with ``seed``; return the executed notebook (cached)."""
    from execute_notebooks import run_papermill

    generated = chapters.generate(source)
    text = nbformat.writes(generated)
    tag = hashlib.sha256((text + (lib_hash or _library_hash())).encode()).hexdigest()[:12]
    out = RUNS / f"{source.stem}-{'default' if seed is None else seed}-{tag}.ipynb"
    if out.exists():
        return out
    RUNS.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.tmp.ipynb")
    nbformat.write(generated, partial)
    try:
        run_papermill(partial, partial, {} if seed is None else {"seed": seed}, cwd=NOTEBOOKS)
    except Exception as exc:  # noqa: BLE001 - name the chapter and seed, keep the cause
        raise RuntimeError(f"{source.name} with seed {seed} failed: {type(exc).__name__}: {str(exc)[-2000:]}") from exc
    partial.replace(out)
    return out


def run_all(sources: list[Path], seeds: list[int | None], jobs: int = 2) -> dict[tuple[Path, int | None], Path]:
    """Every (chapter, seed) executed (cached), ``jobs`` at a time."""
    lib_hash = _library_hash()
    pairs = [(s, seed) for seed in seeds for s in sources]

    def one(pair):
        start = time.perf_counter()
        path = run(pair[0], pair[1], lib_hash)
        print(f"  {pair[0].stem} seed {pair[1]}: {time.perf_counter() - start:.1f}s", flush=True)
        return pair, path

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(pool.map(one, pairs))


def collect(executed: Path, source: Path, seed: int | None) -> list[dict]:
    """The answers recorded in one executed chapter, checked: known exercise labels, unique names."""
    from didbook.book import recorded_answers

    nb = nbformat.read(executed, as_version=4)
    answers = recorded_answers(nb)
    labels = myst_plain.context(nb, source.name).exercises
    names: dict[str, str] = {}
    for a in answers:
        if a["exercise"] not in labels:
            raise AnswerKeyError(
                f"{source.name} (seed {seed}): answer {a['name']!r} names exercise {a['exercise']!r}, "
                f"which is not an exercise label of the chapter ({sorted(labels)})"
            )
        if not a["name"].isidentifier():
            raise AnswerKeyError(f"{source.name}: answer name {a['name']!r} is not a Python identifier")
        if a["name"] in names and names[a["name"]] != a["exercise"]:
            raise AnswerKeyError(f"{source.name}: answer name {a['name']!r} is used by two exercises")
        names[a["name"]] = a["exercise"]
    return answers


# ---- the HTML key ---------------------------------------------------------------------------------------------------


def _output_html(out) -> str:
    data = out.get("data", {})
    if out.get("output_type") == "stream":
        return f"<pre class='out'>{html.escape(''.join(out.get('text', '')))}</pre>"
    if out.get("metadata", {}).get("scrapbook"):
        return ""  # glued values: shown in the prose
    if "image/png" in data:
        return f"<img alt='figure' src='data:image/png;base64,{''.join(data['image/png']).strip()}'>"
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return f"<pre class='out'>{html.escape(''.join(data['text/plain']))}</pre>"
    if out.get("output_type") == "error":
        return f"<pre class='err'>{html.escape(out.get('ename', ''))}: {html.escape(out.get('evalue', ''))}</pre>"
    return ""


def key_html(seed: int | None, students: list[str], runs: list[tuple[Path, Path]]) -> str:
    """One page: every chapter of ``runs`` ((source, executed notebook)) with its solutions, for ``seed``."""
    from markdown_it import MarkdownIt
    from student_notebooks import set_seed

    from didbook.book import glued_values

    md = MarkdownIt("commonmark").enable("table")
    shown = "the chapter's default" if seed is None else str(seed)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Answer key, seed {shown}</title><style>body{{max-width:60em;margin:auto;font-family:sans-serif}}"
        "pre{background:#f6f6f6;padding:.5em;overflow-x:auto}.seed{background:#fff3cd;padding:.6em;"
        "border:1px solid #e0c060}img{max-width:100%}</style></head><body>",
        f"<h1>Answer key: seed {shown}</h1>",
        f"<p class='seed'>Every number below is for <strong>seed = {shown}</strong> "
        f"(students: {html.escape(', '.join(students) or '-')}).</p>",
    ]
    for source, executed in runs:
        nb = nbformat.read(executed, as_version=4)
        ctx = myst_plain.context(nb, f"{source.name} (seed {shown})", glued_values(nb))
        parts.append(f"<section><hr><p><em>Chapter {html.escape(source.stem)}, seed {shown}</em></p>")
        for cell in nb.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if "injected-parameters" in tags or chapters.COLAB_TAG in tags or chapters.CHECK_TAG in tags:
                continue
            if cell.cell_type == "markdown":
                text = myst_plain.to_plain(cell.source, ctx).replace("\x00", "")
                text = "\n".join(ln for ln in text.split("\n") if not ln.startswith("exercise-end:"))
                parts.append(md.render(text))
            elif cell.cell_type == "code":
                if "remove-cell" in tags:
                    continue
                code = set_seed(cell.source, seed) if seed is not None and "parameters" in tags else cell.source
                parts.append(f"<pre><code>{html.escape(code)}</code></pre>")
                parts += [_output_html(o) for o in cell.get("outputs", [])]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---- main -------------------------------------------------------------------------------------------------------------


def write_keys(
    sources: list[Path], students: list[tuple[str, int]], out: Path, jobs: int = 2
) -> tuple[Path, list[Path]]:
    """Run, collect and write the CSV and one HTML page per seed; return their paths."""
    if not students:
        raise ValueError("no students: give a roster (--students roster.csv) or --student NAME")
    seeds = list(dict.fromkeys(seed for _, seed in students))
    runs = run_all(sources, seeds, jobs)
    out.mkdir(parents=True, exist_ok=True)
    rows, pages = [], []
    for seed in seeds:
        per_chapter = {s: collect(runs[(s, seed)], s, seed) for s in sources}
        for name in (n for n, s in students if s == seed):
            for source, answers in per_chapter.items():
                rows += [
                    {
                        "student": name,
                        "seed": seed,
                        "chapter": source.stem,
                        "exercise": a["exercise"],
                        "answer": a["name"],
                        "value": repr(a["value"]),
                        "tolerance": repr(a["tolerance"]),
                    }
                    for a in answers
                ]
        page = out / f"seed-{seed}.html"
        who = [n for n, s in students if s == seed]
        page.write_text(key_html(seed, who, [(s, runs[(s, seed)]) for s in sources]), encoding="utf-8")
        pages.append(page)
    table = out / "answer_keys.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "chapters.json").write_text(json.dumps([s.stem for s in sources]), encoding="utf-8")
    return table, pages


def main(argv: list[str] | None = None) -> int:
    from student_notebooks import chapter_source, read_students, seed_from_name

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "chapters", nargs="*", type=Path, help="chapters (names or notebooks/<chapter>.md; default all)"
    )
    parser.add_argument("--students", type=Path, help="CSV roster: column student, optional column seed")
    parser.add_argument("--student", action="append", default=[], help="a student name or id (seed from it)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/answer-keys)")
    parser.add_argument("--jobs", type=int, default=2, help="chapters run at once (default 2)")
    args = parser.parse_args(argv)
    sources = [chapter_source(p) for p in args.chapters] or chapters.chapter_sources()
    students = [(s, seed_from_name(s)) for s in args.student]
    if args.students:
        students += read_students(args.students)
    table, pages = write_keys(sources, students, args.out, args.jobs)
    print(f"{table} and {len(pages)} HTML key(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
