"""Figures render Chinese labels with the bundled font, whatever fonts the system has."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import didbook  # noqa: E402
from didbook.plotting import CJK_FONT_NAME, cjk_font_path  # noqa: E402


def test_bundled_cjk_font_ships_with_the_packages():
    assert cjk_font_path().stat().st_size > 1_000_000


def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    didbook.book.use_book_style()
    assert CJK_FONT_NAME in matplotlib.rcParams["font.family"]
    fig, ax = plt.subplots()
    ax.set_title("城乡基本公共服务均等化 (equalization)")
    ax.set_xlabel("年份 year")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" otherwise
        fig.savefig(tmp_path / "cjk.png")
    plt.close(fig)
    assert (tmp_path / "cjk.png").stat().st_size > 1000
