"""The build configuration really fails on what it promises to fail on.

* a cell that wrote to stderr (e.g. a library warning) fails the Jupyter Book build;
* papermill's injected-parameters cell is tagged to be removed from the rendered page.
"""

import json
import shutil
import subprocess
import sys

import nbformat
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import execute_notebooks  # noqa: E402


def _tiny_book(tmp_path, stderr: bool):
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "_static", tmp_path / "book" / "_static")  # the CJK font CSS
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    cell = nbformat.v4.new_code_cell("import warnings; warnings.warn('boom')", execution_count=1)
    if stderr:
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: boom\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Page"), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "page.ipynb")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
            "build",
            str(tmp_path),
            "--path-output",
            str(tmp_path / "out"),
            "-W",
            "-n",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_stderr_in_a_cell_fails_the_build(tmp_path):
    result = _tiny_book(tmp_path, stderr=True)
    assert result.returncode != 0
    assert "stderr" in (result.stdout + result.stderr).lower()


def test_the_same_page_without_stderr_builds(tmp_path):
    result = _tiny_book(tmp_path, stderr=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_injected_parameters_cell_is_hidden(tmp_path):
    # a notebook with a parameters cell is enough (the chapters run with parameters in make seeds)
    cell = nbformat.v4.new_code_cell("alpha = 0.05", metadata={"tags": ["parameters"]})
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("print(alpha)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "page.ipynb"
    nbformat.write(nb, src)
    _, _, error = execute_notebooks.execute(src, tmp_path, {"alpha": 0.1})
    assert error is None, error
    nb = json.loads((tmp_path / src.name).read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert "remove-cell" in injected[0]["metadata"]["tags"]
    assert "alpha = 0.1" in "".join(injected[0]["source"])
    assert "".join(nb["cells"][-1]["outputs"][0]["text"]) == "0.1\n"  # the injected value is the one the notebook used


def test_the_executors_kernels_shut_down_without_an_interrupt(monkeypatch):
    """execute_notebooks.kernel_manager_class skips jupyter_client's interrupt-before-shutdown (which made
    finished kernels log "KeyboardInterrupt caught in kernel") and only that: other interrupts still go out."""
    import asyncio
    import inspect

    from jupyter_client.manager import AsyncKernelManager

    shutdown = inspect.getsource(AsyncKernelManager._async_shutdown_kernel)
    assert "self.shutting_down = True" in shutdown and "self._async_interrupt_kernel()" in shutdown
    sent = []

    async def interrupt(self):
        sent.append(self.shutting_down)

    monkeypatch.setattr(AsyncKernelManager, "_async_interrupt_kernel", interrupt)
    km = execute_notebooks.kernel_manager_class()()
    for shutting_down in (False, True):
        km.shutting_down = shutting_down
        asyncio.run(km._async_interrupt_kernel())
    assert sent == [False]
