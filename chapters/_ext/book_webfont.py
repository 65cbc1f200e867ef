"""A Korean web font served by the site itself, cut to the characters the site uses.

A reader whose machine has no CJK font (a stock Linux desktop, many e-readers) would
see boxes instead of Hangul. At the end of each HTML build this module

1. collects every Hangul / CJK character in the written site (all ``.html`` files, the
   search index and the theme's scripts in ``_static/``, which hold translated labels
   such as the search result sentence);
2. subsets Noto Sans CJK KR Regular (PyPI package ``noto-cjk-sans-otc``, SIL OFL 1.1)
   to exactly those characters with fontTools and writes it as WOFF2 to
   ``_static/fonts/book-hangul.woff2`` (the licence, ``_static/fonts/OFL.txt``, is a
   static file of the book);
3. writes ``_static/book-webfont.css`` with the ``@font-face`` rule, whose
   ``unicode-range`` limits the font to the blocks below, so Latin text, digits and
   symbols keep the theme's fonts.

The subset depends only on the set of characters and the source font, so it is
deterministic; it is cached under the doctree directory by a hash of both, and a
rebuild whose text did not change reuses it (a fresh subset takes about 2 s).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

FAMILY = "Book Noto Sans KR"
FONT_FILE = "fonts/book-hangul.woff2"  # relative to _static/
CSS_FILE = "book-webfont.css"
SOURCE_FACE = "Noto Sans CJK KR"

#: Unicode blocks the web font serves (Hangul, CJK punctuation and ideographs, full-width forms).
RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0x3200, 0x32FF),  # Enclosed CJK Letters and Months
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7AF),  # Hangul Syllables
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)
# name records kept in the subset: family/style/version names plus the licence (13, 14)
_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)


def in_ranges(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in RANGES)


def unicode_range() -> str:
    return ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in RANGES)


def site_text_files(outdir: Path) -> list[Path]:
    """The files whose text a reader can see: pages, search index, theme scripts.

    MathJax (``_static/mathjax``) and the sources (``_sources``) are left out: the first
    holds no prose, the second only copies of what the pages show.
    """
    files = [p for p in outdir.rglob("*.html") if not _skipped(p, outdir)]
    files += sorted(outdir.glob("*.js")) + sorted((outdir / "_static").glob("*.js"))
    return sorted(set(files))


def _skipped(path: Path, outdir: Path) -> bool:
    parts = path.relative_to(outdir).parts
    return parts[0] == "_sources" or parts[:2] == ("_static", "mathjax")


def characters(outdir: Path) -> str:
    """The sorted, distinct characters of the site that the web font is for."""
    found: set[str] = set()
    for path in site_text_files(outdir):
        found.update(ch for ch in path.read_text(encoding="utf-8", errors="replace") if in_ranges(ch))
    return "".join(sorted(found))


def source_font() -> tuple[Path, int]:
    """The Noto Sans CJK collection and the index of its Korean face."""
    try:
        import noto_cjk_sans_otc
        from fontTools.ttLib import TTCollection
    except ImportError as exc:
        raise ExtensionError(
            f"the Korean web font needs {exc.name!r}: pip install -r requirements.txt "
            "(noto-cjk-sans-otc, fonttools[woff])") from exc
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    faces = TTCollection(str(path), lazy=True).fonts
    for index, face in enumerate(faces):
        if face["name"].getDebugName(1) == SOURCE_FACE:
            return path, index
    names = [face["name"].getDebugName(1) for face in faces]
    raise ExtensionError(f"{path} has no face {SOURCE_FACE!r} (faces: {names})")


def subset_woff2(chars: str, font_path: Path, font_number: int) -> bytes:
    """WOFF2 bytes of face ``font_number`` of ``font_path`` cut to ``chars``."""
    if not chars:
        raise ValueError("subset_woff2: no characters to keep (chars='')")
    try:
        import brotli  # noqa: F401  (fontTools needs it to write WOFF2)
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError as exc:
        raise ExtensionError(
            f"the Korean web font needs {exc.name!r}: pip install 'fonttools[woff]'") from exc
    # recalcTimestamp=False: fontTools would stamp 'head.modified' with the time of saving,
    # and the same characters would give a different file on every build
    font = TTFont(str(font_path), fontNumber=font_number, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # keep vertical forms, locl etc. for the kept glyphs
    options.name_IDs = list(_NAME_IDS)
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css(version: str) -> str:
    return (
        "/* Written by chapters/_ext/book_webfont.py at build time: do not edit. */\n"
        "@font-face {\n"
        f'  font-family: "{FAMILY}";\n'
        "  font-style: normal;\n"
        "  font-weight: 400;  /* one Regular face: browsers embolden it for bold text */\n"
        "  font-display: swap;\n"
        f'  src: url("{FONT_FILE}?v={version}") format("woff2");\n'
        f"  unicode-range: {unicode_range()};\n"
        "}\n"
    )


def write_webfont(outdir: Path, cache_dir: Path) -> tuple[Path, int, int]:
    """Subset the font for the site in ``outdir``; returns (woff2 path, characters, bytes)."""
    chars = characters(outdir)
    if not chars:  # a site without any Hangul still gets a valid font file
        chars = "한"
    font_path, font_number = source_font()
    key = hashlib.sha256(
        f"{chars}|{font_path.name}|{font_path.stat().st_size}|{font_number}|{_NAME_IDS}".encode()
    ).hexdigest()
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"{key[:24]}.woff2"
    if cached.is_file():
        data = cached.read_bytes()
    else:
        data = subset_woff2(chars, font_path, font_number)
        cached.write_bytes(data)
    target = outdir / "_static" / FONT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    version = hashlib.sha256(data).hexdigest()[:12]
    (outdir / "_static" / CSS_FILE).write_text(font_face_css(version), encoding="utf-8")
    return target, len(chars), len(data)


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    target, n_chars, n_bytes = write_webfont(outdir, Path(app.doctreedir) / "book-webfont-cache")
    logger.info(f"Korean web font: {n_chars} characters, {n_bytes / 1024:.1f} KiB "
                f"-> {target.relative_to(outdir)}")


def setup(app):
    app.add_css_file(CSS_FILE)
    app.connect("build-finished", _build_finished)
