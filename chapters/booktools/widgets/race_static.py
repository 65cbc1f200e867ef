"""The lab's races for the published book (no kernel, no network): precomputed trajectories
of every contender drawn as SVG over a contour image by ``race_static.js``.

A widget is several outputs of its cell (``display(widget)``): first one ``image/png`` output
per background (contour and loss axes of each function), then the HTML. myst-nb writes image
outputs to files under ``_images/`` and links them with ``<img src>``, so the pictures leave
the page's HTML (which keeps only the trajectories); in JupyterLab they are inline data URLs.
The script takes the images just before its widget in the cell's output, in that order,
hides them and shows their ``src`` behind the SVG (:class:`~.common.ImagesThenHTML`, as the
static explorers do; the code the widgets' scripts share is ``shared.js``).

* :func:`race_animation` -- one widget for several test functions: pick the function and the
  mode (framework defaults or tuned learning rates), press play to watch the race, or drag
  the iteration slider;
* :func:`lr_scrubber` -- one function, every contender over the whole learning-rate grid of
  the tuning: pick a contender and scrub through the learning rates.

Both reuse :func:`booktools.widgets.common.base_figure` (contour left, loss gap on a log scale
right, one loss-axis rule shared with the explorers).
"""

from __future__ import annotations

import hashlib
import html
import io
import json

import numpy as np

from .. import plots
from ..fonts import _palette_png
from .common import ImagesThenHTML, base_figure, loss_axis_limits, widget_script

__all__ = ["RaceWidget", "race_animation", "lr_scrubber"]


def _script() -> str:
    """``shared.js`` then ``race_static.js`` (shipped beside this module)."""
    return widget_script("race_static.js")


#: Trajectory points are stored in units of 1/PIXEL_QUANTUM of a CSS pixel of the figure
#: (a quarter pixel: half of one device pixel on a 2x screen, the finest a line can move).
PIXEL_QUANTUM = 4
#: Loss gaps are stored as log10 in units of 1/GAP_QUANTUM of a decade: a relative error of
#: at most 10**(0.5 / GAP_QUANTUM) - 1 = 1.2e-4, finer than the readout's 3 digits.
GAP_QUANTUM = 10_000
#: Pixel positions are clamped to +-PIXEL_LIMIT px (a diverging run leaves the clipped panel).
PIXEL_LIMIT = 10_000
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NONFINITE, _NONPOSITIVE, _OFFSET = 0, 1, 2      # codes of the integer stream


def encode_ints(values) -> str:
    """A sequence of ints or None (not finite) or ``False`` (a gap <= 0) as text: each value
    is a zigzag delta from the previous present value (so smooth runs cost one character a
    number), written as base-64 variable-length groups of 5 bits, low group first, with 32 as
    the continuation bit (the digits of :func:`booktools.widgets.static.pack`, read by the
    same ``codes`` of ``shared.js``). :func:`decode_ints` and ``race_static.js`` invert it."""
    out, prev = [], 0
    for v in values:
        if v is None:
            code = _NONFINITE
        elif v is False:
            code = _NONPOSITIVE
        else:
            d = int(v) - prev
            prev = int(v)
            code = (2 * d if d >= 0 else -2 * d - 1) + _OFFSET
        while True:
            group, code = code & 31, code >> 5
            out.append(_ALPHABET[group | (32 if code else 0)])
            if not code:
                break
    return "".join(out)


def decode_ints(text: str) -> list:
    """The inverse of :func:`encode_ints` (the same algorithm as ``race_static.js``)."""
    values, prev, code, shift = [], 0, 0, 0
    for ch in text:
        digit = _ALPHABET.index(ch)
        code |= (digit & 31) << shift
        shift += 5
        if digit & 32:
            continue
        if code == _NONFINITE:
            values.append(None)
        elif code == _NONPOSITIVE:
            values.append(False)
        else:
            z = code - _OFFSET
            prev += z >> 1 if z % 2 == 0 else -((z + 1) >> 1)
            values.append(prev)
        code, shift = 0, 0
    return values


def to_pixels(panel, x, y):
    """Figure CSS-pixel position of data points ``(x, y)`` in a linear ``panel`` (the
    mapping ``race_static.js`` draws with); not-finite stays not finite."""
    b, (x0, x1), (y0, y1) = panel["box"], panel["xlim"], panel["ylim"]
    with np.errstate(over="ignore", invalid="ignore"):
        X = b[0] + (np.asarray(x, dtype=np.float64) - x0) / (x1 - x0) * (b[2] - b[0])
        Y = b[3] - (np.asarray(y, dtype=np.float64) - y0) / (y1 - y0) * (b[3] - b[1])
    return X, Y


def _quantised_pixels(values):
    q = np.clip(np.asarray(values), -PIXEL_LIMIT, PIXEL_LIMIT) * PIXEL_QUANTUM
    return [int(round(v)) if np.isfinite(v) else None for v in q]


_QUANTA = {"pixel": PIXEL_QUANTUM, "gap": GAP_QUANTUM}


def _run_payload(panel, points, gaps):
    """``[xs, ys, gaps]`` of one trajectory as :func:`encode_ints` text: the points as
    quarter pixels of the trajectory panel, the gaps as 1/10000 decades."""
    X, Y = to_pixels(panel, points[:, 0], points[:, 1])
    both = np.isfinite(X) & np.isfinite(Y)
    X, Y = np.where(both, X, np.nan), np.where(both, Y, np.nan)
    gaps = np.asarray(gaps, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.round(np.clip(np.log10(gaps), -320, 310) * GAP_QUANTUM)
    coded = [None if not np.isfinite(g) else False if g <= 0 else int(v)
             for g, v in zip(gaps, logs)]
    return [encode_ints(_quantised_pixels(X)), encode_ints(_quantised_pixels(Y)),
            encode_ints(coded)]


def decode_run(run):
    """``(X, Y, gaps)`` arrays from :func:`_run_payload` (pixels; nan = not finite, gap 0 =
    at or below f*), as ``race_static.js`` decodes them."""
    X, Y, G = (decode_ints(t) for t in run)
    px = lambda v: np.nan if v is None else v / PIXEL_QUANTUM
    gap = lambda v: np.nan if v is None else 0.0 if v is False else 10.0 ** (v / GAP_QUANTUM)
    return (np.array([px(v) for v in X]), np.array([px(v) for v in Y]),
            np.array([gap(v) for v in G]))


class _Trace:
    """A stand-in with ``losses`` for :func:`loss_axis_limits`."""

    def __init__(self, losses):
        self.losses = losses


def _figure_payload(spec, result_sets, figsize, dpi, density):
    fn = spec.fn
    traces = [_Trace(r.losses[:, c, k]) for r in result_sets for c in range(r.losses.shape[1])
              for k in range(r.losses.shape[2])]
    # the loss axes under the contour, 4.6 in wide (readable on a phone, as the figures are),
    # the image at 2x its displayed size (a separate file, so the page's HTML does not grow)
    fig, ax, lax = base_figure(fn, spec.start, spec.n_steps, [], None, figsize, dpi,
                               loss_axis_limits(fn, spec.start, traces), stacked=True)
    fig.canvas.draw()
    W, H = fig.canvas.get_width_height()

    def panel(a, ylog):
        bb = a.get_window_extent()
        return {"box": [round(bb.x0, 1), round(H - bb.y1, 1), round(bb.x1, 1), round(H - bb.y0, 1)],
                "xlim": list(a.get_xlim()), "ylim": list(a.get_ylim()), "ylog": ylog}

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi * density)
    png = _palette_png(buf.getvalue())   # flat contour colours: 256 colours lose nothing visible
    return W, H, png, {"label": fn.label,
                       "panels": {"traj": panel(ax, False), "loss": panel(lax, True)},
                       "start": [float(v) for v in spec.start], "n_steps": int(spec.n_steps)}


class RaceWidget(ImagesThenHTML):
    """The widget's cell outputs: :attr:`images` (PNG bytes, one background per entry of
    ``data["functions"]``, in that order) and :attr:`html` (one ``<script>`` from
    ``race_static.js``, data as JSON, no pictures). :attr:`data` is the payload. Show it
    with ``display(widget)``, which writes the images first, then the HTML."""

    def __init__(self, data, images, width, height):
        if len(images) != len(data["functions"]):
            raise ValueError(f"RaceWidget needs one background image per function: "
                             f"{len(images)} images for {len(data['functions'])} functions")
        if not all(isinstance(png, bytes) and png.startswith(b"\x89PNG") for png in images):
            raise ValueError("RaceWidget images must be PNG bytes")
        self.data, self.images, self.width, self.height = data, list(images), width, height
        self.alt = plots.bi(
            "등고선 위의 각 방법의 궤적(위)과 반복에 따른 손실 격차(아래, 로그 눈금)",
            "Each method's trajectory on the contour plot (top) and its loss gap against the "
            "iteration (bottom, log scale)")
        self.html = self._markup()

    def _markup(self):
        D = self.data
        payload = json.dumps(D, separators=(",", ":"), allow_nan=False)
        uid = "bt-race-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
        W, H = self.width, self.height
        controls = []
        if len(D["functions"]) > 1:
            opts = "".join(f'<option value="{i}">{html.escape(f["label"])}</option>'
                           for i, f in enumerate(D["functions"]))
            controls.append(f'<select class="bt-fn" aria-label="function">{opts}</select>')
        if D["kind"] == "animate":
            for i, (mode, label) in enumerate(D["mode_labels"].items()):
                checked = " checked" if i == 0 else ""
                controls.append(f'<label style="white-space:nowrap"><input type="radio" class="bt-mode" '
                                f'name="{uid}-mode" value="{mode}"{checked}> {html.escape(label)}</label>')
            n = D["functions"][0]["n_steps"]
            controls.append(f'<button type="button" class="bt-play">{html.escape(D["text"]["play"])}</button>')
            controls.append(f'<input type="range" class="bt-frame" min="0" max="{n}" step="1" value="{n}" '
                            f'style="vertical-align:middle;width:12em" aria-label="iteration">')
        else:
            opts = "".join(f'<option value="{i}"{" selected" if i == D["initial_contender"] else ""}>'
                           f'{html.escape(c["name"])}</option>' for i, c in enumerate(D["contenders"]))
            controls.append(f'<select class="bt-contender" aria-label="optimizer">{opts}</select>')
            controls.append(f'<label style="white-space:nowrap">η <input type="range" class="bt-lr" min="0" '
                            f'max="{len(D["grid"]) - 1}" step="1" value="{D["initial_lr"]}" '
                            f'style="vertical-align:middle;width:12em" aria-label="learning rate"> '
                            f'<span class="bt-lrval" style="font-family:monospace"></span></label>')
        paths, losses = [], []
        for c, cont in enumerate(D["contenders"]):
            col = cont["color"]
            paths.append(f'<path class="bt-path-{c}" fill="none" stroke="{col}" stroke-width="1.6" '
                         f'stroke-linejoin="round"/><circle class="bt-end-{c}" r="4.5" cx="-99" '
                         f'fill="{col}" stroke="black" stroke-width="0.8"/>')
            losses.append(f'<path class="bt-loss-{c}" fill="none" stroke="{col}" stroke-width="1.6"/>')
        first = D["functions"][0]
        clip = "".join(
            f'<clipPath id="{uid}-{name}"><rect x="{b[0]}" y="{b[1]}" width="{b[2] - b[0]:.1f}" '
            f'height="{b[3] - b[1]:.1f}"/></clipPath>'
            for name, b in (("traj", first["panels"]["traj"]["box"]), ("loss", first["panels"]["loss"]["box"])))
        payload_safe = payload.replace("</", "<\\/")
        return (
            f'<div id="{uid}" class="booktools-race" data-backgrounds="{len(self.images)}" '
            f'style="max-width:{W}px;font-size:0.9em;margin:0.5em 0">'
            f'<div style="display:flex;flex-wrap:wrap;gap:0.4em 1em;align-items:center;margin-bottom:0.3em">'
            f'{"".join(controls)}</div>'
            f'<div class="bt-readout" style="min-height:1.2em"></div>'
            f'<div style="position:relative;width:100%">'
            f'<img class="bt-img" alt="{html.escape(self.alt)}" '
            f'style="width:100%;height:auto;display:block;margin:0">'
            f'<svg viewBox="0 0 {W} {H}" preserveAspectRatio="none" '
            f'style="position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden">'
            f'<defs>{clip}</defs><g clip-path="url(#{uid}-traj)">{"".join(paths)}'
            f'<circle class="bt-start" r="5" fill="white" stroke="black" stroke-width="1.5"/></g>'
            f'<g clip-path="url(#{uid}-loss)">{"".join(losses)}</g></svg></div>'
            f'<div class="bt-legend" style="line-height:1.6"></div>'
            f'<script type="application/json">{payload_safe}</script>'
            f'<script>{_script().replace("__ID__", uid)}</script></div>')


def _contender_payload(contenders):
    return [{"name": c.name, "color": plots.COLORS[i % len(plots.COLORS)]}
            for i, c in enumerate(contenders)]


def race_animation(races, *, mode_labels=None, figsize=(4.6, 6.6), dpi=80,
                   density=2) -> RaceWidget:
    """``races`` maps a :class:`~booktools.lab.RaceSpec` key to ``(spec, {mode: RaceResult})``,
    each result with one run per contender (``K = 1``) and the same contenders everywhere."""
    if not races:
        raise ValueError("race_animation() needs at least one race")
    functions_, images, contenders, size = [], [], None, None
    for key, (spec, modes) in races.items():
        results = list(modes.values())
        for r in results:
            if r.points.shape[2] != 1:
                raise ValueError(f"race {key!r}: expected one run per contender, got K={r.points.shape[2]}")
            if contenders is None:
                contenders = r.contenders
            elif [c.name for c in r.contenders] != [c.name for c in contenders]:
                raise ValueError(f"race {key!r}: the contenders differ from the first race's")
        W, H, png, fig = _figure_payload(spec, results, figsize, dpi, density)
        size = size or (W, H)
        images.append(png)
        traj = fig["panels"]["traj"]
        fig["modes"] = {m: {"lrs": [float(v) for v in r.lrs[:, 0]],
                            "runs": [_run_payload(traj, r.points[:, c, 0], r.gaps[:, c, 0])
                                     for c in range(len(contenders))]}
                        for m, r in modes.items()}
        functions_.append(fig)
    labels = mode_labels or {m: m for m in next(iter(races.values()))[1]}
    data = {"kind": "animate", "contenders": _contender_payload(contenders), "functions": functions_,
            "mode_labels": labels, "text": {"play": "▶", "pause": "❚❚"}, "quantum": _QUANTA}
    return RaceWidget(data, images, *size)


def lr_scrubber(spec, tuned, *, contender: str | None = None, figsize=(4.6, 6.6),
                dpi=80, density=2) -> RaceWidget:
    """Every contender of a :class:`~booktools.lab.TuneResult` over its whole grid on ``spec``;
    starts at ``contender``'s tuned learning rate."""
    result = tuned.result
    names = [c.name for c in result.contenders]
    c0 = names.index(contender) if contender is not None else 0
    W, H, png, fig = _figure_payload(spec, [result], figsize, dpi, density)
    traj = fig["panels"]["traj"]
    fig["grid"] = {"runs": [[_run_payload(traj, result.points[:, c, k], result.gaps[:, c, k])
                             for k in range(len(tuned.grid))] for c in range(len(names))]}
    data = {"kind": "scrub", "contenders": _contender_payload(result.contenders),
            "functions": [fig], "grid": [float(v) for v in tuned.grid],
            "initial_contender": c0, "initial_lr": int(tuned.best[c0]),
            "best": [int(b) for b in tuned.best],
            "text": {"play": "▶", "pause": "❚❚"}, "quantum": _QUANTA}
    return RaceWidget(data, [png], W, H)
