"""Explore curves that are not trajectories: a function of a few controls returns one curve
per panel (for example a learning-rate schedule and the training loss it produces).

``compute(values) -> [(x, y), (x, y), ...]`` is called with a dict of control values and
returns one curve per panel, in the order of ``panels``. Each panel is a dict with
``xlabel``, ``ylabel`` and optionally ``log`` (log-scale y axis) and ``title``.
``references`` are fixed curves (same format as ``compute``'s result) drawn in grey.

Live, in Jupyter (tag the cell ``remove-cell``; the book has no kernel)::

    live_curves_explorer(compute, panels, controls={"peak": [0.1, 0.3, 0.6]})

Static, visible in the book (every combination of the grid computed in advance and shown
by ``curves_explorer.js``: one PNG with the axes, a separate output of the cell before the
HTML, plus the curves as SVG paths)::

    static_curves_explorer(compute, panels, grid={"peak": [0.1, 0.3, 0.6]})

The panels are stacked (one column, :data:`~booktools.fonts.PHONE_WIDTH_IN` wide) so that
their text stays readable on a phone; both explorers use the same axis limits rule
(:func:`axis_limits`), so they draw the same figure. The static payload stores each distinct
x array once and every value to 4 significant digits; ``max_bytes`` (default
:data:`MAX_BYTES`) caps the HTML (the picture is a file of its own in the book) so that a
chapter page stays small.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plots
from ..fonts import PHONE_WIDTH_IN
from .common import ImagesThenHTML, symbol, widget_script

__all__ = ["CurvesExplorer", "LiveCurvesExplorer", "static_curves_explorer",
           "live_curves_explorer", "axis_limits", "MAX_BYTES"]

#: Largest HTML a static curves explorer may produce (a chapter page must stay <= 700 KB).
MAX_BYTES = 200_000
#: Height of one stacked panel, inches.
PANEL_HEIGHT_IN = 2.9


def _check_panels(panels):
    panels = [dict(p) for p in panels]
    if not 1 <= len(panels) <= 2:
        raise ValueError(f"panels must list 1 or 2 panels (stacked at phone width), got "
                         f"{len(panels)}")
    for i, p in enumerate(panels):
        missing = {"xlabel", "ylabel"} - set(p)
        if missing:
            raise ValueError(f"panels[{i}] needs {sorted(missing)}")
    return panels


def _curves(compute, values, n_panels):
    curves = compute(dict(values))
    if len(curves) != n_panels:
        raise ValueError(f"compute() returned {len(curves)} curves for {n_panels} panels "
                         f"(values {values})")
    out = []
    for x, y in curves:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"compute() returned a curve with x shape {x.shape} and y shape "
                             f"{y.shape}; both must be the same 1-D shape")
        out.append((x, y))
    return out


def axis_limits(panel, curves):
    """(xlim, ylim) of a panel that fit every curve; a log axis ignores values <= 0 and
    spans at most 8 decades below the largest value."""
    xs = np.concatenate([c[0] for c in curves])
    ys = np.concatenate([c[1] for c in curves])
    ok = np.isfinite(ys) & ((ys > 0) if panel.get("log") else True)
    xs, ys = xs[np.isfinite(xs)], ys[ok]
    xlim = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    if xlim[0] == xlim[1]:
        xlim = (xlim[0] - 0.5, xlim[1] + 0.5)
    if ys.size == 0:
        return xlim, ((0.1, 10.0) if panel.get("log") else (0.0, 1.0))
    if panel.get("log"):
        hi = float(ys.max())
        lo = max(float(ys.min()), hi * 1e-8)
        return xlim, (lo / 1.5, hi * 1.5)
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.5 * max(abs(hi), 1.0)
    return xlim, (min(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad)


def _figsize(n_panels, figsize):
    return figsize if figsize is not None else (PHONE_WIDTH_IN, PANEL_HEIGHT_IN * n_panels)


def _figure(panels, limits, references, figsize, dpi):
    fig = Figure(figsize=_figsize(len(panels), figsize), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for k, (ax, panel, (xlim, ylim)) in enumerate(zip(axes, panels, limits)):
        if panel.get("log"):
            ax.set_yscale("log")
        for ref in references:
            ax.plot(*ref[k], color="0.6", lw=1.2)
        ax.set(xlim=xlim, ylim=ylim, xlabel=panel["xlabel"], ylabel=panel["ylabel"])
        if panel.get("title"):
            ax.set_title(panel["title"])
        ax.grid(True, alpha=0.3)
    return fig, axes


def _num(v):
    v = float(v)
    return float(f"{v:.4g}") if np.isfinite(v) else None


class CurvesExplorer(ImagesThenHTML):
    """Static explorer: ``compute`` evaluated at every combination of ``grid``; shown as two
    outputs of its cell, the axes picture (PNG) then HTML + JavaScript that draws the curves
    over it (no kernel, no network).

    Attributes: :attr:`results` (``{values_tuple: [(x, y), ...]}``), :attr:`data` (the JSON
    payload), :attr:`html` (no picture inline), :attr:`png` (the axes; :attr:`images` is
    ``[png]``), :attr:`alt` (the picture's alt text, in the edition's language);
    :attr:`size_bytes` is the HTML's.
    """

    def __init__(self, compute, panels, *, grid, references=(), initial=None,
                 figsize=None, dpi=80, labels=None, max_bytes=MAX_BYTES):
        if not grid:
            raise ValueError("grid must map at least one control name to a list of values")
        self.panels = _check_panels(panels)
        names = list(grid)
        values = [list(np.asarray(v).tolist()) if not isinstance(v, list) else list(v)
                  for v in grid.values()]
        for name, vals in zip(names, values):
            if not vals:
                raise ValueError(f"grid[{name!r}] is empty")
        n = len(self.panels)
        self.results = {combo: _curves(compute, dict(zip(names, combo)), n)
                        for combo in itertools.product(*values)}
        references = [_curves(lambda _v, r=r: r, {}, n) for r in references]
        every = list(self.results.values()) + references
        limits = [axis_limits(p, [c[k] for c in every]) for k, p in enumerate(self.panels)]
        fig, axes = _figure(self.panels, limits, references, figsize, dpi)
        fig.canvas.draw()
        W, H = fig.canvas.get_width_height()

        def box(ax, panel, lim):
            bb = ax.get_window_extent()
            return {"box": [bb.x0, H - bb.y1, bb.x1, H - bb.y0], "xlim": list(lim[0]),
                    "ylim": list(lim[1]), "ylog": bool(panel.get("log"))}

        labels = labels or {}
        xs, x_index, runs = [], {}, []  # each distinct x array once: runs point into xs
        for curves in self.results.values():
            run = []
            for x, y in curves:
                key = tuple(_num(a) for a in x)
                if key not in x_index:
                    x_index[key] = len(xs)
                    xs.append(list(key))
                run.append([x_index[key], [_num(b) for b in y]])
            runs.append(run)
        self.data = {
            "width": W, "height": H,
            "params": [{"name": nm, "symbol": labels.get(nm, symbol(nm)), "values": v}
                       for nm, v in zip(names, values)],
            "panels": [box(ax, p, lim) for ax, p, lim in zip(axes, self.panels, limits)],
            "readout": [p.get("readout", p["ylabel"]) for p in self.panels],
            "xs": xs,
            "runs": runs,
        }
        buf = io.BytesIO()  # twice the pixels of its CSS size: sharp on high-density screens
        fig.savefig(buf, format="png", dpi=2 * dpi)
        self.png = buf.getvalue()
        self.alt = self._alt()
        initial = dict(initial or {})
        start = []
        for nm, v in zip(names, values):
            if nm in initial:
                start.append(v.index(initial[nm]) if initial[nm] in v else
                             int(np.argmin([abs(float(a) - float(initial[nm])) for a in v])))
            else:
                start.append(len(v) // 2)
        self.html = self._markup(start)
        if max_bytes is not None and self.size_bytes > max_bytes:
            raise ValueError(
                f"the static curves explorer is {self.size_bytes} bytes, more than "
                f"max_bytes={max_bytes} ({len(self.results)} grid combinations, "
                f"{sum(len(y) for _x, y in next(iter(self.results.values())))} points each): "
                f"use fewer grid values or fewer points per curve")

    def _markup(self, start):
        payload = json.dumps(self.data, separators=(",", ":"), allow_nan=False)
        uid = "btc-" + hashlib.sha1(payload.encode() + self.png).hexdigest()[:12]
        W, H = self.data["width"], self.data["height"]
        rows = []
        for k, p in enumerate(self.data["params"]):
            rows.append(
                f'<label style="margin-right:1.2em;white-space:nowrap">{html.escape(p["symbol"])} '
                f'<input type="range" min="0" max="{len(p["values"]) - 1}" step="1" '
                f'value="{start[k]}" style="vertical-align:middle;width:9em" '
                f'aria-label="{html.escape(p["name"])}"> '
                f'<span class="bt-val" style="font-family:monospace"></span></label>')
        clips = "".join(
            f'<clipPath id="{uid}-p{k}"><rect x="{b["box"][0]:.1f}" y="{b["box"][1]:.1f}" '
            f'width="{b["box"][2] - b["box"][0]:.1f}" height="{b["box"][3] - b["box"][1]:.1f}"/>'
            f'</clipPath>' for k, b in enumerate(self.data["panels"]))
        paths = "".join(
            f'<g clip-path="url(#{uid}-p{k})"><path class="bt-curve" fill="none" '
            f'stroke="{plots.COLORS[0]}" stroke-width="1.8" stroke-linejoin="round"/></g>'
            for k in range(len(self.data["panels"])))
        payload_safe = payload.replace("</", "<\\/")
        return (
            f'<div id="{uid}" class="booktools-curves-explorer" data-backgrounds="1" '
            f'style="max-width:{W}px;font-size:0.9em;margin:0.5em 0">'
            f'<div style="margin-bottom:0.3em">{"".join(rows)}</div>'
            f'<div class="bt-readout" style="min-height:1.4em;margin-bottom:0.2em"></div>'
            f'<div style="position:relative;width:100%">'
            f'<img class="bt-img" alt="{html.escape(self.alt)}" '
            f'style="width:100%;height:auto;display:block;margin:0">'
            f'<svg viewBox="0 0 {W} {H}" preserveAspectRatio="none" '
            f'style="position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden">'
            f'<defs>{clips}</defs>{paths}</svg></div>'
            f'<script type="application/json">{payload_safe}</script>'
            f'<script>{_script().replace("__ID__", uid)}</script></div>')

    def _alt(self) -> str:
        """What the picture shows: each panel's y against x, redrawn by the sliders."""
        names = ", ".join(p["symbol"] for p in self.data["params"])
        ko, en = [], []
        for k, p in enumerate(self.panels):
            notes = [] if len(self.panels) == 1 else [[("위", "top"), ("아래", "bottom")][k]]
            notes += [("로그 눈금", "log scale")] if p.get("log") else []
            ko.append(f'{p["xlabel"]}에 따른 {p["ylabel"]}'
                      + (f'({", ".join(n for n, _ in notes)})' if notes else ""))
            en.append(f'{p["ylabel"]} against {p["xlabel"]}'
                      + (f' ({", ".join(n for _, n in notes)})' if notes else ""))
        return plots.bi(f'{", ".join(ko)}. 슬라이더로 {names} 값을 고르면 다시 그려진다.',
                        f'{" and ".join(en)}, redrawn for the values of {names} chosen with '
                        f'the sliders.')

    @property
    def images(self) -> list:
        """The background pictures, one output each before the HTML: the axes."""
        return [self.png]


def _script() -> str:
    """``shared.js`` then ``curves_explorer.js`` (shipped beside this module)."""
    return widget_script("curves_explorer.js")


class LiveCurvesExplorer:
    """ipywidgets controls (each a list of values or ``(min, max, step, value)``) that call
    ``compute`` and redraw the curves on cached axes; :meth:`update` returns the seconds."""

    def __init__(self, compute, panels, *, controls, references=(), limits_from=None,
                 figsize=None, dpi=90, labels=None):
        import ipywidgets as W

        self.compute, self.panels = compute, _check_panels(panels)
        labels = labels or {}
        self.controls = {}
        for name, spec in controls.items():
            desc = labels.get(name, symbol(name))
            style = {"description_width": "initial"}
            if isinstance(spec, (list, np.ndarray)):
                opts = list(spec)
                self.controls[name] = W.SelectionSlider(options=opts, value=opts[len(opts) // 2],
                                                        description=desc, style=style)
            elif isinstance(spec, tuple) and len(spec) == 4:
                lo, hi, step, value = spec
                self.controls[name] = W.FloatSlider(value=value, min=lo, max=hi, step=step,
                                                    description=desc, style=style)
            else:
                raise ValueError(f"control {name!r}: use a list of values or (min, max, step, value)")
        n = len(self.panels)
        references = [_curves(lambda _v, r=r: r, {}, n) for r in references]
        first = _curves(compute, self.values, n)
        every = [first] + references + list(limits_from or [])
        limits = [axis_limits(p, [c[k] for c in every]) for k, p in enumerate(self.panels)]
        self.fig, self.axes = _figure(self.panels, limits, references, figsize, dpi)
        self._lines = [ax.plot([], [], color=plots.COLORS[0], lw=1.8, animated=True)[0]
                       for ax in self.axes]
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        width_px = int(_figsize(n, figsize)[0] * dpi)
        self.image = W.Image(format="png", layout=W.Layout(width="100%",
                                                           max_width=f"{width_px}px"))
        self.readout = W.HTML()
        for c in self.controls.values():
            c.observe(lambda _change: self.update(), names="value")
        self.widget = W.VBox([W.HBox(list(self.controls.values()),
                                     layout=W.Layout(flex_flow="row wrap")),
                              self.readout, self.image])
        self.curves = None
        self.update()

    @property
    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    def update(self) -> float:
        from PIL import Image

        t0 = time.perf_counter()
        self.curves = _curves(self.compute, self.values, len(self.panels))
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for ax, line, (x, y) in zip(self.axes, self._lines, self.curves):
            line.set_data(x, y)
            ax.draw_artist(line)
        out = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(out, format="png",
                                                                         compress_level=1)
        self.image.value = out.getvalue()
        self.readout.value = " &nbsp;|&nbsp; ".join(
            f"{html.escape(p.get('readout', p['ylabel']))}: {y[-1]:.4g}"
            for p, (_x, y) in zip(self.panels, self.curves))
        return time.perf_counter() - t0

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def static_curves_explorer(compute, panels, **kwargs) -> CurvesExplorer:
    """Build a :class:`CurvesExplorer` (display it as the cell's result)."""
    return CurvesExplorer(compute, panels, **kwargs)


def live_curves_explorer(compute, panels, **kwargs) -> LiveCurvesExplorer:
    """Build a :class:`LiveCurvesExplorer` (display it as the cell's result)."""
    return LiveCurvesExplorer(compute, panels, **kwargs)
