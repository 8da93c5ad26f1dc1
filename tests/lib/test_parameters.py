"""Strict notebook parameters: unknown names, wrong types and values fail with a message naming them."""

from __future__ import annotations

import pytest

import didbook
from didbook.parameters import ParameterError, ParameterTypeError

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
