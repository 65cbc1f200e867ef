"""The lab's races for the published book (no kernel, no network): precomputed trajectories
of every contender drawn as SVG over a contour image by ``race_static.js``.

* :func:`race_animation` -- one widget for several test functions: pick the function and the
  mode (framework defaults or tuned learning rates), press play to watch the race, or drag
  the iteration slider;
* :func:`lr_scrubber` -- one function, every contender over the whole learning-rate grid of
  the tuning: pick a contender and scrub through the learning rates.

Both reuse :func:`booktools.widgets.common.base_figure` (contour left, loss gap on a log scale
right, one loss-axis rule shared with the explorers).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
from pathlib import Path

import numpy as np

from .. import plots
from .common import base_figure, loss_axis_limits

__all__ = ["RaceWidget", "race_animation", "lr_scrubber"]


@functools.cache
def _script() -> str:
    return Path(__file__).with_name("race_static.js").read_text(encoding="utf-8")


def _num(v, digits=4):
    v = float(v)
    return float(f"{v:.{digits}g}") if np.isfinite(v) else None


def _run_payload(points, gaps):
    """``[xs, ys, gaps]`` of one trajectory, rounded (4 and 3 significant digits), JSON-safe."""
    return [[_num(v) for v in points[:, 0]], [_num(v) for v in points[:, 1]],
            [_num(v, 3) for v in gaps]]


class _Trace:
    """A stand-in with ``losses`` for :func:`loss_axis_limits`."""

    def __init__(self, losses):
        self.losses = losses


def _figure_payload(spec, result_sets, figsize, dpi):
    fn = spec.fn
    traces = [_Trace(r.losses[:, c, k]) for r in result_sets for c in range(r.losses.shape[1])
              for k in range(r.losses.shape[2])]
    fig, ax, lax = base_figure(fn, spec.start, spec.n_steps, [], None, figsize, dpi,
                               loss_axis_limits(fn, spec.start, traces))
    fig.canvas.draw()
    W, H = fig.canvas.get_width_height()

    def panel(a, ylog):
        bb = a.get_window_extent()
        return {"box": [round(bb.x0, 1), round(H - bb.y1, 1), round(bb.x1, 1), round(H - bb.y0, 1)],
                "xlim": list(a.get_xlim()), "ylim": list(a.get_ylim()), "ylog": ylog}

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return W, H, {"label": fn.label, "png": "data:image/png;base64," +
                  base64.b64encode(buf.getvalue()).decode("ascii"),
                  "panels": {"traj": panel(ax, False), "loss": panel(lax, True)},
                  "start": [float(v) for v in spec.start], "n_steps": int(spec.n_steps)}


class RaceWidget:
    """Self-contained HTML (one ``<script>`` from ``race_static.js``, data as JSON, contour
    images as data URLs). :attr:`data` is the payload, :attr:`html` the markup."""

    def __init__(self, data, width, height):
        self.data, self.width, self.height = data, width, height
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
            f'<div id="{uid}" class="booktools-race" style="max-width:{W}px;font-size:0.9em;margin:0.5em 0">'
            f'<div style="display:flex;flex-wrap:wrap;gap:0.4em 1em;align-items:center;margin-bottom:0.3em">'
            f'{"".join(controls)}</div>'
            f'<div class="bt-readout" style="min-height:1.2em"></div>'
            f'<div style="position:relative;width:100%">'
            f'<img class="bt-img" alt="contour" style="width:100%;height:auto;display:block;margin:0">'
            f'<svg viewBox="0 0 {W} {H}" preserveAspectRatio="none" '
            f'style="position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden">'
            f'<defs>{clip}</defs><g clip-path="url(#{uid}-traj)">{"".join(paths)}'
            f'<circle class="bt-start" r="5" fill="white" stroke="black" stroke-width="1.5"/></g>'
            f'<g clip-path="url(#{uid}-loss)">{"".join(losses)}</g></svg></div>'
            f'<div class="bt-legend" style="line-height:1.6"></div>'
            f'<script type="application/json">{payload_safe}</script>'
            f'<script>{_script().replace("__ID__", uid)}</script></div>')

    def _repr_html_(self):
        return self.html

    @property
    def size_bytes(self) -> int:
        return len(self.html.encode())


def _contender_payload(contenders):
    return [{"name": c.name, "color": plots.COLORS[i % len(plots.COLORS)]}
            for i, c in enumerate(contenders)]


def race_animation(races, *, mode_labels=None, figsize=(9.0, 3.6), dpi=80) -> RaceWidget:
    """``races`` maps a :class:`~booktools.lab.RaceSpec` key to ``(spec, {mode: RaceResult})``,
    each result with one run per contender (``K = 1``) and the same contenders everywhere."""
    if not races:
        raise ValueError("race_animation() needs at least one race")
    functions_, contenders, size = [], None, None
    for key, (spec, modes) in races.items():
        results = list(modes.values())
        for r in results:
            if r.points.shape[2] != 1:
                raise ValueError(f"race {key!r}: expected one run per contender, got K={r.points.shape[2]}")
            if contenders is None:
                contenders = r.contenders
            elif [c.name for c in r.contenders] != [c.name for c in contenders]:
                raise ValueError(f"race {key!r}: the contenders differ from the first race's")
        W, H, fig = _figure_payload(spec, results, figsize, dpi)
        size = size or (W, H)
        fig["modes"] = {m: {"lrs": [float(v) for v in r.lrs[:, 0]],
                            "runs": [_run_payload(r.points[:, c, 0], r.gaps[:, c, 0])
                                     for c in range(len(contenders))]}
                        for m, r in modes.items()}
        functions_.append(fig)
    labels = mode_labels or {m: m for m in next(iter(races.values()))[1]}
    data = {"kind": "animate", "contenders": _contender_payload(contenders), "functions": functions_,
            "mode_labels": labels, "text": {"play": "▶", "pause": "❚❚"}}
    return RaceWidget(data, *size)


def lr_scrubber(spec, tuned, *, contender: str | None = None, figsize=(9.0, 3.6),
                dpi=80) -> RaceWidget:
    """Every contender of a :class:`~booktools.lab.TuneResult` over its whole grid on ``spec``;
    starts at ``contender``'s tuned learning rate."""
    result = tuned.result
    names = [c.name for c in result.contenders]
    c0 = names.index(contender) if contender is not None else 0
    W, H, fig = _figure_payload(spec, [result], figsize, dpi)
    fig["grid"] = {"runs": [[_run_payload(result.points[:, c, k], result.gaps[:, c, k])
                             for k in range(len(tuned.grid))] for c in range(len(names))]}
    data = {"kind": "scrub", "contenders": _contender_payload(result.contenders),
            "functions": [fig], "grid": [float(v) for v in tuned.grid],
            "initial_contender": c0, "initial_lr": int(tuned.best[c0]),
            "best": [int(b) for b in tuned.best],
            "text": {"play": "▶", "pause": "❚❚"}}
    return RaceWidget(data, W, H)
