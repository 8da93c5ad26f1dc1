"""The book's one language switch for what code draws: figure text and glued words.

Prose is translated by Sphinx's gettext workflow (``locales/zh_CN/LC_MESSAGES/*.po``, see
``scripts/i18n.py``). What the chapters' *code* writes (axis labels, legends, titles, category tick labels,
and words glued into the prose such as "covers") is translated here, from one catalog that ships with the
package: ``didbook/locales/<language>/LC_MESSAGES/outputs.po``.

A text is looked up whole; if that fails, with its numbers replaced by ``{}`` (so ``"TWFE (bias -0.12)"``
finds the entry ``"TWFE (bias {})"`` and keeps its own number); a text of several lines is looked up line by
line. A text with no word of two or more Latin letters needs no translation.

* ``use_book_style(language="zh_CN")`` draws every figure in Chinese (the switch a reader sets);
* the book's executor sets ``DIDBOOK_FIGURE_LANGUAGES=zh_CN``: each figure is then drawn in English *and* in
  Chinese in the same run, the Chinese PNG kept in the output's metadata, so both editions show figures of
  the same numbers (``scripts/zh_edition.py`` swaps them in).

Examples
--------
>>> translate("TWFE (bias -0.12)", catalog={"TWFE (bias {})": "TWFE（偏差 {}）"})
'TWFE（偏差 -0.12）'
>>> translate("2015", catalog={}) is None  # nothing to translate: returned as is by translated_or_same
True
>>> template("year-7 interval: -0.5")
('year-{} interval: {}', ['7', '-0.5'])
>>> needs_translation("2015"), needs_translation("event time (years)")
(False, True)
"""

from __future__ import annotations

import base64
import logging
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl

__all__ = [
    "LANGUAGES",
    "catalog",
    "catalog_path",
    "figure_texts",
    "needs_translation",
    "png",
    "translate",
    "translated",
    "translated_or_same",
]

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
CATALOG_DIR = Path(__file__).parent / "locales"
METADATA_KEY = "didbook"  # output metadata: {"texts": [...], "png": {"zh_CN": base64}, "missing": {...}}
# a number, with its sign unless the sign is a hyphen after a word ("year-7": the number is 7)
_NUMBER = re.compile(r"(?:(?<![A-Za-z0-9])[-−+])?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
# A text with $math$ is drawn whole by mathtext, whose fonts have no Chinese: such texts use these in Chinese.
# (The bundled font has one weight and no italic: every math alphabet uses it, so no font lookup fails.)
_CJK_MATHTEXT = {"mathtext.fontset": "custom", "mathtext.fallback": "stixsans"}
_CJK_MATHTEXT.update({f"mathtext.{k}": "Noto Sans CJK SC" for k in ("rm", "it", "bf", "bfit", "sf", "cal")})


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r} is not one of the book's languages: {sorted(LANGUAGES)}")
    return language


def catalog_path(language: str) -> Path:
    """Where the catalog of ``language`` lives (inside the package)."""
    return CATALOG_DIR / _check_language(language) / "LC_MESSAGES" / "outputs.po"


@lru_cache(maxsize=None)
def _read_catalog(path: str, mtime: float) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        po = read_po(fh)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}


def catalog(language: str) -> dict[str, str]:
    """The translated, non-fuzzy entries of ``language``'s output catalog (empty for English)."""
    if _check_language(language) == "en":
        return {}
    path = catalog_path(language)
    if not path.exists():
        raise FileNotFoundError(f"no catalog for language={language!r}: expected {path}")
    return _read_catalog(str(path), path.stat().st_mtime)


def needs_translation(text: str) -> bool:
    """True if ``text`` has a word of two or more Latin letters."""
    return bool(_WORD.search(text or ""))


def template(text: str) -> tuple[str, list[str]]:
    """``text`` with its numbers replaced by ``{}``, and the numbers."""
    numbers = _NUMBER.findall(text)
    return _NUMBER.sub("{}", text), numbers


def translate(text: str, language: str = "zh_CN", *, catalog: dict | None = None) -> str | None:
    """The translation of ``text``, or None if it needs one and the catalog has none."""
    table = globals()["catalog"](language) if catalog is None else catalog
    if not needs_translation(text):
        return None
    if text in table:
        return table[text]
    stripped = text.strip()
    if stripped in table:
        return text.replace(stripped, table[stripped])
    tpl, numbers = template(text)
    if tpl in table and table[tpl].count("{}") == len(numbers):
        pieces = table[tpl].split("{}")  # not str.format: a text may hold other braces
        return pieces[0] + "".join(n + p for n, p in zip(numbers, pieces[1:]))
    if "\n" in text:
        lines = [translated_or_same(line, catalog=table) for line in text.split("\n")]
        if all(not needs_translation(a) or a != b for a, b in zip(text.split("\n"), lines)):
            return "\n".join(lines)
    return None


def translated_or_same(text: str, language: str = "zh_CN", *, catalog: dict | None = None) -> str:
    """The translation of ``text``, or ``text`` itself."""
    out = translate(text, language, catalog=catalog)
    return text if out is None else out


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and needs_translation(t.get_text())]


def _word_formatters(fig):
    """(axis, formatter) for every axis whose tick labels are words (categories, fixed or function labels)."""
    from matplotlib import ticker
    from matplotlib.category import StrCategoryFormatter

    kinds = (ticker.FixedFormatter, ticker.FuncFormatter, ticker.StrMethodFormatter, StrCategoryFormatter)
    out = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for getter in (axis.get_major_formatter, axis.get_minor_formatter):
                fmt = getter()
                if isinstance(fmt, kinds):
                    out.append((axis, getter is axis.get_major_formatter, fmt))
    return out


def figure_texts(fig) -> list[str]:
    """Every text of ``fig`` that needs translating (the figure is drawn first, so tick labels exist)."""
    fig.canvas.draw()
    seen = []
    for t in _texts(fig):
        text = t.get_text()
        if text not in seen:
            seen.append(text)
    return seen


@contextmanager
def translated(fig, language: str = "zh_CN"):
    """Within the block, ``fig``'s texts are in ``language``; yields the texts left untranslated."""
    from matplotlib import ticker

    table = catalog(language)
    missing: list[str] = []

    def tr(text):
        out = translate(text, language, catalog=table)
        if out is None:
            if needs_translation(text) and text not in missing:
                missing.append(text)
            return text
        return out

    swapped = []
    for axis, major, fmt in _word_formatters(fig):
        new = ticker.FuncFormatter(lambda x, pos, fmt=fmt: tr(fmt(x, pos)))
        (axis.set_major_formatter if major else axis.set_minor_formatter)(new)
        swapped.append((axis, major, fmt))
    fig.canvas.draw()
    originals = [(t, t.get_text(), t.get_math_fontfamily(), t.get_fontfamily()) for t in _texts(fig)]
    for t, text, _, _ in originals:
        new = tr(text)
        t.set_text(new)
        if "$" in new and _CJK.search(new):  # mathtext draws the whole text in one font: the CJK one
            t.set_math_fontfamily("custom")
            t.set_fontfamily(_CJK_MATHTEXT["mathtext.rm"])
    mathtext_log = logging.getLogger("matplotlib.mathtext")
    level = mathtext_log.level
    mathtext_log.setLevel(logging.WARNING)  # accents the CJK font lacks come from STIX: intended, not news
    try:
        with mpl.rc_context(_CJK_MATHTEXT):
            yield missing
    finally:
        mathtext_log.setLevel(level)
        for t, text, math_family, family in originals:
            t.set_text(text)
            t.set_math_fontfamily(math_family)
            t.set_fontfamily(family)
        for axis, major, fmt in swapped:
            (axis.set_major_formatter if major else axis.set_minor_formatter)(fmt)


def png(fig, language: str = "en", **kwargs) -> tuple[bytes, list[str]]:
    """``fig`` as PNG bytes drawn in ``language``, and the texts the catalog had no translation for."""
    from IPython.core.pylabtools import print_figure

    kwargs.setdefault("bbox_inches", "tight")
    if language == "en":
        return print_figure(fig, "png", **kwargs), []
    with translated(fig, language) as missing:
        data = print_figure(fig, "png", **kwargs)
    return data, missing


def _png_formatter(language: str, also: tuple[str, ...]):
    def formatter(fig):
        if not fig.axes and not fig.texts:
            return None
        data, missing = png(fig, language)
        meta = {"texts": figure_texts(fig)}
        if missing:
            meta["missing"] = {language: missing}
        pngs = {}
        for other in also:
            other_data, other_missing = png(fig, other)
            pngs[other] = base64.b64encode(other_data).decode("ascii")
            if other_missing:
                meta.setdefault("missing", {})[other] = other_missing
        if pngs:
            meta["png"] = pngs
        return data, {METADATA_KEY: meta}

    return formatter


def install_figure_languages(language: str = "en") -> None:
    """Draw the notebook's figures in ``language`` (and in every language of ``DIDBOOK_FIGURE_LANGUAGES``).

    Called by :func:`didbook.book.use_book_style`; does nothing outside IPython.
    """
    _check_language(language)
    also = tuple(
        _check_language(lang)
        for lang in os.environ.get("DIDBOOK_FIGURE_LANGUAGES", "").replace(",", " ").split()
        if lang != language
    )
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with matplotlib-inline's users
        return
    ip = get_ipython()
    if ip is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.close(plt.figure())  # load the inline backend first: loading it resets the PNG formatter of figures
    ip.display_formatter.formatters["image/png"].for_type(Figure, _png_formatter(language, also))


def swap_png(output: dict, language: str) -> bool:
    """Replace a notebook output's PNG by its ``language`` twin from the metadata; True if it had one."""
    meta = output.get("metadata", {}).get("image/png", {}).get(METADATA_KEY, {})
    twin = meta.get("png", {}).get(language)
    if twin is None:
        return False
    output["data"]["image/png"] = twin
    return True
