"""The names the issues spell out are public API: importable from the top level and documented."""

import inspect

import pytest

import didbook

ISSUE_API = [
    "load_dataset",
    "simulate_city_panel",
    "twfe",
    "regression_table",
    "event_study",
    "staggered",
    "bacon_decomposition",
    "placebo_test",
    "wild_cluster_bootstrap",
    "psm_did",
    "honest_sensitivity",
    "entropy_weights",
    "composite_index",
    "dagum_gini",
    "theil",
    "gini",
    # issue 22: beyond the papers' toolkit
    "etwfe",
    "two_stage",
    "stacked",
    "lp_did",
    "dcdh",
    "twfe_weights",
    "continuous_did",
    "synthetic_did",
    "synthetic_control",
    # issue 22, point 4: few treated clusters
    "cr2_test",
    "randomization_t_test",
    "conley_taber",
]


@pytest.mark.parametrize("name", ISSUE_API)
def test_function_is_public_and_has_a_numpydoc_docstring_with_an_example(name):
    func = getattr(didbook, name)
    assert name in didbook.__all__
    doc = inspect.getdoc(func) or ""
    for section in ("Parameters", "Returns", "Examples"):
        assert section in doc, f"{name} docstring lacks a {section} section"


def test_every_public_function_is_in_the_library_reference_page():
    page = inspect.getfile(didbook).rsplit("/lib/", 1)[0] + "/book/library_reference.md"
    text = open(page, encoding="utf-8").read()
    functions = [n for n in didbook.__all__ if inspect.isfunction(getattr(didbook, n, None))]
    missing = [n for n in functions if f"didbook.{n}\n" not in text]
    assert not missing, f"add to book/library_reference.md: {missing}"
