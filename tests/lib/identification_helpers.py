"""Shared machinery of the identification proofs (tests/lib/test_identification*.py): pooled Monte Carlo
studies over fixed designs and the two verdicts, "works" and "fails in the documented direction"."""

from __future__ import annotations

import pandas as pd
import pytest

import didbook

pytestmark = pytest.mark.slow

PLATFORM = {"treatment": "platform", "outcome": "income_gap"}
DG = {"treatment": "dg", "outcome": "equalization"}
GDP = ["log_gdp_pc"]


def _study(estimators: dict, designs: list[int], n_draws: int, scenario: str = "baseline", **switches) -> pd.DataFrame:
    """Pooled Monte Carlo draws over several fixed designs, summarised per estimator."""
    draws = pd.concat(
        [
            didbook.monte_carlo(
                estimators, n_draws=n_draws, seed=s, design="outcomes", scenario=scenario, **switches
            ).draws
            for s in designs
        ],
        ignore_index=True,
    )
    result = didbook.MonteCarloResult(draws=draws, estimators=estimators)
    return result.tidy().set_index("estimator")


def _works(row, conservative: bool = False) -> None:
    """Unbiased within 3% of the truth, 95% coverage in [93%, 97%] (or, for an interval documented as
    conservative, at least 93% with standard errors at least as large as the spread of the estimates)."""
    assert abs(row["relative_bias"]) <= 0.03, row
    if conservative:
        assert row["coverage"] >= 0.93 and row["se_ratio"] >= 1.0, row
    else:
        assert 0.93 <= row["coverage"] <= 0.97, row


def _fails(row, direction: int, at_least: float) -> None:
    """Bias of the documented sign, at least ``at_least`` of the truth and 5 Monte Carlo SEs from 0."""
    assert direction * row["bias"] > 5 * row["bias_mc_se"], row
    assert direction * row["bias"] / abs(row["mean_truth"]) >= at_least, row


def _summary(rows: list[tuple]) -> pd.DataFrame:
    draws = pd.DataFrame(rows, columns=["draw", "estimator", "estimate", "std_error", "conf_low", "conf_high",
                                        "p_value", "truth"])  # fmt: skip
    return didbook.MonteCarloResult(draws=draws, estimators={}).tidy().set_index("estimator")
