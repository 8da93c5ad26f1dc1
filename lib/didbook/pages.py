"""Bookkeeping for the book's pages: numbers computed in a notebook, quoted in its prose.

Chapters keep analysis code visible and bookkeeping out of sight: a cell tagged ``remove-cell``
calls :func:`glue_all` once with every number the prose quotes, and the prose cites them as
``{glue:text}`name:.2f```. No number in prose is typed by hand.
"""

from __future__ import annotations

__all__ = ["glue_all", "glue"]

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
