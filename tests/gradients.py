"""Independent gradient checks used by the engine tests.

``numerical_vjp`` differentiates ``<v, f(x)>`` by central differences on
float64 data, without touching minigrad's backward code, so it is an
independent oracle for the analytic vector-Jacobian products.
"""
import numpy as np

import minigrad as mg


def analytic_vjp(fn, arrays, v):
    tensors = [mg.Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.backward(v)
    return out.data, [t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors]


def numerical_vjp(fn, arrays, v, eps=1e-6):
    """Central differences of <v, fn(arrays)> with respect to each array."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def projected(i):
        def f(x):
            args = [mg.Tensor(x if k == i else b) for k, b in enumerate(arrays)]
            return np.sum(v * fn(*args).data)
        return f

    with mg.no_grad():
        return [finite_difference_grad(projected(i), a, eps) for i, a in enumerate(arrays)]


def assert_vjp_matches(fn, arrays, rng, rtol=1e-5, atol=1e-6):
    """Check backward against finite differences and the dot-product identity."""
    out = fn(*[mg.Tensor(a) for a in arrays]).data
    v = rng.standard_normal(out.shape)
    _, analytic = analytic_vjp(fn, arrays, v)
    numeric = numerical_vjp(fn, arrays, v)
    for i, (ga, gn) in enumerate(zip(analytic, numeric)):
        assert ga.shape == np.shape(arrays[i]), f"gradient {i} has shape {ga.shape}"
        np.testing.assert_allclose(ga, gn, rtol=rtol, atol=atol, err_msg=f"input {i}")
    # dot-product test: <v, J u> (forward difference along a random u) == <J^T v, u>
    us = [rng.standard_normal(np.shape(a)) for a in arrays]
    h = 1e-6
    with mg.no_grad():
        plus = fn(*[mg.Tensor(a + h * u) for a, u in zip(arrays, us)]).data
        minus = fn(*[mg.Tensor(a - h * u) for a, u in zip(arrays, us)]).data
    lhs = np.sum(v * (plus - minus) / (2 * h))
    rhs = sum(np.sum(ga * u) for ga, u in zip(analytic, us))
    assert np.isclose(lhs, rhs, rtol=1e-5, atol=1e-6), (lhs, rhs)


def finite_difference_grad(f, x, h=1e-6):
    """Central-difference gradient of a scalar NumPy function ``f`` at ``x``."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g
