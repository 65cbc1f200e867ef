"""Look and feel of the book's pages (a local Sphinx extension).

* Navigation on every width: pydata-sphinx-theme 0.17 renders a top navbar with a
  second ``.primary-toggle`` button whenever ``navbar_persistent`` is not empty (it
  defaults to a search field), and both themes' scripts bind the *first*
  ``.primary-toggle`` of the page, which is that hidden button: the visible menu button
  of sphinx-book-theme did nothing, and the navbar added an empty band with a second
  search box. An empty ``navbar_persistent`` drops that navbar, so the only toggle left
  is the book theme's own, and both scripts bind it.
* No console error on a first visit: the theme's colour mode defaults to ``auto``.
* Maths: MathJax's ``textmacros`` package, so ``\\texttt{lr\\_decay}`` shows
  ``lr_decay`` and not ``lr\\_decay``; and maths no longer scales with the ex-height of
  whatever font the surrounding text happens to use (that made the maths of a hidden
  language tab, measured while hidden, smaller than the maths of the shown one).
* Bold text next to Hangul: CommonMark does not close ``**`` when the closing
  delimiter follows punctuation and is followed by a letter, as in Korean
  ``**… $\\sqrt\\mu$**이다`` (a particle attaches to the word without a space), so
  the stars were printed. :class:`RepairCjkStrong` turns such leftover pairs inside one
  paragraph into bold text.
* A Korean web font served by the site itself (:mod:`book_webfont`), so Hangul renders
  on a machine without CJK fonts; its ``@font-face`` is in ``book-look.css``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform

import book_webfont

CSS_FILE = "book-look.css"

MATHJAX_CONFIG = {
    "loader": {"load": ["[tex]/textmacros"]},
    "tex": {"packages": {"[+]": ["textmacros"]}},
    "chtml": {"matchFontHeight": False, "scale": 1.1},
}

# Nodes whose text is literal: stars there are code (``f(**kw)``, ``w**2``), never markup.
_LITERAL = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw,
            nodes.FixedTextElement)
_STARS = "**"


class RepairCjkStrong(SphinxTransform):
    """Pair up ``**`` left as text inside one paragraph and make the span between bold.

    Only a paragraph whose unparsed text holds an even number of ``**`` is changed, and
    only its direct children (text and inline maths, code or links between the stars
    are moved into the bold node unchanged).
    """

    default_priority = 400

    def apply(self, **kwargs):
        for para in list(self.document.findall(nodes.paragraph)):
            if isinstance(para.parent, _LITERAL):
                continue
            texts = [c for c in para.children if isinstance(c, nodes.Text)]
            if sum(str(t).count(_STARS) for t in texts) < 2:
                continue
            if sum(str(t).count(_STARS) for t in texts) % 2:
                continue  # an odd count is not markup we can pair safely
            _repair(para)


def _split_first(text: str):
    i = text.find(_STARS)
    return text[:i], text[i + len(_STARS):]


def _repair(para: nodes.paragraph) -> None:
    children = list(para.children)
    out: list[nodes.Node] = []
    strong: nodes.strong | None = None
    queue = children[:]
    while queue:
        child = queue.pop(0)
        if isinstance(child, nodes.Text) and _STARS in str(child):
            before, after = _split_first(str(child))
            if before:
                (strong if strong is not None else out).append(nodes.Text(before))
            if strong is None:
                strong = nodes.strong()
            else:
                if len(strong.children):
                    out.append(strong)
                else:  # "****": nothing between, keep the text as written
                    out.append(nodes.Text(_STARS * 2))
                strong = None
            if after:
                queue.insert(0, nodes.Text(after))
            continue
        (strong if strong is not None else out).append(child)
    if strong is not None:  # unreachable with an even count; keep the text intact
        return
    para.children = []
    for node in out:
        para.append(node)


def _theme_options(app, config):
    # setdefault: a value set explicitly elsewhere in the configuration wins
    config.html_theme_options.setdefault("navbar_persistent", [])
    # without a default mode the theme logs "Got invalid theme mode: ." as a console
    # error on a reader's first visit (nothing stored yet), then falls back to auto
    # (pydata-sphinx-theme reads it from the template context, not the theme options)
    config.html_context.setdefault("default_mode", "auto")


def _mathjax(app, config):
    current = dict(config.mathjax3_config or {})
    for key, value in MATHJAX_CONFIG.items():
        merged = dict(current.get(key, {}))
        for sub, subvalue in value.items():
            if sub == "load":  # a list of components: add ours to any already there
                merged[sub] = list(dict.fromkeys([*merged.get(sub, []), *subvalue]))
            else:
                merged.setdefault(sub, subvalue)
        current[key] = merged
    config.mathjax3_config = current


def setup(app):
    app.connect("config-inited", _theme_options)
    app.connect("config-inited", _mathjax)
    app.add_transform(RepairCjkStrong)
    app.add_css_file(CSS_FILE)
    book_webfont.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

