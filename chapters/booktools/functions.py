"""Test functions for the optimizer chapters.

Every test function is a small object with

* ``f(x)``: the value, NumPy, vectorised: ``x`` has shape ``(..., d)`` and the
  result shape ``(...)`` (so a whole contour grid of shape ``(ny, nx, 2)`` is
  evaluated in one call);
* ``grad(x)``: the analytic gradient, shape ``(..., d)``;
* ``f_tensor(p)``: the same formula on a :class:`minigrad.Tensor` of shape
  ``(d,)``, so that ``minigrad`` autograd can compute the gradient too
  (:meth:`TestFunction.autograd_grad`);
* ``minimizer`` / ``f_min``: a global minimiser and the minimum value;
* ``xlim`` / ``ylim``: a plot window that shows the interesting part, and
  ``axis_labels`` for its axes (``("$x$", "$y$")`` or ``("$x_1$", "$x_2$")``);
* ``name_ko`` / ``name_en`` and ``label`` (through :func:`booktools.plots.bi`: the
  edition's language, or ``"한국어 · English"`` outside an edition build).

The formulas are written once, in terms of ``+ - * **`` only, so the same code
evaluates NumPy arrays and minigrad Tensors.

Ready-made instances used across the book:

* :func:`valley` -- ``x**2/20 + y**2`` (the classic comparison figure, start ``(-7, 2)``);
* :func:`elongated_bowl` -- ``0.1*x1**2 + 2*x2**2`` (start ``(-5, -2)``);
* :class:`Rosenbrock`, :class:`Himmelblau`, :class:`SaddleWell`;
* :class:`LongValley` -- a long, gently sloping trough where a method whose step shrinks
  with the accumulated gradient history (AdaGrad) slows down long before it arrives;
* :class:`RotatedQuadratic` -- an ill-conditioned bowl whose axes are turned away from the
  coordinate axes (where a diagonal preconditioner such as AdaGrad's cannot help);
* :class:`LessardCounterexample` -- the smooth, strongly convex 1-D function on which the
  heavy ball with its optimal quadratic tuning never converges;
* :class:`WorstCaseQuadratic` -- Nesterov's worst smooth convex quadratic for first-order
  methods (the lower bound of acceleration).

The optimizer lab (chapter 8) races on a documented collection, each with its known minima
(:func:`ill_conditioned`, :func:`rotated_valley`, :class:`Rosenbrock`, :class:`ScaledRosenbrock`
with :func:`distill_rosenbrock`, :class:`Beale`, :class:`Himmelblau`, :class:`SaddleWell`,
:class:`Rastrigin`); :data:`booktools.lab.RACES` pairs each with its start.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TestFunction",
    "Quadratic",
    "Rosenbrock",
    "Himmelblau",
    "SaddleWell",
    "valley",
    "elongated_bowl",
    "LongValley",
    "RotatedQuadratic",
    "LessardCounterexample",
    "WorstCaseQuadratic",
    "ScaledRosenbrock",
    "Beale",
    "Rastrigin",
    "ill_conditioned",
    "rotated_valley",
    "distill_rosenbrock",
]


def _as_points(x, dim):
    """Return ``x`` as a float64 array of shape ``(..., dim)`` or raise a clear error."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(
            f"expected points with last dimension {dim}, got an array of shape {x.shape}"
        )
    return x


class TestFunction:
    """Base class: subclasses define ``dim`` and ``_expr(*coords)`` and ``_grad(*coords)``.

    ``_expr`` receives the coordinates as separate arrays (or minigrad Tensors)
    and must use arithmetic operators only, so it serves NumPy and autograd alike.
    """

    __test__ = False  # not a pytest test class despite the name

    dim = 2
    name_ko = "함수"
    name_en = "function"
    minimizer = np.zeros(2)
    xlim = (-1.0, 1.0)
    ylim = (-1.0, 1.0)
    axis_labels = ("$x$", "$y$")

    # --- subclasses implement these -------------------------------------------------
    def _expr(self, *c):  # pragma: no cover - abstract
        raise NotImplementedError

    def _grad(self, *c):  # pragma: no cover - abstract
        raise NotImplementedError

    # --- public API -----------------------------------------------------------------
    @property
    def label(self) -> str:
        """Name for titles and legends in the edition's language (``plots.bi``): one
        language when ``BOOK_LANG`` is set, ``"한국어 · English"`` otherwise."""
        from .plots import bi  # lazily: plots imports pyplot, a test function needs not

        return bi(self.name_ko, self.name_en)

    @property
    def f_min(self) -> float:
        """The value at :attr:`minimizer` (the global minimum)."""
        return float(self.f(self.minimizer))

    def f(self, x):
        """Value at points ``x`` of shape ``(..., dim)``; returns shape ``(...)``."""
        x = _as_points(x, self.dim)
        return np.asarray(self._expr(*np.moveaxis(x, -1, 0)), dtype=np.float64)

    __call__ = f

    def grad(self, x):
        """Analytic gradient at points ``x`` of shape ``(..., dim)``; same shape out."""
        x = _as_points(x, self.dim)
        parts = self._grad(*np.moveaxis(x, -1, 0))
        return np.stack(np.broadcast_arrays(*parts), axis=-1).astype(np.float64)

    def f_tensor(self, p):
        """The function of a minigrad Tensor ``p`` of shape ``(dim,)``; returns a scalar Tensor.

        Coordinates are extracted with a dot product against unit vectors, so only
        ``@`` and arithmetic are needed from the Tensor class.
        """
        from minigrad import Tensor

        eye = np.eye(self.dim)
        coords = [p @ Tensor(eye[i]) for i in range(self.dim)]
        return self._expr(*coords)

    def autograd_grad(self, x):
        """Gradient at a single point ``x`` (shape ``(dim,)``) computed by minigrad autograd."""
        from minigrad import Tensor

        x = _as_points(x, self.dim)
        if x.ndim != 1:
            raise ValueError(f"autograd_grad takes one point of shape ({self.dim},), got {x.shape}")
        p = Tensor(x.copy(), requires_grad=True)
        self.f_tensor(p).backward()
        return np.asarray(p.grad, dtype=np.float64)

    def grid(self, n: int = 200, xlim=None, ylim=None):
        """``(X, Y, Z)`` on an ``n``-by-``n`` grid over the plot window (2-D functions only)."""
        if self.dim != 2:
            raise ValueError(f"grid() needs a 2-D function, {self.label} has dim={self.dim}")
        xlim = self.xlim if xlim is None else xlim
        ylim = self.ylim if ylim is None else ylim
        X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
        return X, Y, self.f(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"{type(self).__name__}({self.label!r})"


class Quadratic(TestFunction):
    """Diagonal quadratic ``f(x) = sum_i c_i x_i**2`` in any dimension.

    The Hessian is ``diag(2 c)``, so its eigenvalues are ``2 c_i`` with the
    coordinate axes as eigenvectors; :attr:`condition_number` is
    ``lambda_max / lambda_min``. The minimiser is the origin and ``f_min = 0``.

    >>> q = Quadratic([1/20, 1]); q.eigenvalues, q.condition_number
    (array([0.1, 2. ]), 20.0)
    """

    def __init__(self, coeffs, *, name_ko=None, name_en=None, xlim=None, ylim=None,
                 axis_labels=None):
        c = np.atleast_1d(np.asarray(coeffs, dtype=np.float64))
        if c.ndim != 1 or c.size == 0:
            raise ValueError(f"coeffs must be a non-empty 1-D sequence, got shape {c.shape}")
        if not np.all(c > 0):
            raise ValueError(f"coeffs must all be positive (a convex bowl), got {c.tolist()}")
        self.coeffs = c
        self.dim = c.size
        self.minimizer = np.zeros(self.dim)
        terms = " + ".join(f"{v:g}·x{i + 1}²" for i, v in enumerate(c))
        self.name_ko = name_ko or f"이차 함수 {terms}"
        self.name_en = name_en or f"quadratic {terms}"
        if xlim is not None:
            self.xlim = tuple(xlim)
        if ylim is not None:
            self.ylim = tuple(ylim)
        if axis_labels is not None:
            self.axis_labels = tuple(axis_labels)

    def _expr(self, *c):
        total = self.coeffs[0] * c[0] ** 2
        for ci, xi in zip(self.coeffs[1:], c[1:]):
            total = total + ci * xi**2
        return total

    def _grad(self, *c):
        return [2.0 * ci * xi for ci, xi in zip(self.coeffs, c)]

    @property
    def hessian(self) -> np.ndarray:
        """The constant Hessian ``diag(2 c)``."""
        return np.diag(2.0 * self.coeffs)

    @property
    def eigenvalues(self) -> np.ndarray:
        """Hessian eigenvalues, ascending."""
        return np.sort(2.0 * self.coeffs)

    @property
    def condition_number(self) -> float:
        """``kappa = lambda_max / lambda_min``."""
        ev = self.eigenvalues
        return float(ev[-1] / ev[0])

    def gd_closed_form(self, x0, lr, t):
        """Gradient-descent iterate after ``t`` steps (``t`` scalar or array), in closed form.

        Each eigen-direction contracts independently: ``x_i(t) = (1 - lr*lambda_i)**t x_i(0)``.
        Returns shape ``(len(t), dim)`` for array ``t``, ``(dim,)`` for scalar ``t``.
        """
        x0 = _as_points(x0, self.dim)
        t = np.asarray(t, dtype=np.float64)
        factors = (1.0 - lr * 2.0 * self.coeffs) ** t[..., None]
        return factors * x0


class Rosenbrock(TestFunction):
    """``f(x, y) = (a - x)**2 + b (y - x**2)**2``: a curved, narrow valley; minimum ``(a, a**2)``."""

    name_ko = "로젠브록 함수"
    name_en = "Rosenbrock function"
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)

    def __init__(self, a: float = 1.0, b: float = 100.0):
        if b <= 0:
            raise ValueError(f"Rosenbrock needs b > 0, got b={b}")
        self.a, self.b = float(a), float(b)
        self.minimizer = np.array([self.a, self.a**2])

    def _expr(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, x, y):
        r = y - x**2
        return [-2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r]


class Himmelblau(TestFunction):
    """``f(x, y) = (x**2 + y - 11)**2 + (x + y**2 - 7)**2``: four global minima (value 0),
    a local maximum and four saddle points. :attr:`minimizer` is ``(3, 2)``;
    :attr:`minimizers` lists all four."""

    name_ko = "힘멜블라우 함수"
    name_en = "Himmelblau function"
    xlim = (-5.0, 5.0)
    ylim = (-5.0, 5.0)
    minimizer = np.array([3.0, 2.0])
    minimizers = np.array(
        [
            [3.0, 2.0],
            [-2.805118086952745, 3.131312518250573],
            [-3.779310253377747, -3.283185991286170],
            [3.584428340330492, -1.848126526964404],
        ]
    )

    def _expr(self, x, y):
        return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2

    def _grad(self, x, y):
        u = x**2 + y - 11.0
        v = x + y**2 - 7.0
        return [4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v]


class SaddleWell(TestFunction):
    """``f(x, y) = x**2/2 + y**4/4 - y**2/2``: a saddle point at the origin between two
    minima at ``(0, +-1)`` (value ``-1/4``). Started on the line ``y = 0``, gradient descent
    converges to the saddle; any perturbation in ``y`` escapes, slowly at first."""

    name_ko = "안장점 함수"
    name_en = "saddle function"
    xlim = (-2.0, 2.0)
    ylim = (-1.6, 1.6)
    minimizer = np.array([0.0, 1.0])
    saddle = np.array([0.0, 0.0])

    def _expr(self, x, y):
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def _grad(self, x, y):
        return [x, y**3 - y]


def valley() -> Quadratic:
    """``f(x, y) = x**2/20 + y**2`` (eigenvalues 0.1 and 2, kappa 20); window [-10,10]x[-5,5].

    The classic comparison figure starts at ``(-7, 2)`` and runs 30 iterations.
    """
    return Quadratic(
        [1.0 / 20.0, 1.0],
        name_ko="골짜기 x²/20 + y²",
        name_en="valley x²/20 + y²",
        xlim=(-10.0, 10.0),
        ylim=(-5.0, 5.0),
    )


def elongated_bowl() -> Quadratic:
    """``f(x1, x2) = 0.1 x1**2 + 2 x2**2`` (eigenvalues 0.2 and 4, kappa 20); window [-6,6]x[-3,3].

    The classic comparison figure starts at ``(-5, -2)`` and runs 20 iterations.
    """
    return Quadratic(
        [0.1, 2.0],
        name_ko="길쭉한 그릇 0.1·x1² + 2·x2²",
        name_en="elongated bowl 0.1·x1² + 2·x2²",
        xlim=(-6.0, 6.0),
        ylim=(-3.0, 3.0),
        axis_labels=("$x_1$", "$x_2$"),
    )


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


class RotatedQuadratic(TestFunction):
    """``f(x) = 1/2 x^T H x`` with ``H = R diag(eigenvalues) R^T`` and ``R`` a rotation by
    ``angle_deg`` degrees: the principal axes are turned away from the coordinate axes.

    At ``angle_deg = 0`` it is the diagonal bowl ``Quadratic(eigenvalues / 2)``. The
    minimiser is the origin and ``f_min = 0``.
    """

    def __init__(self, eigenvalues=(0.1, 2.0), angle_deg: float = 45.0, *, xlim=(-10.0, 10.0),
                 ylim=(-7.0, 7.0), name_ko=None, name_en=None):
        lam = np.asarray(eigenvalues, dtype=np.float64)
        if lam.shape != (2,) or not np.all(lam > 0):
            raise ValueError(f"eigenvalues must be two positive numbers, got {eigenvalues!r}")
        a = np.deg2rad(float(angle_deg))
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        self.angle_deg = float(angle_deg)
        self.hessian = (rot * lam) @ rot.T
        self.eigenvalues = np.sort(lam)
        self.condition_number = float(self.eigenvalues[1] / self.eigenvalues[0])
        self.minimizer = np.zeros(2)
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.name_ko = name_ko or f"{angle_deg:g}° 돌린 골짜기"
        self.name_en = name_en or f"valley rotated by {angle_deg:g}°"

    def _expr(self, x, y):
        (h11, h12), (_, h22) = self.hessian
        return 0.5 * (h11 * x * x + 2.0 * h12 * x * y + h22 * y * y)

    def _grad(self, x, y):
        (h11, h12), (_, h22) = self.hessian
        return [h11 * x + h12 * y, h12 * x + h22 * y]


class LessardCounterexample(TestFunction):
    """Lessard, Recht and Packard's (2016, sec. 4.6) function with ``m = 1``, ``L = 25``::

        f(x) = 25 x^2 / 2              for x < 1
               x^2 / 2 + 24 x - 12     for 1 <= x < 2
               25 x^2 / 2 - 24 x + 36  for x >= 2

    It is continuously differentiable, 1-strongly convex and 25-smooth (``f''`` is 25 or 1);
    the minimiser is 0. One-dimensional: points have shape ``(..., 1)``. The pieces need
    comparisons, so only the NumPy ``f``/``grad`` are available (no ``f_tensor``).
    """

    dim = 1
    name_ko = "Lessard 등의 반례"
    name_en = "Lessard et al.'s counterexample"
    minimizer = np.zeros(1)
    xlim = (-3.0, 4.0)
    strong_convexity = 1.0
    smoothness = 25.0

    def f(self, x):
        x = _as_points(x, 1)[..., 0]
        return np.where(x < 1, 12.5 * x * x,
                        np.where(x < 2, 0.5 * x * x + 24 * x - 12, 12.5 * x * x - 24 * x + 36))

    __call__ = f

    def grad(self, x):
        x = _as_points(x, 1)
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))

    def f_tensor(self, p):
        raise NotImplementedError("LessardCounterexample is piecewise: use grad(), not autograd")


class WorstCaseQuadratic(TestFunction):
    """Nesterov's (2004, sec. 2.1.2) worst smooth convex function for first-order methods::

        f(x) = L/4 * ( (x_1^2 + sum_{i<k} (x_i - x_{i+1})^2 + x_k^2) / 2 - x_1 ),  x in R^k

    ``L``-smooth and convex; minimiser ``x*_i = 1 - i/(k+1)``, ``f* = L/8 (1/(k+1) - 1)``.
    From ``x_0 = 0`` every method whose iterate ``t`` lies in the span of the first ``t``
    gradients has ``f(x_t) - f* >= 3 L ||x_0 - x*||^2 / (32 (t+1)^2)`` when ``k = 2t + 1``.
    """

    name_ko = "최악의 이차 함수"
    name_en = "worst-case quadratic"

    def __init__(self, k: int, L: float = 1.0):
        if not (isinstance(k, (int, np.integer)) and k >= 1):
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if not L > 0:
            raise ValueError(f"L must be positive, got L={L}")
        self.dim, self.L = int(k), float(L)
        A = 2.0 * np.eye(k) - np.eye(k, k=1) - np.eye(k, k=-1)
        self.hessian = self.L / 4.0 * A
        self._b = np.zeros(k)
        self._b[0] = self.L / 4.0
        i = np.arange(1, k + 1)
        self.minimizer = 1.0 - i / (k + 1.0)
        self.f_star = self.L / 8.0 * (1.0 / (k + 1.0) - 1.0)

    @property
    def f_min(self) -> float:
        return float(self.f_star)

    def f(self, x):
        x = _as_points(x, self.dim)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.hessian, x) - x @ self._b

    __call__ = f

    def grad(self, x):
        return _as_points(x, self.dim) @ self.hessian - self._b

    def f_tensor(self, p):
        from minigrad import Tensor

        return 0.5 * (p @ (Tensor(self.hessian) @ p)) - p @ Tensor(self._b)


# ------------------------------------------------------------------ the lab's collection


def ill_conditioned() -> Quadratic:
    """``f(x, y) = x**2/200 + y**2/2`` (eigenvalues 0.01 and 1, kappa 100); window
    [-12, 12] x [-6, 6]. Gradient descent needs ``eta < 2`` for the steep direction and then
    contracts the flat one by at most ``1 - 0.01 eta`` per step."""
    return Quadratic(
        [1.0 / 200.0, 0.5],
        name_ko="악조건 이차 함수 (κ = 100)",
        name_en="ill-conditioned quadratic (κ = 100)",
        xlim=(-12.0, 12.0),
        ylim=(-6.0, 6.0),
    )


def rotated_valley() -> RotatedQuadratic:
    """The valley ``x**2/20 + y**2`` (eigenvalues 0.1 and 2) turned by 45 degrees: its axes are
    the diagonals, where a per-coordinate step size cannot follow them."""
    return RotatedQuadratic((0.1, 2.0), 45.0, xlim=(-10.0, 10.0), ylim=(-7.0, 7.0))


class ScaledRosenbrock(TestFunction):
    """``f(w1, w2) = (a - w1)**2 + b (c w2 - w1**2)**2``: a Rosenbrock valley along the parabola
    ``w2 = w1**2 / c``; minimum 0 at ``(a, a**2 / c)``. ``c = 1`` is :class:`Rosenbrock`."""

    name_ko = "비율을 바꾼 로젠브록 함수"
    name_en = "scaled Rosenbrock function"
    axis_labels = ("$w_1$", "$w_2$")

    def __init__(self, a: float = 1.0, b: float = 20.0, c: float = 3.0, *, xlim=(-1.6, 1.6),
                 ylim=(-0.3, 1.1), name_ko=None, name_en=None):
        if not b > 0:
            raise ValueError(f"ScaledRosenbrock needs b > 0, got b={b}")
        if not c != 0:
            raise ValueError(f"ScaledRosenbrock needs c != 0, got c={c}")
        self.a, self.b, self.c = float(a), float(b), float(c)
        self.minimizer = np.array([self.a, self.a**2 / self.c])
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        if name_ko:
            self.name_ko = name_ko
        if name_en:
            self.name_en = name_en

    def _expr(self, x, y):
        return (self.a - x) ** 2 + self.b * (self.c * y - x**2) ** 2

    def _grad(self, x, y):
        r = self.c * y - x**2
        return [-2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * self.c * r]


def distill_rosenbrock() -> ScaledRosenbrock:
    """``(1 - w1)**2 + 20 (3 w2 - w1**2)**2``, the valley of Goh's "Why momentum really works"
    (Distill, 2017), raced there from ``(-1.21, 0.853)``; minimum 0 at ``(1, 1/3)``."""
    return ScaledRosenbrock(1.0, 20.0, 3.0, name_ko="Distill의 로젠브록 함수",
                            name_en="Distill's Rosenbrock function")


class Beale(TestFunction):
    """Beale's function ``sum_i (c_i - x + x y**i)**2`` with ``c = (1.5, 2.25, 2.625)``,
    ``i = 1, 2, 3``: flat plateaus and steep walls; one global minimum 0 at ``(3, 0.5)``."""

    name_ko = "빌 함수"
    name_en = "Beale function"
    xlim = (-4.5, 4.5)
    ylim = (-4.5, 4.5)
    minimizer = np.array([3.0, 0.5])
    _c = (1.5, 2.25, 2.625)

    def _expr(self, x, y):
        total = 0.0
        yi = 1.0
        for c in self._c:
            yi = yi * y
            total = total + (c - x + x * yi) ** 2
        return total

    def _grad(self, x, y):
        gx, gy = 0.0, 0.0
        for i, c in enumerate(self._c, start=1):
            r = c - x + x * y**i
            gx = gx + 2.0 * r * (y**i - 1.0)
            gy = gy + 2.0 * r * i * x * y ** (i - 1)
        return [gx, gy]


def _cos_tensor(t):
    """``cos`` of a minigrad Tensor (minigrad has no trigonometric op; its backward is -sin)."""
    from minigrad.autograd import make_result
    from minigrad import Tensor

    a = t.data

    def backward(g):
        return (-g * np.sin(a),)

    return make_result(Tensor, np.cos(a), (t,), backward, "cos")


class Rastrigin(TestFunction):
    """``f(x) = A d + sum_i (x_i**2 - A cos(2 pi x_i))`` with ``A = 10``: a bowl covered with a
    grid of local minima near the integer points; the global minimum 0 is the origin. The
    local minima sit where ``x_i = -A pi sin(2 pi x_i)`` (just inside each integer)."""

    name_ko = "라스트리긴 함수"
    name_en = "Rastrigin function"
    xlim = (-5.12, 5.12)
    ylim = (-5.12, 5.12)
    minimizer = np.zeros(2)

    def __init__(self, A: float = 10.0):
        if not A > 0:
            raise ValueError(f"Rastrigin needs A > 0, got A={A}")
        self.A = float(A)

    def _cos(self, v):
        return np.cos(v) if isinstance(v, np.ndarray) or np.isscalar(v) else _cos_tensor(v)

    def _expr(self, x, y):
        two_pi = 2.0 * np.pi
        return (2.0 * self.A + x**2 - self.A * self._cos(two_pi * x)
                + y**2 - self.A * self._cos(two_pi * y))

    def _grad(self, x, y):
        two_pi = 2.0 * np.pi
        return [2.0 * x + self.A * two_pi * np.sin(two_pi * x),
                2.0 * y + self.A * two_pi * np.sin(two_pi * y)]

    def local_minimum_near(self, k: int) -> float:
        """The 1-D local minimiser near the integer ``k`` (Newton on ``2x + 2 pi A sin(2 pi x)``)."""
        x = float(k)
        for _ in range(50):
            g = 2.0 * x + 2.0 * np.pi * self.A * np.sin(2.0 * np.pi * x)
            h = 2.0 + 4.0 * np.pi**2 * self.A * np.cos(2.0 * np.pi * x)
            x -= g / h
        return x
