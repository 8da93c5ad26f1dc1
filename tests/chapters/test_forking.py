"""Paper chapters are forkable: every cell that uses the simulation's truth is marked, and each
chapter says so (scripts/mark_truth_cells.py keeps this true)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_truth_cells_are_marked_in_every_simulated_chapter():
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "mark_truth_cells.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, "run `python scripts/mark_truth_cells.py`:\n" + out.stdout


def test_the_marker_finds_truth_and_leaves_method_alone():
    sys.path.insert(0, str(ROOT / "scripts"))
    import mark_truth_cells as m

    assert m.USES_TRUTH.search("est - panel.truth.att[('platform', 'income_gap')]")
    assert m.USES_TRUTH.search("y0 = panel.untreated('income_gap', 'platform')")
    assert m.USES_TRUTH.search("ax.axhline(true_pf)")
    assert not m.USES_TRUTH.search("fit = didbook.twfe(data, 'income_gap', 'platform_treated', 'city_id', 'year')")
