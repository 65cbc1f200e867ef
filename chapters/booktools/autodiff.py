"""Checkers for the exercises of chapter 1 (automatic differentiation).

Each checker runs the reader's code on several inputs, compares it with an
independent reference (central finite differences, or minigrad's own
backward pass) and raises ``AssertionError`` with a message that names the
input, the expected value and the value obtained. On success it prints one
line and returns ``True``.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

__all__ = ["check_unary_op", "check_matmul_vjp"]

_DEFAULT_POINTS = (-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0)


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= atol + rtol * abs(b)


def check_unary_op(
    value_cls,
    op: Callable,
    f: Callable[[float], float],
    points: Sequence[float] = _DEFAULT_POINTS,
    h: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> bool:
    """Check a one-input operation of a scalar autodiff class.

    ``value_cls`` is the chapter's ``Value`` class (anything with ``.data``,
    ``.grad`` and ``.backward()``); ``op(v)`` applies the operation to a
    ``Value``; ``f(x)`` is the same function on plain floats. At every point
    the result's ``.data`` must equal ``f(x)`` and the input's ``.grad``
    after ``backward()`` must equal the central difference
    ``(f(x+h) - f(x-h)) / (2h)``.
    """
    if not points:
        raise ValueError("check_unary_op: points must not be empty")
    for x in points:
        x = float(x)
        v = value_cls(x)
        out = op(v)
        if not isinstance(out, value_cls):
            raise AssertionError(
                f"at x = {x}: the operation returned {type(out).__name__}, "
                f"expected a {value_cls.__name__} (did you wrap the result?)"
            )
        expected = f(x)
        if not _close(out.data, expected, rtol, atol):
            raise AssertionError(
                f"forward value wrong at x = {x}: got {out.data!r}, expected {expected!r}"
            )
        out.backward()
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        if not _close(v.grad, numeric, 1e-5, 1e-7):
            raise AssertionError(
                f"gradient wrong at x = {x}: backward gave {v.grad!r}, "
                f"central difference gives {numeric!r}"
            )
    print(f"OK: value and gradient agree with f and its finite difference at {len(points)} points")
    return True


def check_matmul_vjp(vjp: Callable, seed: int = 0) -> bool:
    """Check a vector-Jacobian product for ``C = A @ B``.

    ``vjp(A, B, C_bar)`` must return ``(A_bar, B_bar)``: the gradients of
    ``sum(C_bar * (A @ B))`` with respect to ``A`` and ``B``. They are compared
    with minigrad's backward pass for several shapes.
    """
    from minigrad import Tensor

    rng = np.random.default_rng(seed)
    for n, k, m in [(3, 4, 2), (1, 5, 1), (4, 1, 3), (2, 2, 2)]:
        A = rng.standard_normal((n, k))
        B = rng.standard_normal((k, m))
        C_bar = rng.standard_normal((n, m))
        got = vjp(A.copy(), B.copy(), C_bar.copy())
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError("vjp must return a pair (A_bar, B_bar)")
        tA, tB = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
        (tA @ tB).backward(C_bar)
        for name, mine, ref in [("A_bar", got[0], tA.grad), ("B_bar", got[1], tB.grad)]:
            mine = np.asarray(mine)
            if mine.shape != ref.shape:
                raise AssertionError(
                    f"A {A.shape} @ B {B.shape}: {name} has shape {mine.shape}, expected {ref.shape}"
                )
            if not np.allclose(mine, ref, rtol=1e-10, atol=1e-12):
                worst = np.unravel_index(np.argmax(np.abs(mine - ref)), ref.shape)
                raise AssertionError(
                    f"A {A.shape} @ B {B.shape}: {name}{list(worst)} = {mine[worst]:.6g}, "
                    f"expected {ref[worst]:.6g}"
                )
    print("OK: A_bar and B_bar match minigrad's backward for 4 shapes")
    return True
