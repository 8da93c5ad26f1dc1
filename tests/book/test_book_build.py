"""The rendered book: complete table of contents, working links, nothing fetched from the network."""

import html
import json

import chapters
import pytest
import yaml
from conftest import EXECUTED, ROOT
from html_pages import broken_internal_links, external_resources, glued_values


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def test_every_toc_entry_is_rendered(html_dir):
    missing = [f for f in toc_files() if not (html_dir / f"{f}.html").exists()]
    assert not missing, f"pages in _toc.yml without HTML: {missing}"
    assert (html_dir / "index.html").exists()


def test_every_source_file_is_in_the_toc():
    in_toc = set(toc_files())
    sources = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "notebooks").glob("*.ipynb")}
    sources |= {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")}
    assert sources <= in_toc, f"pages not reachable from _toc.yml: {sorted(sources - in_toc)}"


def test_internal_links_and_anchors_resolve(html_dir):
    broken = broken_internal_links(html_dir)
    assert not broken, "broken internal links:\n" + "\n".join(broken[:40])


def test_no_page_loads_anything_from_the_network(html_dir):
    remote = external_resources(html_dir)
    assert not remote, "pages load remote resources (the book must work offline):\n" + "\n".join(remote[:40])


def test_mathjax_is_bundled_locally(html_dir):
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists()
    page = (html_dir / "notebooks" / "did_real_data.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in page


CHAPTER_NOTEBOOKS = [f"{p.stem}.ipynb" for p in chapters.chapter_sources()]


@pytest.mark.parametrize("notebook", CHAPTER_NOTEBOOKS)
def test_notebook_executed_without_errors_or_stderr(notebook):
    path = EXECUTED / notebook
    if not path.exists():
        pytest.skip("run `make book` first: executed notebooks are in _build/src/notebooks")
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = [
        out.get("name", out["output_type"])
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out["output_type"] == "error" or out.get("name") == "stderr"
    ]
    assert not bad, f"{notebook}: {len(bad)} error/stderr outputs"
    tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
    assert any("parameters" in t for t in tags), f"{notebook} has no cell tagged 'parameters'"


def _plain_typography(text: str) -> str:
    """Undo Sphinx's smartquotes: curly quotes, ellipsis and dashes back to ASCII."""
    for fancy, plain in (
        ("\u2018", "'"),
        ("\u2019", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2026", "..."),
        ("\u2014", "---"),
        ("\u2013", "--"),
    ):
        text = text.replace(fancy, plain)
    return text


@pytest.mark.parametrize("notebook", CHAPTER_NOTEBOOKS)
def test_glued_numbers_appear_in_the_rendered_page(html_dir, notebook):
    executed = EXECUTED / notebook
    expected = glued_values(executed)
    text = (html_dir / "notebooks" / notebook.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    # glued strings may contain quotes and "...": the page escapes them and Sphinx's smartquotes curls them
    text = _plain_typography(html.unescape(text))
    missing = [(k, v) for k, v in expected if _plain_typography(v) not in text]
    assert not missing, f"glued values not rendered: {missing[:10]}"
