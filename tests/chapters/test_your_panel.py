"""The "Your panel" chapter on a user's CSV, run with the README's documented commands only.

1. papermill (the README's papermill block): a CSV with its own column names (county, prov, yr, adopt_year,
   gap, lngdp, popdens), 150 counties x 2013-2021 with 5% of the rows missing (unbalanced), never-treated
   counties with an EMPTY adopt_year, and a known effect of -0.5; papermill must read every parameter (no
   "Unable to parse" / "unknown parameter" on stderr) and list them all in ``--help-notebook``.
2. ``python -m didbook.report`` (the README's one command), run from an unrelated directory on an unseen
   CSV whose unit names and column names hold spaces and Chinese characters, with sampling weights, a
   cohort after the last period and strong province-level shocks: the report HTML has every sentence
   resolved, every table exists as CSV/Markdown/LaTeX and every figure as PDF/SVG/300-dpi PNG, the
   late cohort is counted as not yet treated, and Callaway-Sant'Anna's standard error is clustered by
   province (it matches a province-level pairs bootstrap computed here, and not the unit-level one).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
    nb = json.loads((tmp / "my_panel_out.ipynb").read_text())
    nb["papermill_stderr"] = run.stderr
    return nb


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


def test_papermill_reads_every_parameter(executed):
    """No parameter is skipped by papermill's parser (a second '=' on a line) or reported as unknown."""
    err = executed["papermill_stderr"]
    assert "Unable to parse" not in err and "unknown parameter" not in err.lower(), err[-2000:]


def test_papermill_help_lists_every_parameter_with_type_and_help():
    from didbook.parameters import notebook_parameters

    nb = ROOT / "notebooks" / "your_panel.ipynb"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "chapters.py"), str(ROOT / "notebooks" / "your_panel.md")])
    declared, _ = notebook_parameters(nb)
    papermill = Path(sys.executable).with_name("papermill")
    out = subprocess.run([str(papermill), "--help-notebook", str(nb)], capture_output=True, text=True, timeout=120)
    assert "Unable to parse" not in out.stderr, out.stderr
    text = " ".join(out.stdout.split())
    for name, default in declared.items():
        typ = type(default).__name__
        m = re.search(rf"\b{name}: {typ} \(default [^)]*\) (\S[^:]*)", text)
        assert m, f"papermill --help-notebook does not list {name}: {typ} with a help text:\n{out.stdout}"


# ---- python -m didbook.report on an unseen CSV ------------------------------------------------------------------

UNIT, TIME, Y, COH, PROV, W = "县 名", "年 份", "收入 差距", "adopt year", "省 份", "人口 权重"
LATE = 2023.0  # after the last period, 2020


def cjk_panel(seed: int = 5) -> pd.DataFrame:
    """40 provinces x 5 counties, 2011-2020, adoption by province (one cohort after the window), weights,
    province x year shocks (so province-clustered SEs are about twice the county-clustered ones)."""
    rng = np.random.default_rng(seed)
    n_prov, per, years = 40, 5, np.arange(2011, 2021)
    prov_g = rng.choice([2014.0, 2016.0, 2018.0, np.nan, LATE], size=n_prov)
    prov_g[:5] = [2014.0, 2016.0, np.nan, LATE, 2018.0]
    n = n_prov * per
    prov = np.arange(n) // per
    df = pd.DataFrame([(c, t) for c in range(n) for t in years], columns=["k", TIME])
    k, t = df["k"].to_numpy(), df[TIME].to_numpy()
    df[UNIT] = [f"县 {i:03d} 号" for i in k]
    df[PROV] = [f"省 {p:02d}" for p in prov[k]]
    g = prov_g[prov[k]]
    df[COH] = g
    shock = rng.normal(0, 0.6, (n_prov, len(years)))[prov[k], t - years[0]]
    treated = t >= np.nan_to_num(g, nan=np.inf)
    df[Y] = rng.normal(0, 0.5, n)[k] + 0.05 * (t - 2011) + shock + EFFECT * treated + rng.normal(0, 0.3, len(df))
    df[W] = rng.uniform(0.5, 3.0, n)[k]
    return df.drop(columns="k")


def readme_report_command() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running the book on your own panel", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    cmd = next(b for b in blocks if "-m didbook.report" in b).replace("\\\n", " ")
    return cmd.split()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    data = tmp / "data"
    data.mkdir()
    cjk_panel().to_csv(data / "我的 面板.csv", index=False)
    documented = readme_report_command()
    assert documented[:4] == ["python", "-m", "didbook.report", "my_panel.csv"] and "--out" in documented
    argv = [sys.executable, "-m", "didbook.report", "data/我的 面板.csv", "--out", "out dir"]
    argv += ["--unit", UNIT, "--time", TIME, "--outcome", Y, "--cohort", COH, "--controls", ""]
    argv += ["--cluster", PROV, "--weights", W, "-p", "n_draws", "99", "-p", "n_wild_draws", "199"]
    run = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, timeout=600)  # not the repository
    assert run.returncode == 0, run.stderr[-3000:]
    return tmp / "out dir"


TABLES = [
    "cohorts", "twfe", "event_study_twfe", "bacon", "robust", "event_study_callaway", "event_study_sun",
    "event_study_bjs", "sensitivity_relative_magnitude", "sensitivity_smoothness", "summary", "warnings",
]  # fmt: skip
FIGURES = [
    "cohorts", "event_study_twfe", "event_study_callaway", "event_study_sun", "event_study_bjs",
    "randomization_inference", "sensitivity",
]  # fmt: skip


def test_report_html_reads_without_the_book(report):
    import myst_plain

    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "{glue" not in page and not myst_plain.unrendered(page), myst_plain.unrendered(page)[:5]
    prose = re.sub(r"<details>.*?</details>", "", page, flags=re.S)  # the folded code may say it
    assert "not estimated" not in prose and "not computed" not in prose
    assert "`省 份`" not in page and "省 份" in page  # the user's names, rendered
    assert page.count("<img ") == len(FIGURES) and "data:image/png;base64," in page
    assert "Exercises" not in page
    nb = nbformat.read(report / "your_panel.ipynb", as_version=4)
    g = glued_values(nb)
    assert g["yp_n_refused"] == 0
    df = cjk_panel()
    n_late = df.loc[df[COH] == LATE, UNIT].nunique()
    assert g["yp_late_phrase"].startswith(f"{n_late} units are first treated after the last period ({COH} = 2023)")
    assert not any(o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))


def test_every_table_and_figure_in_every_format(report):
    from PIL import Image

    for name in TABLES:
        for ext in ("csv", "md", "tex"):
            path = report / "tables" / f"{name}.{ext}"
            assert path.exists() and path.stat().st_size > 0, path
    for name in FIGURES:
        pdf, svg, png = (report / "figures" / f"{name}.{ext}" for ext in ("pdf", "svg", "png"))
        assert pdf.read_bytes()[:5] == b"%PDF-", pdf
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000], svg
        dpi = Image.open(png).info.get("dpi", (0, 0))
        assert round(dpi[0]) == 300, (png, dpi)


def test_tables_carry_what_a_referee_asks_for(report):
    robust = pd.read_csv(report / "tables" / "robust.csv")
    for col in ["N (obs.)", f"clusters ({PROV})", "control group", "base period", "critical values", "weights"]:
        assert col in robust.columns, col
    assert (robust[f"clusters ({PROV})"] == 40).all()
    assert robust["critical values"].str.startswith("t(39) pointwise").all()
    by = robust.set_index(["estimator", "aggregation"])
    assert by.loc[("Callaway-Sant'Anna", "simple"), "weights"] == W
    assert by.loc[("Callaway-Sant'Anna", "simple"), "base period"] == "universal"
    assert by.loc[("Sun-Abraham", "simple"), "weights"] == "unweighted (not supported)"
    twfe = pd.read_csv(report / "tables" / "twfe.csv", index_col=0)
    assert list(twfe.columns) == ["no controls"]  # controls "": one column, no duplicate
    md = (report / "tables" / "robust.md").read_text(encoding="utf-8")
    assert "| SE |" in md and "0.000 |" not in md


def test_callaway_santanna_is_clustered_at_the_cluster_column(report):
    """The chapter's CS SE against a province pairs bootstrap of the same estimator (and not the county one)."""
    import didbook
    from didbook.report import prepare_your_panel

    chapter_se = pd.read_csv(report / "tables" / "robust.csv").set_index(["estimator", "aggregation"])
    chapter_se = float(chapter_se.loc[("Callaway-Sant'Anna", "simple"), "std_error"])
    df = cjk_panel()

    def cs(data, cluster=PROV):
        d, _ = prepare_your_panel(data, UNIT, TIME, Y, COH, None, [], cluster, W)
        kw = dict(cluster=cluster, base_period="universal", weights=W)
        return didbook.staggered(d, Y, UNIT, TIME, "didbook_cohort", "cs", "never", **kw)

    rng = np.random.default_rng(11)
    provs = df[PROV].unique()
    groups = {p: g for p, g in df.groupby(PROV)}
    draws = []
    for _ in range(40):
        pick = rng.choice(provs, len(provs))
        parts = [groups[p].assign(**{UNIT: groups[p][UNIT] + f"#{j}", PROV: f"{p}#{j}"}) for j, p in enumerate(pick)]
        try:
            draws.append(cs(pd.concat(parts, ignore_index=True)).estimate)
        except didbook.PanelDataError:  # a draw without never-treated or treated provinces
            continue
    boot_se = float(np.std(draws, ddof=1))
    assert len(draws) >= 35
    assert 0.7 < chapter_se / boot_se < 1.4, (chapter_se, boot_se)
    unit_se = cs(df, UNIT).std_error
    assert unit_se < 0.7 * boot_se, (unit_se, boot_se)  # the design makes clustering matter


def test_make_report_target_runs_the_documented_command():
    run = subprocess.run(
        ["make", "-n", "report", "CSV=my panel.csv", "ARGS=--unit county --time yr"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    line = next(ln for ln in run.stdout.splitlines() if "didbook.report" in ln)
    assert "-m didbook.report" in line and "--unit county --time yr" in line and "--out" in line
