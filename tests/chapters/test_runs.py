"""The executed chapters, under the default parameters (``make book``) and under a second seed (``make seeds``).

Nothing is executed here: the tests read the notebooks the two make targets wrote.

* every chapter with a ``seed`` ran under the second seed without an error or stderr output, and its numbers
  moved (a glued number that does not change with the seed is not computed from the simulated data);
* under both seeds, the prose with its glued numbers put in reads right: no template grammar such as
  "1 are", "2 city", "falls by -0.77" or "3 of the three", no doubled signs;
* no heading appears twice in a chapter; no table output is cut off (pandas' "..." rows, columns or cells);
* figure captions quote no computed number (a caption cannot be glued, so a number in it goes stale).
"""

from __future__ import annotations

import math
import re

import chapters
import nbformat
import pytest
from conftest import EXECUTED, SEED2, executed_notebook

from didbook.book import glued_values, resolve_glue

SOURCES = {p.stem: p for p in chapters.chapter_sources()}
SEEDED = sorted(name for name, p in SOURCES.items() if re.search(r"^seed = ", p.read_text(encoding="utf-8"), re.M))
RUNS = {"default": EXECUTED, "seed2": SEED2}

NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
NOUNS = {  # singular -> plural
    **{w: w + "s" for w in "province cohort draw test estimate interval year period unit state cell exercise".split()},
    "city": "cities",
    "county": "counties",
}
SINGULAR, PLURAL = "|".join(NOUNS), "|".join(NOUNS.values())
# a whole number standing alone (not 1.25, -1 or 2,000) that is not a label ("paper 1 states", "Table 2")
COUNT = r"(?<![\d.,-])(?<!paper )(?<!Paper )(?<!table )(?<!Table )(?<!column )(?<!Column )(?<!chapter )\b"
# a singular noun that ends its phrase (in "6 cohort intervals" the noun is a modifier)
ENDS_PHRASE = r"(?=\s*(?:[.,;:)]|$|\b(?:is|was|has|had|in|of|with|and|that|which)\b))"
GRAMMAR = {
    "singular count with a plural verb": re.compile(COUNT + r"1 (?:\w+ ){0,2}?(?:are|were|have|cover|reject)\b"),
    "singular count with a plural noun": re.compile(COUNT + rf"1 (?:{PLURAL})\b"),
    # up to three digits: "the 2016 cohort" is a year, not a count
    "plural count with a singular noun": re.compile(
        COUNT + rf"(?:0|[2-9]|[1-9]\d{{1,2}})(?![.,]\d) (?:{SINGULAR})\b(?!-)" + ENDS_PHRASE
    ),
    "a change 'by' a negative number": re.compile(
        r"\b(?:falls?|fell|rises?|rose|declines?|drops?|narrows?|widens?|increases?|decreases?|shrinks?)"
        r" by [-\u2212]\d"
    ),
    "a count 'of the' number word": re.compile(rf"\b\d+ of the (?:{NUMBER_WORDS})\b"),
    "doubled sign": re.compile(r"(?:--|\+-|-\+|- -|\u2212-)\d"),
}
CUT_OFF = [
    re.compile(r"<t[dh][^>]*>\s*\.\.\.\s*</t[dh]>"),  # pandas' truncated rows/columns in HTML
    re.compile(r"\.\.\.</td>"),  # a cell truncated by display.max_colwidth
]


def _runs_of(chapter: str):
    return [("default", chapter)] + ([("seed2", chapter)] if chapter in SEEDED else [])


def _notebook(run: str, chapter: str):
    return nbformat.read(executed_notebook(RUNS[run], chapter), as_version=4)


def _prose(nb) -> list[str]:
    values = glued_values(nb)
    return [resolve_glue(c.source, values) for c in nb.cells if c.cell_type == "markdown"]


def grammar_problems(text: str) -> list[str]:
    """The template-grammar defects in ``text`` (a list of 'kind: context')."""
    text = re.sub(r"`[^`]*`|\$[^$]*\$", " ", text)  # code and math are not prose
    found = []
    for kind, pattern in GRAMMAR.items():
        for m in pattern.finditer(text):
            found.append(f"{kind}: {m.group(0)!r} in ...{text[max(0, m.start() - 40) : m.end() + 20]!r}...")
    return found


def test_the_grammar_check_itself():
    bad = ["1 are significant", "3 of the three", "falls by -0.77 pp", "in 2 province.", "1 cities", "a --0.5 change"]
    good = [
        "2 are significant",
        "3 of the 14 tests",
        "falls by 0.77 pp",
        "2 provinces",
        "1 city",
        "0.1 are",
        "Paper 1 states",
        "the 6 cohort intervals",
        "the 2016 cohort.",
    ]
    assert all(grammar_problems(t) for t in bad), [t for t in bad if not grammar_problems(t)]
    assert not any(grammar_problems(t) for t in good), [grammar_problems(t) for t in good]


@pytest.mark.parametrize("chapter", SEEDED)
def test_second_seed_runs_cleanly_and_moves_the_numbers(chapter):
    nb = _notebook("seed2", chapter)
    bad = [o.get("name", o.output_type) for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    bad += [o.text[:200] for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not bad, f"{chapter} under the second seed: {bad[:3]}"
    first, second = glued_values(_notebook("default", chapter)), glued_values(nb)
    numbers = [
        k
        for k, v in first.items()
        if isinstance(v, float) and math.isfinite(v) and isinstance(second.get(k), float) and math.isfinite(second[k])
    ]
    assert numbers, f"{chapter}: no glued number in both runs"
    moved = [k for k in numbers if first[k] != second[k]]
    assert moved, f"{chapter}: none of {len(numbers)} glued numbers changed with the seed"


@pytest.mark.parametrize("run,chapter", [rc for c in sorted(SOURCES) for rc in _runs_of(c)])
def test_prose_reads_right_with_its_numbers(run, chapter):
    problems = [p for text in _prose(_notebook(run, chapter)) for p in grammar_problems(text)]
    assert not problems, f"{chapter} ({run} run): {problems[:5]}"


@pytest.mark.parametrize("chapter", sorted(SOURCES))
def test_no_duplicate_headings(chapter):
    nb = _notebook("default", chapter)
    headings = [
        line.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in re.sub(r"^(`{3,}|:{3,}).*?^\1", "", c.source, flags=re.S | re.M).splitlines()
        if re.match(r"#{1,6} ", line)
    ]
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    assert not repeated, f"{chapter}: headings used twice: {repeated}"


@pytest.mark.parametrize("run,chapter", [rc for c in sorted(SOURCES) for rc in _runs_of(c)])
def test_no_table_is_cut_off(run, chapter):
    nb = _notebook(run, chapter)
    cut = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if any(p.search(html) for p in CUT_OFF):
                cut.append(f"cell {i}: {cell.source.splitlines()[0][:60] if cell.source else ''}")
    assert not cut, f"{chapter} ({run} run): tables cut off in {cut}"


@pytest.mark.parametrize("chapter", sorted(SOURCES))
def test_captions_quote_no_computed_number(chapter):
    nb = chapters.generate(SOURCES[chapter])
    captions = [
        c.metadata["mystnb"]["figure"].get("caption", "")
        for c in nb.cells
        if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})
    ]
    decimals = [cap for cap in captions if re.search(r"(?<![\w.])-?\d+\.\d{2,}", cap)]
    assert not decimals, f"{chapter}: captions with a typed number (glue it into the text instead): {decimals}"
