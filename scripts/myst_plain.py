"""MyST markdown -> plain markdown, for notebooks read outside the book (Jupyter, Colab, answer keys).

Jupyter and Colab do not render MyST: a student copy must not show ``{term}`...```, ``{numref}`...```,
``{glue:text}`...``` or ``:::`` fences. :func:`to_plain` rewrites one markdown cell:

* ``{glue:text}`name:fmt``` -> the number, formatted (values read from the executed notebook);
* ``{term}`text <Target>``` -> text; ``{doc}`target``` -> the page's title in italics; ``{ref}`label``` -> the
  section's title; ``{numref}`fig-label``` -> "Figure N" (figures numbered in the notebook's order);
* ``{cite}`A,B``` -> "(Author Year; Author Year)", ``{cite:t}`A``` -> "Author (Year)" (``book/references.bib``);
* ``{math}`x``` -> ``$x$``; ``(label)=`` targets and ``$$ (label)`` equation labels dropped;
* directives: ``{exercise}`` -> "**Exercise k.**" and its text; ``{admonition}``/``{note}``/``{tip}``/
  ``{warning}``/... -> a block quote with a bold title; ``{solution}`` and ``{solution-start}`` ->
  "**Solution to Exercise k.**" (answer keys; student copies have them stripped before).

Anything else in braces (an unknown role or directive) raises :class:`MystError` naming it and the chapter:
a student copy never shows unrendered MyST silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,}|`{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<arg>.*)$")
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
_TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=[ \t]*$")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*$")
_EQ_LABEL = re.compile(r"^(?P<math>[ \t]*\$\$)[ \t]*\([\w.:-]+\)[ \t]*$")
EXERCISE_MARK = "\x00exercise-end:{label}\x00"
_BOX = {"admonition", "note", "tip", "warning", "important", "seealso", "hint", "caution", "attention", "danger"}
_BOX.add("error")


class MystError(ValueError):
    """MyST that cannot be turned into plain markdown (unknown role, directive or label)."""


@dataclass
class Context:
    """What the rewriting needs to know about the chapter (see :func:`context`)."""

    where: str
    glue: Mapping[str, Any] | None = None  # None: leave glue roles alone (they are resolved elsewhere)
    figures: dict[str, int] = field(default_factory=dict)
    exercises: dict[str, int] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)


# ---- what the chapter and the book define ---------------------------------------------------------------------------


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _HEADING.match(line)
        if m and line.startswith("# "):
            return m.group("title")
    return path.stem.replace("_", " ")


def book_titles() -> dict[str, str]:
    """Page path (``notebooks/theory``, ``book/glossary``) -> title."""
    out = {}
    for folder in ("notebooks", "book"):
        for path in (ROOT / folder).glob("*.md"):
            if path.name != "README.md":
                out[f"{folder}/{path.stem}"] = _title(path)
    return out


def book_sections() -> dict[str, str]:
    """``(label)=`` target -> the title of the heading that follows it, in every page of the book."""
    out = {}
    for folder in ("notebooks", "book"):
        for path in (ROOT / folder).glob("*.md"):
            lines = path.read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(lines):
                m = _TARGET.match(line)
                if m:
                    nxt = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
                    h = _HEADING.match(nxt)
                    out[m.group("label")] = h.group("title") if h else m.group("label")
    return out


def bibliography(path: Path = ROOT / "book" / "references.bib") -> dict[str, tuple[str, str]]:
    """Citation key -> (authors as cited, year) from the BibTeX file."""
    text = path.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)(?=\n@|\Z)", text, re.S):
        key, body = m.group(1), m.group(2)
        author = re.search(r"\b(?:author|editor)\s*=\s*[{\"](.*?)[}\"]\s*,?\s*\n", body, re.S | re.I)
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body, re.I)
        names = []
        for person in re.split(r"\s+and\s+", author.group(1)) if author else []:
            person = person.replace("{", "").replace("}", "").strip()
            names.append(person.split(",")[0].strip() if "," in person else person.split()[-1])
        cited = (
            names[0]
            if len(names) == 1
            else f"{names[0]} and {names[1]}"
            if len(names) == 2
            else f"{names[0]} et al."
            if names
            else key
        )
        out[key] = (cited, year.group(1) if year else "n.d.")
    return out


def context(nb, where: str, glue: Mapping[str, Any] | None = None) -> Context:
    """The rewriting context of one notebook: its figures and exercises numbered in order, the book's pages,
    section labels and bibliography."""
    figures: dict[str, int] = {}
    exercises: dict[str, int] = {}
    for cell in nb.cells:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if cell.cell_type == "code" and fig.get("name"):
            figures[fig["name"]] = len(figures) + 1
        if cell.cell_type == "markdown":
            for m in re.finditer(r"\{exercise\}[^\n]*\n(?:[ \t]*:[\w-]+:.*\n)*?[ \t]*:label:[ \t]*(\S+)", cell.source):
                exercises[m.group(1)] = len(exercises) + 1
    return Context(
        where=where,
        glue=glue,
        figures=figures,
        exercises=exercises,
        sections=book_sections(),
        titles=book_titles(),
        citations=bibliography(),
    )


# ---- roles ------------------------------------------------------------------------------------------------------


def _split_target(body: str) -> tuple[str | None, str]:
    m = re.match(r"^(.*?)\s*<([^<>]+)>$", body, re.S)
    return (m.group(1), m.group(2)) if m else (None, body)


def _doc_title(target: str, ctx: Context) -> str:
    parts = [p for p in target.split("/") if p not in ("", ".")]
    if parts and parts[0] == "..":
        parts = parts[1:]
    else:
        parts = ["notebooks", *parts]
    key = "/".join(parts).removesuffix(".md").removesuffix(".ipynb")
    if key not in ctx.titles:
        raise MystError(f"{ctx.where}: {{doc}} names {target!r}, which is not a page of the book")
    return ctx.titles[key]


def _cite(body: str, textual: bool, ctx: Context) -> str:
    parts = []
    for key in (k.strip() for k in body.split(",")):
        if key not in ctx.citations:
            raise MystError(f"{ctx.where}: {{cite}} names {key!r}, which is not in book/references.bib")
        who, year = ctx.citations[key]
        parts.append(f"{who} ({year})" if textual else f"{who} {year}")
    return "; ".join(parts) if textual else "(" + "; ".join(parts) + ")"


def _role(m: re.Match, ctx: Context) -> str:
    role, body = m.group("role"), m.group("body")
    text, target = _split_target(body)
    if role in ("glue:text", "glue"):
        if ctx.glue is None:
            return m.group(0)
        from didbook.book import resolve_glue

        try:
            return resolve_glue(m.group(0), ctx.glue)
        except KeyError as err:
            raise MystError(f"{ctx.where}: {err.args[0]}") from None
    if role == "term":
        return text or target
    if role == "doc":
        return text or f"*{_doc_title(target, ctx)}*"
    if role == "ref":
        if text:
            return text
        if target in ctx.exercises:  # sphinx-exercise renders {ref} to an exercise as "Exercise N"
            return f"Exercise {ctx.exercises[target]}"
        if target not in ctx.sections:
            raise MystError(f"{ctx.where}: {{ref}} names {target!r}, which no (label)= target defines")
        return f"*{ctx.sections[target]}*"
    if role == "numref":
        if target in ctx.figures:
            number = str(ctx.figures[target])
            return (text.replace("%s", number).replace("{number}", number)) if text else f"Figure {number}"
        if target in ctx.exercises:
            return f"Exercise {ctx.exercises[target]}"
        if text:
            return text.replace("%s", "").strip()
        raise MystError(f"{ctx.where}: {{numref}} names {target!r}, which is not a figure of this notebook")
    if role in ("cite", "cite:p", "cite:ps"):
        return _cite(body, False, ctx)
    if role in ("cite:t", "cite:ts"):
        return _cite(body, True, ctx)
    if role == "math":
        return f"${body}$"
    if role == "eq":
        return f"({target})"
    raise MystError(f"{ctx.where}: unknown MyST role {{{role}}} in {m.group(0)!r}")


def roles(text: str, ctx: Context) -> str:
    """Rewrite every role of ``text`` (see the module docstring)."""
    return ROLE.sub(lambda m: _role(m, ctx), text)


# ---- directives ---------------------------------------------------------------------------------------------------


def _close(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing a directive opened with ``fence`` (nested code fences skipped)."""
    char, n = fence[0], len(fence)
    i = start
    while i < len(lines):
        line = lines[i].strip()
        if line and set(line) == {char} and len(line) >= n:
            return i
        inner = _FENCE.match(lines[i])
        if char == ":" and inner and not _OPEN.match(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].strip() != inner.group("fence"):
                j += 1
            i = j
        i += 1
    raise MystError(f"unclosed directive fence {fence!r}")


def _quote(title: str, body: str) -> str:
    lines = [f"**{title}**", "", *body.strip("\n").splitlines()]
    return "\n".join(("> " + ln) if ln.strip() else ">" for ln in lines)


def directives(text: str, ctx: Context) -> str:
    """Rewrite every directive and target of ``text`` into plain markdown."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _OPEN.match(line)
        if not m:
            fence = _FENCE.match(line)
            if fence:  # a plain code block: copy it whole
                j = i + 1
                while j < len(lines) and lines[j].strip() != fence.group("fence"):
                    j += 1
                out.extend(lines[i : j + 1])
                i = j + 1
                continue
            if _TARGET.match(line.strip()):
                i += 1
                continue
            eq = _EQ_LABEL.match(line)
            out.append(eq.group("math") if eq else line)
            i += 1
            continue
        name, arg = m.group("name"), m.group("arg").strip()
        try:
            end = _close(lines, i + 1, m.group("fence"))
        except MystError as err:
            raise MystError(f"{ctx.where}: {{{name}}} directive: {err}") from None
        j = i + 1
        options = {}
        while j < end and _OPTION.match(lines[j]):
            opt = _OPTION.match(lines[j])
            options[opt.group("key")] = opt.group("value").strip()
            j += 1
        body = directives("\n".join(lines[j:end]), ctx)
        if name == "exercise":
            label = options.get("label", "")
            k = ctx.exercises.get(label, "")
            out.append(f"**Exercise {k}.** " + body.strip("\n"))
            out.append(EXERCISE_MARK.format(label=label))
        elif name in ("solution", "solution-start"):
            k = ctx.exercises.get(arg, "")
            out.append(f"**Solution to Exercise {k}.**" + (("\n\n" + body.strip("\n")) if body.strip() else ""))
        elif name == "solution-end":
            pass
        elif name in _BOX:
            title = arg if name == "admonition" else (name.capitalize() + (f": {arg}" if arg else ""))
            out.append(_quote(title, body))
        elif name == "math":
            out.append("$$\n" + body.strip("\n") + "\n$$")
        else:
            raise MystError(f"{ctx.where}: unknown MyST directive {{{name}}}")
        i = end + 1
    return "\n".join(out)


def to_plain(text: str, ctx: Context) -> str:
    """One markdown cell, MyST -> plain markdown (exercise ends marked with :data:`EXERCISE_MARK`)."""
    return re.sub(r"\n{3,}", "\n\n", roles(directives(text, ctx), ctx)).strip("\n")


def unrendered(text: str) -> list[str]:
    """MyST left in plain markdown: roles, directive fences, targets (empty when clean; used by the tests)."""
    found = [m.group(0) for m in ROLE.finditer(text)]
    found += [ln for ln in text.splitlines() if _OPEN.match(ln) or re.match(r"^[ \t]*:{3,}", ln) or _TARGET.match(ln)]
    return found
