"""The lab's static race widgets: compact payload (page weight, issue 8), exact enough to draw,
backgrounds as separate image outputs (files in the book, not page HTML), and working in a
real browser over the cell-output structure of the book and of JupyterLab."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools import lab  # noqa: E402
from booktools.fonts import use_korean_font  # noqa: E402
from booktools.widgets import race_static as rs  # noqa: E402
from booktools.widgets import static  # noqa: E402
from widget_cells import (BACKGROUNDS, CHROMIUM_ARGS, cell, cell_outputs,  # noqa: E402
                          chromium_or_skip, png_of, watch)

#: Budgets of the HTML outputs, images excluded (they are files of their own in the book); the
#: chapter page must stay under 700 KB with both and the rest of the chapter.
ANIMATION_BUDGET = 190 * 1024       # 8 functions x 2 modes x 11 contenders x 201 points
SCRUBBER_BUDGET = 205 * 1024        # 11 contenders x 21 learning rates x 201 points
#: Stated decoding errors: half a quantum.
PIXEL_ERROR = 0.5 / rs.PIXEL_QUANTUM                     # CSS px of the figure
GAP_ERROR = 10 ** (0.5 / rs.GAP_QUANTUM) - 1             # relative


@pytest.fixture(scope="module")
def races():
    use_korean_font(style=False)        # the figures' Hangul labels
    out = {}
    for key, spec in lab.RACES.items():
        tuning = lab.tune(spec.fn, lab.CONTENDERS, spec.start, spec.n_steps)
        out[key] = (spec, lab.race(spec.fn, lab.CONTENDERS, spec.start, spec.n_steps),
                    lab.race(spec.fn, lab.CONTENDERS, spec.start, spec.n_steps,
                             lrs=tuning.best_lr), tuning)
    return out


@pytest.fixture(scope="module")
def animation(races):
    return rs.race_animation({k: (spec, {"defaults": d, "tuned": t})
                              for k, (spec, d, t, _) in races.items()})


@pytest.fixture(scope="module")
def scrubber(races):
    spec, _, _, tuning = races["rosenbrock"]
    return rs.lr_scrubber(spec, tuning, contender="Adam")


def test_integer_stream_round_trips():
    values = [0, 1, -1, 31, -32, 33, 10**6, -(10**7), None, 5, False, 5, 0, None, None]
    text = rs.encode_ints(values)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", text)
    assert rs.decode_ints(text) == values
    assert len(rs.encode_ints(range(100))) == 100       # a smooth run: one character a number


def test_static_widgets_fit_their_budgets(animation, scrubber):
    for w, budget in ((animation, ANIMATION_BUDGET), (scrubber, SCRUBBER_BUDGET)):
        assert w.size_bytes == len(w.html.encode()) <= budget, w.size_bytes
        assert "data:image" not in w.html and "base64" not in w.html    # no picture inline


def test_backgrounds_are_separate_image_outputs_before_the_html(animation, scrubber):
    """``display(widget)`` gives one image/png output per function, in the payload's order,
    then the HTML: myst-nb writes the images to _images/ files, out of the page."""
    for w, last in ((animation, False), (scrubber, True)):
        outputs = cell_outputs(w, last_expression=last)
        n = len(w.data["functions"])
        assert len(outputs) == n + 1 and len(w.images) == n
        for bundle, png in zip(outputs[:-1], w.images):
            assert "image/png" in bundle and "text/html" not in bundle
            assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000   # a real picture
            assert png_of(bundle) == png
        assert set(outputs[-1]) >= {"text/html"} and "image/png" not in outputs[-1]
        assert outputs[-1]["text/html"] == w.html
        assert f'data-backgrounds="{n}"' in w.html
    assert len(set(animation.images)) == len(animation.images)         # one per function
    # inline (base64) the pictures alone would have cost the page more than both budgets' slack
    assert 4 / 3 * (animation.image_bytes + scrubber.image_bytes) > 300 * 1024


def test_widget_rejects_images_that_do_not_match_its_functions(animation):
    with pytest.raises(ValueError, match="one background image per function: 1 images for 8"):
        rs.RaceWidget(animation.data, animation.images[:1], animation.width, animation.height)
    with pytest.raises(ValueError, match="PNG bytes"):
        rs.RaceWidget(animation.data, [b"GIF89a"] * 8, animation.width, animation.height)


def _check_run(panel, run, points, gaps):
    X, Y, G = rs.decode_run(run)
    tx, ty = rs.to_pixels(panel, points[:, 0], points[:, 1])
    finite = np.isfinite(tx) & np.isfinite(ty)
    np.testing.assert_array_equal(np.isfinite(X), finite)
    inside = finite & (np.abs(tx) < rs.PIXEL_LIMIT) & (np.abs(ty) < rs.PIXEL_LIMIT)
    assert np.all(np.abs(X[inside] - tx[inside]) <= PIXEL_ERROR + 1e-9)
    assert np.all(np.abs(Y[inside] - ty[inside]) <= PIXEL_ERROR + 1e-9)
    assert np.all(np.abs(X[finite & ~inside]) <= rs.PIXEL_LIMIT)   # clamped, still drawn off-panel
    positive = np.isfinite(gaps) & (gaps > 0) & (np.abs(np.log10(np.where(gaps > 0, gaps, 1))) < 300)
    np.testing.assert_allclose(G[positive], gaps[positive], rtol=GAP_ERROR * 1.001, atol=0)
    assert np.all(G[np.isfinite(gaps) & (gaps <= 0)] == 0)
    assert np.all(np.isnan(G[~np.isfinite(gaps)]))
    return inside.sum()


def test_decoded_trajectories_are_within_the_stated_error(races, animation, scrubber):
    checked = 0
    for f, (spec, d, t, tuning) in zip(animation.data["functions"], races.values()):
        panel = f["panels"]["traj"]
        for mode, res in (("defaults", d), ("tuned", t)):
            M = f["modes"][mode]
            np.testing.assert_array_equal(M["lrs"], res.lrs[:, 0])
            for c, run in enumerate(M["runs"]):
                checked += _check_run(panel, run, res.points[:, c, 0], res.gaps[:, c, 0])
    f = scrubber.data["functions"][0]
    res = races["rosenbrock"][3].result
    for c, runs in enumerate(f["grid"]["runs"]):
        for k, run in enumerate(runs):
            checked += _check_run(f["panels"]["traj"], run, res.points[:, c, k], res.gaps[:, c, k])
    assert checked > 50_000


def test_payload_shape(races, animation, scrubber):
    D = animation.data
    n_c = len(lab.CONTENDERS)
    assert D["kind"] == "animate" and [c["name"] for c in D["contenders"]] == \
        [c.name for c in lab.CONTENDERS]
    assert len(D["functions"]) == len(lab.RACES)
    for f, spec in zip(D["functions"], lab.RACES.values()):
        assert f["n_steps"] == spec.n_steps and f["start"] == list(spec.start)
        assert "png" not in f
        assert set(f["modes"]) == {"defaults", "tuned"}
        for M in f["modes"].values():
            assert len(M["runs"]) == n_c and all(len(r) == 3 for r in M["runs"])
            assert all(len(rs.decode_ints(s)) == spec.n_steps + 1 for r in M["runs"] for s in r)
        for p in f["panels"].values():
            b = p["box"]
            assert 0 <= b[0] < b[2] <= animation.width and 0 <= b[1] < b[3] <= animation.height
    S = scrubber.data
    assert S["kind"] == "scrub" and len(S["grid"]) == len(lab.LR_GRID)
    runs = S["functions"][0]["grid"]["runs"]
    assert len(runs) == n_c and all(len(r) == len(lab.LR_GRID) for r in runs)
    assert S["best"] == [int(b) for b in races["rosenbrock"][3].best]
    assert S["contenders"][S["initial_contender"]]["name"] == "Adam"


def test_widgets_need_no_network_and_inline_the_shipped_script(animation, scrubber):
    here = CHAPTERS / "booktools" / "widgets"
    shipped = "\n".join((here / f).read_text(encoding="utf-8") for f in ("shared.js", "race_static.js"))
    for w in (animation, scrubber):
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", w.html)
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", w.html)
        uid = re.search(r'id="(bt-race-[0-9a-f]+)"', w.html).group(1)
        assert shipped.replace("__ID__", uid) in w.html
        assert "</script" not in w.html.split('<script type="application/json">')[1].split(
            "</script>")[0]


def test_race_animation_rejects_mismatched_input(races):
    spec, d, t, tuning = races["beale"]
    with pytest.raises(ValueError, match="at least one race"):
        rs.race_animation({})
    with pytest.raises(ValueError, match="one run per contender"):
        rs.race_animation({"beale": (spec, {"tuned": tuning.result})})


def test_the_race_and_the_explorer_streams_share_their_digits():
    """shared.js reads both integer streams with one decoder (``codes``): the same 64 digits,
    32 = more to come; static.py's last-digit alphabet then its earlier-digit one."""
    assert static._LAST + static._MORE == rs._ALPHABET
    # a race code is 2 + the zigzag of its delta d: the zigzag of d + 1 (d >= 0) or d - 1
    for d in (0, 7, 14, 15, 16, 1000, -1, -16, -17, -1000, 2**40, -(2**40)):
        assert rs.encode_ints([d]) == static.pack([d + 1 if d >= 0 else d - 1])


@pytest.mark.parametrize("layout", ["book", "jupyterlab"])
def test_static_race_runs_in_a_real_browser(tmp_path, races, animation, scrubber, layout):
    """Both widgets find their background images in their cell's output, hide them, show
    them behind the drawing, decode, draw, react to their controls and raise nothing
    (Chromium), in the book's output structure (image files) and JupyterLab's (data URLs)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = chromium_or_skip()
    (tmp_path / "chapters").mkdir()
    page_file = tmp_path / "chapters" / "race.html"
    cells = [cell(layout, [w], tmp_path / "_images") for w in (animation, scrubber)]
    page_file.write_text("<!doctype html><meta charset='utf-8'><body style='width:760px'>"
                         f"{''.join(cells)}</body>", encoding="utf-8")
    errors = []

    def numbers(d):
        return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]).reshape(-1, 2)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        watch(page, errors)
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        anim, scrub = page.locator(".booktools-race").nth(0), page.locator(".booktools-race").nth(1)
        backgrounds = [anim.evaluate(BACKGROUNDS), scrub.evaluate(BACKGROUNDS)]
        first = {c: anim.locator(f".bt-path-{c}").get_attribute("d") for c in range(3)}
        legend0 = anim.locator(".bt-legend").inner_text()
        anim.locator(".bt-frame").evaluate("el => { el.value = 50; el.dispatchEvent(new Event('input')); }")
        at50 = anim.locator(".bt-path-0").get_attribute("d")
        anim.locator(".bt-mode").nth(1).check()
        tuned0 = anim.locator(".bt-path-0").get_attribute("d")
        anim.locator(".bt-fn").select_option("2")                 # Rosenbrock
        rosen = anim.locator(".bt-path-0").get_attribute("d")
        rosen_src = anim.locator(".bt-img").get_attribute("src")
        anim.locator(".bt-play").click()
        page.wait_for_timeout(300)
        playing = int(anim.locator(".bt-frame").input_value())
        scrub0 = scrub.locator(".bt-path-0").get_attribute("d")
        adam = [c.name for c in lab.CONTENDERS].index("Adam")
        adam_d = scrub.locator(f".bt-path-{adam}").get_attribute("d")
        scrub.locator(".bt-lr").evaluate("el => { el.value = 20; el.dispatchEvent(new Event('input')); }")
        lrval = scrub.locator(".bt-lrval").inner_text()
        adam_d20 = scrub.locator(f".bt-path-{adam}").get_attribute("d")
        browser.close()
    assert errors == []
    for bg, w in zip(backgrounds, (animation, scrubber)):
        assert len(bg["outside"]) == len(w.images) and all(bg["hidden"]), bg["hidden"]
        assert bg["src"] == bg["outside"][0] and bg["loaded"]      # the first function's image
        assert bg["alt"] == w.alt and len(w.alt) > 40                # says what the picture is
        if layout == "book":
            assert all(s.startswith("../_images/") for s in bg["outside"])
    assert rosen_src == backgrounds[0]["outside"][2] != backgrounds[0]["src"]
    # the scrubber's Rosenbrock picture is the animation's, byte for byte: one file in the book
    assert scrubber.images[0] == animation.images[2] and backgrounds[1]["src"] == rosen_src
    # the first function's default race, decoded by the browser, is the true trajectory
    spec, d, t, tuning = races[next(iter(races))]
    panel = animation.data["functions"][0]["panels"]["traj"]
    for c, path in first.items():
        tx, ty = rs.to_pixels(panel, d.points[:, c, 0, 0], d.points[:, c, 0, 1])
        drawn = numbers(path)
        assert drawn.shape == (spec.n_steps + 1, 2)
        assert np.max(np.abs(drawn - np.c_[tx, ty])) <= PIXEL_ERROR + 0.005   # 2 decimals
    sgd_gap = d.gaps[-1, 0, 0]
    assert f"SGD η=0.001: {sgd_gap:.3g}" in legend0
    assert numbers(at50).shape[0] == 51 and tuned0 != at50 and rosen != tuned0
    assert 0 < playing < spec.n_steps                          # the animation advances
    assert scrub0 == "" and adam_d.startswith("M")             # only the chosen method is drawn
    assert lrval == "10" and adam_d20 != adam_d
