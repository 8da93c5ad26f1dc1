"""Strict notebook parameters: a chapter refuses a parameter it does not declare, or of the wrong type or value.

papermill overrides a chapter's parameters by inserting a cell (``injected-parameters``, first line
``# Parameters``) right after the cell tagged ``parameters``. By itself papermill only *warns* about a
name the chapter does not declare ("Passed unknown parameter") and runs on, so a reader who passed
``-p data_path mine.csv`` to a chapter without that parameter believes the numbers are theirs. Two
guards close that gap, both built on the same rules (:func:`validate`):

1. The book's executor (``scripts/execute_notebooks.py``) reads the notebook file before papermill runs
   (:func:`notebook_parameters`) and stops with the message.
2. Every chapter has a hidden cell (tags ``remove-cell`` and ``parameters-check``) right after its
   ``parameters`` cell, so plain ``papermill`` and interactive runs are checked too::

       import didbook

       didbook.book.check_parameters(globals())

   ``scripts/add_parameter_checks.py`` inserts it (idempotent).

How the check cell knows what was declared and what was injected
    IPython keeps the source of every cell the kernel ran, in order, in ``In`` (papermill, nbclient,
    nbconvert and Jupyter all execute with ``store_history=True``). The check cell reads backwards from
    itself: if the previous cell's first line is exactly ``# Parameters`` it is papermill's injected cell
    and the one before it is the chapter's ``parameters`` cell; otherwise the previous cell is the
    ``parameters`` cell and nothing was injected. Both sources are parsed with :mod:`ast` (nothing is
    executed again). Convention this relies on: a ``parameters`` cell holds only ``name = literal``
    assignments (comments allowed) and its first line is not exactly ``# Parameters`` (the book's cells
    start with ``# Parameters (papermill can override these ...)``).

Rules (:func:`validate`)
    * every passed name must be declared (the message lists the declared names and a close match);
    * the value must have the declared default's type: ``int`` (not ``bool``, not ``1.5``), ``float`` (an
      ``int`` is fine), ``bool``, ``str``; a ``list`` parameter also accepts a comma-separated string
      (``-p controls "lngdp,popdens"``; ``""`` is the empty list), which :func:`check_parameters`
      converts in the namespace; a ``None`` default accepts any literal;
    * ``choices={"name": allowed values}`` and ``minimum={"name": lowest value}`` restrict values; built in:
      ``scenario`` must be one of :data:`didbook.SCENARIOS`, ``seed`` >= 0 and ``n_*`` counts
      (``n_draws``, ...) >= 1.

Errors are :class:`ParameterError` (a ``ValueError``) for unknown names and bad values and
:class:`ParameterTypeError` (also a ``TypeError``) for wrong types; each names the parameter and what it
accepts.
"""

from __future__ import annotations

import ast
import difflib
import json
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

__all__ = [
    "ParameterError",
    "ParameterTypeError",
    "check_parameters",
    "validate",
    "parse_assignments",
    "notebook_parameters",
    "split_list",
    "CHECK_CELL_SOURCE",
    "CHECK_CELL_TAG",
    "INJECTED_HEADER",
]

#: Source of the standard hidden check cell (``scripts/add_parameter_checks.py`` inserts it).
CHECK_CELL_SOURCE = "import didbook\n\ndidbook.book.check_parameters(globals())"
#: Tag that marks the check cell (with ``remove-cell``, which hides it in the book).
CHECK_CELL_TAG = "parameters-check"
#: First line of the cell papermill injects.
INJECTED_HEADER = "# Parameters"

_TYPE_NAMES = {bool: "bool (True or False)", int: "int (a whole number)", float: "float (a number)", str: "str (text)"}


class ParameterError(ValueError):
    """A notebook parameter that the chapter does not declare, or whose value is not allowed."""


class ParameterTypeError(ParameterError, TypeError):
    """A notebook parameter of the wrong type (e.g. ``-p n_draws abc``)."""


def split_list(value: Any) -> list:
    """A list parameter from a list, a tuple or a comma-separated string (``"a, b"`` -> ``["a", "b"]``; ``""`` -> ``[]``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def parse_assignments(source: str) -> dict[str, Any]:
    """``{name: value}`` of the ``name = literal`` statements of a cell (others are ignored)."""
    out: dict[str, Any] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name):
                try:
                    out[t.id] = ast.literal_eval(value)
                except ValueError:
                    out[t.id] = _NotLiteral(ast.unparse(value))
    return out


class _NotLiteral:
    """A declared value that is an expression, not a literal: any passed value is accepted."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _plain(v: Any) -> str:
    return repr(v)


def _allowed(default: Any) -> str:
    if isinstance(default, (list, tuple)):
        return "a list, or a comma-separated string such as 'a,b' ('' = empty list)"
    return _TYPE_NAMES.get(type(default), type(default).__name__)


def _builtin_minimum(name: str, default: Any) -> int | None:
    if type(default) is not int:
        return None
    if name == "seed":
        return 0
    if name.startswith("n_"):
        return 1
    return None


def validate(
    declared: Mapping[str, Any],
    passed: Mapping[str, Any],
    *,
    choices: Mapping[str, Any] | None = None,
    minimum: Mapping[str, float] | None = None,
    where: str = "this chapter",
) -> dict[str, Any]:
    """Check ``passed`` parameter values against the ``declared`` defaults; return them normalized.

    Returns ``{name: value}`` for the passed names, with list parameters given as strings split at
    commas. Raises :class:`ParameterError` / :class:`ParameterTypeError` naming the parameter and the
    allowed names, types or values.
    """
    choices = dict(choices or {})
    minimum = dict(minimum or {})
    if "scenario" in declared and "scenario" not in choices:
        from .simulate import SCENARIOS

        choices["scenario"] = tuple(SCENARIOS)
    names = ", ".join(declared) or "(none)"
    out: dict[str, Any] = {}
    for name, value in passed.items():
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"unknown parameter {name!r}: {where} does not declare it, so its value would be ignored{hint} "
                f"Allowed parameters: {names}"
            )
        default = declared[name]
        if isinstance(default, _NotLiteral) or default is None:
            ok = True
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = float(value) if ok else value
        elif isinstance(default, (list, tuple)):
            ok = isinstance(value, (list, tuple, str))
            value = split_list(value) if ok else value
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise ParameterTypeError(
                f"parameter {name!r} must be {_allowed(default)} like its default {default!r}; got {value!r} "
                f"({type(value).__name__})"
            )
        allowed = choices.get(name)
        if allowed is not None:
            items = value if isinstance(value, list) else [value]
            bad = [v for v in items if v not in allowed]
            if bad:
                raise ParameterError(
                    f"parameter {name!r} got {bad[0]!r}; allowed values: {', '.join(map(repr, allowed))}"
                )
        low = minimum.get(name, _builtin_minimum(name, default))
        if low is not None and isinstance(value, (int, float)) and value < low:
            raise ParameterError(f"parameter {name!r} must be >= {low}, got {value!r}")
        out[name] = value
    return out


def _history(namespace: Mapping[str, Any]) -> list[str] | None:
    hist = namespace.get("In")
    if isinstance(hist, list) and len(hist) >= 2:
        return [str(h) for h in hist]
    try:  # pragma: no cover - fallback when "In" is not in the namespace passed
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            return list(ip.user_ns.get("In", []))
    except ImportError:
        pass
    return None


def _is_injected(source: str) -> bool:
    lines = source.strip().splitlines()
    return bool(lines) and lines[0].strip() == INJECTED_HEADER


def check_parameters(
    namespace: MutableMapping[str, Any],
    *,
    choices: Mapping[str, Any] | None = None,
    minimum: Mapping[str, float] | None = None,
    declared: Mapping[str, Any] | None = None,
    passed: Mapping[str, Any] | None = None,
) -> None:
    """Refuse parameters the chapter's ``parameters`` cell does not declare, or of the wrong type or value.

    Call it in the cell right after the ``parameters`` cell, as ``didbook.book.check_parameters(globals())``
    (see the module docstring for how the declared and injected cells are found). List parameters
    passed as comma-separated strings are converted in ``namespace``; every declared list parameter
    is made a list.

    Parameters
    ----------
    namespace : dict
        The notebook's ``globals()``.
    choices, minimum : dict, optional
        Allowed values (``{"method": ("cs", "sa", "bjs")}``) and lower bounds (``{"leads": 1}``).
    declared, passed : dict, optional
        The declared defaults and the passed values, when not read from the kernel's history (tests).

    Returns
    -------
    None
        (so the check cell displays nothing)

    Raises
    ------
    ParameterError, ParameterTypeError
        Unknown name, wrong type or value not allowed; the message names the parameter and what it accepts.

    Examples
    --------
    >>> ns = {"n_draws": "abc"}
    >>> check_parameters(ns, declared={"n_draws": 200}, passed={"n_draws": "abc"})
    Traceback (most recent call last):
    ...
    didbook.parameters.ParameterTypeError: parameter 'n_draws' must be int (a whole number) like its default 200; got 'abc' (str)
    """
    if declared is None:
        hist = _history(namespace)
        if hist is None:
            return None
        prev = hist[-2]
        if _is_injected(prev) and len(hist) >= 3:
            declared, passed = parse_assignments(hist[-3]), parse_assignments(prev)
        else:
            declared, passed = parse_assignments(prev), {}
    passed = dict(passed or {})
    values = validate(declared, passed, choices=choices, minimum=minimum)
    for name, default in declared.items():
        if isinstance(default, (list, tuple)) and name in namespace and isinstance(namespace[name], str):
            namespace[name] = split_list(namespace[name])
    namespace.update(values)


def notebook_parameters(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Declared parameters of a notebook file and the keyword arguments of its check cell.

    Returns ``(declared, options)``: ``declared`` maps each name in the cell tagged ``parameters``
    to its default; ``options`` holds the literal ``choices=``/``minimum=`` of the
    ``check_parameters`` call in the next cell (``{}`` if none). A notebook without a ``parameters``
    cell declares nothing.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            declared = parse_assignments(_source(cell))
            options: dict[str, Any] = {}
            if i + 1 < len(cells) and "check_parameters" in _source(cells[i + 1]):
                options = _check_call_options(_source(cells[i + 1]))
            return declared, options
    return {}, {}


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _check_call_options(source: str) -> dict[str, Any]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == (
            "check_parameters"
        ):
            out = {}
            for kw in node.keywords:
                if kw.arg in ("choices", "minimum"):
                    try:
                        out[kw.arg] = ast.literal_eval(kw.value)
                    except ValueError:
                        pass
            return out
    return {}
