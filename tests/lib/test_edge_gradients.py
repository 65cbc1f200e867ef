"""Every op at the edges of its domain: 0, -0, +-inf, nan, negative bases, ties.

Two independent oracles: PyTorch (values and gradients must agree, nan for
nan; skipped when torch is not installed) and central finite differences
(where the function is differentiable at the edge point). Elementwise ops take
all edge values at once; binary ops take every pair.
"""
import itertools
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from gradients import finite_difference_grad

INF, NAN = np.inf, np.nan
EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 0.5, 3.0, INF, -INF, NAN, 1e-300, 1e300]
PAIR_EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, INF, -INF, NAN]


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def minigrad_value_and_grads(fn, arrays):
    tensors = [mg.Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    with np.errstate(all="ignore"):  # inf and nan inputs warn in NumPy's forward, by design
        out = fn(*tensors)
        out.sum().backward()
    return out.data, [t.grad if t.grad is not None else np.zeros(t.shape) for t in tensors]


def torch_value_and_grads(torch, fn, arrays):
    tensors = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.sum().backward()
    return out.detach().numpy(), [t.grad.numpy() if t.grad is not None else np.zeros(t.shape) for t in tensors]


def assert_same(got, want, what):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, equal_nan=True, err_msg=what)


# name: (minigrad fn, torch fn, values to leave out, and why)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (lambda x: x.exp(), lambda x: x.exp()),
    "log": (lambda x: x.log(), lambda x: x.log()),
    "sqrt": (lambda x: x.sqrt(), lambda x: x.sqrt()),
    "abs": (lambda x: x.abs(), lambda x: x.abs()),
    "tanh": (lambda x: x.tanh(), lambda x: x.tanh()),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    "relu": (lambda x: x.relu(), lambda x: x.relu()),
    "pow 0": (lambda x: x**0, lambda x: x**0),
    "pow 1": (lambda x: x**1, lambda x: x**1),
    "pow 2": (lambda x: x**2, lambda x: x**2),
    "pow 3": (lambda x: x**3, lambda x: x**3),
    "pow -1": (lambda x: x**-1, lambda x: x**-1),
    "pow -2": (lambda x: x**-2, lambda x: x**-2),
    "pow 1.5": (lambda x: x**1.5, lambda x: x**1.5),
    "rpow 2": (lambda x: 2.0**x, lambda x: 2.0**x),
    "rpow 0": (lambda x: 0.0**x, lambda x: 0.0**x),
    "rpow -2": (lambda x: (-2.0) ** x, lambda x: (-2.0) ** x),
    "rdiv": (lambda x: 1.0 / x, lambda x: 1.0 / x),
    "div by 0": (lambda x: x / 0.0, lambda x: x / 0.0),
    "mul by 0": (lambda x: x * 0.0, lambda x: x * 0.0),
    "mul by inf": (lambda x: x * INF, lambda x: x * INF),
    "sigmoid of 1000x": (lambda x: (x * 1000.0).sigmoid(), lambda x: (x * 1000.0).sigmoid()),
}
# PyTorch computes x ** 0.5's gradient through rsqrt: rsqrt(-0) = -inf and
# rsqrt(-inf) = nan, where NumPy's power gives +inf and 0. Both are the edge of
# a domain that ends at 0; we keep NumPy's values and leave these two out.
UNARY["pow 0.5"] = (lambda x: x**0.5, lambda x: x**0.5, {-0.0, -INF})


@pytest.mark.parametrize("name", list(UNARY))
def test_elementwise_op_matches_torch_at_edges(torch, name):
    fm, ft, *skip = UNARY[name]
    left_out = skip[0] if skip else ()
    values = [v for v in EDGES if not any(v == s and np.signbit(v) == np.signbit(s) for s in left_out)]
    x = np.array(values)
    value, (grad,) = minigrad_value_and_grads(fm, [x])
    t_value, (t_grad,) = torch_value_and_grads(torch, ft, [x])
    assert_same(value, t_value, f"{name} value at {values}")
    assert_same(grad, t_grad, f"{name} gradient at {values}")


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_op_matches_torch_on_every_pair_of_edges(torch, name):
    pairs = np.array(list(itertools.product(PAIR_EDGES, PAIR_EDGES)))
    a, b = pairs[:, 0], pairs[:, 1]
    value, grads = minigrad_value_and_grads(BINARY[name], [a, b])
    t_value, t_grads = torch_value_and_grads(torch, BINARY[name], [a, b])
    assert_same(value, t_value, f"{name} value")
    for which, g, tg in zip("ab", grads, t_grads):
        assert_same(g, tg, f"{name} gradient wrt {which} at (a, b) = {list(zip(a, b))}")


def test_pow_gradient_at_zero_is_zero_for_a_zero_exponent():
    """The issue's example: x ** 0 is the constant 1, so its gradient is 0 even at x = 0."""
    x = mg.Tensor([0.0, -0.0, 1.5, NAN], requires_grad=True)
    (x**0).sum().backward()  # no RuntimeWarning either: the suite turns warnings into errors
    assert np.array_equal(x.grad, [0.0, 0.0, 0.0, 0.0])
    base = mg.Tensor([0.0, 0.0, 2.0], requires_grad=True)
    exponent = mg.Tensor([0.0, 2.0, 0.0], requires_grad=True)
    (base**exponent).sum().backward()
    assert np.array_equal(base.grad, [0.0, 0.0, 0.0])
    assert np.array_equal(exponent.grad, [0.0, 0.0, np.log(2.0)])


def test_negative_base_has_nan_exponent_gradient_not_zero():
    """(-2) ** e is not real for non-integer e nearby: the gradient is nan (PyTorch), never 0."""
    e = mg.Tensor([2.0, 3.0], requires_grad=True)
    ((-2.0) ** e).sum().backward()
    assert np.isnan(e.grad).all()
    base = mg.Tensor([-2.0], requires_grad=True)
    exponent = mg.Tensor([2.0], requires_grad=True)
    (base**exponent).sum().backward()
    assert base.grad[0] == -4.0 and np.isnan(exponent.grad[0])


def test_a_constant_operand_never_triggers_a_warning():
    """inf * 1000 then sigmoid: the constant's gradient (0 * inf) is never computed."""
    x = mg.Tensor([INF, -INF, 1.0], requires_grad=True)
    (x * 1000.0).sigmoid().sum().backward()
    assert np.array_equal(x.grad[:2], [0.0, 0.0])


TIES = [[1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [NAN, 1.0, 2.0], [NAN, NAN, 1.0],
        [INF, INF, 1.0], [-INF, -INF], [0.0, -0.0], [-INF, 0.0, 1.0]]
WEIGHTS = np.array([1.0, 2.0, 3.0])  # unequal, so a wrong split of the gradient shows


def weights(x):
    return WEIGHTS[: x.shape[-1]]


# name: (minigrad fn of x, torch fn of (torch, x), rows of TIES to leave out, and why)
REDUCTIONS = {
    "sum": (lambda x: x.sum(), lambda T, x: x.sum(), ()),
    "mean": (lambda x: x.mean(), lambda T, x: x.mean(), ()),
    "max": (lambda x: x.max(), lambda T, x: x.max(), ()),
    # torch's amax gives nan to every entry of a slice holding nan (its tie count is
    # 0 there); we give the gradient to the nan entries, as its max() does
    "max over axis 0": (lambda x: x.max(axis=0), lambda T, x: x.amax(dim=0), (2, 3)),
    "logsumexp": (lambda x: F.logsumexp(x), lambda T, x: x.logsumexp(0), ()),
    "softmax": (lambda x: F.softmax(x) * weights(x),
                lambda T, x: x.softmax(0) * T.tensor(weights(x)), ()),
    "log_softmax": (lambda x: F.log_softmax(x) * weights(x),
                    lambda T, x: x.log_softmax(0) * T.tensor(weights(x)), ()),
    "mse_loss": (lambda x: F.mse_loss(x, np.full(x.shape, 0.3)),
                 lambda T, x: T.nn.functional.mse_loss(x, T.full_like(x, 0.3)), ()),
    # torch's bce is (1 - t) x - log_sigmoid(x): -inf gives inf - inf = nan; we give +inf
    "bce_with_logits": (lambda x: F.binary_cross_entropy_with_logits(x, np.full(x.shape, 0.3)),
                        lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
                            x, T.full_like(x, 0.3)), (5, 7)),
}


@pytest.mark.parametrize("name,row", [(name, row) for name, (_, _, left_out) in REDUCTIONS.items()
                                      for row in range(len(TIES)) if row not in left_out])
def test_reduction_matches_torch_at_ties_and_non_finite(torch, name, row):
    fm, ft, _ = REDUCTIONS[name]
    x = np.array(TIES[row])
    value, (grad,) = minigrad_value_and_grads(fm, [x])
    t_value, (t_grad,) = torch_value_and_grads(torch, lambda x: ft(torch, x), [x])
    assert_same(value, t_value, f"{name} value at {TIES[row]}")
    np.testing.assert_allclose(grad, t_grad, rtol=1e-9, atol=1e-12, equal_nan=True,
                               err_msg=f"{name} gradient at {TIES[row]}")


def test_documented_differences_from_torch_give_our_stated_values():
    """The rows left out above: what minigrad gives instead, and that it is the better value."""
    _, (grad,) = minigrad_value_and_grads(lambda x: x.max(axis=0), [[NAN, 1.0, 2.0]])
    assert np.array_equal(grad, [1.0, 0.0, 0.0])  # the nan is the maximum: it gets the gradient
    value, (grad,) = minigrad_value_and_grads(
        lambda x: F.binary_cross_entropy_with_logits(x, [0.3], reduction="sum"), [[-INF]])
    assert value == INF and np.allclose(grad, [-0.3])  # loss -t x -> +inf; slope sigmoid(x) - t
    _, (grad,) = minigrad_value_and_grads(lambda x: x**0.5, [[-0.0, -INF]])
    assert np.array_equal(grad, [INF, 0.0])  # NumPy's power; PyTorch's rsqrt gives -inf and nan


@pytest.mark.parametrize("row", [[0.0, -INF, 1.0], [1.0, 1.0, 1.0], [-INF, 0.0, -INF], [3.0, 3.0, -1.0]])
def test_cross_entropy_matches_torch_with_masked_and_tied_logits(torch, row):
    fm = lambda x: F.cross_entropy(x, np.array([1]))  # noqa: E731
    ft = lambda x: torch.nn.functional.cross_entropy(x, torch.tensor([1]))  # noqa: E731
    value, (grad,) = minigrad_value_and_grads(fm, [[row]])
    t_value, (t_grad,) = torch_value_and_grads(torch, ft, [[row]])
    assert_same(value, t_value, "cross_entropy value")
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-15)


def test_matmul_and_linear_with_infinite_entries_match_torch(torch):
    a, b = np.array([[INF, 0.0], [1.0, -INF]]), np.array([[0.0, 1.0], [1.0, 2.0]])
    for fm, ft in ((lambda x, y: x @ y, lambda x, y: x @ y),
                   (lambda x, y: F.linear(x, y), lambda x, y: torch.nn.functional.linear(x, y))):
        value, grads = minigrad_value_and_grads(fm, [a, b])
        t_value, t_grads = torch_value_and_grads(torch, ft, [a, b])
        assert_same(value, t_value, "value")
        for g, tg in zip(grads, t_grads):
            assert_same(g, tg, "gradient")


# ---------------------------------------------------------- finite differences
# Edge points where the function IS differentiable, so central differences are
# an oracle that needs no torch. (At a kink such as relu at 0 the one-sided
# slopes differ and the convention is PyTorch's, tested above.)
FD_CASES = {
    "x ** 0 at 0": (lambda x: x**0, [0.0, -0.0, 1.5]),
    "x ** 2 at 0": (lambda x: x**2, [0.0, -0.0]),
    "x ** 3 at 0": (lambda x: x**3, [0.0, -0.0]),
    "x ** 1 at 0": (lambda x: x**1, [0.0, -0.0]),
    "0 ** x for x > 0": (lambda x: 0.0**x, [1.0, 2.5]),
    "2 ** x at 0": (lambda x: 2.0**x, [0.0, -0.0]),
    "abs at 0 (symmetric difference)": (lambda x: x.abs(), [0.0, -0.0]),
    "max with ties shares equally": (lambda x: x.max(), [1.0, 1.0, 0.0]),
    "max over an axis with ties": (lambda x: x.reshape(2, 2).max(axis=1), [3.0, 3.0, -1.0, 2.0]),
    "logsumexp with a -inf entry": (lambda x: F.logsumexp(x), [-INF, 0.0, 1.0]),
    "softmax with a -inf entry": (lambda x: F.softmax(x) * mg.Tensor(WEIGHTS), [-INF, 0.0, 1.0]),
    "log_softmax with ties": (lambda x: F.log_softmax(x) * mg.Tensor(WEIGHTS), [2.0, 2.0, 2.0]),
    "cross_entropy with a -inf logit": (lambda x: F.cross_entropy(x.reshape(1, 3), [2]), [0.0, -INF, 1.0]),
    "bce at huge logits": (lambda x: F.binary_cross_entropy_with_logits(x, [0.3, 0.7]), [-800.0, 800.0]),
    "sigmoid at huge inputs": (lambda x: x.sigmoid(), [-800.0, 800.0]),
    "tanh at huge inputs": (lambda x: x.tanh(), [-800.0, 800.0]),
    "exp at -inf": (lambda x: x.exp(), [-INF, 0.0]),
}


@pytest.mark.parametrize("name", list(FD_CASES))
def test_gradient_matches_finite_differences_at_edges(name):
    fn, point = FD_CASES[name]
    x = np.array(point)
    _, (grad,) = minigrad_value_and_grads(fn, [x])

    def f(values):
        with mg.no_grad(), np.errstate(all="ignore"):
            return float(fn(mg.Tensor(values)).data.sum())

    with np.errstate(all="ignore"):
        numeric = finite_difference_grad(f, x, h=1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=name)


# ----------------------------------------------------- gradcheck cannot pass nan
@pytest.mark.parametrize("fn,point,what", [
    (lambda x: x.log(), [1e-7, 1.0], "numerical gradient of input 0 .* is not finite at index \\(0,\\)"),
    (lambda x: x.sqrt(), [0.0, 1.0], "analytic gradient of input 0 .* is not finite at index \\(0,\\)"),
    (lambda x: (x * 0.0) ** -1.0, [1.0], "not finite"),
])
def test_gradcheck_fails_on_non_finite_derivatives(fn, point, what):
    x = mg.Tensor(point, requires_grad=True)
    with np.errstate(all="ignore"), pytest.raises(mg.GradcheckError, match=what):
        mg.gradcheck(fn, x)


def test_gradcheck_still_fails_on_a_wrong_gradient_at_an_edge():
    """A backward that returns nan where the true derivative is 0 (x ** 0 before the fix)."""
    from minigrad.autograd import make_result

    def old_pow0(x):
        a = x.data
        return make_result(mg.Tensor, a**0, (x,), lambda g: (g * 0 * a ** -1.0,), "old_pow0")

    with np.errstate(all="ignore"), pytest.raises(mg.GradcheckError, match="analytic gradient .* not finite"):
        mg.gradcheck(old_pow0, mg.Tensor([0.0, 2.0], requires_grad=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mg.gradcheck(lambda x: x**0, mg.Tensor([0.0, 2.0], requires_grad=True))


def test_bce_target_that_requires_grad_gets_its_gradient(torch):
    """A learned soft target is a parent of the loss, as in PyTorch (it was silently dropped)."""
    x, t = np.array([0.5, -2.0, 30.0]), np.array([0.2, 0.9, 0.5])
    fm = lambda a, b: F.binary_cross_entropy_with_logits(a, b)  # noqa: E731
    ft = lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(a, b)  # noqa: E731
    value, grads = minigrad_value_and_grads(fm, [x, t])
    t_value, t_grads = torch_value_and_grads(torch, ft, [x, t])
    assert_same(value, t_value, "value")
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-12)
    assert mg.gradcheck(fm, mg.Tensor(x, requires_grad=True), mg.Tensor(t, requires_grad=True))


def test_gradcheck_passes_integer_inputs_through_unchanged():
    logits = mg.Tensor([[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]], requires_grad=True)
    targets = mg.Tensor([2, 0])
    assert mg.gradcheck(lambda z, k: F.cross_entropy(z, k), logits, targets)
