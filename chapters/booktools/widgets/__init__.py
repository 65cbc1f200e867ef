"""Explore an optimizer's hyperparameters: live (ipywidgets, needs a kernel) and static
(precomputed, HTML + JavaScript for the published book, needs no kernel: the picture is an
image output of the cell before the HTML, see :class:`.common.ImagesThenHTML`).

Both show the same figure: the trajectory on the contour plot and the loss gap
``f(x_t) - f*`` on a log scale, side by side in the live explorer and stacked (narrow
enough for a phone) in the static one.

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

Modules: :mod:`.common` (the method, the figure and its one loss-axis rule),
:mod:`.live` (ipywidgets) and :mod:`.static` (HTML + ``static_explorer.js``);
:mod:`.curves` explores curves that are not trajectories (a schedule and its training
curve), live and static (``curves_explorer.js``). The static widgets' scripts (these two and
the lab's ``race_static.js``) share ``shared.js``.
"""

from .curves import CurvesExplorer, LiveCurvesExplorer, live_curves_explorer, static_curves_explorer
from .live import LiveExplorer, live_explorer
from .static import StaticExplorer, static_explorer

__all__ = ["LiveExplorer", "live_explorer", "StaticExplorer", "static_explorer",
           "CurvesExplorer", "LiveCurvesExplorer", "live_curves_explorer", "static_curves_explorer"]
