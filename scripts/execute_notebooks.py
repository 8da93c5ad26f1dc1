"""Execute every chapter notebook with papermill into a build copy of the book.

The source tree stays clean (notebooks are committed without outputs). This script

1. copies ``_config.yml``, ``_toc.yml``, ``book/`` and the non-chapter files of ``notebooks/`` to ``_build/src/``;
2. generates each chapter's notebook from its source ``notebooks/*.md`` (``scripts/chapters.py``: the Colab,
   forking-note and parameter-check cells are added there), executes it with papermill (working directory
   ``notebooks/``) and writes the executed copy to ``_build/src/notebooks/``;
3. tags the cell papermill injects for parameters ``remove-cell`` so the rendered page hides it.

Parameters are strict: before papermill runs, each ``-p NAME VALUE`` is checked against the
notebook's ``parameters`` cell (and the ``choices``/``minimum`` of its hidden check cell) with
:func:`didbook.parameters.validate`; an undeclared name, a wrong type or a value not allowed stops
the run with a message naming the parameter and what it accepts (exit status 2). The same rules run
inside the notebook (``didbook.book.check_parameters``), so plain ``papermill`` refuses them too.

Jupyter Book then renders ``_build/src`` with execution off (see the Makefile).

Usage::

    python scripts/execute_notebooks.py                      # all chapters
    python scripts/execute_notebooks.py notebooks/did_real_data.md -p alpha 0.1
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chapters  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD_SRC = ROOT / "_build" / "src"


def copy_sources(dest: Path) -> None:
    """Fresh copy of everything Jupyter Book needs except the executed notebooks."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "notebooks").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "book", dest / "book")
    chapter_sources = set(chapters.chapter_sources())
    for path in NOTEBOOKS.iterdir():
        if path.suffix != ".ipynb" and not path.name.startswith(".") and path not in chapter_sources:
            target = dest / "notebooks" / path.name
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copy2(path, target)


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell ``remove-cell`` (hidden in the rendered book)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(nb, path)


def prepare_environment() -> None:
    """Make the kernel this interpreter (the project's venv) whatever `python` is on PATH; quiet stderr."""
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's frozen-modules note goes to stderr
    # two notebooks run at once on a 2-core machine: one BLAS thread each avoids oversubscription
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


@functools.cache
def kernel_manager_class():
    """jupyter_client's kernel manager, minus the interrupt it sends before shutting a kernel down.

    Papermill shuts a kernel down only after the last cell has finished (or stopped with an error). The
    interrupt can then land while the kernel wraps up that cell's request, and the kernel logs a spurious
    "ERROR | KeyboardInterrupt caught in kernel". A kernel that ignores the shutdown request is still
    terminated, then killed (``shutdown_wait_time``). Pinned by tests/book/test_build_config.py.
    """
    from jupyter_client.manager import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        async def _async_interrupt_kernel(self):
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return KernelManager


def run_papermill(src: Path, out: Path, parameters: dict | None = None, cwd: Path = NOTEBOOKS) -> None:
    """Execute ``src`` into ``out`` with papermill as the book does (book, second seed, answer keys, grading).

    papermill rewrites the whole notebook at every cell start and end by default (about 1.7 CPU-s a chapter,
    its figures included); here it is written once, at the end or on an error.
    """
    prepare_environment()
    pm.execute_notebook(
        str(src),
        str(out),
        parameters=parameters or {},
        cwd=str(cwd),
        kernel_name="python3",
        progress_bar=False,
        request_save_on_cell_execute=False,
        kernel_manager_class=kernel_manager_class(),
        log_output=False,
    )


def execute(src: Path, dest_dir: Path, parameters: dict) -> tuple[Path, float, str | None]:
    """Run one notebook; return (path, seconds, error message or None)."""
    start = time.perf_counter()
    out = dest_dir / src.name
    try:
        run_papermill(src, out, parameters, cwd=src.parent)
        hide_injected_parameters(out)
        return src, time.perf_counter() - start, None
    except Exception as exc:  # noqa: BLE001 - report every failure, then exit non-zero
        return src, time.perf_counter() - start, f"{type(exc).__name__}: {str(exc)[-3000:]}"


def check_parameters(notebooks: list[Path], params: dict) -> list[str]:
    """Messages for every notebook whose declared parameters refuse ``params`` (empty if all accept them)."""
    from didbook.parameters import ParameterError, notebook_parameters, validate

    bad = []
    for nb in notebooks:
        declared, options = notebook_parameters(nb)
        try:
            validate(declared, params, where=nb.name, **options)
        except ParameterError as err:
            bad.append(f"{nb.name}: {type(err).__name__}: {err}")
    return bad


def notebook_declared(path: Path) -> dict:
    """The parameters a generated notebook declares (name -> default)."""
    from didbook.parameters import notebook_parameters

    return notebook_parameters(path)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="papermill parameter (value parsed as Python literal when possible)",
    )
    parser.add_argument("--out", type=Path, default=BUILD_SRC, help="build copy of the book (default _build/src)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument(
        "--second-seed",
        type=int,
        metavar="SEED",
        help="run every chapter that declares `seed` with this seed and the quick parameters of its front matter"
        " (`didbook: quick: {n_draws: 99}`), into --out (make seeds: _build/seed2); other chapters are skipped",
    )
    args = parser.parse_args(argv)
    # absolute: papermill changes the process's working directory while a chapter runs (cwd=notebooks/), and two
    # chapters run at once in threads, so a relative output path would resolve against the wrong directory
    args.out = args.out.resolve()

    import ast

    params = {}
    for name, value in args.parameter:
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value

    given = [p.resolve() for p in args.notebooks]
    sources = chapters.chapter_sources(given or None)
    notebooks = [chapters.write(src) for src in sources] + [p for p in given if p.suffix == ".ipynb"]
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    per_notebook = {nb: params for nb in notebooks}
    if args.second_seed is not None:
        per_notebook = {
            nb: {**chapters.quick_parameters(src), **params, "seed": args.second_seed}
            for nb, src in zip(notebooks, sources)
            if "seed" in notebook_declared(nb)
        }
        notebooks = list(per_notebook)
    bad = [msg for nb in notebooks for msg in check_parameters([nb], per_notebook[nb])]
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 2
    if args.second_seed is None:
        # every figure drawn in English and in Chinese in the same run (the Chinese PNG goes into the output's
        # metadata; scripts/zh_edition.py swaps it in): both editions show figures of the same numbers
        os.environ.setdefault("DIDBOOK_FIGURE_LANGUAGES", "zh_CN")
    if not args.notebooks and args.second_seed is None:
        copy_sources(args.out)
    dest_dir = args.out / "notebooks"
    dest_dir.mkdir(parents=True, exist_ok=True)

    failures = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for src, seconds, error in pool.map(lambda nb: execute(nb, dest_dir, per_notebook[nb]), notebooks):
            status = "ok" if error is None else "FAILED"
            print(f"{status:>6}  {seconds:6.1f}s  {src.relative_to(ROOT)}", flush=True)
            if error:
                failures.append((src, error))
    for src, error in failures:
        print(f"\n--- {src.name} failed ---\n{error}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
