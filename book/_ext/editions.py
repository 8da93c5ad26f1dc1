"""Each page links to its twin in the other edition (English at the site root, Chinese under ``zh/``).

The English edition is ``_build/html``; the Chinese edition (``make book-zh``, ``language: zh_CN``) is copied
to ``_build/html/zh``, so the links are relative and work offline from the file system. The link sits at
the top of the article, with ``hreflang``, and the page head names the twin as an alternate.
"""

from __future__ import annotations

LINKS = {  # this edition's language -> (the twin's language, the link's text)
    "zh_CN": ("en", "English edition"),
    "en": ("zh-CN", "中文版"),
}


def twin_url(pagename: str, language: str) -> str:
    """Relative URL of ``pagename``'s twin, seen from the page in ``language``'s edition."""
    depth = pagename.count("/")
    if language == "zh_CN":
        return "../" * (depth + 1) + pagename + ".html"
    return "../" * depth + "zh/" + pagename + ".html"


def _add_link(app, pagename, templatename, context, doctree):
    if not app.config.editions_link or doctree is None or "body" not in context:
        return  # search, genindex: generated pages have no twin worth linking to
    language = app.config.language if app.config.language == "zh_CN" else "en"
    hreflang, text = LINKS[language]
    url = twin_url(pagename, language)
    context["body"] = (
        f'<p class="edition-switch"><a class="edition-link" href="{url}" hreflang="{hreflang}" '
        f'lang="{hreflang}">{text}</a></p>\n' + context["body"]
    )
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{hreflang}" href="{url}" />'
    )


def _adopt_translated_nodes(app, doctree):
    """Make the nodes a translation patched in belong to this page's document.

    Sphinx parses each translated message as a small document of its own (``publish_msgstr``) and moves
    its nodes into the page, but some keep a reference to that small document, whose settings hold the
    whole build environment. Pickled with the page, that environment made every Chinese doctree as big
    as the environment read so far (6 MB by the last page instead of 0.2 MB), and resolving figure
    references reloads doctrees, so the Chinese edition took minutes instead of seconds to write.
    """
    for node in doctree.findall():
        owner = node.__dict__.get("_document")
        if owner is not None and owner is not doctree:
            node.document = doctree


def setup(app):
    # False: a build with no twin edition beside it (the solution-free book)
    app.add_config_value("editions_link", True, "html")
    app.connect("html-page-context", _add_link)
    app.connect("doctree-read", _adopt_translated_nodes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
