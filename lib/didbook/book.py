"""Book machinery: what the chapters need to become pages, kept apart from the analysis API.

* :func:`glue_all` -- numbers computed in a cell, quoted in the prose (``{glue:text}``);
* :func:`check_parameters` -- the strict-parameter check the build injects after each ``parameters`` cell;
* :func:`use_book_style` -- the book's figure style (seaborn plus the bundled CJK font);
* :func:`glued_values` and :func:`resolve_glue` -- read the glued numbers back from an executed notebook and put
  them into its prose (for pages read outside the book: reports, student copies, checks of the wording).

Chapters call them as ``didbook.book.glue_all(...)``; a researcher's own analysis never needs them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from .pages import glue_all
from .parameters import check_parameters
from .plotting import use_book_style

__all__ = ["glue_all", "check_parameters", "use_book_style", "glued_values", "resolve_glue"]


# ---- glued values, read back from an executed notebook --------------------------------------------------------

_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")


def glued_values(notebook, raw: bool = False) -> dict[str, Any]:
    """Name -> value of everything glued in an executed notebook (a path or an ``nbformat`` node).

    myst-nb stores a glued value as a display output whose metadata names it; the value comes back from its
    ``text/plain`` representation (a Python literal where possible, else the text; with ``raw=True`` the
    ``text/plain`` string itself, as myst-nb formats it).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> out = nbformat.v4.new_output("display_data", data={"text/plain": "-0.25"})
    >>> out.metadata = {"scrapbook": {"name": "x_est", "mime_prefix": ""}}
    >>> nb.cells = [nbformat.v4.new_code_cell(outputs=[out])]
    >>> glued_values(nb)
    {'x_est': -0.25}
    """
    import nbformat

    nb = notebook if hasattr(notebook, "cells") else nbformat.read(str(notebook), as_version=4)
    values: dict[str, Any] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            name = meta.get("name")
            data = out.get("data", {})
            text = data.get(meta.get("mime_prefix", "") + "text/plain", data.get("text/plain"))
            if not name or text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            if raw:
                values[name] = text
                continue
            try:
                values[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                values[name] = text
    return values


def resolve_glue(text: str, values: Mapping[str, Any]) -> str:
    """Replace every ``{glue:text}`name:fmt``` (and ``{glue}`name```) in ``text`` by its formatted value.

    Raises ``KeyError`` naming a role whose value was not glued (never a silent blank).

    Examples
    --------
    >>> resolve_glue("the estimate {glue:text}`x_est:.2f` pp", {"x_est": -0.2468})
    'the estimate -0.25 pp'
    """

    def sub(match: re.Match) -> str:
        name, fmt = match.group(1), match.group(2) or ""
        if name not in values:
            raise KeyError(f"{{glue}} role names {name!r}, which the notebook did not glue")
        value = values[name]
        return format(value, fmt) if fmt else str(value)

    return _GLUE_ROLE.sub(sub, text)


# ---- numeric exercise answers (recorded in solutions, self-checked in student copies) ----------------------------

from .homework import answer, check_answers, recorded_answers, within  # noqa: E402

__all__ += ["answer", "check_answers", "recorded_answers", "within"]
