"""Shared fixtures and paths for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
EXECUTED = ROOT / "_build" / "src" / "notebooks"


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The rendered book. `make test` builds it first; running pytest alone needs `make book`."""
    if not (HTML / "index.html").exists():
        if os.environ.get("CI") or os.environ.get("REQUIRE_BOOK"):
            pytest.fail("_build/html is missing: run `make book` (make test does it for you)")
        pytest.skip("_build/html is missing: run `make book` first (or use `make test`)")
    return HTML
