"""Stage 2 of the simulation: potential outcomes on top of a fixed design.

Each outcome family draws its noise from its own random stream, so one outcome can be re-drawn
alone (:func:`draw_family`) and agree exactly with the same outcome in a full panel.

Identification by construction (baseline scenario); the chapter *The simulated city panel* and
:func:`didbook.simulate_city_panel` document the consequences for each estimator.

* ``income_gap`` without the platform is ``city level + year effect + GAP_ON_LOG_GDP * log_gdp_pc +
  province-year shock + AR(1) city noise``: parallel trends hold conditional on ``log_gdp_pc``,
  linearly and with one common coefficient, and fail unconditionally because richer (eastern)
  provinces grow faster and launch earlier.
* ``service_efficiency``, ``entrepreneurship`` and ``digital_infrastructure`` without treatment are
  ``city level + common trend + noise``: unconditional parallel trends hold in levels. So are paper 1's
  other mediators ``online_services``, ``open_data`` and ``service_satisfaction`` (their own stream,
  ``dg_mechanisms``, added after the others so that every earlier column keeps its draws).
* ``mediation`` scenario: entrepreneurship rises with service efficiency, and the gap falls with
  entrepreneurship, for every city-year (untreated variation included), so the untreated gap carries the
  entrepreneurship noise; parallel trends still hold conditional on ``log_gdp_pc``.
* The rural/urban ratios of the ten indicators converge with each city's own GDP growth, so the
  untreated ``equalization`` index follows (approximately linear) parallel trends conditional on
  ``log_gdp_pc``; the smart-city pilot also moves it (a concurrent policy to control for).
"""

from __future__ import annotations

import numpy as np

from ..inequality import urban_rural_theil
from . import _config as cfg
from ._codebook import INDICATORS
from ._config import GAP_ON_LOG_GDP, IND_CAL
from ._design import Design, ar1, logistic
from ._equalization import equalization_arrays, equalization_transform

# new families go at the end: SeedSequence.spawn gives the earlier ones the same streams whatever the count
FAMILIES = ("gap", "income", "shares", "mechanisms", "indicators", "dg_mechanisms", "pilot", "dose")

#: Paper 1's mediators other than digital infrastructure (moved by digital government only).
DG_MEDIATORS = ("online_services", "open_data", "service_satisfaction")
#: Paper 2's mechanism outcomes (platform) and digital infrastructure, drawn by the ``mechanisms`` stream.
MECHANISM_OUTCOMES = ("service_efficiency", "entrepreneurship", "digital_infrastructure")

#: Outcomes the platform moves through rural income (each has an untreated version ``<name>_y0_platform``).
INCOME_OUTCOMES = (
    "rural_income", "rural_wage_income", "rural_operating_income", "rural_property_income",
    "rural_transfer_income", "income_ratio", "income_gap", "income_theil",
)  # fmt: skip

#: Outcome column -> the outcome family whose stream draws its noise.
FAMILY_OF = {
    "income_gap": ("gap",),
    "income_ratio": ("gap", "income"),
    "income_theil": ("gap", "income"),
    "rural_income": ("gap", "income"),
    "urban_income": ("income",),
    **{f"rural_{c}_income": ("gap", "income", "shares") for c in ("wage", "operating", "property", "transfer")},
    "service_efficiency": ("mechanisms",),
    "entrepreneurship": ("mechanisms",),
    "digital_infrastructure": ("mechanisms",),
    **{k: ("dg_mechanisms",) for k in DG_MEDIATORS},
    "equalization": ("indicators",),
    "rural_eservice_use": ("pilot",),  # pilot=True only
    "online_approval_rate": ("dose",),  # dose=True only
}
# In the ``mediation`` scenario the income outcomes also depend on the ``mechanisms`` stream (outcome_draws
# draws it for them).


def family_rngs(seed_sequence: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One independent generator per outcome family."""
    return {f: np.random.default_rng(s) for f, s in zip(FAMILIES, seed_sequence.spawn(len(FAMILIES)))}


def untreated_gap(d: Design, rng: np.random.Generator) -> np.ndarray:
    """Untreated urban-rural income gap (pp), N x T."""
    ns, t = d.sw["noise_scale"], d.t
    N, T = d.n_cities, len(d.years)
    P = d.prov_of_city.max() + 1
    prov_shock = rng.normal(0.0, cfg.PROVINCE_SHOCK_SD * ns, (P, T))[d.prov_of_city]
    gap0 = (
        62.6
        + d.a_gap[:, None]
        - 0.58 * t
        - 0.008 * t**2
        + prov_shock
        + ar1(rng, (N, T), 1.1 * ns, 0.5)
        + GAP_ON_LOG_GDP * (d.covariates["log_gdp_pc"] - d.lg0[:, None] - d.cum)
    )
    if d.sw["pt_violation"]:
        ever = (d.cohorts["platform"] > 0).astype(float)[:, None]
        gap0 = gap0 - cfg.PT_VIOLATION_GAP_SLOPE * ever * (t - (d.start_year - 2011))
    return gap0


def urban_income(d: Design, rng: np.random.Generator) -> np.ndarray:
    """Per-capita urban disposable income (yuan), N x T: follows log GDP per capita."""
    ns, N, T = d.sw["noise_scale"], d.n_cities, len(d.years)
    log_inc = (
        np.log(21500.0)
        + 0.45 * (d.covariates["log_gdp_pc"] - np.log(30000.0))
        + 0.04 * d.t
        + rng.normal(0.0, 0.08, N)[:, None]
        + rng.normal(0.0, 0.02 * ns, (N, T))
    )
    return np.exp(log_inc)


def income_shares(d: Design, rng: np.random.Generator) -> np.ndarray:
    """Shares of rural income from wages, operations, property and transfers, N x T x 4."""
    ns, N, T = d.sw["noise_scale"], d.n_cities, len(d.years)
    base13 = np.array([0.387, 0.417, 0.021, 0.175])
    base22 = np.array([0.420, 0.346, 0.025, 0.209])
    tt = np.clip((d.years - 2013) / 9.0, -1.0, 1.5)[None, :, None]
    base = base13[None, None, :] + (base22 - base13)[None, None, :] * tt
    logits = np.log(base) + rng.normal(0.0, 0.15, (N, 1, 4)) + rng.normal(0.0, 0.05 * ns, (N, T, 4))
    shares = np.exp(logits)
    return shares / shares.sum(axis=2, keepdims=True)


def untreated_mechanisms(d: Design, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Untreated service efficiency, entrepreneurship and digital infrastructure: city level + trend + noise."""
    ns, N, T, t, z = d.sw["noise_scale"], d.n_cities, len(d.years), d.t, d.zlg0[:, None]
    east = (d.region == "east").astype(float)[:, None]
    eff = (
        100.0 * logistic(-0.5 + 0.15 * z + rng.normal(0.0, 0.2, N)[:, None])
        + 1.3 * t
        + rng.normal(0.0, 2.5 * ns, (N, T))
    )
    entre = 45.0 * np.exp(0.2 * z + rng.normal(0.0, 0.25, N)[:, None]) + 2.8 * t + rng.normal(0.0, 3.0 * ns, (N, T))
    dinf = (
        90.0 * logistic(-1.0 + 0.3 * z + 0.2 * east + rng.normal(0.0, 0.25, N)[:, None])
        + 3.3 * t
        + rng.normal(0.0, 2.0 * ns, (N, T))
    )
    return {"service_efficiency": eff, "entrepreneurship": entre, "digital_infrastructure": dinf}


def untreated_dg_mediators(d: Design, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Untreated online services, open data and service satisfaction: city level + common trend + noise (N x T)."""
    ns, N, T, t, z = d.sw["noise_scale"], d.n_cities, len(d.years), d.t, d.zlg0[:, None]
    east = (d.region == "east").astype(float)[:, None]
    online = (
        45.0 + 4.0 * z + 3.0 * east + rng.normal(0.0, 5.0, N)[:, None] + 2.0 * t + rng.normal(0.0, 2.0 * ns, (N, T))
    )
    # open data took off in the 2010s: a common S-shaped path (additive, so parallel trends hold in levels)
    open_data = (
        8.0 * np.exp(0.25 * z + rng.normal(0.0, 0.3, N)[:, None])
        + 45.0 * logistic(0.4 * (t - 3.0))
        + rng.normal(0.0, 1.5 * ns, (N, T))
    )
    satisfaction = 65.0 + 1.5 * z + rng.normal(0.0, 4.0, N)[:, None] + 0.6 * t + rng.normal(0.0, 2.5 * ns, (N, T))
    return {"online_services": online, "open_data": open_data, "service_satisfaction": satisfaction}


def mechanism_outcomes(d: Design, base: dict) -> tuple[dict, dict]:
    """Observed mechanism outcomes and their untreated versions (key ``(outcome, treatment)``).

    ``base`` holds the untreated draws of :func:`untreated_mechanisms` and, if drawn, of
    :func:`untreated_dg_mediators`. In the ``mediation`` scenario entrepreneurship responds to service
    efficiency (``ENTRE_PER_EFFICIENCY`` per point, untreated variation included), so the platform's effect on
    it, ``5 h``, is the same as in the baseline but now runs through efficiency.
    """
    tau = d.effects["dg"]
    obs, y0 = _platform_mechanisms(d, base) if "service_efficiency" in base else ({}, {})
    for k in DG_MEDIATORS:
        if k in base:
            obs[k] = base[k] + cfg.DG_MEDIATOR_EFFECTS[k] * tau
            y0[(k, "dg")] = base[k]
    return obs, y0


def _platform_mechanisms(d: Design, base: dict) -> tuple[dict, dict]:
    """Service efficiency, entrepreneurship and digital infrastructure (see :func:`mechanism_outcomes`)."""
    h = d.effects["platform"]
    eff = cfg.PLATFORM_MECHANISM_EFFECTS["service_efficiency"] * h
    obs = {"service_efficiency": base["service_efficiency"] + eff}
    y0 = {("service_efficiency", "platform"): base["service_efficiency"]}
    if d.sw["mediation"]:  # entrepreneurship responds to efficiency, untreated variation included
        path = cfg.EFFICIENCY_PATH[0] + cfg.EFFICIENCY_PATH[1] * d.t
        entre0 = base["entrepreneurship"] + cfg.ENTRE_PER_EFFICIENCY * (base["service_efficiency"] - path)
        y0[("entrepreneurship", "platform")] = entre0
        obs["entrepreneurship"] = entre0 + cfg.ENTRE_PER_EFFICIENCY * eff
    else:
        y0[("entrepreneurship", "platform")] = base["entrepreneurship"]
        obs["entrepreneurship"] = base["entrepreneurship"] + cfg.PLATFORM_MECHANISM_EFFECTS["entrepreneurship"] * h
    parts = {
        "dg": cfg.DG_MEDIATOR_EFFECTS["digital_infrastructure"] * d.effects["dg"],
        "smart_city": 200.0 * d.effects["smart_city"],
        "platform": 1.5 * h,
    }
    obs["digital_infrastructure"] = base["digital_infrastructure"] + sum(parts.values())
    for tr, part in parts.items():
        y0[("digital_infrastructure", tr)] = obs["digital_infrastructure"] - part
    return obs, y0


def gap_shifts(d: Design, obs_mech: dict | None = None, y0_mech: dict | None = None) -> tuple:
    """How far the platform world and the untreated world lower the gap below ``untreated_gap`` (pp, N x T).

    Baseline: ``h`` and 0 (the platform acts on income directly). ``mediation``: the direct part
    ``(1 - MEDIATED_SHARE) h`` plus ``GAP_PER_ENTRE`` per entity of entrepreneurship above its common path, in
    both worlds, so that the mediated part of the effect is exactly ``MEDIATED_SHARE * h``.
    """
    h = d.effects["platform"]
    if not d.sw["mediation"]:
        return h, np.zeros_like(h)
    path = cfg.ENTRE_PATH[0] + cfg.ENTRE_PATH[1] * d.t
    via0 = cfg.GAP_PER_ENTRE * (y0_mech[("entrepreneurship", "platform")] - path)
    via = cfg.GAP_PER_ENTRE * (obs_mech["entrepreneurship"] - path)
    return (1.0 - cfg.MEDIATED_SHARE) * h + via, via0


def indicators(d: Design, rng: np.random.Generator) -> tuple[dict, dict]:
    """Urban indicators and untreated rural indicators (without digital government or smart city)."""
    ns, N, T, t = d.sw["noise_scale"], d.n_cities, len(d.years), d.t
    east = (d.region == "east").astype(float)[:, None]
    west = (d.region == "west").astype(float)[:, None]
    ratio_city = rng.normal(0.0, 0.08, N)[:, None] + 0.05 * d.zlg0[:, None] - 0.04 * west
    ratio_common = rng.normal(0.0, 0.03 * ns, (N, T))
    # rural/urban ratios converge over time, faster in faster-growing cities
    conv = 0.12 * d.cum + 0.4 * (d.covariates["log_gdp_pc"] - d.lg0[:, None] - d.cum)
    if d.sw["pt_violation"]:
        conv = conv + 0.008 * (d.cohorts["dg"] > 0).astype(float)[:, None] * (t - (d.start_year - 2011))
    urban, rural = {}, {}
    for name in INDICATORS:
        lvl, gr, r0 = IND_CAL[name]
        urban[name] = np.exp(
            np.log(lvl) + gr * t + 0.08 * east + rng.normal(0.0, 0.15, N)[:, None] + rng.normal(0.0, 0.04 * ns, (N, T))
        )
        rural[name] = urban[name] * np.exp(
            np.log(r0)
            + ratio_city
            + rng.normal(0.0, 0.12, N)[:, None]
            + conv
            + ratio_common
            + rng.normal(0.0, 0.05 * ns, (N, T))
        )
    return urban, rural


def income_outcomes(
    d: Design, gap0: np.ndarray, urban: np.ndarray, shares: np.ndarray, shifts: tuple | None = None
) -> tuple[dict, dict]:
    """Observed and untreated (platform switched off) income outcomes, each N x T.

    The platform raises rural income by ``h`` percent of urban income (40% wages, 60% operating
    income), which lowers ``income_gap`` by exactly ``h`` percentage points. ``shifts`` (from
    :func:`gap_shifts`; default ``(h, 0)``) generalizes this to the ``mediation`` scenario: rural wage and
    operating income rise by ``shift`` percent of urban income in each world.
    """
    shift, shift0 = gap_shifts(d) if shifts is None else shifts
    comp0 = (urban * (1.0 - gap0 / 100.0))[:, :, None] * shares
    comp = comp0.copy()
    for c, s in ((comp, shift), (comp0, shift0)):
        delta = urban * s / 100.0
        c[:, :, 0] += 0.4 * delta
        c[:, :, 1] += 0.6 * delta
    urb = d.urbanization
    pop = d.traits["population"][:, None]

    def family(c):
        rural = c.sum(axis=2)
        out = {
            "urban_income": urban,
            "rural_income": rural,
            "income_ratio": urban / rural,
            "income_gap": 100.0 * (1.0 - rural / urban),
            "income_theil": urban_rural_theil(urban, rural, pop * urb, pop * (1.0 - urb)),
        }
        for j, nm in enumerate(("wage", "operating", "property", "transfer")):
            out[f"rural_{nm}_income"] = c[:, :, j]
        return out

    return family(comp), family(comp0)


def add_policy_effects_to_index(
    urban: np.ndarray,
    rural0: np.ndarray,
    tau_dg: np.ndarray,
    tau_sc: np.ndarray,
    *,
    start: tuple | None = None,
    tol: float = 1e-14,
    max_iter: int = 100,
) -> dict[str, np.ndarray]:
    """Rural indicators with the policy effects, and the equalization index with and without each policy.

    ``urban`` and ``rural0`` are (rows x 10) indicator matrices in the order of :data:`INDICATORS`
    (``rural0`` without digital government and smart city). The observed rural indicators are
    ``R0 * (1 + s_dg + s_sc)`` with ``s = tau * U / A``, where, for the index fitted on the observed
    panel, ``U`` is a row's urban index and ``A = sum_j w_j R0_j / range_j`` (weights ``w``, pooled
    min-max ranges). The rural index is linear in the indicators, so switching a policy off lowers it
    by ``s * A = tau * U``: the equalization ratio falls by exactly ``tau``. The fit depends on the
    observed indicators, so ``s`` is found by fixed-point iteration with the library's own
    :func:`didbook.equalization_index`, whose fit defines the column (run on arrays by its bit-identical
    NumPy twin, :func:`._equalization.equalization_arrays`).

    Returns
    -------
    dict
        ``rural`` (observed rural indicators), ``equalization``, and for ``tr`` in ``dg``,
        ``smart_city``: ``rural_y0_<tr>`` and ``equalization_y0_<tr>`` (that policy switched off);
        ``s``, the converged scale factors (a good ``start`` for a similar panel).
    """
    s = (np.zeros(len(urban)), np.zeros(len(urban))) if start is None else start
    for _ in range(max_iter):
        observed = rural0 * (1.0 + s[0] + s[1])[:, None]
        eq = equalization_arrays(urban, observed)
        a = (rural0 / eq["scale"]) @ eq["weights"]
        u = eq["urban"]
        new = (tau_dg * u / a, tau_sc * u / a)
        if max(np.abs(new[0] - s[0]).max(), np.abs(new[1] - s[1]).max()) <= tol:
            break  # keep the s that produced this fit
        s = new
    else:
        raise RuntimeError(f"the equalization effects did not converge in {max_iter} iterations")
    if not np.isfinite(eq["equalization"]).all():
        raise ValueError("the simulated equalization index is not finite")
    out = {"rural": observed, "equalization": eq["equalization"], "s": s}
    for tr, s_other in (("dg", s[1]), ("smart_city", s[0])):
        rural_y0 = rural0 * (1.0 + s_other)[:, None]
        y0 = equalization_transform(urban, rural_y0, eq)
        # where the policy is not in force the indicators are identical: copy the observed value so
        # that the effect is exactly 0 (transform and fit sum in a different order, ~1e-17 apart)
        same = (rural_y0 == observed).all(axis=1)
        out[f"rural_y0_{tr}"] = rural_y0
        out[f"equalization_y0_{tr}"] = np.where(same, out["equalization"], y0)
    return out
