"""No function of the library is longer than 100 code lines.

A *code line* is a line of the function's source that holds code: blank lines, comment-only lines
and the lines of the function's docstring are not counted (nested functions count toward their
parent as well as themselves). Long tables of data belong in data files (package data), and long
procedures in named helpers.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

import didbook

LIB = Path(didbook.__file__).parent
MAX_CODE_LINES = 100
#: TEMPORARY: modules owned by the inference-audit work (staggered, honest_sensitivity and
#: event_study are still over the limit); remove each entry once its module is split.
ALLOWED: set[str] = set()


def code_lines(source: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of ``node`` that hold a code token (not a comment, not the docstring)."""
    doc = set()
    body0 = node.body[0] if node.body else None
    if isinstance(body0, ast.Expr) and isinstance(getattr(body0, "value", None), ast.Constant):
        if isinstance(body0.value.value, str):
            doc = set(range(body0.lineno, body0.end_lineno + 1))
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in skip:
            continue
        for ln in range(tok.start[0], tok.end[0] + 1):
            if node.lineno <= ln <= node.end_lineno and ln not in doc:
                lines.add(ln)
    return len(lines)


def long_functions(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = code_lines(source, node)
            if n > MAX_CODE_LINES:
                out.append(f"{node.name} ({n} code lines)")
    return out


MODULES = sorted(p.relative_to(LIB).as_posix() for p in LIB.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_no_function_over_100_code_lines(module):
    long = long_functions(LIB / module)
    if module in ALLOWED:
        pytest.skip(f"temporarily allowed: {long}")
    assert not long, f"{module}: split {long} into helpers (limit {MAX_CODE_LINES} code lines)"


def test_the_counter_skips_docstrings_comments_and_blank_lines_and_catches_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}  # c\n    # comment\n" for i in range(101))
    (tmp_path / "m.py").write_text(f'def f():\n    """Doc.\n\n    More doc.\n    """\n{body}\n    return 0\n')
    assert long_functions(tmp_path / "m.py") == ["f (103 code lines)"]  # def + 101 assignments + return
    (tmp_path / "ok.py").write_text('def g():\n    """Doc."""\n' + "\n".join(f"    y{i} = {i}\n" for i in range(98)))
    assert long_functions(tmp_path / "ok.py") == []


def test_the_allow_list_only_names_modules_that_exist():
    assert ALLOWED <= set(MODULES)
