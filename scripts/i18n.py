"""The Chinese edition's translation catalogs: extract, update, list what is left, apply, check coverage.

Two kinds of catalog, both gettext ``.po`` files under version control:

* **pages** -- ``locales/zh_CN/LC_MESSAGES/<docname>.po``, one per page (``book/intro.po``,
  ``notebooks/theory.po``...): every paragraph, heading, list item, caption and exercise of the rendered book,
  extracted by Sphinx's ``gettext`` builder from the *executed* book (so figure captions are included).
* **outputs** -- ``lib/didbook/locales/zh_CN/LC_MESSAGES/outputs.po``: what the chapters' code writes, figure
  text and glued words, collected from the executed notebooks (numbers become ``{}``; see
  ``didbook.translation``).

The workflow (README "The Chinese edition")::

    make execute                           # the executed book in _build/src
    python scripts/i18n.py update          # new/changed messages into the catalogs (changed ones go fuzzy)
    python scripts/i18n.py todo notebooks/theory > todo.json      # what is left on one page
    python scripts/i18n.py apply notebooks/theory done.json       # {msgid: msgstr}, checked for markup
    python scripts/i18n.py coverage        # 100% or a list of what is missing (tests/book/test_zh.py)

A translation keeps every role target (``{glue:text}`x_est:.2f```, ``{numref}`fig-x```, ``{cite}`Key```,
the ``<Target>`` of ``{term}`` and ``{doc}``), every inline code span and every ``$math$`` of its message,
and a glossary headword stays as it is (the Chinese term opens its definition), so links resolve in both
editions; ``apply`` refuses a translation that loses one.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"
PAGES = LOCALES / LANGUAGE / "LC_MESSAGES"
OUTPUTS = ROOT / "lib" / "didbook" / "locales" / LANGUAGE / "LC_MESSAGES" / "outputs.po"
BUILD_SRC = ROOT / "_build" / "src"

_ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
_RST_ROLE = re.compile(r"(?<![\w`]):((?:[a-z]+:)?[a-z]+):`([^`]*)`")  # docstrings: :func:`name`
_CODE = re.compile(r"(?<![`}])``?([^`]+)``?")
_MATH = re.compile(r"\$\$?[^$]+\$\$?")
_TARGETED = {"term", "doc", "ref", "numref", "download"}


def markup(text: str) -> Counter:
    """What a translation must keep: role targets, inline code and math."""
    keep: Counter = Counter()
    for role, body in _ROLE.findall(text):
        if role in _TARGETED and body.endswith(">") and "<" in body:
            keep[(role, body[body.rindex("<") :])] += 1
        elif role == "term":
            keep[(role, "<" + body + ">")] += 1  # {term}`Cohort` translates to {term}`队列 <Cohort>`
        elif role == "doc":
            keep[(role, "<" + body + ">")] += 1
        else:
            keep[(role, body)] += 1
    for role, body in _RST_ROLE.findall(text):
        keep[(role, body[body.rindex("<") :] if body.endswith(">") and "<" in body else body)] += 1
    rest = _RST_ROLE.sub(" ", _ROLE.sub(" ", text))
    for span in _CODE.findall(rest):
        keep[("code", span)] += 1
    for span in _MATH.findall(_CODE.sub(" ", rest)):
        keep[("math", span)] += 1
    return keep


@lru_cache(maxsize=1)
def docstring_types() -> frozenset[str]:
    """The types of the library's numpy-style docstring fields ("name : list of str"): Sphinx links each
    name in them, so their translation stays as written."""
    field = re.compile(r"^\s{4,}[\w*][\w, *]* : (.+?)\s*$", re.M)
    types = set()
    for path in (ROOT / "lib" / "didbook").rglob("*.py"):
        types.update(field.findall(path.read_text(encoding="utf-8")))
    return frozenset(types)


@lru_cache(maxsize=1)
def glossary_headwords() -> frozenset[str]:
    """The terms the glossary defines (they stay as they are: links to them resolve in both editions)."""
    lines = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").split("```{glossary}", 1)[1]
    lines = lines.split("```", 1)[0].splitlines()
    return frozenset(
        line.strip() for line in lines if line.strip() and not line[0].isspace() and not line.startswith(":")
    )


def markup_problems(msgid: str, msgstr: str, doc: str = "") -> list[str]:
    """Markup of ``msgid`` that ``msgstr`` lost or added (empty when the translation keeps it all)."""
    if doc == "book/library_reference" and msgid in docstring_types() and msgstr != msgid:
        return [f"a docstring's type stays as written ({msgid!r}): Sphinx links each of its names"]
    if doc == "book/glossary" and msgid in glossary_headwords() and msgstr != msgid:
        return [f"a glossary headword stays as it is ({msgid!r}); the Chinese term opens its definition"]
    a, b = markup(msgid), markup(msgstr)
    problems = [f"lost {k[0]} {k[1]!r}" for k in a - b]
    problems += [f"added {k[0]} {k[1]!r}" for k in b - a]
    return problems


# ---- catalogs -----------------------------------------------------------------------------------------------


def read(path: Path) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=LANGUAGE)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)


def page_catalogs() -> dict[str, Path]:
    return {str(p.relative_to(PAGES).with_suffix("")): p for p in sorted(PAGES.rglob("*.po"))}


def catalog_for(doc: str) -> Path:
    if doc == "outputs":
        return OUTPUTS
    path = PAGES / f"{doc}.po"
    if not path.exists():
        raise SystemExit(f"no catalog for page {doc!r}: expected {path} (run `python scripts/i18n.py update`)")
    return path


def _merge(template: Catalog, path: Path) -> tuple[int, int]:
    """Update the catalog at ``path`` from ``template``; return (new, now fuzzy)."""
    if path.exists():
        catalog = read(path)
        before = {m.id for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=False)
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=LANGUAGE, project="didbook")
        for m in template:
            if m.id:
                catalog.add(m.id, "", auto_comments=m.auto_comments, context=m.context)
        before = set()
    write(catalog, path)
    new = sum(1 for m in catalog if m.id and m.id not in before)
    return new, sum(1 for m in catalog if m.id and m.fuzzy)


def extract_pages(src: Path) -> dict[str, Catalog]:
    """One template catalog per page, from Sphinx's gettext builder run on the executed book ``src``."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]
        cmd += ["build", str(src), "--path-output", tmp, "--builder", "custom", "--custom-builder", "gettext"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"gettext build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        out = Path(tmp) / "_build" / "gettext"
        templates = {}
        for pot in sorted(out.rglob("*.pot")):
            doc = str(pot.relative_to(out).with_suffix(""))
            with open(pot, "rb") as fh:
                templates[doc] = read_po(fh)
        return templates


def output_messages(src: Path) -> list[str]:
    """Figure texts and glued words of the executed notebooks in ``src``, numbers as ``{}``."""
    import nbformat

    from didbook.translation import METADATA_KEY, needs_translation, template

    found: list[str] = []
    conf = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    texts = [conf["title"], conf.get("html", {}).get("extra_footer", "").strip()]

    def add(text: str) -> None:
        if needs_translation(text):
            msg = template(text)[0] if re.search(r"\d", text) else text
            if msg not in found:
                found.append(msg)

    for text in texts:
        add(text)
    for path in sorted((src / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                meta = out.get("metadata", {})
                for text in meta.get("image/png", {}).get(METADATA_KEY, {}).get("texts", []):
                    for line in text.split("\n"):
                        add(line)
                    add(text)
                value = glued_string(out)
                if value is not None:
                    add(value)
    return found


def glued_string(output: dict) -> str | None:
    """The value of a glue output when it is a string (the words glued into prose), else None."""
    meta = output.get("metadata", {}).get("scrapbook", {})
    if not meta.get("name"):
        return None
    data = output.get("data", {})
    text = data.get(meta.get("mime_prefix", "") + "text/plain")
    if text is None:
        return None
    text = "".join(text) if isinstance(text, list) else text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def update(src: Path) -> None:
    if not (src / "notebooks").is_dir():
        raise SystemExit(f"{src} has no executed notebooks: run `make execute` first")
    for doc, template in extract_pages(src).items():
        new, fuzzy = _merge(template, PAGES / f"{doc}.po")
        if new or fuzzy:
            print(f"{doc}: {new} new, {fuzzy} fuzzy")
    template = Catalog(locale=LANGUAGE, project="didbook")
    for msg in output_messages(src):
        template.add(msg)
    new, fuzzy = _merge(template, OUTPUTS)
    print(f"outputs: {new} new, {fuzzy} fuzzy")


def coverage(catalogs: dict[str, Path] | None = None) -> dict[str, dict]:
    """Per catalog: total messages, translated, empty and fuzzy msgids, and markup problems."""
    catalogs = catalogs if catalogs is not None else {**page_catalogs(), "outputs": OUTPUTS}
    report = {}
    for doc, path in catalogs.items():
        catalog = read(path)
        msgs = [m for m in catalog if m.id]
        report[doc] = {
            "total": len(msgs),
            "empty": [m.id for m in msgs if not m.string],
            "fuzzy": [m.id for m in msgs if m.string and m.fuzzy],
            "markup": {m.id: markup_problems(m.id, m.string, doc) for m in msgs if m.string}
            if doc != "outputs"
            else {},
        }
        report[doc]["markup"] = {k: v for k, v in report[doc]["markup"].items() if v}
    return report


def apply(doc: str, translations: dict[str, str]) -> list[str]:
    """Write ``translations`` ({msgid: msgstr}) into ``doc``'s catalog; return the refused ones with why."""
    path = catalog_for(doc)
    catalog = read(path)
    refused = []
    for msgid, msgstr in translations.items():
        message = catalog.get(msgid)
        if message is None:
            refused.append(f"not in {doc}: {msgid[:80]!r}")
            continue
        if not msgstr.strip():
            refused.append(f"empty translation for {msgid[:80]!r}")
            continue
        problems = markup_problems(msgid, msgstr, doc) if doc != "outputs" else []
        if doc == "outputs" and msgstr.count("{}") != msgid.count("{}"):
            problems.append("the number of {} placeholders differs")
        if problems:
            refused.append(f"{msgid[:80]!r}: " + "; ".join(problems))
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    write(catalog, path)
    return refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="extract messages from the executed book and merge them into the catalogs")
    up.add_argument("--src", type=Path, default=BUILD_SRC)
    todo = sub.add_parser("todo", help="print a page's untranslated and fuzzy messages as JSON {msgid: ''}")
    todo.add_argument("doc", help="page, e.g. notebooks/theory, or 'outputs'")
    ap = sub.add_parser("apply", help="write translations ({msgid: msgstr} JSON file) into a page's catalog")
    ap.add_argument("doc")
    ap.add_argument("file", type=Path)
    sub.add_parser("coverage", help="translated share of every catalog; exit 1 unless all are complete")
    args = parser.parse_args(argv)

    if args.command == "update":
        update(args.src)
    elif args.command == "todo":
        catalog = read(catalog_for(args.doc))
        left = {m.id: "" for m in catalog if m.id and (not m.string or m.fuzzy)}
        json.dump(left, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.command == "apply":
        refused = apply(args.doc, json.loads(args.file.read_text(encoding="utf-8")))
        for line in refused:
            print("refused:", line)
        return 1 if refused else 0
    elif args.command == "coverage":
        bad = 0
        for doc, r in coverage().items():
            left = len(r["empty"]) + len(r["fuzzy"]) + len(r["markup"])
            bad += left
            share = 1 - (len(r["empty"]) + len(r["fuzzy"])) / max(r["total"], 1)
            print(f"{share:7.1%}  {r['total']:5d}  {doc}" + (f"  ({left} to do)" if left else ""))
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
