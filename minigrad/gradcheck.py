"""Check analytic gradients against central finite differences.

For a function ``f`` with tensor output ``y`` we pick a random direction
``v`` of ``y``'s shape and compare, for every input element ``x_i``,

.. math::
    \\frac{\\partial}{\\partial x_i} \\langle v, f(x) \\rangle
    \\approx \\frac{\\langle v, f(x + \\epsilon e_i) \\rangle
                 - \\langle v, f(x - \\epsilon e_i) \\rangle}{2 \\epsilon}

with the vector-Jacobian product that ``backward(v)`` computes. One random
``v`` exercises every entry of the Jacobian, and the central difference has
error :math:`O(\\epsilon^2)`. Everything runs in float64.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


def _check_tolerance(name, value, positive):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"gradcheck: {name} must be a real number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"gradcheck: {name} must be a finite {kind} number, got {value!r}")


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Return True if ``fn``'s gradients match finite differences, else raise.

    ``inputs`` are Tensors (those with ``requires_grad=True`` are checked) or
    other arguments passed through unchanged. The check runs on float64
    copies, so the caller's tensors and their ``.grad`` are left untouched.
    On failure the error names the input, the worst element, and both values.
    A derivative that is not finite (inf or nan, analytic or numerical) is a
    failure too: nan compares false with everything, so it would otherwise pass
    the tolerance test, and near a domain edge the finite difference may step
    outside the domain (``log`` at 1e-7 with ``eps=1e-6``).
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {type(fn).__name__}")
    _check_tolerance("eps", eps, positive=True)
    _check_tolerance("atol", atol, positive=False)
    _check_tolerance("rtol", rtol, positive=False)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"gradcheck: seed must be an integer, got {seed!r}")
    # float inputs in float64 for accurate differences; integer ones (class indices) as they are
    args = [
        Tensor(x.data, requires_grad=x.requires_grad, dtype=np.float64 if x.dtype.kind == "f" else None)
        if isinstance(x, Tensor) else x
        for x in inputs
    ]
    checked = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input tensor has requires_grad=True")

    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    v = np.random.default_rng(seed).standard_normal(out.shape)
    if out.requires_grad:  # else fn ignores its inputs: every analytic gradient is 0
        out.backward(v)

    def projected(*values):
        with no_grad():
            return float(np.sum(v * fn(*values).data))

    for i in checked:
        x = args[i]
        analytic = np.zeros(x.shape) if x.grad is None else x.grad
        numeric = np.zeros(x.shape)
        flat = x.data.reshape(-1)  # a view: perturb in place, then restore
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = projected(*args)
            flat[j] = original - eps
            minus = projected(*args)
            flat[j] = original
            numeric.reshape(-1)[j] = (plus - minus) / (2 * eps)
        for kind, values in (("analytic", analytic), ("numerical", numeric)):
            if not np.all(np.isfinite(values)):
                where = tuple(int(k) for k in np.argwhere(~np.isfinite(values))[0])
                raise GradcheckError(
                    f"gradcheck: {kind} gradient of input {i} (shape {x.shape}) is not finite "
                    f"at index {where}: analytic {analytic[where]:.10g}, numerical "
                    f"{numeric[where]:.10g} (a point on or near the edge of fn's domain?)"
                )
        error = np.abs(analytic - numeric)
        bound = atol + rtol * np.abs(numeric)
        if np.any(error > bound):
            worst = tuple(int(k) for k in np.unravel_index(np.argmax(error - bound), x.shape))
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {x.shape}) is wrong at index {worst}: "
                f"analytic {analytic[worst]:.10g}, numerical {numeric[worst]:.10g}, "
                f"difference {error[worst]:.3g} > atol + rtol*|numerical| = {bound[worst]:.3g}"
            )
    return True
