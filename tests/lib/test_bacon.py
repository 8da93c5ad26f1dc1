"""Tests for didbook.bacon_decomposition: a hand-computed 3-group example and the castle data.

Castle doctrine: in the ``causaldata`` copy of the Cheng-Hoekstra data, ``post`` is already binary
(1 from the adoption year ``effyear`` on), so it is the variable decomposed; its TWFE coefficient
is the Mixtape's 0.069398. The R ``bacondecomp`` vignette decomposes its *own* ``castle`` file,
whose treatment coding differs (its TWFE is 0.0818 and it is dominated by a 2006 cohort), so its
published components are not comparable with this file; what must hold here, and is tested, is that
the components add up to the TWFE coefficient of the same variable.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import didbook
from didbook import PanelDataError, bacon_decomposition


def _three_group_panel(seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """Early cohort (2 units, treated from t=3), late cohort (3 units, from t=5), never (4 units); T=6."""
    groups = {"k": (2, 3), "l": (3, 5), "U": (4, 0)}
    cohorts = [g for n, g in groups.values() for _ in range(n)]
    df = make_panel(
        units=9,
        periods=6,
        start=1,
        first_id=1,
        time="t",
        unit_cohorts=cohorts,
        controls=(),
        seed=seed,
        cluster_size=None,
        effect=1.0,
    )
    # heterogeneous, growing effects so that the 2x2s differ
    df["y"] += df["d"] * (0.5 * (df["t"] - df["cohort"]) + 0.7 * (df["cohort"] == 5))
    df["grp"] = df["cohort"].map({g: name for name, (_, g) in groups.items()})
    return df, groups


def _hand_decomposition(df: pd.DataFrame, groups: dict) -> dict:
    """Goodman-Bacon (2021), eqs. (10a)-(10c): 2x2 DIDs from cell means and weights from group shares."""
    T = 6
    m = df.groupby(["grp", "t"])["y"].mean().unstack()

    def avg(g, ts):
        return m.loc[g, list(ts)].mean()

    k, l = groups["k"][1], groups["l"][1]
    pre_k, post_k = range(1, k), range(k, T + 1)
    pre_l, post_l = range(1, l), range(l, T + 1)
    mid = range(k, l)
    b_kU = (avg("k", post_k) - avg("k", pre_k)) - (avg("U", post_k) - avg("U", pre_k))
    b_lU = (avg("l", post_l) - avg("l", pre_l)) - (avg("U", post_l) - avg("U", pre_l))
    b_kl = (avg("k", mid) - avg("k", pre_k)) - (avg("l", mid) - avg("l", pre_k))  # early treated, late as control
    b_lk = (avg("l", post_l) - avg("l", mid)) - (avg("k", post_l) - avg("k", mid))  # late treated, early as control
    N = sum(v[0] for v in groups.values())
    n = {g: v[0] / N for g, v in groups.items()}
    D = {"k": (T - k + 1) / T, "l": (T - l + 1) / T}
    s = {}
    for g in ("k", "l"):
        nr = n[g] / (n[g] + n["U"])
        s[(g, "U")] = (n[g] + n["U"]) ** 2 * nr * (1 - nr) * D[g] * (1 - D[g])
    nkl = n["k"] / (n["k"] + n["l"])
    s[("k", "l")] = (
        ((n["k"] + n["l"]) * (1 - D["l"])) ** 2
        * nkl
        * (1 - nkl)
        * (D["k"] - D["l"])
        / (1 - D["l"])
        * (1 - D["k"])
        / (1 - D["l"])
    )
    s[("l", "k")] = ((n["k"] + n["l"]) * D["k"]) ** 2 * nkl * (1 - nkl) * (D["l"] / D["k"]) * (D["k"] - D["l"]) / D["k"]
    tot = sum(s.values())
    w = {key: v / tot for key, v in s.items()}
    est = {("k", "U"): b_kU, ("l", "U"): b_lU, ("k", "l"): b_kl, ("l", "k"): b_lk}
    return {"w": w, "est": est}


def _twfe_by_hand(df: pd.DataFrame) -> float:
    """Two-way within transformation of y and d (balanced panel), then OLS slope."""

    def dm(x):
        return x - x.groupby(df["id"]).transform("mean") - x.groupby(df["t"]).transform("mean") + x.mean()

    yd, dd = dm(df["y"]), dm(df["d"].astype(float))
    return float((yd * dd).sum() / (dd * dd).sum())


def test_three_group_example_matches_hand_computation():
    df, groups = _three_group_panel()
    hand = _hand_decomposition(df, groups)
    res = bacon_decomposition(df, "y", "d", "id", "t")
    twfe = _twfe_by_hand(df)
    assert res.estimate == pytest.approx(twfe, abs=1e-10)
    # the hand decomposition itself adds up to TWFE (checks the formulas)
    assert sum(hand["w"][k] * hand["est"][k] for k in hand["w"]) == pytest.approx(twfe, abs=1e-10)
    comp = res.components.set_index(["treated", "control"])
    code = {"k": 3, "l": 5, "U": "never"}
    assert len(comp) == 4
    for (tr, co), w in hand["w"].items():
        row = comp.loc[(code[tr], code[co])]
        assert row["weight"] == pytest.approx(w, abs=1e-10), (tr, co)
        assert row["estimate"] == pytest.approx(hand["est"][(tr, co)], abs=1e-10), (tr, co)
    assert comp.loc[(5, 3), "type"] == "Later vs Earlier Treated"
    assert comp.loc[(3, 5), "type"] == "Earlier vs Later Treated"
    assert comp.loc[(3, "never"), "type"] == "Treated vs Never Treated"
    assert res.weighted_sum == pytest.approx(twfe, abs=1e-10)
    assert res.components["weight"].sum() == pytest.approx(1.0, abs=1e-12)


def test_castle_components_sum_to_twfe():
    castle = didbook.load_dataset("castle").data
    # post is binary here and equals 1{year >= effyear}
    assert set(castle["post"].unique()) == {0, 1}
    assert (castle["post"] == ((castle["year"] >= castle["effyear"]) & castle["effyear"].notna())).all()
    res = bacon_decomposition(castle, "l_homicide", "post", "sid", "year")
    assert res.estimate == pytest.approx(0.069398, abs=5e-7)  # Mixtape ch. 9, state + year FE
    assert res.weighted_sum == pytest.approx(res.estimate, abs=1e-10)
    tw = didbook.twfe(castle, "l_homicide", "post", "sid", "year")
    assert tw.estimate == pytest.approx(res.estimate, abs=1e-10)
    by = res.by_type.set_index("type")
    assert set(by.index) == {"Treated vs Never Treated", "Earlier vs Later Treated", "Later vs Earlier Treated"}
    assert by["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert by.loc["Treated vs Never Treated", "weight"] > 0.85  # 29 never-treated states dominate
    assert len(res.components) == 5 + 2 * 10  # 5 cohorts vs never, 10 cohort pairs x 2 directions


def test_castle_fractional_treatment_is_refused():
    castle = didbook.load_dataset("castle").data.copy()
    castle["post_share"] = castle["post"].astype(float)
    castle.loc[castle["year"] == castle["effyear"], "post_share"] = 0.5
    with pytest.raises(PanelDataError, match="binary"):
        bacon_decomposition(castle, "l_homicide", "post_share", "sid", "year")


def test_plot_and_summary():
    import matplotlib.pyplot as plt

    df, _ = _three_group_panel()
    res = bacon_decomposition(df, "y", "d", "id", "t")
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    plt.close("all")
    assert "TWFE estimate" in res.summary()
    assert list(res.tidy().columns)[:6] == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]


@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda d: d.drop(columns="y"), "missing column"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "duplicated"),
        (lambda d: d.assign(y=d["y"].where(d.index != 2)), "missing value"),
        (lambda d: d.assign(d=np.where((d.id == 1) & (d.t == 6), 0, d["d"])), "switches off"),
        (lambda d: d.drop(index=[4]), "unbalanced"),
        (lambda d: d.assign(d=0), "never switches on"),
    ],
)
def test_bad_input(mutate, match):
    df, _ = _three_group_panel()
    with pytest.raises(PanelDataError, match=match):
        bacon_decomposition(mutate(df), "y", "d", "id", "t")


def test_column_names_with_spaces_dots_cjk_and_digits():
    """Formula-unsafe column names: same decomposition as with plain names."""
    import didbook

    d = didbook.simulate_city_panel(seed=2024).data[["city_id", "year", "platform_treated", "income_gap"]]
    plain = didbook.bacon_decomposition(d, "income_gap", "platform_treated", "city_id", "year")
    odd = d.rename(
        columns={"city_id": "county name", "year": "年份", "platform_treated": "1.treated", "income_gap": "gap."}
    )
    got = didbook.bacon_decomposition(odd, "gap.", "1.treated", "county name", "年份")
    assert got.estimate == pytest.approx(plain.estimate, abs=1e-12)
