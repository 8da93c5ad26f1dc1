"""One vocabulary, one engine: every public result and function speaks the same names.

* every public ``Result`` subclass has the five headline attributes;
* public functions name draws ``n_draws``, covariates ``controls`` and regression weights ``weights``;
* the retired names (``coef``, ``se``, ``overall``, ``observed``, ``twfe_estimate``, ...) are gone;
* estimator modules share machinery only through private modules (``_fitting``, ``_demean``,
  ``_engine``, ``_validation``, ``_results``), never by importing a private name from another
  public estimator module;
* the pyfixest model inside a ``TwfeResult`` carries the user's variable names.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import didbook
from didbook._results import HEADLINE, Result

LIB = Path(didbook.__file__).parent
HEADLINE_NAMES = ["estimate", "std_error", "conf_low", "conf_high", "p_value"]
RETIRED_ATTRIBUTES = {"coef", "se", "overall", "observed", "twfe_estimate", "conf_int", "original_ci", "B"}
RETIRED_PARAMETERS = {"n", "B", "n_bootstrap", "n_boot", "reps", "covariates", "covars", "weight"}
#: CompositeIndex.overall (and its subclass EqualizationIndex) is the per-row composite score (a Series aligned with the data), not a
#: headline number; it keeps its name.
NOT_HEADLINES = {("CompositeIndex", "overall"), ("EqualizationIndex", "overall")}
ENGINE_NOTES_SPELLINGS = ["engine warnings", "engine warning", "engine messages", "Engine notes"]


def public_objects():
    return {name: getattr(didbook, name) for name in didbook.__all__ if not name.startswith("__")}


def result_classes():
    return {n: o for n, o in public_objects().items() if inspect.isclass(o) and issubclass(o, Result)}


def public_functions():
    return {n: o for n, o in public_objects().items() if inspect.isfunction(o)}


def attribute_names(cls) -> set[str]:
    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    return names | {n for n, _ in inspect.getmembers(cls) if not n.startswith("_")}


def test_headline_constant():
    assert list(HEADLINE) == HEADLINE_NAMES


def test_there_are_result_classes_to_check():
    expected = {
        "TwfeResult",
        "EventStudyResult",
        "PlaceboResult",
        "BootstrapResult",
        "StaggeredResult",
        "StaggeredAggregate",
        "BaconResult",
        "PsmDidResult",
        "HonestResult",
    }
    assert expected <= set(result_classes())


@pytest.mark.parametrize("name", sorted(result_classes()))
def test_every_result_has_the_five_headline_attributes(name):
    cls = result_classes()[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for attr in HEADLINE_NAMES:
        assert attr in fields, f"{name} lacks {attr!r}"
    obj = cls(table=pd.DataFrame())
    for attr in HEADLINE_NAMES:
        assert np.isnan(getattr(obj, attr)), f"{name}.{attr} should default to NaN"
    assert obj.notes == []


@pytest.mark.parametrize("name", sorted(result_classes()))
def test_no_retired_attribute_names(name):
    cls = result_classes()[name]
    left = {a for a in attribute_names(cls) & RETIRED_ATTRIBUTES if (name, a) not in NOT_HEADLINES}
    assert not left, f"{name} still has retired attribute(s) {sorted(left)}"


@pytest.mark.parametrize("name", sorted(public_functions()))
def test_parameters_use_the_standard_names(name):
    params = inspect.signature(public_functions()[name]).parameters
    retired = set(params) & RETIRED_PARAMETERS
    assert not retired, f"{name} has retired parameter name(s) {sorted(retired)}"


def test_standard_parameter_names_are_used_where_the_concept_exists():
    sig = {n: set(inspect.signature(f).parameters) for n, f in public_functions().items()}
    for fn in ("placebo_test", "wild_cluster_bootstrap", "staggered"):
        assert "n_draws" in sig[fn], fn
    for fn in ("twfe", "event_study", "placebo_test", "wild_cluster_bootstrap", "staggered", "psm_did"):
        assert "controls" in sig[fn], fn
    for fn in ("twfe", "event_study"):
        assert "weights" in sig[fn], fn
    assert "weight_type" in sig["wild_cluster_bootstrap"]  # bootstrap weight distribution, not regression weights
    assert "weights" not in sig["wild_cluster_bootstrap"]


def test_one_spelling_of_the_engine_notes_key():
    from didbook._engine import ENGINE_NOTES

    assert ENGINE_NOTES == "engine_notes"
    for path in LIB.glob("*.py"):
        text = path.read_text()
        for bad in ENGINE_NOTES_SPELLINGS:
            assert f'"{bad}"' not in text, f"{path.name} spells the engine-notes key {bad!r}"


# ----------------------------------------------------------------------------- module structure

ESTIMATOR_MODULES = ["twfe", "event_study", "placebo", "bootstrap", "staggered", "bacon", "psm", "honest", "tables"]
PUBLIC_MODULES = {p.stem for p in LIB.glob("*.py") if not p.stem.startswith("_")} | {"simulate"}


def private_imports_from_public_modules(module: str) -> list[str]:
    tree = ast.parse((LIB / f"{module}.py").read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            source = node.module.split(".")[0]
            if source in PUBLIC_MODULES and source != module:
                bad += [f"from .{node.module} import {a.name}" for a in node.names if a.name.startswith("_")]
    return bad


@pytest.mark.parametrize("module", ESTIMATOR_MODULES)
def test_estimators_share_machinery_only_through_private_modules(module):
    bad = private_imports_from_public_modules(module)
    assert not bad, f"{module}.py imports private names from public modules: {bad}"


def test_the_import_check_catches_a_violation(tmp_path, monkeypatch):
    (tmp_path / "fake.py").write_text("from .twfe import _fit\nfrom ._fitting import _fit\n")
    monkeypatch.setattr(f"{__name__}.LIB", tmp_path)
    assert private_imports_from_public_modules("fake") == ["from .twfe import _fit"]


# ----------------------------------------------------------------------------- pyfixest interop


def _panel(seed=3, units=30, periods=6):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(units) for t in range(2001, 2001 + periods)], columns=["city", "year"])
    df["digital_platform"] = ((df["city"] % 3 == 0) & (df["year"] >= 2004)).astype(int)
    df["log_gdp"] = rng.normal(size=len(df))
    df["income_gap"] = 0.5 * df["digital_platform"] + 0.3 * df["log_gdp"] + rng.normal(size=len(df))
    return df


def test_model_keeps_the_users_names_for_etable():
    import pyfixest as pf

    fit = didbook.twfe(_panel(), "income_gap", "digital_platform", "city", "year", controls=["log_gdp"])
    assert list(fit.model.coef().index) == ["digital_platform", "log_gdp"]
    table = pf.etable([fit.model], type="df")
    text = table.to_string()
    assert "digital_platform" in text and "log_gdp" in text and "income_gap" in text
    assert "didbook_" not in text


def test_unparseable_names_are_made_safe_and_mapped_back():
    df = _panel().rename(columns={"digital_platform": "platform (on)", "log_gdp": "log gdp"})
    fit = didbook.twfe(df, "income_gap", "platform (on)", "city", "year", controls=["log gdp"])
    assert fit.tidy()["term"].tolist() == ["platform (on)", "log gdp"]
    ref = didbook.twfe(_panel(), "income_gap", "digital_platform", "city", "year", controls=["log_gdp"])
    assert fit.estimate == pytest.approx(ref.estimate, abs=1e-12)
