"""The heterogeneity, mechanisms and spatial-equalization chapters run under a second seed and their
parameters change the result.

Each chapter is executed with papermill twice with quick parameter values (few permutation/bootstrap draws),
once with its default seed and once with another, and a number glued for the prose is read back from the
executed notebook's outputs: it must exist, be finite, and differ between the two seeds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

#: chapter -> (quick parameters, glued name to read back)
CHAPTERS = {
    "heterogeneity": ({"n_perm": 99}, "het_mae_pf_bjs"),
    "income_gap_mechanisms": ({}, "mech_gap_est"),
    "spatial_equalization": ({"n_draws": 99}, "sp_bjs_est"),
}
SEEDS = (2024, 7)


def glued(nb, name: str):
    """The value glued as ``name`` in an executed notebook (myst-nb stores it in the output metadata)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            if meta.get("name") == name:
                data = out.get("data", {})
                text = data.get("text/plain", data.get("application/papermill.record/text/plain"))
                if text is None:
                    raise AssertionError(f"{name} has no text/plain value: {list(data)}")
                return json.loads(text) if text[:1] not in "'\"" else text.strip("'\"")
    raise AssertionError(f"{name} was not glued")


def run(chapter: str, tmp_path: Path, **parameters):
    import papermill as pm

    out = tmp_path / f"{chapter}_{parameters.get('seed')}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / f"{chapter}.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("name") != "stderr", f"{chapter}: stderr output {o.get('text', '')[:200]}"
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_runs_under_a_second_seed_and_the_seed_matters(chapter, tmp_path):
    quick, name = CHAPTERS[chapter]
    values = [glued(run(chapter, tmp_path, seed=s, **quick), name) for s in SEEDS]
    for v in values:
        assert isinstance(v, float) and math.isfinite(v), (chapter, name, v)
    assert values[0] != values[1], f"{chapter}: {name} is the same under seeds {SEEDS}"
