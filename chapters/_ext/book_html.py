"""Small HTML fix-ups for the book's pages (a local Sphinx extension).

Some extensions bundled with Jupyter Book register the same inline script twice
(e.g. sphinx-thebe's ``const THEBE_JS_URL = ...``), and the second copy throws
"Identifier has already been declared" in the browser. Every page keeps only the
first copy of each script.
"""

from __future__ import annotations


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        filename = getattr(js, "filename", js)
        attributes = tuple(sorted(getattr(js, "attributes", {}).items()))
        key = (str(filename or ""), attributes)  # inline scripts: filename None or ""
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique  # in place: the template may hold the same list


def setup(app):
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _drop_duplicate_scripts, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
