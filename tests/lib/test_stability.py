"""Extreme inputs give finite values and gradients, and NumPy emits no warning
(pyproject turns RuntimeWarning into an error for the whole suite)."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

EXTREME = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]])


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def finite_value_and_grad(fn, x):
    x = mg.Tensor(x, requires_grad=True)
    y = fn(x)
    y.backward(np.ones(y.shape))
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))
    return y.data, x.grad


def test_sigmoid_extremes():
    y, g = finite_value_and_grad(F.sigmoid, np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(y, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(g, [0.0, 0.25, 0.0])


def test_sigmoid_keeps_relative_precision_in_the_left_tail():
    y = F.sigmoid(mg.Tensor([-40.0])).data[0]
    assert y == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-12)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, lambda x: F.logsumexp(x, axis=1)])
def test_softmax_family_extremes(fn):
    y, _ = finite_value_and_grad(fn, EXTREME)
    if fn is F.softmax:
        np.testing.assert_allclose(y.sum(axis=1), 1.0)


def test_logsumexp_values_at_extremes():
    np.testing.assert_allclose(F.logsumexp(mg.Tensor(EXTREME), axis=1).data, [1000.0, 1000.0])
    assert F.logsumexp(mg.Tensor([-np.inf, -np.inf])).data == -np.inf


def test_cross_entropy_extremes():
    loss, grad = finite_value_and_grad(lambda x: F.cross_entropy(x, np.array([1, 2])), EXTREME)
    assert loss == pytest.approx(1000.0)  # (2000 + 0) / 2
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_bce_with_logits_extremes():
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    loss, grad = finite_value_and_grad(lambda z: F.binary_cross_entropy_with_logits(z, t, reduction="none"), x)
    np.testing.assert_allclose(loss, [0.0, 0.0, 1000.0, 1000.0])
    np.testing.assert_allclose(grad, [0.0, 0.0, 1.0, -1.0])
