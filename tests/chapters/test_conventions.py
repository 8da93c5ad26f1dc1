"""The chapter conventions (notebooks/README.md), checked on every notebook and on the rendered book.

Static checks read the chapter sources ``notebooks/*.md`` as notebooks (no execution); rendered checks read ``_build/html`` and skip when
the book has not been built. Also checked here: the bundled CJK web font covers every Chinese character of
the sources, and stub chapters are marked "(in preparation)" in the table of contents.
"""

from __future__ import annotations

import html
import importlib.util
import re

import chapters
import pytest
import yaml
from conftest import HTML, ROOT

# ---------------------------------------------------------------------------------------------------------
# NOT YET CONVERTED to the conventions: these notebooks are expected to fail (xfail, not strict), every
# other notebook must pass. Remove a name as soon as its chapter is converted; the lead empties this list.
NOT_YET_CONVERTED: set[str] = set()  # every chapter follows the conventions
# ---------------------------------------------------------------------------------------------------------

MAX_LINE = 88
NOTEBOOKS = chapters.chapter_sources()
HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input"}
GLUE_CALL = re.compile(r"\bglue(?:_all)?\(")
PLOTTING = re.compile(r"\bplt\.|\.plot\(|\.plot\.|\bsns\.|\bax\d?\.|\baxes\[")
NUMREF = re.compile(r"\{numref\}`(?:[^`<]*<)?([^`>]+)>?`")
EXERCISE = re.compile(r"^:{3,}\{exercise\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:label:\s*(\S+)", re.M)
SOLUTION = re.compile(r"^:{3,}\{solution(?:-start)?\}\s+(\S+)", re.M)
KEY_IDEAS = re.compile(r"^#+\s+Key ideas\b", re.M)
# fenced code blocks: a language or nothing after the fence, or a code directive (not {admonition} etc.)
FENCE = re.compile(r"^(`{3,}|~{3,})(?:[\w+-]*|\{code(?:-block|-cell)?\}[^\n]*)\n(.*?)^\1", re.M | re.S)


def _param(path):
    if path.stem in NOT_YET_CONVERTED:
        return pytest.param(path, id=path.stem, marks=pytest.mark.xfail(reason="not yet converted", strict=False))
    return pytest.param(path, id=path.stem)


NOTEBOOK_PARAMS = [_param(p) for p in NOTEBOOKS]


def _cells(path):
    return chapters.generate(path)["cells"]


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _markdown(path) -> str:
    return "\n\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")


# ---- static checks over every notebook -------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOK_PARAMS)
def test_glue_only_in_hidden_cells(path):
    bad = [
        i
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code" and GLUE_CALL.search(_source(c)) and not _tags(c) & HIDDEN_TAGS
    ]
    assert not bad, f"{path.name}: glue(...) in visible code cells {bad}; move it into a remove-cell glue_all"


@pytest.mark.parametrize("path", NOTEBOOK_PARAMS)
def test_every_figure_is_captioned_named_and_referenced(path):
    problems, names = [], []
    for i, c in enumerate(_cells(path)):
        if c["cell_type"] != "code" or "remove-cell" in _tags(c) or not PLOTTING.search(_source(c)):
            continue
        figure = c.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if not figure.get("caption") or not figure.get("name"):
            problems.append(f"cell {i}: plotting cell without mystnb figure caption and name")
        else:
            names.append(figure["name"])
    referenced = set(NUMREF.findall(_markdown(path)))
    problems += [f"figure {n!r} is never referenced with {{numref}}" for n in names if n not in referenced]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOK_PARAMS)
def test_code_lines_fit_the_page(path):
    long = []
    for i, c in enumerate(_cells(path)):
        if c["cell_type"] == "code":
            blocks = [_source(c)]
        else:  # fenced code in markdown (e.g. inside exercise solutions) renders as a code block too
            blocks = [m.group(2) for m in FENCE.finditer(_source(c))]
        long += [f"cell {i}: {len(line)} chars" for b in blocks for line in b.splitlines() if len(line) > MAX_LINE]
    assert not long, f"{path.name}: code lines over {MAX_LINE} characters: {long[:10]}"


@pytest.mark.parametrize("path", NOTEBOOK_PARAMS)
def test_parameters_cell(path):
    assert any("parameters" in _tags(c) for c in _cells(path) if c["cell_type"] == "code"), (
        f"{path.name}: no code cell tagged `parameters`"
    )


@pytest.mark.parametrize("path", NOTEBOOK_PARAMS)
def test_exercises_with_solutions_and_key_ideas(path):
    text = _markdown(path)
    exercises = EXERCISE.findall(text)
    solved = set(SOLUTION.findall(text))
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} labelled {{exercise}} blocks (at least 3)"
    missing = [label for label in exercises if label not in solved]
    assert not missing, f"{path.name}: exercises without a {{solution}}: {missing}"
    assert KEY_IDEAS.search(text), f"{path.name}: no 'Key ideas' heading"


def test_the_checks_themselves():
    md = (
        ":::{exercise}\n:label: ex-a\nQ\n:::\n\n:::{solution} ex-a\n:class: dropdown\nA\n:::\n"
        ":::{exercise}\n:class: x\n:label: ex-b\nQ\n:::\n:::{solution-start} ex-b\n:::\n"
        "See {numref}`fig-a` and {numref}`Figure %s <fig-b>`.\n\n## Key ideas\n"
    )
    assert EXERCISE.findall(md) == ["ex-a", "ex-b"]
    assert set(SOLUTION.findall(md)) == {"ex-a", "ex-b"}
    assert set(NUMREF.findall(md)) == {"fig-a", "fig-b"}
    assert KEY_IDEAS.search(md)
    assert GLUE_CALL.search("didbook.book.glue_all('x_', a=1)") and GLUE_CALL.search("glue('a', 1)")
    assert not GLUE_CALL.search("from myst_nb import glue")
    fences = "```python\nx = 1\n```\n```{admonition} Note\n" + "y" * 100 + "\n```\n"
    assert [m.group(2) for m in FENCE.finditer(fences)] == ["x = 1\n"]
    assert PLOTTING.search("ax = es.plot()") and not PLOTTING.search("import matplotlib.pyplot as plt")


# ---- the CJK web font -------------------------------------------------------------------------------------


def _font_script():
    spec = importlib.util.spec_from_file_location("make_cjk_font", ROOT / "scripts" / "make_cjk_font.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cjk_font_covers_every_chinese_character_of_the_sources():
    from fontTools.ttLib import TTFont

    script = _font_script()
    path = script.font_file()
    if path.suffix == ".woff2" and importlib.util.find_spec("brotli") is None:
        pytest.skip("the font is WOFF2 and brotli is not installed to read it")
    assert path.stat().st_size < 1.5e6, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB (keep it < 1.5 MB)"
    cmap = TTFont(str(path)).getBestCmap()
    used = script.used_cjk_characters()
    missing = {ch: files for ch, files in used.items() if ord(ch) not in cmap}
    assert not missing, (
        f"{len(missing)} Chinese characters are not in {path.name}: "
        + ", ".join(f"{ch} ({files[0]})" for ch, files in list(missing.items())[:15])
        + "\nRegenerate the font: .venv/bin/python scripts/make_cjk_font.py (and commit book/_static)"
    )


def test_cjk_stylesheet_is_loaded_and_points_at_the_font():
    script = _font_script()
    css = script.CSS.read_text(encoding="utf-8")
    assert f"fonts/{script.font_file().name}" in css
    assert "http://" not in css and "https://" not in css and "//" not in css.replace("/*", "").split("*/")[-1]
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert "book/_static" in config["html_static_path"]
    assert "cjk.css" in config["html_css_files"]


# ---- stub chapters are marked in the table of contents ----------------------------------------------------


def _toc_files(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(node["file"])
        for value in node.values():
            found += _toc_files(value)
    elif isinstance(node, list):
        for value in node:
            found += _toc_files(value)
    return found


def test_stub_pages_are_marked_in_preparation():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    problems = []
    for entry in _toc_files(toc):
        path = ROOT / f"{entry}.md"
        if not entry.startswith("book/chapters/") or not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        title = next((line for line in text.splitlines() if line.startswith("# ")), "")
        is_stub = re.search(r"\{admonition\}\s+In preparation", text) is not None
        if is_stub and not title.rstrip().endswith("(in preparation)"):
            problems.append(f"{entry}: stub whose title does not end with '(in preparation)': {title!r}")
        if not is_stub and "(in preparation)" in title:
            problems.append(f"{entry}: written chapter still titled '(in preparation)'")
    assert not problems, "\n".join(problems)


# ---- the rendered book ------------------------------------------------------------------------------------

CODE_BLOCK = re.compile(
    r'<div class="highlight-(?:ipython3|python|python3|default|bash|shell)\b[^"]*">\s*'
    r'<div class="highlight"><pre>(.*?)</pre>',
    re.S,
)
FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)
FIG_NUMBER = re.compile(r'<span class="caption-number">(?:Fig\.|图) \d+(?:\.\d+)*')


def _rendered_pages():
    if not (HTML / "index.html").exists():
        return []
    return sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))


def _page_param(page):
    rel = page.relative_to(HTML).as_posix()
    if page.parent.name == "notebooks" and page.stem in NOT_YET_CONVERTED:
        return pytest.param(page, id=rel, marks=pytest.mark.xfail(reason="not yet converted", strict=False))
    return pytest.param(page, id=rel)


PAGE_PARAMS = [_page_param(p) for p in _rendered_pages()] or [
    pytest.param(None, id="no-build", marks=pytest.mark.skip(reason="_build/html is missing: run `make book`"))
]


def _code_lines(page_html: str) -> list[str]:
    lines = []
    for block in CODE_BLOCK.findall(page_html):
        lines += html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
    return lines


@pytest.mark.parametrize("page", PAGE_PARAMS)
def test_rendered_page_reads_cleanly(page):
    text = page.read_text(encoding="utf-8")
    lines = _code_lines(text)
    problems = [f"visible bookkeeping: {line.strip()[:80]!r}" for line in lines if GLUE_CALL.search(line)]
    problems += [f"code line of {len(line)} chars: {line[:60]!r}..." for line in lines if len(line) > MAX_LINE]
    problems += [
        f"figure without a numbered caption: {fig[:120]!r}"
        for fig in FIGURE.findall(text)
        if not FIG_NUMBER.search(fig)
    ]
    assert not problems, f"{page.relative_to(HTML)}:\n" + "\n".join(problems[:15])
