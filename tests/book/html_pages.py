"""Helpers that read the rendered book: pages, links, glued values (shared by the build tests)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

EXTERNAL = ("http://", "https://", "mailto:", "javascript:", "data:", "tel:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            if a.get(attr):
                self.links.append((tag, attr, a[attr]))


def parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def pages(html_dir: Path) -> list[Path]:
    """Every HTML page of the book (Sphinx's own _static/_sources excluded)."""
    return sorted(
        p for p in html_dir.rglob("*.html") if not any(part.startswith("_") for part in p.relative_to(html_dir).parts)
    )


def broken_internal_links(html_dir: Path) -> list[str]:
    """Internal href/src targets that do not exist (files or #anchors)."""
    parsed = {p: parse(p) for p in pages(html_dir)}
    problems = []
    for page, c in parsed.items():
        for tag, attr, url in c.links:
            if url.startswith(EXTERNAL) or url == "#":
                continue
            parts = urlsplit(url)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            rel = page.relative_to(html_dir)
            if not target.exists():
                problems.append(f"{rel}: <{tag} {attr}={url!r}> -> missing file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{rel}: <{tag} {attr}={url!r}> -> missing anchor")
    return problems


def external_resources(html_dir: Path) -> list[str]:
    """Resources a page would load from the network (scripts, images, stylesheets); links to click are fine."""
    found = []
    for page in pages(html_dir):
        for tag, attr, url in parse(page).links:
            loads = attr == "src" or (tag == "link" and attr == "href")
            if loads and url.startswith(("http://", "https://", "//")):
                found.append(f"{page.relative_to(html_dir)}: <{tag} {attr}={url!r}>")
    return found


GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")


def glued_values(executed_notebook: Path) -> list[tuple[str, str]]:
    """(key, expected text) for each {glue:text}`key:fmt` role in an executed notebook's markdown."""
    from myst_nb.core.variables import format_plain_text

    from didbook.book import glued_values as values_of

    nb = json.loads(executed_notebook.read_text(encoding="utf-8"))
    values = values_of(executed_notebook, raw=True)
    expected = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for key, fmt in GLUE_ROLE.findall("".join(cell["source"])):
            # exactly as myst-nb renders it, from the text/plain representation
            expected.append((key, format_plain_text(values[key], fmt or "")))
    return expected
