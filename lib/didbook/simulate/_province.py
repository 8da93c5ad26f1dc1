"""A simulated province-year panel with one early province, for synthetic control and synthetic DID."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._config import check_sizes

#: The early province's first treated year. Modelled on the launch of a provincial integrated online
#: government-service portal in 2014 (浙江政务服务网 went online in June 2014; the 最多跑一次 "run at most once"
#: reform that followed was announced at the end of 2016 and rolled out in 2017). Simulated: no number is Zhejiang's.
EARLY_YEAR = 2014
#: Standard deviation of the province-year noise of the gap (pp).
NOISE_SD = 0.2
#: Label of the early province (synthetic, like the others).
EARLY_PROVINCE = "P01"


@dataclass
class ProvinceTruth:
    """True effects of :func:`province_panel`.

    Attributes
    ----------
    att : float
        Mean effect over the early province's treated years (the ATT synthetic DID and SC estimate), pp.
    att_path : pandas.DataFrame
        ``year, att``: the effect in each treated year.
    did_bias : float
        Expected bias of the two-group DID (early province vs the mean of the others, post vs pre means) on this
        design: its untreated gap falls faster because it loads more on the e-commerce factor.
    """

    att: float
    att_path: pd.DataFrame
    did_bias: float


@dataclass
class ProvincePanel:
    """A simulated province-year panel: ``data``, ``truth``, ``params``, ``counterfactual``, ``loadings``.

    ``data`` columns: ``province_id`` (``P01``-``Pnn``, synthetic), ``region``, ``year``, ``reform`` (1 for
    the early province from :data:`EARLY_YEAR`), ``income_gap`` (urban-rural income gap, pp, as in the city
    panel). ``counterfactual``: ``province_id, year, income_gap_y0``. ``loadings``: one row per province,
    ``level``, ``ecommerce`` and ``cycle`` (its loadings on the two common factors).
    """

    data: pd.DataFrame
    truth: ProvinceTruth
    params: dict
    counterfactual: pd.DataFrame
    loadings: pd.DataFrame

    def __repr__(self) -> str:
        p = self.params
        return (
            f"ProvincePanel(seed={p['seed']}, {p['n_provinces']} provinces, {p['start_year']}-{p['end_year']}, "
            f"{p['treated']} treated from {EARLY_YEAR}; true ATT {self.truth.att:.3f} pp)"
        )


def factors(years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two common factors: the e-commerce boom (rises 0 -> 3, centred on 2012) and a slow cycle."""
    return 3.0 / (1.0 + np.exp(-0.35 * (years - 2012.0))), np.sin((years - 2005.0) / 2.5)


def _loadings(rng: np.random.Generator, P: int) -> pd.DataFrame:
    """Province levels and factor loadings; the early province's are a weighted average of four donors' among the
    six most exposed to e-commerce (a perfect synthetic control exists; it loads high on e-commerce)."""
    level, eco, cyc = rng.normal(0.0, 3.0, P), rng.normal(1.0, 0.8, P), rng.normal(0.0, 1.0, P)
    top = 1 + rng.choice(np.argsort(-eco[1:])[:6], 4, replace=False)
    w = rng.dirichlet(np.full(4, 2.0))
    level[0], eco[0], cyc[0] = w @ level[top], w @ eco[top], w @ cyc[top]
    n_east = int(round(P * 11 / 30))
    region = np.array(["east"] * n_east + ["central"] * int(round(P * 8 / 30)))
    region = np.concatenate([region, ["west"] * (P - len(region))])
    return pd.DataFrame({"province_id": [f"P{p + 1:02d}" for p in range(P)], "region": region, "level": level,
                         "ecommerce": eco, "cycle": cyc})  # fmt: skip


def province_panel(
    seed: int = 2024,
    *,
    design_seed: int | None = None,
    n_provinces: int = 30,
    start_year: int = 2005,
    end_year: int = 2022,
    effect_scale: float = 1.0,
    noise_scale: float = 1.0,
) -> ProvincePanel:
    """A province-year panel with one early province and an interactive-fixed-effects income gap.

    The numbers are simulated; the early province ``P01`` is *modelled on* Zhejiang (an eastern province that
    launched its integrated online government-service portal in 2014, before the national platform waves, and
    whose rural economy rode the e-commerce boom), but it is not Zhejiang and no value is Zhejiang's.
    This is a world of its own, not an aggregate of :func:`simulate_city_panel`.

    The untreated gap of province p in year t is ``60 + level_p - 0.6 (t - 2011) - ecommerce_p F_t + cycle_p
    G_t + noise`` with two common factors (:func:`factors`: F the e-commerce boom, rising 0 -> 3, centred on
    2012; G a slow cycle) and noise sd 0.2 pp: an interactive fixed-effects model, so parallel trends fail for
    a province whose loadings differ from the average. ``P01``'s level and loadings are a weighted average of
    four of the donors most exposed to F (its gap would have fallen faster anyway; its rank among the 30
    provinces on F depends on the design), so a weighted average of donors can reproduce its path: synthetic control and synthetic DID are close, the two-group DID is too
    negative (``truth.did_bias``). From 2014 the early province's gap falls by a further 0.4 pp, growing 0.15
    pp a year (``truth.att_path``); no other province is treated in the window.

    Parameters
    ----------
    seed : int
        Seed of the noise (and of the design unless ``design_seed`` is given).
    design_seed : int, optional
        Seed of the levels and loadings (hold it fixed to re-draw only the noise).
    n_provinces : int
        Number of provinces, 10-100.
    start_year, end_year : int
        Window: start in 2000-2012 (at least two years before 2014), end in 2016-2025.
    effect_scale, noise_scale : float
        Multiply the effect path and the noise (non-negative).

    Returns
    -------
    ProvincePanel
        ``data``, ``truth`` (``att``, ``att_path``, ``did_bias``), ``params``, ``counterfactual``, ``loadings``.

    Raises
    ------
    TypeError, ValueError
        Non-integer or out-of-range seed, size or years; negative scales.

    Examples
    --------
    >>> pp = province_panel()
    >>> pp.data.shape, pp.params["treated"]
    ((540, 5), 'P01')
    >>> bool(pp.truth.att < 0 and pp.truth.did_bias < 0)
    True
    """
    check_sizes(seed, 2 * n_provinces, n_provinces, 2011, 2022)
    if design_seed is not None:
        check_sizes(design_seed, 2 * n_provinces, n_provinces, 2011, 2022)
    if not 10 <= n_provinces <= 100:
        raise ValueError(f"n_provinces must be in 10..100, got {n_provinces}")
    for name, v in (("start_year", start_year), ("end_year", end_year)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {v!r}")
    if not 2000 <= start_year <= EARLY_YEAR - 2 or not 2016 <= end_year <= 2025:
        raise ValueError(f"start_year must be in 2000..{EARLY_YEAR - 2} and end_year in 2016..2025, got "
                         f"{start_year} and {end_year}")  # fmt: skip
    for name, v in (("effect_scale", effect_scale), ("noise_scale", noise_scale)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a non-negative number, got {v!r}")
    ds = seed if design_seed is None else design_seed
    load = _loadings(np.random.default_rng(np.random.SeedSequence([int(ds), 4])), n_provinces)
    years = np.arange(start_year, end_year + 1)
    F, G = factors(years)
    y0 = (60.0 + load["level"].to_numpy()[:, None] - 0.6 * (years - 2011.0)[None, :]
          - load["ecommerce"].to_numpy()[:, None] * F + load["cycle"].to_numpy()[:, None] * G)  # fmt: skip
    mean_y0 = y0.copy()
    y0 = y0 + np.random.default_rng(np.random.SeedSequence([int(seed), 5])).normal(
        0.0, NOISE_SD * noise_scale, y0.shape
    )
    path = np.where(years >= EARLY_YEAR, -effect_scale * (0.4 + 0.15 * (years - EARLY_YEAR)), 0.0)
    reform = np.zeros_like(y0, dtype=int)
    reform[0] = years >= EARLY_YEAR
    y = y0 + reform * path
    post = years >= EARLY_YEAR
    gap = mean_y0[0] - mean_y0[1:].mean(axis=0)
    P, T = y.shape
    data = pd.DataFrame({"province_id": np.repeat(load["province_id"], T).to_numpy(),
                         "region": np.repeat(load["region"], T).to_numpy(), "year": np.tile(years, P).astype("int64"),
                         "reform": reform.ravel().astype("int64"), "income_gap": y.ravel()})  # fmt: skip
    truth = ProvinceTruth(
        att=float(path[post].mean()),
        att_path=pd.DataFrame({"year": years[post].astype("int64"), "att": path[post]}),
        did_bias=float(gap[post].mean() - gap[~post].mean()),
    )
    params = {"seed": int(seed), "design_seed": int(ds), "n_provinces": int(n_provinces), "start_year": int(start_year),
              "end_year": int(end_year), "effect_scale": float(effect_scale), "noise_scale": float(noise_scale),
              "treated": EARLY_PROVINCE, "treat_year": EARLY_YEAR}  # fmt: skip
    cf = data[["province_id", "year"]].assign(income_gap_y0=y0.ravel())
    return ProvincePanel(data=data, truth=truth, params=params, counterfactual=cf, loadings=load)
