"""Loss functions of data, with the same interface as the test functions.

A problem has ``f(w)`` (full-data loss, vectorised over leading axes of ``w``),
``grad(w)`` (full gradient), ``minibatch_grad(w, idx)`` (mean gradient over the
examples ``idx``), ``per_example_grads(w)`` (shape ``(n, d)``, for measuring gradient
noise), ``f_tensor(p)`` (minigrad autograd) and ``n``/``dim``. Trajectory runners and
plots accept them like test functions.

:func:`sparse_logistic` builds a logistic regression with a few frequent, weakly
informative 0/1 features and many rare, strongly informative ones, returned with its
exact minimiser (Newton's method) so that runs can be measured by their loss gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LogisticRegression", "LeastSquares", "SparseProblem", "sparse_logistic"]


class _DataProblem:
    __test__ = False
    name_ko = "문제"
    name_en = "problem"

    def __init__(self, X, y, l2: float = 0.0):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
        if l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {l2}")
        self.X, self.y, self.l2 = X, y, float(l2)
        self.n, self.dim = X.shape

    @property
    def label(self) -> str:
        """Name for titles and legends in the edition's language (``plots.bi``)."""
        from .plots import bi  # lazily: plots imports pyplot, a test function needs not

        return bi(self.name_ko, self.name_en)

    def _check(self, w):
        w = np.asarray(w, dtype=np.float64)
        if w.shape[-1:] != (self.dim,):
            raise ValueError(f"weights must have last dimension {self.dim}, got shape {w.shape}")
        return w

    def autograd_grad(self, w):
        """Full gradient at ``w`` (shape ``(d,)``) computed by minigrad autograd from :meth:`f_tensor`."""
        from minigrad import Tensor

        p = Tensor(self._check(w).copy(), requires_grad=True)
        self.f_tensor(p).backward()
        return np.asarray(p.grad, dtype=np.float64)

    def per_example_grads(self, w):
        """Gradient of each example's loss (plus the L2 term), shape ``(n, d)``."""
        w = self._check(w)
        return self._residual(self.X @ w, self.y)[:, None] * self.X + self.l2 * w

    def minibatch_grad(self, w, idx):
        """Mean gradient over the examples ``idx`` (an index array)."""
        w = self._check(w)
        Xb = self.X[idx]
        return Xb.T @ self._residual(Xb @ w, self.y[idx]) / len(Xb) + self.l2 * w

    def grad(self, w):
        """Full-data gradient (mean over all ``n`` examples)."""
        return self.minibatch_grad(w, slice(None))

    def f(self, w):
        """Full-data loss; ``w`` may have leading batch axes, shape ``(..., d)``."""
        w = self._check(w)
        z = w @ self.X.T  # (..., n)
        return self._loss(z, self.y).mean(axis=-1) + 0.5 * self.l2 * (w * w).sum(axis=-1)

    __call__ = f


class LogisticRegression(_DataProblem):
    """Mean binary cross-entropy of ``sigmoid(X w)`` against labels ``y`` in {0, 1},
    plus ``l2/2 * ||w||^2``. Gradient: ``X^T (sigmoid(Xw) - y) / n + l2 w``."""

    name_ko = "로지스틱 회귀"
    name_en = "logistic regression"

    @staticmethod
    def _loss(z, y):
        return np.logaddexp(0.0, z) - y * z

    @staticmethod
    def _residual(z, y):
        return 0.5 * (1.0 + np.tanh(0.5 * z)) - y  # sigmoid without overflow

    def f_tensor(self, p):
        """Same loss on a minigrad Tensor ``p`` of shape ``(d,)``."""
        from minigrad import Tensor
        from minigrad.nn import functional as F

        z = Tensor(self.X) @ p
        loss = F.binary_cross_entropy_with_logits(z, Tensor(self.y))
        return loss + 0.5 * self.l2 * (p * p).sum() if self.l2 else loss

    def accuracy(self, w, X=None, y=None):
        """Fraction of correct 0/1 predictions (training data unless ``X, y`` given)."""
        X = self.X if X is None else X
        y = self.y if y is None else y
        return float(np.mean((X @ np.asarray(w) > 0) == (y > 0.5)))


class LeastSquares(_DataProblem):
    """``(1/2n) ||X w - y||^2 + l2/2 ||w||^2``. Gradient ``X^T (Xw - y)/n + l2 w``;
    Hessian ``X^T X / n + l2 I`` (:attr:`hessian`)."""

    name_ko = "최소 제곱"
    name_en = "least squares"

    @staticmethod
    def _loss(z, y):
        return 0.5 * (z - y) ** 2

    @staticmethod
    def _residual(z, y):
        return z - y

    @property
    def hessian(self):
        return self.X.T @ self.X / self.n + self.l2 * np.eye(self.dim)

    def solve(self):
        """The exact minimiser (normal equations)."""
        return np.linalg.solve(self.hessian, self.X.T @ self.y / self.n)

    def f_tensor(self, p):
        from minigrad import Tensor

        r = Tensor(self.X) @ p - Tensor(self.y)
        loss = (r * r).sum() * (0.5 / self.n)
        return loss + 0.5 * self.l2 * (p * p).sum() if self.l2 else loss


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
