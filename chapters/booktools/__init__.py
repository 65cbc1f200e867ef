"""Shared helpers for the book's notebooks. Notebooks import from here; nothing is
copied between them. The notebooks run with ``chapters/`` as their working directory,
so ``import booktools`` works there without installation.

Modules, one kind of helper each:

* :mod:`booktools.fonts` -- Korean font + book figure style (``use_korean_font``, ``bilingual``);
* :mod:`booktools.functions` -- 2-D test functions with analytic and autograd gradients
  (``Quadratic``, ``valley()``, ``elongated_bowl()``, ``Rosenbrock``, ``Himmelblau``, ``SaddleWell``);
* :mod:`booktools.runners` -- ``run_optimizer`` / ``run_rule`` / ``run_minibatch`` -> ``Trajectory``;
  ``train_mlp`` / ``train_mlp_seeds`` -> ``MLPRun`` (a small network on real data);
* :mod:`booktools.plots` -- contours with trajectories, loss curves, comparison grids,
  ``spread`` (mean and min-max band over seeds);
* :mod:`booktools.widgets` -- ``live_explorer`` (ipywidgets) and ``static_explorer`` (no kernel,
  its scrubber in ``widgets/static_explorer.js``), one loss-axis rule for both;
* :mod:`booktools.checks` -- exercise checkers (``check_update``, ``check_unary_op``,
  ``check_matmul_vjp``) and ``check_close`` for the prose's numbers;
* :mod:`booktools.data` -- packaged real datasets (``breast_cancer``, ``diabetes``, ``digits``);
* :mod:`booktools.problems` -- losses of data (``LogisticRegression``, ``LeastSquares``,
  ``sparse_logistic``).

The update-rule convention used by runners, explorers and checkers alike:
``rule(x, g, state, **hyperparameters) -> new_x``, with ``state`` a dict kept across the
steps of one run and ``state["t"]`` the step number 1, 2, ... (see :mod:`booktools.runners`).

Start every chapter with::

    import booktools
    booktools.setup()
"""

from __future__ import annotations

__all__ = ["setup"]


def setup(seed: int = 0):
    """Prepare a notebook: Korean font and book figure style, NumPy print options.

    Returns ``np.random.default_rng(seed)`` so the chapter has one seeded generator.
    """
    import numpy as np

    from .fonts import use_korean_font

    use_korean_font()
    np.set_printoptions(precision=4, suppress=True)
    return np.random.default_rng(seed)
