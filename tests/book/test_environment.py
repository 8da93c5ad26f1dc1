"""One lock: constraints.txt (pip) and environment.yml (conda) pin the same versions; pyproject.toml's runtime
dependencies are lower bounds at exactly those versions, its extras (book, test) exact pins."""

import re
import tomllib

import yaml
from conftest import ROOT


def _norm(req: str) -> str:
    name, _, version = re.split(r"(==|>=)", req, maxsplit=1) if re.search(r"==|>=", req) else (req, "", "")
    return f"{re.sub(r'[-_.]+', '-', name.strip().lower())}=={version.strip()}"


def pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {_norm(r) for r in reqs}


def environment_pins() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_norm(r) for r in pip_section if "==" in r}


def test_runtime_dependencies_have_lower_bounds_and_extras_are_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    unbounded = [r for r in project["dependencies"] if not re.fullmatch(r"[\w.-]+>=[\w.]+", r)]
    assert not unbounded, f"runtime dependencies need a lower bound (name>=version): {unbounded}"
    extras = [r for e in project["optional-dependencies"].values() for r in e]
    loose = [r for r in extras if "==" not in r]
    assert not loose, f"unpinned book/test dependencies: {loose}"


def test_environment_yml_matches_pyproject():
    pip, conda = pyproject_pins(), environment_pins()
    assert pip == conda, (
        f"only in pyproject.toml: {sorted(pip - conda)}; only in environment.yml: {sorted(conda - pip)}"
    )


def test_environment_yml_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_section
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_constraints_file_pins_the_same_versions_as_pyproject():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    locked = {_norm(line) for line in lines if "==" in line and not line.startswith("#")}
    locked_names = {p.split("==")[0] for p in locked}
    for pin in pyproject_pins():
        name = pin.split("==")[0]
        assert name in locked_names, f"{name} missing from constraints.txt"
        assert pin in locked, f"constraints.txt disagrees with pyproject.toml on {name}"
