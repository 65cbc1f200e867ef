"""The lab's live race (ipywidgets, needs a kernel; put the cell under the tag ``remove-cell``).

Pick the function, the contenders and their learning rates; click on the contour plot to
start the race there (with ``ipyevents`` installed; without it, two number boxes set the
start). An update recomputes every trajectory with the batched :func:`booktools.lab.race`
and blits the lines onto a cached contour background: see ``benchmarks/bench_lab.py``.
"""

from __future__ import annotations

import io
import time

import numpy as np

from .. import lab, plots
from .common import base_figure

__all__ = ["LiveRace", "live_race"]


class LiveRace:
    """The race, live. :meth:`update` recomputes and redraws and returns the seconds it took;
    :meth:`click` maps a pixel of the image to a start point. ``runner`` is the race function
    (:func:`booktools.lab.race`; the benchmark passes :func:`~booktools.lab.race_unbatched`)."""

    def __init__(self, races=None, contenders=lab.CONTENDERS, *, selected=None, key=None,
                 runner=lab.race, figsize=(9.0, 3.6), dpi=80, widgets=True):
        self.races = dict(races or lab.RACES)
        self.contenders = tuple(contenders)
        names = [c.name for c in self.contenders]
        selected = names[:6] if selected is None else list(selected)
        unknown = set(selected) - set(names)
        if unknown:
            raise ValueError(f"unknown contenders {sorted(unknown)}; have {names}")
        self.selected = selected
        self.lrs = {c.name: c.default_lr for c in self.contenders}
        self.runner, self.figsize, self.dpi = runner, figsize, dpi
        self.key = key or next(iter(self.races))
        self.start = tuple(self.races[self.key].start)
        self.result = None
        self._figures = {}
        self.widget = self._build_widgets() if widgets else None
        self.update()

    # --------------------------------------------------------------------- figure
    def _figure(self, key):
        """The cached figure of one race: static contour, empty loss axes, animated lines."""
        if key not in self._figures:
            spec = self.races[key]
            gap0 = float(spec.fn.f(spec.start) - spec.fn.f_min)
            fig, ax, lax = base_figure(spec.fn, spec.start, spec.n_steps, [], None, self.figsize,
                                       self.dpi, (max(gap0, 1e-12) * 1e-12, max(gap0, 1e-12) * 1e3))
            lines = []
            for i, _ in enumerate(self.contenders):
                color = plots.COLORS[i % len(plots.COLORS)]
                (path,) = ax.plot([], [], "-", lw=1.4, color=color, animated=True)
                (end,) = ax.plot([], [], "o", ms=6, color=color, mec="black", mew=0.6, animated=True)
                (loss,) = lax.plot([], [], color=color, lw=1.4, animated=True)
                lines.append((path, end, loss))
            (start,) = ax.plot([], [], "o", ms=8, mfc="white", mec="black", mew=1.5, animated=True)
            fig.canvas.draw()
            self._figures[key] = (fig, ax, lax, lines, start, fig.canvas.copy_from_bbox(fig.bbox))
        return self._figures[key]

    def click(self, px: float, py: float, width: float, height: float):
        """Image pixel ``(px, py)`` (origin top left) of an image shown ``width`` x ``height``
        -> a start point in data coordinates, or None outside the contour axes."""
        fig, ax = self._figure(self.key)[:2]
        W, H = fig.canvas.get_width_height()
        x_disp, y_disp = px * W / width, H - py * H / height
        if not ax.get_window_extent().contains(x_disp, y_disp):
            return None
        return tuple(float(v) for v in ax.transData.inverted().transform((x_disp, y_disp)))

    def render_png(self) -> bytes:
        from PIL import Image

        fig, ax, lax, lines, start, background = self._figure(self.key)
        canvas = fig.canvas
        canvas.restore_region(background)
        for path, end, loss in lines:
            ax.draw_artist(path)
            ax.draw_artist(end)
            lax.draw_artist(loss)
        ax.draw_artist(start)
        buf = np.asarray(canvas.buffer_rgba())
        out = io.BytesIO()
        Image.fromarray(buf[..., :3]).save(out, format="png", compress_level=1)
        return out.getvalue()

    def update(self) -> float:
        """Recompute every selected contender's trajectory and redraw; returns seconds."""
        t0 = time.perf_counter()
        spec = self.races[self.key]
        chosen = [c for c in self.contenders if c.name in self.selected]
        fig, ax, lax, lines, start, _ = self._figure(self.key)
        for path, end, loss in lines:
            path.set_data([], []), end.set_data([], []), loss.set_data([], [])
        start.set_data([self.start[0]], [self.start[1]])
        if chosen:
            res = self.runner(spec.fn, chosen, self.start, spec.n_steps,
                              lrs=[self.lrs[c.name] for c in chosen])
            self.result = res
            steps = np.arange(spec.n_steps + 1)
            for j, c in enumerate(chosen):
                path, end, loss = lines[self.contenders.index(c)]
                pts = res.points[:, j, 0]
                pts = pts[np.all(np.isfinite(pts), axis=1)]
                path.set_data(pts[:, 0], pts[:, 1])
                end.set_data(pts[-1:, 0], pts[-1:, 1])
                gap = res.gaps[:, j, 0]
                loss.set_data(steps, np.where(np.isfinite(gap) & (gap > 0), gap, np.nan))
        png = self.render_png()
        if self.widget is not None:
            self._image.value = png
            self._legend.value = self._legend_html()
        self.last_png = png
        return time.perf_counter() - t0

    def _legend_html(self):
        if self.result is None:
            return ""
        rows = []
        for j, c in enumerate(self.result.contenders):
            color = plots.COLORS[self.contenders.index(c) % len(plots.COLORS)]
            gap = self.result.gaps[-1, j, 0]
            rows.append(f"<span style='color:{color}'><b>● {c.name}</b></span> "
                        f"η={self.lrs[c.name]:.3g}: {gap:.3g}")
        return " &nbsp; ".join(rows)

    # -------------------------------------------------------------------- widgets
    def _build_widgets(self):
        import ipywidgets as W

        self._image = W.Image(format="png", layout=W.Layout(width="100%",
                              max_width=f"{int(self.figsize[0] * self.dpi)}px"))
        self._legend = W.HTML()
        fn_pick = W.Dropdown(options=[(s.fn.label, k) for k, s in self.races.items()],
                             value=self.key, description="f")
        self._x0 = W.FloatText(value=self.start[0], description="x₀", layout=W.Layout(width="9em"))
        self._y0 = W.FloatText(value=self.start[1], description="y₀", layout=W.Layout(width="9em"))
        rows = []
        self._checks, self._sliders = {}, {}
        for c in self.contenders:
            check = W.Checkbox(value=c.name in self.selected, description=c.name, indent=False,
                               layout=W.Layout(width="8em"))
            slider = W.FloatLogSlider(value=c.default_lr, base=10, min=-4, max=1, step=0.05,
                                      description="η", readout_format=".2e",
                                      style={"description_width": "1.5em"})
            check.observe(lambda ch, name=c.name: self._toggle(name, ch["new"]), names="value")
            slider.observe(lambda ch, name=c.name: self._set_lr(name, ch["new"]), names="value")
            self._checks[c.name], self._sliders[c.name] = check, slider
            rows.append(W.HBox([check, slider]))
        defaults = W.Button(description=plots.bi("기본값", "defaults"))
        defaults.on_click(lambda _: self._set_all({c.name: c.default_lr for c in self.contenders}))
        tuned = W.Button(description=plots.bi("조정한 값", "tuned"))
        tuned.on_click(lambda _: self._set_all(self.tuned_lrs()))
        fn_pick.observe(lambda ch: self._set_function(ch["new"]), names="value")
        for box in (self._x0, self._y0):
            box.observe(lambda _: self._set_start((self._x0.value, self._y0.value)), names="value")
        try:
            from ipyevents import Event
        except ImportError:  # no click events: the number boxes set the start
            self._events = None
        else:
            self._events = Event(source=self._image, watched_events=["click"])
            self._events.on_dom_event(self._on_click)
        return W.VBox([W.HBox([fn_pick, self._x0, self._y0, defaults, tuned],
                              layout=W.Layout(flex_flow="row wrap")),
                       W.GridBox(rows, layout=W.Layout(grid_template_columns="repeat(2, 1fr)")),
                       self._image, self._legend])

    def tuned_lrs(self):
        """The grid-search learning rates on the current function from the current start."""
        spec = self.races[self.key]
        t = lab.tune(spec.fn, self.contenders, self.start, spec.n_steps)
        return {c.name: float(lr) for c, lr in zip(self.contenders, t.best_lr)}

    def _set_all(self, lrs):
        self._quiet = True
        try:
            for name, lr in lrs.items():
                self.lrs[name] = lr
                self._sliders[name].value = lr
        finally:
            self._quiet = False
        self.update()

    def _toggle(self, name, on):
        self.selected = [c.name for c in self.contenders if self._checks[c.name].value]
        self.update()

    def _set_lr(self, name, lr):
        self.lrs[name] = float(lr)
        if not getattr(self, "_quiet", False):
            self.update()

    def _set_function(self, key):
        self.key = key
        self._set_start(self.races[key].start)

    def _set_start(self, start):
        start = (float(start[0]), float(start[1]))
        if start == self.start and self.result is not None and self.widget is not None \
                and (self._x0.value, self._y0.value) == start:
            return
        self.start = start
        self._quiet = True
        try:
            self._x0.value, self._y0.value = start
        finally:
            self._quiet = False
        self.update()

    def _on_click(self, event):
        point = self.click(event["relativeX"], event["relativeY"], event["boundingRectWidth"],
                           event["boundingRectHeight"])
        if point is not None:
            self._set_start(point)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def live_race(**kwargs) -> LiveRace:
    """Build a :class:`LiveRace` (display it as the cell's result)."""
    return LiveRace(**kwargs)
