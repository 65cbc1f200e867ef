"""The optimizer lab (chapter 8): who races, on what, and a batched runner that moves many
trajectories with one optimizer step.

* :data:`CONTENDERS` -- the one list of methods the lab races (a name, a ``minigrad.optim``
  class and the hyperparameters that make the method, e.g. ``momentum=0.9``). Adding an
  optimizer to the lab is adding one line here.
* :data:`RACES` -- the test functions of :mod:`booktools.functions` with their starts.
* :func:`race` -- runs ``K`` trajectories of every contender at once. All trajectories live
  in one stacked array of shape ``(C * K, 2)``; each contender's ``minigrad`` parameter is a
  view of its ``K`` rows, so one ``step()`` call moves all of them, and one vectorised
  ``fn.grad`` call per iteration serves every contender. Different learning rates for the
  ``K`` rows are a column array in the parameter group: every ``minigrad`` optimizer is
  element-wise, so the rows never mix (``tests/book/test_lab.py`` asserts that the result
  equals the optimizer classes run one trajectory at a time, to rounding).
* :func:`tune` -- a grid search over learning rates declared before looking, the same grid
  (the same number of trials) for every contender, scored by the final loss gap.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from . import functions
from .runners import Trajectory

__all__ = ["Contender", "CONTENDERS", "RaceSpec", "RACES", "RaceResult", "race", "race_unbatched",
           "TuneResult", "tune", "LR_GRID", "iterations_to"]


@dataclass(frozen=True)
class Contender:
    """One method of the race: ``optimizer`` (a ``minigrad.optim`` class) with ``fixed``
    hyperparameters besides the learning rate (``{"momentum": 0.9}`` makes SGD the heavy ball)."""

    name: str
    optimizer: type
    fixed: dict = field(default_factory=dict)

    @property
    def default_lr(self) -> float:
        """The framework's default learning rate (the class's ``lr`` default, as in PyTorch)."""
        return float(inspect.signature(self.optimizer).parameters["lr"].default)

    def make(self, params, lr):
        """The optimizer on ``params`` with this learning rate and the fixed hyperparameters."""
        return self.optimizer(params, lr=lr, **self.fixed)


def _contenders():
    from minigrad.optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop

    return (
        Contender("SGD", SGD),
        Contender("Momentum", SGD, {"momentum": 0.9}),
        Contender("Nesterov", SGD, {"momentum": 0.9, "nesterov": True}),
        Contender("AdaGrad", Adagrad),
        Contender("RMSProp", RMSprop),
        Contender("Adadelta", Adadelta),
        Contender("Adam", Adam),
        Contender("AdamW", AdamW),
        Contender("Adamax", Adamax),
        Contender("NAdam", NAdam),
    )


#: Every method the book teaches, in the book's order (the lab's single list).
CONTENDERS: tuple = _contenders()

#: The declared learning-rate search space: 10^(k/4) for k = -16..4, i.e. 1e-4 ... 10,
#: four points per decade, the same 21 trials for every contender.
LR_GRID = 10.0 ** (np.arange(-16, 5) / 4.0)


@dataclass(frozen=True)
class RaceSpec:
    """A test function, the start of the race and the number of iterations."""

    key: str
    fn: object
    start: tuple
    n_steps: int = 200


def _races():
    rosen = functions.Rosenbrock()
    rosen.xlim, rosen.ylim = (-2.5, 2.0), (-1.0, 3.5)   # the start (-2, 2) inside the window
    saddle = functions.SaddleWell()
    return {
        "ill": RaceSpec("ill", functions.ill_conditioned(), (-10.0, 4.0)),
        "rotated": RaceSpec("rotated", functions.rotated_valley(), (-8.0, 2.0)),
        "rosenbrock": RaceSpec("rosenbrock", rosen, (-2.0, 2.0)),
        "distill": RaceSpec("distill", functions.distill_rosenbrock(), (-1.21, 0.853)),
        "beale": RaceSpec("beale", functions.Beale(), (1.0, 1.5)),
        "himmelblau": RaceSpec("himmelblau", functions.Himmelblau(), (-0.3, -0.9)),
        "saddle": RaceSpec("saddle", saddle, (-1.8, 1e-3)),
        "rastrigin": RaceSpec("rastrigin", functions.Rastrigin(), (-3.6, 2.4)),
    }


#: The lab's collection of races, keyed by a short name.
RACES: dict = _races()


@dataclass
class RaceResult:
    """Trajectories of ``C`` contenders times ``K`` runs each.

    ``points`` has shape ``(n_steps + 1, C, K, 2)``, ``losses`` ``(n_steps + 1, C, K)``,
    ``lrs`` ``(C, K)``.
    """

    fn: object
    contenders: tuple
    points: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray

    @property
    def n_steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def gaps(self) -> np.ndarray:
        """``f(x_t) - f*``, shape ``(n_steps + 1, C, K)``."""
        return self.losses - self.fn.f_min

    def trajectory(self, c: int, k: int = 0) -> Trajectory:
        name = self.contenders[c].name
        return Trajectory(self.points[:, c, k].copy(), self.losses[:, c, k].copy(),
                          f"{name} η={self.lrs[c, k]:.3g}",
                          {"method": name, "lr": float(self.lrs[c, k])})


def _stack(contenders, starts, lrs):
    contenders = tuple(contenders)
    if not contenders:
        raise ValueError("race() needs at least one contender")
    C = len(contenders)
    starts = np.asarray(starts, dtype=np.float64)
    if starts.ndim == 1:
        starts = starts[None, :]
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must be a point (2,) or points (K, 2), got shape {starts.shape}")
    if lrs is None:
        lrs = np.array([[c.default_lr] for c in contenders])
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim == 1 and lrs.shape[0] == C and C != starts.shape[0]:
        lrs = lrs[:, None]   # one learning rate per contender
    try:
        K = np.broadcast_shapes((starts.shape[0],), lrs.shape[-1:])[0]
        lrs = np.broadcast_to(lrs, (C, K)).copy()
    except ValueError:
        raise ValueError(f"learning rates of shape {lrs.shape} do not fit {C} contenders and "
                         f"{starts.shape[0]} starts (use (C,), (K,) or (C, K))") from None
    if not np.all(np.isfinite(lrs) & (lrs >= 0)):
        raise ValueError(f"learning rates must be finite and >= 0, got {lrs.ravel()[:8]}")
    return contenders, np.broadcast_to(starts, (K, 2)), lrs, C, K


def race(fn, contenders, starts, n_steps: int, lrs=None) -> RaceResult:
    """Run every contender from every start, batched: one ``fn.grad`` call per iteration for
    all trajectories, one ``step()`` per contender per iteration for its ``K`` trajectories.

    ``starts`` is a point ``(2,)`` or ``K`` points ``(K, 2)``; ``lrs`` is None (each
    contender's default), one per contender ``(C,)``, one per run ``(K,)`` or ``(C, K)``.
    """
    from minigrad.nn import Parameter

    if not (isinstance(n_steps, (int, np.integer)) and n_steps >= 0):
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    contenders, starts, lrs, C, K = _stack(contenders, starts, lrs)
    stacked = np.tile(starts, (C, 1))                   # row c*K + k: contender c, run k
    blocks, optimizers = [], []
    for c, contender in enumerate(contenders):
        p = Parameter(np.zeros((K, 2)))
        p.data = stacked[c * K:(c + 1) * K]             # a view: step() moves the stack in place
        column = lrs[c]
        opt = contender.make([p], float(column[0]))
        if np.any(column != column[0]):                 # element-wise rules: a column broadcasts
            opt.param_groups[0]["lr"] = column[:, None].copy()
        blocks.append(p)
        optimizers.append(opt)
    points = np.empty((n_steps + 1, C * K, 2))
    points[0] = stacked
    g = np.empty_like(stacked)
    formula = getattr(fn, "_grad", None) if isinstance(fn, functions.TestFunction) else None

    def gradient():
        # the test function's own formula on the two columns skips fn.grad's shape checks and
        # stacking (most of its cost on small arrays); any other object goes through fn.grad
        if formula is None:
            g[:] = fn.grad(stacked)
        else:
            g[:, 0], g[:, 1] = formula(stacked[:, 0], stacked[:, 1])
        return g

    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, n_steps + 1):
            g = gradient()
            for c, (p, opt) in enumerate(zip(blocks, optimizers)):
                p.grad = g[c * K:(c + 1) * K]
                opt.step()
            points[t] = stacked
        losses = fn.f(points)
    return RaceResult(fn, contenders, points.reshape(n_steps + 1, C, K, 2),
                      losses.reshape(n_steps + 1, C, K), lrs)


def race_unbatched(fn, contenders, starts, n_steps: int, lrs=None) -> RaceResult:
    """The same race, one :func:`~booktools.runners.run_optimizer` call per trajectory: the
    reference the batched runner must equal, and the baseline of ``benchmarks/bench_lab.py``."""
    from .runners import run_optimizer

    contenders, starts, lrs, C, K = _stack(contenders, starts, lrs)
    points = np.empty((n_steps + 1, C, K, 2))
    losses = np.empty((n_steps + 1, C, K))
    for c, contender in enumerate(contenders):
        for k in range(K):
            tr = run_optimizer(fn, starts[k], n_steps, contender.optimizer, lr=float(lrs[c, k]),
                               **contender.fixed)
            points[:, c, k], losses[:, c, k] = tr.points, tr.losses
    return RaceResult(fn, contenders, points, losses, lrs)


def iterations_to(gaps: np.ndarray, tol: float) -> np.ndarray:
    """First iteration ``t`` with ``gaps[t] <= tol`` along axis 0, or -1 if never (per run)."""
    gaps = np.asarray(gaps, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        hit = np.nan_to_num(gaps, nan=np.inf) <= tol
    first = np.argmax(hit, axis=0)
    return np.where(hit.any(axis=0), first, -1)


@dataclass
class TuneResult:
    """A grid search: ``scores[c, k]`` is the final gap of contender ``c`` at ``grid[k]``
    (``inf`` if it diverged); ``best[c]`` the grid index chosen."""

    grid: np.ndarray
    scores: np.ndarray
    best: np.ndarray
    result: RaceResult

    @property
    def best_lr(self) -> np.ndarray:
        return self.grid[self.best]

    @property
    def n_trials(self) -> int:
        return len(self.grid)


def tune(fn, contenders, start, n_steps: int, grid=LR_GRID) -> TuneResult:
    """Grid search over learning rates, one batched race for all contenders and grid points.

    The score is the final loss gap ``f(x_T) - f*`` (non-finite counts as ``inf``); the
    smallest score wins, a tie goes to the smaller learning rate. Every contender gets the
    same grid, so the same number of trials.
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"grid must be a non-empty increasing 1-D array, got {grid!r}")
    result = race(fn, contenders, start, n_steps, lrs=grid)
    final = result.gaps[-1]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(final) | ~np.all(np.isfinite(result.gaps), axis=0)
    scores = np.where(bad, np.inf, final)
    return TuneResult(grid, scores, np.argmin(scores, axis=1), result)
