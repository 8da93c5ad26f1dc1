"""Checks shared by the tests of the wrapped diff-diff estimators (tests/lib/test_etwfe.py, ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

TIDY = ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]


def check_vocabulary(fit, engine_module: str = "diff_diff", t_df: bool = True) -> None:
    """Five headline attributes equal the first tidy row; the tidy schema; identifier info keys; a notes
    entry stating the inference rule; ``model`` the engine's result; t(G - 1) intervals."""
    tb = fit.tidy()
    assert list(tb.columns[:6]) == TIDY
    for k in TIDY[1:]:
        a, b = getattr(fit, k), tb.iloc[0][k]
        assert (np.isnan(a) and np.isnan(b)) or a == b, k
    assert isinstance(fit.summary(), str) and all(k.isidentifier() for k in fit.info)
    assert type(fit.model).__module__.startswith(engine_module)
    if t_df:
        assert any("t distribution with" in n and "G - 1" in n for n in fit.notes)
        G = fit.info["n_clusters"]
        crit = stats.t(G - 1).ppf(0.975)
        assert fit.conf_high - fit.estimate == pytest_approx(crit * fit.std_error)


def pytest_approx(x, rel=1e-9):
    import pytest

    return pytest.approx(x, rel=rel)


def staggered_panel(seed: int = 0, n: int = 120, T: int = 8, noise: float = 0.5) -> pd.DataFrame:
    """Staggered adoption (cohorts 4, 5, 7 and never), effects growing with event time and varying by cohort."""
    rng = np.random.default_rng(seed)
    coh = rng.choice([0, 4, 5, 7], size=n, p=[0.3, 0.25, 0.25, 0.2])
    df = pd.DataFrame([(i, t) for i in range(n) for t in range(1, T + 1)], columns=["id", "t"])
    df["g"] = coh[df["id"]]
    df["prov"] = df["id"] // 6
    e = df["t"] - df["g"]
    effect = np.where((df["g"] > 0) & (e >= 0), 1 + 0.5 * e + 0.2 * (df["g"] == 4), 0.0)
    df["x"] = rng.normal(size=len(df))
    df["y"] = rng.normal(size=n)[df["id"]] + 0.3 * df["t"] + effect + 0.4 * df["x"] + rng.normal(0, noise, len(df))
    return df
