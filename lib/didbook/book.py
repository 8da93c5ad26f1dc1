"""Book machinery: what the chapters need to become pages, kept apart from the analysis API.

* :func:`glue_all` -- numbers computed in a cell, quoted in the prose (``{glue:text}``);
* :func:`check_parameters` -- the strict-parameter check the build injects after each ``parameters`` cell;
* :func:`use_book_style` -- the book's figure style (seaborn plus the bundled CJK font);
* :func:`glued_values` and :func:`resolve_glue` -- read the glued numbers back from an executed notebook and put
  them into its prose (for pages read outside the book: reports, student copies, checks of the wording);
* :func:`answer` and friends -- numeric answers recorded inside exercise solutions, for answer keys and grading
  (:mod:`didbook.homework`).

Chapters call them as ``didbook.book.glue_all(...)``; a researcher's own analysis never needs them.
"""

from __future__ import annotations

from .homework import answer, check_answers, recorded_answers, within
from .pages import glue_all, glued_values, resolve_glue
from .parameters import check_parameters
from .plotting import use_book_style

__all__ = [
    "glue_all",
    "check_parameters",
    "use_book_style",
    "glued_values",
    "resolve_glue",
    "answer",
    "check_answers",
    "recorded_answers",
    "within",
]
