"""Every differentiable op: backward vs finite differences and the VJP dot-product test,
over shapes drawn by hypothesis (broadcastable pairs included)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import minigrad as mg
import minigrad.nn.functional as F

from gradients import assert_vjp_matches

seeds = st.integers(0, 2**32 - 1)
pair_shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def away_from_zero(rng, shape, low=0.3, high=2.0):
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


BINARY = {
    "add": (lambda a, b: a + b, "any"),
    "sub": (lambda a, b: a - b, "any"),
    "mul": (lambda a, b: a * b, "any"),
    "div": (lambda a, b: a / b, "nonzero"),
    "pow": (lambda a, b: a**b, "positive"),
}


@pytest.mark.parametrize("name", BINARY)
@given(shapes=pair_shapes, seed=seeds)
def test_binary_op_gradients_with_broadcasting(name, shapes, seed):
    fn, domain = BINARY[name]
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = rng.uniform(0.5, 2, sa) if domain == "positive" else rng.standard_normal(sa)
    b = away_from_zero(rng, sb) if domain == "nonzero" else rng.standard_normal(sb)
    assert_vjp_matches(fn, [a, b], rng)


REVERSED = {
    "scalar - x": lambda x: 2.5 - x,
    "scalar / x": lambda x: 2.5 / x,
    "scalar ** x": lambda x: 1.7**x,
    "x ** scalar": lambda x: x**3,
    "x ** -0.5": lambda x: x**-0.5,
    "array + x": lambda x: np.full(x.shape, 1.5) + x,
    "array * x": lambda x: np.linspace(-1, 1, x.data.size).reshape(x.shape) * x,
    "-x": lambda x: -x,
    "x * x (same tensor twice)": lambda x: x * x,
}


@pytest.mark.parametrize("name", REVERSED)
@given(shape=shapes, seed=seeds)
def test_operators_with_constants(name, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 2, shape)
    assert_vjp_matches(REVERSED[name], [x], rng)


MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 2)), ((5, 2, 3), (3,)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_gradients(sa, sb):
    rng = np.random.default_rng(1)
    assert_vjp_matches(lambda a, b: a @ b, [rng.standard_normal(sa), rng.standard_normal(sb)], rng)


def test_matmul_with_constant_on_either_side():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((3, 4))
    assert_vjp_matches(lambda x: x @ w, [rng.standard_normal((2, 3))], rng)
    assert_vjp_matches(lambda x: w.T @ x, [rng.standard_normal((3, 2))], rng)


UNARY = {
    "exp": (lambda x: x.exp(), "any"),
    "log": (lambda x: x.log(), "positive"),
    "sqrt": (lambda x: x.sqrt(), "positive"),
    "abs": (lambda x: x.abs(), "nonzero"),
    "tanh": (lambda x: x.tanh(), "any"),
    "sigmoid": (lambda x: x.sigmoid(), "any"),
    "relu": (lambda x: x.relu(), "nonzero"),
    "F.relu": (F.relu, "nonzero"),
    "F.sigmoid": (F.sigmoid, "any"),
    "F.tanh": (F.tanh, "any"),
}


@pytest.mark.parametrize("name", UNARY)
@given(shape=shapes, seed=seeds)
def test_unary_gradients(name, shape, seed):
    fn, domain = UNARY[name]
    rng = np.random.default_rng(seed)
    x = {"any": rng.standard_normal(shape) * 2, "positive": rng.uniform(0.2, 3, shape),
         "nonzero": away_from_zero(rng, shape)}[domain]
    assert_vjp_matches(fn, [x], rng)


@st.composite
def shape_and_axis(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    axis = draw(st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1),
        st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim).map(tuple),
    ))
    return shape, axis


@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@given(case=shape_and_axis(), keepdims=st.booleans(), seed=seeds)
def test_reduction_gradients(reduction, case, keepdims, seed):
    shape, axis = case
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape) / 3  # no ties
    assert_vjp_matches(lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), [x], rng)
    expected = getattr(np, {"max": "max", "sum": "sum", "mean": "mean"}[reduction])(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(getattr(mg.Tensor(x), reduction)(axis=axis, keepdims=keepdims).data, expected)


def test_max_splits_gradient_between_ties():
    x = mg.Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [1, 0, 0]])


@pytest.mark.parametrize("name,fn", [
    ("reshape", lambda x: x.reshape(4, 3)),
    ("reshape tuple -1", lambda x: x.reshape((-1,))),
    ("transpose", lambda x: x.transpose()),
    ("transpose axes", lambda x: x.transpose(1, 0, 2)),
    ("T", lambda x: x.T),
    ("slice", lambda x: x[1:, ::2]),
    ("int and ellipsis", lambda x: x[..., 1]),
    ("newaxis", lambda x: x[None, 0]),
    ("integer array", lambda x: x[np.array([0, 1, 0])]),
    ("rows, cols", lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 2])]),
    ("tensor index", lambda x: x[mg.Tensor(np.array([1, 1]))]),
    ("boolean mask", lambda x: x[x.data > 0]),
])
def test_shape_and_indexing_gradients(name, fn):
    rng = np.random.default_rng(3)
    assert_vjp_matches(fn, [rng.standard_normal((2, 3, 2))], rng)


@pytest.mark.parametrize("name,fn", [
    ("softmax", lambda x: F.softmax(x)),
    ("softmax axis 0", lambda x: F.softmax(x, axis=0)),
    ("log_softmax", lambda x: F.log_softmax(x)),
    ("log_softmax axis 0", lambda x: F.log_softmax(x, axis=0)),
    ("logsumexp all", lambda x: F.logsumexp(x)),
    ("logsumexp axis keepdims", lambda x: F.logsumexp(x, axis=1, keepdims=True)),
    ("cross_entropy", lambda x: F.cross_entropy(x, np.array([0, 2, 1, 2]))),
    ("cross_entropy sum", lambda x: F.cross_entropy(x, np.array([0, 2, 1, 2]), reduction="sum")),
    ("cross_entropy none", lambda x: F.cross_entropy(x, np.array([0, 2, 1, 2]), reduction="none")),
    ("mse_loss", lambda x: F.mse_loss(x, np.ones((4, 3)))),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, np.eye(4, 3))),
    ("bce_with_logits none", lambda x: F.binary_cross_entropy_with_logits(x, np.eye(4, 3), reduction="none")),
])
def test_functional_gradients(name, fn):
    rng = np.random.default_rng(4)
    assert_vjp_matches(fn, [rng.standard_normal((4, 3)) * 2], rng)


@pytest.mark.parametrize("x_shape", [(5, 3), (2, 5, 3), (3,)])
def test_linear_gradients(x_shape):
    rng = np.random.default_rng(5)
    assert_vjp_matches(F.linear, [rng.standard_normal(x_shape), rng.standard_normal((4, 3)),
                                  rng.standard_normal(4)], rng)
    assert_vjp_matches(lambda x, w: F.linear(x, w), [rng.standard_normal(x_shape),
                                                     rng.standard_normal((4, 3))], rng)


def test_mse_loss_with_a_target_that_requires_grad():
    rng = np.random.default_rng(6)
    assert_vjp_matches(F.mse_loss, [rng.standard_normal((3, 2)), rng.standard_normal((3, 2))], rng)


def test_composite_expression_gradcheck():
    rng = np.random.default_rng(7)
    x = mg.Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert mg.gradcheck(lambda x, w: F.log_softmax((x @ w).tanh() * 2 + x.sum(axis=1, keepdims=True)), x, w)
