"""Tests of the curves explorers (booktools.widgets.curves + curves_explorer.js) and of the
schedule exercise's checker (booktools.checks.check_lr_factor)."""

import io
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import booktools  # noqa: E402
from booktools import checks, fonts, widgets  # noqa: E402
from booktools.widgets import curves  # noqa: E402
from widget_cells import (BACKGROUNDS, CHROMIUM_ARGS,  # noqa: E402
                          assert_one_picture_then_html, cell, chromium_or_skip, watch)

booktools.setup()

PANELS = [dict(xlabel="k", ylabel="η_k", readout="η_end"),
          dict(xlabel="epoch", ylabel="loss", log=True, readout="loss")]
GRID = {"peak": [0.1, 0.3, 0.6], "final": [0.0, 0.5]}


def _compute(values):
    # a schedule (linear from peak to final * peak) and a made-up "loss" that depends on it
    k = np.arange(50)
    rate = values["peak"] * (1 - (1 - values["final"]) * k / 50)
    epochs = np.arange(6)
    return [(k, rate), (epochs, np.exp(-values["peak"] * epochs) + values["final"])]


def _payload(html):
    m = re.search(r'<script type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def _static(**kwargs):
    return widgets.static_curves_explorer(_compute, PANELS, grid=GRID, **kwargs)


# ------------------------------------------------------------------ static explorer

def test_payload_holds_every_combination_in_grid_order_with_shared_x():
    s = _static(initial={"peak": 0.3, "final": 0.5})
    payload = _payload(s.html)
    assert payload == s.data
    assert [p["name"] for p in payload["params"]] == ["peak", "final"]
    assert len(payload["runs"]) == 3 * 2 == len(s.results)
    # every run has the same x arrays: stored once each, the runs point at them
    assert len(payload["xs"]) == 2
    for j, combo in enumerate([(a, b) for a in GRID["peak"] for b in GRID["final"]]):
        expect = _compute(dict(zip(GRID, combo)))
        for panel, (x, y) in enumerate(expect):
            index, ys = payload["runs"][j][panel]
            np.testing.assert_allclose(payload["xs"][index], x, rtol=5e-4)
            np.testing.assert_allclose(ys, y, rtol=5e-4, atol=1e-12)  # 4 significant digits
    assert 'value="1"' in s.html  # initial peak = 0.3 is the second grid value, final the second


def test_panels_are_stacked_at_phone_width_and_the_png_is_sharp():
    from PIL import Image

    s = _static()
    W, H = s.data["width"], s.data["height"]
    assert W <= fonts.PHONE_WIDTH_IN * 80 + 1
    (a0, b0, a1, b1), (c0, d0, c1, d1) = (p["box"] for p in s.data["panels"])
    assert b1 <= d0, "the second panel must sit below the first"
    for x0, y0, x1, y1 in (p["box"] for p in s.data["panels"]):
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
    png = Image.open(io.BytesIO(s.png))
    assert png.size == (2 * W, 2 * H)


def test_explorer_figure_text_is_not_smaller_than_the_book_style():
    limits = [curves.axis_limits(p, [c[k] for c in [_compute({"peak": 0.3, "final": 0.0})]])
              for k, p in enumerate(PANELS)]
    fig, _ = curves._figure([dict(p, title="t") for p in PANELS], limits, [], None, 80)
    fig.canvas.draw()
    small = {t.get_text(): t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_text().strip() and t.get_fontsize() < 13}
    assert not small, f"text below 13 pt: {small}"


def test_static_explorer_is_self_contained_and_json_safe():
    def wild(values):
        return [(np.arange(3), np.array([1.0, np.inf, np.nan])), (np.arange(2), np.array([1.0, -1.0]))]

    s = widgets.static_curves_explorer(wild, PANELS, grid={"a": [1]})
    assert not re.search(r"https?:", s.html) and "<script src" not in s.html
    assert "data:image" not in s.html and "base64" not in s.html, "no picture inline"
    imgs = re.findall(r"<img [^>]*>", s.html)
    assert len(imgs) == 1 and 'class="bt-img"' in imgs[0] and "src=" not in imgs[0], imgs
    assert s.images == [s.png] and s.image_bytes == len(s.png)
    json.dumps(s.data, allow_nan=False)
    assert s.data["runs"][0][0][1] == [1.0, None, None]
    here = CHAPTERS / "booktools" / "widgets"
    shared, js = ((here / f).read_text(encoding="utf-8") for f in ("shared.js", "curves_explorer.js"))
    assert curves._script() == f"{shared}\n{js}"
    assert f"<script>{curves._script()}</script>" in s.html.replace(
        s.html.split('id="')[1].split('"')[0], "__ID__")


@pytest.mark.parametrize("last_expression", [False, True], ids=["display", "last-expression"])
def test_static_explorer_shows_its_picture_as_an_image_output_before_the_html(last_expression):
    assert_one_picture_then_html(_static(), last_expression=last_expression)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_picture_is_described_in_the_editions_language(monkeypatch, lang):
    monkeypatch.setenv("BOOK_LANG", lang)
    s = _static()
    alt = re.search(r'<img [^>]*alt="([^"]*)"', s.html).group(1)
    assert alt == s.alt and "η_k" in alt and "peak" in alt and "final" in alt
    assert ("로그 눈금" if lang == "ko" else "log scale") in alt
    assert bool(re.search("[\uac00-\ud7a3]", alt)) == (lang == "ko"), alt


def test_size_is_capped_with_a_clear_message():
    s = _static()
    assert s.size_bytes == len(s.html.encode())
    with pytest.raises(ValueError, match=r"more than max_bytes=1000 \(6 grid combinations"):
        _static(max_bytes=1000)
    _static(max_bytes=None)  # no cap


def test_bad_panels_grids_and_curves_are_named():
    with pytest.raises(ValueError, match="1 or 2 panels"):
        widgets.static_curves_explorer(_compute, PANELS * 2, grid=GRID)
    with pytest.raises(ValueError, match=r"panels\[0\] needs \['ylabel'\]"):
        widgets.static_curves_explorer(_compute, [dict(xlabel="k")], grid=GRID)
    with pytest.raises(ValueError, match="grid must map"):
        widgets.static_curves_explorer(_compute, PANELS, grid={})
    with pytest.raises(ValueError, match=r"grid\['peak'\] is empty"):
        widgets.static_curves_explorer(_compute, PANELS, grid={"peak": []})
    with pytest.raises(ValueError, match="returned 1 curves for 2 panels"):
        widgets.static_curves_explorer(lambda v: _compute(v)[:1], PANELS, grid=GRID)
    with pytest.raises(ValueError, match=r"x shape \(3,\) and y shape \(2,\)"):
        widgets.static_curves_explorer(lambda v: [(np.arange(3), np.ones(2))] * 2, PANELS,
                                       grid=GRID)


def test_axis_limits_fit_the_curves_and_a_log_axis_skips_nonpositive_values():
    lin = curves.axis_limits({"log": False}, [(np.array([0.0, 10.0]), np.array([0.0, 2.0]))])
    assert lin[0] == (0.0, 10.0) and lin[1][0] <= 0.0 and lin[1][1] > 2.0
    log = curves.axis_limits({"log": True}, [(np.arange(4.0), np.array([0.0, -1.0, 1e-20, 10.0]))])
    lo, hi = log[1]
    assert hi == pytest.approx(15.0) and lo == pytest.approx(10.0 * 1e-8 / 1.5)  # 8 decades


@pytest.mark.parametrize("layout", ["book", "jupyterlab"])
def test_static_curves_explorer_runs_in_a_real_browser(tmp_path, layout):
    """curves_explorer.js shows its cell's image output behind the drawing (hidden where it
    was; an image file in the book, a data URL in JupyterLab), draws both curves, follows
    the sliders, and raises nothing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = chromium_or_skip()
    s = _static(initial={"peak": 0.1, "final": 0.0})
    (tmp_path / "chapters").mkdir()
    page_file = tmp_path / "chapters" / "curves.html"
    page_file.write_text("<!doctype html><meta charset='utf-8'><body style='width:760px'>"
                         f"{cell(layout, [s], tmp_path / '_images')}</body>", encoding="utf-8")
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        watch(page, errors)
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        bg = page.locator(".booktools-curves-explorer").evaluate(BACKGROUNDS)
        before = [page.locator(".bt-curve").nth(i).get_attribute("d") for i in range(2)]
        readout = page.locator(".bt-readout").inner_text()
        page.locator("input[type=range]").first.evaluate(
            "el => { el.value = 2; el.dispatchEvent(new Event('input')); }")
        after = [page.locator(".bt-curve").nth(i).get_attribute("d") for i in range(2)]
        shown = page.locator(".bt-val").first.inner_text()
        browser.close()
    assert errors == []
    assert len(bg["outside"]) == 1 and all(bg["hidden"]), bg
    assert bg["src"] == bg["outside"][0] and bg["loaded"] and bg["alt"] == s.alt
    assert bg["natural"] == [2 * s.data["width"], 2 * s.data["height"]]
    assert bg["src"].startswith("../_images/" if layout == "book" else "data:image/png;base64,")
    assert before[0].startswith("M") and before[0].count("L") == 49  # 50 points, one pen
    assert before[1].count("L") == 5
    assert after != before and shown == "0.6"
    last = _compute({"peak": 0.1, "final": 0.0})
    assert " ".join(readout.split()) == f"η_end: {last[0][1][-1]:.4g} | loss: {last[1][1][-1]:.4g}"


# ------------------------------------------------------------------ live explorer

def test_live_curves_explorer_redraws_quickly_and_changes_the_image():
    pytest.importorskip("ipywidgets")
    live = widgets.live_curves_explorer(_compute, PANELS, references=[_compute(
        {"peak": 0.3, "final": 1.0})], controls={"peak": [0.1, 0.3, 0.6], "final": [0.0, 0.5]})
    first = live.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert live.values == {"peak": 0.3, "final": 0.5}  # the middle of each list
    live.controls["peak"].value = 0.6  # via the observer, as a slider drag would
    assert live.image.value != first
    np.testing.assert_allclose(live.curves[0][1], _compute({"peak": 0.6, "final": 0.5})[0][1])
    assert "η_end: 0.3" in live.readout.value
    seconds = min(live.update() for _ in range(3))
    assert seconds < 0.1, f"a redraw took {seconds:.3f} s"
    with pytest.raises(ValueError, match="control 'x'"):
        widgets.live_curves_explorer(_compute, PANELS, controls={"x": "bad"})


# ------------------------------------------------------------------ check_lr_factor

def _right(warmup, total, final):
    def factor(k):
        if k < warmup:
            return (k + 1) / warmup
        return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * (k - warmup) / (total - warmup)))
    return factor


def test_check_lr_factor_accepts_a_correct_factor(capsys):
    checks.check_lr_factor(_right)
    assert "✔ _right matches" in capsys.readouterr().out


def test_check_lr_factor_compares_only_the_updates_of_the_run():
    def clamped(warmup, total, final):  # undefined past the end of the run: never asked
        inner = _right(warmup, total, final)
        return lambda k: inner(k) if k < total else 1 / 0
    checks.check_lr_factor(clamped)


@pytest.mark.parametrize("wrong, where, step, side", [
    # warm-up from 0: k / W instead of (k + 1) / W
    (lambda w, t, f: (lambda k: k / w if k < w else _right(w, t, f)(k)),
     "warmup=5, total=50, final=0.0", "k=0 (warm-up", "too low"),
    # the cosine stretched over the whole run instead of total - warmup
    (lambda w, t, f: (lambda k: _right(w, t, f)(k) if k < w else
                      f + (1 - f) * 0.5 * (1 + math.cos(math.pi * (k - w) / t))),
     "warmup=5, total=50, final=0.0", "k=6 (cosine", "too high"),
    # the final value ignored (down to 0): right in the first setting, wrong in the second
    (lambda w, t, f: _right(w, t, 0.0), "warmup=1, total=20, final=0.1", "k=2 (cosine", "too low"),
])
def test_check_lr_factor_names_the_first_differing_step_not_the_reference(wrong, where, step, side):
    with pytest.raises(AssertionError) as info:
        checks.check_lr_factor(wrong)
    message = str(info.value)
    assert where in message and step in message and side in message
    w, t, f = (float(v.split("=")[1]) for v in where.split(", "))
    k = int(step.split("=")[1].split()[0])
    expected = _right(int(w), int(t), f)(k)
    got = float(message.split(" gives ")[1].split(",")[0])
    assert not math.isclose(got, expected)
    for shown in (repr(expected), f"{expected:.6g}"):  # shorter forms may be the reader's digits
        assert shown not in message, f"the message reveals the reference value {shown}"


def test_check_lr_factor_reports_errors_and_bad_arguments():
    def raises(warmup, total, final):
        right = _right(warmup, total, final)
        return lambda k: right(k) if k < 3 else math.sqrt(-1)
    with pytest.raises(AssertionError, match=r"raised ValueError at step k=3"):
        checks.check_lr_factor(raises)
    with pytest.raises(AssertionError, match="not finite"):
        checks.check_lr_factor(lambda w, t, f: (lambda k: float("nan")))
    with pytest.raises(AssertionError, match="must return a function"):
        checks.check_lr_factor(lambda w, t, f: 0.5)
    with pytest.raises(TypeError, match="make_factor"):
        checks.check_lr_factor(0.5)
    with pytest.raises(ValueError, match="warmup=0"):
        checks.check_lr_factor(_right, settings=[(0, 10, 0.0)])
