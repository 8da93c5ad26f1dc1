"""Randomization inference for TWFE DID: placebo reassignments of adoption timing.

Under the sharp null of no effect for any unit, the outcomes do not depend on who was treated
when, so re-estimating the TWFE coefficient under placebo assignments traces out its null
distribution. :func:`placebo_test` does this for ``n_draws`` reassignments *without* refitting ``n_draws``
regressions: by Frisch-Waugh-Lovell, the TWFE coefficient for a treatment vector ``d`` is

    beta(d) = d' M y / d' M d,

where ``M`` annihilates the unit effects, the time effects and the controls. ``M y`` is computed
once. Because every placebo treatment has the form ``d_it = 1{t >= c_i}``, both ``d' M y`` and
``d' M d`` reduce to sums over units of per-unit suffix sums (of ``M y``, of the row counts and
of an orthonormal basis ``Q`` of the unit-demeaned time dummies and controls):
``d' M d = sum_i (k_i - k_i^2 / n_i) - |Q' d|^2`` with ``k_i`` the number of treated rows of unit
``i``. So the ``N x R`` matrix of placebo treatments is never formed: the cost is
``O(R x units x (T + controls))``, processed in chunks of draws. This is exact for balanced *and*
unbalanced panels (no iteration, no tolerance), so each placebo coefficient equals a full
:func:`didbook.twfe` refit to rounding error (tested to 1e-8).

With ``cluster=`` the draws re-assign whole clusters (all units of a cluster share one placebo
adoption period, as when a province launches a policy for all its cities); this only changes the
per-unit placebo cohorts fed to the same computation, so it stays exact.

p-value (two-sided, with the +1 correction)
    ``p = (1 + #{r : |beta_r| >= |beta_obs|}) / (1 + R)``: the observed assignment counts as one
    draw from the null, so ``p`` is never 0 and the test is exact at level ``alpha`` for any R
    (Phipson and Smyth 2010).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._demean import _sorted_layout, _TwoWayAnnihilator
from ._resampling import cluster_cohorts, cohort_of_units, draw_cohorts
from ._results import HEADLINE, Result
from ._validation import PanelDataError, as_list, check_absorbing, check_binary, check_int, check_panel

__all__ = ["placebo_test", "PlaceboResult"]

#: Max float64 cells (draws x units x projection columns) held at once (about 200 MB).
CHUNK_CELLS = 25_000_000


@dataclass(repr=False)
class PlaceboResult(Result):
    """Result of :func:`placebo_test`.

    Attributes
    ----------
    estimate : float
        The headline: the TWFE estimate with the actual assignment.
    p_value : float
        Two-sided randomization p-value with the +1 correction (see module doc).
    std_error, conf_low, conf_high : float
        NaN: randomization inference gives a p-value, not a standard error or an interval (a note
        says so).
    placebo_sd : float
        Standard deviation of the placebo (null) distribution (also a column of ``tidy()``).
    null_distribution : numpy.ndarray
        The ``n_draws`` placebo estimates.
    kind : str
        ``"permute"`` or ``"in_time"``.
    cluster : str or None
        Column whose values were re-assigned as blocks (``None``: units were re-assigned).
    cohorts : numpy.ndarray
        ``(n_draws, n_units)`` placebo adoption period of every unit in each draw, as an index into
        ``periods`` (``inf`` = never treated); units in the order of ``units``.
    units, periods : numpy.ndarray
        Sorted unit labels and sorted time periods.
    """

    null_distribution: np.ndarray = field(default_factory=lambda: np.empty(0))
    placebo_sd: float = np.nan
    kind: str = "permute"
    cluster: str | None = None
    cohorts: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    units: np.ndarray = field(default_factory=lambda: np.empty(0))
    periods: np.ndarray = field(default_factory=lambda: np.empty(0))
    _unit_of_row: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    _time_of_row: np.ndarray = field(default_factory=lambda: np.empty(0))

    def placebo_treatment(self, r: int) -> np.ndarray:
        """The 0/1 placebo treatment of draw ``r``, aligned with the rows of the input data."""
        c = self.cohorts[r][self._unit_of_row]
        return (self._time_of_row >= c).astype(float)

    def plot(self, ax=None, bins: int = 40):
        """Histogram of the null distribution with the observed estimate marked; returns the Axes.

        Examples
        --------
        >>> ax = res.plot()  # doctest: +SKIP
        """
        from .plotting import null_histogram

        ax = null_histogram(
            self.null_distribution,
            self.estimate,
            ax=ax,
            bins=bins,
            draws_label="placebo estimates",
            observed_label=f"observed = {self.estimate:.4f}",
            xlabel="TWFE coefficient",
        )
        ax.set_title(f"Randomization inference ({len(self.null_distribution)} draws), p = {self.p_value:.3f}")
        return ax


def _narrow(data: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Only the used columns (faster checks on wide frames); the full frame if some are missing."""
    if isinstance(data, pd.DataFrame) and all(c in data.columns for c in cols):
        return data.loc[:, list(dict.fromkeys(cols))]
    return data


def _suffix_sums(v: np.ndarray, u: np.ndarray, t: np.ndarray, n_units: int, n_t: int) -> np.ndarray:
    """``S[u, c] = sum of v over unit u's rows with period code >= c``; shape (n_units, n_t + 1[, k])."""
    shape = (n_units, n_t + 1) + v.shape[1:]
    S = np.zeros(shape)
    S[u, t] = v  # (unit, period) pairs are unique
    return np.flip(np.cumsum(np.flip(S, axis=1), axis=1), axis=1)


def placebo_test(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    controls: Sequence[str] = (),
    n_draws: int = 1000,
    seed: int = 0,
    kind: str = "permute",
    progress: bool | None = None,
    cluster: str | None = None,
) -> PlaceboResult:
    """Randomization-inference placebo test for the TWFE DID coefficient.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (balanced or unbalanced); ``treatment`` must be 0/1 and absorbing.
    outcome, treatment, unit, time : str
        Column names.
    controls : sequence of str
        Covariates, partialled out exactly as in :func:`didbook.twfe`.
    n_draws : int
        Number of placebo draws.
    seed : int
        Seed of the ``numpy.random.default_rng`` generator.
    kind : {"permute", "in_time"}
        ``"permute"``: each draw permutes the units' adoption periods (their treatment paths)
        across units, so the number of treated units and the timing pattern are kept.
        ``"in_time"``: the set of ever-treated units is kept and each gets an adoption period
        drawn uniformly from the panel's periods after the first.
    progress : bool or None
        Progress bar (tqdm). ``None`` shows it only on an interactive terminal (never in notebooks
        run by papermill), ``False`` never.
    cluster : str or None
        Column naming the level at which treatment was assigned (e.g. ``"province_id"`` when a
        province switches a policy on for all its cities at once). ``None`` (default) re-assigns
        units. With a cluster, the placebo draws re-assign whole clusters: ``"permute"`` permutes
        the clusters' adoption periods across clusters and ``"in_time"`` draws one adoption period
        for each ever-treated cluster; every unit gets its cluster's placebo period. Why: the
        randomization distribution is only valid if the placebo assignments mimic the actual
        assignment mechanism. Scattering a province-level launch over cities averages out shocks
        shared by the cities of a province, so the null distribution is too narrow and the p-value
        too small. The cluster must be constant within unit and all units of a cluster must adopt in
        the same period (or never); otherwise :class:`PanelDataError` is raised.

    Returns
    -------
    PlaceboResult
        ``.estimate``, ``.p_value``, ``.null_distribution``, ``.p_value`` (two-sided, +1 corrected), ``.plot()``.

    Examples
    --------
    >>> import didbook
    >>> df = didbook.load_dataset("organ_donations").data
    >>> res = didbook.placebo_test(df, "Rate", "Treated", "State", "Quarter_Num", n_draws=200, seed=1)
    >>> round(res.estimate, 6)
    -0.022459

    Platform launched by province: re-assign launch years across provinces, not cities.

    >>> panel = didbook.simulate_city_panel(seed=1, n_cities=60, n_provinces=10)
    >>> res = didbook.placebo_test(panel.data, "income_gap", "platform_treated", "city_id", "year",
    ...                            n_draws=200, cluster="province_id", progress=False)
    >>> res.info["cluster"], res.info["n_clusters"]
    ('province_id', 10)
    """
    controls = as_list(controls)
    n = check_int("n_draws", n_draws, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if kind not in ("permute", "in_time"):
        raise ValueError("kind must be 'permute' or 'in_time'")
    used = [outcome, treatment, *controls, *([cluster] if cluster is not None else [])]
    check_panel(_narrow(data, [unit, time, *used]), unit, time, used, ordered_time=True)
    check_binary(data, treatment)
    fwl = _fwl(data, outcome, treatment, unit, time, controls)
    rng = np.random.default_rng(seed)
    clusters = c_g = None
    if cluster is None:
        cohorts = draw_cohorts(rng, fwl.cohort, kind, n, len(fwl.periods))
    else:
        # draw one placebo adoption period per cluster; every unit inherits its cluster's period
        d_rows = data[treatment].to_numpy(dtype=float)
        g_of_unit, c_g, clusters = cluster_cohorts(
            data, cluster, unit, treatment, fwl.u_codes, fwl.t_codes, d_rows, fwl.periods, len(fwl.units)
        )
        cohorts = draw_cohorts(rng, c_g, kind, n, len(fwl.periods))[:, g_of_unit]
    null = _null_distribution(fwl, cohorts, progress)
    tol = 1e-12 * max(1.0, abs(fwl.observed))
    p = (1 + int(np.sum(np.abs(null) >= abs(fwl.observed) - tol))) / (1 + n)
    info = {
        "outcome": outcome,
        "treatment": treatment,
        "placebo_scheme": _scheme(kind, cluster),
        "n_draws": n,
        "seed": seed,
        "controls": controls or "none",
    }
    if cluster is not None:
        info["cluster"] = cluster
        info["n_clusters"] = len(clusters)
        info["n_clusters_treated"] = int(np.isfinite(c_g).sum())
    sd = float(np.std(null, ddof=1)) if n > 1 else np.nan
    headline = {"estimate": fwl.observed, "p_value": p}
    table = pd.DataFrame([{"term": treatment, **{k: headline.get(k, np.nan) for k in HEADLINE}, "placebo_sd": sd}])
    return PlaceboResult.from_table(
        table,
        info=info,
        title="Randomization inference (placebo reassignments)",
        notes=[
            "std_error is NaN: randomization inference gives a p-value, not a standard error or interval; "
            "placebo_sd is the spread of the placebo (null) estimates"
        ],
        null_distribution=null,
        placebo_sd=sd,
        kind=kind,
        cluster=cluster,
        cohorts=cohorts,
        units=fwl.units,
        periods=fwl.periods,
        _unit_of_row=fwl.u_codes,  # row-aligned lookups (input row order) for placebo_treatment()
        _time_of_row=fwl.t_codes.astype(float),
    )


def _scheme(kind: str, cluster: str | None) -> str:
    """How the placebo assignments were drawn, in words."""
    if cluster is None:
        return {
            "permute": "permute adoption periods across units",
            "in_time": "random adoption periods for the ever-treated units",
        }[kind]
    return {
        "permute": f"permute adoption periods across clusters ({cluster})",
        "in_time": f"random adoption periods for the ever-treated clusters ({cluster})",
    }[kind]


@dataclass
class _Fwl:
    """The sorted layout, the annihilator ``M`` and what every placebo draw reuses."""

    u_codes: np.ndarray
    t_codes: np.ndarray
    units: np.ndarray
    periods: np.ndarray
    u_s: np.ndarray
    t_s: np.ndarray
    cohort: np.ndarray
    M: object
    e: np.ndarray
    dd: float
    observed: float


def _fwl(data: pd.DataFrame, outcome: str, treatment: str, unit: str, time: str, controls: list) -> _Fwl:
    """Partial the unit and time effects and controls out once; check the design; the observed estimate."""
    u_codes, t_codes, units, periods, order, starts = _sorted_layout(data, unit, time)
    u_s, t_s = u_codes[order], t_codes[order]
    y = data[outcome].to_numpy(dtype=float)[order]
    d = data[treatment].to_numpy(dtype=float)[order]
    X = data[controls].to_numpy(dtype=float)[order] if controls else None
    same_unit = u_s[1:] == u_s[:-1]
    if np.any(same_unit & (np.diff(d) < 0)):  # same check as _validation.check_absorbing, on sorted arrays
        check_absorbing(data, unit, time, treatment)
    cohort = cohort_of_units(d, t_s, u_s, len(units))
    if np.isinf(cohort).all():
        raise PanelDataError(f"treatment {treatment!r} is never 1: nothing to test")
    if np.isfinite(cohort).all() and len(np.unique(cohort)) == 1:
        raise PanelDataError(
            "no untreated comparison units: every unit adopts in the same period, so the effect is not "
            "separable from the time effects"
        )
    M = _TwoWayAnnihilator(u_s, t_s, starts, X, controls)
    md = M(d)
    dd = float(md @ md)
    if dd <= 1e-10 * float(d @ d):
        raise PanelDataError(f"treatment {treatment!r} has no variation left after the unit/time effects and controls")
    return _Fwl(u_codes, t_codes, units, periods, u_s, t_s, cohort, M, M(y), dd, float(md @ y / dd))


def _null_distribution(fwl: _Fwl, cohorts: np.ndarray, progress: bool | None) -> np.ndarray:
    """The placebo estimate of every row of ``cohorts`` (draws x units), in chunks of draws.

    Unit-level suffix sums: S[u, c] = sum over unit u's rows with period >= c (c = T: never treated).
    For d = 1{t >= c_u}:  d'e = sum_u Se[u, c_u],  d'M_u d = sum_u (k_u - k_u^2 / n_u) with
    k_u = Sn[u, c_u], and Q'd = sum_u SQ[u, c_u] with Q an orthonormal basis of the unit-demeaned
    time dummies and controls, so d'M d = d'M_u d - |Q'd|^2. All three sums over units are one
    sparse (draws x unit-periods) 0/1 matrix times a small table: no N x R matrix is ever formed.
    """
    from scipy import sparse
    from tqdm import tqdm

    n, n_units, n_t = len(cohorts), len(fwl.units), len(fwl.periods)
    u_s, t_s = fwl.u_s, fwl.t_s
    Sn = _suffix_sums(np.ones_like(fwl.e), u_s, t_s, n_units, n_t)
    n_u = Sn[:, :1]
    table = np.concatenate(
        [
            (Sn - Sn * Sn / n_u)[..., None],
            _suffix_sums(fwl.e, u_s, t_s, n_units, n_t)[..., None],
            _suffix_sums(fwl.M.Q, u_s, t_s, n_units, n_t),
        ],
        axis=2,
    ).reshape(n_units * (n_t + 1), -1)
    codes = np.where(np.isfinite(cohorts), cohorts, n_t).astype(np.intp) + (n_t + 1) * np.arange(n_units)
    null = np.empty(n)
    chunk = max(1, min(n, CHUNK_CELLS // max(1, n_units)))
    with tqdm(total=n, disable=None if progress is None else not progress, desc="placebo draws", unit="draw") as bar:
        for lo in range(0, n, chunk):
            c = codes[lo : lo + chunk]
            r = len(c)
            pick = sparse.csr_matrix(
                (np.ones(c.size), c.ravel(), np.arange(0, c.size + 1, n_units)), shape=(r, table.shape[0])
            )
            out = pick @ table  # r x (2 + q)
            den = out[:, 0] - np.einsum("ij,ij->i", out[:, 2:], out[:, 2:])
            with np.errstate(divide="ignore", invalid="ignore"):
                null[lo : lo + r] = np.where(den > 1e-10 * max(1.0, float(fwl.dd)), out[:, 1] / den, np.nan)
            bar.update(r)
    n_bad = int(np.sum(~np.isfinite(null)))
    if n_bad:
        raise PanelDataError(
            f"{n_bad} placebo draw(s) gave a treatment with no variation after the fixed effects; "
            "the design has too few distinct adoption patterns for this test"
        )
    return null
