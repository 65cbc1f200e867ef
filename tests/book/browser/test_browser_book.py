"""The built book in a real browser (Playwright driving Debian's Chromium).

* switching to English on one page shows English on the next page, and after a reload;
* math is typeset by the locally served MathJax;
* no image is broken;
* no request leaves the site (every request is intercepted; anything not served
  from 127.0.0.1 is recorded and aborted, and the test fails).

No browser is downloaded: the system Chromium (`apt-get install chromium`) is used.
Locally the test skips with a reason when the book is not built or Chromium or
Playwright is missing; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from book_site import require, require_site, serve  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FIRST, SECOND = "chapters/01_autograd.html", "chapters/preface.html"


def _chromium() -> str | None:
    # Debian's chromium; on GitHub's Ubuntu runners, the preinstalled Google Chrome
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser_page():
    site = require_site()
    executable = _chromium()
    require(executable is not None, "Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright not installed (pip install playwright)")
    with serve(site) as base, tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900},
        )
        outside: list[str] = []
        local = base + "/"

        def route(r):
            url = r.request.url
            if url.startswith(local) or url.startswith(("data:", "blob:", "about:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(20_000)
        yield base, page, outside, errors
        context.close()


def _open(page, url):
    page.goto(url, wait_until="load")
    # MathJax (a deferred script) typesets asynchronously; wait for it to finish
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")


def _visible_language(page) -> set[str]:
    """The sync ids of the checked (shown) language tabs on the page."""
    return set(page.eval_on_selector_all(
        "input:checked + label.sd-tab-label[data-sync-group='lang']",
        "labels => labels.map(l => l.dataset.syncId)",
    ))


def test_language_choice_follows_the_reader(browser_page):
    base, page, outside, errors = browser_page
    _open(page, f"{base}/{FIRST}")
    assert _visible_language(page) == {"ko"}, "a new reader starts in Korean"

    page.locator("label.sd-tab-label[data-sync-id='en']").first.click()
    assert _visible_language(page) == {"en"}, "one click switches every tab set on the page"
    english = page.locator(".sd-tab-content").filter(has_text="Every optimizer in this book").first
    assert english.is_visible()

    _open(page, f"{base}/{SECOND}")
    assert _visible_language(page) == {"en"}, "the next page opens in English"
    page.reload(wait_until="load")
    assert _visible_language(page) == {"en"}, "a reload keeps English"

    page.locator("label.sd-tab-label[data-sync-id='ko']").first.click()
    _open(page, f"{base}/{FIRST}")
    assert _visible_language(page) == {"ko"}, "switching back to Korean is remembered too"
    assert not outside, f"requests left the site: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def test_math_is_rendered(browser_page):
    base, page, outside, errors = browser_page
    _open(page, f"{base}/{FIRST}")
    page.wait_for_selector("mjx-container", state="attached")
    count = page.locator("mjx-container").count()
    assert count > 50, f"only {count} formulas typeset"
    # a numbered, cross-referenced equation: the label resolves to a number
    assert page.locator("a[href='#equation-eq-adjoint']").count() > 0
    assert not page.locator("mjx-merror").count(), "MathJax reported TeX errors"
    assert not outside, f"requests left the site: {outside}"


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((Path(__file__).resolve().parents[3] / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [f"{name}.html" for name in files]


@pytest.mark.parametrize("path", _toc_pages())
def test_no_broken_images_and_no_outside_requests(browser_page, path):
    base, page, outside, errors = browser_page
    site = require_site()
    if not (site / path).exists():
        pytest.skip(f"{path} is not part of this build")
    _open(page, f"{base}/{path}")
    page.evaluate("() => Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)))")
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"broken images on {path}: {broken}"
    assert not outside, f"requests left the site: {outside}"
    assert not errors, f"JavaScript errors: {errors}"
