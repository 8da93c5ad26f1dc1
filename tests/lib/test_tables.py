"""regression_table: cells, stars, rows for controls/FE, and the three renderings."""

from __future__ import annotations

import pytest

import didbook


@pytest.fixture(scope="module")
def fits():
    df = didbook.load_dataset("castle").data
    f1 = didbook.twfe(df, "l_homicide", "post", "sid", "year", treatment_type="share")
    f2 = didbook.twfe(
        df,
        "l_homicide",
        "post",
        "sid",
        "year",
        controls=["l_police", "unemployrt"],
        treatment_type="share",
        weights="popwt",
        unit_trends=True,
    )
    f3 = didbook.twfe(df, "l_larceny", "post", "sid", "year", treatment_type="share")
    return f1, f2, f3


def stars_for(p):
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def test_cells_stars_and_rows(fits):
    tab = didbook.regression_table(fits, names=["Homicide", "Homicide (full)", "Larceny"])
    fr = tab.frame
    assert list(fr.columns) == ["Homicide", "Homicide (full)", "Larceny"]
    for j, f in enumerate(fits):
        assert fr.loc["post"].iloc[j] == f"{f.estimate:.4f}" + stars_for(f.p_value)
        assert fr.iloc[1, j] == f"({f.std_error:.4f})"
        assert fr.loc["N"].iloc[j] == "550"
        assert fr.loc["Within R²"].iloc[j] == f"{f.r2_within:.4f}"
    assert fr.loc["Controls"].tolist() == ["No", "Yes", "No"]
    assert fr.loc["Unit FE"].tolist() == ["Yes"] * 3 and fr.loc["Year FE"].tolist() == ["Yes"] * 3
    assert fr.loc["Unit trends"].tolist() == ["No", "Yes", "No"]
    assert fr.loc["Weights"].tolist() == ["No", "popwt", "No"]
    assert fr.loc["Clusters"].tolist() == ["50"] * 3
    assert fr.index[1] == ""  # the SE row sits under the coefficient, unlabelled


def test_stars_thresholds_and_keep(fits):
    f1, f2, _ = fits
    tab = didbook.regression_table([f2], keep=["post", "l_police"], stars=(0.5, 0.2, 0.1), fmt="{:.3f}")
    row = f2.tidy().set_index("term").loc["l_police"]
    expected = sum(row["p_value"] < s for s in (0.5, 0.2, 0.1))
    assert tab.frame.loc["l_police"].iloc[0] == f"{row['estimate']:.3f}" + "*" * expected
    with pytest.raises(KeyError, match="nope"):
        didbook.regression_table([f1], keep=["nope"])


def test_extra_fixed_effect_row():
    df = didbook.load_dataset("castle").data.assign(region=lambda d: d["sid"] % 4)
    a = didbook.twfe(df, "l_homicide", "post", "sid", "year", treatment_type="share")
    b = didbook.twfe(df, "l_homicide", "post", "sid", "year", fixed_effects=["region^year"], treatment_type="share")
    fr = didbook.regression_table([a, b]).frame
    assert fr.loc["region x year FE"].tolist() == ["No", "Yes"]


def test_renderings(fits):
    tab = didbook.regression_table(fits[:2], labels={"post": "Castle law"})
    md = tab.to_markdown()
    assert md.splitlines()[0] == "|  | (1) | (2) |"
    assert "| Castle law |" in md and "Standard errors in parentheses" in md
    html = tab.to_html()
    assert html.startswith("<table") and "<th style='text-align:left'>Castle law</th>" in html
    assert tab._repr_html_() == html
    tex = tab.to_latex()
    assert tex.startswith(r"\begin{tabular}{lcc}") and r"\toprule" in tex and r"\bottomrule" in tex
    assert "Within R$^2$" in tex and tex.rstrip().endswith(r"\end{tabular}")
