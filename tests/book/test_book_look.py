"""The book's look, without a browser: figure rendering and legends (booktools), the
Korean web-font subset and the bold repair of the Sphinx extension (chapters/_ext).

The browser side (what the built pages show) is tests/book/browser/test_browser_layout.py.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from docutils import nodes  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "chapters"))
sys.path.insert(0, str(ROOT / "chapters" / "_ext"))
sys.path.insert(0, str(ROOT / "tests"))
from book_site import SITE, require_site  # noqa: E402
from booktools import fonts, functions, plots  # noqa: E402
from booktools.runners import run_optimizer  # noqa: E402

import book_look  # noqa: E402
import book_webfont  # noqa: E402

fontTools = pytest.importorskip("fontTools")
from fontTools.ttLib import TTFont  # noqa: E402


@pytest.fixture
def book_style():
    with matplotlib.rc_context():
        fonts.use_korean_font()
        yield
    plt.close("all")


# --- figures --------------------------------------------------------------------------------

def test_figure_png_has_two_pixels_per_css_pixel(book_style):
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    ax.plot([0, 1], [0, 1])
    data, width, height = fonts.figure_png(fig)
    pixels_w, pixels_h = fonts._png_size(data)
    assert (pixels_w // 2, pixels_h // 2) == (width, height)
    # cropped to its content, the figure is shown near 80 CSS px per inch of its size
    assert abs(width - 4.0 * fonts.DISPLAY_PPI) < 0.1 * 4.0 * fonts.DISPLAY_PPI


def test_a_wide_figure_is_rendered_at_twice_the_column_not_more(book_style):
    fig, axes = plt.subplots(1, 3, figsize=(15.0, 3.0))
    for ax in axes:
        ax.plot([0, 1], [1, 0])
    data, width, _ = fonts.figure_png(fig)
    pixels_w, _ = fonts._png_size(data)
    assert width == pixels_w // 2 <= fonts.COLUMN_PX
    assert pixels_w >= 2 * fonts.COLUMN_PX - 8, f"{pixels_w} px: rendered smaller than needed"


def test_display_formatter_gives_base64_png_and_its_css_width(book_style):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    encoded, metadata = fonts._png_for_display(fig)
    data = base64.b64decode(encoded)
    assert fonts._png_size(data)[0] // 2 == metadata["width"]
    assert set(metadata) == {"width"}, "a fixed height would distort the scaled-down image"
    assert fonts._png_for_display(plt.figure()) is None, "an empty figure shows nothing"


def test_palette_png_is_smaller_and_looks_the_same(book_style):
    from PIL import Image

    fn, trajs = _trajectories()
    fig, ax = plt.subplots()
    plots.plot_trajectories(fn, trajs, ax=ax)
    full, w1, h1 = fonts.figure_png(fig, palette=False)
    small, w2, h2 = fonts.figure_png(fig)
    assert (w1, h1) == (w2, h2)
    assert len(small) < 0.7 * len(full), f"{len(small)} vs {len(full)} bytes"
    a = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=float)
    assert Image.open(io.BytesIO(small)).mode == "P"
    assert np.abs(a - b).mean() < 1.0, "the 256-colour image differs visibly"


@pytest.mark.parametrize("kwargs", [{"ppi": 0}, {"density": 0}, {"max_width": 0}])
def test_figure_png_rejects_bad_arguments(book_style, kwargs):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        fonts.figure_png(fig, **kwargs)


def _trajectories():
    from minigrad.optim import SGD

    fn = functions.valley()
    return fn, [run_optimizer(fn, (-7, 2), 20, SGD, lr=lr) for lr in (0.3, 0.95)]


def _texts(fig):
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip() and t.get_visible()]


def test_no_figure_text_is_smaller_than_the_style_size(book_style):
    fn, trajs = _trajectories()
    fig = plots.comparison(fn, {"a": trajs[:1], "b": trajs[1:]}, with_loss=True)
    fig.canvas.draw()
    small = {t.get_text(): t.get_fontsize() for t in _texts(fig) if t.get_fontsize() < 13}
    assert not small, f"text below 13 pt: {small}"
    # 13 pt at 80 CSS px per inch is at least the 14 px of a caption on the page
    assert 13 * fonts.DISPLAY_PPI / 72 >= 14


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_legend_below_sits_under_the_axis_label_not_on_the_data(book_style):
    fn, trajs = _trajectories()
    fig, ax = plt.subplots()
    plots.plot_trajectories(fn, trajs, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y1 <= ax.get_window_extent(renderer).y0, "legend overlaps the plotting area"
    label = ax.xaxis.label.get_window_extent(renderer)
    assert legend.y1 <= label.y0 + 1, "legend overlaps the x-axis label"
    ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert not any(_overlap(legend, t) for t in ticks), "legend overlaps tick labels"
    # and it is inside the saved figure
    data, _, _ = fonts.figure_png(fig)
    assert fonts._png_size(data)[1] > 0


def test_comparison_has_one_legend_under_all_panels_and_two_columns(book_style):
    fn, trajs = _trajectories()
    fig = plots.comparison(fn, {"a": trajs[:1], "b": trajs[1:]}, with_loss=True)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len({round(ax.get_position().x0, 3) for ax in axes}) <= 2, "more than 2 panels side by side"
    assert all(ax.get_legend() is None for ax in axes)
    assert len(fig.legends) == 1
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in axes)
    assert legend.y1 <= lowest + 1, "the figure legend overlaps a panel"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [t.label for t in trajs]


def test_legend_helpers_without_labels_return_none(book_style):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert plots.legend_below(ax) is None
    assert plots.figure_legend(fig) is None


def test_comparison_rejects_negative_columns(book_style):
    fn, trajs = _trajectories()
    with pytest.raises(ValueError, match="ncols"):
        plots.comparison(fn, {"a": trajs}, ncols=-1)


# --- bold next to Hangul --------------------------------------------------------------------

def _para(*children):
    para = nodes.paragraph()
    for child in children:
        para.append(child)
    return para


def test_leftover_stars_around_inline_math_become_bold():
    para = _para(nodes.Text("이 구간에서는 **수렴 인자가 "), nodes.math(text="h"),
                 nodes.Text("와 무관하게 "), nodes.math(text=r"\sqrt\mu"), nodes.Text("**이다."))
    book_look._repair(para)
    assert [type(c).__name__ for c in para.children] == ["Text", "strong", "Text"]
    strong = para.children[1]
    assert strong.astext() == r"수렴 인자가 h와 무관하게 \sqrt\mu"
    assert [type(c).__name__ for c in strong.children] == ["Text", "math", "Text", "math"]
    assert para.astext() == r"이 구간에서는 수렴 인자가 h와 무관하게 \sqrt\mu이다."


def test_two_bold_spans_in_one_text_node():
    para = _para(nodes.Text("**가**나 **다**라"))
    book_look._repair(para)
    assert [c.astext() for c in para.children] == ["가", "나 ", "다", "라"]
    assert [type(c).__name__ for c in para.children] == ["strong", "Text", "strong", "Text"]


def test_stars_in_code_and_odd_counts_are_left_alone():
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    doc = new_document("test", get_default_settings(Parser))
    code = _para(nodes.Text("call "), nodes.literal(text="f(**kw)"), nodes.Text(" and w**2"))
    doc.append(code)
    transform = book_look.RepairCjkStrong(doc)
    transform.apply()
    assert code.astext() == "call f(**kw) and w**2", "an odd count must not be paired"
    assert not list(code.findall(nodes.strong))


# --- the Korean web font --------------------------------------------------------------------

def test_characters_collects_hangul_from_pages_and_scripts(tmp_path):
    (tmp_path / "_static" / "mathjax").mkdir(parents=True)
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "a.html").write_text("<p>경사 하강법 · Gradient</p>", encoding="utf-8")
    (tmp_path / "_static" / "translations.js").write_text('"검색"', encoding="utf-8")
    (tmp_path / "_static" / "mathjax" / "x.js").write_text('"무시"', encoding="utf-8")
    (tmp_path / "searchindex.js").write_text('"색인"', encoding="utf-8")
    assert book_webfont.characters(tmp_path) == "".join(sorted(set("경사하강법검색색인")))


def test_subset_is_deterministic_and_holds_exactly_the_characters():
    font_path, number = book_webfont.source_font()
    chars = "가나다라한국어。"
    first = book_webfont.subset_woff2(chars, font_path, number)
    assert first == book_webfont.subset_woff2(chars, font_path, number)
    font = TTFont(io.BytesIO(first))
    assert font.flavor == "woff2"
    assert set(map(chr, font.getBestCmap())) == set(chars)
    assert "SIL Open Font License" in font["name"].getDebugName(13)
    with pytest.raises(ValueError, match="chars"):
        book_webfont.subset_woff2("", font_path, number)


def test_unicode_range_lists_the_blocks():
    text = book_webfont.unicode_range()
    assert "U+AC00-D7AF" in text and text.count("U+") == len(book_webfont.RANGES)
    assert book_webfont.in_ranges("한") and not book_webfont.in_ranges("A")


def _editions():
    found = [SITE / n for n in ("ko", "en") if (SITE / n / "index.html").is_file()]
    return found or [SITE]


def test_built_site_font_covers_every_hangul_character_it_shows():
    require_site()
    for site in _editions():
        font_file = site / "_static" / book_webfont.FONT_FILE
        assert font_file.is_file(), f"{font_file} missing"
        covered = set(map(chr, TTFont(str(font_file)).getBestCmap()))
        needed = set(book_webfont.characters(site))
        assert needed <= covered, f"{site.name}: not in the web font: {sorted(needed - covered)[:20]}"
        # small: a subset, not the 16 MB face (about 100 bytes a syllable)
        assert font_file.stat().st_size < 200 * 1024, f"{font_file.stat().st_size} bytes"
        css = (site / "_static" / book_webfont.CSS_FILE).read_text(encoding="utf-8")
        assert re.search(r'url\("fonts/book-hangul\.woff2\?v=[0-9a-f]{12}"\) format\("woff2"\)', css)
        assert f'font-family: "{book_webfont.FAMILY}"' in css
        assert "SIL OPEN FONT LICENSE" in (site / "_static" / "fonts" / "OFL.txt").read_text(encoding="utf-8")


# --- figures of the chapters readable on a phone ------------------------------------------
# Every chapter's figure cells follow the phone rules.
PHONE_READY = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("chapter", PHONE_READY)
def test_figure_cells_fit_a_phone(chapter):
    """Every figure cell: single panels at most PHONE_WIDTH_IN wide (so 13 pt text stays about
    14 px on a 390 px phone), panels stacked (never side by side), no font size below the
    style's, legends placed by legend_below / figure_legend rather than on the data."""
    import json

    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "figure" in c["metadata"]]
    assert cells, f"{chapter}: no figure cells"
    problems = []
    for c in cells:
        src = "".join(c["source"])
        name = c["metadata"]["figure"]["name"]
        for w, _ in re.findall(r"figsize=\(([\d.]+),\s*([\d.]+)\)", src):
            if float(w) > fonts.PHONE_WIDTH_IN:
                problems.append(f"{name}: figsize width {w} in")
        for rows, cols in re.findall(r"subplots\((\d+),\s*(\d+)", src):
            if int(cols) > 1:
                problems.append(f"{name}: {rows}x{cols} panels side by side")
        if re.search(r"comparison\(", src) and "ncols=1" not in src:
            problems.append(f"{name}: comparison() without ncols=1")
        for size in re.findall(r"fontsize\s*=\s*([\w.\"']+)", src):
            problems.append(f"{name}: fontsize={size}")
        if re.search(r"\.legend\(", src):
            problems.append(f"{name}: ax.legend() (use plots.legend_below / figure_legend)")
    assert not problems, "\n".join(problems)
