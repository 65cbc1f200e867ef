"""gradcheck accepts correct gradients and pinpoints a wrong one."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import make_result


def wrong_square(x):
    """x**2 whose backward forgets the factor 2."""
    a = x.data

    def backward(g):
        return (g * a,)

    return make_result(mg.Tensor, a * a, (x,), backward, "wrong_square")


def test_gradcheck_accepts_correct_gradient():
    x = mg.Tensor(np.array([[0.5, -1.0], [2.0, 0.1]]), requires_grad=True)
    assert mg.gradcheck(lambda x: (x * x.tanh()).sum(axis=0), x)


def test_gradcheck_reports_worst_element():
    x = mg.Tensor(np.array([0.1, -3.0, 2.0]), requires_grad=True)
    with pytest.raises(mg.GradcheckError, match=r"input 0 \(shape \(3,\)\) is wrong at index \(1,\): analytic"):
        mg.gradcheck(lambda x: wrong_square(x).sum(), x)  # error = |x_i|: worst at -3


def test_gradcheck_leaves_inputs_untouched_and_works_from_float32():
    x = mg.Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    before = x.data.copy()
    assert mg.gradcheck(lambda x: x.exp(), x)
    assert x.grad is None and np.array_equal(x.data, before)


def test_gradcheck_skips_non_tensor_and_constant_inputs():
    x = mg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = mg.Tensor(np.array([3.0, 4.0]))
    assert mg.gradcheck(lambda x, c, k: x * c * k, x, c, 2.0)
