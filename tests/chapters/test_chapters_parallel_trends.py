"""The parallel-trends chapters run under other parameters, and their parameters change the result.

Each chapter is executed with papermill under a second seed and another scenario (small parameter
values keep each run quick); a glued number read from the executed notebook must differ from the
default run's. Slow (each execution takes tens of seconds): marked ``slow``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

pytestmark = pytest.mark.slow

# chapter -> (glued key to compare, small parameters shared by both runs, the changed parameters)
CASES = {
    "event_study": (
        "es_twfe_post",
        {"n_sims": 2000},
        {"seed": 7, "scenario": "homogeneous"},
    ),
    "honest_parallel_trends": (
        "hp_first",
        {"mbar_grid": [0.0, 1.0], "m_grid": [0.0, 0.1]},
        {"seed": 7, "scenario": "pt_violation"},
    ),
    "robustness": (
        "rb_twfe",
        {"n_draws": 19, "shifts": [1]},
        {"seed": 7, "scenario": "homogeneous"},
    ),
}


def glued(executed: Path) -> dict[str, str]:
    """Name -> text/plain of every value glued in an executed notebook (myst-nb / scrapbook outputs)."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            name, prefix = meta.get("name"), meta.get("mime_prefix", "")
            plain = out.get("data", {}).get(prefix + "text/plain")
            if name and plain is not None:
                values[name] = "".join(plain)
    return values


def run(chapter: str, out: Path, parameters: dict) -> dict[str, str]:
    papermill = pytest.importorskip("papermill")
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{chapter}.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    stderr = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr, f"{chapter}: stderr output {stderr[:1]}"
    return glued(out)


@pytest.mark.parametrize("chapter", sorted(CASES))
def test_parameters_change_the_result(chapter, tmp_path):
    if not (NOTEBOOKS / f"{chapter}.ipynb").exists():
        pytest.skip(f"{chapter}.ipynb not written yet")
    key, small, changed = CASES[chapter]
    default = run(chapter, tmp_path / "default.ipynb", small)
    other = run(chapter, tmp_path / "other.ipynb", {**small, **changed})
    assert key in default and key in other, f"{key} not glued"
    assert default[key] != other[key], f"{chapter}: {key} = {default[key]} under both parameter sets"
