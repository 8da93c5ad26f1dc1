"""Small Sphinx fixes that keep the rendered book offline and its browser console clean.

* Thebe (live code in the page) is disabled in ``_config.yml``, yet Jupyter Book 1 still injects the
  sphinx-thebe loader twice (a duplicated ``const THEBE_JS_URL`` declaration, a console error) and a URL to
  a CDN. We drop those scripts from every page.
"""

from __future__ import annotations


def _drop_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for script in scripts:
        body = (
            getattr(script, "attributes", {}).get("body", "")
            if hasattr(script, "attributes")
            else ""
        )
        name = getattr(script, "filename", str(script)) or ""
        if "thebe" in name.lower() or "THEBE_JS_URL" in (body or ""):
            continue
        kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
