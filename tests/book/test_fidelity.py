"""Sentences the reviews found wrong stay out of the book: statements the papers' texts do not support, lessons
read off one simulated draw, and descriptions that disagreed with their figures.

Each entry is a fragment of a corrected sentence (as the reviewers quoted it) and why it was wrong. The check
reads every chapter source and book page, and the rendered HTML when the book has been built, so neither the
sentence nor a glued variant of it comes back.
"""

from __future__ import annotations

import html
import re

import pytest
from conftest import HTML, ROOT

CORRECTED = {
    # what the papers' texts do not contain (issue 19)
    "normalized, weighted with the entropy method": "paper 1 names no weighting method (the entropy weights are the book's)",
    "other ways of weighting the outcome index": "paper 1's robustness section has no alternative weighting",
    "Paper 2 does the same": "paper 2's text reports no such robustness check",
    "use such alternative measures": "paper 2's text reports no alternative outcome measures",
    "is a ratio or a Theil index": "paper 2's text does not say how the gap is measured",
    "few city controls and standard errors clustered by city": "neither paper's text says how it clusters",
    "Both papers of this book do so": "paper 2's text reports no event study",
    "concentrated in large, highly digital cities": "paper 1 finds the effect in large AND medium cities",
    "Paper 1 proposes two channels": "paper 1 lists four mechanisms",
    "data are not public": "the yearbooks are published; the papers' own city panels are not available",
    "稳健性断点": "the breakdown value is 临界值 (断点 suggests regression discontinuity)",
    "禁忌比较": "forbidden comparisons are 禁止比较",
    # lessons read off one simulated draw (issue 18)
    "The second term is zero when parallel trends hold": "parallel trends is about expectations",
    "is a failure of unconditional parallel trends": "one draw's trend difference is noise around its expectation",
    "whatever it returns is the selection bias": "one draw of an estimator on Y(0) is noise around the selection bias",
    "bias is larger when the pilot is ignored": "rested on two estimates within one standard error",
    "weights the effects in its own way": "TWFE's average error over draws is about zero there",
    "little power against plausible violations": "contradicted the power table beside it",
    "later years rest on the earliest cohorts only, so their intervals are wider": "one draw's intervals say otherwise",
    "the regressions need no controls": "false once a treated set is held fixed",
    "13 of their 95% intervals cover": "one draw of correlated intervals is not a coverage rate",
    # descriptions that disagreed with the page (issue 24)
    "early cohorts in late years receive negative weights": "they can; the weights are computed and shown",
    "red diamonds": "the truth markers are not red diamonds",
    "average of one to five provinces": "the cohorts have between two and five provinces",
}


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _sources() -> list:
    return sorted((ROOT / "notebooks").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("fragment", sorted(CORRECTED))
def test_corrected_sentence_is_not_in_any_source(fragment):
    found = [p.relative_to(ROOT).as_posix() for p in _sources() if fragment in _normalize(p.read_text("utf-8"))]
    assert not found, f"{fragment!r} ({CORRECTED[fragment]}) is back in {found}"


def test_corrected_sentences_are_not_in_the_rendered_book():
    if not (HTML / "index.html").exists():
        pytest.skip("the book has not been built (make book); the sources are checked above")
    found = []
    for page in sorted(HTML.rglob("*.html")):
        text = _normalize(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text("utf-8"))))
        text = text.replace("\u2019", "'")
        found += [(page.relative_to(HTML).as_posix(), f) for f in CORRECTED if f in text]
    assert not found, f"corrected sentences rendered: {found}"


def test_the_check_finds_a_sentence():
    assert "Paper 1 proposes two channels" in _normalize("Paper 1\nproposes   two channels: ...")
