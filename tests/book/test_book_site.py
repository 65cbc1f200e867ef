"""The built website (_build/html) is complete and self-contained.

Static checks of the HTML produced by `make book` (both editions, _build/html/ko/ and
_build/html/en/, and the root page); test_book_editions.py checks what differs between
the editions, tests/book/browser/ checks the same site in a real browser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from book_site import EDITIONS, ROOT, require_edition, require_site

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
TOC_FILES = [TOC["root"]] + [c["file"] for part in TOC.get("parts", []) for c in part["chapters"]]

# Attributes through which a page makes the browser fetch something on load.
FETCHING = {
    "script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "source": ["src", "srcset"],
    "video": ["src", "poster"], "audio": ["src"], "embed": ["src"], "object": ["data"],
    "link": ["href"],  # stylesheets, icons, preloads (plain <a href> links are not fetched)
}
REMOTE = re.compile(r"^\s*(https?:)?//", re.I)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fetched: list[tuple[str, str, str]] = []
        self.images: list[str] = []
        self.tab_labels: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not {"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(
            (attrs.get("rel") or "").split()
        ):
            return
        for name in FETCHING.get(tag, []):
            if attrs.get(name):
                self.fetched.append((tag, name, attrs[name]))
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag == "label" and "sd-tab-label" in (attrs.get("class") or ""):
            self.tab_labels.append(attrs.get("data-sync-id") or "")


def pages(site: Path):
    """The site's pages (not the theme's Jinja templates that ship in _static/)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def test_no_page_fetches_anything_from_outside_the_site():
    site = require_site()
    offenders = []
    for page in pages(site):
        for tag, attr, url in parse(page).fetched:
            if REMOTE.match(url) or ("://" in url and not url.startswith("data:")):
                offenders.append(f"{page.relative_to(site)}: <{tag} {attr}={url!r}>")
    assert not offenders, "remote resources:\n" + "\n".join(offenders)


def test_stylesheets_load_nothing_remote():
    site = require_site()
    offenders = []
    for css in sorted((site / "_static").rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"(@import\s+(url\()?|url\()\s*['\"]?((https?:)?//[^'\")\s]+)", text):
            offenders.append(f"{css.relative_to(site)}: {match.group(3)}")
    assert not offenders, "stylesheets fetching remote resources:\n" + "\n".join(offenders)


def test_every_local_resource_exists():
    site = require_site()
    missing = []
    for page in pages(site):
        for tag, attr, url in parse(page).fetched:
            if REMOTE.match(url) or url.startswith(("data:", "#", "mailto:")) or attr == "srcset":
                continue
            target = (page.parent / url.split("?")[0].split("#")[0]).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(site)}: {url}")
    assert not missing, "missing local files:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", EDITIONS)
def test_mathjax_is_served_locally(lang):
    edition = require_edition(lang)
    assert (edition / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (edition / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    chapter = edition / "chapters" / "01_autograd.html"
    scripts = [url for tag, _, url in parse(chapter).fetched if tag == "script"]
    assert any(url.split("?")[0].endswith("_static/mathjax/tex-chtml.js") for url in scripts), scripts


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("name", [f for f in TOC_FILES if re.search(r"/\d\d_", f)])
def test_chapters_have_figures_and_no_language_tabs(name, lang):
    edition = require_edition(lang)
    collected = parse(edition / f"{name}.html")
    assert not collected.tab_labels, f"{lang}/{name}: language tabs left in a one-language edition"
    assert collected.images, f"{lang}/{name}: no figures"


# The page-weight limit (700 KB of HTML per chapter page) is tested once, for every page
# of both editions, in test_book_editions.py::test_page_html_weight.
