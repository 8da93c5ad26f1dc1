"""didbook works as an installed package, not only from the repository (slow: builds a wheel).

How, and why this way (fast and honest):

1. copy only what a source distribution holds (``pyproject.toml``, ``README.md``, ``lib/``) to a
   temporary directory and build a wheel there with pip's normal build isolation (setuptools from
   the package index), so nothing is written into the working tree;
2. create a fresh virtual environment and install that wheel into it, NON-editable and without
   dependencies (``pip --python <fresh> install --no-deps``);
3. make the pinned dependencies importable without re-installing them: a ``.pth`` file in the fresh
   environment appends ``.venv``'s site-packages to ``sys.path`` *after* the fresh site-packages.
   ``.pth`` files inside an appended directory are not processed, so ``.venv``'s editable hook for
   didbook stays inactive, and the test asserts that ``didbook`` is imported from the fresh
   environment;
4. run a chapter-like script from a directory outside the repository: simulate a panel, read the
   codebook and the example panel (package data), fit TWFE;
5. run a real chapter (``did_real_data``, generated from its source like ``make notebooks`` does) with
   papermill and the fresh environment's Python as the kernel, from that directory, and check the kernel
   imported the installed ``didbook``.

A missing package-data file, a path computed from the source tree or a module left out of the
wheel fails step 4.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import didbook

REPO = Path(didbook.__file__).resolve().parents[2]

SCRIPT = r"""
import json, didbook
panel = didbook.simulate_city_panel(seed=3, n_cities=40, n_provinces=8)
cb = didbook.city_panel_codebook()
ex = didbook.load_example_panel()
fit = didbook.twfe(panel.data, "income_gap", "platform_treated", "city_id", "year", cluster="province_id")
ex_fit = didbook.twfe(ex.assign(d=(ex["first_treat"].fillna(10**6) <= ex["year"]).astype(int)), "y", "d", "unit", "year")
print(json.dumps({
    "file": didbook.__file__,
    "codebook_rows": len(cb),
    "codebook_matches_panel": sorted(cb["column"]) == sorted(panel.data.columns),
    "example_shape": list(ex.shape),
    "estimate": fit.estimate,
    "example_estimate": ex_fit.estimate,
    "n_obs": fit.info["n_obs"],
    "book": callable(didbook.book.glue_all),
}))
"""


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory) -> tuple[Path, Path]:
    """(python of a fresh venv with the didbook wheel installed non-editable, a work directory elsewhere)."""
    tmp_path = tmp_path_factory.mktemp("packaging")
    src = tmp_path / "sdist"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "lib", src / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp_path / "wheels"), str(src)], check=True)
    (wheel,) = (tmp_path / "wheels").glob("didbook-*.whl")

    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([*pip, "--python", str(py), "install", "--no-deps", str(wheel)], check=True)
    fresh_site = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (fresh_site / "zz_pinned_deps.pth").write_text("\n".join(deps) + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    return py, work


@pytest.mark.slow
def test_non_editable_install_runs_a_chapter_like_script(fresh_env):
    py, work = fresh_env
    env_dir = py.parents[1]
    out = subprocess.run([str(py), "-c", SCRIPT], cwd=work, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])

    assert Path(res["file"]).resolve().is_relative_to(env_dir.resolve()), res["file"]  # the installed copy
    assert res["codebook_rows"] == len(didbook.city_panel_codebook()) and res["codebook_matches_panel"]
    assert res["example_shape"] == [1200, 7]
    ref = didbook.twfe(
        didbook.simulate_city_panel(seed=3, n_cities=40, n_provinces=8).data,
        "income_gap",
        "platform_treated",
        "city_id",
        "year",
        cluster="province_id",
    )
    assert res["estimate"] == pytest.approx(ref.estimate, abs=1e-10) and res["n_obs"] == ref.nobs
    assert res["example_estimate"] == pytest.approx(-0.5, abs=0.15)  # the example's known effect
    assert res["book"]


@pytest.mark.slow
def test_non_editable_install_runs_a_real_chapter(fresh_env):
    import os

    import chapters
    import nbformat

    py, work = fresh_env
    nb = chapters.generate(REPO / "notebooks" / "did_real_data.md")
    probe = nbformat.v4.new_code_cell("import didbook\nprint('DIDBOOK_FILE', didbook.__file__)")
    nb.cells.insert(0, probe)
    nbformat.write(nb, work / "chapter.ipynb")
    env = {**os.environ, "PATH": f"{py.parent}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "agg"}
    run = [str(py), "-m", "papermill", "chapter.ipynb", "out.ipynb", "-k", "python3", "--no-progress-bar"]
    out = subprocess.run(run, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    done = nbformat.read(work / "out.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in done.cells[0].outputs)
    installed = Path(printed.split("DIDBOOK_FILE", 1)[1].strip())
    assert installed.resolve().is_relative_to(py.parents[1].resolve()), installed  # the installed copy ran
    errors = [o for c in done.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors and len(done.cells) == len(nb.cells)
