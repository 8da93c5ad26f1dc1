"""Build the Chinese edition (make book-zh) from the executed English book: same notebooks, same numbers.

1. ``_build/src`` (the chapters executed once by papermill) is copied to ``_build/zh-src`` with the page
   catalogs (``locales/``);
2. every figure's PNG is replaced by its Chinese twin, drawn in the same run from the same numbers
   (``didbook.translation``), and every glued word is translated from the output catalog;
3. ``_config.yml`` gets ``language: zh_CN`` and the Chinese title, and Jupyter Book renders it with the same
   strict flags into ``_build/zh``, copied to ``_build/html/zh`` (each page links to its twin).

A figure without a Chinese twin, a figure text or glued word without a translation, or a page message left
untranslated stops the build with a list of what is missing (``python scripts/i18n.py coverage``).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import i18n  # noqa: E402

from didbook.translation import METADATA_KEY, catalog, needs_translation, swap_png, translate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
JB_FLAGS = ["-W", "-n", "--keep-going"]


def translate_notebook(path: Path, table: dict) -> list[str]:
    """Swap figures and glued words of one executed notebook in place; return what could not be translated."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                meta = out.get("metadata", {}).get("image/png", {}).get(METADATA_KEY)
                if meta is None:
                    continue  # not a matplotlib figure drawn by the book's style (e.g. an embedded image)
                missing = meta.get("missing", {}).get(LANGUAGE, [])
                problems += [f"{path.name}: figure text {text!r} has no translation" for text in missing]
                if not swap_png(out, LANGUAGE):
                    problems.append(f"{path.name}: a figure has no {LANGUAGE} twin (run the chapter again)")
            value = i18n.glued_string(out)
            if value is not None and needs_translation(value):
                new = translate(value, LANGUAGE, catalog=table)
                if new is None:
                    problems.append(f"{path.name}: glued word {value!r} has no translation")
                else:
                    mime = out["metadata"]["scrapbook"].get("mime_prefix", "") + "text/plain"
                    out["data"][mime] = repr(new)
    nbformat.write(nb, path)
    return problems


def paste_glued_values(po: Path, notebook: Path) -> list[str]:
    """Write the glued values of ``notebook`` into the translations of ``po``, as myst-nb renders them.

    A translated paragraph is parsed again apart from its notebook, where myst-nb's glue roles find no data;
    so the Chinese catalogs used for the build carry the values themselves (``<span class="pasted-text">``,
    exactly what the English page shows). The committed catalogs keep the roles.
    """
    from myst_nb.core.variables import format_plain_text

    from didbook.book import glued_values, resolve_glue

    values = glued_values(notebook, raw=True)

    def render(value, fmt):
        return f'<span class="pasted-text">{html.escape(format_plain_text(value, fmt))}</span>'

    problems = []
    catalog = i18n.read(po)
    for message in catalog:
        if message.id and message.string:
            try:
                message.string = resolve_glue(message.string, values, render)
            except KeyError as err:
                problems.append(f"{po.name}: {err.args[0]} ({notebook.name})")
    i18n.write(catalog, po)
    return problems


REST_ROLE = re.compile(r"(?<![\w`]):((?:[a-z]+:)?[a-z]+):`([^`]*)`")
REST_LITERAL_WITH_BACKTICK = re.compile(r"``((?:[^`]|`(?!`))*`(?:[^`]|`(?!`))*)``(?!`)|``(.+?`)``(?!`)")


def _myst_literal(match) -> str:
    return "`` " + (match.group(1) or match.group(2)) + " ``"


def rest_roles_to_myst(po: Path) -> None:
    """Docstrings' reST roles (``:func:`x```) written as MyST roles (``{func}`x```) in the build's catalog.

    The library reference is a MyST page whose API entries come from docstrings (reST). Sphinx parses a
    translated message with the *page's* parser, so a translated docstring must use MyST's role syntax or its
    cross-references are lost. The committed catalog keeps the docstrings' own syntax (its msgids).
    """
    catalog = i18n.read(po)
    for message in catalog:
        if message.id and message.string:
            text = REST_LITERAL_WITH_BACKTICK.sub(_myst_literal, message.string)  # ``a `b` c`` -> `` a `b` c ``
            message.string = REST_ROLE.sub(r"{\1}`\2`", text)
    i18n.write(catalog, po)


def translate_toc(toc_path: Path, problems: list[str]) -> None:
    """The parts' captions of ``_toc.yml`` in Chinese (the sidebar reads them from the table of contents).

    Sphinx extracts them into the root page's catalog but does not translate the navigation built from them.
    """
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    root = i18n.read(i18n.PAGES / f"{toc['root']}.po")
    for part in toc.get("parts", []):
        message = root.get(part.get("caption", ""))
        if message is None or not message.string:
            problems.append(f"_toc.yml: caption {part.get('caption')!r} has no translation in {toc['root']}.po")
        else:
            part["caption"] = message.string
    toc_path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def config(src_config: Path, table: dict, problems: list[str]) -> dict:
    """The book's configuration with ``language: zh_CN`` and the translated title and footer."""
    conf = yaml.safe_load(src_config.read_text(encoding="utf-8"))
    places = [(conf, "title"), (conf.get("html", {}), "extra_footer")]
    for holder, key in places:
        if holder.get(key):
            new = translate(holder[key].strip(), LANGUAGE, catalog=table)
            if new is None:
                problems.append(f"_config.yml: {key} {holder[key].strip()[:60]!r} has no translation")
            else:
                holder[key] = new
    conf["sphinx"]["config"]["language"] = LANGUAGE
    return conf


def prepare(src: Path, dest: Path) -> list[str]:
    if not (src / "notebooks").is_dir():
        raise SystemExit(f"{src} has no executed notebooks: run `make execute` first")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    shutil.copytree(ROOT / "locales", dest / "locales")
    table = catalog(LANGUAGE)
    problems = []
    for path in sorted((dest / "notebooks").glob("*.ipynb")):
        problems += translate_notebook(path, table)
        po = dest / "locales" / LANGUAGE / "LC_MESSAGES" / "notebooks" / f"{path.stem}.po"
        if po.exists():
            problems += paste_glued_values(po, path)
    rest_roles_to_myst(dest / "locales" / LANGUAGE / "LC_MESSAGES" / "book" / "library_reference.po")
    conf = config(dest / "_config.yml", table, problems)
    translate_toc(dest / "_toc.yml", problems)
    (dest / "_config.yml").write_text(yaml.safe_dump(conf, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for doc, r in i18n.coverage(i18n.page_catalogs()).items():
        problems += [f"{doc}: untranslated message {m[:70]!r}" for m in r["empty"]]
        problems += [f"{doc}: fuzzy (changed since translated) {m[:70]!r}" for m in r["fuzzy"]]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "_build" / "src")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "zh")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html" / "zh", help="copy of the HTML")
    parser.add_argument(
        "--draft",
        action="store_true",
        help="translators' preview: build even with messages left in English (listed; make never uses this)",
    )
    args = parser.parse_args(argv)
    staged = args.out / "src"
    problems = prepare(args.src, staged)
    if problems and args.draft:
        print(f"DRAFT: {len(problems)} things are not translated yet (first: {problems[0]})", file=sys.stderr)
    elif problems:
        print(f"{len(problems)} things are not translated:", file=sys.stderr)
        print("\n".join(problems[:200]), file=sys.stderr)
        return 1
    for sub in ("_build", "jupyter_execute"):
        shutil.rmtree(args.out / sub, ignore_errors=True)
    jb = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]
    flags = [] if args.draft else JB_FLAGS
    done = subprocess.run([*jb, "build", str(staged), "--path-output", str(args.out), *flags])
    if done.returncode:
        return done.returncode
    if args.html.exists():
        shutil.rmtree(args.html)
    shutil.copytree(args.out / "_build" / "html", args.html)
    print(f"Chinese edition: {args.html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
