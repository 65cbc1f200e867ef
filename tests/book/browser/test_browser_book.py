"""The built book in a real browser (Playwright driving Debian's Chromium).

* the site root opens the browser's language, and after a switch the remembered edition;
* every page's header switch opens the same page in the other edition;
* math is typeset by the locally served MathJax, in both editions;
* no image is broken, no request fails (favicon included) and none leaves the site
  (every request is intercepted; anything not served from 127.0.0.1 is recorded and
  aborted, and the test fails); no JavaScript error.

No browser is downloaded: the system Chromium (`apt-get install chromium`) is used.
Locally the tests skip with a reason when the book is not built or Chromium or
Playwright is missing; in CI (CI=true) they fail instead. Layout checks (menus, overflow,
figures, fonts) live in the other files of this folder.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from book_site import EDITIONS, require, require_edition, require_site, serve  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TOC = yaml.safe_load((Path(__file__).resolve().parents[3] / "_toc.yml").read_text(encoding="utf-8"))
TOC_FILES = [TOC["root"]] + [c["file"] for part in TOC.get("parts", []) for c in part["chapters"]]
ROOT_PAGE = f"{TOC['root']}.html"
CHAPTER = next(f"{f}.html" for f in TOC_FILES if "/01_" in f)
OTHER = {"ko": "en", "en": "ko"}


def _chromium() -> str | None:
    # Debian's chromium; on GitHub's Ubuntu runners, the preinstalled Google Chrome
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def served():
    site = require_site()
    for lang in EDITIONS:
        require_edition(lang)
    executable = _chromium()
    require(executable is not None, "Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright not installed (pip install playwright)")
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield base, browser
        browser.close()


class Reader:
    """One browser profile (its own localStorage) with a preferred language."""

    def __init__(self, base, browser, locale):
        self.base = base
        self.context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        local = base + "/"

        def route(r):
            url = r.request.url
            if url.startswith(local) or url.startswith(("data:", "blob:", "about:")):
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"))
        # (ERR_ABORTED: a request the browser cancelled itself by navigating on; a missing
        # file shows up as a 4xx response below)
        self.page.on("requestfailed", lambda req: req.url.startswith(local) and "ERR_ABORTED" not in (req.failure or "")
                     and self.failed.append(f"{req.failure} {req.url}"))
        self.page.on("response", lambda res: res.status >= 400 and self.failed.append(f"{res.status} {res.url}"))

    def open(self, path: str):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        # MathJax (a deferred script) typesets asynchronously; wait for it to finish
        self.page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")

    @property
    def where(self) -> str:
        return self.page.url.removeprefix(self.base + "/").split("#")[0]

    @property
    def lang(self) -> str:
        return self.page.evaluate("() => document.documentElement.lang")

    def switch(self):
        with self.page.expect_navigation(wait_until="load"):
            self.page.locator("a.edition-switch").first.click()

    def assert_clean(self):
        assert not self.outside, f"requests left the site: {self.outside}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def reader(served):
    base, browser = served
    readers = []

    def make(locale="en-US"):
        readers.append(Reader(base, browser, locale))
        return readers[-1]

    yield make
    for r in readers:
        r.context.close()


@pytest.mark.parametrize("locale, lang", [("en-US", "en"), ("ko-KR", "ko"), ("de-DE", "en")])
def test_the_root_opens_the_browsers_language(reader, locale, lang):
    r = reader(locale)
    r.open("index.html")
    r.page.wait_for_url(f"**/{lang}/{ROOT_PAGE}")
    assert r.where == f"{lang}/{ROOT_PAGE}" and r.lang == lang
    r.assert_clean()


def test_the_switch_opens_the_same_page_and_is_remembered(reader):
    r = reader("en-US")
    r.open(f"en/{CHAPTER}")
    assert r.lang == "en"
    assert r.page.locator("h1").first.inner_text().strip().startswith("Automatic differentiation")
    r.switch()
    assert r.where == f"ko/{CHAPTER}" and r.lang == "ko", "the switch opens the same page in Korean"
    assert "자동 미분" in r.page.locator("h1").first.inner_text()

    r.open("index.html")  # an English browser, but the reader chose Korean
    r.page.wait_for_url(f"**/ko/{ROOT_PAGE}")
    assert r.lang == "ko", "the root opens the remembered edition"

    r.switch()
    assert r.where == f"en/{ROOT_PAGE}"
    r.page.reload(wait_until="load")
    assert r.lang == "en"
    r.open("index.html")
    r.page.wait_for_url(f"**/en/{ROOT_PAGE}")
    r.assert_clean()


@pytest.mark.parametrize("lang", EDITIONS)
def test_math_is_rendered(reader, lang):
    r = reader()
    r.open(f"{lang}/{CHAPTER}")
    r.page.wait_for_selector("mjx-container", state="attached")
    count = r.page.locator("mjx-container").count()
    assert count > 50, f"only {count} formulas typeset"
    # a numbered, cross-referenced equation: the label resolves to a number
    assert r.page.locator("a[href='#equation-eq-adjoint']").count() > 0
    assert not r.page.locator("mjx-merror").count(), "MathJax reported TeX errors"
    r.assert_clean()


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("path", [f"{name}.html" for name in TOC_FILES])
def test_every_page_loads_cleanly(reader, lang, path):
    r = reader()
    r.open(f"{lang}/{path}")
    r.page.evaluate("() => Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)))")
    broken = r.page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"broken images on {lang}/{path}: {broken}"
    assert r.lang == lang
    switch = r.page.locator("a.edition-switch")
    assert switch.count() == 1 and switch.first.is_visible(), "no visible switch to the other edition"
    assert switch.first.get_attribute("hreflang") == OTHER[lang]
    r.assert_clean()
