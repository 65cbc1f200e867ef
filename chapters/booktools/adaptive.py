"""Problems for the adaptive-learning-rate chapters (AdaGrad, RMSProp, Adam).

* :class:`LongValley` -- a long, gently sloping trough
  ``f(x, y) = delta * (sqrt(delta**2 + x**2) - delta) + c * y**2``. Far from the minimum
  the slope along ``x`` is almost constant (``|df/dx| -> delta``), so a method whose step
  shrinks with the accumulated gradient history (AdaGrad) slows down long before it
  arrives, while a method that forgets old gradients (RMSProp) keeps its pace.
* :func:`sparse_logistic` -- a synthetic binary classification problem with a few
  *frequent* weakly informative 0/1 features and many *rare* strongly informative ones,
  returned as a :class:`booktools.problems.LogisticRegression` together with its exact
  minimiser (Newton's method), so that minibatch runs can be measured by their loss gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .functions import TestFunction
from .problems import LogisticRegression

__all__ = ["LongValley", "SparseProblem", "sparse_logistic"]


class LongValley(TestFunction):
    """``f(x, y) = delta * (sqrt(delta**2 + x**2) - delta) + c * y**2``; minimum 0 at the origin.

    Near the origin ``f ~ x**2/2 + c y**2`` (a bowl); for ``|x| >> delta`` the function
    grows linearly in ``x`` with slope ``delta``: a long valley floor that slopes down
    to the minimum. Window ``[-45, 5] x [-3, 3]`` by default.
    """

    name_ko = "긴 골짜기"
    name_en = "long valley"

    def __init__(self, delta: float = 1.0, c: float = 1.0, xlim=(-45.0, 5.0), ylim=(-3.0, 3.0)):
        if not delta > 0:
            raise ValueError(f"LongValley needs delta > 0, got delta={delta}")
        if not c > 0:
            raise ValueError(f"LongValley needs c > 0, got c={c}")
        self.delta, self.c = float(delta), float(c)
        self.minimizer = np.zeros(2)
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)

    def _expr(self, x, y):
        d = self.delta
        return d * ((x * x + d * d) ** 0.5 - d) + self.c * y * y

    def _grad(self, x, y):
        d = self.delta
        return [d * x / np.sqrt(x * x + d * d), 2.0 * self.c * y]


@dataclass
class SparseProblem:
    """A :func:`sparse_logistic` problem: the loss, its minimiser and the feature layout."""

    problem: LogisticRegression
    w_star: np.ndarray
    f_star: float
    frequent: np.ndarray  # column indices of the frequent features
    rare: np.ndarray  # column indices of the rare features
    w_true: np.ndarray  # the weights that generated the labels

    @property
    def feature_frequency(self) -> np.ndarray:
        """Fraction of examples in which each column is non-zero."""
        return (self.problem.X != 0).mean(axis=0)


def _newton(problem: LogisticRegression, n_iter: int = 100, tol: float = 1e-13) -> np.ndarray:
    X, n = problem.X, problem.n
    w = np.zeros(problem.dim)
    for _ in range(n_iter):
        s = 0.5 * (1.0 + np.tanh(0.5 * (X @ w)))
        H = X.T @ (X * (s * (1.0 - s))[:, None]) / n + problem.l2 * np.eye(problem.dim)
        step = np.linalg.solve(H, problem.grad(w))
        w = w - step
        if np.max(np.abs(step)) < tol:
            break
    return w


def sparse_logistic(n: int = 2000, n_frequent: int = 10, n_rare: int = 40, *,
                    p_frequent: float = 0.5, p_rare: float = 0.01, frequent_scale: float = 0.3,
                    rare_weight: float = 2.5, l2: float = 1e-3, seed: int = 0) -> SparseProblem:
    """A logistic regression with frequent and rare binary features.

    Feature ``j`` is 1 in an example with probability ``p_frequent`` (the first
    ``n_frequent`` columns) or ``p_rare`` (the next ``n_rare`` columns), else 0; a last
    column of ones is the bias. The labels are drawn from ``sigmoid(X w_true)`` with
    ``w_true ~ N(0, frequent_scale**2)`` on the frequent features and
    ``+-rare_weight`` on the rare ones (rare but informative, as words in text).
    The loss includes ``l2/2 ||w||^2`` so that the minimiser is unique; it is found by
    Newton's method to machine precision.
    """
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if n_frequent < 0 or n_rare < 0 or n_frequent + n_rare == 0:
        raise ValueError(f"need n_frequent, n_rare >= 0 and at least one feature, got {n_frequent}, {n_rare}")
    for name, p in (("p_frequent", p_frequent), ("p_rare", p_rare)):
        if not 0.0 < p <= 1.0:
            raise ValueError(f"{name} must be in (0, 1], got {p}")
    if not l2 > 0:
        raise ValueError(f"l2 must be > 0 (it makes the minimiser unique), got {l2}")
    rng = np.random.default_rng(seed)
    p = np.r_[np.full(n_frequent, p_frequent), np.full(n_rare, p_rare)]
    X = (rng.random((n, p.size)) < p).astype(np.float64)
    w_true = np.r_[rng.normal(0.0, frequent_scale, n_frequent),
                   rng.choice([-1.0, 1.0], n_rare) * rare_weight]
    X = np.hstack([X, np.ones((n, 1))])
    w_true = np.r_[w_true, 0.0]
    z = X @ w_true
    y = (rng.random(n) < 0.5 * (1.0 + np.tanh(0.5 * z))).astype(np.float64)
    problem = LogisticRegression(X, y, l2=l2)
    problem.name_ko, problem.name_en = "희소 특성 로지스틱 회귀", "sparse-feature logistic regression"
    w_star = _newton(problem)
    return SparseProblem(problem, w_star, float(problem.f(w_star)),
                         np.arange(n_frequent), np.arange(n_frequent, n_frequent + n_rare), w_true)
