"""Bookkeeping for the book's pages: numbers computed in a notebook, quoted in its prose.

Chapters keep analysis code visible and bookkeeping out of sight: a cell tagged ``remove-cell``
calls :func:`glue_all` once with every number the prose quotes, and the prose cites them as
``{glue:text}`name:.2f```. No number in prose is typed by hand.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["glue_all", "glue", "glued_values", "resolve_glue"]

#: Where myst-nb looks for a value glued without display (its ``GLUE_PREFIX``).
GLUE_PREFIX = "application/papermill.record/"


def glue_all(prefix: str = "", /, **values) -> None:
    """Glue every keyword value for the page's prose under ``prefix + name`` (nothing is displayed).

    Parameters
    ----------
    prefix : str
        Prepended to every name, e.g. the chapter's short code ``"bl_"``.
    **values
        Name -> value (a number, or a short string). NumPy scalars are converted to Python ones.

    Returns
    -------
    None

    Examples
    --------
    >>> glue_all("bl_", estimate=-0.94, truth=-1.0)  # doctest: +SKIP

    In the markdown cell: ``the estimate {glue:text}`bl_estimate:.2f` against {glue:text}`bl_truth:.2f```.
    """
    for name, value in values.items():
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            value = value.item()
        glue(f"{prefix}{name}", value)


def glue(name: str, value) -> None:
    """Glue one value without displaying it, exactly as ``myst_nb.glue(name, value, display=False)`` does.

    Written with IPython alone, so a chapter runs (in Jupyter, Colab, papermill) without myst-nb installed;
    myst-nb only reads the outputs when the book is rendered.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


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


def resolve_glue(text: str, values: Mapping[str, Any], render=None) -> str:
    """Replace every ``{glue:text}`name:fmt``` (and ``{glue}`name```) in ``text`` by its formatted value.

    ``render(value, fmt)`` writes a value (default: Python's ``format``). Raises ``KeyError`` naming a role
    whose value was not glued (never a silent blank).

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
        if render is not None:
            return render(value, fmt)
        return format(value, fmt) if fmt else str(value)

    return _GLUE_ROLE.sub(sub, text)


# ---- numeric exercise answers (recorded in solutions, self-checked in student copies) ----------------------------
