"""The two built editions (_build/html/ko/, _build/html/en/) and the site root.

Static checks of what `make book` wrote: each page's language, one language in the
headings, contents, interface labels and search index, the switch to the other
edition, the root page, and page weight. tests/book/browser/ checks the switch and its
memory in a real browser.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from book_site import EDITIONS, ROOT, SITE, require_edition, require_site

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
TOC_FILES = [TOC["root"]] + [c["file"] for part in TOC.get("parts", []) for c in part["chapters"]]
CHAPTERS = [f for f in TOC_FILES if re.search(r"/\d\d_", f)]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
MAX_PAGE_HTML = 700 * 1024
OTHER = {"ko": "en", "en": "ko"}
# Korean in the English edition's prose outside the glossary (which pairs each term with
# its Korean counterpart) and the references (titles of Korean translations): none. Add a
# word here only with the reason it must stay.
KNOWN_KOREAN_IN_ENGLISH: dict[str, str] = {}


class _Page(HTMLParser):
    """The parts of a page a reader sees as labels: headings, contents, buttons, footer."""

    LABELS = ("bd-sidebar", "prev-next", "footer", "search", "admonition-title", "toc", "bd-header")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.title = ""
        self.headings: list[str] = []
        self.labels: list[str] = []
        self.switch: list[dict] = []
        self.alternate: list[dict] = []
        self.scripts: list[dict] = []
        self.icons: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, in heading, in label)
        self._foreign: list[str] = []  # open tags whose lang differs from the page's
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title":
            self._in_title = True
        if tag == "a" and "edition-switch" in cls:
            self.switch.append(a)
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternate.append(a)
        if tag == "link" and "icon" in (a.get("rel") or "").split():
            self.icons.append(a.get("href") or "")
        if tag == "script":
            self.scripts.append(a)
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source"):
            return
        if a.get("lang") and self.lang and a["lang"] != self.lang:
            self._foreign.append(tag)  # e.g. the switch to the other edition, in its language
        heading, label = (self._stack[-1][1:] if self._stack else (False, False))
        heading = heading or re.fullmatch(r"h[1-6]", tag) is not None
        label = label or any(part in cls for part in self.LABELS)
        if tag in ("pre", "code", "script", "style"):
            heading = label = False  # code is shared by both editions
        self._stack.append((tag, heading, label))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        while self._stack:
            if self._stack.pop()[0] == tag:
                break
        if self._foreign and self._foreign[-1] == tag:
            self._foreign.pop()

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if not self._stack or not data.strip() or self._foreign:
            return
        _, heading, label = self._stack[-1]
        if heading:
            self.headings.append(data.strip())
        elif label:
            self.labels.append(data.strip())


def parsed(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def edition_pages(edition: Path) -> list[Path]:
    return sorted(p for p in edition.rglob("*.html") if "_static" not in p.relative_to(edition).parts)


def _searchindex(edition: Path) -> dict:
    text = (edition / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_toc_page_is_built_in_each_edition(lang):
    edition = require_edition(lang)
    missing = [name for name in TOC_FILES if not (edition / f"{name}.html").is_file()]
    assert not missing, f"{lang} edition lacks {missing}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_page_declares_its_language(lang):
    edition = require_edition(lang)
    wrong = [f"{p.relative_to(edition)}: lang={parsed(p).lang!r}" for p in edition_pages(edition)
             if parsed(p).lang != lang]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", EDITIONS)
def test_headings_contents_and_labels_are_in_one_language(lang):
    edition = require_edition(lang)
    problems = []
    for path in edition_pages(edition):
        page = parsed(path)
        name = path.relative_to(edition)
        texts = page.headings + [page.title]
        # the English glossary pairs each term with its Korean counterpart, on purpose
        if not (lang == "en" and path.stem == "glossary"):
            texts += page.labels
        for text in texts:
            if lang == "en" and HANGUL.search(text):
                problems.append(f"{name}: Korean in {text!r}")
            if lang == "ko" and HANGUL.search(text) and re.search(r" · [A-Za-z]", text):
                problems.append(f"{name}: both languages in {text!r}")
        if lang == "ko" and path.stem in {Path(c).name for c in CHAPTERS}:
            latin_headings = [h for h in page.headings if not HANGUL.search(h) and re.search(r"[a-z]{4,} [a-z]{4,}", h)]
            if latin_headings:
                problems.append(f"{name}: English headings {latin_headings[:3]}")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("lang", EDITIONS)
def test_interface_labels_follow_the_edition(lang):
    edition = require_edition(lang)
    chapter = (edition / f"{CHAPTERS[0]}.html").read_text(encoding="utf-8")
    expected = {"ko": ["검색", "연습", "이전", "다음", "지은이"], "en": ["Search", "Exercise", "previous", "next", "By "]}
    for label in expected[lang]:
        assert label in chapter, f"{lang} edition: interface label {label!r} missing on {CHAPTERS[0]}"
    for label in expected[OTHER[lang]]:
        if lang == "en":
            assert label not in chapter, f"en edition: Korean label {label!r} on {CHAPTERS[0]}"
    assert "으로 The" not in chapter, "the theme's Korean 'By' line is back in the footer"


def test_search_indexes_hold_one_language_each():
    indexes = {lang: _searchindex(require_edition(lang)) for lang in EDITIONS}
    # (Sphinx keeps some terms with an empty page list: they are on no page)
    en_terms, ko_terms = ({t for t, docs in indexes[lang]["terms"].items() if docs != []} for lang in ("en", "ko"))
    # the English glossary gives each term's Korean counterpart, and the references quote the
    # titles of Korean translations: those two pages alone may hold Hangul
    exempt = {indexes["en"]["docnames"].index(f"chapters/{page}") for page in ("glossary", "bibliography")}
    def pages_of(term):
        where = indexes["en"]["terms"][term]
        return set(where) if isinstance(where, list) else {where}
    korean = {t: pages_of(t) for t in en_terms if HANGUL.search(t)}
    elsewhere = {t for t, docs in korean.items() if docs - exempt}
    assert elsewhere == set(KNOWN_KOREAN_IN_ENGLISH), (
        f"Korean words in the English search index outside the glossary: {sorted(elsewhere)[:10]} "
        f"(known, to be fixed in the sources: {sorted(KNOWN_KOREAN_IN_ENGLISH)})")
    assert [t for t in ko_terms if HANGUL.search(t)], "no Korean words in the Korean search index"
    # words only English prose uses: present in the English index, absent from the Korean one
    english_prose = {"becaus", "because", "therefor", "therefore", "howev", "however", "whose", "becom", "becomes"}
    assert english_prose & en_terms, "guard: the English index should hold ordinary English words"
    assert not english_prose & ko_terms, f"English prose in the Korean search index: {english_prose & ko_terms}"
    for lang, index in indexes.items():
        titles = list(index["titles"]) + list(index.get("alltitles", {}))
        mixed = [t for t in titles if HANGUL.search(t) and re.search(r" · [A-Za-z]", t)]
        wrong = [t for t in titles if lang == "en" and HANGUL.search(t)]
        assert not mixed and not wrong, f"{lang} search titles: {(mixed + wrong)[:5]}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_page_links_to_itself_in_the_other_edition(lang):
    edition = require_edition(lang)
    other = require_edition(OTHER[lang])
    problems = []
    for path in edition_pages(edition):
        page = parsed(path)
        name = path.relative_to(edition)
        if not page.alternate or page.alternate[0]["hreflang"] != OTHER[lang]:
            problems.append(f"{name}: no <link rel=alternate hreflang={OTHER[lang]}>")
        if path.name in ("genindex.html", "search.html", "index.html") and not page.switch:
            continue  # pages without an article header (index.html: a redirect)
        if len(page.switch) != 1:
            problems.append(f"{name}: {len(page.switch)} edition switches")
            continue
        href = page.switch[0]["href"]
        target = (path.parent / href).resolve()
        if page.switch[0].get("hreflang") != OTHER[lang] or target != (other / name).resolve() or not target.is_file():
            problems.append(f"{name}: switch {href!r} -> {target} (expected {other / name})")
    assert not problems, "\n".join(problems)
    chapters_with_switch = [c for c in CHAPTERS if parsed(edition / f"{c}.html").switch]
    assert chapters_with_switch == CHAPTERS


def test_the_site_root_opens_an_edition():
    site = require_site()
    html = (site / "index.html").read_text(encoding="utf-8")
    for lang in EDITIONS:
        assert f'href="{lang}/{TOC["root"]}.html"' in html
        assert (site / lang / f"{TOC['root']}.html").is_file()
    assert "localStorage" in html and "navigator.languages" in html
    stray = sorted(p.name for p in site.iterdir() if p.name not in {*EDITIONS, "index.html", "favicon.svg"})
    assert not stray, f"left over at the site root: {stray}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_no_inert_weight_and_a_favicon(lang):
    edition = require_edition(lang)
    for path in edition_pages(edition):
        page = parsed(path)
        name = path.relative_to(edition)
        types = [s.get("type") for s in page.scripts]
        assert "application/vnd.jupyter.widget-state+json" not in types, f"{name}: saved widget state"
        srcs = [s.get("src") or "" for s in page.scripts]
        assert not [s for s in srcs if "fontawesome" in s], f"{name}: Font Awesome loaded by script and by font"
        assert page.icons, f"{name}: no favicon (the browser would request /favicon.ico)"
        assert all((path.parent / href).resolve().is_file() for href in page.icons), f"{name}: {page.icons}"


@pytest.mark.parametrize("lang, name", [(lang, name) for lang in EDITIONS for name in TOC_FILES],
                         ids=[f"{lang}-{Path(name).name}" for lang in EDITIONS for name in TOC_FILES])
def test_page_html_weight(lang, name):
    edition = require_edition(lang)
    size = (edition / f"{name}.html").stat().st_size
    assert size <= MAX_PAGE_HTML, f"{lang}/{name}.html is {size / 1024:.0f} KB (limit {MAX_PAGE_HTML // 1024} KB)"


@pytest.mark.parametrize("lang", EDITIONS)
def test_download_button_gives_the_editions_notebook(lang):
    edition = require_edition(lang)
    chapter = CHAPTERS[0]
    html = (edition / f"{chapter}.html").read_text(encoding="utf-8")
    assert f"_sources/{chapter}.ipynb" in html, "the page offers no notebook download"
    nb = json.loads((edition / "_sources" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    prose = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert nb["metadata"].get("book_edition") == lang
    assert "sync-group: lang" not in prose
    assert bool(HANGUL.search(prose)) == (lang == "ko") or lang == "en" and len(HANGUL.findall(prose)) < 20


@pytest.mark.parametrize("lang", EDITIONS)
def test_launch_buttons_use_the_configured_repository(lang):
    edition = require_edition(lang)
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")
    owner_repo = url.split("://", 1)[1].split("/", 1)[1]
    html = (edition / f"{CHAPTERS[0]}.html").read_text(encoding="utf-8")
    assert f'href="{url}"' in html, "repository button"
    assert f"colab.research.google.com/github/{owner_repo}/blob/" in html, "Colab button"
    assert f"mybinder.org/v2/gh/{owner_repo}/" in html, "Binder button"
    preface = (edition / f"{TOC['root']}.html").read_text(encoding="utf-8")
    assert f"git clone {url}.git" in re.sub(r"<[^>]+>", "", preface), "the preface's clone command"
