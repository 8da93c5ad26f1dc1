"""Stage 3 of the simulation: the true effects, computed from the potential outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._demean import group_sums
from ._codebook import INDICATORS
from ._config import DG_CHANNEL_SHARES, SUBGROUP_VARS, TREATMENTS
from ._outcomes import DG_MEDIATORS, INCOME_OUTCOMES

#: Paper 2's chain, as named in ``Truth.mediation``.
PLATFORM_CHAIN = "service_efficiency -> entrepreneurship -> rural wage and operating income"

# Which outcomes each treatment moves (their untreated potential outcomes are kept).
AFFECTED = {
    "platform": ["income_gap", *[o for o in INCOME_OUTCOMES if o != "income_gap"], "service_efficiency",
                 "entrepreneurship", "digital_infrastructure"],
    "dg": ["equalization", *[f"{k}_rural" for k in INDICATORS], "digital_infrastructure", *DG_MEDIATORS],
    "smart_city": ["equalization", *[f"{k}_rural" for k in INDICATORS], "digital_infrastructure"],
}  # fmt: skip

# Outcomes of the optional additions (present with dose=True only).
EXTRA_AFFECTED = {"platform": ["online_approval_rate"]}

MECHANISMS = {
    "platform": [
        "service_efficiency",
        "entrepreneurship",
        "rural_operating_income",
        "rural_wage_income",
        "rural_property_income",
        "rural_transfer_income",
        "digital_infrastructure",
    ],
    "dg": ["online_services", "service_satisfaction", "digital_infrastructure", "open_data"],
    "smart_city": ["digital_infrastructure"],
}


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
    mediation : pandas.DataFrame
        ``treatment, outcome, effect, path, share, att``: the true decomposition of the total ATT into
        the part transmitted through each channel (``effect="indirect"``) and the rest (``"direct"``);
        ``share`` is the part's share of the total (exact by construction) and ``att`` = ``share`` x total.
        Platform on ``income_gap``: the chain service efficiency -> entrepreneurship -> rural wage and
        operating income carries ``MEDIATED_SHARE`` = 0.6 of the effect in the ``mediation`` scenario and
        0 in every other scenario (there efficiency and entrepreneurship move, but transmit nothing).
        Digital government on ``equalization``: online services 0.45, digital infrastructure 0.35, open
        data 0.20, service satisfaction 0 (a consequence of better services, not a cause), direct 0
        (:data:`didbook.simulate.DG_CHANNEL_SHARES`). A channel's share is carried by the policy-driven
        part of its mediator; the mediator's untreated variation (city levels, trend, noise) moves
        equalization only in no scenario, and income only in ``mediation``.
    switching : pandas.DataFrame
        ``pilot=True`` only: ``treatment, outcome, quantity, value, n, meaning`` for the pilot on
        ``rural_eservice_use``: ``DID_M`` (mean effect over the switching city-years), ``DID_+ (joiners)``,
        ``DID_- (leavers)`` (the effect the pilot would have had the year it is withdrawn), ``ATT`` (treated
        city-years), ``TWFE estimand`` (the TWFE weights x the effects), ``TWFE negative weight share`` and
        ``sum``. Empty otherwise.
    dose : dict
        ``dose=True`` only: ``selection`` (bool), ``scale`` (effect_scale), ``doses`` (the launching cities'
        scores), ``att_o`` and ``acrt_o`` (means of ATT(d|d) and ACRT(d|d) over those cities); see
        :meth:`dose_response`. Empty otherwise.
    """

    att: dict
    att_cohort_year: pd.DataFrame
    att_event: pd.DataFrame
    att_cohort: pd.DataFrame
    att_subgroup: pd.DataFrame
    mechanism: pd.DataFrame
    dispersion: pd.DataFrame
    mediation: pd.DataFrame = field(default_factory=pd.DataFrame)
    switching: pd.DataFrame = field(default_factory=pd.DataFrame)
    dose: dict = field(default_factory=dict)

    def dose_response(self, grid=None) -> pd.DataFrame:
        """The platform's true dose-response on ``online_approval_rate`` (panels with ``dose=True``).

        Parameters
        ----------
        grid : array-like, optional
            Service-capability scores in (0, 1] (default: 0.1, 0.2, ..., 1.0).

        Returns
        -------
        pandas.DataFrame
            ``dose``; ``att``: ATT(d|d), the effect of score d on the cities that chose d (pp); ``acrt``:
            ACRT(d|d), the derivative of their own curve at d (pp per unit of score); ``slope``: d ATT(d|d) / dd,
            what comparing cities with neighbouring doses identifies. ``slope`` equals ``acrt`` under strong
            parallel trends (``dose_selection=False``); with ``dose_selection=True`` it exceeds it by the
            selection term f(d). The row attributes ``att_o``/``acrt_o`` are in ``self.dose``.

        Examples
        --------
        >>> import didbook
        >>> t = didbook.simulate_city_panel(dose=True).truth
        >>> t.dose_response([0.5]).round(2).to_dict("records")
        [{'dose': 0.5, 'att': 12.0, 'acrt': 18.0, 'slope': 18.0}]
        """
        if not self.dose:
            raise KeyError("no dose in this panel: simulate it with simulate_city_panel(dose=True)")
        from ._extras import dose_curve

        g = np.linspace(0.1, 1.0, 10) if grid is None else np.asarray(grid, dtype=float).ravel()
        if g.size == 0 or np.isnan(g).any() or (g <= 0).any() or (g > 1).any():
            raise ValueError(f"grid must hold service-capability scores in (0, 1], got {grid!r}")
        c = dose_curve(g, self.dose["selection"], self.dose["scale"])
        return pd.DataFrame({"dose": g, "att": c["att"], "acrt": c["acrt"], "slope": c["slope"]})

    def event(self, treatment: str, outcome: str) -> pd.DataFrame:
        """True effects by event time for one treatment and outcome.

        Examples
        --------
        >>> import didbook
        >>> truth = didbook.simulate_city_panel().truth
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
        >>> import didbook
        >>> print(didbook.simulate_city_panel().truth.summary().splitlines()[0])
        True effects (ATT on the treated city-years)
        """
        keys = [
            ("platform", "income_gap"),
            ("platform", "income_ratio"),
            ("platform", "service_efficiency"),
            ("platform", "entrepreneurship"),
            ("platform", "rural_operating_income"),
            ("platform", "rural_wage_income"),
            ("platform", "rural_property_income"),
            ("platform", "rural_transfer_income"),
            ("dg", "equalization"),
            ("dg", "digital_infrastructure"),
            ("smart_city", "equalization"),
        ]
        lines = ["True effects (ATT on the treated city-years)", "=" * 44]
        for k in keys:
            if k in self.att:
                lines.append(f"{k[0]:<11}{k[1]:<26}{self.att[k]: .4f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _cell_means(values: np.ndarray, keys: dict, outcomes: list[str], **labels) -> dict[str, np.ndarray]:
    """Mean (``att``) and count (``n``) of every outcome's effect (the columns of ``values``) by ``keys``, long, as
    columns ``<keys>, outcome, att, n`` (cells in order of first appearance) plus the constant ``labels``."""
    codes = None
    for arr in keys.values():
        c, u = pd.factorize(arr)
        codes = c if codes is None else pd.factorize(codes * len(u) + c)[0]
    size = np.bincount(codes)
    means = group_sums(codes, values, len(size)) / size[:, None]
    first = np.unique(codes, return_index=True)[1]  # the first row of each cell (codes are 0, 1, ... by now)
    k = len(outcomes)
    out = {name: np.repeat(np.asarray(arr)[first], k) for name, arr in keys.items()}
    out.update(outcome=np.tile(outcomes, len(size)), att=means.ravel(), n=np.repeat(size, k))
    return out | {name: np.full(len(size) * k, value) for name, value in labels.items()}


def mediation_table(att: dict, mediated_share: float) -> pd.DataFrame:
    """``Truth.mediation``: each total ATT split into its channels (indirect) and the rest (direct)."""
    rows = []
    for tr, outcome, channels in (
        ("platform", "income_gap", {PLATFORM_CHAIN: mediated_share}),
        ("dg", "equalization", DG_CHANNEL_SHARES),
    ):
        total = att[(tr, outcome)]
        rows.append((tr, outcome, "total", "all", 1.0, total))
        for path, share in channels.items():
            rows.append((tr, outcome, "indirect", path, float(share), share * total + 0.0))
        direct = 1.0 - sum(channels.values())
        rows.append((tr, outcome, "direct", "not through the channels above", direct, direct * total + 0.0))
    return pd.DataFrame(rows, columns=["treatment", "outcome", "effect", "path", "share", "att"])


def compute_truth(data: pd.DataFrame, cf: pd.DataFrame, subgroups: pd.DataFrame, mediated_share: float = 0.0) -> Truth:
    """The true effects of every treatment on every outcome it moves, from the potential outcomes."""
    att: dict = {}
    cy, ev, co, sg = [], [], [], []
    sub = data[["city_id"]].merge(subgroups, on="city_id", how="left")
    year = data["year"].to_numpy()
    for tr, (dcol, ccol) in TREATMENTS.items():
        outcomes = AFFECTED[tr] + [o for o in EXTRA_AFFECTED.get(tr, []) if f"{o}_y0_{tr}" in cf]
        cohort = data[ccol].to_numpy()
        ever = cohort > 0
        post = (data[dcol] == 1).to_numpy()
        effects = pd.DataFrame({o: data[o].to_numpy() - cf[f"{o}_y0_{tr}"].to_numpy() for o in outcomes})
        for o, v in effects[post].mean().items():
            att[(tr, o)] = float(v)
        values = effects.to_numpy()
        g = _cell_means(values[ever], {"cohort": cohort[ever], "year": year[ever]}, outcomes, treatment=tr)
        cy.append(g | {"event_time": g["year"] - g["cohort"]})
        ev.append(_cell_means(values[ever], {"event_time": (year - cohort)[ever]}, outcomes, treatment=tr))
        co.append(_cell_means(values[post], {"cohort": cohort[post]}, outcomes, treatment=tr))
        for var in SUBGROUP_VARS:
            sg.append(
                _cell_means(
                    values[post], {"subgroup": sub[var].to_numpy()[post]}, outcomes, treatment=tr, subgroup_var=var
                )
            )

    def tidy(parts, cols):
        out = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in cols})
        out = out.sort_values(cols[:-2]).reset_index(drop=True)
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
    mech = [(tr, v, att[(tr, v)]) for tr, vs in MECHANISMS.items() for v in vs if (tr, v) in att]
    mechanism = pd.DataFrame(mech, columns=["treatment", "variable", "att"])

    # within-province dispersion of the income gap, observed vs without the platform
    d = pd.DataFrame(
        {
            "province_id": data["province_id"],
            "year": data["year"],
            "platform_cohort": data["platform_cohort"],
            "obs": data["income_gap"],
            "y0": cf["income_gap_y0_platform"],
        }
    )
    disp = (
        d.groupby(["province_id", "year"], sort=True)
        .agg(
            platform_cohort=("platform_cohort", "first"),
            sd_observed=("obs", "std"),
            sd_untreated=("y0", "std"),
        )
        .reset_index()
    )
    disp["event_time"] = np.where(disp["platform_cohort"] > 0, disp["year"] - disp["platform_cohort"], -999)
    disp["effect"] = disp["sd_observed"] - disp["sd_untreated"]
    disp = disp[["province_id", "year", "platform_cohort", "event_time", "sd_observed", "sd_untreated", "effect"]]
    post = (disp["platform_cohort"] > 0) & (disp["year"] >= disp["platform_cohort"])
    att[("platform", "income_gap_province_sd")] = float(disp.loc[post, "effect"].mean())
    return Truth(
        att=att,
        att_cohort_year=att_cohort_year,
        att_event=att_event,
        att_cohort=att_cohort,
        att_subgroup=att_subgroup,
        mechanism=mechanism,
        dispersion=disp,
        mediation=mediation_table(att, mediated_share),
    )
