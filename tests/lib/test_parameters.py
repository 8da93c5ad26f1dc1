"""Strict notebook parameters: unknown names, wrong types and values fail with a message naming them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import didbook
from didbook.parameters import ParameterError, ParameterTypeError, notebook_parameters, validate

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks" / "your_panel.ipynb"
PARAMS = "# Parameters (papermill can override these)\nseed = 1  # seed\nn_draws = 99\nalpha = 0.05\n"
PARAMS += 'controls = ["x"]\nscenario = "baseline"\nflag = True\ndata_path = ""\n'


def run_check(*injected: str):
    """check_parameters as in a kernel: In = [..., parameters cell, (injected cell), check cell]."""
    ns = {}
    exec(PARAMS, ns)
    history = ["", PARAMS]
    for src in injected:
        exec(src, ns)
        history.append(src)
    ns["In"] = [*history, "didbook.book.check_parameters(globals())"]
    didbook.book.check_parameters(ns)
    return ns


def test_declared_parameters_pass_and_lists_accept_comma_strings():
    ns = run_check("# Parameters\nn_draws = 5\nalpha = 1\ncontrols = 'a, b'\n")
    assert ns["controls"] == ["a", "b"] and ns["alpha"] == 1.0 and ns["n_draws"] == 5
    assert run_check("# Parameters\ncontrols = ''\n")["controls"] == []
    assert run_check()["n_draws"] == 99  # no injection: nothing to refuse


@pytest.mark.parametrize(
    "injected,exc,match",
    [
        (
            "data_pth = 'x.csv'",
            ParameterError,
            r"unknown parameter 'data_pth'.*did you mean 'data_path'.*seed, n_draws",
        ),
        ("n_draws = 'abc'", ParameterTypeError, r"parameter 'n_draws' must be int .*got 'abc'"),
        ("seed = 1.5", TypeError, r"parameter 'seed' must be int"),
        ("flag = 1", TypeError, r"parameter 'flag' must be bool"),
        ("alpha = 'high'", TypeError, r"parameter 'alpha' must be float"),
        ("scenario = 'nope'", ParameterError, r"parameter 'scenario' got 'nope'; allowed values: 'baseline'"),
        ("n_draws = 0", ParameterError, r"parameter 'n_draws' must be >= 1"),
    ],
)
def test_bad_parameters_fail_naming_the_parameter(injected, exc, match):
    with pytest.raises(exc, match=match):
        run_check("# Parameters\n" + injected + "\n")


def test_notebook_declares_its_parameters_and_check_options():
    declared, options = notebook_parameters(NB)
    assert {"data_path", "unit", "time", "outcome", "cohort", "controls", "cluster", "n_draws"} <= set(declared)
    assert options == {"minimum": {"leads": 1, "lags": 0}}
    with pytest.raises(ParameterError, match="leads' must be >= 1"):
        validate(declared, {"leads": 0}, **options)


def test_executor_refuses_before_papermill_runs():
    cmd = [sys.executable, "scripts/execute_notebooks.py", str(NB), "--out", "/tmp/didbook_param_test"]
    run = subprocess.run([*cmd, "-p", "outcom", "gap"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "unknown parameter 'outcom'" in run.stderr, run.stderr
    sys.path.insert(0, str(ROOT / "scripts"))
    import execute_notebooks

    bad = execute_notebooks.check_parameters([NB], {"n_draws": "abc"})
    assert len(bad) == 1 and "parameter 'n_draws' must be int" in bad[0]
    assert execute_notebooks.check_parameters([NB], {"n_draws": 99, "controls": "a,b"}) == []


@pytest.mark.parametrize(
    "args,match",
    [
        (["-p", "data_pth", "x.csv"], "unknown parameter 'data_pth'"),
        (["-p", "n_draws", "abc"], "parameter 'n_draws' must be int"),
    ],
)
def test_plain_papermill_fails_with_a_named_message(tmp_path, args, match):
    papermill = Path(sys.executable).parent / "papermill"
    cmd = [str(papermill), str(NB), str(tmp_path / "out.ipynb"), "--cwd", str(NB.parent), *args]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert run.returncode != 0
    assert match in run.stderr + run.stdout, (run.stderr + run.stdout)[-2000:]
