"""The book's figure style, with a bundled CJK font so Chinese labels always render.

The font file (Noto Sans CJK SC) ships inside the ``mplfonts`` pip package, so no system
font is needed: :func:`use_book_style` registers it with matplotlib by path.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["use_book_style", "cjk_font_path", "CJK_FONT_NAME", "null_histogram"]

CJK_FONT_NAME = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font (raises FileNotFoundError if missing)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise FileNotFoundError(f"bundled CJK font not found at {path}; reinstall mplfonts")
    return path


def use_book_style(language: str | None = None) -> None:
    """Apply the book's seaborn/matplotlib style and make Chinese characters render.

    ``language`` (default: the ``DIDBOOK_LANGUAGE`` environment variable, else ``"en"``) is the book's one
    language switch for figures: ``"zh_CN"`` draws every figure's labels, legends and titles in Chinese from
    the catalog in :mod:`didbook.translation`.

    Examples
    --------
    >>> use_book_style()
    >>> import matplotlib as mpl
    >>> "Noto Sans CJK SC" in mpl.rcParams["font.family"]
    True
    """
    import seaborn as sns

    font_manager.fontManager.addfont(str(cjk_font_path()))
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    mpl.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT_NAME]
    mpl.rcParams["font.sans-serif"] = ["DejaVu Sans", CJK_FONT_NAME]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.dpi"] = 110
    mpl.rcParams["savefig.dpi"] = 110
    mpl.rcParams["figure.figsize"] = (7.0, 4.0)
    from .translation import install_figure_languages

    install_figure_languages(language or os.environ.get("DIDBOOK_LANGUAGE", "en"))


def null_histogram(
    draws,
    observed: float,
    *,
    ax=None,
    bins: int = 50,
    draws_label: str = "draws",
    observed_label: str = "observed",
    xlabel: str = "",
):
    """Histogram of a simulated null distribution with the observed statistic (and its mirror) marked.

    Shared by the placebo (randomization-inference) and wild-bootstrap results. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(draws, bins=bins, color="0.7", edgecolor="white", label=draws_label)
    ax.axvline(observed, color="C3", lw=2, label=observed_label)
    ax.axvline(-observed, color="C3", lw=1, ls=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.legend(frameon=False)
    return ax
