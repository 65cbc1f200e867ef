"""Small HTML fix-ups for the book's pages, and the edition switch (a local Sphinx extension).

* Some extensions bundled with Jupyter Book register the same inline script twice
  (e.g. sphinx-thebe's ``const THEBE_JS_URL = ...``), and the second copy throws
  "Identifier has already been declared" in the browser. Every page keeps only the
  first copy of each script.
* myst-nb embeds the executed notebook's widget state in the page. The book's live
  widgets are removed cells (a built page has no kernel), so that state is inert weight
  (100-300 KB a chapter) and is dropped.
* pydata-sphinx-theme loads Font Awesome twice: its stylesheet's icon web fonts
  (~270 KB, all the book's icons) and ``fontawesome.js`` (1.5 MB, which redraws the same
  icons as SVG). The script tag is removed from the written pages.
* The search index leaves code out (cell sources and their printed output): code is the
  same in both editions, and its Korean figure strings (``bi("반복", "iteration")``)
  would put Korean words into the English edition's index (and ``ax.set_xlabel`` into
  result snippets).
* In an edition build (``book_editions`` set by chapters/_ext/editions.py), every page
  links to the same page of the other edition (``edition-switch.html`` in the article
  header, ``<link rel="alternate" hreflang>`` in the head), and the reader's choice is
  remembered for the site root (``edition.js``). The footer's author line is written
  per language (the theme's Korean "By" reads "으로 ...").
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
EDITION_NAMES = {"ko": "한국어", "en": "English"}
FONTAWESOME_JS = re.compile(r'\n?[ \t]*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>')


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


def _drop_widget_state(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        scripts[:] = [js for js in scripts if getattr(js, "attributes", {}).get("type") != WIDGET_STATE]


def _drop_fontawesome_js(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        if "_static" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        slim = FONTAWESOME_JS.sub("", text)
        if slim != text:
            page.write_text(slim, encoding="utf-8")


def _index_without_code(app):
    builder = app.builder
    original = getattr(builder, "index_page", None)
    if original is None:
        return

    def index_page(pagename, doctree, title):
        from docutils import nodes

        slim = doctree.deepcopy()
        for block in list(slim.findall(nodes.literal_block)):
            block.parent.remove(block)
        return original(pagename, slim, title)

    builder.index_page = index_page


def _configure(app, config):
    config.templates_path = [str(HERE / "templates"), *config.templates_path]
    editions = list(config.book_editions or [])
    if not editions:
        return
    if config.language not in editions or len(editions) != 2:
        raise ValueError(f"book_editions={editions!r} must be two languages including language={config.language!r}")
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    options = config.html_theme_options
    # pydata-sphinx-theme's layout reads `default_mode` from the page context; unset, the
    # page's script logs "Got invalid theme mode: ." on every first visit
    config.html_context = {"default_mode": "auto", **config.html_context}
    end = options.get("article_header_end", ["article-header-buttons.html"])
    end = [end] if isinstance(end, str) else list(end)
    if "edition-switch.html" not in end:
        options["article_header_end"] = ["edition-switch.html", *end]


def _edition_links(app, pagename, templatename, context, doctree):
    editions = app.config.book_editions
    if not editions:
        return
    here = app.config.language
    other = next(lang for lang in editions if lang != here)
    # every edition is a sibling folder of the site root: <root>/<lang>/<pagename>.html
    href = "../" * (pagename.count("/") + 1) + f"{other}/{pagename}.html"
    context["edition_switch"] = {"href": href, "lang": other, "label": EDITION_NAMES.get(other, other)}
    context["metatags"] = context.get("metatags", "") + f'\n<link rel="alternate" hreflang="{other}" href="{href}">'


def _add_edition_script(app):
    if app.config.book_editions:
        app.add_js_file("edition.js", loading_method="defer")
        app.add_css_file("edition.css")


def setup(app):
    app.add_config_value("book_editions", [], "html", types=[list])
    app.add_config_value("book_ext_digest", "", "env", types=[str])  # set by editions.py
    app.connect("config-inited", _configure)
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", _drop_duplicate_scripts, priority=1)
    app.connect("html-page-context", _edition_links, priority=2)
    # late: after myst-nb has added the page's notebook scripts (default priority 500)
    app.connect("html-page-context", _drop_widget_state, priority=900)
    app.connect("builder-inited", _add_edition_script)
    app.connect("builder-inited", _index_without_code)
    app.connect("build-finished", _drop_fontawesome_js)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
