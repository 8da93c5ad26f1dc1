"""didbook.translation: figure text and glued words in Chinese, from the output catalog."""

from __future__ import annotations

import base64
import logging

import matplotlib
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402

import didbook.translation as tr  # noqa: E402
from didbook.plotting import use_book_style  # noqa: E402

CATALOG = {
    "event time (years)": "事件时间（年）",
    "relative magnitude $\\bar M$ (pp)": "相对幅度 $\\bar M$（百分点）",
    "launch {}": "{} 年开通",
    "TWFE": "TWFE",
    "never": "从未",
}


@pytest.fixture
def catalog(monkeypatch):
    monkeypatch.setattr(tr, "catalog", lambda language: {} if language == "en" else CATALOG)
    use_book_style()
    yield CATALOG
    plt.close("all")


def test_lookup_whole_then_with_numbers_then_line_by_line():
    assert tr.translate("launch 2016", catalog=CATALOG) == "2016 年开通"
    assert tr.translate("never\nlaunch 2015", catalog=CATALOG) == "从未\n2015 年开通"
    assert tr.translate("no such label", catalog=CATALOG) is None
    assert tr.translate("-0.25", catalog=CATALOG) is None and tr.translated_or_same("-0.25", catalog=CATALOG) == "-0.25"
    assert tr.template("tier 1-2, year-7: -0.5") == ("tier {}-{}, year-{}: {}", ["1", "2", "7", "-0.5"])


def test_unknown_language_is_refused_by_name():
    with pytest.raises(ValueError, match="language='fr'"):
        tr.catalog("fr")


def test_the_shipped_catalog_is_read_and_complete_enough_to_use():
    table = tr.catalog("zh_CN")
    assert len(table) > 100 and all(v.strip() for v in table.values())


def test_a_figure_is_drawn_in_chinese_and_given_back_in_english(catalog, caplog):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="launch 2016")
    ax.plot([0, 1], [1, 0], label="not in the catalog")
    ax.set_xlabel("event time (years)")
    ax.set_ylabel("relative magnitude $\\bar M$ (pp)")
    ax.legend()
    with caplog.at_level(logging.INFO):
        zh, missing = tr.png(fig, "zh_CN")
        with tr.translated(fig, "zh_CN"):
            assert ax.get_xlabel() == "事件时间（年）"
            assert ax.get_legend().get_texts()[0].get_text() == "2016 年开通"
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")], "nothing to stderr"
    assert missing == ["not in the catalog"]
    assert ax.get_xlabel() == "event time (years)" and ax.yaxis.label.get_math_fontfamily() != "custom"
    en, none = tr.png(fig, "en")
    assert none == [] and en != zh and zh[:4] == b"\x89PNG"


def test_the_chinese_twin_rides_in_the_output_metadata_and_is_swapped_in():
    output = {
        "data": {"image/png": "ENGLISH"},
        "metadata": {"image/png": {tr.METADATA_KEY: {"png": {"zh_CN": base64.b64encode(b"zh").decode()}}}},
    }
    assert tr.swap_png(output, "zh_CN") and output["data"]["image/png"] == base64.b64encode(b"zh").decode()
    assert not tr.swap_png({"data": {"image/png": "x"}, "metadata": {}}, "zh_CN")
