"""The book's frame: instructor commands, launch buttons, the glossary links (the Colab cell: tests/chapters/test_sources.py).

* ``scripts/student_notebooks.py`` writes student copies of a real chapter without solutions and with
  a personal seed in the parameters cell;
* the solutions-free build (``make book-no-solutions``: sphinx-exercise ``hide_solutions``) drops the
  solution text, and exercise numbers restart in each chapter (``chapter.number``), on a tiny book;
* the Binder/Colab/repository launch buttons are generated (from the rendered HTML if the book has been
  built, else from the configuration Jupyter Book computes) and point to the one repository set in
  ``_config.yml``;
* every glossary term a chapter's text uses is linked with ``{term}`` at its first use.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import chapters  # noqa: E402
import no_solutions_book  # noqa: E402
import student_notebooks  # noqa: E402

# Chapters not yet compliant with the glossary-link rule (the lead empties this list at the end).
# The checker masks each markdown cell on its own since the chapters became text sources; that found these
# chapters' unlinked first uses, which the chapter rewrites of this round fix (then remove the name).
GLOSSARY_XFAIL: set[str] = {f"notebooks/{name}.md" for name in ()}
# Abbreviations that count as uses of a glossary term.
ALIASES = {"difference-in-differences": ["DID"], "two-way fixed effects": ["TWFE"]}

JB = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Student notebooks and the solutions-free build
# ---------------------------------------------------------------------------------------------


def test_student_copies_of_a_real_chapter(tmp_path):
    chapter = ROOT / "notebooks" / "theory.ipynb"
    original = nbformat.read(chapter, as_version=4)
    assert student_notebooks.has_solutions(original)
    roster = tmp_path / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["student", "seed"], ["Li Hua", ""], ["Wang Fang", "777"]])
    out = tmp_path / "student"
    args = [str(chapter), "--students", str(roster), "--out", str(out), "--no-execute"]
    assert student_notebooks.main(args) == 0

    n_exercises = sum(c.source.count("{exercise}") for c in original.cells if c.cell_type == "markdown")
    seeds = {}
    for name, folder in (("Li Hua", "Li_Hua"), ("Wang Fang", "Wang_Fang")):
        nb = nbformat.read(out / folder / "theory.ipynb", as_version=4)
        text = json.dumps(nb.cells)
        assert not student_notebooks.has_solutions(nb)
        assert "{solution" not in text
        assert "th_ex_" not in text  # the hidden bookkeeping of the exercises is gone
        n_copy = sum(c.source.count("**Exercise ") for c in nb.cells if c.cell_type == "markdown")
        assert n_copy == n_exercises  # every exercise kept, as plain markdown
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1
        seeds[name] = int(re.search(r"^seed = (\d+)", params[0].source, re.M).group(1))
    assert seeds["Li Hua"] == student_notebooks.seed_from_name("Li Hua")
    assert seeds["Wang Fang"] == 777
    rows = list(csv.DictReader(open(out / "seeds.csv", encoding="utf-8")))
    assert {r["student"]: int(r["seed"]) for r in rows} == seeds


def test_seed_from_name_is_stable_and_differs():
    assert student_notebooks.seed_from_name("Li Hua") == student_notebooks.seed_from_name(" Li Hua ")
    assert student_notebooks.seed_from_name("Li Hua") != student_notebooks.seed_from_name("Li Hui")


def test_gated_solutions_and_tagged_cells_are_removed():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("seed = 1  # seed", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_markdown_cell(
                "## Exercises\n\n:::{exercise}\n:label: e\nQ\n:::\n\n```{solution-start} e\n```\nANSWER"
            ),
            nbformat.v4.new_code_cell("print('ANSWER')"),
            nbformat.v4.new_markdown_cell("ANSWER\n```{solution-end}\n```\n\n## Key ideas\n\n- keep me"),
        ]
    )
    out = student_notebooks.student_copy(nb, chapter="tiny", seed=42, glue=None)
    text = json.dumps(out.cells)
    assert "ANSWER" not in text and "keep me" in text and "**Exercise 1.** Q" in text
    assert out.cells[0].source.startswith("seed = 42")


def _tiny_book(tmp_path: Path) -> Path:
    """An executed-book layout (``_config.yml``, ``_toc.yml``, ``notebooks/*.ipynb``) with two chapters."""
    book = tmp_path / "book_src"
    (book / "book").mkdir(parents=True)
    (book / "notebooks").mkdir()
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    for folder in ("_ext", "_static"):  # local extension, CSS and fonts the config names
        if (ROOT / "book" / folder).exists():
            shutil.copytree(ROOT / "book" / folder, book / "book" / folder)
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapters_ = [{"file": "notebooks/ch1"}, {"file": "notebooks/ch2"}]
    (book / "_toc.yml").write_text(
        yaml.safe_dump(
            {
                "format": "jb-book",
                "root": "intro",
                "defaults": toc["defaults"],  # the book's numbering rule
                "parts": [{"caption": "Part", "chapters": chapters_}],
            }
        )
    )
    (book / "intro.md").write_text("# Intro\n\nA tiny book.\n")
    for k in (1, 2):
        nb = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell(
                    f"# Chapter {k}\n\n## Exercises\n\n:::{{exercise}}\n:label: ch{k}-ex-a\nQuestion A.\n:::\n\n"
                    f":::{{solution-start}} ch{k}-ex-a\n:class: dropdown\n:::\n\nSECRET-ANSWER-{k}"
                ),
                nbformat.v4.new_code_cell(f"print('SECRET-CODE-{k}')"),
                nbformat.v4.new_markdown_cell(
                    f":::{{solution-end}}\n:::\n\n:::{{exercise}}\n:label: ch{k}-ex-b\nQuestion B.\n:::\n\n"
                    f":::{{solution}} ch{k}-ex-b\n:class: dropdown\nSECRET-ANSWER-B{k}\n:::\n"
                ),
            ],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        )
        nbformat.write(nb, book / "notebooks" / f"ch{k}.ipynb")
    return book


def test_no_solutions_build_and_exercise_numbers(tmp_path):
    """Gated and directive solutions stripped from the copy (no hide_solutions: no sphinx-exercise crash)."""
    book = _tiny_book(tmp_path)
    removed = no_solutions_book.prepare(book, tmp_path / "stripped")
    assert removed["ch1"]["labels"] == ["ch1-ex-a", "ch1-ex-b"]
    html = no_solutions_book.build(tmp_path / "stripped", tmp_path / "html")
    ch1 = (html / "notebooks" / "ch1.html").read_text(encoding="utf-8")
    ch2 = (html / "notebooks" / "ch2.html").read_text(encoding="utf-8")
    assert "Question A." in ch1 and "SECRET" not in ch1 + ch2
    assert "Exercise 1.1" in ch1 and "Exercise 1.2" in ch1  # numbers restart in each chapter
    assert "Exercise 2.1" in ch2 and "Exercise 2.2" in ch2
    assert not (html / "_sources").exists()


def test_makefile_has_the_instructor_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert "book-no-solutions:" in makefile and "scripts/no_solutions_book.py" in makefile
    assert "student-notebooks:" in makefile and "answer-keys:" in makefile and "grade:" in makefile


# ---------------------------------------------------------------------------------------------
# Launch buttons and the Colab setup cell
# ---------------------------------------------------------------------------------------------


def _expected_urls(page: str) -> dict[str, str]:
    url, branch = chapters.repository()
    owner_repo = url.removeprefix("https://github.com/")
    return {
        "binder": f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=tree/{page}.ipynb",
        "repository": url,
    }


def test_launch_buttons_come_from_the_one_repository_setting():
    from jupyter_book.config import get_final_config

    config = _config()
    assert config["repository"]["url"].startswith("https://github.com/")
    # html_theme_options under sphinx: config: would replace the options built from the two blocks below
    assert "html_theme_options" not in config["sphinx"]["config"]
    sphinx_config, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", cli_config={"latex_individualpages": False}, validate=False
    )
    theme = sphinx_config["html_theme_options"]
    assert theme["repository_url"] == config["repository"]["url"]
    assert theme["repository_branch"] == config["repository"]["branch"]
    assert theme["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert not theme["launch_buttons"].get("colab_url")  # generated notebooks are not on GitHub: no Colab button
    assert theme["use_repository_button"] is True
    # Binder builds from environment.yml, which installs the book's package
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip


def test_rendered_launch_urls():
    page = ROOT / "_build" / "html" / "notebooks" / "theory.html"
    if not page.exists():
        pytest.skip("the book has not been built (make book); the configuration test covers the URLs")
    html = page.read_text(encoding="utf-8")
    for kind, url in _expected_urls("notebooks/theory").items():
        assert url.replace("&", "&amp;") in html or url in html, (kind, url)


# ---------------------------------------------------------------------------------------------
# Glossary: every term a chapter uses is linked at its first use
# ---------------------------------------------------------------------------------------------


def glossary_terms() -> list[str]:
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line[0].isspace() and not line.startswith(":")
    ]


def test_glossary_is_sorted_and_bilingual():
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    assert ":sorted:" in text
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    entries = re.findall(r"^(\S.*)\n((?:[ \t]+.*\n?)+)", block, re.M)
    assert entries
    for term, definition in entries:
        if term.startswith(":"):
            continue
        assert re.search(r"[\u4e00-\u9fff]", definition), f"{term}: no Chinese term"
    for term in ("ATT(g,t)", "Not-yet-treated", "Negative weights", "WCR", "WCU", "Sharp null", "Breakdown value"):
        assert term in glossary_terms()


def _chapter_markdown(path: Path) -> str:
    """The chapter's prose, each markdown cell masked on its own (code spans and fences never cross cells)."""
    nb = chapters.generate(path)
    return "\n\n".join(_mask(c.source) for c in nb.cells if c.cell_type == "markdown")


def _mask(text: str) -> str:
    """Keep prose; turn {term} roles into markers; drop code, math, other roles, headings, options."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"^(`{3,})\{(admonition|note|important|warning|tip)\}.*$", " ", text, flags=re.M)
    text = re.sub(
        r"^(`{3,})(?!\{(exercise|solution|admonition|note|important|warning|tip))[^\n]*\n.*?^\1\s*$",
        " ",
        text,
        flags=re.S | re.M,
    )
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)

    def term(m):
        body = m.group(1)
        target = re.search(r"<([^>]+)>\s*$", body)
        return f" \x00{(target.group(1) if target else body).strip().lower()}\x00 "

    text = re.sub(r"\{term\}`([^`]+)`", term, text)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)  # other roles: glue, cite, doc, numref, ...
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"\]\([^)]*\)", "] ", text)  # link targets
    text = re.sub(r"^\s*(#+ .*|:{3,}.*|`{3,}.*|:[\w-]+:.*)$", " ", text, flags=re.M)
    return re.sub(r"\s+", " ", text)  # a term may be broken across lines


def first_unlinked_uses(text: str, terms: list[str]) -> list[str]:
    """Terms whose first use in ``text`` is not a ``{term}`` link."""
    masked = _mask(text)
    bad = []
    lowered = [t.lower() for t in terms]
    for t in lowered:
        names = [t]
        longer = [o for o in lowered if o != t and t in o]
        plain = masked.lower()
        for o in longer:  # "att" inside "att(g,t)" is a use of the longer term
            plain = re.sub(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", " ", plain)
        first_plain = min(
            (
                m.start()
                for n in names
                for m in re.finditer(r"(?<![\w-])" + re.escape(n) + r"(?:s|es)?(?![\w-])", plain)
            ),
            default=None,
        )
        # an abbreviation is matched in its own case: "DID" is the method, "did" the verb
        alias_uses = [
            m.start()
            for a in ALIASES.get(t, [])
            for m in re.finditer(r"(?<![\w-])" + re.escape(a) + r"s?(?![\w-])", masked)
        ]
        first_plain = min([x for x in [first_plain, *alias_uses] if x is not None], default=None)
        first_link = plain.find(f"\x00{t}\x00")
        if first_plain is not None and (first_link == -1 or first_link > first_plain):
            bad.append(t)
    return bad


CHAPTERS = [p.relative_to(ROOT).as_posix() for p in chapters.chapter_sources()]


@pytest.mark.parametrize(
    "chapter",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason="not yet linked to the glossary")) if c in GLOSSARY_XFAIL else c
        for c in CHAPTERS
    ],
)
def test_glossary_terms_linked_at_first_use(chapter):
    bad = first_unlinked_uses(_chapter_markdown(ROOT / chapter), glossary_terms())
    assert not bad, f"{chapter}: first use not linked with {{term}}: {bad}"


def test_the_glossary_checker_itself():
    terms = ["ATT", "ATT(g,t)", "Parallel trends", "Two-way fixed effects"]
    assert first_unlinked_uses("The {term}`ATT` and the ATT again.", terms) == []
    assert first_unlinked_uses("The ATT, then the {term}`ATT`.", terms) == ["att"]
    assert first_unlinked_uses("Only ATT(g,t) here, see {term}`ATT(g,t)`.", terms) == ["att(g,t)"]
    assert first_unlinked_uses("Code `ATT` and $ATT$ do not count.", terms) == []
    assert first_unlinked_uses("{term}`TWFE <Two-way fixed effects>` then TWFE.", terms) == []
    assert first_unlinked_uses("TWFE first.", terms) == ["two-way fixed effects"]
    did = ["Difference-in-differences"]
    assert first_unlinked_uses("It did not move; {term}`DID <Difference-in-differences>` then DID.", did) == []
    assert first_unlinked_uses("A DID first, then {term}`DID <Difference-in-differences>`.", did) == [
        "difference-in-differences"
    ]
