"""Explore an optimizer's hyperparameters: live (ipywidgets, needs a kernel) and static
(precomputed, self-contained HTML + JavaScript for the published book, needs no kernel).

Both show the same figure: the trajectory on the contour plot (left) and the loss gap
``f(x_t) - f*`` on a log scale (right).

Live, in Jupyter (put this cell under the notebook tag ``remove-cell`` so the book,
which has no kernel, does not try to load widget JavaScript)::

    live_explorer(fn, (-7, 2), 30, optimizer=SGD,
                  controls={"lr": (0.01, 1.2, 0.01, 0.95)})

Static, visible in the book::

    static_explorer(fn, (-7, 2), 30, optimizer=SGD,
                    grid={"lr": np.round(np.arange(0.05, 1.21, 0.05), 2)})

Method arguments are those of :func:`booktools.runners.run_optimizer` /
:func:`~booktools.runners.run_rule`: ``optimizer=`` (class or factory) or
``rule=``, ``fixed=`` (hyperparameters that stay constant), and optionally
``transform=`` (maps the control values to hyperparameters, e.g. two sliders
``beta1``/``beta2`` to ``betas=(beta1, beta2)``; it may also return
``scheduler=``, a factory ``optimizer -> lr scheduler``, for a decay slider).
``references=`` takes fixed trajectories (e.g. from the previous chapter's method) drawn in grey for comparison.

Redrawing the live widget recomputes only the trajectory and blits the lines onto a
cached background (the contour is drawn once), then sends one PNG to the browser:
about 10-20 ms, see ``benchmarks/bench_widgets.py``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots
from .runners import run_optimizer, run_rule

__all__ = ["LiveExplorer", "live_explorer", "StaticExplorer", "static_explorer"]

SYMBOLS = {"lr": "η", "momentum": "μ", "alpha": "α", "rho": "ρ", "eps": "ε", "beta1": "β₁",
           "beta2": "β₂", "dampening": "τ", "weight_decay": "λ", "nesterov": "nesterov",
           "lr_decay": "lr_decay", "decay": "decay", "initial_accumulator_value": "G₀",
           "grad_noise": "σ"}


def _symbol(name):
    return SYMBOLS.get(name, name)


class _Method:
    """Turns control values into a trajectory, shared by the live and static explorers."""

    def __init__(self, fn, x0, n_steps, optimizer, rule, fixed, transform):
        if (optimizer is None) == (rule is None):
            raise ValueError("give exactly one of optimizer= and rule=")
        self.fn, self.x0, self.n_steps = fn, np.asarray(x0, dtype=np.float64), int(n_steps)
        self.optimizer, self.rule = optimizer, rule
        self.fixed = dict(fixed or {})
        self.transform = transform

    def __call__(self, values):
        hyper = dict(self.fixed)
        hyper.update(self.transform(dict(values)) if self.transform else values)
        if self.optimizer is not None:
            return run_optimizer(self.fn, self.x0, self.n_steps, self.optimizer, **hyper)
        return run_rule(self.fn, self.x0, self.n_steps, self.rule, **hyper)


def _loss_ylim(fn, x0, references):
    gap0 = float(fn.f(x0) - fn.f_min)
    finite = [r.losses[np.isfinite(r.losses)] - fn.f_min for r in references]
    top = max([gap0] + [float(v.max()) for v in finite if v.size])
    top = min(top, max(gap0, 1e-12) * 1e6)  # a diverging reference must not blow up the axis
    top = max(top, 1e-12)
    return top * 1e-10, top * 1e3


def _runs_ylim(fn, x0, trajs):
    """Loss-axis limits for the static explorer: from the smallest positive gap reached by any
    run (at most 14 decades down) to the largest, capped at 1e6 times the starting gap."""
    gap0 = float(fn.f(x0) - fn.f_min)
    gaps = np.concatenate([t.losses - fn.f_min for t in trajs])
    gaps = gaps[np.isfinite(gaps) & (gaps > 0)]
    if gaps.size == 0 or gap0 <= 0:
        return None
    hi = min(gaps.max(), gap0 * 1e6)
    lo = max(gaps.min(), hi * 1e-14)
    return lo / 3.0, hi * 3.0


def _base_figure(fn, x0, n_steps, references, title, figsize, dpi, loss_ylim=None):
    """Figure with the static parts drawn: contour (+ references) and empty loss axes."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax, lax = fig.subplots(1, 2, width_ratios=[1.35, 1])
    plots.contour(fn, ax)
    ylim = loss_ylim or _loss_ylim(fn, x0, references)
    for r in references:
        span = 1e6 * max(np.ptp(fn.xlim), np.ptp(fn.ylim))
        pts = r.points[np.all(np.isfinite(r.points) & (np.abs(r.points) < span), axis=1)]
        ax.plot(pts[:, 0], pts[:, 1], "-", color="0.55", lw=1.2, label=r.label)
        gap = r.losses - fn.f_min
        gap = np.where(np.isfinite(gap) & (gap > 0), np.minimum(gap, ylim[1] * 10), np.nan)
        lax.plot(np.arange(len(gap)), gap, color="0.55", lw=1.2)
    if references:
        ax.legend(loc="lower right", fontsize=7, framealpha=0.85)
    ax.set_title(fn.label if title is None else title, fontsize=9)
    lax.set_yscale("log")
    lax.set_xlim(0, n_steps)
    lax.set_ylim(*ylim)
    lax.set_xlabel(plots.ITERATION)
    lax.set_ylabel(plots.LOSS_GAP)
    lax.grid(True, alpha=0.3)
    return fig, ax, lax


# --------------------------------------------------------------------------- live


class LiveExplorer:
    """Sliders and checkboxes that redraw a trajectory on a cached contour plot.

    ``controls`` maps a hyperparameter name to a widget spec:
    ``(min, max, step, value)`` a float slider, ``(min, max, step, value, "log")`` a
    log-scale slider (min/max are exponents of 10), ``True``/``False`` a checkbox, a list
    of values a selection slider, or a ready ``ipywidgets`` widget.

    :meth:`update` recomputes and redraws (and returns the elapsed seconds);
    :attr:`widget` is the ipywidgets box; displaying the explorer displays the box.
    """

    def __init__(self, fn, x0, n_steps, *, controls, optimizer=None, rule=None, fixed=None,
                 transform=None, references=(), title=None, figsize=(9.0, 3.6), dpi=90):
        import ipywidgets as W

        self.method = _Method(fn, x0, n_steps, optimizer, rule, fixed, transform)
        self.fn = fn
        self.controls = {name: self._make_control(W, name, spec) for name, spec in controls.items()}
        fig, ax, lax = _base_figure(fn, x0, n_steps, list(references), title, figsize, dpi)
        self.fig, self.ax, self.lax = fig, ax, lax
        color = plots.COLORS[0]
        (self._path,) = ax.plot([], [], "o-", ms=3.5, lw=1.4, color=color, animated=True)
        (self._start,) = ax.plot([], [], "o", ms=8, mfc="white", mec=color, mew=1.8, animated=True)
        (self._end,) = ax.plot([], [], "*", ms=13, color=color, mec="black", mew=0.6, animated=True)
        (self._loss,) = lax.plot([], [], color=color, lw=1.6, animated=True)
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{int(figsize[0] * dpi)}px"))
        self.readout = W.HTML()
        self._setting = False
        for c in self.controls.values():
            c.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox(list(self.controls.values()),
                                     layout=W.Layout(flex_flow="row wrap")),
                              self.readout, self.image])
        self.trajectory = None
        self.update()

    @staticmethod
    def _make_control(W, name, spec):
        desc = _symbol(name)
        style = {"description_width": "initial"}
        if isinstance(spec, W.Widget):
            return spec
        if isinstance(spec, bool):
            return W.Checkbox(value=spec, description=desc, indent=False)
        if isinstance(spec, (list, np.ndarray)):
            opts = list(spec)
            return W.SelectionSlider(options=opts, value=opts[0], description=desc, style=style)
        if isinstance(spec, tuple) and len(spec) == 5 and spec[4] == "log":
            lo, hi, step, value, _ = spec
            return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step,
                                    description=desc, style=style, readout_format=".2e")
        if isinstance(spec, tuple) and len(spec) == 4:
            lo, hi, step, value = spec
            return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=desc,
                                 style=style, readout_format=".3g", continuous_update=True)
        raise ValueError(f"control {name!r}: unsupported spec {spec!r}; use (min, max, step, value), "
                         "(min, max, step, value, 'log'), a bool, a list of values or a widget")

    def _on_change(self, _change):
        if not self._setting:
            self.update()

    @property
    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    def render_png(self) -> bytes:
        """Blit the animated lines onto the cached background and encode one PNG."""
        from PIL import Image

        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for artist in (self._path, self._start, self._end):
            self.ax.draw_artist(artist)
        self.lax.draw_artist(self._loss)
        buf = np.asarray(canvas.buffer_rgba())
        out = io.BytesIO()
        Image.fromarray(buf[..., :3]).save(out, format="png", compress_level=1)
        return out.getvalue()

    def update(self, **values) -> float:
        """Set any given control values, recompute the trajectory, redraw; returns seconds."""
        t0 = time.perf_counter()
        self._setting = True  # one redraw below, not one per changed control
        try:
            for name, v in values.items():
                if name not in self.controls:
                    raise KeyError(f"no control named {name!r}; have {list(self.controls)}")
                self.controls[name].value = v
        finally:
            self._setting = False
        try:
            traj = self.method(self.values)
        except ValueError as exc:  # an invalid combination, e.g. nesterov without momentum
            self.trajectory = None
            self.readout.value = f"<b style='color:#b00'>{html.escape(str(exc))}</b>"
            return time.perf_counter() - t0
        self.trajectory = traj
        pts = traj.points[np.all(np.isfinite(traj.points), axis=1)]
        self._path.set_data(pts[:, 0], pts[:, 1])
        self._start.set_data(pts[:1, 0], pts[:1, 1])
        self._end.set_data(pts[-1:, 0], pts[-1:, 1])
        gap = traj.losses - self.fn.f_min
        gap = np.where(np.isfinite(gap) & (gap > 0), gap, np.nan)
        self._loss.set_data(np.arange(len(gap)), gap)
        self.image.value = self.render_png()
        status = f"<b style='color:#b00'>{plots.bi('발산', 'diverged')}</b>" if traj.diverged else ""
        self.readout.value = (f"f(x<sub>{traj.n_steps}</sub>) − f* = {gap[-1]:.3g} &nbsp; {status}"
                              if np.isfinite(gap[-1]) else status)
        return time.perf_counter() - t0

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def live_explorer(fn, x0, n_steps, **kwargs) -> LiveExplorer:
    """Build a :class:`LiveExplorer` (display it as the cell's result)."""
    return LiveExplorer(fn, x0, n_steps, **kwargs)


# --------------------------------------------------------------------------- static

_JS = r"""
(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var D = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var q = function (sel) { return root.querySelector(sel); };
  var sliders = root.querySelectorAll("input[type=range]");
  var LIM = 1e4;
  function clamp(v) { return Math.max(-LIM, Math.min(LIM, v)); }
  function px(panel, x, y) {
    var b = panel.box, X, Y;
    X = b[0] + (x - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * (b[2] - b[0]);
    if (panel.ylog) {
      var l0 = Math.log10(panel.ylim[0]), l1 = Math.log10(panel.ylim[1]);
      Y = b[3] - (Math.log10(y) - l0) / (l1 - l0) * (b[3] - b[1]);
    } else {
      Y = b[3] - (y - panel.ylim[0]) / (panel.ylim[1] - panel.ylim[0]) * (b[3] - b[1]);
    }
    return [clamp(X), clamp(Y)];
  }
  function path(panel, xs, ys) {
    var d = "", pen = false;
    for (var i = 0; i < xs.length; i++) {
      var ok = xs[i] !== null && ys[i] !== null && isFinite(xs[i]) && isFinite(ys[i]) &&
               (!panel.ylog || ys[i] > 0);
      if (!ok) { pen = false; continue; }
      var p = px(panel, xs[i], ys[i]);
      d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
      pen = true;
    }
    return d;
  }
  function lastFinite(xs, ys) {
    for (var i = xs.length - 1; i >= 0; i--) {
      if (xs[i] !== null && ys[i] !== null) { return i; }
    }
    return 0;
  }
  function fmt(v) { return (typeof v === "number") ? String(+v.toPrecision(4)) : String(v); }
  function draw() {
    var idx = 0, labels = [];
    for (var k = 0; k < D.params.length; k++) {
      var i = +sliders[k].value;
      idx = idx * D.params[k].values.length + i;
      var txt = D.params[k].symbol + " = " + fmt(D.params[k].values[i]);
      root.querySelectorAll(".bt-val")[k].textContent = fmt(D.params[k].values[i]);
      labels.push(txt);
    }
    var run = D.runs[idx];
    if (run === null) {
      [".bt-path", ".bt-loss"].forEach(function (s) { q(s).setAttribute("d", ""); });
      [".bt-start", ".bt-end"].forEach(function (s) { q(s).setAttribute("cx", -99); });
      q(".bt-readout").textContent = labels.join(", ") + "  |  " + D.errors[String(idx)];
      return;
    }
    var xs = run[0], ys = run[1], fs = run[2];
    var gap = fs.map(function (v) { return v === null ? null : v - D.fmin; });
    var steps = gap.map(function (_, t) { return t; });
    q(".bt-path").setAttribute("d", path(D.panels.traj, xs, ys));
    q(".bt-loss").setAttribute("d", path(D.panels.loss, steps, gap));
    var s = px(D.panels.traj, xs[0], ys[0]);
    q(".bt-start").setAttribute("cx", s[0]); q(".bt-start").setAttribute("cy", s[1]);
    var j = lastFinite(xs, ys), e = px(D.panels.traj, xs[j], ys[j]);
    q(".bt-end").setAttribute("cx", e[0]); q(".bt-end").setAttribute("cy", e[1]);
    var last = gap[gap.length - 1];
    var diverged = last === null || !isFinite(last) || last > gap[0];
    q(".bt-readout").innerHTML = labels.join(", ") + " &nbsp;|&nbsp; f(x<sub>" + (gap.length - 1) +
      "</sub>) \u2212 f* = " + (last === null ? "\u221e" : last.toPrecision(3)) +
      (diverged ? " &nbsp;<b style='color:#b00'>" + D.text.diverged + "</b>" : "");
  }
  for (var k = 0; k < sliders.length; k++) { sliders[k].addEventListener("input", draw); }
  draw();
})();
"""


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
        method = _Method(fn, x0, n_steps, optimizer, rule, fixed, transform)
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
        fig, ax, lax = _base_figure(fn, x0, n_steps, list(references), title, figsize, dpi,
                                    _runs_ylim(fn, x0, list(self.trajectories.values()) + list(references)))
        fig.canvas.draw()
        W, H = fig.canvas.get_width_height()

        def panel(a, ylog):
            bb = a.get_window_extent()  # display pixels, origin bottom-left
            return {"box": [bb.x0, H - bb.y1, bb.x1, H - bb.y0], "xlim": list(a.get_xlim()),
                    "ylim": list(a.get_ylim()), "ylog": ylog}

        self.data = {
            "width": W, "height": H, "fmin": _num(fn.f_min),
            "params": [{"name": n, "symbol": _symbol(n), "values": v} for n, v in zip(names, values)],
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
            f'<script>{_JS.replace("__ID__", uid)}</script></div>'
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
