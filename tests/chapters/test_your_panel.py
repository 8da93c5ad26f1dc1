"""The "Your panel" chapter on a user's CSV, run with the README's documented command only.

The CSV has its own column names (county, prov, yr, adopt_year, gap, lngdp, popdens), 150 counties x
2013-2021 with 5% of the rows missing (unbalanced), never-treated counties with an EMPTY adopt_year, and a
known effect of -0.5. The command is read from README.md (section "Running the book on your own panel"),
with only the CSV and output paths substituted.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from didbook.book import glued_values

ROOT = Path(__file__).resolve().parents[2]
EFFECT = -0.5


def county_panel(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, years = 150, np.arange(2013, 2022)
    prov = np.arange(n) % 15
    prov_cohort = rng.choice([2016.0, 2017.0, 2018.0, 2019.0, np.nan], size=15)
    prov_cohort[:3] = [2016.0, 2018.0, np.nan]  # at least one never-treated province and two cohorts
    df = pd.DataFrame([(c, t) for c in range(n) for t in years], columns=["county", "yr"])
    k = df["county"].to_numpy()
    df["prov"] = [f"P{p:02d}" for p in prov[k]]
    df["adopt_year"] = pd.array(prov_cohort[prov[k]], dtype="Int64")
    treated = df["yr"].to_numpy() >= np.nan_to_num(prov_cohort[prov[k]], nan=np.inf)
    df["lngdp"] = 10 + 0.04 * (df["yr"] - 2013) + rng.normal(0, 0.1, n)[k] + rng.normal(0, 0.05, len(df))
    df["popdens"] = rng.normal(0, 1, len(df))
    df["gap"] = (
        rng.normal(0, 0.5, n)[k]
        + 0.05 * (df["yr"] - 2013)
        - 0.5 * (df["lngdp"] - 10)
        + 0.1 * df["popdens"]
        + EFFECT * treated
        + rng.normal(0, 0.3, len(df))
    )
    df = df.sample(frac=0.95, random_state=seed).sort_values(["county", "yr"])  # 5% of rows missing
    return df[["county", "prov", "yr", "adopt_year", "gap", "lngdp", "popdens"]]


def readme_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running the book on your own panel", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    cmd = next(b for b in blocks if "your_panel.ipynb" in b)
    return cmd.replace("\\\n", " ").strip()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("your_panel")
    county_panel().to_csv(tmp / "my_panel.csv", index=False)
    cmd = readme_command()
    assert '"$PWD/my_panel.csv"' in cmd and "my_panel_out.ipynb" in cmd
    cmd = cmd.replace('"$PWD/my_panel.csv"', str(tmp / "my_panel.csv"))
    cmd = cmd.replace("my_panel_out.ipynb", str(tmp / "my_panel_out.ipynb"))
    run = subprocess.run(["bash", "-c", cmd], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads((tmp / "my_panel_out.ipynb").read_text())


def glued(nb: dict) -> dict:
    return glued_values(nbformat.from_dict(nb))


def test_readme_command_recovers_the_known_effect(executed):
    g = glued(executed)
    summary = pd.DataFrame(json.loads(g["yp_summary_json"]))
    est = summary.set_index("method")["estimate"]
    assert est.notna().all(), summary  # every method ran on the unbalanced panel
    assert np.allclose(est, EFFECT, atol=0.15), est
    assert g["yp_n_refused"] == 0
    assert "unbalanced" in g["yp_balance"]
    assert g["yp_ri_level"] == "clusters (prov)"
    assert not any(o.get("name") == "stderr" for c in executed["cells"] for o in c.get("outputs", []))
