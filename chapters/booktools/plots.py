"""Figures shared by the chapters: contours with trajectories, loss curves, comparison grids.

All text is bilingual (``"반복 · iteration"``, built with :func:`bi`) or symbols, so a
figure serves both languages. Call ``booktools.setup()`` once per notebook first so
that the Korean font is registered.

Typical use::

    fn = functions.valley()
    trajs = [run_optimizer(fn, (-7, 2), 30, SGD, lr=0.95)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.2, 3.6))
    plots.plot_trajectories(fn, trajs, ax=ax1)
    plots.loss_curves(trajs, ax=ax2, f_min=fn.f_min)

Legends never sit on the data: the helpers here put them under the axes
(:func:`legend_below`) or, for a grid of panels, one legend under the figure
(:func:`figure_legend`). Text sizes come from the book style (``fonts.BOOK_STYLE``),
so no label is set smaller than a caption on the page.
"""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["bi", "ITERATION", "LOSS_GAP", "COLORS", "contour_levels", "contour", "draw_trajectory",
           "plot_trajectories", "loss_curves", "comparison", "spread", "legend_below",
           "figure_legend"]

COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
          "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]


def bi(ko: str, en: str) -> str:
    """Figure text in the edition's language, both (Korean first) outside an edition build.

    The edition build sets ``BOOK_LANG`` to ``ko`` or ``en``; then ``bi("반복", "iteration")``
    is ``"반복"`` or ``"iteration"``. Unset (JupyterLab, tests), it is ``"반복 · iteration"``.
    """
    if not ko or not en:
        raise ValueError(f"bi() needs both texts, got ko={ko!r}, en={en!r}")
    lang = os.environ.get("BOOK_LANG", "")
    if lang == "ko":
        return ko
    if lang == "en":
        return en
    if lang:
        raise ValueError(f"BOOK_LANG must be 'ko', 'en' or unset, got {lang!r}")
    return f"{ko} · {en}"


ITERATION = bi("반복", "iteration") + " t"  # no $..$: mathtext would drop Hangul
LOSS_GAP = r"$f(\mathbf{x}_t) - f^\star$"


def contour_levels(Z, n_levels: int = 14):
    """Contour levels at evenly spaced quantiles of the grid values (nice on any function)."""
    q = np.quantile(Z[np.isfinite(Z)], np.linspace(0.0, 0.9, n_levels + 1) ** 1.5)
    return np.unique(q[1:])


def contour(fn, ax=None, *, n: int = 200, levels=None, filled: bool = True,
            xlim=None, ylim=None, show_minimizer: bool = True, axis_labels=None):
    """Draw the contours of a 2-D test function on ``ax`` (a new axes if None).

    The window is ``fn.xlim``/``fn.ylim`` and the axis labels ``fn.axis_labels`` unless
    given. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots()
    X, Y, Z = fn.grid(n, xlim, ylim)
    levels = contour_levels(Z) if levels is None else levels
    if filled:
        ax.contourf(X, Y, Z, levels=np.concatenate([[Z.min()], levels, [Z.max()]]),
                    cmap="Blues_r", alpha=0.35)
    ax.contour(X, Y, Z, levels=levels, colors="0.45", linewidths=0.7)
    if show_minimizer:
        mins = getattr(fn, "minimizers", np.atleast_2d(fn.minimizer))
        ax.plot(mins[:, 0], mins[:, 1], "k+", ms=10, mew=1.5, zorder=5)
    ax.grid(False)
    ax.set_xlim(*(xlim or fn.xlim))
    ax.set_ylim(*(ylim or fn.ylim))
    axis_labels = axis_labels or getattr(fn, "axis_labels", ("$x$", "$y$"))
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    return ax


def draw_trajectory(ax, traj, color=None, *, label=None, marker="o", ms=3.5, lw=1.4):
    """Overlay one trajectory: the path with small markers, a circle at the start and a
    star at the end. Non-finite points are dropped. Returns the path's Line2D."""
    pts = traj.points[np.all(np.isfinite(traj.points), axis=1)]
    (line,) = ax.plot(pts[:, 0], pts[:, 1], marker=marker, ms=ms, lw=lw, color=color,
                      label=traj.label if label is None else label, zorder=6)
    color = line.get_color()
    ax.plot(*pts[0], "o", ms=8, mfc="white", mec=color, mew=1.8, zorder=7)
    ax.plot(*pts[-1], "*", ms=13, color=color, mec="black", mew=0.6, zorder=7)
    return line


def plot_trajectories(fn, trajs, ax=None, *, title=None, legend=True, colors=None, **contour_kw):
    """Contours of ``fn`` with every trajectory in ``trajs`` overlaid; returns the axes.

    Start points are open circles, end points stars, ``+`` marks the minimiser.
    """
    ax = contour(fn, ax, **contour_kw)
    colors = colors or COLORS
    for i, tr in enumerate(trajs):
        draw_trajectory(ax, tr, colors[i % len(colors)])
    ax.set_title(fn.label if title is None else title)
    if legend and trajs:
        legend_below(ax)
    return ax


def loss_curves(trajs, ax=None, *, f_min: float = 0.0, log: bool = True, title=None,
                colors=None, xlabel=ITERATION, ylabel=LOSS_GAP, legend=True):
    """Loss gap ``f(x_t) - f_min`` against the iteration, log scale by default; returns the axes.

    A diverging run is drawn until its gap exceeds 1e12 times the largest starting gap
    (beyond that it leaves the plot), so the axis stays readable and finite.
    """
    if ax is None:
        _, ax = plt.subplots()
    colors = colors or COLORS
    starts = [float(t.losses[0]) - f_min for t in trajs]
    starts = [v for v in starts if np.isfinite(v) and v > 0]
    cap = max(starts) * 1e12 if starts else np.inf
    for i, tr in enumerate(trajs):
        gap = np.asarray(tr.losses, dtype=np.float64) - f_min
        with np.errstate(invalid="ignore"):
            keep = np.isfinite(gap) & (np.abs(gap) <= cap)
            if log:
                keep &= gap > 0
        gap = np.where(keep, gap, np.nan)
        ax.plot(np.arange(len(gap)), gap, color=colors[i % len(colors)], lw=1.6, label=tr.label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if legend and trajs:
        legend_below(ax)
    return ax


def comparison(fn, panels, *, ncols=None, with_loss=False, figsize_per=(4.6, 3.4), suptitle=None):
    """A grid of contour panels, one per entry of ``panels`` (``{title: [Trajectory, ...]}``).

    With ``with_loss=True`` a last panel shows every trajectory's loss curve. At most two
    panels sit side by side unless ``ncols`` says otherwise; one legend under the grid
    names every trajectory (each has its own colour in all panels). Returns the figure.
    """
    items = list(panels.items())
    n = len(items) + (1 if with_loss else 0)
    ncols = ncols or min(n, 2)
    if ncols < 1:
        raise ValueError(f"comparison: ncols must be >= 1, got ncols={ncols!r}")
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(figsize_per[0] * ncols, figsize_per[1] * nrows),
                             squeeze=False, layout="constrained")
    axes = axes.ravel()
    k = 0  # one colour per trajectory across all panels, shared with the loss panel
    for i, (title, trajs) in enumerate(items):
        plot_trajectories(fn, trajs, ax=axes[i], title=title, legend=False,
                          colors=[COLORS[(k + j) % len(COLORS)] for j in range(len(trajs))])
        k += len(trajs)
    if with_loss:
        all_trajs = [t for _, trajs in items for t in trajs]
        loss_curves(all_trajs, ax=axes[len(items)], f_min=fn.f_min, legend=False)
    for ax in axes[n:]:
        ax.set_visible(False)
    if suptitle:
        fig.suptitle(suptitle)
    figure_legend(fig, axes[:n])
    return fig


def spread(ax, runs, attr: str = "train_loss", *, label=None, color=None, log: bool = True,
           x=None):
    """Mean over seeds as a line, min-max over seeds as a band, for runs of several seeds.

    ``runs`` are objects with an array attribute ``attr`` of equal length (for example the
    :class:`~booktools.runners.MLPRun` list of :func:`~booktools.runners.train_mlp_seeds`).
    Returns the mean curve.
    """
    curves = np.array([getattr(r, attr) for r in runs], dtype=np.float64)
    if curves.ndim != 2:
        raise ValueError(f"spread() needs runs whose {attr!r} arrays have one common length")
    x = np.arange(curves.shape[1]) if x is None else np.asarray(x)
    mean = curves.mean(axis=0)
    label = label if label is not None else getattr(runs[0], "label", None)
    (line,) = ax.plot(x, mean, color=color, label=label, lw=1.6)
    ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=line.get_color(),
                    alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    return mean


def _text_width_pt(text: str, size_pt: float) -> float:
    """Rough width of a label: Hangul and other wide characters 1 em, others 0.6 em."""
    return size_pt * sum(1.0 if ord(ch) >= 0x1100 else 0.6 for ch in text)


def _legend_ncols(labels, width_pt: float, size_pt: float) -> int:
    """How many legend columns of the widest label fit in ``width_pt``."""
    # handle (2 em) + gap (0.8 em) + label per column, 2 em between columns
    column = max(_text_width_pt(lab, size_pt) for lab in labels) + 2.8 * size_pt
    return int(max(1, min(len(labels), (width_pt + 2 * size_pt) // (column + 2 * size_pt))))


def _font_pt(size) -> float:
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def legend_below(ax, *, ncols=None, **kwargs):
    """Put the legend of ``ax`` under the axes, below its x-axis label, off the data.

    As many columns as fit in the axes' width (``ncols`` to choose). Returns the legend,
    or None when nothing in ``ax`` has a label. Other keyword arguments go to
    ``ax.legend``.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    rc = plt.rcParams
    size = _font_pt(kwargs.get("fontsize", rc["legend.fontsize"]))
    # the distance from the axes' bottom edge to below the x label, in legend font sizes:
    # tick marks, their labels and the axis label (with its padding), one line each
    below = rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.05 * _font_pt(rc["xtick.labelsize"])
    xlabel = ax.get_xlabel()
    if xlabel:
        lines = xlabel.count("\n") + 1
        below += rc["axes.labelpad"] + 1.1 * lines * _font_pt(rc["axes.labelsize"])
    fig_w, _ = ax.figure.get_size_inches()
    width_pt = fig_w * ax.get_position().width * 72
    ncols = ncols or _legend_ncols(labels, width_pt, size)
    kwargs.setdefault("frameon", False)
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                     borderaxespad=below / size + 0.2, ncols=ncols, **kwargs)


def figure_legend(fig, axes=None, *, ncols=None, **kwargs):
    """One legend under the whole figure for the labelled artists of ``axes`` (all axes
    of ``fig`` by default), each label once. Needs the constrained layout of the book
    style, which makes room for it. Returns the legend, or None if nothing is labelled."""
    axes = list(fig.axes if axes is None else axes)
    seen, handles, labels = set(), [], []
    for ax in axes:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in seen:
                seen.add(label)
                handles.append(handle)
                labels.append(label)
    if not handles:
        return None
    size = _font_pt(kwargs.get("fontsize", plt.rcParams["legend.fontsize"]))
    ncols = ncols or _legend_ncols(labels, fig.get_size_inches()[0] * 72, size)
    kwargs.setdefault("frameon", False)
    return fig.legend(handles, labels, loc="outside lower center", ncols=ncols, **kwargs)
