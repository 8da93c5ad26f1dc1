"""Scenarios, switches, calibration constants and argument checks of the simulated city panel."""

from __future__ import annotations

import numpy as np

#: Scenario name -> the switch values it sets (anything not listed keeps its default).
SCENARIOS: dict[str, dict] = {
    "baseline": {},
    "homogeneous": {"homogeneous": True},
    "pt_violation": {"pt_violation": True},
    "anticipation": {"anticipation": 1},
    "unbalanced": {"missing_share": 0.08},
    "all_treated": {"all_treated": True},  # national rollout: every province launches 2015-2020, none never
    "mediation": {"mediation": True},  # paper 2's chain is real: MEDIATED_SHARE of the platform effect is mediated
}

#: Keyword switches accepted by :func:`simulate_city_panel` and their defaults.
SWITCHES: dict[str, object] = {
    "homogeneous": False,  # constant effects, no dynamics, no cohort differences
    "pt_violation": False,  # ever-treated units trend differently without treatment
    "anticipation": 0,  # years before adoption in which effects already start
    "missing_share": 0.0,  # share of city-years dropped completely at random
    "all_treated": False,  # every province launches the platform by 2020
    "mediation": False,  # platform -> service efficiency -> entrepreneurship -> rural income is causal
    "pilot": False,  # adds a provincial pilot that some provinces withdraw (pilot_on, rural_eservice_use): dCDH
    "dose": False,  # adds the platform's service-capability dose (service_capability, online_approval_rate)
    "dose_selection": False,  # with dose: cities that gain more choose higher capability (ACRT not identified)
    "effect_scale": 1.0,  # multiplies every treatment effect (0 = no effects)
    "noise_scale": 1.0,  # multiplies the idiosyncratic noise
}

#: Treatment name -> (0/1 column, first-treated-year column; 0 = never within the window).
TREATMENTS: dict[str, tuple[str, str]] = {
    "dg": ("dg_treated", "dg_cohort"),
    "platform": ("platform_treated", "platform_cohort"),
    "smart_city": ("smart_city", "smart_city_cohort"),
}

#: The additions for the estimators beyond staggered adoption: name -> how to get it, and what it is for.
EXTENSIONS: dict[str, str] = {
    "pilot": "simulate_city_panel(pilot=True): a provincial pilot switched on 2014-2016 and withdrawn by a third of "
    "the provinces 2017-2019 (pilot_on), effect on rural_eservice_use; truth.switching (DID_M, joiners, leavers, "
    "TWFE weights); for didbook.dcdh and didbook.twfe_weights",
    "dose": "simulate_city_panel(dose=True): the platform's service-capability score (service_capability, 0 for "
    "never-launching cities), dose-response on online_approval_rate; truth.dose_response(grid); for "
    "didbook.continuous_did (dose_selection=True: selection on gains, ACRT not identified)",
    "province_panel": "didbook.simulate.province_panel(): a province-year panel with one early province (treated "
    "from 2014) and an interactive-fixed-effects gap; truth.att_path; for didbook.synthetic_did and "
    "didbook.synthetic_control",
}

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
GRID_START, GRID_END = 2005, 2025
START_RANGE = (2005, 2012)
END_RANGE = (2016, 2025)

# Platform (paper 2): share of provinces per launch year; the rest (30%) never launch within the
# window, enough never-treated provinces for cluster-robust inference at the province level.
PLATFORM_WAVES = {2015: 0.10, 2016: 0.13, 2017: 0.17, 2018: 0.13, 2019: 0.10, 2020: 0.07}
PLATFORM_WAVES_ALL = {2015: 0.13, 2016: 0.17, 2017: 0.20, 2018: 0.17, 2019: 0.13, 2020: 0.20}
DG_WAVES = (2014, 2016, 2018)
SMART_WAVES = (2013, 2015)
# Size of the platform effect at event time 0 for an average city; chosen so that the ATT
# on the treated in the default panel is about -1 pp (1.3 x the 0.78 pp yearly decline).
PLATFORM_H0 = 0.555
# Effects on the equalization index at adoption for a reference city (see outcomes.add_equalization).
DG_TAU0 = 0.03
SMART_TAU0 = 0.015
#: Digital government (paper 1): effect on each mediator per unit of the equalization effect ``tau_dg`` (so the
#: effects share tau_dg's heterogeneity and dynamics), and the share of dg's effect on ``equalization`` that
#: runs through each channel (the shares sum to 1: no direct effect outside the four channels).
DG_MEDIATOR_EFFECTS = {"online_services": 200.0, "digital_infrastructure": 100.0, "open_data": 150.0,
                       "service_satisfaction": 60.0}  # fmt: skip
DG_CHANNEL_SHARES = {"online_services": 0.45, "digital_infrastructure": 0.35, "open_data": 0.20,
                     "service_satisfaction": 0.0}  # fmt: skip
#: Platform (paper 2): effects on the mechanism outcomes per pp of the gap effect ``h``.
PLATFORM_MECHANISM_EFFECTS = {"service_efficiency": 7.0, "entrepreneurship": 5.0}
#: ``mediation`` scenario: share of the platform's effect on the gap that runs through service efficiency ->
#: entrepreneurship -> rural wage and operating income (0 in every other scenario: there the chain's outcomes
#: move but transmit nothing).
MEDIATED_SHARE = 0.6
#: ``mediation``: new market entities per 10,000 rural residents per point of service efficiency (5/7, so that
#: the platform's effect on entrepreneurship is 5 h as in the baseline), and the fall of the gap (pp) per
#: entity (MEDIATED_SHARE / 5, so the mediated part of the gap effect is exactly MEDIATED_SHARE * h).
ENTRE_PER_EFFICIENCY = PLATFORM_MECHANISM_EFFECTS["entrepreneurship"] / PLATFORM_MECHANISM_EFFECTS["service_efficiency"]
GAP_PER_ENTRE = MEDIATED_SHARE / PLATFORM_MECHANISM_EFFECTS["entrepreneurship"]
#: Untreated common paths (level in 2011, slope a year) around which efficiency and entrepreneurship act in the
#: ``mediation`` scenario (constants: they only shift levels and year effects).
EFFICIENCY_PATH = (38.5, 1.3)
ENTRE_PATH = (47.0, 2.8 + ENTRE_PER_EFFICIENCY * 1.3)
#: ``pilot``: effect on rural_eservice_use (pp) in 2014 for an average city, its common growth a year (as a share
#: of it), and the multiplier of the city level in provinces that keep the pilot and in those that withdraw it
#: (selection on gains: where it works, it is kept).
PILOT_EFFECT0 = 3.0
PILOT_EFFECT_GROWTH = 0.15
PILOT_KEEP_MULT, PILOT_LEAVE_MULT = 1.5, 0.5
#: ``pilot``: shares of provinces that never run the pilot, keep it, withdraw it (in random order: not selected on
#: region or income).
PILOT_SHARES = (0.2, 0.5, 0.3)
#: ``pilot``: first pilot year of the provinces that keep it, and of those that withdraw it; years the latter keep it.
PILOT_KEEP_STARTS, PILOT_LEAVE_STARTS, PILOT_LEAVE_YEARS = (2014, 2015, 2016), (2014, 2015), (3, 4)
#: ``dose``: effect of service capability d on online_approval_rate (pp): DOSE_A d - DOSE_B d^2 (ACRT DOSE_A - 2 DOSE_B d);
#: with ``dose_selection`` a city's whole curve is multiplied by (DOSE_SELECTION_BASE + its own dose).
DOSE_A, DOSE_B, DOSE_SELECTION_BASE = 30.0, 12.0, 0.5
# Untreated income gap: coefficient on log GDP per capita (pp per log point). Parallel trends
# for the gap hold conditional on log_gdp_pc with exactly this linear, common coefficient.
GAP_ON_LOG_GDP = -4.0
#: pt_violation scenario: the untreated gap of ever-launching provinces falls this much faster (pp a year).
PT_VIOLATION_GAP_SLOPE = 0.15
# Standard deviation of the province-year shocks to the untreated income gap (pp).
PROVINCE_SHOCK_SD = 0.30

# Per-indicator calibration: urban level in 2011 (per 10,000 urban residents; education
# spending in yuan per capita), annual log growth, and the 2011 rural/urban ratio.
IND_CAL = {
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

SUBGROUP_VARS = [
    "size_class",
    "admin_tier_group",
    "ruggedness",
    "clan_strength",
    "grassroots_capacity",
    "digitalization",
    "economic_vitality",
    "market_integration",
    "digital_economy",
]


def resolve_switches(scenario: str, overrides: dict) -> dict:
    """The scenario's switches with ``overrides`` applied, type- and range-checked."""
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; valid scenarios: {list(SCENARIOS)}")
    unknown = sorted(set(overrides) - set(SWITCHES))
    if unknown:
        raise TypeError(f"unknown keyword argument(s) {unknown}; valid switches: {list(SWITCHES)}")
    sw = dict(SWITCHES)
    sw.update(SCENARIOS[scenario])
    sw.update(overrides)
    for key in ("homogeneous", "pt_violation", "all_treated", "mediation", "pilot", "dose", "dose_selection"):
        if not isinstance(sw[key], (bool, np.bool_)):
            raise TypeError(f"{key} must be True or False, got {sw[key]!r}")
        sw[key] = bool(sw[key])
    if sw["dose_selection"] and not sw["dose"]:
        raise ValueError("dose_selection=True needs dose=True (it changes the dose-response of the dose columns)")
    ant = sw["anticipation"]
    if isinstance(ant, bool) or not isinstance(ant, (int, np.integer)) or not 0 <= ant <= 3:
        raise ValueError(f"anticipation must be an integer number of years in 0..3, got {ant!r}")
    sw["anticipation"] = int(ant)
    ms = sw["missing_share"]
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms < 0.5:
        raise ValueError(f"missing_share must be a share in [0, 0.5), got {ms!r}")
    sw["missing_share"] = float(ms)
    for key in ("effect_scale", "noise_scale"):
        v = sw[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
            raise ValueError(f"{key} must be a non-negative number, got {v!r}")
        sw[key] = float(v)
    return sw


def check_sizes(seed, n_cities, n_provinces, start_year, end_year) -> None:
    """Raise TypeError/ValueError for a bad seed, size or window."""
    for name, v in (
        ("seed", seed),
        ("n_cities", n_cities),
        ("n_provinces", n_provinces),
        ("start_year", start_year),
        ("end_year", end_year),
    ):
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
    if not START_RANGE[0] <= start_year <= START_RANGE[1]:
        raise ValueError(
            f"start_year must be in {START_RANGE[0]}..{START_RANGE[1]} (before the first policy wave), got {start_year}"
        )
    if not END_RANGE[0] <= end_year <= END_RANGE[1]:
        raise ValueError(f"end_year must be in {END_RANGE[0]}..{END_RANGE[1]}, got {end_year}")


#: What holds by construction in the simulated world, and what follows for each estimator.
#: One row per (treatment, outcome, scenario) claim; ``tests/lib/test_identification.py`` proves each row by
#: Monte Carlo (bias within 3% of the truth and 93-97% coverage for ``recovers``, at least 93% where the
#: interval is said to be conservative; a clear miss in the stated direction for ``misses``). The data chapter and the codebook page render this table.
IDENTIFICATION: list[dict[str, str]] = [
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "baseline",
        "assumption": "parallel trends conditional on log_gdp_pc (linear, one common coefficient); no anticipation",
        "recovers": "BJS or SA with controls=['log_gdp_pc'], province clusters (t with 29 df; the BJS interval is "
        "conservative: effects vary within cohort x year cells)",
        "misses": "TWFE with log_gdp_pc: towards 0 (effects grow with exposure and differ by cohort); "
        "any estimator without log_gdp_pc: too negative (overstates the fall of the gap)",
        "why": "richer eastern provinces grow faster and launch earlier, and growth narrows the gap",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "homogeneous",
        "assumption": "as baseline, and one constant effect for every city and year",
        "recovers": "TWFE with log_gdp_pc, province clusters",
        "misses": "any estimator without log_gdp_pc: too negative",
        "why": "with constant effects the forbidden comparisons compare like with like",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "pt_violation",
        "assumption": f"violated: the untreated gap of launching provinces falls {PT_VIOLATION_GAP_SLOPE} pp a year "
        "faster",
        "recovers": "nothing that assumes parallel trends",
        "misses": "BJS and SA with log_gdp_pc: too negative (the extra trend is credited to the platform)",
        "why": "the differential trend is not a function of any observed covariate",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "anticipation",
        "assumption": "violated: effects start one year before launch",
        "recovers": "nothing with anticipation=0 (the book's default specifications)",
        "misses": "BJS with log_gdp_pc and anticipation=0: towards 0",
        "why": "the year before launch, already treated, serves as a control",
    },
    {
        "treatment": "dg",
        "outcome": "equalization",
        "scenario": "baseline",
        "assumption": "parallel trends conditional on log_gdp_pc (approximately linear in the index) and on "
        "the smart-city pilot (a constant effect, absorbed by its 0/1 dummy)",
        "recovers": "BJS with controls=['log_gdp_pc', 'smart_city'], city clusters (interval conservative: "
        "effects vary within cohort x year cells)",
        "misses": "without log_gdp_pc: too high; TWFE with the five controls and the pilot: too low",
        "why": "policy cities are chosen for size, income and digitalization, and richer, more digital cities "
        "grow faster and close their rural-urban service gap faster",
    },
    {
        "treatment": "platform",
        "outcome": "service_efficiency, entrepreneurship",
        "scenario": "baseline",
        "assumption": "unconditional parallel trends in levels (city level + common trend + noise)",
        "recovers": "BJS without controls, province clusters (interval conservative: effects vary within "
        "cohort x year cells)",
        "misses": "TWFE: towards 0 (heterogeneous, growing effects)",
        "why": "the untreated mechanism outcomes do not depend on growth",
    },
    {
        "treatment": "dg",
        "outcome": "online_services, open_data, service_satisfaction",
        "scenario": "baseline",
        "assumption": "unconditional parallel trends in levels (city level + common trend + noise); only digital "
        "government moves them, by 200, 150 and 60 x its effect on equalization (same heterogeneity and dynamics)",
        "recovers": "BJS without controls, city clusters (interval conservative: effects vary within cohort x year "
        "cells)",
        "misses": "TWFE: too low, by about a fifth (heterogeneous, growing effects)",
        "why": "paper 1's mechanisms: 优化政务服务, 数据共享开放 and 提高服务质量 have no untreated link to growth",
    },
    {
        "treatment": "dg",
        "outcome": "digital_infrastructure",
        "scenario": "baseline",
        "assumption": "unconditional parallel trends in levels; the smart-city pilot adds a constant 3 points (absorbed "
        "by its 0/1 dummy) and the platform 1.5 x its gap effect (nearly orthogonal to dg timing)",
        "recovers": "BJS with controls=['smart_city'], city clusters (interval conservative)",
        "misses": "TWFE with smart_city: too low (heterogeneous, growing effects)",
        "why": "the fourth of paper 1's mechanisms (数字基础设施), moved by three policies",
    },
    {
        "treatment": "dg",
        "outcome": "equalization (channels)",
        "scenario": "baseline",
        "assumption": "Truth.mediation: of dg's effect on equalization, 45% runs through online_services, 35% through "
        "digital_infrastructure, 20% through open_data, none through service_satisfaction; a channel is carried by "
        "the policy-driven part of its mediator, whose untreated variation does not move equalization",
        "recovers": "the effect of dg on each mediator (rows above) and the total effect; the channel shares are not "
        "identified from the data",
        "misses": "the three-step method: BJS with controls=['log_gdp_pc', 'smart_city', 'online_services'] returns the "
        "total effect as the 'direct' effect (indirect about 0; true share 0.45); a significant effect of dg on "
        "service_satisfaction does not make it a channel (share 0)",
        "why": "step 3 learns the mediator's coefficient from untreated city-years, where its variation is not the "
        "channel",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap (mediation)",
        "scenario": "baseline",
        "assumption": "Truth.mediation: mediated share 0. The platform raises service_efficiency (7 x its gap effect) "
        "and entrepreneurship (5 x) and lowers the gap directly; neither mediator moves income",
        "recovers": "each step (rows above); the three-step method: BJS with controls=['log_gdp_pc', "
        "'entrepreneurship'], province clusters, returns the total effect as the direct effect (indirect about 0: "
        "right)",
        "misses": "the two-step reading (the platform moves the mediators and the gap, so the mediators carry the "
        "effect): claims a mediation that is not there",
        "why": "moving together is not transmitting: a mediator can be a parallel consequence of the policy",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap (mediation)",
        "scenario": "mediation",
        "assumption": f"Truth.mediation: mediated share {MEDIATED_SHARE}. Efficiency raises entrepreneurship "
        f"({ENTRE_PER_EFFICIENCY:.4g} entities per point) and each entity lowers the gap by {GAP_PER_ENTRE:.4g} pp "
        "through rural wage and operating income, for every city-year; the direct effect is the other "
        f"{1 - MEDIATED_SHARE:.1f}; no mediator-outcome confounding; the gap's parallel trends as in baseline",
        "recovers": "total: BJS with log_gdp_pc (interval conservative); each step: BJS without controls (interval "
        "conservative); direct effect: BJS with controls=['log_gdp_pc', 'entrepreneurship'], province clusters; "
        "indirect = total - direct",
        "misses": "TWFE with log_gdp_pc and entrepreneurship: the direct effect towards 0",
        "why": "the mediator's untreated variation is causal and unconfounded, so step 3 learns its true coefficient",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "all_treated",
        "assumption": "parallel trends conditional on log_gdp_pc; every province launches 2015-2020: no never-treated "
        "units, and none untreated from 2020",
        "recovers": "the ATT over treated city-years before the last launch (event times 0-4 = last minus first "
        "launch year minus 1): BJS with log_gdp_pc, province clusters (interval conservative; not-yet-treated "
        "comparisons; the 2020-2022 cells are NaN and dropped, with a note)",
        "misses": "TWFE with log_gdp_pc: towards 0 (already-treated provinces as controls). The ATT over all treated "
        "city-years and every event time beyond 4: not identified (the estimators return event times 0-4 only)",
        "why": "from 2020 no province is untreated: nothing to compare the later years with",
    },
    {
        "treatment": "platform",
        "outcome": "service_efficiency",
        "scenario": "all_treated",
        "assumption": "unconditional parallel trends in levels; no never-treated units",
        "recovers": "CS with control='notyet', city clusters, on the treated city-years before 2020 (control='never' "
        "raises an error: no never-treated units)",
        "misses": "the ATT over all treated city-years (not identified, as above)",
        "why": "not-yet-treated provinces are the only comparisons",
    },
    {
        "treatment": "platform",
        "outcome": "income_gap",
        "scenario": "all_treated, homogeneous=True",
        "assumption": "as all_treated, and one constant effect for every city and year",
        "recovers": "TWFE with log_gdp_pc, province clusters: the ATT over all treated city-years, 2020-2022 included",
        "misses": "nothing among these; but constancy is an assumption the data cannot check beyond event time 4",
        "why": "a long-run effect needs a never-treated group (baseline) or an assumption that carries the effect "
        "past the horizon, such as constant effects",
    },
    {
        "treatment": "pilot",
        "outcome": "rural_eservice_use",
        "scenario": "pilot=True",
        "assumption": "unconditional parallel trends in levels; the pilot acts in the year it is in force only (no "
        "dynamic effects, so withdrawing it removes its effect); heterogeneous effects, a city level (3x larger "
        "where the pilot is kept than where it is withdrawn) plus a common path rising 0.45 pp a year, so Y(1) also "
        "follows parallel trends (DID_M's leavers are compared with cities that keep the pilot)",
        "recovers": "dcdh (DID_M): truth.switching's DID_M, the mean effect over the switching city-years, city "
        "clusters (interval conservative: the engine's analytic standard error is about 1.7x the spread)",
        "misses": "TWFE: the ATT over the treated city-years, too low (it estimates truth.switching's 'TWFE "
        "estimand': the long-running pilots' late, largest effects get small or negative weights); nor is it DID_M",
        "why": "TWFE compares joiners and leavers with provinces that have run the pilot for years",
    },
    {
        "treatment": "pilot",
        "outcome": "rural_eservice_use",
        "scenario": "pilot=True, homogeneous=True",
        "assumption": "as pilot=True, and one constant effect (3 pp)",
        "recovers": "dcdh (interval conservative) and TWFE (the negative weights multiply the same effect)",
        "misses": "nothing among these",
        "why": "with constant effects every weighting of the cells gives the same number",
    },
    {
        "treatment": "platform (dose service_capability)",
        "outcome": "online_approval_rate",
        "scenario": "dose=True",
        "assumption": f"parallel trends in levels for every dose, and strong parallel trends: every city has the same "
        f"curve f(d) = {DOSE_A:g} d - {DOSE_B:g} d^2 (no selection on gains); the dose is higher in richer cities",
        "recovers": "continuous_did (cubic B-spline): ATT(d) and ACRT(d) = truth.dose_response(grid), and ATT^o, "
        "ACRT^o = truth.dose['att_o'], ['acrt_o'] (means over the launching cities); the engine's pointwise "
        "intervals of ATT(d) are somewhat narrow (200 draws: coverage 87-94%, standard errors 0.83-0.95 of the "
        "spread); ATT^o's interval conservative",
        "misses": "nothing among these",
        "why": "the score is chosen on levels (income), not on gains or trends",
    },
    {
        "treatment": "platform (dose service_capability)",
        "outcome": "online_approval_rate",
        "scenario": "dose=True, dose_selection=True",
        "assumption": f"parallel trends hold, strong parallel trends fail: a city's curve is ({DOSE_SELECTION_BASE:g} + "
        "its own dose) x f(d), so cities that chose a high score gain more at every score (selection on gains)",
        "recovers": "continuous_did: ATT(d|d) (truth.dose_response's att) and ATT^o",
        "misses": "continuous_did's ACRT(d) and ACRT^o: too high; they estimate the slope of ATT(d|d) (truth "
        "column slope = ACRT(d|d) + the selection term f(d)), not the causal response to more capability",
        "why": "comparing cities with different doses compares different cities, not one city at different doses",
    },
    {
        "treatment": "reform (one early province)",
        "outcome": "income_gap (province_panel)",
        "scenario": "province_panel()",
        "assumption": "interactive fixed effects: the untreated gap loads on an e-commerce factor rising around 2012 "
        "and on a slow cycle; the early province (P01, treated from 2014, modelled on Zhejiang) loads high on "
        "e-commerce, its levels and loadings a weighted average of four donors'",
        "recovers": "approximately: synthetic_control and synthetic_did (the latter's placebo interval covers at "
        "least 90%) are somewhat too negative, by a share of truth.att (the mean of truth.att_path) that depends on "
        "the design: about 14% and 16% over 200 draws on the two test designs, about 20% (SC) and 30% (SDID) on the "
        "book's default design (seed 2024), as weights fitted to noisy pre-periods lean towards the average donor",
        "misses": "DID (TWFE on the province panel): too negative by about twice the effect (truth.did_bias): it "
        "credits the e-commerce boom to the reform",
        "why": "parallel trends fail, but a weighted average of donors shares the early province's factor loadings",
    },
]
