"""The codebook of the simulated city panel and the shipped data files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..indices import PUBLIC_SERVICE_DIMENSIONS, public_service_indicators
from ._config import GRID_END, GRID_START

#: The ten public-service indicators of paper 1 (each has ``_urban`` and ``_rural`` columns), in
#: the order of :data:`didbook.PUBLIC_SERVICE_DIMENSIONS`, which defines them (names included).
INDICATORS: tuple[str, ...] = tuple(k for ks in PUBLIC_SERVICE_DIMENSIONS.values() for k in ks)

# Units of the indicators; all others are per 10,000 residents.
_IND_UNIT = {
    "education_spending": ("per resident", "yuan per capita"),
    "library_books": ("per 10,000 residents", "volumes per 10,000 persons"),
}

#: Float format used for the shipped CSV (byte-reproducible).
CSV_FLOAT_FORMAT = "%.6g"


def _codebook_rows() -> list[tuple]:
    rows: list[tuple] = [
        ("city_id", "synthetic city identifier (not a real city)", "-", "城市代码（虚构）", "str", None, None),
        ("province_id", "synthetic province identifier", "-", "省份代码（虚构）", "str", None, None),
        ("region", "macro region: east, central or west", "-", "东中西部地区", "str", None, None),
        ("year", "calendar year", "year", "年份", "int", GRID_START, GRID_END),
        (
            "population",
            "registered population (held fixed at its 2011 value)",
            "10,000 persons",
            "户籍人口",
            "float",
            30,
            4000,
        ),
        (
            "size_class",
            "city size class from population: large >= 500, medium 250-500, small < 250 (10,000 persons)",
            "-",
            "城市规模（大/中/小）",
            "str",
            None,
            None,
        ),
        (
            "admin_tier",
            "administrative tier, 1 = provincial capital (highest) ... 5 = lowest",
            "tier 1-5",
            "城市行政等级",
            "int",
            1,
            5,
        ),
        ("ruggedness", "terrain relief degree (geographic endowment)", "index (>= 0)", "地形起伏度", "float", 0, 15),
        (
            "clan_strength",
            "clan-culture strength: genealogies per 10,000 residents (informal institutions)",
            "per 10,000 persons",
            "宗族文化强度（族谱数量）",
            "float",
            0,
            60,
        ),
        ("grassroots_capacity", "grassroots-governance capacity score", "score 0-100", "基层治理能力", "float", 0, 100),
        ("log_gdp_pc", "log of GDP per capita", "log yuan", "人均GDP（对数）", "float", 8.5, 13.0),
        ("fiscal_exp_gdp", "general public budget expenditure / GDP", "ratio", "财政支出占GDP比重", "float", 0, 1),
        ("fiscal_rev_gdp", "general public budget revenue / GDP", "ratio", "财政收入占GDP比重", "float", 0, 1),
        (
            "log_internet_users",
            "log of broadband internet users",
            "log 10,000 users",
            "互联网用户数（对数）",
            "float",
            -2,
            10,
        ),
        ("tertiary_share", "tertiary-industry value added / GDP", "ratio", "第三产业占比", "float", 0, 1),
        ("digitalization", "digitalization level", "index 0-1", "数字化水平", "float", 0, 1),
        ("economic_vitality", "economic vitality", "index 0-1", "经济活力", "float", 0, 1),
        ("market_integration", "market integration", "index 0-1", "市场一体化程度", "float", 0, 1),
        ("digital_economy", "digital-economy development", "index 0-1", "数字经济发展指数", "float", 0, 1),
        (
            "dg_treated",
            "digital-government policy city in force this year (treatment 1)",
            "0/1",
            "数字政府政策试点（处理变量）",
            "int",
            0,
            1,
        ),
        (
            "dg_cohort",
            "first year of the digital-government policy (0 = not treated within the window)",
            "year",
            "数字政府政策实施年份",
            "int",
            0,
            GRID_END,
        ),
        (
            "platform_treated",
            "integrated government-service platform launched in the province (treatment 2)",
            "0/1",
            "一体化政务服务平台上线（处理变量）",
            "int",
            0,
            1,
        ),
        (
            "platform_cohort",
            "province's platform launch year (0 = not launched within the window)",
            "year",
            "一体化政务服务平台上线年份",
            "int",
            0,
            GRID_END,
        ),
        ("smart_city", "smart-city pilot in force this year (concurrent policy)", "0/1", "智慧城市试点", "int", 0, 1),
        (
            "smart_city_cohort",
            "first year of the smart-city pilot (0 = not treated within the window)",
            "year",
            "智慧城市试点年份",
            "int",
            0,
            GRID_END,
        ),
    ]
    names = public_service_indicators().set_index("indicator")
    for k in INDICATORS:
        per, unit = _IND_UNIT.get(k, ("per 10,000 residents", "per 10,000 persons"))
        meaning, zh = f"{names.loc[k, 'english']} {per}", names.loc[k, "chinese"]
        rows.append((f"{k}_urban", f"{meaning}, urban districts", unit, f"{zh}（市辖区）", "float", 0, 1e6))
        rows.append((f"{k}_rural", f"{meaning}, rural areas (counties)", unit, f"{zh}（农村/县域）", "float", 0, 1e6))
    rows += [
        ("urban_population", "urban resident population", "10,000 persons", "城镇人口", "float", 0, 4000),
        ("rural_population", "rural resident population", "10,000 persons", "农村人口", "float", 0, 4000),
        (
            "urban_income",
            "per-capita disposable income of urban residents",
            "yuan per capita",
            "城镇居民人均可支配收入",
            "float",
            3000,
            300000,
        ),
        (
            "rural_income",
            "per-capita disposable income of rural residents",
            "yuan per capita",
            "农村居民人均可支配收入",
            "float",
            500,
            200000,
        ),
        (
            "rural_wage_income",
            "rural per-capita wage income",
            "yuan per capita",
            "农村居民工资性收入",
            "float",
            0,
            200000,
        ),
        (
            "rural_operating_income",
            "rural per-capita net operating income",
            "yuan per capita",
            "农村居民经营净收入",
            "float",
            0,
            200000,
        ),
        (
            "rural_property_income",
            "rural per-capita net property income",
            "yuan per capita",
            "农村居民财产净收入",
            "float",
            0,
            200000,
        ),
        (
            "rural_transfer_income",
            "rural per-capita net transfer income",
            "yuan per capita",
            "农村居民转移净收入",
            "float",
            0,
            200000,
        ),
        (
            "income_ratio",
            "urban-rural income ratio: urban_income / rural_income",
            "ratio",
            "城乡收入比",
            "float",
            1,
            10,
        ),
        (
            "income_gap",
            "urban-rural income gap: 100 * (urban_income - rural_income) / urban_income (paper-2 outcome)",
            "percentage points",
            "城乡收入差距",
            "float",
            0,
            100,
        ),
        (
            "income_theil",
            "urban-rural Theil index of income (population-weighted, two groups)",
            "index",
            "城乡收入泰尔指数",
            "float",
            0,
            2,
        ),
        (
            "service_efficiency",
            "rural government-service efficiency score (mechanism)",
            "score 0-100",
            "农村政务服务效率",
            "float",
            0,
            100,
        ),
        (
            "entrepreneurship",
            "rural entrepreneurship: new market entities per 10,000 rural residents (mechanism)",
            "per 10,000 persons",
            "农村创业活跃度（新增市场主体）",
            "float",
            0,
            2000,
        ),
        (
            "digital_infrastructure",
            "digital-infrastructure index (mechanism; 2011 mean about 25)",
            "index",
            "数字基础设施",
            "float",
            0,
            150,
        ),
        (
            "equalization",
            "public-service equalization (paper-1 outcome): rural / urban value of the "
            "entropy-weighted composite index of the ten indicators, urban and rural values min-max normalized on "
            "one pooled scale (didbook.equalization_index with its defaults, fitted on this panel; 1 = parity)",
            "ratio of index values",
            "基本公共服务均等化水平（熵值法指数，农村/城市）",
            "float",
            0,
            3,
        ),
    ]
    return rows


def city_panel_codebook() -> pd.DataFrame:
    """The codebook of the simulated city panel: one row per column of ``CityPanel.data``.

    Returns
    -------
    pandas.DataFrame
        Columns ``column, meaning, unit, chinese, dtype, min, max``; ``dtype`` is ``str``,
        ``int`` or ``float``; ``min``/``max`` are the admissible range (NaN for strings).

    Examples
    --------
    >>> cb = city_panel_codebook()
    >>> cb.set_index("column").loc["income_gap", "unit"]
    'percentage points'
    """
    cb = pd.DataFrame(_codebook_rows(), columns=["column", "meaning", "unit", "chinese", "dtype", "min", "max"])
    cb["min"] = cb["min"].astype(float)
    cb["max"] = cb["max"].astype(float)
    return cb


def _default_data_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "data"


def load_city_panel(path: str | Path | None = None) -> pd.DataFrame:
    """Read the shipped default panel ``data/city_panel.csv`` with its dtypes restored.

    The file is ``simulate_city_panel().data`` (seed 2024, baseline, 2011-2022) written with
    six significant digits; use :func:`simulate_city_panel` when you need the truth.

    Parameters
    ----------
    path : str or Path, optional
        CSV file; defaults to ``data/city_panel.csv`` at the repository root.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        If the file does not exist (run ``make data`` or ``python scripts/make_data.py``).

    Examples
    --------
    >>> df = load_city_panel()  # doctest: +SKIP
    >>> df.dtypes["year"]  # doctest: +SKIP
    dtype('int64')
    """
    p = Path(path) if path is not None else _default_data_dir() / "city_panel.csv"
    if not p.exists():
        raise FileNotFoundError(
            f"{p} not found; generate it with `make data` (or `python scripts/make_data.py`) from the repository root"
        )
    cb = city_panel_codebook()
    dtypes = {r.column: {"str": "str", "int": "int64", "float": "float64"}[r.dtype] for r in cb.itertuples()}
    return pd.read_csv(p, dtype=dtypes, encoding="utf-8")


def city_panel_files(panel=None) -> dict[str, bytes]:
    """The shipped data files as bytes: ``city_panel.csv``, its codebook and checksums.

    ``scripts/make_data.py`` writes these to ``data/``; the tests regenerate them and compare
    byte for byte.

    Parameters
    ----------
    panel : CityPanel, optional
        Defaults to ``simulate_city_panel()`` (seed 2024, baseline, 2011-2022).

    Returns
    -------
    dict
        File name -> content (UTF-8, ``\\n`` line endings).

    Examples
    --------
    >>> files = city_panel_files()
    >>> sorted(files)
    ['city_panel.csv', 'city_panel.sha256', 'city_panel_codebook.csv']
    """
    if panel is None:
        from . import simulate_city_panel

        panel = simulate_city_panel()
    csv = panel.data.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n").encode("utf-8")
    cb = panel.codebook.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8")
    sums = "".join(
        f"{hashlib.sha256(b).hexdigest()}  {name}\n"
        for name, b in (("city_panel.csv", csv), ("city_panel_codebook.csv", cb))
    )
    return {"city_panel.csv": csv, "city_panel_codebook.csv": cb, "city_panel.sha256": sums.encode("utf-8")}
