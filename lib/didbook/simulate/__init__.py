"""The simulated Chinese city panel: a city-year panel with known true effects.

The numbers are **simulated**. They imitate the look of Chinese prefecture-level city
statistics (magnitudes anchored to national statistical-yearbook figures, see
:data:`ANCHORS`) but they are not observations of any real city: cities and provinces carry
synthetic identifiers (``C001``, ``P01``). Because the data are generated, every potential
outcome is known, so the true average treatment effects are returned next to the data
(:class:`Truth`) and every estimator in the book can be checked against them.

The simulation runs in stages, one module each:

``_design``
    Provinces, cities, traits, covariates, the adoption dates of the three policies, the size
    of every effect and the missing-data pattern.
``_outcomes``
    Untreated potential outcomes drawn on top of the design (one random stream per outcome
    family, so a Monte Carlo can re-draw outcomes with the design held fixed: :func:`outcome_draws`),
    and the observed outcomes under the realized policies.
``_truth``
    The true effects (:class:`Truth`) from the potential outcomes.
``_codebook``
    The codebook and the shipped files (:func:`city_panel_codebook`, :func:`load_city_panel`).

Three policies are simulated: ``dg`` (digital-government policy cities, paper 1, waves 2014, 2016,
2018, selected on size, income and digitalization), ``platform`` (integrated government-service
platform launches, paper 2, staggered by province 2015-2020) and ``smart_city`` (a concurrent
pilot, 2013 and 2015 waves, more likely in digital-government cities). The design is described in
full in the book chapter *The simulated city panel*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._codebook import CSV_FLOAT_FORMAT, INDICATORS, city_panel_codebook, city_panel_files, load_city_panel
from ._config import (
    ANCHORS,
    DG_CHANNEL_SHARES,
    DG_MEDIATOR_EFFECTS,
    EXTENSIONS,
    IDENTIFICATION,
    MEDIATED_SHARE,
    PT_VIOLATION_GAP_SLOPE,
    SCENARIOS,
    SWITCHES,
    TREATMENTS,
    check_sizes,
    resolve_switches,
)
from ._design import Design, draw_design
from ._extras import EXTRA_COLUMNS, draw_extras, extra_outcomes, switching_truth, untreated_extras
from ._outcomes import (
    DG_MEDIATORS,
    FAMILY_OF,
    INCOME_OUTCOMES,
    MECHANISM_OUTCOMES,
    add_policy_effects_to_index,
    family_rngs,
    gap_shifts,
    income_outcomes,
    income_shares,
    indicators,
    mechanism_outcomes,
    untreated_dg_mediators,
    untreated_gap,
    untreated_mechanisms,
    urban_income,
)
from ._province import EARLY_PROVINCE, EARLY_YEAR, ProvincePanel, ProvinceTruth, province_panel
from ._truth import Truth, compute_truth

__all__ = [
    "SCENARIOS",
    "SWITCHES",
    "TREATMENTS",
    "INDICATORS",
    "ANCHORS",
    "IDENTIFICATION",
    "PT_VIOLATION_GAP_SLOPE",
    "MEDIATED_SHARE",
    "DG_CHANNEL_SHARES",
    "DG_MEDIATOR_EFFECTS",
    "EXTENSIONS",
    "CSV_FLOAT_FORMAT",
    "CityPanel",
    "Truth",
    "simulate_city_panel",
    "outcome_draws",
    "province_panel",
    "ProvincePanel",
    "ProvinceTruth",
    "EARLY_PROVINCE",
    "EARLY_YEAR",
    "load_city_panel",
    "city_panel_codebook",
    "city_panel_files",
]


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
            if (treatment in TREATMENTS or treatment == "pilot") and outcome in self.data.columns:
                return self.data[outcome].copy()  # not affected by this treatment
            raise KeyError(f"unknown treatment {treatment!r} or outcome {outcome!r}")
        return self.counterfactual[col].rename(outcome)

    def __repr__(self) -> str:
        p = self.params
        return (
            f"CityPanel(seed={p['seed']}, scenario={p['scenario']!r}, {p['n_cities']} cities, "
            f"{p['start_year']}-{p['end_year']}, {len(self.data)} city-years)\n" + self.truth.summary()
        )


# ----------------------------------------------------------------------------------------------
# Assembly
# ----------------------------------------------------------------------------------------------


def _streams(seed: int, design_seed: int | None) -> tuple[np.random.Generator, np.random.SeedSequence]:
    ds = seed if design_seed is None else design_seed
    return np.random.default_rng(np.random.SeedSequence([int(ds), 1])), np.random.SeedSequence([int(seed), 2])


def _design(
    seed, design_seed, sw, n_cities, n_provinces, start_year, end_year
) -> tuple[Design, np.random.SeedSequence]:
    """The design (with the pilot's and the dose's, if switched on) and the outcomes' seed sequence."""
    drng, oss = _streams(seed, design_seed)
    design = draw_design(drng, sw, n_cities, n_provinces, start_year, end_year)
    if sw["pilot"] or sw["dose"]:
        design.extras = draw_extras(seed if design_seed is None else design_seed, design)
    return design, oss


def _treated(d: Design, tr: str) -> np.ndarray:
    c = d.cohorts_window[tr]
    return ((c[:, None] > 0) & (d.years[None, :] >= c[:, None])).astype(int)


def _index(d: Design, urban: dict, rural0: dict, start: tuple | None = None) -> dict:
    keep = d.keep
    U = np.column_stack([urban[k].ravel()[keep] for k in INDICATORS])
    R0 = np.column_stack([rural0[k].ravel()[keep] for k in INDICATORS])
    return add_policy_effects_to_index(
        U, R0, d.effects["dg"].ravel()[keep], d.effects["smart_city"].ravel()[keep], start=start
    )


def _build(d: Design, oss: np.random.SeedSequence) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observed panel and untreated potential outcomes for the kept city-years."""
    rngs = family_rngs(oss)
    N, T, keep = d.n_cities, len(d.years), d.keep
    gap0 = untreated_gap(d, rngs["gap"])
    base = {**untreated_mechanisms(d, rngs["mechanisms"]), **untreated_dg_mediators(d, rngs["dg_mechanisms"])}
    obs_mech, y0_mech = mechanism_outcomes(d, base)
    shifts = gap_shifts(d, obs_mech, y0_mech)
    obs_inc, y0_inc = income_outcomes(
        d, gap0, urban_income(d, rngs["income"]), income_shares(d, rngs["shares"]), shifts
    )
    urban_ind, rural0 = indicators(d, rngs["indicators"])

    def col(x):
        return np.asarray(x).ravel()[keep]

    cities = np.array([f"C{i + 1:03d}" for i in range(N)])
    frames = {
        "city_id": np.repeat(cities, T)[keep],
        "province_id": np.repeat([f"P{p + 1:02d}" for p in d.prov_of_city], T)[keep],
        "region": np.repeat(d.region, T)[keep],
        "year": np.tile(d.years, N)[keep],
        **{k: np.repeat(v, T)[keep] for k, v in d.traits.items()},
        **{k: col(v) for k, v in d.covariates.items()},
    }
    for tr, (dcol, ccol) in TREATMENTS.items():
        frames[dcol] = col(_treated(d, tr))
        frames[ccol] = np.repeat(d.cohorts_window[tr], T)[keep]
    ix = _index(d, urban_ind, rural0)
    for j, k in enumerate(INDICATORS):
        frames[f"{k}_urban"] = col(urban_ind[k])
        frames[f"{k}_rural"] = ix["rural"][:, j]
    urb = d.urbanization
    pop = d.traits["population"][:, None]
    frames.update({"urban_population": col(pop * urb), "rural_population": col(pop * (1.0 - urb))})
    for k in ("urban_income", *INCOME_OUTCOMES):
        frames[k] = col(obs_inc[k])
    for k in (*MECHANISM_OUTCOMES, *DG_MEDIATORS):
        frames[k] = col(obs_mech[k])
    frames["equalization"] = ix["equalization"]
    data = pd.DataFrame(frames)

    cf = {"city_id": frames["city_id"], "year": frames["year"]}
    for k in INCOME_OUTCOMES:
        cf[f"{k}_y0_platform"] = col(y0_inc[k])
    for (k, tr), v in y0_mech.items():
        cf[f"{k}_y0_{tr}"] = col(v)
    for tr in ("dg", "smart_city"):
        cf[f"equalization_y0_{tr}"] = ix[f"equalization_y0_{tr}"]
        for j, k in enumerate(INDICATORS):
            cf[f"{k}_rural_y0_{tr}"] = ix[f"rural_y0_{tr}"][:, j]
    _add_extras(d, rngs, data, cf, col)
    counterfactual = pd.DataFrame(cf)
    data["year"] = data["year"].astype("int64")
    for c in (
        "admin_tier",
        "dg_treated",
        "dg_cohort",
        "platform_treated",
        "platform_cohort",
        "smart_city",
        "smart_city_cohort",
    ):
        data[c] = data[c].astype("int64")
    for c in ("city_id", "province_id", "region", "size_class"):
        data[c] = data[c].astype("str")
    return data, counterfactual


def _add_extras(d: Design, rngs: dict, data: pd.DataFrame, cf: dict, col) -> None:
    """Append the pilot's and the dose's columns (switched on only) to ``data`` and their untreated outcomes to ``cf``."""
    if not d.extras:
        return
    obs, base = extra_outcomes(d, untreated_extras(d, rngs))
    for switch in ("pilot", "dose"):
        if d.sw[switch]:
            for name in EXTRA_COLUMNS[switch]:
                data[name] = col(obs[name])
    for (k, tr), v in base.items():
        cf[f"{k}_y0_{tr}"] = col(v)
    if d.sw["pilot"]:
        data["pilot_on"] = data["pilot_on"].astype("int64")


def _redraw_outcome(design: Design, rngs: dict, outcome: str, treatment: str) -> tuple[np.ndarray, np.ndarray]:
    """One outcome other than ``equalization`` and its untreated version (``treatment`` off), kept rows."""
    keep = design.keep
    if outcome in ("rural_eservice_use", "online_approval_rate"):
        o, b = extra_outcomes(design, untreated_extras(design, rngs))
        return o[outcome].ravel()[keep], b.get((outcome, treatment), o[outcome]).ravel()[keep]
    if outcome in DG_MEDIATORS:
        o, y0m = mechanism_outcomes(design, untreated_dg_mediators(design, rngs["dg_mechanisms"]))
    elif outcome in MECHANISM_OUTCOMES or design.sw["mediation"]:
        o, y0m = mechanism_outcomes(design, untreated_mechanisms(design, rngs["mechanisms"]))
    if outcome in (*MECHANISM_OUTCOMES, *DG_MEDIATORS):
        return o[outcome].ravel()[keep], y0m.get((outcome, treatment), o[outcome]).ravel()[keep]
    shifts = gap_shifts(design, o, y0m) if design.sw["mediation"] else gap_shifts(design)
    gap0 = untreated_gap(design, rngs["gap"])
    if outcome == "income_gap":  # the platform world lowers the gap by exactly shift pp
        o, b = {"income_gap": gap0 - shifts[0]}, {"income_gap": gap0 - shifts[1]}
    else:
        o, b = income_outcomes(
            design, gap0, urban_income(design, rngs["income"]), income_shares(design, rngs["shares"]), shifts
        )
    return o[outcome].ravel()[keep], (b if treatment == "platform" else o)[outcome].ravel()[keep]


def simulate_city_panel(
    seed: int = 2024,
    *,
    design_seed: int | None = None,
    n_cities: int = 280,
    n_provinces: int = 30,
    start_year: int = 2011,
    end_year: int = 2022,
    scenario: str = "baseline",
    **overrides,
) -> CityPanel:
    """Simulate the Chinese prefecture-city panel with known true effects.

    The data are simulated (synthetic city and province identifiers); magnitudes are
    calibrated to national statistics (:data:`ANCHORS`). The design (cities, traits, covariates,
    adoption dates, effect sizes, missingness) is drawn from ``design_seed`` (default: ``seed``)
    and the untreated outcomes from ``seed``, so holding ``design_seed`` fixed and varying ``seed``
    re-draws the outcomes on one design. Draws are made on a fixed 2005-2025 grid, so a shorter
    window is an exact subset of a longer one, except for ``equalization`` and the rural indicators
    of digital-government and smart-city city-years: ``equalization`` is the index of
    :func:`didbook.equalization_index` (default settings) fitted on the panel being generated, and
    the policy effects on the rural indicators are sized on that index's scale (see *Notes*).

    Parameters
    ----------
    seed : int
        Random seed of the outcomes (and of the design unless ``design_seed`` is given).
    design_seed : int, optional
        Random seed of the design.
    n_cities, n_provinces : int
        Number of prefecture-level cities and of provinces (at least 2 cities per
        province). Provinces are split into east/central/west in proportions 11:8:11.
    start_year, end_year : int
        Panel window (start in 2005-2012, end in 2016-2025). Cohort columns are 0 for units
        first treated after ``end_year``.
    scenario : str
        One of :data:`SCENARIOS`: ``"baseline"``, ``"homogeneous"`` (constant effects: TWFE
        unbiased), ``"pt_violation"`` (ever-treated units trend differently without treatment),
        ``"anticipation"`` (effects start one year early), ``"unbalanced"`` (8% of city-years
        missing at random), ``"all_treated"`` (national rollout: every province launches the platform
        2015-2020, no never-treated units; only event times 0-4 are identified), ``"mediation"`` (paper 2's
        chain is real: :data:`MEDIATED_SHARE` = 0.6 of the platform's effect on the gap runs through service
        efficiency -> entrepreneurship -> rural wage and operating income, 0.4 is direct; in every other
        scenario the mediated share is 0).
    **overrides
        Switches from :data:`SWITCHES` that override the scenario's settings and can be
        combined: ``homogeneous`` (bool), ``pt_violation`` (bool), ``anticipation`` (int years,
        0-3), ``missing_share`` (float in [0, 0.5)), ``all_treated`` (bool), ``mediation`` (bool), ``effect_scale``
        (float >= 0, multiplies every effect), ``noise_scale`` (float >= 0), and the additions for the estimators
        beyond staggered adoption (:data:`EXTENSIONS`; each appends columns, every other column stays as without
        it): ``pilot`` (bool), ``dose`` (bool), ``dose_selection`` (bool, needs ``dose``).

    Returns
    -------
    CityPanel
        ``.data`` (tidy city-year frame), ``.truth`` (:class:`Truth`), ``.params``,
        ``.codebook``, ``.counterfactual`` (untreated potential outcomes), ``.subgroups``.

    Notes
    -----
    **Identification by construction.** :data:`IDENTIFICATION` lists, for each (treatment, outcome)
    pair the book uses and each scenario, which identifying assumption holds in this world and which
    estimators therefore recover ``truth`` and which miss it, in which direction and why; the test
    suite proves every row by Monte Carlo. In short: the untreated income gap follows parallel trends
    *conditional on* ``log_gdp_pc`` (richer eastern provinces grow faster and launch the platform
    earlier, and growth narrows the gap), so imputation (BJS) or Sun-Abraham with ``log_gdp_pc`` and
    province-clustered errors are unbiased with nominal coverage, while TWFE is pulled towards 0 by
    effects that grow with exposure and estimators without ``log_gdp_pc`` overstate the effect. The
    untreated equalization index follows parallel trends conditional on ``log_gdp_pc`` and the
    smart-city pilot; the untreated mechanism outcomes follow unconditional parallel trends.

    **Mechanisms** (``truth.mediation``, ``truth.mechanism``). Paper 1's four channels are columns:
    ``online_services`` (优化政务服务), ``service_satisfaction`` (提高服务质量), ``digital_infrastructure``
    (数字基础设施) and ``open_data`` (数据共享开放); digital government raises them by
    :data:`DG_MEDIATOR_EFFECTS` x its effect on ``equalization`` (BJS recovers each; TWFE is too low), and
    they carry 45%, 0%, 35% and 20% of that effect (:data:`DG_CHANNEL_SHARES`), through their
    policy-driven part only, so the three-step method (the mediator as a control) cannot find the
    channels. Paper 2's chain: in the baseline the platform raises ``service_efficiency`` and
    ``entrepreneurship`` but lowers the gap directly (mediated share 0; the three-step method says so, the
    two-step reading does not); in ``scenario="mediation"`` the chain is causal and carries 0.6, and BJS
    with ``log_gdp_pc`` and ``entrepreneurship`` as controls recovers the direct effect.

    **National rollout** (``scenario="all_treated"``): no never-treated units and none untreated from
    2020, so only the ATT over the treated city-years before 2020 (event times 0-4) is identified: BJS
    with ``log_gdp_pc`` and CS with ``control="notyet"`` recover it and return no later event times;
    ``control="never"`` raises; TWFE is pulled towards 0. The effect over all treated city-years needs an
    assumption about effects after the horizon (with ``homogeneous=True`` TWFE recovers it).

    **A pilot that switches off** (``pilot=True``, for :func:`didbook.dcdh`): ``pilot_on`` (0/1), a provincial
    pilot of village digital service points that a fifth of the provinces never run, half start in 2014-2016 and
    keep, 30% start in 2014-2015 and withdraw after three or four years; it raises ``rural_eservice_use`` (pp)
    in the years it is in force only. ``truth.switching`` holds DID_M (mean effect over the switching city-years),
    the joiners' and leavers' effects, the ATT, the TWFE estimand and the share of treated city-years with a
    negative TWFE weight; ``truth.att[("pilot", "rural_eservice_use")]`` the ATT. Effects differ by city and grow
    over time, so TWFE misses the ATT while ``dcdh`` recovers DID_M (``homogeneous=True``: both recover 3 pp).

    **A dose** (``dose=True``, for :func:`didbook.continuous_did`): ``service_capability`` in (0, 1], the
    platform's service-capability score of each launching city (constant; 0 where the province does not launch
    in the window), and ``online_approval_rate`` (pp), raised from launch on by ``f(d) = 30 d - 12 d^2``;
    ``truth.dose_response(grid)`` gives ATT(d), ACRT(d) and the slope a comparison of doses identifies,
    ``truth.dose["att_o"]``/``["acrt_o"]`` the overall ATT and ACRT. Strong parallel trends hold, so
    ``continuous_did`` recovers both curves; with ``dose_selection=True`` cities that chose a higher score gain
    more at every score: ATT(d) is still recovered, the ACRT is not (the estimate is the slope, too high).

    **One early province** (SC, SDID) is a separate world: :func:`province_panel`.

    Paper 1's outcome ``equalization`` is
    ``didbook.equalization_index(data, didbook.PUBLIC_SERVICE_DIMENSIONS).equalization``
    computed on the returned ``data``. The digital-government policy and the smart-city pilot
    multiply every rural indicator of a treated city-year by the same factor, chosen so that, with
    the normalization and weights fitted on the observed panel, the index rises by exactly the
    designed effect (for digital government 0.03 at adoption in a medium-sized, highly digital city
    of the 2016 wave, growing with time since adoption and zero in low-digitalization cities; 0.015
    at adoption for the pilot; exactly 0.03 and 0.015 in every treated city-year under
    ``homogeneous``). The untreated potential outcome of ``equalization`` is the index of the
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
    check_sizes(seed, n_cities, n_provinces, start_year, end_year)
    if design_seed is not None:
        check_sizes(design_seed, n_cities, n_provinces, start_year, end_year)
    sw = resolve_switches(scenario, overrides)
    design, oss = _design(seed, design_seed, sw, n_cities, n_provinces, start_year, end_year)
    data, counterfactual = _build(design, oss)
    subgroups = pd.DataFrame({"city_id": [f"C{i + 1:03d}" for i in range(n_cities)], **design.groups})
    truth = compute_truth(data, counterfactual, subgroups, MEDIATED_SHARE if sw["mediation"] else 0.0)
    _extra_truth(truth, design, data, counterfactual)
    params = {
        "seed": int(seed),
        "design_seed": int(seed if design_seed is None else design_seed),
        "n_cities": int(n_cities),
        "n_provinces": int(n_provinces),
        "start_year": int(start_year),
        "end_year": int(end_year),
        "scenario": scenario,
        **sw,
    }
    cb = city_panel_codebook(extras=True).set_index("column").loc[list(data.columns)].reset_index()
    return CityPanel(
        data=data,
        truth=truth,
        params=params,
        codebook=cb,
        counterfactual=counterfactual,
        subgroups=subgroups,
    )


def _extra_truth(truth: Truth, d: Design, data: pd.DataFrame, cf: pd.DataFrame) -> None:
    """The pilot's and the dose's truth: ``att`` entries, ``switching`` and ``dose``."""
    if d.sw["pilot"]:
        on = data["pilot_on"].to_numpy() == 1
        effect = data["rural_eservice_use"].to_numpy() - cf["rural_eservice_use_y0_pilot"].to_numpy()
        truth.att[("pilot", "rural_eservice_use")] = float(effect[on].mean())
        truth.switching = switching_truth(data, cf, d.extras["pilot_tau"].ravel()[d.keep])
    if d.sw["dose"]:
        from ._extras import dose_curve

        doses = d.extras["dose"][d.extras["dose"] > 0]
        truth.dose = {"selection": d.sw["dose_selection"], "scale": d.sw["effect_scale"], "doses": doses}
        own = dose_curve(doses, d.sw["dose_selection"], d.sw["effect_scale"])
        truth.dose.update(att_o=float(own["att"].mean()), acrt_o=float(own["acrt"].mean()))


def outcome_draws(
    treatment: str,
    outcome: str,
    seeds: Sequence[int],
    *,
    design_seed: int,
    scenario: str = "baseline",
    n_cities: int = 280,
    n_provinces: int = 30,
    start_year: int = 2011,
    end_year: int = 2022,
    **overrides,
) -> tuple[CityPanel, np.ndarray, np.ndarray]:
    """Re-draw one outcome many times on one fixed design (for Monte Carlo studies).

    Only the random stream of the outcome's family is drawn for each seed, so column ``r`` of
    ``Y`` equals ``simulate_city_panel(seeds[r], design_seed=design_seed, ...).data[outcome]``
    exactly, at a fraction of the cost.

    Parameters
    ----------
    treatment : {"platform", "dg", "smart_city"}
        The policy whose effect ``truth`` measures.
    outcome : str
        An outcome column, e.g. ``"income_gap"`` or ``"equalization"``.
    seeds : sequence of int
        Outcome seeds, one per draw.
    design_seed : int
        Seed of the fixed design.
    scenario, n_cities, n_provinces, start_year, end_year, **overrides
        As in :func:`simulate_city_panel`.

    Returns
    -------
    panel : CityPanel
        The full panel of ``seeds[0]`` (its ``data`` gives the design columns in the row order of ``Y``).
    Y : numpy.ndarray
        ``(n_rows, len(seeds))``, the observed outcome for each seed.
    truth : numpy.ndarray
        ``(len(seeds),)``, the ATT of ``treatment`` on ``outcome`` (mean of Y(1) - Y(0) over the
        treated city-years) in each draw.

    Examples
    --------
    >>> panel, Y, truth = outcome_draws("platform", "income_gap", [1, 2, 3], design_seed=7)
    >>> Y.shape, bool(np.allclose(Y[:, 1], simulate_city_panel(2, design_seed=7).data["income_gap"]))
    ((3360, 3), True)
    """
    if treatment not in (*TREATMENTS, "pilot"):
        raise ValueError(f"unknown treatment {treatment!r}; valid: {[*TREATMENTS, 'pilot']}")
    if outcome not in FAMILY_OF:
        raise ValueError(f"outcome {outcome!r} cannot be re-drawn; valid outcomes: {sorted(FAMILY_OF)}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty")
    for switch, (_, extra) in EXTRA_COLUMNS.items():
        if outcome == extra and not resolve_switches(scenario, overrides)[switch]:
            raise ValueError(f"outcome {outcome!r} exists only with {switch}=True; pass {switch}=True")
    if treatment == "pilot" and outcome != "rural_eservice_use":
        raise ValueError(f"the pilot moves only 'rural_eservice_use', got outcome {outcome!r}")
    panel = simulate_city_panel(
        seeds[0],
        design_seed=design_seed,
        scenario=scenario,
        n_cities=n_cities,
        n_provinces=n_provinces,
        start_year=start_year,
        end_year=end_year,
        **overrides,
    )
    sw = resolve_switches(scenario, overrides)
    design, _ = _design(seeds[0], design_seed, sw, n_cities, n_provinces, start_year, end_year)
    keep = design.keep
    on = design.extras["pilot_on"] if treatment == "pilot" else _treated(design, treatment)
    treated = on.ravel()[keep] == 1
    Y = np.empty((int(keep.sum()), len(seeds)))
    truth = np.empty(len(seeds))
    Y[:, 0] = panel.data[outcome].to_numpy()
    y0 = panel.untreated(outcome, treatment).to_numpy()
    truth[0] = float((Y[treated, 0] - y0[treated]).mean())
    start = None  # warm start of the equalization fixed point: the previous draw's scale factors
    for r, s in enumerate(seeds[1:], start=1):
        rngs = family_rngs(_streams(s, design_seed)[1])
        if outcome == "equalization":
            urban_ind, rural0 = indicators(design, rngs["indicators"])
            ix = _index(design, urban_ind, rural0, start)
            start = ix["s"]
            obs, base = ix["equalization"], ix.get(f"equalization_y0_{treatment}", ix["equalization"])
        else:
            obs, base = _redraw_outcome(design, rngs, outcome, treatment)
        Y[:, r] = obs
        truth[r] = float((obs[treated] - base[treated]).mean())
    return panel, Y, truth
