"""Stage 1 of the simulation: the design.

Everything that is not an outcome: provinces and cities, their time-invariant traits, the
time-varying covariates, the three policies' adoption dates, the size of every treatment effect
and the missing-data pattern. The outcome stage (:mod:`._outcomes`) draws the untreated potential
outcomes on top of a fixed design, so a Monte Carlo can re-draw outcomes while the design stays put.
All arrays live on the fixed 2005-2025 calendar grid (N cities x T years).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._config import (
    DG_TAU0,
    DG_WAVES,
    GRID_END,
    GRID_START,
    PLATFORM_H0,
    PLATFORM_WAVES,
    PLATFORM_WAVES_ALL,
    SMART_TAU0,
    SMART_WAVES,
)


def zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def ar1(rng: np.random.Generator, shape: tuple[int, int], sd: float, rho: float) -> np.ndarray:
    """AR(1) noise with stationary marginal sd ``sd`` along axis 1."""
    e = rng.normal(0.0, sd * np.sqrt(1 - rho**2), size=shape)
    out = np.empty(shape)
    out[:, 0] = rng.normal(0.0, sd, size=shape[0])
    for j in range(1, shape[1]):
        out[:, j] = rho * out[:, j - 1] + e[:, j]
    return out


def effect_profile(event_time, cohort_rel, mult, *, base, slope, cap, cohort_slope, k, homogeneous):
    """Effect intensity for each cell given event time (year - cohort), NaN-free.

    Non-homogeneous: ``base * min(1 + slope * e, cap) * (1 - cohort_slope * cohort_rel) * mult``
    for ``e >= 0``, a linear ramp over the ``k`` anticipation years, 0 otherwise.
    Homogeneous: ``base`` for ``e >= 0`` (the same ramp if ``k > 0``).
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


@dataclass
class Design:
    """The drawn design (arrays N x T on the calendar grid unless noted)."""

    sw: dict
    start_year: int
    end_year: int
    years: np.ndarray  # (T,)
    t: np.ndarray  # (1, T) years since 2011
    prov_of_city: np.ndarray  # (N,)
    region: np.ndarray  # (N,)
    traits: dict  # name -> (N,) time-invariant traits written to the panel
    covariates: dict  # name -> (N, T) time-varying covariates written to the panel
    lg0: np.ndarray  # (N,) log GDP per capita in 2011 (without noise)
    zlg0: np.ndarray  # (N,)
    cum: np.ndarray  # (1, T) common log growth since 2011
    urbanization: np.ndarray  # (N, T) urban share of residents
    a_gap: np.ndarray  # (N,) city level of the income gap (pp)
    cohorts: dict  # treatment -> (N,) first year on the full grid (0 = never)
    cohorts_window: dict  # treatment -> (N,) first year, 0 if after end_year
    effects: dict  # treatment -> (N, T) effect intensity (platform: pp of gap; others: index units)
    groups: dict  # subgroup variable -> (N,) labels
    keep: np.ndarray  # (N * T,) rows kept (window and missingness)
    extras: dict = field(default_factory=dict)  # the pilot's and the dose's design (_extras.draw_extras), if on

    @property
    def n_cities(self) -> int:
        return len(self.prov_of_city)


def draw_design(
    rng: np.random.Generator, sw: dict, n_cities: int, n_provinces: int, start_year: int, end_year: int
) -> Design:
    """Draw the design with ``rng``; see the chapter *The simulated city panel* for every choice.

    The stages draw from ``rng`` in a fixed order (geography, traits, covariates, adoption, gap
    level, missingness), so the panel of a seed never changes; each stage reads the names it needs
    from ``v`` and adds what it draws.
    """
    years = np.arange(GRID_START, GRID_END + 1)
    v: dict = {
        "N": n_cities,
        "P": n_provinces,
        "T": len(years),
        "years": years,
        "t": (years - 2011).astype(float)[None, :],  # calendar time relative to 2011
        "ns": sw["noise_scale"],
        "es": sw["effect_scale"],
        "start_year": start_year,
        "end_year": end_year,
        "i0": start_year - GRID_START,  # column of start_year on the grid
        "j11": 2011 - GRID_START,
    }
    for stage in (_geography, _traits, _covariates, _adoption, _gap_level, _groups, _effects, _kept_rows):
        v.update(stage(rng, sw, v))
    cohorts = v["cohorts"]
    traits = {
        "population": v["population"],
        "size_class": v["size_class"],
        "admin_tier": v["admin_tier"],
        "ruggedness": v["ruggedness"],
        "clan_strength": v["clan_strength"],
        "grassroots_capacity": v["grassroots"],
    }
    covariates = {
        "log_gdp_pc": v["lgdp"],
        "fiscal_exp_gdp": v["fiscal_exp"],
        "fiscal_rev_gdp": v["fiscal_rev"],
        "log_internet_users": v["log_internet"],
        "tertiary_share": v["tertiary"],
        "digitalization": v["digitalization"],
        "economic_vitality": v["vitality"],
        "market_integration": v["market"],
        "digital_economy": v["digital_economy"],
    }
    return Design(
        sw=sw,
        start_year=start_year,
        end_year=end_year,
        years=years,
        t=v["t"],
        prov_of_city=v["prov_of_city"],
        region=v["region"],
        traits=traits,
        covariates=covariates,
        lg0=v["lg0"],
        zlg0=v["zlg0"],
        cum=v["cum"],
        urbanization=v["urbanization"],
        a_gap=v["a_gap"],
        cohorts=cohorts,
        cohorts_window={tr: np.where(c > end_year, 0, c) for tr, c in cohorts.items()},
        effects={"platform": v["h_pf"], "dg": v["tau_dg"], "smart_city": v["tau_sc"]},
        groups=v["groups"],
        keep=v["keep"],
    )


def _event(years: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Years since adoption (N x T); -999 for never-treated cities."""
    return np.where(c[:, None] > 0, years[None, :] - c[:, None], -999).astype(float)


def _geography(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Provinces (with their region) and the cities of each province."""
    N, P = v["N"], v["P"]
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
    return {
        "prov_region": prov_region,
        "counts": counts,
        "prov_of_city": prov_of_city,
        "region": region,
        "east": east,
        "west": west,
        "central": central,
    }


def _traits(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Time-invariant city traits: size, capital, income in 2011, tier, terrain, clans, governance."""
    N, counts, prov_of_city, region, east, west, central = (
        v["N"],
        v["counts"],
        v["prov_of_city"],
        v["region"],
        v["east"],
        v["west"],
        v["central"],
    )
    logpop = np.log(380.0) + rng.normal(0.0, 0.55, N) + 0.1 * central
    order = np.lexsort((-logpop, prov_of_city))  # the largest city of each province is its capital
    capital = np.zeros(N, bool)
    capital[order[np.r_[0, np.cumsum(counts)[:-1]]]] = True
    logpop = logpop + 0.35 * capital
    population = np.clip(np.exp(logpop), 35.0, 3800.0)
    size_class = np.where(population >= 500, "large", np.where(population >= 250, "medium", "small"))
    lg0 = (
        np.log(30000.0) + 0.35 * east - 0.18 * west + 0.18 * zscore(logpop) + 0.30 * capital + rng.normal(0.0, 0.28, N)
    )
    zlg0 = zscore(lg0)
    score = zlg0 + 0.7 * zscore(logpop) + rng.normal(0.0, 0.6, N)
    q = np.quantile(score[~capital], [0.90, 0.65, 0.30])
    admin_tier = np.where(
        capital, 1, np.where(score >= q[0], 2, np.where(score >= q[1], 3, np.where(score >= q[2], 4, 5)))
    )
    shape_scale = np.where(region == "east", 0.3, np.where(region == "central", 0.5, 0.9))
    ruggedness = rng.gamma(2.0, 1.0, N) * shape_scale
    clan_strength = np.exp(np.log(0.8) + 0.35 * east + 0.2 * central + rng.normal(0.0, 0.7, N))
    grassroots = np.clip(55 + 8 * east - 6 * west + 5 * zlg0 + rng.normal(0.0, 10.0, N), 2.0, 98.0)
    return {
        "logpop": logpop,
        "capital": capital,
        "population": population,
        "size_class": size_class,
        "lg0": lg0,
        "zlg0": zlg0,
        "admin_tier": admin_tier,
        "ruggedness": ruggedness,
        "clan_strength": clan_strength,
        "grassroots": grassroots,
    }


def _covariates(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Time-varying covariates (N x T): income, fiscal ratios, internet, education, digitalization, ..."""
    N, T, t, ns, east, west, lg0, zlg0, population = (
        v["N"],
        v["T"],
        v["t"],
        v["ns"],
        v["east"],
        v["west"],
        v["lg0"],
        v["zlg0"],
        v["population"],
    )
    growth_path = np.maximum(0.085 - 0.0035 * t, 0.03)
    digi_city = rng.normal(0.0, 0.45, N)
    # city growth differences: more digital and richer cities grow faster
    g_city = 0.012 * zscore(digi_city + 0.6 * zlg0) + rng.normal(0.0, 0.006, N)
    cs = np.cumsum(growth_path, axis=1)
    cum = cs - cs[:, [2011 - GRID_START]]  # common log growth since 2011
    lgdp = lg0[:, None] + cum + g_city[:, None] * t + ar1(rng, (N, T), 0.025 * ns, 0.6)
    fe_city = 0.19 + 0.06 * west - 0.05 * east - 0.025 * zlg0 + rng.normal(0.0, 0.04, N)
    fiscal_exp = np.clip(fe_city[:, None] + 0.002 * t + rng.normal(0.0, 0.008 * ns, (N, T)), 0.05, 0.8)
    fr_city = 0.075 + 0.012 * east + 0.008 * zlg0 + rng.normal(0.0, 0.015, N)
    fiscal_rev = np.clip(fr_city[:, None] - 0.0005 * t + rng.normal(0.0, 0.004 * ns, (N, T)), 0.015, 0.3)
    pen = logistic(
        -2.0 + 0.25 * zlg0[:, None] + 0.16 * t + rng.normal(0.0, 0.2, N)[:, None] + rng.normal(0.0, 0.05 * ns, (N, T))
    )
    log_internet = np.log(population[:, None] * pen)
    tertiary = np.clip(
        0.38
        + 0.04 * east[:, None]
        + 0.03 * zlg0[:, None]
        + rng.normal(0.0, 0.045, N)[:, None]
        + 0.011 * t
        + rng.normal(0.0, 0.01 * ns, (N, T)),
        0.15,
        0.85,
    )
    digitalization = logistic(
        -1.1
        + 0.5 * zlg0[:, None]
        + 0.3 * east[:, None]
        + digi_city[:, None]
        + 0.17 * t
        + rng.normal(0.0, 0.08 * ns, (N, T))
    )
    vitality = logistic(
        -0.3 + 0.2 * zlg0[:, None] + rng.normal(0.0, 0.6, N)[:, None] + 0.03 * t + rng.normal(0.0, 0.1 * ns, (N, T))
    )
    market = logistic(
        0.1
        + 0.3 * east[:, None]
        + 0.1 * zlg0[:, None]
        + rng.normal(0.0, 0.5, N)[:, None]
        + 0.04 * t
        + rng.normal(0.0, 0.08 * ns, (N, T))
    )
    digital_economy = logistic(
        -1.6
        + 0.25 * zlg0[:, None]
        + 0.6 * digi_city[:, None]
        + rng.normal(0.0, 0.45, N)[:, None]
        + 0.15 * t
        + rng.normal(0.0, 0.08 * ns, (N, T))
    )
    urbanization = logistic(
        np.log(0.47 / 0.53)
        + rng.normal(0.0, 0.6, N)[:, None]
        + 0.4 * zlg0[:, None]
        + 0.055 * t
        + rng.normal(0.0, 0.03 * ns, (N, T))
    )
    return {
        "digi_city": digi_city,
        "cum": cum,
        "lgdp": lgdp,
        "fiscal_exp": fiscal_exp,
        "fiscal_rev": fiscal_rev,
        "log_internet": log_internet,
        "tertiary": tertiary,
        "digitalization": digitalization,
        "vitality": vitality,
        "market": market,
        "digital_economy": digital_economy,
        "urbanization": urbanization,
    }


def _adoption(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """First treated year of every city for the three policies (0 = never)."""
    N, P, j11, logpop, zlg0, digitalization, east, prov_region, prov_of_city = (
        v["N"],
        v["P"],
        v["j11"],
        v["logpop"],
        v["zlg0"],
        v["digitalization"],
        v["east"],
        v["prov_region"],
        v["prov_of_city"],
    )
    # digital government: selection on observables (size, income, digitalization, east)
    pscore = logistic(-0.95 + 0.9 * zscore(logpop) + 0.7 * zlg0 + 0.8 * zscore(digitalization[:, j11]) + 0.3 * east)
    ever_dg = rng.random(N) < pscore
    wave_score = np.log(pscore / (1 - pscore)) + rng.normal(0.0, 1.0, N)
    dg_cohort = np.zeros(N, int)
    idx = np.flatnonzero(ever_dg)
    ranked = idx[np.argsort(-wave_score[idx], kind="stable")]
    for w, chunk in zip(DG_WAVES, np.array_split(ranked, len(DG_WAVES))):
        dg_cohort[chunk] = w
    # smart city pilot: more likely in digital-government cities and richer cities
    ever_sc = rng.random(N) < logistic(-1.4 + 1.3 * ever_dg + 0.4 * zlg0)
    sc_cohort = np.where(ever_sc, np.where(rng.random(N) < 0.5, SMART_WAVES[0], SMART_WAVES[1]), 0)
    # platform: staggered by province, east a little earlier
    waves = PLATFORM_WAVES_ALL if sw["all_treated"] else PLATFORM_WAVES
    prov_score = rng.normal(0.0, 1.0, P) - 0.8 * (prov_region == "east") + 0.3 * (prov_region == "west")
    prov_rank = np.argsort(prov_score, kind="stable")
    sizes = [int(np.floor(share * P + 0.5)) for share in waves.values()]
    if sw["all_treated"]:
        sizes[-1] = P - sum(sizes[:-1])
    prov_cohort = np.zeros(P, int)
    pos = 0
    for w, s in zip(waves, sizes):
        prov_cohort[prov_rank[pos : pos + s]] = w
        pos += s
    pf_cohort = prov_cohort[prov_of_city]
    cohorts = {"dg": dg_cohort, "platform": pf_cohort, "smart_city": sc_cohort}
    return {"cohorts": cohorts}


def _gap_level(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """City level of the income gap (pp): region, terrain, tier, governance, income."""
    N, west, central, east, ruggedness, admin_tier, grassroots, zlg0 = (
        v["N"],
        v["west"],
        v["central"],
        v["east"],
        v["ruggedness"],
        v["admin_tier"],
        v["grassroots"],
        v["zlg0"],
    )
    # city level of the income gap (pp): region, terrain, tier, governance, income
    a_gap = (
        2.5 * west
        + 0.8 * central
        - 2.0 * east
        + 1.2 * zscore(ruggedness)
        + 0.8 * (admin_tier - 3.5)
        - 1.0 * zscore(grassroots)
        - 2.0 * zlg0
        + rng.normal(0.0, 2.5, N)
    )
    return {"a_gap": a_gap}


def _groups(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Heterogeneity groups (city level): high/low splits of traits and of covariates in ``start_year``."""
    (
        size_class,
        admin_tier,
        ruggedness,
        clan_strength,
        grassroots,
        digitalization,
        vitality,
        market,
        digital_economy,
        i0,
    ) = (
        v["size_class"],
        v["admin_tier"],
        v["ruggedness"],
        v["clan_strength"],
        v["grassroots"],
        v["digitalization"],
        v["vitality"],
        v["market"],
        v["digital_economy"],
        v["i0"],
    )

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
    return {"groups": groups}


def _effects(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Effect intensity (N x T) of each policy: who gains, and how the effect grows with exposure."""
    (
        years,
        es,
        cohorts,
        admin_tier,
        ruggedness,
        clan_strength,
        grassroots,
        vitality,
        market,
        digital_economy,
        a_gap,
        j11,
        digitalization,
        size_class,
    ) = (
        v["years"],
        v["es"],
        v["cohorts"],
        v["admin_tier"],
        v["ruggedness"],
        v["clan_strength"],
        v["grassroots"],
        v["vitality"],
        v["market"],
        v["digital_economy"],
        v["a_gap"],
        v["j11"],
        v["digitalization"],
        v["size_class"],
    )
    dg_cohort, pf_cohort, sc_cohort = cohorts["dg"], cohorts["platform"], cohorts["smart_city"]
    k, hom = sw["anticipation"], sw["homogeneous"]
    # platform multiplier: bigger in low-tier, rugged, clan-strong, weak-governance cities and
    # where vitality, market integration and the digital economy are high
    m_pf = np.exp(
        0.30 * (admin_tier >= 4)
        + 0.20 * zscore(ruggedness)
        + 0.15 * zscore(np.log(clan_strength))
        - 0.20 * zscore(grassroots)
        + 0.15 * zscore(vitality[:, j11])
        + 0.12 * zscore(market[:, j11])
        + 0.15 * zscore(digital_economy[:, j11])
        + 0.15 * zscore(a_gap)
    )
    m_pf = m_pf / m_pf.mean()
    h_pf = es * effect_profile(
        _event(years, pf_cohort),
        (pf_cohort - 2017.5)[:, None],
        m_pf[:, None],
        base=1.0 if hom else PLATFORM_H0,
        slope=0.35,
        cap=2.5,
        cohort_slope=0.10,
        k=k,
        homogeneous=hom,
    )
    # digital government: only in large/medium, high-digitalization cities
    digi_high = digitalization[:, j11] > np.median(digitalization[:, j11])
    m_dg = np.where(size_class == "large", 1.2, np.where(size_class == "medium", 1.0, 0.05)) * digi_high
    tau_dg = es * effect_profile(
        _event(years, dg_cohort),
        (dg_cohort - 2016)[:, None] / 2.0,
        m_dg[:, None],
        base=DG_TAU0,
        slope=0.30,
        cap=2.0,
        cohort_slope=0.15,
        k=k,
        homogeneous=hom,
    )
    # smart-city pilot: a constant effect, so a 0/1 control for it absorbs it exactly
    tau_sc = es * effect_profile(
        _event(years, sc_cohort), 0.0, 1.0, base=SMART_TAU0, slope=0.0, cap=1.0, cohort_slope=0.0, k=k, homogeneous=hom
    )
    return {"h_pf": h_pf, "tau_dg": tau_dg, "tau_sc": tau_sc}


def _kept_rows(rng: np.random.Generator, sw: dict, v: dict) -> dict:
    """Rows kept: the ``start_year``-``end_year`` window, minus the random missing share."""
    N, T, years, start_year, end_year = v["N"], v["T"], v["years"], v["start_year"], v["end_year"]
    keep = np.repeat(True, N * T) & np.tile((years >= start_year) & (years <= end_year), N)
    miss_draw = rng.random(N * T)  # always drawn, so the stream does not depend on the scenario
    if sw["missing_share"] > 0:
        keep &= miss_draw >= sw["missing_share"]
    return {"keep": keep}
