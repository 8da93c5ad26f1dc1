"""Numeric exercise answers: recorded by the solutions, checked in the student copies.

A solution that computes the numbers its exercise asks for records them once, inside its gated block::

    didbook.book.answer("theory-ex-second-2x2", tolerance=0.001, ex2_did=did, ex2_true=true_att)

Each keyword is one answer: its name is the variable the student copy asks the student to set (a Python
identifier, unique in the chapter), its value the number for the seed the chapter ran with. ``answer``
glues each value under its name (so the solution's prose can quote ``{glue:text}`ex2_did:.3f```) and records
the answer in the executed notebook (a glued entry ``didbook-answer:<exercise>:<name>``), where
``scripts/answer_keys.py`` collects it with :func:`recorded_answers`.

The student copy (``scripts/student_notebooks.py``) gets, after each such exercise, a cell where the
student sets the variables and a check cell calling :func:`check_answers` with a *hashed* key: the answer is
rounded to a grid of a quarter of the tolerance and salted with the seed, so the key is not in plain sight
(a determined student can brute-force the hashes: the self-check is feedback, the grade comes from
``scripts/grade.py`` with the instructor's key). The check cell accepts every answer within the tolerance
(and may accept one up to 1.5 tolerances away); the grade uses the exact rule :func:`within`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

from .pages import glue, glued_values

__all__ = ["answer", "check_answers", "within", "answer_hashes", "recorded_answers", "ANSWER_PREFIX"]

ANSWER_PREFIX = "didbook-answer:"
_STEPS = 4  # grid step = tolerance / _STEPS; the self-check accepts |rounded difference| <= _STEPS + 1


def _number(value: Any, what: str) -> float:
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def answer(exercise: str, /, *, tolerance: float | Mapping[str, float], **values: Any) -> None:
    """Record the numeric answers of ``exercise`` (called in its solution; nothing is displayed).

    Parameters
    ----------
    exercise : str
        The exercise's ``:label:``.
    tolerance : float or dict
        Absolute tolerance, one for all answers or one per answer name (``{"ex2_did": 0.001}``); > 0.
    **values
        Answer name (a Python identifier: the student's variable) -> number.

    Examples
    --------
    >>> answer("th-ex-2x2", tolerance=0.001, ex2_did=-0.512)  # doctest: +SKIP
    """
    if not isinstance(exercise, str) or not exercise.strip():
        raise ValueError(f"answer(): the exercise label must be a non-empty string, got {exercise!r}")
    if not values:
        raise ValueError(f"answer({exercise!r}): give at least one answer as name=value")
    for name, value in values.items():
        tol = tolerance.get(name) if isinstance(tolerance, Mapping) else tolerance
        if tol is None:
            raise ValueError(f"answer({exercise!r}): no tolerance for {name!r}")
        tol = _number(tol, f"answer({exercise!r}): tolerance of {name!r}")
        if tol <= 0:
            raise ValueError(f"answer({exercise!r}): tolerance of {name!r} must be > 0, got {tol}")
        number = _number(value, f"answer({exercise!r}): {name}")
        glue(name, number)
        glue(
            f"{ANSWER_PREFIX}{exercise}:{name}", {"exercise": exercise, "name": name, "value": number, "tolerance": tol}
        )


def recorded_answers(notebook) -> list[dict]:
    """The answers recorded by :func:`answer` in an executed notebook (path or nbformat node), in order."""
    values = glued_values(notebook)
    return [dict(v) for k, v in values.items() if k.startswith(ANSWER_PREFIX)]


def within(submitted: Any, key: float, tolerance: float) -> bool:
    """The grading rule: ``submitted`` is a finite number with ``|submitted - key| <= tolerance``."""
    try:
        x = _number(submitted, "answer")
    except (TypeError, ValueError):
        return False
    return abs(x - key) <= tolerance * (1 + 1e-9)


def _digest(seed: int, exercise: str, name: str, cell: int) -> str:
    return hashlib.sha256(f"{seed}|{exercise}|{name}|{cell}".encode()).hexdigest()[:16]


def answer_hashes(seed: int, exercise: str, name: str, value: float, tolerance: float) -> str:
    """The hashed key of one answer for the student copy's check cell (see the module docstring)."""
    return _digest(seed, exercise, name, round(value / (tolerance / _STEPS)))


def check_answers(exercise: str, key: Mapping[str, Any], **answers: Any) -> None:
    """The student copy's self-check: compare each answer with the hashed key; print the verdicts.

    ``key`` is ``{"seed": int, "answers": {name: [tolerance, hash]}}`` (written by the student-copy script).
    Prints, for each answer, *accepted*, *not within ...* or *not answered yet* (still ``...``). The
    submitted values are also written into the cell's output metadata, where ``scripts/grade.py`` reads them.
    """
    seed = int(key["seed"])
    verdicts: dict[str, bool | None] = {}
    submitted: dict[str, float | None] = {}
    lines = []
    for name, (tol, digest) in key["answers"].items():
        if name not in answers:
            raise NameError(f"check_answers({exercise!r}): the check cell does not pass {name!r}")
        value = answers[name]
        if value is Ellipsis or value is None:
            verdicts[name], submitted[name] = None, None
            lines.append(f"  {name}: not answered yet (replace the ... by your number)")
            continue
        try:
            x = _number(value, name)
        except (TypeError, ValueError) as err:
            verdicts[name], submitted[name] = False, None
            lines.append(f"  {name}: {err}")
            continue
        submitted[name] = x
        cell = round(x / (float(tol) / _STEPS))
        ok = any(_digest(seed, exercise, name, cell + d) == digest for d in range(-_STEPS - 1, _STEPS + 2))
        verdicts[name] = ok
        lines.append(f"  {name} = {x!r}: " + ("accepted" if ok else f"not within {tol:g} of the answer"))
    text = f"Exercise {exercise} (seed {seed}):\n" + "\n".join(lines)
    try:
        from IPython.display import display

        display(
            {"text/plain": text},
            raw=True,
            metadata={"didbook": {"check": exercise, "seed": seed, "answers": submitted}},
        )
    except ImportError:  # plain Python, no IPython: print only
        print(text)
