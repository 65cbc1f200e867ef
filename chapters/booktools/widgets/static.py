"""The static explorer: trajectories precomputed over a grid of hyperparameters, shown in
the published book (no kernel, no network) by the scrubber in ``static_explorer.js``."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import itertools
import json
from pathlib import Path

import numpy as np

from .. import plots
from .common import Method, base_figure, loss_axis_limits, symbol

__all__ = ["StaticExplorer", "static_explorer"]


@functools.cache
def _script() -> str:
    """The scrubber's JavaScript, shipped beside this module; ``__ID__`` is the explorer's id."""
    return (Path(__file__).with_name("static_explorer.js")).read_text(encoding="utf-8")


def _num(v):
    """JSON-safe number with 6 significant digits; non-finite becomes null."""
    v = float(v)
    if not np.isfinite(v):
        return None
    return float(f"{v:.6g}")


class StaticExplorer:
    """Trajectories precomputed over a grid of hyperparameters, shown by a scrubber written
    in plain HTML/JavaScript: one contour image (base64 PNG) plus the trajectories as JSON,
    drawn as SVG paths over the image. No kernel, no network, no external scripts.

    Attributes: :attr:`data` (the JSON payload as a dict), :attr:`html` (the markup),
    :attr:`trajectories` (``{values_tuple: Trajectory}``).
    """

    def __init__(self, fn, x0, n_steps, *, grid, optimizer=None, rule=None, fixed=None,
                 transform=None, references=(), title=None, initial=None,
                 figsize=(9.0, 3.6), dpi=80):
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
            pts = tr.points
            runs.append([[_num(v) for v in pts[:, 0]], [_num(v) for v in pts[:, 1]],
                         [_num(v) for v in tr.losses]])
        if not self.trajectories:
            raise ValueError(f"every grid point is invalid, e.g. {next(iter(errors.values()))}")
        references = list(references)
        fig, ax, lax = base_figure(fn, x0, n_steps, references, title, figsize, dpi,
                                   loss_axis_limits(fn, x0, list(self.trajectories.values()) + references))
        fig.canvas.draw()
        W, H = fig.canvas.get_width_height()

        def panel(a, ylog):
            bb = a.get_window_extent()  # display pixels, origin bottom-left
            return {"box": [bb.x0, H - bb.y1, bb.x1, H - bb.y0], "xlim": list(a.get_xlim()),
                    "ylim": list(a.get_ylim()), "ylog": ylog}

        self.data = {
            "width": W, "height": H, "fmin": _num(fn.f_min),
            "params": [{"name": n, "symbol": symbol(n), "values": v} for n, v in zip(names, values)],
            "panels": {"traj": panel(ax, False), "loss": panel(lax, True)},
            "runs": runs,
            "errors": {str(k): v for k, v in errors.items()},
            "text": {"diverged": plots.bi("발산", "diverged")},
        }
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        self.png = buf.getvalue()
        initial = dict(initial or {})
        start_idx = []
        for n, v in zip(names, values):
            if n in initial:
                diffs = [abs(float(x) - float(initial[n])) for x in v]
                start_idx.append(int(np.argmin(diffs)))
            else:
                start_idx.append(len(v) // 2)
        self.html = self._markup(start_idx)

    def _markup(self, start_idx):
        payload = json.dumps(self.data, separators=(",", ":"), allow_nan=False)
        uid = "bt-" + hashlib.sha1(payload.encode() + self.png).hexdigest()[:12]
        W, H = self.data["width"], self.data["height"]
        img = base64.b64encode(self.png).decode("ascii")
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
            f'<div id="{uid}" class="booktools-static-explorer" style="max-width:{W}px;'
            f'font-size:0.9em;margin:0.5em 0">'
            f'<div style="margin-bottom:0.3em">{"".join(rows)}</div>'
            f'<div class="bt-readout" style="min-height:1.4em;margin-bottom:0.2em"></div>'
            f'<div style="position:relative;width:100%">'
            f'<img src="data:image/png;base64,{img}" alt="contour" '
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

    def _repr_html_(self):
        return self.html

    @property
    def size_bytes(self) -> int:
        return len(self.html.encode())


def static_explorer(fn, x0, n_steps, **kwargs) -> StaticExplorer:
    """Build a :class:`StaticExplorer` (display it as the cell's result)."""
    return StaticExplorer(fn, x0, n_steps, **kwargs)
