"""What the widgets share: the method that turns control values into a trajectory, the
hyperparameters' symbols, the figure and its one loss-axis rule (live and static explorer);
the scripts and the cell outputs of the static widgets (:func:`widget_script`,
:class:`ImagesThenHTML`)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plots
from ..runners import run_optimizer, run_rule

__all__ = ["SYMBOLS", "symbol", "Method", "loss_axis_limits", "base_figure", "widget_script",
           "ImagesThenHTML"]

SYMBOLS = {"lr": "η", "momentum": "μ", "alpha": "α", "rho": "ρ", "eps": "ε", "beta1": "β₁",
           "beta2": "β₂", "dampening": "τ", "weight_decay": "λ", "nesterov": "nesterov",
           "lr_decay": "lr_decay", "decay": "decay", "initial_accumulator_value": "G₀",
           "grad_noise": "σ", "beta": "β"}


def symbol(name):
    return SYMBOLS.get(name, name)


class Method:
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


def loss_axis_limits(fn, x0, trajs):
    """The loss-gap axis of both explorers: from the smallest positive gap any of ``trajs``
    reaches (at most 14 decades below the top) to the largest, capped at 1e6 times the
    starting gap so that a diverging run cannot flatten everything else."""
    gap0 = max(float(fn.f(x0) - fn.f_min), 1e-300)
    gaps = np.concatenate([np.asarray(t.losses, dtype=np.float64) - fn.f_min for t in trajs] or [[gap0]])
    gaps = gaps[np.isfinite(gaps) & (gaps > 0)]
    hi = min(gaps.max(initial=gap0), gap0 * 1e6)
    lo = max(gaps.min(initial=gap0), hi * 1e-14)
    return lo / 3.0, hi * 3.0


def base_figure(fn, x0, n_steps, references, title, figsize, dpi, loss_ylim, stacked=False):
    """Figure with the static parts drawn: contour (+ references) and empty loss axes, side
    by side, or the loss axes under the contour with ``stacked`` (narrow enough for a phone)."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    if stacked:
        ax, lax = fig.subplots(2, 1, height_ratios=[1.25, 1])
    else:
        ax, lax = fig.subplots(1, 2, width_ratios=[1.35, 1])
    plots.contour(fn, ax)
    ylim = loss_ylim
    for r in references:
        span = 1e6 * max(np.ptp(fn.xlim), np.ptp(fn.ylim))
        pts = r.points[np.all(np.isfinite(r.points) & (np.abs(r.points) < span), axis=1)]
        ax.plot(pts[:, 0], pts[:, 1], "-", color="0.55", lw=1.2, label=r.label)
        gap = r.losses - fn.f_min
        gap = np.where(np.isfinite(gap) & (gap > 0), np.minimum(gap, ylim[1] * 10), np.nan)
        lax.plot(np.arange(len(gap)), gap, color="0.55", lw=1.2)
    ax.set_title(fn.label if title is None else title)
    if references:  # under the axes, off the trajectories
        plots.legend_below(ax)
    lax.set_yscale("log")
    lax.set_xlim(0, n_steps)
    lax.set_ylim(*ylim)
    lax.set_xlabel(plots.ITERATION)
    lax.set_ylabel(plots.LOSS_GAP)
    lax.grid(True, alpha=0.3)
    return fig, ax, lax


#: The JavaScript every static widget carries before its own (``window.bookWidgets``: the
#: background images of the cell's output, the integer-stream decoder, the pixel mapping).
SHARED_SCRIPT = "shared.js"


@functools.cache
def widget_script(name: str) -> str:
    """A static widget's JavaScript: :data:`SHARED_SCRIPT`, then the widget's own file
    ``name``, both shipped beside this module; ``__ID__`` stands for the widget's id."""
    here = Path(__file__).parent
    return "\n".join((here / f).read_text(encoding="utf-8") for f in (SHARED_SCRIPT, name))


class ImagesThenHTML:
    """A static widget shown as several outputs of its cell: one ``image/png`` output per
    entry of :attr:`images` (its background pictures), then :attr:`html` (controls, data,
    script; no picture). myst-nb writes image outputs to files under ``_images/`` and links
    them with ``<img src>``, so the pictures stay out of the page's HTML; in JupyterLab and
    Colab they are data URLs. The script (``bookWidgets.backgrounds`` in ``shared.js``)
    takes the images just before its widget, hides them and shows their ``src`` itself.

    ``display(widget)`` or the widget as a cell's last expression writes them in that order.
    """

    images: list
    html: str

    def outputs(self) -> list:
        """The cell's display objects in order: every background image, then the HTML."""
        from IPython.display import HTML, Image

        return [*(Image(data=png, format="png") for png in self.images), HTML(self.html)]

    def _ipython_display_(self):
        from IPython.display import display

        display(*self.outputs())

    @property
    def size_bytes(self) -> int:
        """Bytes of the HTML output (what the page carries; the images are separate files)."""
        return len(self.html.encode())

    @property
    def image_bytes(self) -> int:
        """Bytes of the background PNGs (files of their own in the book)."""
        return sum(len(png) for png in self.images)
