"""The look of the built book in a real browser, on a desktop and on a phone.

For every edition that is built (``_build/html/ko/`` and ``_build/html/en/``, or the
single site in ``_build/html/`` while there are no editions), at 1366 px and 390 px:

* the phone menu button opens the chapter list (and there is one header, one search);
* no display equation, table or figure is cut: content wider than its box must be in
  a box that scrolls sideways, and every box lies inside the text column;
* no raw markup is left in the text (``**``, ``\\_``, TeX commands, ``$...$``);
* figures are sharp: an image has at least 2 pixels per CSS pixel shown, or is SVG;
* Hangul is drawn with the site's own web font, on a browser that has *no* CJK system
  font (Chromium runs with a generated fontconfig that rejects every CJK font);
* no console error, no JavaScript error, no failed request, nothing fetched from
  outside the site.

Each page is loaded once per width; the checks read what that visit measured.
Debian's Chromium is used (no browser download). Locally the tests skip with a reason
when the book is not built or Chromium/Playwright is missing; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from book_site import ROOT, SITE, require, require_site, serve  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTHS = {"desktop": 1366, "phone": 390}
WEB_FONT = "Book Noto Sans KR"
# The menu bug showed at every width below the desktop layout: check a tablet too.
MENU_WIDTHS = (390, 900)


def _editions() -> list[str]:
    """Edition folders below _build/html ('' for the single site of an older build)."""
    found = [name for name in ("ko", "en") if (SITE / name / "index.html").is_file()]
    return found or [""]


def _pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [f"{name}.html" for name in files]


EDITIONS = _editions()
PAGES = _pages()
CHAPTERS = [p for p in PAGES if (ROOT / p).with_suffix(".ipynb").is_file()]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


# --- a browser without CJK fonts --------------------------------------------------------

# Font files that carry Hangul/CJK on common systems, rejected by name, plus every font
# fontconfig itself says supports Korean, Japanese or Chinese.
_CJK_GLOBS = ("*CJK*", "*cjk*", "*Nanum*", "*Noto*KR*", "*Noto*JP*", "*Noto*SC*", "*Noto*TC*",
              "*Source*Han*", "*Baekmuk*", "*UnDotum*", "*UnBatang*", "*wqy*", "*Droid*Fallback*",
              "*ipag*", "*takao*", "*arphic*", "*uming*", "*ukai*")
_CJK_LANGS = ("ko", "ja", "zh-cn", "zh-tw")


def write_fontconfig_without_cjk(folder: Path) -> Path:
    """A fonts.conf: the system's configuration minus every CJK font; returns its path."""
    globs = "".join(f"<glob>{g}</glob>" for g in _CJK_GLOBS)
    langs = "".join(f'<pattern><patelt name="lang"><string>{lang}</string></patelt></pattern>'
                    for lang in _CJK_LANGS)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        # the system's folders and aliases (sans-serif, monospace, ...), then the rejection
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <cachedir>{folder / 'cache'}</cachedir>\n"
        f"  <selectfont><rejectfont>{globs}{langs}</rejectfont></selectfont>\n"
        "</fontconfig>\n", encoding="utf-8")
    return conf


# --- what one visit of a page measures ----------------------------------------------------

_WAIT_MATH = "() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null"
_WAIT_IMAGES = ("() => Promise.all(Array.from(document.images)"
                ".map(i => i.decode().catch(() => null)))")

# Boxes that are cut or stick out of the text column. A box whose content is wider than
# the box itself is fine only if it scrolls sideways (overflow-x auto/scroll) and its
# scroll width covers the content.
_CLIPPED = r"""() => {
  const art = document.querySelector('.bd-article');
  if (!art) return {column: null, clipped: ['no .bd-article on the page']};
  const col = art.getBoundingClientRect();
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const out = [];
  const name = (kind, e) => kind + ' ' + (e.id || e.closest('[id]')?.id || '') + ' "' +
      (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 50) + '"';
  const inColumn = (kind, e) => {
    const r = e.getBoundingClientRect();
    if (r.left < col.left - 1 || r.right > col.right + 1)
      out.push(`${name(kind, e)}: box ${Math.round(r.left)}..${Math.round(r.right)} outside ` +
               `the column ${Math.round(col.left)}..${Math.round(col.right)}`);
  };
  const fits = (kind, box, contentWidth) => {
    if (contentWidth > box.clientWidth + 1 && !(scrolls(box) && box.scrollWidth + 1 >= contentWidth))
      out.push(`${name(kind, box)}: content ${Math.round(contentWidth)} px in a ` +
               `${box.clientWidth} px box that does not scroll (overflow-x ` +
               `${getComputedStyle(box).overflowX})`);
  };
  for (const eq of art.querySelectorAll('div.math')) {
    if (!shown(eq)) continue;
    inColumn('equation', eq);
    const box = eq.querySelector('mjx-container');
    const math = box && box.querySelector('mjx-math');
    if (!math) { out.push(`${name('equation', eq)}: not typeset`); continue; }
    fits('equation', box, math.getBoundingClientRect().width);
    if (box.scrollWidth > box.clientWidth + 1 && getComputedStyle(eq).overflowX === 'hidden')
      out.push(`${name('equation', eq)}: scrolling box inside a box that hides overflow`);
    const number = eq.querySelector('.eqno');
    if (number) inColumn('equation number', number);
  }
  for (const table of art.querySelectorAll('table')) {
    if (!shown(table) || table.closest('mjx-container')) continue;
    const box = table.closest('.pst-scrollable-table-container') || table;
    inColumn('table', box);
    fits('table', box, table.getBoundingClientRect().width);
  }
  for (const img of art.querySelectorAll('img')) {
    if (!shown(img)) continue;
    inColumn('figure', img);
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1)
    out.push(`the page scrolls sideways: ${page.scrollWidth} px in a ${page.clientWidth} px window`);
  return {column: Math.round(col.width), clipped: out};
}"""

# The article's text without code, maths and scripts (hidden language tabs included).
_TEXT = r"""() => {
  const art = document.querySelector('.bd-article') || document.body;
  const clone = art.cloneNode(true);
  clone.querySelectorAll('pre, code, kbd, samp, script, style, mjx-container, .highlight, ' +
                         '.headerlink, .cell_output .output').forEach(e => e.remove());
  return clone.textContent;
}"""

# Text inside typeset maths that still shows TeX (e.g. \texttt{lr\_decay} without textmacros).
_MATH_TEXT = r"""() => ({
  mathErrors: document.querySelectorAll('mjx-merror').length,
  texInText: Array.from(document.querySelectorAll('mjx-assistive-mml mtext'))
    .map(t => t.textContent).filter(t => t.includes('\\')),
})"""

_IMAGES = r"""() => Array.from(document.querySelectorAll('.bd-article img'))
  .filter(i => i.getClientRects().length > 0)
  .map(i => ({src: i.currentSrc || i.src, natural: i.naturalWidth,
              shown: i.getBoundingClientRect().width,
              explorer: !!i.closest('.booktools-static-explorer')}))"""

RAW_MARKUP = {
    "bold stars **": re.compile(r"\*\*"),
    "escaped underscore \\_": re.compile(r"\\_"),
    "TeX command": re.compile(r"\\(?:[A-Za-z]{2,}|[()\[\]])"),
    "TeX maths $...$": re.compile(r"\$[^$\s][^$]*\$"),
}


class Visits:
    """One Chromium for the module; each (edition, width, page) loaded once, on demand."""

    def __init__(self, playwright, executable, base, env):
        self.browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, env=env)
        self.base = base
        self.local = base + "/"
        self.contexts = {}
        self.results = {}

    def context(self, width):
        if width not in self.contexts:
            phone = width < 600
            ctx = self.browser.new_context(
                viewport={"width": width, "height": 844 if phone else 900},
                device_scale_factor=1, is_mobile=phone, has_touch=phone)
            ctx.route("**/*", self._route)
            self.contexts[width] = ctx
        return self.contexts[width]

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.local) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def new_page(self, width):
        """A page at ``width`` that records errors and failed requests in ``self.log``."""
        self.outside = []
        log = {"console": [], "errors": [], "failed": [], "outside": self.outside}
        page = self.context(width).new_page()
        page.set_default_timeout(30_000)
        page.on("console", lambda m: m.type == "error" and log["console"].append(m.text))
        page.on("pageerror", lambda e: log["errors"].append(str(e)))
        page.on("requestfailed", lambda r: log["failed"].append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and log["failed"].append(f"{r.url} ({r.status})"))
        return page, log

    def url(self, edition, path):
        return f"{self.base}/{edition + '/' if edition else ''}{path}"

    def visit(self, edition, width, path):
        key = (edition, width, path)
        if key not in self.results:
            page, log = self.new_page(width)
            page.goto(self.url(edition, path), wait_until="load")
            page.evaluate(_WAIT_MATH)
            page.evaluate(_WAIT_IMAGES)
            page.evaluate("() => document.fonts.ready.then(() => null)")
            result = dict(log)
            result.update(page.evaluate(_CLIPPED))
            result["text"] = page.evaluate(_TEXT)
            result.update(page.evaluate(_MATH_TEXT))
            result["images"] = page.evaluate(_IMAGES)
            page.close()
            self.results[key] = result
        return self.results[key]

    def close(self):
        for ctx in self.contexts.values():
            ctx.close()
        self.browser.close()


@pytest.fixture(scope="module")
def fontconfig():
    with tempfile.TemporaryDirectory() as folder:
        yield write_fontconfig_without_cjk(Path(folder))


@pytest.fixture(scope="module")
def visits(fontconfig):
    site = require_site()
    executable = _chromium()
    require(executable is not None, "Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright not installed (pip install playwright)")
    env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig))
    with serve(site) as base, sync_playwright() as p:
        v = Visits(p, executable, base, env)
        yield v
        v.close()


def _edition_dir(edition: str) -> Path:
    path = SITE / edition if edition else SITE
    if not (path / "index.html").is_file():
        require_site()
        pytest.skip(f"edition {edition!r} is not part of this build")
    return path


def _page_or_skip(edition: str, path: str) -> None:
    if not (_edition_dir(edition) / path).is_file():
        pytest.skip(f"{path} is not part of this build")


def _ids(values):
    return [v or "site" for v in values]


# --- the fontconfig itself ------------------------------------------------------------------

def test_generated_fontconfig_hides_every_cjk_font(fontconfig):
    fc_list = shutil.which("fc-list")
    require(fc_list is not None, "fc-list not installed (apt-get install fontconfig)")
    env = {"FONTCONFIG_FILE": str(fontconfig), "PATH": "/usr/bin:/bin"}
    every = subprocess.run([fc_list, "--format", "%{file}\n"], env=env, capture_output=True,
                           text=True, check=True).stdout.split()
    korean = subprocess.run([fc_list, ":lang=ko", "--format", "%{file}\n"], env=env,
                            capture_output=True, text=True, check=True).stdout.split()
    assert every, "the generated fontconfig lists no font at all (Latin text would not render)"
    assert not korean, f"the generated fontconfig still offers Korean fonts: {korean}"


# --- navigation -------------------------------------------------------------------------------

def _visible_toggles(page) -> int:
    return page.eval_on_selector_all(
        ".primary-toggle", "bs => bs.filter(b => b.getClientRects().length > 0).length")


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("width", MENU_WIDTHS)
def test_menu_button_opens_the_chapter_list(visits, edition, width):
    _edition_dir(edition)
    page, log = visits.new_page(width)
    current = CHAPTERS[0] if CHAPTERS else PAGES[0]
    page.goto(visits.url(edition, current), wait_until="load")
    # pydata-sphinx-theme moves the sidebar's content into a modal dialog to open it
    menu = page.locator("#pst-primary-sidebar-modal")
    assert not page.locator("#pst-primary-sidebar").is_visible(), \
        "the chapter list is already open on a narrow screen"
    toggles = page.locator(".primary-toggle")
    assert toggles.count() == 1, f"{toggles.count()} .primary-toggle buttons: both themes bind the first"
    assert _visible_toggles(page) == 1, "the menu button is not visible"
    toggles.first.click()
    try:
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", state="visible", timeout=5_000)
    except Exception:
        pytest.fail("the menu button did not open the chapter list")
    links = menu.locator("nav a.reference")
    hrefs = [h.split("#")[0] for h in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")]
    named = {Path(h).name if h else Path(current).name for h in hrefs}  # "#": this page
    missing = [p for p in CHAPTERS if Path(p).name not in named]
    assert not missing, f"the opened menu lacks the chapters {missing}"
    visible = links.evaluate_all(
        "as => as.filter(a => { const r = a.getBoundingClientRect();"
        " return r.width > 0 && r.left >= 0 && r.right <= innerWidth + 1; }).length")
    assert visible >= len(CHAPTERS), f"only {visible} chapter links are on screen in the open menu"
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert not menu.is_visible(), "Escape did not close the menu"
    page.close()
    assert not log["errors"], f"JavaScript errors: {log['errors']}"


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
def test_desktop_has_one_header_and_one_search_field(visits, edition):
    _edition_dir(edition)
    page, _ = visits.new_page(WIDTHS["desktop"])
    page.goto(visits.url(edition, PAGES[0]), wait_until="load")
    assert page.locator("#pst-primary-sidebar").is_visible(), "no chapter list on a desktop"
    band = page.evaluate("() => { const h = document.querySelector('#pst-header');"
                         " return h ? h.getBoundingClientRect().height : 0; }")
    assert band < 1, f"an empty header band of {band} px above the page"
    searches = page.eval_on_selector_all(
        ".search-button-field", "bs => bs.filter(b => b.getClientRects().length > 0).length")
    assert searches == 1, f"{searches} search fields are visible"
    page.close()


# --- what every page shows --------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_cut_off(visits, edition, width, path):
    _page_or_skip(edition, path)
    result = visits.visit(edition, WIDTHS[width], path)
    assert result["column"], "no text column found"
    assert not result["clipped"], "\n".join(result["clipped"])


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("path", PAGES)
def test_no_raw_markup_in_the_text(visits, edition, path):
    _page_or_skip(edition, path)
    result = visits.visit(edition, WIDTHS["desktop"], path)
    text = result["text"]
    found = []
    for what, pattern in RAW_MARKUP.items():
        for m in list(pattern.finditer(text))[:3]:
            context = text[max(0, m.start() - 40): m.end() + 40].replace("\n", " ")
            found.append(f"{what}: ...{context}...")
    assert not found, "\n".join(found)
    assert not result["mathErrors"], f"{result['mathErrors']} formulas with TeX errors"
    assert not result["texInText"], f"TeX shown as text inside formulas: {result['texInText']}"


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("path", CHAPTERS)
def test_figures_are_sharp(visits, edition, width, path):
    _page_or_skip(edition, path)
    images = [i for i in visits.visit(edition, WIDTHS[width], path)["images"] if not i["explorer"]]
    assert images, f"{path} shows no figure"
    blurry = [f"{i['src'][-40:]}: {i['natural']} px shown at {i['shown']:.0f} px"
              for i in images
              if not re.search(r"\.svg(\?|$)|^data:image/svg", i["src"])
              and i["natural"] + 0.5 < 2 * i["shown"]]
    assert not blurry, "figures with fewer than 2 pixels per CSS pixel:\n" + "\n".join(blurry)


@pytest.mark.parametrize("edition", EDITIONS[:1], ids=_ids(EDITIONS[:1]))
def test_explorer_images_are_sharp(visits, edition):
    images = []
    for path in CHAPTERS:
        _edition_dir(edition)
        if (_edition_dir(edition) / path).is_file():
            images += [i for i in visits.visit(edition, WIDTHS["desktop"], path)["images"] if i["explorer"]]
    if not images:
        pytest.skip("no static explorer in this build")
    blurry = [i for i in images if i["natural"] + 0.5 < 2 * i["shown"]]
    assert not blurry, f"{len(blurry)} of {len(images)} explorer images are 1x"


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_no_console_error_or_failed_request(visits, edition, width, path):
    _page_or_skip(edition, path)
    result = visits.visit(edition, WIDTHS[width], path)
    assert not result["outside"], f"requests left the site: {result['outside']}"
    assert not result["failed"], f"failed requests: {result['failed']}"
    assert not result["errors"], f"JavaScript errors: {result['errors']}"
    assert not result["console"], f"console errors: {result['console']}"


# --- Hangul from the site's own font ----------------------------------------------------------

# Draw two different syllables with a font stack; boxes (tofu) for missing glyphs are
# identical, real glyphs are not. Returns [differs, inked] for the stack.
_GLYPHS_DIFFER = r"""async (family) => {
  await document.fonts.load(`48px ${family}`, '가힣');
  const draw = ch => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = `48px ${family}`; g.fillText(ch, 4, 52);
    return g.getImageData(0, 0, 64, 64).data;
  };
  const a = draw('가'), b = draw('힣');
  let differ = 0, ink = 0;
  for (let i = 3; i < a.length; i += 4) { if (a[i] !== b[i]) differ++; if (a[i]) ink++; }
  return [differ, ink];
}"""


@pytest.mark.parametrize("edition", EDITIONS, ids=_ids(EDITIONS))
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_hangul_is_drawn_with_the_web_font(visits, edition, width):
    site = _edition_dir(edition)
    assert (site / "_static" / "fonts" / "OFL.txt").is_file(), "the font's licence is not shipped"
    page, log = visits.new_page(WIDTHS[width])
    font_requests = []
    page.on("response", lambda r: ".woff2" in r.url and font_requests.append((r.url, r.status)))
    page.goto(visits.url(edition, PAGES[0]), wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => null)")
    # the machine really has no CJK font: the browser's own fallback draws boxes
    differ, _ = page.evaluate(_GLYPHS_DIFFER, "sans-serif")
    assert differ == 0, "Chromium found a system font with Hangul: the test cannot tell tofu from text"
    # the font stack of the page's text draws real, distinct glyphs
    element = page.locator(".bd-article h1, .bd-article p").first
    family = element.evaluate("e => getComputedStyle(e).fontFamily")
    assert WEB_FONT in family, f"the text's font stack {family!r} does not name {WEB_FONT!r}"
    differ, ink = page.evaluate(_GLYPHS_DIFFER, family)
    assert ink > 100 and differ > 100, f"Hangul in {family!r} is drawn as boxes ({differ=}, {ink=})"
    loaded = page.evaluate(
        "f => Array.from(document.fonts).filter(x => x.family.replace(/\"/g, '') === f"
        " && x.status === 'loaded').length", WEB_FONT)
    assert loaded >= 1, f"document.fonts has no loaded {WEB_FONT!r}"
    served = [(u, s) for u, s in font_requests if "book-hangul" in u]
    assert served and all(s == 200 and u.startswith(visits.local) for u, s in served), \
        f"the web font was not served by the site: {font_requests}"
    page.close()
    assert not log["failed"], f"failed requests: {log['failed']}"
