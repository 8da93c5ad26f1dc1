"""Regenerate the book's subset CJK web font and its stylesheet (offline; no CDN).

The rendered pages must show Chinese text (indicator names, the papers' terms, table headers) on a machine
without any CJK font. We ship a *subset* of Noto Sans CJK SC (from the ``mplfonts`` wheel that the figures
already use) that contains only the CJK characters the book's sources use, plus common CJK punctuation.

Run it again whenever a chapter adds new Chinese characters (``tests/chapters/test_conventions.py`` fails and says so):

    .venv/bin/python scripts/make_cjk_font.py

Writes ``book/_static/fonts/noto-sans-cjk-sc-subset.woff2`` (or ``.woff`` when ``brotli`` is not
installed) and ``book/_static/cjk.css``, which ``_config.yml`` loads through ``html_css_files``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "book" / "_static"
FONT_DIR = STATIC / "fonts"
FONT_STEM = "noto-sans-cjk-sc-subset"
CSS = STATIC / "cjk.css"
FAMILY = "Book CJK SC"

# CJK blocks the web font is used for (CSS unicode-range). Latin text never touches the font.
CJK_RANGES = [
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and full-width forms (，：（）etc.)
]
# Common punctuation of Chinese text, kept even if no source uses it yet.
COMMON_PUNCTUATION = "，。、；：？！（）《》〈〉【】「」『』〔〕〖〗～·－—…％＋＝／"


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def source_files(root: Path = ROOT) -> list[Path]:
    """Every file whose text can reach a rendered page."""
    files = list((root / "book").rglob("*.md")) + list((root / "book").rglob("*.bib"))
    files += list((root / "notebooks").glob("*.ipynb"))
    files += list((root / "notebooks").glob("*.md"))
    files += list((root / "lib" / "didbook").rglob("*.py"))
    files += list((root / "lib" / "didbook").rglob("*.po"))
    files += list((root / "locales").rglob("*.po"))  # the Chinese edition's prose
    files += list((root / "data").glob("*.csv"))
    files += [root / "_toc.yml", root / "_config.yml"]
    skip = {"_build", ".ipynb_checkpoints", "_static"}
    return sorted(p for p in files if p.exists() and not skip & set(p.parts))


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="ignore")
    if path.suffix == ".ipynb":  # sources only: stored outputs (if any) are regenerated on build
        cells = json.loads(text).get("cells", [])
        return "\n".join("".join(c.get("source", "")) for c in cells)
    return text


# The Chinese edition's interface (search box, "Contents", exercise and solution labels...) is translated by
# the installed Sphinx, theme and extensions: the strings of their Chinese catalogs.
THEME_CATALOGS = [
    ("sphinx", "locale/zh_CN/LC_MESSAGES/sphinx.po"),
    ("pydata_sphinx_theme", "locale/zh/LC_MESSAGES/sphinx.po"),
    ("sphinx_exercise", "translations/locales/zh_CN/LC_MESSAGES/exercise.po"),
    ("sphinx_togglebutton", "translations/locales/zh-cn/LC_MESSAGES/togglebutton.po"),
]


def theme_catalogs() -> list[tuple[str, Path]]:
    """The installed packages' Chinese interface catalogs (an error if one the book relies on is gone)."""
    import importlib.util

    found = []
    for package, rel in THEME_CATALOGS:
        spec = importlib.util.find_spec(package)
        path = Path(spec.origin).parent / rel
        if not path.exists():
            raise FileNotFoundError(f"{package}'s Chinese catalog is not at {path}: update THEME_CATALOGS")
        found.append((package, path))
    return found


def _translations(path: Path) -> str:
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return "\n".join(m.string if isinstance(m.string, str) else "".join(m.string) for m in read_po(fh))


def used_cjk_characters(root: Path = ROOT) -> dict[str, list[str]]:
    """CJK character -> the source files (relative paths, or package catalogs) that use it."""
    found: dict[str, list[str]] = {}
    texts = [(str(p.relative_to(root)), _text(p)) for p in source_files(root)]
    texts += [(f"{package}: {path.name}", _translations(path)) for package, path in theme_catalogs()]
    for name, text in texts:
        for ch in set(text):
            if is_cjk(ch):
                found.setdefault(ch, []).append(name)
    return found


def font_file() -> Path:
    """The committed subset font (whichever flavour was written)."""
    for suffix in (".woff2", ".woff"):
        path = FONT_DIR / (FONT_STEM + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"no subset font in {FONT_DIR}: run scripts/make_cjk_font.py")


def _source_font() -> Path:
    sys.path.insert(0, str(ROOT / "lib"))
    from didbook.plotting import cjk_font_path

    return cjk_font_path()


def _unicode_range() -> str:
    return ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in CJK_RANGES)


def build() -> Path:
    from fontTools import subset

    try:
        import brotli  # noqa: F401

        flavor = "woff2"
    except ImportError:
        flavor = "woff"
    chars = sorted(set(used_cjk_characters()) | set(COMMON_PUNCTUATION))
    options = subset.Options()
    options.flavor = flavor
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    font = subset.load_font(str(_source_font()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    for old in FONT_DIR.glob(FONT_STEM + ".*"):
        old.unlink()
    out = FONT_DIR / f"{FONT_STEM}.{flavor}"
    subset.save_font(font, str(out), options)

    CSS.write_text(
        f"""/* Generated by scripts/make_cjk_font.py: do not edit by hand.
   Chinese text renders with a bundled subset of Noto Sans CJK SC (SIL Open Font License),
   so no system CJK font and no network access are needed. */
@font-face {{
  font-family: "{FAMILY}";
  src: url("fonts/{out.name}") format("{flavor}");
  font-weight: 100 900;
  font-style: normal;
  font-display: swap;
  unicode-range: {_unicode_range()};
}}

:root {{
  --pst-font-family-base: "{FAMILY}", var(--pst-font-family-base-system);
  --pst-font-family-heading: "{FAMILY}", var(--pst-font-family-base-system);
  --pst-font-family-monospace: var(--pst-font-family-monospace-system), "{FAMILY}";
}}

body, table, .dataframe, th, td, figcaption {{
  font-family: "{FAMILY}", var(--pst-font-family-base-system, sans-serif);
}}

pre, code, kbd, samp, .highlight pre, div.output pre {{
  font-family: var(--pst-font-family-monospace-system, monospace), "{FAMILY}";
}}
""",
        encoding="utf-8",
    )
    return out


def main() -> None:
    out = build()
    n = len(set(used_cjk_characters()) | set(COMMON_PUNCTUATION))
    print(
        f"wrote {out.relative_to(ROOT)} ({out.stat().st_size / 1024:.0f} KiB, {n} characters) and {CSS.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
