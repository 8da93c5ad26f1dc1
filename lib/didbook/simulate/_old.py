"""The simulated Chinese city panel: a city-year panel with known true effects.

The numbers are **simulated**. They imitate the look of Chinese prefecture-level city
statistics (magnitudes anchored to national statistical-yearbook figures, see
:data:`ANCHORS`) but they are not observations of any real city: cities and provinces carry
synthetic identifiers (``C001``, ``P01``). Because the data are generated, every potential
outcome is known, so the true average treatment effects are returned next to the data
(:class:`Truth`) and every estimator in the book can be checked against them.

Three policies are simulated:

``dg``
    Digital-government policy cities (paper 1), designated in waves (2014, 2016, 2018).
    Bigger, richer and more digital cities are more likely to be chosen (selection on
    observables). Outcome: public-service equalization (``equalization``, the entropy-weighted
    rural/urban index of :func:`didbook.equalization_index` built from the ten urban/rural
    indicators, which are in the panel too).
``platform``
    Integrated government-service platform launches (paper 2), staggered by province
    between 2015 and 2020; some provinces never launch within the window. Outcome: the
    urban-rural income gap (``income_gap``), via service efficiency -> entrepreneurship ->
    rural operating and wage income.
``smart_city``
    A concurrent smart-city pilot (2013, 2015 waves), more likely in digital-government
    cities, that also raises rural public services and digital infrastructure, so
    "excluding other policies" changes the paper-1 answer.

The design is described in full in the book chapter *The simulated city panel*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "SCENARIOS",
    "SWITCHES",
    "TREATMENTS",
    "INDICATORS",
    "ANCHORS",
    "CityPanel",
    "Truth",
    "simulate_city_panel",
    "load_city_panel",
    "city_panel_codebook",
    "city_panel_files",
]

# ----------------------------------------------------------------------------------------
# Constants
# ----------------------------------------------------------------------------------------

#: Scenario name -> the switch values it sets (anything not listed keeps its default).
SCENARIOS: dict[str, dict] = {
    "baseline": {},
    "homogeneous": {"homogeneous": True},
    "pt_violation": {"pt_violation": True},
    "anticipation": {"anticipation": 1},
    "unbalanced": {"missing_share": 0.08},
    "all_treated": {"all_treated": True},
}

#: Keyword switches accepted by :func:`simulate_city_panel` and their defaults.
SWITCHES: dict[str, object] = {
    "homogeneous": False,  # constant effects, no dynamics, no cohort differences
    "pt_violation": False,  # ever-treated units trend differently without treatment
    "anticipation": 0,  # years before adoption in which effects already start
    "missing_share": 0.0,  # share of city-years dropped completely at random
    "all_treated": False,  # every province launches the platform by 2020
    "effect_scale": 1.0,  # multiplies every treatment effect (0 = no effects)
    "noise_scale": 1.0,  # multiplies the idiosyncratic noise
}

#: Treatment name -> (0/1 column, first-treated-year column; 0 = never within the window).
TREATMENTS: dict[str, tuple[str, str]] = {
    "dg": ("dg_treated", "dg_cohort"),
    "platform": ("platform_treated", "platform_cohort"),
    "smart_city": ("smart_city", "smart_city_cohort"),
}

#: The ten public-service indicators of paper 1 (each has ``_urban`` and ``_rural`` columns).
INDICATORS: tuple[str, ...] = (
    "primary_schools",
    "primary_pupils",
    "teachers",
    "education_spending",
    "health_institutions",
    "hospital_beds",
    "physicians",
    "pension_enrollees",
    "medical_enrollees",
    "library_books",
)

#: Real-world magnitudes the simulation is calibrated to (national figures, NBS yearbooks).
ANCHORS: dict[str, str] = {
    "urban-rural income ratio": "3.13 in 2011 (old rural net-income concept), 2.81 in 2013 (first year of the "
    "unified household survey), 2.56 in 2020, 2.45 in 2022 (NBS, China Statistical Yearbook)",
    "urbanization rate": "51.3% of residents urban in 2011, 65.2% in 2022 (NBS)",
    "per-capita disposable income": "urban 21,810 yuan in 2011 and 49,283 in 2022; rural 20,133 in 2022 (NBS)",
    "rural income structure": "2022: wages 42%, operating 35%, property 2.5%, transfers 21% of rural "
    "disposable income; 2013: 39%, 42%, 2%, 17% (NBS)",
    "GDP per capita": "about 36,000 yuan in 2011 and 86,000 in 2022 (national; prefecture cities vary 4-fold)",
    "tertiary share": "tertiary industry about 44% of GDP in 2011 and 53% in 2022 (NBS)",
    "hospital beds": "about 38 beds in medical and health institutions per 10,000 people in 2011 and 69 in 2022 "
    "(National Health Commission)",
    "licensed physicians": "about 18 per 10,000 people in 2011 and 32 in 2022 (National Health Commission)",
    "library books": "about 0.5 public-library books per person in 2011 and 0.9 in 2022 (Ministry of Culture)",
}

# Internal calendar: all random draws are made on this fixed grid and then sliced, so a
# panel for 2011-2020 is exactly the 2011-2022 panel restricted to those years.
_GRID_START, _GRID_END = 2005, 2025
_START_RANGE = (2005, 2012)
_END_RANGE = (2016, 2025)

# Platform (paper 2): share of provinces per launch year; the rest never launch.
_PLATFORM_WAVES = {2015: 0.13, 2016: 0.17, 2017: 0.20, 2018: 0.17, 2019: 0.13, 2020: 0.07}
_PLATFORM_WAVES_ALL = {2015: 0.13, 2016: 0.17, 2017: 0.20, 2018: 0.17, 2019: 0.13, 2020: 0.20}
_DG_WAVES = (2014, 2016, 2018)
_SMART_WAVES = (2013, 2015)
# Size of the platform effect at event time 0 for an average city; chosen so that the ATT
# on the treated in the default panel is about -1 pp (1.3 x the 0.78 pp yearly decline).
_PLATFORM_H0 = 0.555
# Effects on the equalization index (rural/urban ratio of the entropy-weighted composite index)
# at adoption for a reference city; the rural indicators are scaled so that the index moves by
# exactly the designed effect (see _add_equalization).
_DG_TAU0 = 0.03
_SMART_TAU0 = 0.015

# Per-indicator calibration: urban level in 2011 (per 10,000 urban residents; education
# spending in yuan per capita), annual log growth, and the 2011 rural/urban ratio.
_IND_CAL = {
    "primary_schools": (1.2, -0.030, 0.80),
    "primary_pupils": (700.0, 0.005, 0.85),
    "teachers": (45.0, 0.012, 0.70),
    "education_spending": (1600.0, 0.070, 0.65),
    "health_institutions": (6.0, 0.005, 0.60),
    "hospital_beds": (55.0, 0.050, 0.45),
    "physicians": (25.0, 0.050, 0.45),
    "pension_enrollees": (4500.0, 0.030, 0.55),
    "medical_enrollees": (9000.0, 0.000, 0.85),
    "library_books": (7000.0, 0.045, 0.30),
}

# Which outcomes each treatment moves (their untreated potential outcomes are kept).
_AFFECTED = {
    "platform": [
        "income_gap", "income_ratio", "income_theil", "rural_income", "rural_wage_income",
        "rural_operating_income", "rural_property_income", "rural_transfer_income",
        "service_efficiency", "entrepreneurship", "digital_infrastructure",
    ],
    "dg": ["equalization", *[f"{k}_rural" for k in INDICATORS], "digital_infrastructure"],
    "smart_city": ["equalization", *[f"{k}_rural" for k in INDICATORS], "digital_infrastructure"],
}
_MECHANISMS = {
    "platform": ["service_efficiency", "entrepreneurship", "rural_operating_income", "rural_wage_income",
                 "rural_property_income", "rural_transfer_income", "digital_infrastructure"],
    "dg": ["digital_infrastructure"],
    "smart_city": ["digital_infrastructure"],
}
_SUBGROUP_VARS = ["size_class", "admin_tier_group", "ruggedness", "clan_strength", "grassroots_capacity",
                  "digitalization", "economic_vitality", "market_integration", "digital_economy"]


# ----------------------------------------------------------------------------------------
# Codebook
# ----------------------------------------------------------------------------------------

_INF = np.inf
_IND_TEXT = {
    "primary_schools": ("primary schools per 10,000 residents", "per 10,000 persons", "小学数"),
    "primary_pupils": ("primary-school pupils per 10,000 residents", "per 10,000 persons", "小学在校生数"),
    "teachers": ("full-time primary-school teachers per 10,000 residents", "per 10,000 persons", "小学专任教师数"),
    "education_spending": ("public education expenditure per resident", "yuan per capita", "教育支出"),
    "health_institutions": ("medical and health institutions per 10,000 residents", "per 10,000 persons",
                            "医疗卫生机构数"),
    "hospital_beds": ("hospital beds per 10,000 residents", "per 10,000 persons", "医院床位数"),
    "physicians": ("licensed (assistant) physicians per 10,000 residents", "per 10,000 persons",
                   "执业（助理）医师数"),
    "pension_enrollees": ("basic pension insurance enrollees per 10,000 residents", "per 10,000 persons",
                          "基本养老保险参保人数"),
    "medical_enrollees": ("basic medical insurance enrollees per 10,000 residents", "per 10,000 persons",
                          "基本医疗保险参保人数"),
    "library_books": ("public-library book holdings per 10,000 residents", "volumes per 10,000 persons",
                      "公共图书馆藏书量"),
}


def _codebook_rows() -> list[tuple]:
    rows: list[tuple] = [
        ("city_id", "synthetic city identifier (not a real city)", "-", "城市代码（虚构）", "str", None, None),
        ("province_id", "synthetic province identifier", "-", "省份代码（虚构）", "str", None, None),
        ("region", "macro region: east, central or west", "-", "东中西部地区", "str", None, None),
        ("year", "calendar year", "year", "年份", "int", _GRID_START, _GRID_END),
        ("population", "registered population (held fixed at its 2011 value)", "10,000 persons", "户籍人口",
         "float", 30, 4000),
        ("size_class", "city size class from population: large >= 500, medium 250-500, small < 250 (10,000 persons)",
         "-", "城市规模（大/中/小）", "str", None, None),
        ("admin_tier", "administrative tier, 1 = provincial capital (highest) ... 5 = lowest", "tier 1-5",
         "城市行政等级", "int", 1, 5),
        ("ruggedness", "terrain relief degree (geographic endowment)", "index (>= 0)", "地形起伏度", "float", 0, 15),
        ("clan_strength", "clan-culture strength: genealogies per 10,000 residents (informal institutions)",
         "per 10,000 persons", "宗族文化强度（族谱数量）", "float", 0, 60),
        ("grassroots_capacity", "grassroots-governance capacity score", "score 0-100", "基层治理能力", "float", 0,
         100),
        ("log_gdp_pc", "log of GDP per capita", "log yuan", "人均GDP（对数）", "float", 8.5, 13.0),
        ("fiscal_exp_gdp", "general public budget expenditure / GDP", "ratio", "财政支出占GDP比重", "float", 0, 1),
        ("fiscal_rev_gdp", "general public budget revenue / GDP", "ratio", "财政收入占GDP比重", "float", 0, 1),
        ("log_internet_users", "log of broadband internet users", "log 10,000 users", "互联网用户数（对数）",
         "float", -2, 10),
        ("tertiary_share", "tertiary-industry value added / GDP", "ratio", "第三产业占比", "float", 0, 1),
        ("digitalization", "digitalization level", "index 0-1", "数字化水平", "float", 0, 1),
        ("economic_vitality", "economic vitality", "index 0-1", "经济活力", "float", 0, 1),
        ("market_integration", "market integration", "index 0-1", "市场一体化程度", "float", 0, 1),
        ("digital_economy", "digital-economy development", "index 0-1", "数字经济发展指数", "float", 0, 1),
        ("dg_treated", "digital-government policy city in force this year (treatment 1)", "0/1",
         "数字政府政策试点（处理变量）", "int", 0, 1),
        ("dg_cohort", "first year of the digital-government policy (0 = not treated within the window)", "year",
         "数字政府政策实施年份", "int", 0, _GRID_END),
        ("platform_treated", "integrated government-service platform launched in the province (treatment 2)",
         "0/1", "一体化政务服务平台上线（处理变量）", "int", 0, 1),
        ("platform_cohort", "province's platform launch year (0 = not launched within the window)", "year",
         "一体化政务服务平台上线年份", "int", 0, _GRID_END),
        ("smart_city", "smart-city pilot in force this year (concurrent policy)", "0/1", "智慧城市试点", "int", 0,
         1),
        ("smart_city_cohort", "first year of the smart-city pilot (0 = not treated within the window)", "year",
         "智慧城市试点年份", "int", 0, _GRID_END),
    ]
    for k in INDICATORS:
        meaning, unit, zh = _IND_TEXT[k]
        hi = 1e6
        rows.append((f"{k}_urban", f"{meaning}, urban districts", unit, f"{zh}（市辖区）", "float", 0, hi))
        rows.append((f"{k}_rural", f"{meaning}, rural areas (counties)", unit, f"{zh}（农村/县域）", "float", 0, hi))
    rows += [
        ("urban_population", "urban resident population", "10,000 persons", "城镇人口", "float", 0, 4000),
        ("rural_population", "rural resident population", "10,000 persons", "农村人口", "float", 0, 4000),
        ("urban_income", "per-capita disposable income of urban residents", "yuan per capita",
         "城镇居民人均可支配收入", "float", 3000, 300000),
        ("rural_income", "per-capita disposable income of rural residents", "yuan per capita",
         "农村居民人均可支配收入", "float", 500, 200000),
        ("rural_wage_income", "rural per-capita wage income", "yuan per capita", "农村居民工资性收入", "float", 0,
         200000),
        ("rural_operating_income", "rural per-capita net operating income", "yuan per capita",
         "农村居民经营净收入", "float", 0, 200000),
        ("rural_property_income", "rural per-capita net property income", "yuan per capita",
         "农村居民财产净收入", "float", 0, 200000),
        ("rural_transfer_income", "rural per-capita net transfer income", "yuan per capita",
         "农村居民转移净收入", "float", 0, 200000),
        ("income_ratio", "urban-rural income ratio: urban_income / rural_income", "ratio", "城乡收入比", "float",
         1, 10),
        ("income_gap", "urban-rural income gap: 100 * (urban_income - rural_income) / urban_income (paper-2 outcome)",
         "percentage points", "城乡收入差距", "float", 0, 100),
        ("income_theil", "urban-rural Theil index of income (population-weighted, two groups)", "index",
         "城乡收入泰尔指数", "float", 0, 2),
        ("service_efficiency", "rural government-service efficiency score (mechanism)", "score 0-100",
         "农村政务服务效率", "float", 0, 100),
        ("entrepreneurship", "rural entrepreneurship: new market entities per 10,000 rural residents (mechanism)",
         "per 10,000 persons", "农村创业活跃度（新增市场主体）", "float", 0, 2000),
        ("digital_infrastructure", "digital-infrastructure index (mechanism; 2011 mean about 25)", "index",
         "数字基础设施", "float", 0, 150),
        ("equalization", "public-service equalization (paper-1 outcome): rural / urban value of the "
         "entropy-weighted composite index of the ten indicators, urban and rural values min-max normalized on "
         "one pooled scale (didbook.equalization_index with its defaults, fitted on this panel; 1 = parity)",
         "ratio of index values", "基本公共服务均等化水平（熵值法指数，农村/城市）", "float", 0, 3),
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


# ----------------------------------------------------------------------------------------
# Result objects
# ----------------------------------------------------------------------------------------


@dataclass
class Truth:
    """The true effects in a simulated panel, computed from its potential outcomes.

    "ATT" is the average of :math:`Y_{it}(1) - Y_{it}(0)` over the treated city-years
    (``<treatment>_treated == 1``) present in the realized sample. Every treated city-year
    gets equal weight, which is the weighting of the Callaway-Sant'Anna "simple"
    aggregation (cohort-time cells weighted by their size). For the platform the untreated
    outcome switches off the platform only; for digital government it switches off the
    digital-government policy only (the smart-city pilot stays as realized), and vice versa.

    Attributes
    ----------
    att : dict
        ``(treatment, outcome) -> ATT``, e.g. ``att[("platform", "income_gap")]``.
    att_cohort_year : pandas.DataFrame
        ``treatment, outcome, cohort, year, event_time, att, n`` for every year of every
        treated cohort (pre-treatment cells are 0 unless there is anticipation).
    att_event : pandas.DataFrame
        ``treatment, outcome, event_time, att, n``: mean effect over the city-years at each
        event time (year - cohort).
    att_cohort : pandas.DataFrame
        ``treatment, outcome, cohort, att, n``: mean over the treated years of each cohort.
    att_subgroup : pandas.DataFrame
        ``treatment, outcome, subgroup_var, subgroup, att, n``: mean over treated city-years
        in each subgroup (see :attr:`CityPanel.subgroups` for the groups).
    mechanism : pandas.DataFrame
        ``treatment, variable, att``: effects on the mechanism variables (property and
        transfer income are included with a true effect of exactly 0: falsification tests).
    dispersion : pandas.DataFrame
        ``province_id, year, platform_cohort, event_time, sd_observed, sd_untreated,
        effect``: within-province cross-city standard deviation of ``income_gap``.
    """

    att: dict
    att_cohort_year: pd.DataFrame
    att_event: pd.DataFrame
    att_cohort: pd.DataFrame
    att_subgroup: pd.DataFrame
    mechanism: pd.DataFrame
    dispersion: pd.DataFrame

    def event(self, treatment: str, outcome: str) -> pd.DataFrame:
        """True effects by event time for one treatment and outcome.

        Examples
        --------
        >>> truth = simulate_city_panel().truth
        >>> bool(truth.event("platform", "income_gap")["event_time"].min() < 0)
        True
        """
        ev = self.att_event
        out = ev[(ev["treatment"] == treatment) & (ev["outcome"] == outcome)]
        if out.empty:
            raise KeyError(f"no truth for ({treatment!r}, {outcome!r}); available: {sorted(self.att)[:12]} ...")
        return out[["event_time", "att", "n"]].reset_index(drop=True)

    def table(self) -> pd.DataFrame:
        """The overall ATTs as a tidy frame ``treatment, outcome, att``."""
        return pd.DataFrame([(t, o, v) for (t, o), v in self.att.items()], columns=["treatment", "outcome", "att"])

    def summary(self) -> str:
        """Key true effects as plain text.

        Examples
        --------
        >>> print(simulate_city_panel().truth.summary().splitlines()[0])
        True effects (ATT on the treated city-years)
        """
        keys = [("platform", "income_gap"), ("platform", "income_ratio"), ("platform", "service_efficiency"),
                ("platform", "entrepreneurship"), ("platform", "rural_operating_income"),
                ("platform", "rural_wage_income"), ("platform", "rural_property_income"),
                ("platform", "rural_transfer_income"), ("dg", "equalization"),
                ("dg", "digital_infrastructure"), ("smart_city", "equalization")]
        lines = ["True effects (ATT on the treated city-years)", "=" * 44]
        for k in keys:
            if k in self.att:
                lines.append(f"{k[0]:<11}{k[1]:<26}{self.att[k]: .4f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


@dataclass
class CityPanel:
    """A simulated city panel and its truth.

    Attributes
    ----------
    data : pandas.DataFrame
        The observed city-year panel (columns described in :attr:`codebook`).
    truth : Truth
        True effects computed from the potential outcomes.
    params : dict
        Seed, sizes, years, scenario and the resolved switches.
    codebook : pandas.DataFrame
        ``column, meaning, unit, chinese, dtype, min, max`` for every column of ``data``.
    counterfactual : pandas.DataFrame
        ``city_id, year`` and the untreated potential outcomes ``<outcome>_y0_<treatment>``
        (the outcome with that treatment switched off, everything else as realized), in
        the row order of ``data``.
    subgroups : pandas.DataFrame
        One row per city: the heterogeneity groups used in ``truth.att_subgroup``
        (median splits of the city traits and of the ``start_year`` values of the
        time-varying indices; ``admin_tier_group`` is "tier 1-3" / "tier 4-5").
    """

    data: pd.DataFrame
    truth: Truth
    params: dict
    codebook: pd.DataFrame
    counterfactual: pd.DataFrame
    subgroups: pd.DataFrame = field(repr=False)

    def untreated(self, outcome: str, treatment: str) -> pd.Series:
        """The untreated potential outcome of ``outcome`` with ``treatment`` switched off.

        Examples
        --------
        >>> p = simulate_city_panel()
        >>> y0 = p.untreated("income_gap", "platform")
        >>> bool((p.data.loc[p.data.platform_treated == 0, "income_gap"]
        ...       == y0[p.data.platform_treated == 0]).all())
        True
        """
        col = f"{outcome}_y0_{treatment}"
        if col not in self.counterfactual.columns:
            if treatment in TREATMENTS and outcome in self.data.columns:
                return self.data[outcome].copy()  # not affected by this treatment
            raise KeyError(f"unknown treatment {treatment!r} or outcome {outcome!r}")
        return self.counterfactual[col].rename(outcome)

    def __repr__(self) -> str:
        p = self.params
        return (f"CityPanel(seed={p['seed']}, scenario={p['scenario']!r}, {p['n_cities']} cities, "
                f"{p['start_year']}-{p['end_year']}, {len(self.data)} city-years)\n" + self.truth.summary())


# ----------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _resolve(scenario: str, overrides: dict) -> dict:
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; valid scenarios: {list(SCENARIOS)}")
    unknown = sorted(set(overrides) - set(SWITCHES))
    if unknown:
        raise TypeError(f"unknown keyword argument(s) {unknown}; valid switches: {list(SWITCHES)}")
    sw = dict(SWITCHES)
    sw.update(SCENARIOS[scenario])
    sw.update(overrides)
    for key in ("homogeneous", "pt_violation", "all_treated"):
        if not isinstance(sw[key], (bool, np.bool_)):
            raise TypeError(f"{key} must be True or False, got {sw[key]!r}")
        sw[key] = bool(sw[key])
    ant = sw["anticipation"]
    if isinstance(ant, bool) or not isinstance(ant, (int, np.integer)) or not 0 <= ant <= 3:
        raise ValueError(f"anticipation must be an integer number of years in 0..3, got {ant!r}")
    sw["anticipation"] = int(ant)
    ms = sw["missing_share"]
    if not isinstance(ms, (int, float)) or not 0 <= ms < 0.5:
        raise ValueError(f"missing_share must be a share in [0, 0.5), got {ms!r}")
    sw["missing_share"] = float(ms)
    for key in ("effect_scale", "noise_scale"):
        v = sw[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
            raise ValueError(f"{key} must be a non-negative number, got {v!r}")
        sw[key] = float(v)
    return sw


def _check_sizes(seed, n_cities, n_provinces, start_year, end_year) -> None:
    for name, v in (("seed", seed), ("n_cities", n_cities), ("n_provinces", n_provinces),
                    ("start_year", start_year), ("end_year", end_year)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {v!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    if n_provinces < 3:
        raise ValueError(f"n_provinces must be at least 3 (one per region), got {n_provinces}")
    if n_cities < 2 * n_provinces:
        raise ValueError(f"n_cities must be at least 2 * n_provinces = {2 * n_provinces}, got {n_cities}")
    if n_cities > 2000:
        raise ValueError(f"n_cities must be at most 2000, got {n_cities}")
    if start_year >= end_year:
        raise ValueError(f"start_year ({start_year}) must be before end_year ({end_year})")
    if not _START_RANGE[0] <= start_year <= _START_RANGE[1]:
        raise ValueError(f"start_year must be in {_START_RANGE[0]}..{_START_RANGE[1]} (before the first policy "
                         f"wave), got {start_year}")
    if not _END_RANGE[0] <= end_year <= _END_RANGE[1]:
        raise ValueError(f"end_year must be in {_END_RANGE[0]}..{_END_RANGE[1]}, got {end_year}")


def _ar1(rng, shape, sd, rho):
    """AR(1) noise with stationary marginal sd ``sd`` along axis 1."""
    e = rng.normal(0.0, sd * np.sqrt(1 - rho**2), size=shape)
    out = np.empty(shape)
    out[:, 0] = rng.normal(0.0, sd, size=shape[0])
    for j in range(1, shape[1]):
        out[:, j] = rho * out[:, j - 1] + e[:, j]
    return out


def _effect_profile(event_time, cohort_rel, mult, *, base, slope, cap, cohort_slope, k, homogeneous):
    """Effect intensity for each cell given event time (year - cohort), NaN-free.

    Non-homogeneous: base * min(1 + slope * e, cap) * (1 - cohort_slope * cohort_rel) * mult
    for e >= 0, a linear ramp over the ``k`` anticipation years, 0 otherwise.
    Homogeneous: base for e >= 0 (the same ramp if k > 0).
    """
    e = event_time
    if homogeneous:
        full = np.full(e.shape, base)
    else:
        full = base * np.minimum(1.0 + slope * np.maximum(e, 0), cap) * (1.0 - cohort_slope * cohort_rel) * mult
        full0 = base * (1.0 - cohort_slope * cohort_rel) * mult  # size at e = 0
    out = np.where(e >= 0, full, 0.0)
    if k > 0:
        at0 = np.full(e.shape, base) if homogeneous else full0
        ramp = (k + 1 + e) / (k + 1)
        out = np.where((e < 0) & (e >= -k), at0 * ramp, out)
    return out


def simulate_city_panel(
    seed: int = 2024,
    *,
    n_cities: int = 280,
    n_provinces: int = 30,
    start_year: int = 2011,
    end_year: int = 2022,
    scenario: str = "baseline",
    **overrides,
) -> CityPanel:
    """Simulate the Chinese prefecture-city panel with known true effects.

    The data are simulated (synthetic city and province identifiers); magnitudes are
    calibrated to national statistics (:data:`ANCHORS`). All draws are made with
    ``numpy.random.default_rng(seed)`` on a fixed 2005-2025 grid, so the same arguments give
    an identical frame and a shorter window is an exact subset of a longer one, except for
    ``equalization`` and the rural indicators of digital-government and smart-city city-years:
    ``equalization`` is the index of :func:`didbook.equalization_index` (default settings)
    fitted on the panel being generated, whose normalization and weights depend on the window
    and on the sample, and the policy effects on the rural indicators are sized on that index's
    scale (see *Notes*).

    Parameters
    ----------
    seed : int
        Random seed.
    n_cities, n_provinces : int
        Number of prefecture-level cities and of provinces (at least 2 cities per
        province). Provinces are split into east/central/west in proportions 11:8:11.
    start_year, end_year : int
        Panel window (start in 2005-2012, end in 2016-2025). Cohort columns are 0 for units
        first treated after ``end_year``.
    scenario : str
        One of :data:`SCENARIOS`: ``"baseline"`` (heterogeneous, dynamic effects),
        ``"homogeneous"`` (constant effects: TWFE unbiased), ``"pt_violation"`` (ever-treated
        units trend differently without treatment), ``"anticipation"`` (effects start one
        year early), ``"unbalanced"`` (8% of city-years missing at random),
        ``"all_treated"`` (every province launches the platform by 2020).
    **overrides
        Switches from :data:`SWITCHES` that override the scenario's settings and can be
        combined: ``homogeneous`` (bool), ``pt_violation`` (bool), ``anticipation`` (int years,
        0-3), ``missing_share`` (float in [0, 0.5)), ``all_treated`` (bool), ``effect_scale``
        (float >= 0, multiplies every effect), ``noise_scale`` (float >= 0).

    Returns
    -------
    CityPanel
        ``.data`` (tidy city-year frame), ``.truth`` (:class:`Truth`), ``.params``,
        ``.codebook``, ``.counterfactual`` (untreated potential outcomes), ``.subgroups``.

    Notes
    -----
    Paper 1's outcome ``equalization`` is
    ``didbook.equalization_index(data, didbook.PUBLIC_SERVICE_DIMENSIONS).equalization``
    computed on the returned ``data``: the rural/urban ratio of the entropy-weighted composite
    index, urban and rural values min-max normalized on one pooled scale. The digital-government
    policy and the smart-city pilot multiply every rural indicator of a treated city-year by the
    same factor, chosen so that, with the normalization and weights fitted on the observed panel,
    the index rises by exactly the designed effect (for digital government 0.03 at adoption in a
    medium-sized, highly digital city of the 2016 wave, growing with time since adoption and zero in
    low-digitalization cities; 0.015 at adoption for the pilot; exactly 0.03 and 0.015 in every
    treated city-year under ``homogeneous``). Because the fit depends on the data it is applied to, the factor is found
    by fixed-point iteration. The untreated potential outcome of ``equalization`` is the index of the
    untreated indicators scored with the same normalization and weights
    (:meth:`didbook.EqualizationIndex.transform`), so ``truth`` is in index units.

    Raises
    ------
    ValueError
        Unknown scenario, sizes or years out of range or out of order.
    TypeError
        Unknown keyword switch or non-integer sizes.

    Examples
    --------
    >>> panel = simulate_city_panel(seed=1)
    >>> panel.data.shape[0]
    3360
    >>> round(panel.truth.att[("platform", "income_gap")], 1) < 0
    True
    >>> simulate_city_panel(scenario="homogeneous", anticipation=1).params["anticipation"]
    1
    """
    _check_sizes(seed, n_cities, n_provinces, start_year, end_year)
    sw = _resolve(scenario, overrides)
    rng = np.random.default_rng(seed)
    years = np.arange(_GRID_START, _GRID_END + 1)
    T = len(years)
    t = (years - 2011).astype(float)[None, :]  # calendar time relative to 2011
    N, P = n_cities, n_provinces
    ns = sw["noise_scale"]
    es = sw["effect_scale"]

    # --- provinces and cities -------------------------------------------------------------
    n_east = int(round(P * 11 / 30))
    n_central = int(round(P * 8 / 30))
    prov_region = np.array(["east"] * n_east + ["central"] * n_central + ["west"] * (P - n_east - n_central))
    weights = rng.gamma(4.0, 1.0, size=P)
    extra = rng.multinomial(N - 2 * P, weights / weights.sum())
    counts = extra + 2
    prov_of_city = np.repeat(np.arange(P), counts)
    region = prov_region[prov_of_city]
    east = (region == "east").astype(float)
    west = (region == "west").astype(float)
    central = (region == "central").astype(float)

    # --- time-invariant traits ---------------------------------------------------------------
    logpop = np.log(380.0) + rng.normal(0.0, 0.55, N) + 0.1 * central
    # the largest city of each province is its capital (admin tier 1)
    order = np.lexsort((-logpop, prov_of_city))
    capital = np.zeros(N, bool)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    capital[order[first]] = True
    logpop = logpop + 0.35 * capital
    population = np.clip(np.exp(logpop), 35.0, 3800.0)
    size_class = np.where(population >= 500, "large", np.where(population >= 250, "medium", "small"))
    lg0 = (np.log(30000.0) + 0.35 * east - 0.18 * west + 0.18 * _z(logpop) + 0.30 * capital
           + rng.normal(0.0, 0.28, N))
    zlg0 = _z(lg0)
    score = zlg0 + 0.7 * _z(logpop) + rng.normal(0.0, 0.6, N)
    q = np.quantile(score[~capital], [0.90, 0.65, 0.30])
    admin_tier = np.where(capital, 1, np.where(score >= q[0], 2, np.where(score >= q[1], 3,
                                                                          np.where(score >= q[2], 4, 5))))
    shape_scale = np.where(region == "east", 0.3, np.where(region == "central", 0.5, 0.9))
    ruggedness = rng.gamma(2.0, 1.0, N) * shape_scale
    clan_strength = np.exp(np.log(0.8) + 0.35 * east + 0.2 * central + rng.normal(0.0, 0.7, N))
    grassroots = np.clip(55 + 8 * east - 6 * west + 5 * zlg0 + rng.normal(0.0, 10.0, N), 2.0, 98.0)

    # --- time-varying covariates (N x T on the full grid) ----------------------------------
    growth_path = np.maximum(0.085 - 0.0035 * t, 0.03)
    digi_city = rng.normal(0.0, 0.45, N)
    # city growth differences: more digital and richer cities grow faster (observable-driven trends)
    g_city = 0.012 * _z(digi_city + 0.6 * zlg0) + rng.normal(0.0, 0.006, N)
    cs = np.cumsum(growth_path, axis=1)
    cum = cs - cs[:, [2011 - _GRID_START]]  # common log growth since 2011
    lgdp = lg0[:, None] + cum + g_city[:, None] * t + _ar1(rng, (N, T), 0.025 * ns, 0.6)
    fe_city = 0.19 + 0.06 * west - 0.05 * east - 0.025 * zlg0 + rng.normal(0.0, 0.04, N)
    fiscal_exp = np.clip(fe_city[:, None] + 0.002 * t + rng.normal(0.0, 0.008 * ns, (N, T)), 0.05, 0.8)
    fr_city = 0.075 + 0.012 * east + 0.008 * zlg0 + rng.normal(0.0, 0.015, N)
    fiscal_rev = np.clip(fr_city[:, None] - 0.0005 * t + rng.normal(0.0, 0.004 * ns, (N, T)), 0.015, 0.3)
    pen = _logistic(-2.0 + 0.25 * zlg0[:, None] + 0.16 * t + rng.normal(0.0, 0.2, N)[:, None]
                    + rng.normal(0.0, 0.05 * ns, (N, T)))
    log_internet = np.log(population[:, None] * pen)
    tertiary = np.clip(0.38 + 0.04 * east[:, None] + 0.03 * zlg0[:, None] + rng.normal(0.0, 0.045, N)[:, None]
                       + 0.011 * t + rng.normal(0.0, 0.01 * ns, (N, T)), 0.15, 0.85)
    digitalization = _logistic(-1.1 + 0.5 * zlg0[:, None] + 0.3 * east[:, None] + digi_city[:, None]
                               + 0.17 * t + rng.normal(0.0, 0.08 * ns, (N, T)))
    vit_city = rng.normal(0.0, 0.6, N)
    vitality = _logistic(-0.3 + 0.2 * zlg0[:, None] + vit_city[:, None] + 0.03 * t
                         + rng.normal(0.0, 0.1 * ns, (N, T)))
    mi_city = rng.normal(0.0, 0.5, N)
    market = _logistic(0.1 + 0.3 * east[:, None] + 0.1 * zlg0[:, None] + mi_city[:, None] + 0.04 * t
                       + rng.normal(0.0, 0.08 * ns, (N, T)))
    de_city = rng.normal(0.0, 0.45, N)
    digital_economy = _logistic(-1.6 + 0.25 * zlg0[:, None] + 0.6 * digi_city[:, None] + de_city[:, None]
                                + 0.15 * t + rng.normal(0.0, 0.08 * ns, (N, T)))

    i0 = start_year - _GRID_START  # column of start_year on the grid
    j11 = 2011 - _GRID_START

    # --- treatments -------------------------------------------------------------------------
    # digital government: selection on observables (size, income, digitalization, east)
    pscore = _logistic(-0.95 + 0.9 * _z(logpop) + 0.7 * zlg0 + 0.8 * _z(digitalization[:, j11]) + 0.3 * east)
    ever_dg = rng.random(N) < pscore
    wave_score = np.log(pscore / (1 - pscore)) + rng.normal(0.0, 1.0, N)
    dg_cohort_full = np.zeros(N, int)
    idx = np.flatnonzero(ever_dg)
    ranked = idx[np.argsort(-wave_score[idx], kind="stable")]
    for w, chunk in zip(_DG_WAVES, np.array_split(ranked, len(_DG_WAVES))):
        dg_cohort_full[chunk] = w
    # smart city pilot: more likely in digital-government cities and richer cities
    p_sc = _logistic(-1.4 + 1.3 * ever_dg + 0.4 * zlg0)
    ever_sc = rng.random(N) < p_sc
    sc_cohort_full = np.where(ever_sc, np.where(rng.random(N) < 0.5, _SMART_WAVES[0], _SMART_WAVES[1]), 0)
    # platform: staggered by province, east a little earlier
    waves = _PLATFORM_WAVES_ALL if sw["all_treated"] else _PLATFORM_WAVES
    prov_score = rng.normal(0.0, 1.0, P) - 0.5 * (prov_region == "east") + 0.3 * (prov_region == "west")
    prov_rank = np.argsort(prov_score, kind="stable")
    sizes = [int(np.floor(share * P + 0.5)) for share in waves.values()]
    if sw["all_treated"]:
        sizes[-1] = P - sum(sizes[:-1])
    prov_cohort = np.zeros(P, int)
    pos = 0
    for w, s in zip(waves, sizes):
        prov_cohort[prov_rank[pos:pos + s]] = w
        pos += s
    pf_cohort_full = prov_cohort[prov_of_city]

    def window(c):
        return np.where(c > end_year, 0, c)

    dg_cohort, sc_cohort, pf_cohort = window(dg_cohort_full), window(sc_cohort_full), window(pf_cohort_full)

    def treated(c):
        return ((c[:, None] > 0) & (years[None, :] >= c[:, None])).astype(int)

    def event(c):
        return np.where(c[:, None] > 0, years[None, :] - c[:, None], -999).astype(float)

    # city level of the income gap (pp): region, terrain, tier, governance, income
    a_gap = (2.5 * west + 0.8 * central - 2.0 * east + 1.2 * _z(ruggedness) + 0.8 * (admin_tier - 3.5)
             - 1.0 * _z(grassroots) - 2.0 * zlg0 + rng.normal(0.0, 2.5, N))

    # --- heterogeneity groups (city level) ----------------------------------------------------
    def hilo(x):
        return np.where(x > np.median(x), "high", "low")

    groups = {
        "size_class": size_class,
        "admin_tier_group": np.where(admin_tier >= 4, "tier 4-5", "tier 1-3"),
        "ruggedness": hilo(ruggedness),
        "clan_strength": hilo(clan_strength),
        "grassroots_capacity": hilo(grassroots),
        "digitalization": hilo(digitalization[:, i0]),
        "economic_vitality": hilo(vitality[:, i0]),
        "market_integration": hilo(market[:, i0]),
        "digital_economy": hilo(digital_economy[:, i0]),
    }

    # --- treatment effects ----------------------------------------------------------------
    k = sw["anticipation"]
    hom = sw["homogeneous"]
    # platform multiplier: bigger in low-tier, rugged, clan-strong, weak-governance cities and
    # where vitality, market integration and the digital economy are high
    m_pf = np.exp(0.30 * (admin_tier >= 4) + 0.20 * _z(ruggedness) + 0.15 * _z(np.log(clan_strength))
                  - 0.20 * _z(grassroots) + 0.15 * _z(vitality[:, j11]) + 0.12 * _z(market[:, j11])
                  + 0.15 * _z(digital_economy[:, j11]) + 0.15 * _z(a_gap))
    m_pf = m_pf / m_pf.mean()
    ev_pf = event(pf_cohort_full)
    h_pf = es * _effect_profile(ev_pf, (pf_cohort_full - 2017.5)[:, None], m_pf[:, None],
                                base=1.0 if hom else _PLATFORM_H0, slope=0.35, cap=2.5, cohort_slope=0.10, k=k,
                                homogeneous=hom)
    # digital government: only in large/medium, high-digitalization cities
    digi_high = digitalization[:, j11] > np.median(digitalization[:, j11])
    m_dg = np.where(size_class == "large", 1.2, np.where(size_class == "medium", 1.0, 0.05)) * digi_high
    ev_dg = event(dg_cohort_full)
    tau_dg = es * _effect_profile(ev_dg, (dg_cohort_full - 2016)[:, None] / 2.0, m_dg[:, None], base=_DG_TAU0,
                                  slope=0.30, cap=2.0, cohort_slope=0.15, k=k, homogeneous=hom)
    ev_sc = event(sc_cohort_full)
    tau_sc = es * _effect_profile(ev_sc, 0.0, 1.0, base=_SMART_TAU0, slope=0.25, cap=1.5, cohort_slope=0.0,
                                  k=k, homogeneous=hom)

    # --- untreated potential outcomes -------------------------------------------------------
    ever_pf_prov = (pf_cohort_full > 0).astype(float)[:, None]
    ever_dg_f = ever_dg.astype(float)[:, None]
    # urbanization and populations
    urb = _logistic(np.log(0.47 / 0.53) + rng.normal(0.0, 0.6, N)[:, None] + 0.4 * zlg0[:, None] + 0.055 * t
                    + rng.normal(0.0, 0.03 * ns, (N, T)))
    urban_pop = population[:, None] * urb
    rural_pop = population[:, None] - urban_pop
    # urban income
    log_urban_inc = (np.log(21500.0) + 0.45 * (lgdp - np.log(30000.0)) + 0.04 * t + rng.normal(0.0, 0.08, N)[:, None]
                     + rng.normal(0.0, 0.02 * ns, (N, T)))
    urban_income = np.exp(log_urban_inc)
    # income gap (pp): level differences by region/terrain/tier/governance; trend -0.66 pp/yr
    prov_shock = rng.normal(0.0, 0.45 * ns, (P, T))[prov_of_city]
    gap0 = (62.6 + a_gap[:, None] - 0.58 * t - 0.008 * t**2 + prov_shock + _ar1(rng, (N, T), 1.1 * ns, 0.5)
            - 3.0 * (lgdp - lg0[:, None] - cum))
    if sw["pt_violation"]:
        gap0 = gap0 - 0.15 * ever_pf_prov * (t - (start_year - 2011))
    gap0 = np.clip(gap0, 15.0, 85.0)
    rural0 = urban_income * (1.0 - gap0 / 100.0)
    # rural income shares: wage, operating, property, transfer (drifting as in NBS 2013 -> 2022)
    base13 = np.array([0.387, 0.417, 0.021, 0.175])
    base22 = np.array([0.420, 0.346, 0.025, 0.209])
    tt = np.clip((years - 2013) / 9.0, -1.0, 1.5)[None, :, None]
    base = base13[None, None, :] + (base22 - base13)[None, None, :] * tt
    logits = (np.log(base) + rng.normal(0.0, 0.15, (N, 1, 4)) + rng.normal(0.0, 0.05 * ns, (N, T, 4)))
    shares = np.exp(logits)
    shares = shares / shares.sum(axis=2, keepdims=True)
    comp0 = rural0[:, :, None] * shares  # N x T x 4
    # mechanisms
    eff0 = 100.0 * _logistic(-0.3 + 0.07 * t + 0.15 * zlg0[:, None] + rng.normal(0.0, 0.2, N)[:, None]
                             + rng.normal(0.0, 0.12 * ns, (N, T)))
    entre0 = np.exp(np.log(45.0) + 0.055 * t + 0.2 * zlg0[:, None] + rng.normal(0.0, 0.25, N)[:, None]
                    + rng.normal(0.0, 0.08 * ns, (N, T)))
    dinf0 = 90.0 * _logistic(-1.0 + 0.16 * t + 0.3 * zlg0[:, None] + 0.2 * east[:, None]
                              + rng.normal(0.0, 0.25, N)[:, None] + rng.normal(0.0, 0.1 * ns, (N, T)))
    # public-service indicators: urban levels and rural/urban ratios
    ratio_city = rng.normal(0.0, 0.08, N)[:, None] + 0.05 * zlg0[:, None] - 0.04 * west[:, None]
    ratio_common = rng.normal(0.0, 0.03 * ns, (N, T))
    # rural/urban ratios converge over time, faster in faster-growing cities (trends that depend on
    # observables: conditional, not unconditional, parallel trends)
    conv = 0.12 * cum + 0.4 * (lgdp - lg0[:, None] - cum)
    if sw["pt_violation"]:
        conv = conv + 0.008 * ever_dg_f * (t - (start_year - 2011))
    urban_ind, ratio0 = {}, {}
    for name in INDICATORS:
        lvl, gr, r0 = _IND_CAL[name]
        urban_ind[name] = np.exp(np.log(lvl) + gr * t + 0.08 * east[:, None] + rng.normal(0.0, 0.15, N)[:, None]
                                 + rng.normal(0.0, 0.04 * ns, (N, T)))
        ratio0[name] = np.exp(np.log(r0) + ratio_city + rng.normal(0.0, 0.12, N)[:, None] + conv
                              + ratio_common + rng.normal(0.0, 0.05 * ns, (N, T)))

    # --- observed outcomes = potential outcomes under the realized treatments ---------------
    delta_rural = urban_income * h_pf / 100.0  # platform lowers the gap by h_pf pp
    comp = comp0.copy()
    comp[:, :, 0] += 0.4 * delta_rural  # wage income
    comp[:, :, 1] += 0.6 * delta_rural  # operating income
    rural_inc = comp.sum(axis=2)
    eff = eff0 + 7.0 * h_pf
    entre = entre0 + 5.0 * h_pf
    dinf_parts = {"dg": 100.0 * tau_dg, "smart_city": 100.0 * tau_sc / _SMART_TAU0 * 0.03, "platform": 1.5 * h_pf}
    dinf = dinf0 + sum(dinf_parts.values())
    # rural indicators without digital government and smart city; the policy effects are added
    # after the window is cut, on the scale of the index fitted on the observed panel
    rural_ind = {n_: urban_ind[n_] * ratio0[n_] for n_ in INDICATORS}

    def theil(uinc, rinc):
        iu, ir = urban_pop * uinc, rural_pop * rinc
        tot = iu + ir
        su, sr = iu / tot, ir / tot
        pu, pr = urb, 1.0 - urb
        return su * np.log(su / pu) + sr * np.log(sr / pr)

    frames = {
        "city_id": np.repeat([f"C{i + 1:03d}" for i in range(N)], T),
        "province_id": np.repeat([f"P{p + 1:02d}" for p in prov_of_city], T),
        "region": np.repeat(region, T),
        "year": np.tile(years, N),
        "population": np.repeat(population, T),
        "size_class": np.repeat(size_class, T),
        "admin_tier": np.repeat(admin_tier, T),
        "ruggedness": np.repeat(ruggedness, T),
        "clan_strength": np.repeat(clan_strength, T),
        "grassroots_capacity": np.repeat(grassroots, T),
        "log_gdp_pc": lgdp.ravel(),
        "fiscal_exp_gdp": fiscal_exp.ravel(),
        "fiscal_rev_gdp": fiscal_rev.ravel(),
        "log_internet_users": log_internet.ravel(),
        "tertiary_share": tertiary.ravel(),
        "digitalization": digitalization.ravel(),
        "economic_vitality": vitality.ravel(),
        "market_integration": market.ravel(),
        "digital_economy": digital_economy.ravel(),
        "dg_treated": treated(dg_cohort).ravel(),
        "dg_cohort": np.repeat(dg_cohort, T),
        "platform_treated": treated(pf_cohort).ravel(),
        "platform_cohort": np.repeat(pf_cohort, T),
        "smart_city": treated(sc_cohort).ravel(),
        "smart_city_cohort": np.repeat(sc_cohort, T),
    }
    for n_ in INDICATORS:
        frames[f"{n_}_urban"] = urban_ind[n_].ravel()
        frames[f"{n_}_rural"] = rural_ind[n_].ravel()
    frames.update({
        "urban_population": urban_pop.ravel(),
        "rural_population": rural_pop.ravel(),
        "urban_income": urban_income.ravel(),
        "rural_income": rural_inc.ravel(),
        "rural_wage_income": comp[:, :, 0].ravel(),
        "rural_operating_income": comp[:, :, 1].ravel(),
        "rural_property_income": comp[:, :, 2].ravel(),
        "rural_transfer_income": comp[:, :, 3].ravel(),
        "income_ratio": (urban_income / rural_inc).ravel(),
        "income_gap": (100.0 * (1.0 - rural_inc / urban_income)).ravel(),
        "income_theil": theil(urban_income, rural_inc).ravel(),
        "service_efficiency": eff.ravel(),
        "entrepreneurship": entre.ravel(),
        "digital_infrastructure": dinf.ravel(),
        "equalization": np.full(N * T, np.nan),  # filled in by _add_equalization
    })
    data = pd.DataFrame(frames)

    # untreated potential outcomes, one treatment switched off at a time
    cf = {"city_id": frames["city_id"], "year": frames["year"]}
    rural0_tot = comp0.sum(axis=2)
    cf["income_gap_y0_platform"] = (100.0 * (1.0 - rural0_tot / urban_income)).ravel()
    cf["income_ratio_y0_platform"] = (urban_income / rural0_tot).ravel()
    cf["income_theil_y0_platform"] = theil(urban_income, rural0_tot).ravel()
    cf["rural_income_y0_platform"] = rural0_tot.ravel()
    for j, nm in enumerate(["wage", "operating", "property", "transfer"]):
        cf[f"rural_{nm}_income_y0_platform"] = comp0[:, :, j].ravel()
    cf["service_efficiency_y0_platform"] = eff0.ravel()
    cf["entrepreneurship_y0_platform"] = entre0.ravel()
    for tr in ("platform", "dg", "smart_city"):
        cf[f"digital_infrastructure_y0_{tr}"] = (dinf - dinf_parts[tr]).ravel()
    for tr in ("dg", "smart_city"):
        cf[f"equalization_y0_{tr}"] = np.full(N * T, np.nan)  # filled in by _add_equalization
        for n_ in INDICATORS:
            cf[f"{n_}_rural_y0_{tr}"] = rural_ind[n_].ravel()
    counterfactual = pd.DataFrame(cf)

    # --- window and missingness -----------------------------------------------------------------
    keep = (data["year"] >= start_year) & (data["year"] <= end_year)
    miss_draw = rng.random(N * T)  # always drawn, so the stream does not depend on the scenario
    if sw["missing_share"] > 0:
        keep &= miss_draw >= sw["missing_share"]
    data = data.loc[keep.to_numpy()].reset_index(drop=True)
    counterfactual = counterfactual.loc[keep.to_numpy()].reset_index(drop=True)
    _add_equalization(data, counterfactual, tau_dg.ravel()[keep.to_numpy()], tau_sc.ravel()[keep.to_numpy()])
    data["year"] = data["year"].astype("int64")
    for c in ("admin_tier", "dg_treated", "dg_cohort", "platform_treated", "platform_cohort", "smart_city",
              "smart_city_cohort"):
        data[c] = data[c].astype("int64")
    for c in ("city_id", "province_id", "region", "size_class"):
        data[c] = data[c].astype("str")

    subgroups = pd.DataFrame({"city_id": [f"C{i + 1:03d}" for i in range(N)], **groups})
    truth = _compute_truth(data, counterfactual, subgroups)
    params = {"seed": int(seed), "n_cities": int(N), "n_provinces": int(P), "start_year": int(start_year),
              "end_year": int(end_year), "scenario": scenario, **sw}
    return CityPanel(data=data, truth=truth, params=params, codebook=city_panel_codebook(),
                     counterfactual=counterfactual, subgroups=subgroups)


def _entropy_fit(urban: np.ndarray, rural: np.ndarray, shift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled min-max ranges, entropy weights and urban index: the fit of
    :func:`didbook.equalization_index` (default settings) in plain numpy, for the iteration."""
    x = np.vstack([urban, rural])
    lo = x.min(axis=0)
    ranges = x.max(axis=0) - lo
    z = (x - lo) / ranges + shift
    p = z / z.sum(axis=0)
    d = 1.0 + (p * np.log(p)).sum(axis=0) / np.log(len(x))
    weights = d / d.sum()
    return ranges, weights, z[: len(urban)] @ weights


def _add_equalization(data: pd.DataFrame, cf: pd.DataFrame, tau_dg: np.ndarray, tau_sc: np.ndarray,
                      *, tol: float = 1e-14, max_iter: int = 100) -> None:
    """Add the policy effects to the rural indicators and compute the equalization index, in place.

    On entry the ``*_rural`` columns of ``data`` hold the indicators without digital government
    and smart city (``R0``). The observed rural indicators are ``R0 * (1 + s_dg + s_sc)`` with
    ``s = tau * U / A``, where, for the index fitted on the observed panel, ``U`` is a city-year's
    urban index and ``A = sum_j w_j R0_j / range_j`` (weights ``w``, pooled min-max ranges). The
    rural index is linear in the indicators, so switching a policy off lowers the rural index by
    ``s * A = tau * U``: the equalization ratio falls by exactly ``tau``. The fit depends on the
    observed indicators, so ``s`` is found by fixed-point iteration (a few steps; the effects are
    small relative to the spread of the indicators): first with a plain-numpy copy of the fit,
    then confirmed with :func:`didbook.equalization_index` itself, whose fit defines the column.
    """
    # imported here: indices does not import simulate, but keep the import graph one-way and lazy
    from ..indices import DEFAULT_SHIFT, PUBLIC_SERVICE_DIMENSIONS, equalization_index

    stems = [k for ks in PUBLIC_SERVICE_DIMENSIONS.values() for k in ks]
    rural_cols = [f"{k}_rural" for k in stems]
    frame = data[[f"{k}_{area}" for k in stems for area in ("urban", "rural")]].copy()
    urban = frame[[f"{k}_urban" for k in stems]].to_numpy()
    rural0 = frame[rural_cols].to_numpy(copy=True)

    def update(ranges, weights, u):
        a = (rural0 / ranges) @ weights
        return tau_dg * u / a, tau_sc * u / a

    def converged(new, old):
        return max(np.abs(new[0] - old[0]).max(), np.abs(new[1] - old[1]).max()) <= tol

    s = (np.zeros(len(data)), np.zeros(len(data)))
    for _ in range(max_iter):  # fast iteration
        new = update(*_entropy_fit(urban, rural0 * (1.0 + s[0] + s[1])[:, None], DEFAULT_SHIFT))
        done = converged(new, s)
        s = new
        if done:
            break
    for _ in range(max_iter):  # the library's own fit decides
        frame[rural_cols] = rural0 * (1.0 + s[0] + s[1])[:, None]
        eq = equalization_index(frame, PUBLIC_SERVICE_DIMENSIONS)
        new = update(eq.scaling.loc[stems, "scale"].to_numpy(), eq.weights[stems].to_numpy(),
                     eq.scores["urban"].to_numpy())
        if converged(new, s):
            break  # keep the s that produced this fit
        s = new
    else:
        raise RuntimeError(f"the equalization effects did not converge in {max_iter} iterations")
    data[rural_cols] = frame[rural_cols].to_numpy()
    data["equalization"] = eq.equalization.to_numpy()
    for tr, s_other in (("dg", s[1]), ("smart_city", s[0])):
        world0 = frame.copy()
        world0[rural_cols] = rural0 * (1.0 + s_other)[:, None]
        cf[[f"{c}_y0_{tr}" for c in rural_cols]] = world0[rural_cols].to_numpy()
        y0 = eq.transform(world0)["equalization"].to_numpy()
        # where the policy is not in force the indicators are identical: copy the observed value so
        # that the effect is exactly 0 (transform and fit sum in a different order, ~1e-17 apart)
        same = (world0[rural_cols].to_numpy() == frame[rural_cols].to_numpy()).all(axis=1)
        cf[f"equalization_y0_{tr}"] = np.where(same, data["equalization"].to_numpy(), y0)


# ----------------------------------------------------------------------------------------
# Truth
# ----------------------------------------------------------------------------------------


def _compute_truth(data: pd.DataFrame, cf: pd.DataFrame, subgroups: pd.DataFrame) -> Truth:
    att: dict = {}
    cy, ev, co, sg = [], [], [], []
    sub = data[["city_id"]].merge(subgroups, on="city_id", how="left")
    for tr, (dcol, ccol) in TREATMENTS.items():
        outcomes = _AFFECTED[tr]
        cohort = data[ccol].to_numpy()
        ever = cohort > 0
        effects = pd.DataFrame({o: data[o].to_numpy() - cf[f"{o}_y0_{tr}"].to_numpy() for o in outcomes})
        base = pd.DataFrame({"cohort": cohort, "year": data["year"].to_numpy(),
                             "treated": data[dcol].to_numpy()})
        base["event_time"] = base["year"] - base["cohort"]
        long = pd.concat([base, effects], axis=1)[ever]
        long = long.melt(id_vars=["cohort", "year", "treated", "event_time"], var_name="outcome", value_name="att")
        post = long[long["treated"] == 1]
        for o, v in post.groupby("outcome", sort=False)["att"].mean().items():
            att[(tr, o)] = float(v)
        g = long.groupby(["outcome", "cohort", "year"], sort=False)["att"].agg(["mean", "size"]).reset_index()
        g["event_time"] = g["year"] - g["cohort"]
        cy.append(g.assign(treatment=tr))
        e = long.groupby(["outcome", "event_time"], sort=False)["att"].agg(["mean", "size"]).reset_index()
        ev.append(e.assign(treatment=tr))
        c = post.groupby(["outcome", "cohort"], sort=False)["att"].agg(["mean", "size"]).reset_index()
        co.append(c.assign(treatment=tr))
        treated_rows = (data[dcol] == 1).to_numpy()
        for var in _SUBGROUP_VARS:
            s = pd.concat([effects[treated_rows].reset_index(drop=True),
                           sub.loc[treated_rows, var].reset_index(drop=True).rename("subgroup")], axis=1)
            s = s.melt(id_vars="subgroup", var_name="outcome", value_name="att")
            s = s.groupby(["outcome", "subgroup"], sort=False)["att"].agg(["mean", "size"]).reset_index()
            sg.append(s.assign(treatment=tr, subgroup_var=var))

    def tidy(frames, cols):
        out = pd.concat(frames, ignore_index=True).rename(columns={"mean": "att", "size": "n"})
        out = out[cols].sort_values(cols[:-2]).reset_index(drop=True)
        out["n"] = out["n"].astype("int64")
        return out

    att_cohort_year = tidy(cy, ["treatment", "outcome", "cohort", "year", "event_time", "att", "n"])
    att_event = tidy(ev, ["treatment", "outcome", "event_time", "att", "n"])
    att_cohort = tidy(co, ["treatment", "outcome", "cohort", "att", "n"])
    att_subgroup = tidy(sg, ["treatment", "outcome", "subgroup_var", "subgroup", "att", "n"])
    for frame in (att_cohort_year, att_event, att_cohort):
        for col in ("cohort", "year", "event_time"):
            if col in frame:
                frame[col] = frame[col].astype("int64")
    mech = [(tr, v, att[(tr, v)]) for tr, vs in _MECHANISMS.items() for v in vs if (tr, v) in att]
    mechanism = pd.DataFrame(mech, columns=["treatment", "variable", "att"])

    # within-province dispersion of the income gap, observed vs without the platform
    d = pd.DataFrame({"province_id": data["province_id"], "year": data["year"],
                      "platform_cohort": data["platform_cohort"], "obs": data["income_gap"],
                      "y0": cf["income_gap_y0_platform"]})
    disp = d.groupby(["province_id", "year"], sort=True).agg(
        platform_cohort=("platform_cohort", "first"), sd_observed=("obs", "std"), sd_untreated=("y0", "std"),
    ).reset_index()
    disp["event_time"] = np.where(disp["platform_cohort"] > 0, disp["year"] - disp["platform_cohort"], -999)
    disp["effect"] = disp["sd_observed"] - disp["sd_untreated"]
    disp = disp[["province_id", "year", "platform_cohort", "event_time", "sd_observed", "sd_untreated", "effect"]]
    post = (disp["platform_cohort"] > 0) & (disp["year"] >= disp["platform_cohort"])
    att[("platform", "income_gap_province_sd")] = float(disp.loc[post, "effect"].mean())
    return Truth(att=att, att_cohort_year=att_cohort_year, att_event=att_event, att_cohort=att_cohort,
                 att_subgroup=att_subgroup, mechanism=mechanism, dispersion=disp)


# ----------------------------------------------------------------------------------------
# The shipped default panel
# ----------------------------------------------------------------------------------------

#: Float format used for the shipped CSV (byte-reproducible).
CSV_FLOAT_FORMAT = "%.6g"


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
    df = pd.read_csv(p, dtype=dtypes, encoding="utf-8")
    return df


def city_panel_files(panel: CityPanel | None = None) -> dict[str, bytes]:
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
    import hashlib

    panel = simulate_city_panel() if panel is None else panel
    csv = panel.data.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n").encode("utf-8")
    cb = panel.codebook.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8")
    sums = "".join(f"{hashlib.sha256(b).hexdigest()}  {name}\n"
                   for name, b in (("city_panel.csv", csv), ("city_panel_codebook.csv", cb)))
    return {"city_panel.csv": csv, "city_panel_codebook.csv": cb, "city_panel.sha256": sums.encode("utf-8")}
