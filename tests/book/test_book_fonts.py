"""The Korean figure font (chapters/booktools/fonts.py).

Figures must show Hangul (not tofu boxes), keep Latin, Greek and the minus sign in
DejaVu Sans, and produce no missing-glyph warning.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager, ft2font  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "chapters"))
from booktools import fonts  # noqa: E402

HANGUL_SAMPLE = "학습률 기울기 손실 함수"


@pytest.fixture
def korean_style():
    with matplotlib.rc_context():
        family = fonts.use_korean_font()
        yield family
    plt.close("all")


def _render(text: str) -> np.ndarray:
    """Rasterise one string with the current rcParams; return its grey pixels."""
    fig = plt.figure(figsize=(1.2, 0.6), dpi=100)
    fig.text(0.05, 0.3, text, fontsize=20)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].mean(axis=2)
    plt.close(fig)
    return pixels


def test_family_order(korean_style):
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "DejaVu Sans", "DejaVu Sans must come first (Latin, Greek, minus sign)"
    assert family[1] == korean_style
    assert matplotlib.rcParams["axes.unicode_minus"] is True


def test_korean_face_has_every_hangul_glyph(korean_style):
    face = ft2font.FT2Font(str(fonts.korean_font_path()))
    missing = [ch for ch in HANGUL_SAMPLE.replace(" ", "") if face.get_char_index(ord(ch)) == 0]
    assert not missing, f"{face.family_name} lacks {missing}"
    # and the minus sign, Greek and Latin come from DejaVu Sans, which has them
    dejavu = ft2font.FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    assert all(dejavu.get_char_index(ord(ch)) for ch in "\u2212θηβμεαλ∇Ax0")


def test_figure_with_hangul_and_minus_renders_without_warnings(korean_style, caplog):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise here
        with caplog.at_level(logging.WARNING, logger="matplotlib"):
            fig, ax = plt.subplots()
            ax.plot(np.linspace(-3, 3, 7), np.linspace(-1, 1, 7), label="손실 · loss")
            ax.set_xlabel("반복 · iteration t")
            ax.set_ylabel("기울기 · gradient ∇L(θ) − η")
            ax.set_title("학습률 · learning rate η = −0.5")
            ax.text(0.5, 0.5, r"$\eta_t = -\frac{1}{2}$", transform=ax.transAxes)  # mathtext: own string
            ax.legend()
            fig.canvas.draw()
            labels = [t.get_text() for t in ax.get_xticklabels()]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert any(label.startswith("\u2212") for label in labels), f"no U+2212 minus in tick labels {labels}"


def test_hangul_is_drawn_as_distinct_glyphs_not_tofu(korean_style):
    """With a missing font every character becomes the same box; real glyphs differ."""
    images = {ch: _render(ch) for ch in "학습률"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("matplotlib").disabled = True
        try:
            tofu = _render("\ue000")  # a private-use code point no font has
        finally:
            logging.getLogger("matplotlib").disabled = False
    inked = {ch: (img < 128).sum() for ch, img in images.items()}
    assert all(n > 20 for n in inked.values()), f"nothing drawn: {inked}"
    chars = list(images)
    for i, a in enumerate(chars):
        assert not np.array_equal(images[a], tofu), f"{a!r} renders as the missing-glyph box"
        for b in chars[i + 1:]:
            assert not np.array_equal(images[a], images[b]), f"{a!r} and {b!r} render identically (tofu)"


def test_without_the_korean_font_hangul_would_warn():
    """Guards the test above: DejaVu Sans alone really lacks Hangul, and matplotlib says so."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="missing from font"):
            fig = plt.figure()
            fig.text(0.1, 0.5, "학습률")
            fig.canvas.draw()
        plt.close(fig)


def test_clear_error_when_no_korean_font(monkeypatch):
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)  # import fails
    monkeypatch.setattr(fonts, "_SYSTEM_FONTS", ("/nonexistent/font.ttf",))
    with pytest.raises(RuntimeError, match="pip install noto-cjk-sans-otc"):
        fonts.korean_font_path()


def test_idempotent(korean_style):
    assert fonts.use_korean_font() == korean_style
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", korean_style]
