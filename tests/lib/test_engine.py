"""Graph semantics of backward: accumulation, reuse, aliasing, freeing, modes."""
import gc
import pickle
import weakref

import numpy as np
import pytest

import minigrad as mg


def leaf(values, **kw):
    return mg.Tensor(np.asarray(values, dtype=float), requires_grad=True, **kw)


def test_reused_node_gradients_add_up():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x * x + x  # x used four times
    y.backward(np.ones(3))
    np.testing.assert_allclose(x.grad, 3 * x.data**2 + 1)


def test_diamond_graph():
    # a feeds b and c, both feed d: d = (2a) * (a + 1) -> dd/da = 4a + 2
    a = leaf(3.0)
    b, c = a * 2, a + 1
    (b * c).backward()
    assert a.grad == pytest.approx(14.0)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, -2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 + 2 * x.data)


def test_intermediate_tensors_keep_no_grad():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.sum().backward()
    assert h.grad is None and h.grad_fn is not None and not h.is_leaf
    assert x.is_leaf and x.grad_fn is None


def test_no_gradient_array_aliases_another_or_the_upstream():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    upstream = np.array([1.0, 1.0])
    (x + y).backward(upstream)
    assert not np.shares_memory(x.grad, y.grad)
    assert not np.shares_memory(x.grad, upstream) and not np.shares_memory(y.grad, upstream)
    x.grad += 100  # changing one gradient must not change another
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    np.testing.assert_array_equal(upstream, [1.0, 1.0])


def test_reshape_gradient_does_not_alias_upstream():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    upstream = np.arange(4.0)
    x.reshape(4).backward(upstream)
    assert not np.shares_memory(x.grad, upstream)


def test_inputs_and_upstream_are_never_mutated():
    rng = np.random.default_rng(0)
    a_data, b_data, up = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((3, 4))
    copies = [a_data.copy(), b_data.copy(), up.copy()]
    a, b = mg.Tensor(a_data, requires_grad=True), mg.Tensor(b_data, requires_grad=True)
    y = ((a * b + a).exp() / (b * b + 1)) - a.max(axis=0)
    y.backward(up)
    for before, after in zip(copies, [a.data, b.data, up]):
        np.testing.assert_array_equal(before, after)


def test_backward_twice_through_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.data)


def test_deep_chain_of_ten_thousand_ops():
    x = leaf(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


def test_wide_graph_sums_correctly():
    x = leaf(np.ones(3))
    total = sum((x * float(i) for i in range(200)), mg.Tensor(np.zeros(3)))
    total.sum().backward()
    np.testing.assert_allclose(x.grad, sum(range(200)))


def test_intermediates_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = leaf(np.ones(5))
        h = x.exp() * 2
        probe = weakref.ref(h)
        y = (h * h).sum()
        del h
        assert probe() is not None  # still needed by y's graph
        del y  # no cycles: dropping the output frees every intermediate at once
        assert probe() is None
        # and without any backward: dropping the output frees the whole graph
        h2 = x.tanh()
        probe2 = weakref.ref(h2)
        y2 = h2.sum()
        del h2, y2
        assert probe2() is None
    finally:
        gc.enable()


def test_backward_releases_graph_so_intermediates_are_freed_while_output_lives():
    gc.disable()
    try:
        x = leaf(np.ones(3))
        h = x * 3
        probe = weakref.ref(h)
        y = h.sum()
        del h
        y.backward()
        assert probe() is None, "a released graph must not keep intermediate tensors alive"
        assert y.data == 9
    finally:
        gc.enable()


def test_no_grad_context_and_nesting():
    x = leaf([1.0])
    with mg.no_grad():
        y = x * 2
        with mg.enable_grad():
            z = x * 2
        w = x * 3
    assert not y.requires_grad and z.requires_grad and not w.requires_grad
    assert mg.is_grad_enabled()


def test_no_grad_restores_state_after_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()

    @mg.no_grad()
    def fails():
        assert not mg.is_grad_enabled()
        raise KeyError("boom")

    with pytest.raises(KeyError):
        fails()
    assert mg.is_grad_enabled()


def test_no_grad_as_decorator_is_reentrant():
    @mg.no_grad()
    def depth(n, x):
        assert not mg.is_grad_enabled()
        return x * 2 if n == 0 else depth(n - 1, x)

    out = depth(3, leaf([1.0]))
    assert not out.requires_grad and mg.is_grad_enabled()


def test_operations_on_constants_do_not_require_grad():
    a = mg.Tensor([1.0, 2.0])
    assert not (a * 3).requires_grad and (a * 3).grad_fn is None


def test_detach_cuts_the_graph():
    x = leaf([2.0])
    y = x.detach() * x
    y.backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [2.0])


def test_grad_assignment_and_validation():
    x = leaf([1.0, 2.0])
    x.grad = np.array([0.5, 0.5])
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad, [2.5, 2.5])
    x.grad = None
    assert x.grad is None
    with pytest.raises(ValueError, match=r"assigned grad has shape \(3,\).*\(2,\)"):
        x.grad = np.zeros(3)


def test_data_may_be_reassigned():
    x = leaf([1.0, 2.0])
    x.data = np.array([3.0, 4.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 8.0])


def test_tensor_basics_and_repr():
    t = mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.dtype == np.float64 and t.size == 4
    assert t.T.shape == (2, 2) and len(t) == 2
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=<mul>" in repr(t * 2)
    assert "dtype=float32" in repr(mg.Tensor(np.ones(2, np.float32)))
    assert mg.Tensor(3.5).item() == 3.5
    assert mg.Tensor([1, 2]).dtype.kind == "i"
    assert isinstance(t.numpy(), np.ndarray)


def test_constructor_copies_its_input():
    source = np.array([1.0, 2.0])
    t = mg.Tensor(source)
    source[0] = 99
    assert t.data[0] == 1.0


def test_tensor_pickles():
    t = pickle.loads(pickle.dumps(mg.Tensor([1.0, 2.0], requires_grad=True)))
    assert t.requires_grad and t.data.tolist() == [1.0, 2.0]


def test_array_on_the_left_dispatches_to_tensor():
    x = leaf([1.0, 2.0])
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, mg.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved_through_ops_and_gradients(dtype):
    import minigrad.nn.functional as F

    rng = np.random.default_rng(0)
    x = mg.Tensor(rng.standard_normal((4, 3)).astype(dtype), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((2, 3)).astype(dtype), requires_grad=True)
    h = F.linear(x, w).tanh().sigmoid().relu() * 2.0 + 1 - 0.5
    h = (h / 3.0) ** 2 + h.exp().log().sqrt().abs()
    loss = F.cross_entropy(h, np.array([0, 1, 1, 0])) + F.mse_loss(h, np.zeros((4, 2), dtype)) \
        + F.binary_cross_entropy_with_logits(h, np.ones((4, 2))) + F.logsumexp(h) + F.softmax(h).sum() \
        + F.log_softmax(h).mean() + h.max() + h[0, 1] + h.reshape(8).sum() + h.T.mean()
    assert loss.dtype == dtype
    loss.backward()
    assert x.grad.dtype == dtype and w.grad.dtype == dtype


def test_backward_grad_dtype_is_cast_to_output_dtype():
    x = mg.Tensor(np.ones(2, np.float32), requires_grad=True)
    (x * 2).backward(np.ones(2, np.float64))
    assert x.grad.dtype == np.float32


def test_topological_order_lists_every_node_before_its_inputs():
    from minigrad.autograd import topological_order

    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = mg.Tensor([5.0, 6.0])  # a constant: not part of the order
    h = a * b
    out = (h + a * c).sum()
    order = topological_order(out)
    assert len(order) == 6  # a, b and four operations
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        for p in (t.grad_fn.parents if t.grad_fn else ()):
            if p is not None and p.requires_grad:
                assert position[id(t)] < position[id(p)]
    assert [t for t in topological_order(out, include_leaves=False) if t.is_leaf] == []
