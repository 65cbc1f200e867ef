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

__all__ = ["LogisticRegression", "LeastSquares", "SparseProblem", "sparse_logistic", "QuadraticDeep",
           "wilson_separable", "MatrixRegression"]


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


# ------------------------------------------------------------------ published benchmarks


def _deepobs_rotation(rng, D):
    """DeepOBS's ``random_rotation`` (Diaconis-Shahshahani subgroup algorithm), line for line,
    drawing from ``rng`` in the same order so that the same seed gives the same matrix."""
    t = 2 * np.pi * rng.uniform()
    R = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])
    for d in range(2, D):
        v = rng.normal(size=(d + 1, 1))
        v = v / np.sqrt(v.T @ v)
        e = np.concatenate((np.array([[1.0]]), np.zeros((d, 1))), axis=0)
        x = (e - v) / np.sqrt((e - v).T @ (e - v))
        block = np.vstack([np.hstack([[[1.0]], np.zeros((1, d))]), np.hstack([np.zeros((d, 1)), R])])
        R = block - 2 * np.outer(x, x.T @ block)
    return -R


class QuadraticDeep:
    """DeepOBS's ``quadratic_deep`` test problem (Schneider, Balles & Hennig, 2019), rebuilt from
    the TensorFlow definition in ``deepobs`` 1.1.2:

    * Hessian ``Q = R^T diag(lambda) R``, 100-D: 90 eigenvalues uniform on (0, 1), 10 uniform on
      (30, 60), then the rotation ``R``, all from one ``np.random.RandomState(42)`` in that order
      (the PyTorch port draws the rotation from a second, fresh generator: another problem);
    * data: 1000 training and 1000 test points ``N(0, 0.6^2 I)`` from ``RandomState(42)`` and
      ``RandomState(43)``, stored as float32;
    * per-example loss ``0.5 (theta - x)^T Q (theta - x)``, ``theta`` starts at all ones;
      batches of 128 with the remainder dropped (7 per epoch), 100 epochs; the test loss is the
      mean over the 7 full test batches (896 points).
    """

    dim = 100
    batch_size = 128
    epochs = 100

    def __init__(self):
        rng = np.random.RandomState(42)
        self.eigenvalues = np.concatenate((rng.uniform(0.0, 1.0, 90), rng.uniform(30.0, 60.0, 10)))
        R = _deepobs_rotation(rng, self.dim)
        self.hessian = R.T @ np.diag(self.eigenvalues) @ R
        self.X_train = np.float32(np.random.RandomState(42).normal(0.0, 0.6, (1000, 100))).astype(np.float64)
        self.X_test = np.float32(np.random.RandomState(43).normal(0.0, 0.6, (1000, 100))).astype(np.float64)
        n_eval = (1000 // self.batch_size) * self.batch_size
        self._test = self.X_test[:n_eval]
        self._test_mean = self._test.mean(axis=0)
        # 0.5 mean (theta - x)^T Q (theta - x) = 0.5 (theta - m)^T Q (theta - m) + const
        centred = self._test - self._test_mean
        self._test_const = 0.5 * np.mean(np.einsum("ni,ij,nj->n", centred, self.hessian, centred))
        self.theta0 = np.ones(self.dim)

    def test_loss(self, theta):
        """Mean test loss at ``theta`` (shape ``(..., 100)``)."""
        d = np.asarray(theta, dtype=np.float64) - self._test_mean
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d) + self._test_const

    def run(self, contender, lrs, seed=0):
        """Train ``len(lrs)`` copies of ``theta`` (one per learning rate) with ``contender``, all
        seeing the same minibatches (shuffled by ``np.random.default_rng(seed)``), batched as in
        :func:`booktools.lab.race`. Returns the test loss after every epoch, ``(epochs + 1, K)``."""
        from minigrad.nn import Parameter

        lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
        K = lrs.size
        p = Parameter(np.tile(self.theta0, (K, 1)))
        opt = contender.make([p], float(lrs[0]))
        if np.any(lrs != lrs[0]):
            opt.param_groups[0]["lr"] = lrs[:, None].copy()
        rng = np.random.default_rng(seed)
        n_batches = len(self.X_train) // self.batch_size
        losses = [self.test_loss(p.data)]
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(self.epochs):
                order = rng.permutation(len(self.X_train))
                for b in range(n_batches):
                    batch = self.X_train[order[b * self.batch_size:(b + 1) * self.batch_size]]
                    p.grad = (p.data - batch.mean(axis=0)) @ self.hessian  # Q symmetric
                    opt.step()
                losses.append(self.test_loss(p.data))
        return np.array(losses)


def wilson_separable(n: int, p_positive: float = 0.75, seed: int = 0):
    """Wilson, Roelofs, Stern, Srebro & Recht's (2017, sec. 3.3) least-squares construction.

    Labels ``y_i = +1`` with probability ``p_positive``, else ``-1``. Example ``i`` has ``6 n``
    features: ``x_i1 = y_i``, ``x_i2 = x_i3 = 1``, and ones on its own block starting at
    ``4 + 5 (i - 1)`` (1-based) of length 1 if ``y_i = 1`` and 5 if ``y_i = -1``; zeros
    elsewhere. Returns ``(X, y)``; a fresh test point of label ``y`` is ``(y, 1, 1, 0, ...)``
    on the training features (its own block is a feature no training example has).
    """
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not 0.5 < p_positive < 1.0:
        raise ValueError(f"p_positive must be in (0.5, 1), got {p_positive}")
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < p_positive, 1.0, -1.0)
    X = np.zeros((n, 6 * n))
    X[:, 0], X[:, 1], X[:, 2] = y, 1.0, 1.0
    for i in range(n):
        start = 3 + 5 * i                      # 0-based index of 4 + 5 (i - 1)
        X[i, start:start + (1 if y[i] > 0 else 5)] = 1.0
    return X, y


class MatrixRegression:
    """Least squares with a *matrix* parameter: L(W) = ||X W - Y||_F^2 / (2n), Y = X W*.

    X (n x d) has singular values spread log-evenly so that the Hessian X^T X / n (acting on
    every column of W alike) has eigenvalues from 1 down to 1/kappa, in a random basis: an
    ill-conditioned quadratic that no per-coordinate scaling can fix (``rotated=False``: the
    same spectrum along W's own coordinates, which such a scaling can fix). The minimum is 0
    at W = W*. ``seed`` draws X, W* and the start W0 (entries of standard deviation 0.1).
    """

    def __init__(self, seed: int = 0, n: int = 200, d: int = 32, k: int = 16,
                 kappa: float = 1e3, rotated: bool = True):
        if not (n >= d >= 1 and k >= 1 and kappa >= 1):
            raise ValueError(f"need n >= d >= 1, k >= 1, kappa >= 1; got n={n}, d={d}, k={k}, "
                             f"kappa={kappa}")
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
        V, _ = np.linalg.qr(rng.standard_normal((d, d)))
        sing = np.sqrt(n) * np.logspace(0.0, -0.5 * np.log10(kappa), d)
        # rotated=False keeps the Hessian diagonal in W's coordinates (same spectrum)
        self.X = (Q * sing) @ V.T if rotated else Q * sing
        self.W_star = rng.standard_normal((d, k))
        self.Y = self.X @ self.W_star
        self.W0 = 0.1 * rng.standard_normal((d, k))
        self.n, self.kappa = n, kappa
        self.hessian_eigenvalues = sing**2 / n

    def loss(self, W) -> float:
        R = self.X @ W - self.Y
        return 0.5 * float(np.sum(R * R)) / self.n

    def grad(self, W) -> np.ndarray:
        return self.X.T @ (self.X @ W - self.Y) / self.n

    def run(self, optimizer, n_steps: int, scheduler=None) -> np.ndarray:
        """Full-batch training from W0; ``optimizer`` is a factory ``params -> optimizer`` (or
        a class), ``scheduler`` an optional factory ``optimizer -> scheduler`` stepped after
        every update. Returns the losses after 0, 1, ..., n_steps updates; for an optimizer
        with ``train()``/``eval()`` (Schedule-Free), the loss at its ``eval()`` point."""
        from minigrad.nn import Parameter

        from .runners import has_eval_mode

        W = Parameter(self.W0.copy())
        opt = optimizer([W])
        sched = scheduler(opt) if scheduler is not None else None
        switches = has_eval_mode(opt)
        losses = [self.loss(W.data)]
        for _ in range(n_steps):
            if switches:
                opt.train()
            W.grad = self.grad(W.data)
            opt.step()
            if sched is not None:
                sched.step()
            if switches:
                opt.eval()
            losses.append(self.loss(W.data))
        return np.array(losses)
