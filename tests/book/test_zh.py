"""The Chinese edition (make book-zh): complete catalogs, Chinese pages, the same numbers, linked twins.

The catalogs are checked without a build; the rendered pages (``_build/html/zh``, built by ``make book``) are
read as HTML. The real-browser checks (CJK text and figures render, the language links work) are in
``test_browser.py``, which opens every page of both editions.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import i18n
import pytest
from html_pages import pages

from didbook.translation import LANGUAGES, catalog, translate

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z]{2,}")
PROSE_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "td", "th", "dd", "caption"}
# subtrees whose text is not prose: code, outputs of code cells, math, bibliography entries
SKIP_CLASSES = {"cell_input", "cell_output", "math", "citation", "highlight", "docutils literal", "sig"}
SKIP_TAGS = {"pre", "code", "script", "style", "mjx-container", "svg", "nav", "header", "footer", "dt"}


@pytest.fixture(scope="module")
def zh_dir(html_dir) -> Path:
    path = html_dir / "zh"
    if not (path / "index.html").exists():
        pytest.fail("_build/html/zh is missing: `make book` builds both editions (or `make book-zh`)")
    return path


# ---- catalogs (no build needed) ----------------------------------------------------------------------------


def test_every_message_of_every_catalog_is_translated():
    report = i18n.coverage()
    assert report, "no catalogs under locales/zh_CN: run `python scripts/i18n.py update`"
    left = {doc: len(r["empty"]) + len(r["fuzzy"]) for doc, r in report.items() if r["empty"] or r["fuzzy"]}
    total = sum(r["total"] for r in report.values())
    assert not left, f"untranslated or fuzzy messages (of {total}): {left}"


def test_translations_keep_every_role_target_code_span_and_formula():
    bad = {doc: r["markup"] for doc, r in i18n.coverage().items() if r["markup"]}
    assert not bad, f"translations that lost markup: {bad}"


def test_markup_check_catches_a_lost_glue_role_and_a_changed_term_target():
    msgid = "TWFE gives {glue:text}`bl_est:.4f` for {term}`cohorts <Cohort>` in `income_gap` ($\\beta$)."
    good = "TWFE 对 {term}`处理批次 <Cohort>` 的 `income_gap` 估计为 {glue:text}`bl_est:.4f`（$\\beta$）。"
    assert i18n.markup_problems(msgid, good) == []
    assert i18n.markup_problems(msgid, good.replace("{glue:text}`bl_est:.4f`", "-0.12"))
    assert i18n.markup_problems(msgid, good.replace("<Cohort>", "<处理批次>"))
    assert i18n.markup_problems(msgid, good.replace("`income_gap`", "收入差距"))
    assert i18n.markup_problems("See :func:`load_dataset`.", "参见 `load_dataset`。"), "docstrings' reST roles"
    assert not i18n.markup_problems("See :func:`load_dataset`.", "参见 :func:`load_dataset`。")
    assert i18n.markup_problems("Cohort", "处理批次", "book/glossary"), "a glossary headword stays as it is"
    assert not i18n.markup_problems("Cohort", "处理批次", "notebooks/theory"), "elsewhere the word is translated"


def test_output_catalog_translates_templates_with_their_own_numbers():
    table = catalog("zh_CN")
    assert set(LANGUAGES) == {"en", "zh_CN"}
    templated = [m for m in table if "{}" in m]
    assert templated, "figure texts with numbers are catalogued as templates"
    msg = templated[0]
    numbers = [str(5 + i) for i in range(msg.count("{}"))]
    out = translate(msg.format(*numbers), catalog=table)
    assert out is not None and all(n in out for n in numbers)


# ---- rendered pages -----------------------------------------------------------------------------------------


class _Prose(HTMLParser):
    """Text of each prose element of a page's article, outside code, outputs, math and bibliography."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping)
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.depth_block = 0
        self.in_article = 0

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "hr", "meta", "link", "input", "wbr"}:
            return
        a = dict(attrs)
        classes = a.get("class") or ""
        skip = tag in SKIP_TAGS or any(c in classes for c in SKIP_CLASSES) or a.get("id") == "bibliography"
        if "bd-article" in classes or tag == "article":
            self.in_article += 1
        self.stack.append((tag, skip))
        if tag in PROSE_TAGS and self.current is None and self.in_article:
            self.current, self.depth_block = [], len(self.stack)

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if self.current is not None and len(self.stack) < self.depth_block:
                self.blocks.append(" ".join(self.current))
                self.current = None
            if t == tag:
                break

    def handle_data(self, data):
        if self.current is not None and not self._skipping():
            self.current.append(data)


def prose_blocks(path: Path) -> list[str]:
    parser = _Prose()
    parser.feed(path.read_text(encoding="utf-8"))
    return [b for b in (re.sub(r"\s+", " ", b).strip() for b in parser.blocks) if b]


def english_blocks(path: Path) -> list[str]:
    """Prose blocks with four or more English words and not one Chinese character."""
    return [b for b in prose_blocks(path) if not CJK.search(b) and len(WORD.findall(b)) >= 4]


def test_the_english_paragraph_finder_itself(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><article class='bd-article'><p>这是中文，有 `TWFE` 和 BJS。</p>"
        "<p>This paragraph was left in English by mistake.</p>"
        "<div class='cell_output'><p>printed output stays English here</p></div>"
        "<pre>code is code and stays as it is</pre></article></body></html>",
        encoding="utf-8",
    )
    assert english_blocks(page) == ["This paragraph was left in English by mistake."]


@pytest.mark.build
def test_every_english_page_has_a_chinese_twin(html_dir, zh_dir):
    english = {p.relative_to(html_dir) for p in pages(html_dir) if p.relative_to(html_dir).parts[0] != "zh"}
    chinese = {p.relative_to(zh_dir) for p in pages(zh_dir)}
    assert english - chinese == set(), f"pages without a Chinese twin: {sorted(english - chinese)[:10]}"


@pytest.mark.build
def test_chinese_pages_have_no_english_paragraph(zh_dir):
    left = {}
    for path in pages(zh_dir):
        if path.name in {"genindex.html", "search.html"}:  # the index lists the glossary's English headwords
            continue
        found = english_blocks(path)
        if found:
            left[str(path.relative_to(zh_dir))] = found[:3]
    assert not left, f"English prose in the Chinese edition: {left}"


def _pasted(path: Path) -> Counter:
    text = path.read_text(encoding="utf-8")
    spans = re.findall(r'<span class="pasted-text">([^<]*)</span>', text)
    return Counter(s for s in spans if re.fullmatch(r"[-−+]?[\d.,]+(?:e[-+]?\d+)?%?", s.strip()))


@pytest.mark.build
def test_glued_numbers_are_identical_in_both_editions(html_dir, zh_dir):
    chapters = sorted((html_dir / "notebooks").glob("*.html"))
    assert chapters
    differ = {}
    for en in chapters:
        zh = zh_dir / "notebooks" / en.name
        a, b = _pasted(en), _pasted(zh)
        if a != b:
            differ[en.name] = {
                "only English": list((a - b).elements())[:5],
                "only Chinese": list((b - a).elements())[:5],
            }
    assert not differ, f"glued numbers differ between the editions: {differ}"
    assert sum(sum(_pasted(p).values()) for p in chapters) > 500, "the chapters glue their numbers"


@pytest.mark.build
def test_chinese_figures_are_the_chinese_twins(html_dir, zh_dir):
    """Same number of figures per chapter, none of them the English image (Sphinx names images by content)."""
    img = re.compile(r'<img[^>]+src="([^"]+\.png)"')
    for en in sorted((html_dir / "notebooks").glob("*.html")):
        zh = zh_dir / "notebooks" / en.name
        a, b = img.findall(en.read_text(encoding="utf-8")), img.findall(zh.read_text(encoding="utf-8"))
        assert len(a) == len(b), f"{en.name}: {len(a)} figures in English, {len(b)} in Chinese"
        same = [(x, y) for x, y in zip(a, b) if (en.parent / x).read_bytes() == (zh.parent / y).read_bytes()]
        assert not same, f"{en.name}: figures left in English in the Chinese edition: {same[:3]}"


@pytest.mark.build
def test_each_page_links_to_its_twin_and_back(html_dir, zh_dir):
    link = re.compile(r'<a class="edition-link" href="([^"]+)"')
    for en in pages(html_dir):
        rel = en.relative_to(html_dir)
        if rel.parts[0] in {"zh", "search.html", "genindex.html", "index.html"}:  # index.html: a redirect
            continue
        (to_zh,) = link.findall(en.read_text(encoding="utf-8"))
        zh = (en.parent / to_zh).resolve()
        assert zh == (zh_dir / rel).resolve(), f"{rel}: links to {to_zh}"
        (back,) = link.findall(zh.read_text(encoding="utf-8"))
        assert (zh.parent / back).resolve() == en.resolve(), f"zh/{rel}: links back to {back}"


@pytest.mark.build
def test_every_chinese_character_of_the_chinese_pages_is_in_the_bundled_font(zh_dir):
    """No missing glyph ("tofu"): the subset web font covers every CJK character the Chinese pages show."""
    from fontTools.ttLib import TTFont

    fonts = sorted((zh_dir / "_static" / "fonts").glob("noto-sans-cjk-sc-subset.*"))
    assert fonts, "the subset CJK web font is copied into the Chinese edition"
    cmap = TTFont(str(fonts[0])).getBestCmap()
    missing = Counter()
    for path in pages(zh_dir):
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S)
        missing.update(ch for ch in set(text) if CJK.match(ch) and ord(ch) not in cmap)
    assert not missing, f"characters without a glyph: {''.join(sorted(missing))[:80]} (run scripts/make_cjk_font.py)"


def test_chinese_doctrees_do_not_carry_the_build_environment(html_dir, zh_dir):
    """Translated nodes belong to their page (book/_ext/editions.py): each Chinese doctree stays about the size
    of its English twin. Before, each one pickled the whole environment read so far and grew page by page to
    6 MB, and the Chinese render took minutes instead of seconds."""
    english, chinese = html_dir.parent / ".doctrees", html_dir.parent / "zh" / "_build" / ".doctrees"
    sizes = {
        p.relative_to(chinese).as_posix(): (p.stat().st_size, (english / p.relative_to(chinese)).stat().st_size)
        for p in chinese.rglob("*.doctree")
    }
    assert len(sizes) >= 20, f"no Chinese doctrees under {chinese}"
    big = {doc: s for doc, s in sizes.items() if s[0] > 3 * s[1] + 50_000}
    assert not big, f"Chinese doctrees much larger than their English twins (bytes zh, en): {big}"
