"""The live explorer: ipywidgets controls that redraw a trajectory on a cached contour plot.

Redrawing recomputes only the trajectory and blits the lines onto a cached background
(the contour is drawn once), then sends one PNG to the browser: about 10-20 ms, see
``benchmarks/bench_widgets.py``. Put the cell under the tag ``remove-cell``: the book has
no kernel.
"""

from __future__ import annotations

import html
import io
import time

import numpy as np

from .. import plots
from .common import Method, base_figure, loss_axis_limits, symbol

__all__ = ["LiveExplorer", "live_explorer"]


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

        self.method = Method(fn, x0, n_steps, optimizer, rule, fixed, transform)
        self.fn = fn
        self.controls = {name: self._make_control(W, name, spec) for name, spec in controls.items()}
        references = list(references)
        try:  # the loss axis fits the references and the run at the initial values
            first = [self.method(self.values)]
        except ValueError:  # an invalid initial combination: update() shows the message
            first = []
        fig, ax, lax = base_figure(fn, x0, n_steps, references, title, figsize, dpi,
                                   loss_axis_limits(fn, x0, references + first))
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
        desc = symbol(name)
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
