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
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["LATIN_FAMILY", "BOOK_STYLE", "korean_font_path", "use_korean_font"]

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

#: The book's figure style (applied on top of matplotlib's defaults).
BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "lines.linewidth": 1.8,
    "legend.frameon": False,
    "legend.fontsize": "small",
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
    return family

