"""Chapter sources are text (MyST markdown notebooks); the notebooks are generated from them.

* every chapter in ``_toc.yml`` has exactly one source, ``notebooks/<name>.md``, and no committed ``.ipynb``;
* generation (``scripts/chapters.py``) adds the hidden Colab cell naming the configured repository, the
  parameter check right after the ``parameters`` cell (with the chapter's declared minimums) and the forking
  note in chapters with cells tagged ``simulation-truth``; a source may not carry those cells itself;
* cells that read the simulation's truth are tagged ``simulation-truth`` (the page labels them);
* the Colab cell installs only inside Colab and is valid IPython.
"""

from __future__ import annotations

import re
import subprocess
import sys

import chapters
import nbformat
import pytest
import yaml
from conftest import ROOT

SOURCES = chapters.chapter_sources()
# What reads the simulation's known effects: a forked chapter on real data has none of these.
USES_TRUTH = re.compile(r"\.truth\b|\.untreated\(|didbook\.monte_carlo\(|\btrue_[a-z_]+\b")


def _toc_files(node) -> list[str]:
    out = []
    if isinstance(node, dict):
        if "file" in node:
            out.append(node["file"])
        for value in node.values():
            out.extend(_toc_files(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(_toc_files(item))
    return out


def test_every_chapter_is_one_text_source_and_no_notebook_is_committed():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    toc_chapters = {f.split("/", 1)[1] for f in _toc_files(toc) if f.startswith("notebooks/")}
    assert toc_chapters == {p.stem for p in SOURCES}
    tracked = subprocess.run(
        ["git", "ls-files", "notebooks"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split()
    assert not [f for f in tracked if f.endswith(".ipynb")], "generated notebooks must not be committed"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_generated_notebook_has_the_injected_cells(source):
    nb = chapters.generate(source)
    tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
    url, branch = chapters.repository()
    colab = [c for c, t in zip(nb.cells, tags) if chapters.COLAB_TAG in t]
    assert len(colab) == 1 and f"git+{url}@{branch}" in colab[0].source
    assert "remove-cell" in tags[nb.cells.index(colab[0])]
    params = [i for i, t in enumerate(tags) if "parameters" in t]
    assert len(params) == 1, "one parameters cell per chapter"
    check = nb.cells[params[0] + 1]
    assert chapters.CHECK_TAG in check.metadata["tags"] and "check_parameters(globals()" in check.source
    truth = any(chapters.TRUTH_TAG in t for t in tags)
    assert any(chapters.FORKING_TAG in t for t in tags) == truth


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_cells_reading_the_truth_are_tagged(source):
    nb = chapters.generate(source)
    untagged = [
        c.source.splitlines()[0]
        for c in nb.cells
        if c.cell_type == "code"
        and USES_TRUTH.search(c.source)
        and not {"remove-cell", chapters.TRUTH_TAG} & set(c.metadata.get("tags", []))
    ]
    assert not untagged, f"{source.name}: tag these cells simulation-truth: {untagged}"


def test_declared_minimums_reach_the_check_cell():
    nb = chapters.generate(ROOT / "notebooks" / "your_panel.md")
    check = next(c for c in nb.cells if chapters.CHECK_TAG in c.metadata.get("tags", []))
    assert 'minimum={"leads": 1, "lags": 0}' in check.source


def test_a_source_may_not_carry_an_injected_cell(tmp_path):
    src = tmp_path / "x.md"
    src.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n  language: python\n---\n\n# X\n\n```{code-cell} ipython3\n"
        ":tags: [remove-cell, colab-setup]\n\nprint(1)\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="colab-setup"):
        chapters.generate(src)


def test_colab_cell_installs_only_in_colab(tmp_path):
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(chapters.colab_cell().source)
    assert "run_line_magic('pip'" in code or 'run_line_magic("pip"' in code
    fake_pip = []
    namespace = {"get_ipython": lambda: type("IP", (), {"run_line_magic": lambda s, *a: fake_pip.append(a)})()}
    exec(compile(code, "colab", "exec"), namespace)  # not in Colab: nothing installed
    assert fake_pip == []
    sys.modules["google.colab"] = type(sys)("google.colab")
    try:
        exec(compile(code, "colab", "exec"), namespace)
    finally:
        del sys.modules["google.colab"]
    assert len(fake_pip) == 1 and "{DIDBOOK}" in fake_pip[0][1]
    url, branch = chapters.repository()
    assert namespace["DIDBOOK"] == f"didbook @ git+{url}@{branch}"


def test_make_notebooks_writes_every_chapter(tmp_path):
    out = subprocess.run(
        [sys.executable, "scripts/chapters.py", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    written = sorted(p.stem for p in tmp_path.glob("*.ipynb"))
    assert written == [p.stem for p in SOURCES]
    nbformat.validate(nbformat.read(tmp_path / f"{written[0]}.ipynb", 4))


def test_a_long_parameter_check_is_wrapped_as_ruff_formats_it(tmp_path):
    options = {"minimum": {f"n_draws_{i}": 2 for i in range(6)}}
    code = "import didbook\n\n" + chapters.check_call(options) + "\n"
    assert max(len(line) for line in code.splitlines()) <= 88
    path = tmp_path / "cell.py"
    path.write_text(code, encoding="utf-8")
    config = str(ROOT / "notebooks" / "ruff.toml")
    done = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--config", config, str(path)])
    assert done.returncode == 0, code
    assert chapters.check_call({"minimum": {"n": 1}}) == 'didbook.book.check_parameters(globals(), minimum={"n": 1})'


@pytest.mark.parametrize("source", chapters.chapter_sources(), ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_with_its_help(source):
    """`papermill --help-notebook` lists every parameter (a comment it cannot parse hides the line)."""
    from papermill.translators import PythonTranslator

    text = source.read_text(encoding="utf-8")
    if ":tags: [parameters]" not in text:
        pytest.skip("no parameters cell")
    cell = text.split(":tags: [parameters]", 1)[1].split("```", 1)[0]
    assigned = re.findall(r"^(\w+)\s*=", cell, re.M)
    listed = [p.name for p in PythonTranslator.inspect({"source": cell}) if p.help]
    assert set(assigned) <= set(listed), f"not listed (or without help): {set(assigned) - set(listed)}"
