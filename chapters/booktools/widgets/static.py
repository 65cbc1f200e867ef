"""The static explorer: trajectories precomputed over a grid of hyperparameters, shown in
the published book (no kernel, no network) by the scrubber in ``static_explorer.js``.

An explorer is two outputs of its cell (:class:`~booktools.widgets.common.ImagesThenHTML`):
the contour picture as an ``image/png`` output (a file under ``_images/`` in the book), then
the HTML with the sliders and the trajectories, whose script shows that picture behind its
drawing."""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json

import numpy as np

from .. import fonts, plots
from .common import ImagesThenHTML, Method, base_figure, loss_axis_limits, symbol, widget_script

__all__ = ["StaticExplorer", "static_explorer"]


def _script() -> str:
    """The scrubber's JavaScript (``shared.js`` then ``static_explorer.js``, shipped beside
    this module); ``__ID__`` is the explorer's id."""
    return widget_script("static_explorer.js")


def _num(v):
    """JSON-safe number with 6 significant digits; non-finite becomes null."""
    v = float(v)
    if not np.isfinite(v):
        return None
    return float(f"{v:.6g}")


#: Quantisation steps per CSS pixel of the trajectories sent to the page: a decoded point
#: is within 1 / (2 * SUBPIXEL) CSS px (a quarter of an image pixel at 2x) of where the
#: exact point would be drawn, which no screen shows.
SUBPIXEL = 4
#: Positions further than this (CSS px) outside the figure are clamped, as the scrubber
#: clamps them before drawing (a diverging run leaves the clipped panel anyway).
PIXEL_LIMIT = 1e4


def to_pixels(panel, x, y):
    """Display position (CSS px, origin top-left) of data points ``(x, y)`` in ``panel``
    (``{"box", "xlim", "ylim", "ylog"}``), as the scrubber maps them; NaN where the point
    cannot be drawn (non-finite, or not positive on a log axis)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x0, y0, x1, y1 = panel["box"]
    (a, b), (c, d) = panel["xlim"], panel["ylim"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf: not drawn
        if panel["ylog"]:
            y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            c, d = np.log10(c), np.log10(d)
        X = x0 + (x - a) / (b - a) * (x1 - x0)
        Y = y1 - (y - c) / (d - c) * (y1 - y0)
    return X, Y


def from_pixels(panel, X, Y):
    """Inverse of :func:`to_pixels` (data coordinates of display positions)."""
    x0, y0, x1, y1 = panel["box"]
    (a, b), (c, d) = panel["xlim"], panel["ylim"]
    if panel["ylog"]:
        c, d = np.log10(c), np.log10(d)
    x = a + (np.asarray(X, dtype=np.float64) - x0) / (x1 - x0) * (b - a)
    y = c + (y1 - np.asarray(Y, dtype=np.float64)) / (y1 - y0) * (d - c)
    return x, (10.0 ** y if panel["ylog"] else y)


def encode_pixels(P):
    """Display positions as the page receives them: integers in 1/SUBPIXEL CSS px, each
    the difference from the previous drawable one (small numbers, short JSON); None for
    a position that cannot be drawn. Decoded by :func:`decode_pixels` and the scrubber."""
    out, prev = [], 0
    for v in np.asarray(P, dtype=np.float64):
        if not np.isfinite(v):
            out.append(None)
            continue
        q = int(round(min(max(v, -PIXEL_LIMIT), PIXEL_LIMIT) * SUBPIXEL))
        out.append(q - prev)
        prev = q
    return out


def decode_pixels(deltas):
    """The positions (CSS px) of :func:`encode_pixels` (NaN for None)."""
    out, acc = [], 0
    for d in deltas:
        if d is None:
            out.append(np.nan)
            continue
        acc += d
        out.append(acc / SUBPIXEL)
    return np.array(out, dtype=np.float64)


# The page receives each delta sequence as a string: zigzag-coded integers (0, -1, 1, -2,
# ... -> 0, 1, 2, 3, ...) written little-endian in base 32, with one alphabet for the last
# digit and another for the digits before it, and "~" for None. A delta under 16 quarter
# pixels (most of them: runs slow down) is one character instead of JSON's two to four.
_LAST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
_MORE = "ghijklmnopqrstuvwxyz0123456789-_"
_NONE = "~"


def pack(deltas) -> str:
    """The string form of :func:`encode_pixels`'s list (decoded by :func:`unpack` and the
    scrubber)."""
    out = []
    for d in deltas:
        if d is None:
            out.append(_NONE)
            continue
        if not isinstance(d, (int, np.integer)):
            raise TypeError(f"pack() takes integers or None, got {d!r}")
        z = 2 * int(d) if d >= 0 else -2 * int(d) - 1
        while z >= 32:
            out.append(_MORE[z % 32])
            z //= 32
        out.append(_LAST[z])
    return "".join(out)


def unpack(text: str) -> list:
    """Inverse of :func:`pack`."""
    out, z, scale = [], 0, 1
    for ch in text:
        if ch == _NONE:
            out.append(None)
            continue
        if ch in _MORE:
            z += _MORE.index(ch) * scale
            scale *= 32
            continue
        k = _LAST.find(ch)
        if k < 0:
            raise ValueError(f"unpack(): {ch!r} is not a character of the encoding")
        z += k * scale
        out.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
        z, scale = 0, 1
    if scale != 1:
        raise ValueError("unpack(): the text ends inside a number")
    return out


class StaticExplorer(ImagesThenHTML):
    """Trajectories precomputed over a grid of hyperparameters, shown by a scrubber written
    in plain HTML/JavaScript: one contour image (PNG at 2x, a separate output of the cell
    before the HTML) plus the trajectories as JSON, drawn as SVG paths over the image. No
    kernel, no network, no external scripts.

    The trajectories are sent as display positions quantised to 1/:data:`SUBPIXEL` CSS px
    and delta-encoded (:func:`encode_pixels`, written as short strings by :func:`pack`): the
    drawing is the same to a quarter of an image pixel, at a fraction of the bytes of the
    numbers themselves.

    Attributes: :attr:`data` (the JSON payload as a dict), :attr:`html` (the markup, no
    picture inline), :attr:`trajectories` (``{values_tuple: Trajectory}``), :attr:`png` (the
    image; :attr:`images` is ``[png]``), :attr:`alt` (its alt text, in the edition's
    language, on the picture the script shows). Show it as the cell's result or with
    ``display()``: the image output, then the HTML; :attr:`size_bytes` is the HTML's.
    """

    def __init__(self, fn, x0, n_steps, *, grid, optimizer=None, rule=None, fixed=None,
                 transform=None, references=(), title=None, initial=None,
                 figsize=(fonts.PHONE_WIDTH_IN, 6.6), dpi=80):
        if not grid:
            raise ValueError("grid must map at least one hyperparameter name to a list of values")
        method = Method(fn, x0, n_steps, optimizer, rule, fixed, transform)
        names = list(grid)
        values = [list(np.asarray(v).tolist()) if not isinstance(v, list) else list(v)
                  for v in grid.values()]
        for name, vals in zip(names, values):
            if len(vals) == 0:
                raise ValueError(f"grid[{name!r}] is empty")
        self.trajectories = {}
        runs = []
        errors = {}
        for combo in itertools.product(*values):
            try:
                tr = method(dict(zip(names, combo)))
            except ValueError as exc:  # an invalid combination, shown as a message
                errors[len(runs)] = str(exc)
                runs.append(None)
                continue
            self.trajectories[combo] = tr
            runs.append(combo)
        if not self.trajectories:
            raise ValueError(f"every grid point is invalid, e.g. {next(iter(errors.values()))}")
        references = list(references)
        self.title = (fn.label if title is None else title).replace("$", "")
        # stacked panels, PHONE_WIDTH_IN wide: the text stays at the style's size on a phone
        limits = loss_axis_limits(fn, x0, list(self.trajectories.values()) + references)
        fig, ax, lax = base_figure(fn, x0, n_steps, references, title, figsize, dpi, limits,
                                   stacked=True)
        fig.canvas.draw()
        W, H = fig.canvas.get_width_height()

        def panel(a, ylog):
            bb = a.get_window_extent()  # display pixels, origin bottom-left
            return {"box": [bb.x0, H - bb.y1, bb.x1, H - bb.y0], "xlim": list(a.get_xlim()),
                    "ylim": list(a.get_ylim()), "ylog": ylog}

        panels = {"traj": panel(ax, False), "loss": panel(lax, True)}
        self.data = {
            "width": W, "height": H, "subpixel": SUBPIXEL,
            "params": [{"name": n, "symbol": symbol(n), "values": v} for n, v in zip(names, values)],
            "panels": panels,
            "runs": [None if combo is None else self._encode(self.trajectories[combo], fn.f_min, panels)
                     for combo in runs],
            "errors": {str(k): v for k, v in errors.items()},
            "text": {"diverged": plots.bi("발산", "diverged")},
        }
        # the image at PIXEL_DENSITY pixels per CSS pixel (sharp on 2x screens), shown at
        # W CSS px; 64 colours (the contour fills are flat bands: mean error 0.15 of 255,
        # a quarter fewer bytes than 256 colours)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi * fonts.PIXEL_DENSITY)
        self.png = fonts._palette_png(buf.getvalue(), colors=64)
        self.alt = plots.bi(
            f"{self.title}: 등고선 위의 궤적(위)과 반복에 따른 손실 격차(아래, 로그 눈금). "
            f"슬라이더로 {', '.join(symbol(n) for n in names)} 값을 고르면 다시 그려진다.",
            f"{self.title}: the trajectory on the contour plot (top) and the loss gap against "
            f"the iteration (bottom, log scale), redrawn for the values of "
            f"{', '.join(symbol(n) for n in names)} chosen with the sliders.")
        initial = dict(initial or {})
        start_idx = []
        for n, v in zip(names, values):
            if n in initial:
                diffs = [abs(float(x) - float(initial[n])) for x in v]
                start_idx.append(int(np.argmin(diffs)))
            else:
                start_idx.append(len(v) // 2)
        self.html = self._markup(start_idx)

    @staticmethod
    def _encode(tr, f_min, panels):
        """One run as the page receives it: ``[x, y, loss, [gap_0, gap_last]]``, where x and y
        are the trajectory's display positions and loss the loss gap's height in the loss
        panel, each encoded by :func:`encode_pixels` and :func:`pack`; the two gaps (6 significant digits)
        are for the readout."""
        X, Y = to_pixels(panels["traj"], tr.points[:, 0], tr.points[:, 1])
        gap = np.asarray(tr.losses, dtype=np.float64) - f_min
        _, G = to_pixels(panels["loss"], np.arange(len(gap)), gap)
        return [pack(encode_pixels(X)), pack(encode_pixels(Y)), pack(encode_pixels(G)),
                [_num(gap[0]), _num(gap[-1])]]

    def _markup(self, start_idx):
        payload = json.dumps(self.data, separators=(",", ":"), allow_nan=False)
        uid = "bt-" + hashlib.sha1(payload.encode() + self.png).hexdigest()[:12]
        W, H = self.data["width"], self.data["height"]
        rows = []
        for k, p in enumerate(self.data["params"]):
            n = len(p["values"])
            rows.append(
                f'<label style="margin-right:1.2em;white-space:nowrap">{html.escape(p["symbol"])} '
                f'<input type="range" min="0" max="{n - 1}" step="1" value="{start_idx[k]}" '
                f'style="vertical-align:middle;width:12em" aria-label="{html.escape(p["name"])}"> '
                f'<span class="bt-val" style="font-family:monospace"></span></label>')
        payload_safe = payload.replace("</", "<\\/")
        return (
            f'<div id="{uid}" class="booktools-static-explorer" data-backgrounds="1" '
            f'style="max-width:{W}px;margin:0.5em 0">'
            f'<div style="margin-bottom:0.3em">{" ".join(rows)}</div>'
            f'<div class="bt-readout" style="min-height:1.4em;margin-bottom:0.2em"></div>'
            f'<div style="position:relative;width:100%">'
            f'<img class="bt-img" alt="{html.escape(self.alt)}" '
            f'style="width:100%;height:auto;display:block;margin:0">'
            f'<svg viewBox="0 0 {W} {H}" preserveAspectRatio="none" '
            f'style="position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden">'
            f'<defs>{self._clip(uid, "traj")}{self._clip(uid, "loss")}</defs>'
            f'<g clip-path="url(#{uid}-traj)"><path class="bt-path" fill="none" '
            f'stroke="{plots.COLORS[0]}" stroke-width="1.6" stroke-linejoin="round"/>'
            f'<circle class="bt-start" r="5" fill="white" stroke="{plots.COLORS[0]}" stroke-width="2"/>'
            f'<circle class="bt-end" r="5.5" fill="{plots.COLORS[0]}" stroke="black" stroke-width="0.8"/></g>'
            f'<g clip-path="url(#{uid}-loss)"><path class="bt-loss" fill="none" '
            f'stroke="{plots.COLORS[0]}" stroke-width="1.8"/></g>'
            f'</svg></div>'
            f'<script type="application/json">{payload_safe}</script>'
            f'<script>{_script().replace("__ID__", uid)}</script></div>'
        )

    def _clip(self, uid, name):
        x0, y0, x1, y1 = self.data["panels"][name]["box"]
        return (f'<clipPath id="{uid}-{name}"><rect x="{x0:.1f}" y="{y0:.1f}" '
                f'width="{x1 - x0:.1f}" height="{y1 - y0:.1f}"/></clipPath>')

    @property
    def images(self) -> list:
        """The background pictures, one output each before the HTML: the contour image."""
        return [self.png]


def static_explorer(fn, x0, n_steps, **kwargs) -> StaticExplorer:
    """Build a :class:`StaticExplorer` (display it as the cell's result)."""
    return StaticExplorer(fn, x0, n_steps, **kwargs)
