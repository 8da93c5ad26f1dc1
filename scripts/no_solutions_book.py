"""The book without solutions: strip them from a copy of the executed sources, then render that copy.

sphinx-exercise's ``hide_solutions`` crashes on gated solutions (1.2.1: ``NotImplementedError: departing unknown
node type: solution_end_node``) and would leave them in the served ``_sources`` and downloads anyway. So this
script never asks Sphinx to hide anything: it

1. copies the executed book (``_build/src``, written by ``make book``'s papermill step) to
   ``_build/src-no-solutions``;
2. removes every solution from every executed chapter there (``student_notebooks.strip_solutions``: gated
   blocks across cells wherever the markers stand, ``{solution}`` directives, legacy hidden exercise cells),
   keeping the other cells' outputs, and records what it removed in ``.removed-solutions.json`` (the leak test
   searches the served files for it);
3. writes that copy's ``_config.yml``: title "(without solutions)", no download button and no copied sources
   (``html_copy_source: false``), no launch or repository buttons -- or, with ``--student-repository``, the
   buttons point at the repository that hosts the student copies (see "Teaching with this book");
4. renders it with Jupyter Book (execution off, warnings as errors) into ``_build/html-no-solutions``.

A glue role left without its value (a number computed inside a solution but quoted outside it) fails the build
with Sphinx's warning: the chapter must move that computation out of the solution or the quote into it.

Usage::

    python scripts/no_solutions_book.py                    # _build/src -> _build/html-no-solutions
    python scripts/no_solutions_book.py --student-repository https://github.com/me/course-notebooks --branch main
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "_build" / "src"
DEST = ROOT / "_build" / "src-no-solutions"
HTML = ROOT / "_build" / "html-no-solutions"
REMOVED = ".removed-solutions.json"
JB = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


def no_solutions_config(config: dict, student_repository: str | None = None, branch: str = "main") -> dict:
    """The book's configuration for the solution-free build (see the module docstring)."""
    config = json.loads(json.dumps(config))  # deep copy
    config["title"] = str(config.get("title", "")) + " (without solutions)"
    html = config.setdefault("html", {})
    html["use_download_button"] = False
    html["use_edit_page_button"] = False
    html["use_issues_button"] = False
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config.pop("hide_solutions", None)
    sphinx_config["html_copy_source"] = False
    sphinx_config["editions_link"] = False  # no Chinese edition beside the solution-free book
    launch = config.setdefault("launch_buttons", {})
    if student_repository:
        if not student_repository.startswith("https://github.com/"):
            raise ValueError(
                f"--student-repository must be a https://github.com/OWNER/REPO URL, got {student_repository!r}"
            )
        config["repository"] = {"url": student_repository.rstrip("/"), "path_to_book": "", "branch": branch}
        html["use_repository_button"] = True
    else:
        config.pop("repository", None)
        html["use_repository_button"] = False
        launch["binderhub_url"] = ""
        launch["colab_url"] = ""
        launch["jupyterhub_url"] = ""
    launch["thebe"] = False
    return config


def prepare(src: Path = SRC, dest: Path = DEST, student_repository: str | None = None, branch: str = "main") -> dict:
    """Copy ``src`` to ``dest`` without any solution; return what was removed, per chapter."""
    chapters_dir = src / "notebooks"
    executed = sorted(chapters_dir.glob("*.ipynb")) if chapters_dir.exists() else []
    if not (src / "_config.yml").exists() or not executed:
        raise FileNotFoundError(f"{src} holds no executed book: run `make book` (or make execute) first")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    removed = {}
    for path in sorted((dest / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        stripped = student_notebooks.strip_solutions(nb, where=path.name)
        if student_notebooks.has_solutions(stripped.nb):
            raise student_notebooks.SolutionError(f"{path.name}: solution markers left after stripping")
        nbformat.write(stripped.nb, path)
        removed[path.stem] = {
            "labels": stripped.labels,
            "markdown": stripped.removed_markdown,
            "code": stripped.removed_code,
            "kept_markdown": [c.source for c in stripped.nb.cells if c.cell_type == "markdown"],
            "kept_code": [c.source for c in stripped.nb.cells if c.cell_type == "code"],
        }
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    new = no_solutions_config(config, student_repository, branch)
    (dest / "_config.yml").write_text(yaml.safe_dump(new, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (dest / REMOVED).write_text(json.dumps(removed, ensure_ascii=False), encoding="utf-8")
    return removed


def build(dest: Path = DEST, html: Path = HTML) -> Path:
    """Render ``dest`` with Jupyter Book (warnings are errors) into ``html``; return it."""
    out = dest.parent / (dest.name + "-out")
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run(
        [*JB, "build", str(dest), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the no-solutions build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    shutil.rmtree(html, ignore_errors=True)
    shutil.move(str(out / "_build" / "html"), str(html))
    shutil.rmtree(out, ignore_errors=True)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=SRC, help="the executed book (default _build/src)")
    parser.add_argument(
        "--dest", type=Path, default=DEST, help="its solution-free copy (default _build/src-no-solutions)"
    )
    parser.add_argument("--out", type=Path, default=HTML, help="the HTML (default _build/html-no-solutions)")
    parser.add_argument("--student-repository", help="GitHub URL hosting the student copies (launch buttons)")
    parser.add_argument("--branch", default="main", help="its branch (default main)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    removed = prepare(args.src, args.dest, args.student_repository, args.branch)
    n = sum(len(r["labels"]) for r in removed.values())
    print(f"removed {n} solution(s) from {len(removed)} chapter(s) in {args.dest}")
    build(args.dest, args.out)
    print(f"{args.out} ({time.perf_counter() - start:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
