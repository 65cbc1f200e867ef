"""Loss functions of data, with the same interface as the test functions.

A problem has ``f(w)`` (full-data loss, vectorised over leading axes of ``w``),
``grad(w)`` (full gradient), ``minibatch_grad(w, idx)`` (mean gradient over the
examples ``idx``), ``per_example_grads(w)`` (shape ``(n, d)``, for measuring gradient
noise), ``f_tensor(p)`` (minigrad autograd) and ``n``/``dim``. Trajectory runners and
plots accept them like test functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LogisticRegression", "LeastSquares"]


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
        return f"{self.name_ko} · {self.name_en}"

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
