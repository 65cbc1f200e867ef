"""Korean-capable figure style shared by every chapter.

Every notebook calls :func:`use_korean_font` once, near the top. It registers a
CJK font with matplotlib and sets the book's figure style, so that

* Hangul in titles, labels and legends renders (no missing-glyph warnings),
* Latin letters, Greek symbols, digits and the minus sign keep coming from
  DejaVu Sans, which is listed FIRST; matplotlib falls back glyph by glyph to
  the next family only for characters DejaVu Sans lacks (Hangul),
* every chapter's figures look alike.

One limitation of matplotlib remains: a string that contains ``$...$`` math is
typeset entirely by mathtext, which does not fall back between fonts, so Hangul in
the same string becomes boxes (and a warning, which fails the book build). Keep
Hangul and ``$...$`` in separate strings, or write symbols in Unicode
(``"학습률 · learning rate η"``).

The font comes from the PyPI package ``noto-cjk-sans-otc`` (Noto Sans CJK,
SIL Open Font License), which installs the same way on Linux, macOS and
Windows. If it is missing, a few well-known system fonts are tried; if none is
found, a clear error says what to install.

Figures on the page (measured in Chromium against the built site): a figure is
shown at :data:`DISPLAY_PPI` CSS pixels per inch of its size, never wider than the
text column (:data:`COLUMN_PX`), and its PNG has :data:`PIXEL_DENSITY` image pixels
per CSS pixel, so it stays sharp on high-density (2x) screens. With the style's
13 pt text that is 13 * 80 / 72 = 14.4 CSS px on the page, the size of a figure
caption (``book-look.css``). A figure wider than the column is scaled down with its
text: keep single-panel figures at most :data:`PHONE_WIDTH_IN` inches wide (their
text stays 14 px on a 390 px phone, whose column is 358 px) and two panels side by
side at most ``COLUMN_PX / DISPLAY_PPI`` = 9.5 inches (14 px on a desktop).
"""

from __future__ import annotations

import importlib
import io
import struct
from binascii import b2a_base64
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["LATIN_FAMILY", "BOOK_STYLE", "DISPLAY_PPI", "PIXEL_DENSITY", "COLUMN_PX",
           "PHONE_WIDTH_IN", "korean_font_path", "use_korean_font", "figure_png"]

#: The family that supplies Latin, Greek, digits and U+2212 MINUS SIGN.
LATIN_FAMILY = "DejaVu Sans"

# Fallbacks when the PyPI font package is not installed (Debian/Ubuntu Noto CJK
# and Nanum packages, macOS, Windows).
_SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",
    "/Library/Fonts/AppleGothic.ttf",
    "C:/Windows/Fonts/malgun.ttf",
)

#: CSS pixels per inch of figure size on the page (the book's 1x scale).
DISPLAY_PPI = 80
#: Image pixels per CSS pixel of a figure's PNG (2: sharp on "retina" screens).
PIXEL_DENSITY = 2
#: Widest a figure is shown (the desktop text column of the theme, 757 px, rounded up).
COLUMN_PX = 760
#: Widest single-panel figure whose 13 pt text is still >= 14 CSS px on a 390 px phone
#: (column 358 px): 13 pt * 358 px / (72 * 14 px) = 4.6 in.
PHONE_WIDTH_IN = 4.6

#: The book's figure style (applied on top of matplotlib's defaults). Every text size
#: is the base size (13 pt) so no label is smaller than a caption on the page.
BOOK_STYLE = {
    "figure.figsize": (PHONE_WIDTH_IN, 3.2),
    "figure.dpi": DISPLAY_PPI,
    "savefig.dpi": DISPLAY_PPI * PIXEL_DENSITY,
    "figure.constrained_layout.use": True,
    "font.size": 13,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "figure.titlesize": "medium",
    "lines.linewidth": 1.8,
    # legends: plots.legend_below() puts them under the axes; a legend left inside
    # the axes ("best") gets an opaque frame so data behind it cannot show through
    "legend.loc": "best",
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.85",
    "legend.fancybox": False,
    "legend.fontsize": "medium",
    "legend.title_fontsize": "medium",
    "image.cmap": "viridis",
    # DejaVu Sans has U+2212, so the proper minus sign can be used.
    "axes.unicode_minus": True,
    "mathtext.fontset": "dejavusans",
}


def korean_font_path() -> Path:
    """Return the path of a font file that contains Hangul.

    Prefers the ``noto-cjk-sans-otc`` package; falls back to common system
    fonts. Raises ``RuntimeError`` naming the package to install otherwise.
    """
    try:
        import noto_cjk_sans_otc
    except ImportError:
        pass
    else:
        path = Path(str(noto_cjk_sans_otc.FONT_PATH))
        if path.is_file():
            return path
    for candidate in _SYSTEM_FONTS:
        path = Path(candidate)
        if path.is_file():
            return path
    raise RuntimeError(
        "No font with Korean glyphs was found. Install one with "
        "`pip install noto-cjk-sans-otc` (it is listed in requirements.txt)."
    )


def use_korean_font(style: bool = True) -> str:
    """Register a Korean font with matplotlib and apply the book's style.

    Parameters
    ----------
    style:
        Also apply :data:`BOOK_STYLE` (default). Pass ``False`` to change only
        the fonts.

    Returns
    -------
    str
        The family name of the registered Korean font (e.g. ``"Noto Sans CJK JP"``;
        every Noto Sans CJK face carries the complete Hangul set).

    Calling it more than once is harmless.
    """
    path = korean_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    if style:
        mpl.rcParams.update(BOOK_STYLE)
    # A list of families: matplotlib (>= 3.6) takes each glyph from the first
    # family that has it, so DejaVu Sans must come first.
    mpl.rcParams["font.family"] = [LATIN_FAMILY, family]
    mpl.rcParams["axes.unicode_minus"] = True
    if style:
        _show_figures_as_sharp_png()
    return family


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


def _palette_png(data: bytes, colors: int = 256) -> bytes:
    """The same picture as a PNG of ``colors`` colours (256 by default) when that is smaller
    (a third, typically).

    Plots are flat colours plus their anti-aliased edges, which 256 colours hold without
    visible change (mean error about 0.1 of 255 on the book's contour plots; 64 colours,
    as the static explorers use, about 0.15); images with transparency are kept as they are.
    """
    if not 2 <= colors <= 256:
        raise ValueError(f"_palette_png: colors must be in 2..256, got {colors!r}")
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode in ("RGBA", "LA") and image.getextrema()[-1][0] < 255:
        return data
    palette = image.convert("RGB").quantize(colors, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


def figure_png(fig, *, ppi: float = DISPLAY_PPI, density: int = PIXEL_DENSITY,
               max_width: int = COLUMN_PX, palette: bool = True) -> tuple[bytes, int, int]:
    """Render ``fig`` for the page: ``(png bytes, CSS width, CSS height)``.

    The figure is cropped to its content (as notebooks show it) and rendered at
    ``ppi * density`` dpi, so the PNG has ``density`` pixels per CSS pixel when shown
    at ``ppi`` CSS px per inch. A figure wider than ``max_width`` CSS px would only be
    scaled down by the browser, so it is rendered at exactly ``density * max_width``
    pixels instead (no pixel is sent that a 2x screen cannot show). The CSS size is
    rounded down: the image never has fewer than ``density`` pixels per CSS pixel.
    With ``palette`` (default) the PNG is stored with 256 colours when that is smaller
    (:func:`_palette_png`).
    """
    if ppi <= 0 or density < 1 or max_width < 1:
        raise ValueError(f"figure_png: need ppi > 0, density >= 1, max_width >= 1; "
                         f"got ppi={ppi!r}, density={density!r}, max_width={max_width!r}")

    def render(dpi):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight",
                    facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
        return buf.getvalue()

    dpi = ppi * density
    data = render(dpi)
    width, _ = _png_size(data)
    if width > density * max_width:
        data = render(dpi * density * max_width / width)
        # bbox_inches="tight" pads in inches, so the new width is within a pixel or two
        width, _ = _png_size(data)
        if width > density * max_width:
            data = render(dpi * density * max_width / width * 0.998)
    width, height = _png_size(data)
    if palette:
        data = _palette_png(data)
    return data, width // density, height // density


def _png_for_display(fig):
    # The inline backend's own PNG formatter returns None for an empty figure too.
    if not fig.axes and not fig.lines:
        return None
    data, width, _ = figure_png(fig)
    # width only: the page scales the image down on narrow screens, and a fixed
    # height (written as an inline style) would then distort it
    return b2a_base64(data, newline=False).decode("ascii"), {"width": width}


def _show_figures_as_sharp_png() -> bool:
    """In a Jupyter kernel, show every matplotlib figure through :func:`figure_png`.

    The notebook output then carries the CSS size in its metadata (as IPython's
    ``retina`` format does), which the book build writes on the ``<img>``. Outside
    IPython nothing changes. Returns whether the formatter was installed.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters or "image/png" not in formatters:
        return False
    # The inline backend registers its own PNG formatter when its module is first
    # imported (and only then): import it now, so that ours is registered after it.
    backend = str(mpl.rcParams._get("backend")).lower()
    if "inline" in backend:
        importlib.import_module("matplotlib_inline.backend_inline")
    from matplotlib.figure import Figure

    formatters["image/png"].for_type(Figure, _png_for_display)
    return True

