"""Book machinery: what the chapters need to become pages, kept apart from the analysis API.

* :func:`glue_all` -- numbers computed in a cell, quoted in the prose (``{glue:text}``);
* :func:`check_parameters` -- the strict-parameter check the build injects after each ``parameters`` cell;
* :func:`use_book_style` -- the book's figure style (seaborn plus the bundled CJK font).

Chapters call them as ``didbook.book.glue_all(...)``; a researcher's own analysis never needs them.
"""

from __future__ import annotations

from .pages import glue_all
from .parameters import check_parameters
from .plotting import use_book_style

__all__ = ["glue_all", "check_parameters", "use_book_style"]
