"""Bad input gets an error that names the operation, the shapes or the value."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def t(shape, **kw):
    return mg.Tensor(np.ones(shape), **kw)


@pytest.mark.parametrize("op,name", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a**b, "pow"),
])
def test_broadcasting_error_names_op_and_shapes(op, name):
    with pytest.raises(ValueError, match=rf"{name}: shapes \(3, 4\) and \(5,\) cannot be broadcast"):
        op(t((3, 4)), t(5))


def test_matmul_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: cannot multiply \(3, 4\) by \(5, 2\) \(inner dimensions 4 and 5 differ\)"):
        t((3, 4)) @ t((5, 2))
    with pytest.raises(ValueError, match=r"matmul: both operands need at least one dimension"):
        t((3,)) @ mg.Tensor(2.0)
    with pytest.raises(ValueError, match=r"matmul: batch dimensions of \(2, 3, 4\) and \(5, 4, 1\)"):
        t((2, 3, 4)) @ t((5, 4, 1))


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        mg.Tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        mg.Tensor([1, 2]).requires_grad_()


def test_non_numeric_data_and_operands():
    with pytest.raises(TypeError, match="numeric"):
        mg.Tensor(["a", "b"])
    with pytest.raises(TypeError, match="unsupported operand.*str"):
        t(2) + "x"


def test_backward_on_non_scalar_without_grad():
    y = t((2, 3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"single-element output.*shape \(2, 3\)"):
        y.backward()


def test_backward_with_wrong_grad_shape():
    y = t((2, 3), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"grad has shape \(3, 2\), but the output has shape \(2, 3\)"):
        y.backward(np.ones((3, 2)))


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (t(2) * 2).sum().backward()


def test_reduction_axis_errors():
    with pytest.raises(ValueError, match="sum: axis 2 is out of range for a tensor with 2 dimensions"):
        t((2, 3)).sum(axis=2)
    with pytest.raises(ValueError, match="mean: repeated axis"):
        t((2, 3)).mean(axis=(0, 0))
    with pytest.raises(TypeError, match="max: axis must be an int or a tuple of ints"):
        t((2, 3)).max(axis=1.5)
    with pytest.raises(ValueError, match="max: cannot take the maximum of an empty tensor"):
        t((0,)).max()


def test_reshape_and_transpose_errors():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        t((2, 3)).reshape(4, 2)
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 0\) are not a permutation"):
        t((2, 3)).transpose(0, 0)


def test_index_error_names_shape():
    with pytest.raises(IndexError, match=r"tensor shape \(2, 3\)"):
        t((2, 3))[5]


def test_item_on_many_elements():
    with pytest.raises(ValueError, match=r"only a tensor with one element.*\(2,\)"):
        t(2).item()


def test_cross_entropy_input_errors():
    logits = t((4, 3), requires_grad=True)
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\), got \(3,\)"):
        F.cross_entropy(t(3), np.array([0]))
    with pytest.raises(ValueError, match=r"targets must have shape \(4,\).*got \(3,\)"):
        F.cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="targets must be integer class indices, got dtype float64"):
        F.cross_entropy(logits, np.array([0.0, 1, 2, 1]))
    with pytest.raises(IndexError, match="target 3 is out of range for 3 classes"):
        F.cross_entropy(logits, np.array([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(logits, np.array([0, 1, 2, 1]), reduction="avg")


def test_loss_shape_mismatch_errors():
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(3,\) and target shape \(4,\) differ"):
        F.mse_loss(t(3), np.ones(4))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: input shape \(3,\) and target shape \(2,\)"):
        F.binary_cross_entropy_with_logits(t(3), np.ones(2))


def test_linear_errors():
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) has 5 features, but the weight of shape \(4, 3\) expects 3"):
        nn.Linear(3, 4)(t((2, 5)))
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        nn.Linear(0, 4)
    with pytest.raises(TypeError, match="dtype must be floating point"):
        nn.Linear(2, 2, dtype=np.int32)


def test_module_errors():
    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))

    with pytest.raises(AttributeError, match="call super\\(\\).__init__\\(\\) first"):
        Forgot()
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1)
    with pytest.raises(TypeError, match="Sequential: argument 1 is a int, not a Module"):
        nn.Sequential(nn.ReLU(), 3)


def test_gradcheck_errors():
    with pytest.raises(ValueError, match="no input tensor has requires_grad=True"):
        mg.gradcheck(lambda x: x * 2, t(2))
    with pytest.raises(TypeError, match="must return a Tensor"):
        mg.gradcheck(lambda x: 3.0, t(2, requires_grad=True))


def test_cross_entropy_rejects_non_finite_logits():
    for bad in ([[np.inf, 0.0]], [[np.nan, 0.0]], [[-np.inf, -np.inf]]):
        with pytest.raises(ValueError, match="each row of logits needs a finite maximum"):
            F.cross_entropy(mg.Tensor(bad), np.array([0]))


def test_cross_entropy_allows_minus_inf_masking():
    x = mg.Tensor([[0.0, -np.inf, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, np.array([2]))
    loss.backward()
    assert np.isfinite(loss.item()) and x.grad[0, 1] == 0
