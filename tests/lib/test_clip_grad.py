"""minigrad.nn.utils.clip_grad_norm_ / clip_grad_value_: against the definition, and
against torch.nn.utils (return value, every norm order, error_if_nonfinite) when installed."""

import math

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm


def params_with_grads(seed=0, scale=3.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    ps = [Parameter(rng.standard_normal(s).astype(dtype)) for s in shapes]
    for p in ps:
        p.grad = (scale * rng.standard_normal(p.shape)).astype(dtype)
    ps.append(Parameter(np.ones(2, dtype=dtype)))  # no gradient: skipped
    return ps


def flat(ps):
    return np.concatenate([p.grad.ravel() for p in ps if p.grad is not None])


@pytest.mark.parametrize("order", [2.0, 1.0, 3.0, math.inf, "inf"])
def test_norm_is_of_all_gradients_as_one_vector_and_clipping_caps_it(order):
    ps = params_with_grads()
    g = flat(ps)
    expected = np.linalg.norm(g, ord=float(order))
    total = clip_grad_norm_(ps, max_norm=1.0, norm_type=order)
    assert total.item() == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(flat(ps), g * (1.0 / (expected + 1e-6)), rtol=1e-13)
    assert np.linalg.norm(flat(ps), ord=float(order)) == pytest.approx(1.0, rel=1e-5)


def test_small_gradients_are_left_alone_and_the_direction_is_kept():
    ps = params_with_grads(scale=1e-3)
    g = flat(ps)
    clip_grad_norm_(ps, max_norm=10.0)
    np.testing.assert_array_equal(flat(ps), g)
    big = params_with_grads(scale=100.0)
    g = flat(big)
    clip_grad_norm_(big, max_norm=0.5)
    cos = flat(big) @ g / (np.linalg.norm(flat(big)) * np.linalg.norm(g))
    assert cos == pytest.approx(1.0, abs=1e-15)


def test_float32_gradients_stay_float32():
    ps = params_with_grads(dtype=np.float32)
    total = clip_grad_norm_(ps, 1.0)
    assert total.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in ps if p.grad is not None)


def test_no_gradients_gives_a_zero_norm_and_an_empty_generator_warns():
    assert clip_grad_norm_([Parameter(np.ones(3))], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((p for p in []), 1.0)


def test_non_finite_norm_raises_only_when_asked():
    ps = params_with_grads()
    ps[0].grad[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(ps, 1.0).item())


def test_clip_value_clamps_each_coordinate():
    ps = params_with_grads()
    g = flat(ps)
    clip_grad_value_(ps, 0.5)
    np.testing.assert_array_equal(flat(ps), np.clip(g, -0.5, 0.5))
    assert get_total_norm([p.grad for p in ps if p.grad is not None], "inf").item() == 0.5


@pytest.mark.parametrize("call, error, message", [
    (lambda ps: clip_grad_norm_(ps, -1.0), ValueError, "max_norm must be >= 0, but got -1.0"),
    (lambda ps: clip_grad_norm_(ps, float("nan")), ValueError, "max_norm must be >= 0, but got nan"),
    (lambda ps: clip_grad_norm_(ps, "1"), TypeError, "max_norm must be a number, but got str"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="two"), ValueError, "norm_type must be a number or 'inf', but got 'two'"),
    (lambda ps: clip_grad_value_(ps, -0.1), ValueError, "clip_value must be >= 0, but got -0.1"),
    (lambda ps: clip_grad_value_(ps, None), TypeError, "clip_value must be a number, but got NoneType"),
    (lambda ps: clip_grad_norm_(np.ones(3), 1.0), TypeError, "parameters must be a Tensor or an iterable of Tensors, but got ndarray"),
    (lambda ps: clip_grad_norm_([ps[0], 3.0], 1.0), TypeError, "parameters\\[1\\] must be a Tensor, but got float"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call(params_with_grads())


@pytest.mark.parametrize("order", [2.0, 1.0, 0.5, math.inf, -math.inf, 0.0])
@pytest.mark.parametrize("max_norm", [0.3, 5.0, 1e6, math.inf])
def test_equals_torch(order, max_norm):
    torch = pytest.importorskip("torch")
    ps = params_with_grads(seed=2)
    ts = []
    for p in ps:
        t = torch.tensor(p.data, requires_grad=True)
        t.grad = None if p.grad is None else torch.tensor(p.grad)
        ts.append(t)
    mine = clip_grad_norm_(ps, max_norm, norm_type=order)
    theirs = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type=order)
    assert mine.item() == pytest.approx(theirs.item(), rel=1e-12)
    for p, t in zip(ps, ts):
        if p.grad is not None:
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)
    clip_grad_value_(ps, 0.2)
    torch.nn.utils.clip_grad_value_(ts, 0.2)
    np.testing.assert_allclose(flat(ps), np.concatenate([t.grad.numpy().ravel() for t in ts if t.grad is not None]),
                               rtol=1e-12)
