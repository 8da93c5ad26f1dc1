"""The city panel's optional additions: a pilot that switches off (``pilot=True``) and a dose (``dose=True``).

Both draw from their own random streams (design: ``SeedSequence([design_seed, 3])``; outcome noise: the
``pilot`` and ``dose`` outcome families), and only when switched on, so every other column and draw is the same
as without them. Both outcomes follow unconditional parallel trends in levels (city level + common path +
noise, no province-year shocks, so the city-clustered errors of the estimators are valid) and the policies act
on them contemporaneously (no dynamics: a withdrawn pilot's effect is gone the year it is withdrawn).

``pilot`` (for :func:`didbook.dcdh`)
    A provincial pilot of village digital service points (村级数字便民服务点试点): a fifth of the provinces
    never run it, half start in 2014-2016 and keep it, 30% start in 2014-2015 and withdraw it after three
    or four years (``PILOT_SHARES``; in 2016-2017 four in five provinces run it, so TWFE gives some treated
    city-years negative weights). It raises ``rural_eservice_use`` by a city level (``PILOT_EFFECT0`` pp on average, 1.5 times as large
    where it is kept, half as large where it is withdrawn) plus a common path (``PILOT_EFFECT_GROWTH`` x
    ``PILOT_EFFECT0`` pp more a year from 2014): heterogeneous, but additive, so Y(1) also follows parallel trends,
    as DID_M needs for the leavers (``homogeneous=True``: ``PILOT_EFFECT0`` everywhere).
``dose`` (for :func:`didbook.continuous_did`)
    Each city whose province launches the platform gets a service-capability score ``service_capability`` in
    (0, 1] (higher in richer cities; 0 for cities without a launch in the window); from launch on
    ``online_approval_rate`` rises by ``f(d) = DOSE_A d - DOSE_B d^2`` pp. With ``dose_selection`` a city's
    whole curve is ``(DOSE_SELECTION_BASE + d_i) f(d)``: the cities that chose a high score gain more at every
    score (parallel trends hold, strong parallel trends do not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _config as cfg
from ._design import Design, ar1, logistic

#: Added columns: switch -> (treatment column or dose, outcome).
EXTRA_COLUMNS = {"pilot": ("pilot_on", "rural_eservice_use"), "dose": ("service_capability", "online_approval_rate")}


def draw_extras(design_seed: int, d: Design) -> dict:
    """The pilot's and the dose's design (N x T arrays on the grid), from their own stream."""
    sw, years, N = d.sw, d.years, d.n_cities
    rng = np.random.default_rng(np.random.SeedSequence([int(design_seed), 3]))
    P = int(d.prov_of_city.max()) + 1
    out: dict = {}
    # pilot: province types in random order (independent of region and income), start and withdrawal years
    n_never, n_leave = int(round(cfg.PILOT_SHARES[0] * P)), int(round(cfg.PILOT_SHARES[2] * P))
    kind = rng.permutation(np.repeat([0, 2, 1], [n_never, n_leave, P - n_never - n_leave]))  # 1 keeps, 2 withdraws
    start = np.where(kind == 1, rng.choice(cfg.PILOT_KEEP_STARTS, P), rng.choice(cfg.PILOT_LEAVE_STARTS, P))
    stop = np.where(kind == 2, start + rng.choice(cfg.PILOT_LEAVE_YEARS, P), 10**4)  # first year off
    on_p = (kind[:, None] > 0) & (years[None, :] >= start[:, None]) & (years[None, :] < stop[:, None])
    mult = np.where(kind == 1, cfg.PILOT_KEEP_MULT, cfg.PILOT_LEAVE_MULT)[d.prov_of_city]
    city = np.exp(0.2 * rng.normal(size=N))
    # a city level plus a common path: Y(1) keeps parallel trends too, which DID_M's leavers need (they are
    # compared with cities that keep the pilot)
    growth = cfg.PILOT_EFFECT0 * cfg.PILOT_EFFECT_GROWTH * np.maximum(years - 2014, 0)
    tau = cfg.PILOT_EFFECT0 * (mult * city / (mult * city).mean())[:, None] + growth[None, :]
    if sw["homogeneous"]:
        tau = np.full((N, len(years)), cfg.PILOT_EFFECT0)
    out["pilot_on"] = on_p[d.prov_of_city].astype(int)
    out["pilot_kind"] = np.array(["never", "keeps", "withdraws"])[kind][d.prov_of_city]
    out["pilot_tau"] = sw["effect_scale"] * tau  # the effect the pilot would have in every city-year
    # dose: service capability, higher in richer cities, 0 without a launch in the window
    score = np.clip(logistic(0.4 + 0.6 * d.zlg0 + rng.normal(0.0, 0.8, N)), 0.05, 1.0)
    out["dose"] = np.where(d.cohorts_window["platform"] > 0, score, 0.0)
    return out


def dose_multiplier(dose: np.ndarray, selection: bool) -> np.ndarray:
    """Each city's multiplier of the dose-response curve (1, or DOSE_SELECTION_BASE + own dose)."""
    return cfg.DOSE_SELECTION_BASE + dose if selection else np.ones_like(dose)


def untreated_extras(d: Design, rngs: dict) -> dict:
    """Untreated rural_eservice_use and online_approval_rate (N x T) for the switched-on additions."""
    ns, N, T, t, z = d.sw["noise_scale"], d.n_cities, len(d.years), d.t, d.zlg0[:, None]
    out = {}
    if d.sw["pilot"]:
        rng = rngs["pilot"]
        level = 3.0 * z + rng.normal(0.0, 3.0, N)[:, None]
        out["rural_eservice_use"] = 15.0 + 40.0 * logistic(0.45 * (t - 5.0)) + level + ar1(rng, (N, T), 1.5 * ns, 0.5)
    if d.sw["dose"]:
        rng = rngs["dose"]
        level = 4.0 * z + rng.normal(0.0, 4.0, N)[:, None]
        out["online_approval_rate"] = 20.0 + 3.0 * t + level + rng.normal(0.0, 2.0 * ns, (N, T))
    return out


def extra_outcomes(d: Design, y0: dict) -> tuple[dict, dict]:
    """Observed columns of the additions (N x T) and their untreated outcomes ``(outcome, treatment)``."""
    ex, obs, base = d.extras, {}, {}
    if d.sw["pilot"]:
        obs["pilot_on"] = ex["pilot_on"]
        obs["rural_eservice_use"] = y0["rural_eservice_use"] + ex["pilot_tau"] * ex["pilot_on"]
        base[("rural_eservice_use", "pilot")] = y0["rural_eservice_use"]
    if d.sw["dose"]:
        dose = ex["dose"]
        f = dose_curve(dose, d.sw["dose_selection"], d.sw["effect_scale"], own=dose)["att"]
        on = (d.cohorts_window["platform"][:, None] > 0) & (d.years[None, :] >= d.cohorts_window["platform"][:, None])
        obs["service_capability"] = np.repeat(dose[:, None], len(d.years), axis=1)
        obs["online_approval_rate"] = y0["online_approval_rate"] + f[:, None] * on
        base[("online_approval_rate", "platform")] = y0["online_approval_rate"]
    return obs, base


def dose_curve(grid, selection: bool, scale: float, own=None) -> dict:
    """ATT(d|d), ACRT(d|d) and the slope d ATT(d|d)/dd at the doses ``grid`` (``own``: the cities' own doses)."""
    g = np.asarray(grid, dtype=float)
    own = g if own is None else own
    m = dose_multiplier(own, selection)
    f, fprime = cfg.DOSE_A * g - cfg.DOSE_B * g**2, cfg.DOSE_A - 2 * cfg.DOSE_B * g
    slope = m * fprime + (f if selection else 0.0)  # derivative of m(d) f(d) along the curve
    return {"att": scale * m * f, "acrt": scale * m * fprime, "slope": scale * slope}


def twfe_weights(unit: np.ndarray, time: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """de Chaisemartin-D'Haultfoeuille weights of the treated rows: residual of D on unit and time dummies."""
    u, ui = np.unique(unit, return_inverse=True)
    _, ti = np.unique(time, return_inverse=True)
    D = treated.astype(float)
    r = D.copy()
    for _ in range(10_000):  # alternating projections (exact in one sweep for a balanced panel)
        r = r - np.bincount(ui, r)[ui] / np.bincount(ui)[ui]
        r = r - np.bincount(ti, r)[ti] / np.bincount(ti)[ti]
        if np.abs(np.bincount(ui, r)).max() < 1e-12:
            break
    e = r[D == 1]
    return e / e.sum()


def switching_truth(data: pd.DataFrame, cf: pd.DataFrame, tau: np.ndarray) -> pd.DataFrame:
    """``Truth.switching``: the pilot's true DID_M, joiners' and leavers' effects, ATT and the TWFE weights.

    ``tau`` is the effect the pilot would have in each row of ``data``, treated or not.
    """
    effect = (data["rural_eservice_use"] - cf["rural_eservice_use_y0_pilot"]).to_numpy()
    d = data[["city_id", "year", "pilot_on"]].assign(tau=tau)
    prev = d.assign(year=d["year"] + 1).rename(columns={"pilot_on": "before"})[["city_id", "year", "before"]]
    d = d.merge(prev, on=["city_id", "year"], how="left")
    join = ((d["before"] == 0) & (d["pilot_on"] == 1)).to_numpy()
    leave = ((d["before"] == 1) & (d["pilot_on"] == 0)).to_numpy()
    on = data["pilot_on"].to_numpy() == 1
    w = twfe_weights(data["city_id"].to_numpy(), data["year"].to_numpy(), on)
    rows = [
        ("DID_M", tau[join | leave].mean(), int((join | leave).sum()),
         "mean effect over switching city-years (joiners the year they join, leavers the year they leave)"),
        ("DID_+ (joiners)", tau[join].mean(), int(join.sum()), "mean effect over the city-years that switch on"),
        ("DID_- (leavers)", tau[leave].mean(), int(leave.sum()),
         "mean effect the pilot would have had in the city-years that switch off"),
        ("ATT", effect[on].mean(), int(on.sum()), "mean effect over the treated city-years"),
        ("TWFE estimand", float(w @ tau[on]), int(on.sum()),
         "sum of the TWFE weights x effects: what static TWFE estimates here"),
        ("TWFE negative weight share", float((w < -1e-12).mean()), int((w < -1e-12).sum()),
         "share of treated city-years with a negative TWFE weight (n: how many)"),
        ("TWFE negative weight sum", float(w[w < -1e-12].sum()), int((w < -1e-12).sum()), "sum of those weights"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["quantity", "value", "n", "meaning"])
    out.insert(0, "outcome", "rural_eservice_use")
    out.insert(0, "treatment", "pilot")
    return out
