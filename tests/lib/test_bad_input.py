"""Bad input across the public engine and nn API: one table, one rule.

Each row calls a public constructor or function with one bad argument and
states the exception type and a pattern that must name the function, the
argument and the value it got. Below the table: the one rule for tensor
arguments (arrays, lists and numbers are constants), the Python protocols, and
empty reductions, each against PyTorch's behaviour where PyTorch is installed.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

X = mg.Tensor([[1.0, 2.0]], requires_grad=True)
W = mg.Tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)
EMPTY = mg.Tensor(np.zeros((0, 3)), requires_grad=True)
INT = mg.Tensor([[1, 2]])


def gradcheck(**kw):
    return mg.gradcheck(lambda a: a * a, mg.Tensor([1.0, 2.0], requires_grad=True), **kw)


def set_grad(value):
    mg.Tensor([1.0, 2.0]).grad = value


def double():
    return X * 2


# (call, exception type, pattern naming the function, the argument and the value)
BAD = {
    # ------------------------------------------------------------- Tensor
    "Tensor: non-numeric data": (lambda: mg.Tensor(["a"]), TypeError, "Tensor: data must be numeric, got dtype <U1"),
    "Tensor: None": (lambda: mg.Tensor(None), TypeError, "Tensor: data must be numeric, got dtype object"),
    "Tensor: ragged list": (lambda: mg.Tensor([[1.0], [1.0, 2.0]]), TypeError, "Tensor: cannot make an array from list"),
    "Tensor: complex": (lambda: mg.Tensor([1j]), TypeError, "Tensor: data must be numeric, got dtype complex128"),
    "Tensor: unknown dtype": (lambda: mg.Tensor([1.0], dtype="foo"), TypeError, "Tensor: dtype must be a NumPy dtype, got 'foo'"),
    "Tensor: requires_grad str": (lambda: mg.Tensor([1.0], requires_grad="yes"), TypeError,
                                  "Tensor: requires_grad must be True or False, got 'yes'"),
    "Tensor: int requires grad": (lambda: mg.Tensor([1], requires_grad=True), TypeError,
                                  "only floating-point tensors can require gradients, got dtype int64"),
    "requires_grad_: None": (lambda: mg.Tensor([1.0]).requires_grad_(None), TypeError,
                             "requires_grad_: requires_grad must be True or False, got None"),
    "grad =: str": (lambda: set_grad("abc"), TypeError, "assigned grad must be a numeric array, got array\\('abc'"),
    "grad =: shape": (lambda: set_grad(np.ones(3)), ValueError, r"assigned grad has shape \(3,\), but the tensor has shape \(2,\)"),
    "backward: retain_graph str": (lambda: double().sum().backward(retain_graph="no"), TypeError,
                                   "backward: retain_graph must be True or False, got 'no'"),
    "backward: grad str": (lambda: double().backward("a"), TypeError, "backward: grad must be a numeric array, got array\\('a'"),
    "backward: grad shape": (lambda: double().backward(np.ones(3)), ValueError,
                             r"backward: grad has shape \(3,\), but the output has shape \(1, 2\)"),
    "backward: implicit grad": (lambda: double().backward(), RuntimeError, r"single-element output.*shape \(1, 2\)"),
    "item: many elements": (lambda: X.item(), ValueError, r"item: only a tensor with one element .* got shape \(1, 2\)"),
    "float: many elements": (lambda: float(X), ValueError, r"only a tensor with one element .* got shape \(1, 2\)"),
    "bool: many elements": (lambda: bool(X), RuntimeError, r"bool: the truth value of a tensor with 2 elements \(shape \(1, 2\)\) is ambiguous"),
    "bool: empty": (lambda: bool(EMPTY), RuntimeError, r"truth value of a tensor with 0 elements \(shape \(0, 3\)\)"),
    "iter: 0-d": (lambda: list(mg.Tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    "len: 0-d": (lambda: len(mg.Tensor(1.0)), TypeError, "len\\(\\) of a 0-d tensor"),
    "in: str": (lambda: "a" in X, TypeError, "in: unsupported element: expected a Tensor, an array or a number, got str 'a'"),
    # ---------------------------------------------------------- operators
    "add: str": (lambda: X + "x", TypeError, "add: unsupported operand: .* got str 'x'"),
    "sub: None": (lambda: X - None, TypeError, "sub: unsupported operand: .* got NoneType None"),
    "rsub: str": (lambda: "x" - X, TypeError, "sub: unsupported operand: .* got str 'x'"),
    "mul: dict": (lambda: X * {}, TypeError, r"mul: unsupported operand: .* got dict \{\}"),
    "div: complex": (lambda: X / 1j, TypeError, "div: unsupported operand: complex numbers are not supported, got 1j"),
    "pow: str exponent": (lambda: X ** "2", TypeError, "pow: unsupported exponent: .* got str '2'"),
    "rpow: str base": (lambda: "2" ** X, TypeError, "pow: unsupported base: .* got str '2'"),
    "matmul: str": (lambda: X @ "a", TypeError, "matmul: unsupported operand: .* got str 'a'"),
    "add: shapes": (lambda: X + mg.Tensor(np.ones(3)), ValueError, r"add: shapes \(1, 2\) and \(3,\) cannot be broadcast together"),
    "pow: int ** negative int": (lambda: INT ** -1, ValueError,
                                 "pow: Integers to negative integer powers are not allowed.*dtype int64"),
    "pow: int ** negative int tensor": (lambda: INT ** mg.Tensor([-1]), ValueError, "pow: Integers to negative integer powers"),
    "matmul: inner": (lambda: X @ W, ValueError, r"matmul: cannot multiply \(1, 2\) by \(3, 2\) \(inner dimensions 2 and 3 differ\)"),
    "matmul: 0-d": (lambda: X @ mg.Tensor(2.0), ValueError, "matmul: both operands need at least one dimension"),
    # ---------------------------------------------------------- reductions and shapes
    "sum: axis float": (lambda: X.sum(axis=1.5), TypeError, "sum: axis must be an int or a tuple of ints, got 1.5"),
    "sum: axis range": (lambda: X.sum(axis=2), ValueError, "sum: axis 2 is out of range for a tensor with 2 dimensions"),
    "sum: keepdims str": (lambda: X.sum(keepdims="no"), TypeError, "sum: keepdims must be True or False, got 'no'"),
    "mean: repeated axis": (lambda: X.mean(axis=(0, 0)), ValueError, r"mean: repeated axis in \(0, 0\)"),
    "mean: empty": (lambda: EMPTY.mean(), ValueError, r"mean: cannot average over an empty axis of shape \(0, 3\)"),
    "mean: keepdims None": (lambda: X.mean(keepdims=None), TypeError, "mean: keepdims must be True or False, got None"),
    "max: empty slice": (lambda: EMPTY.max(axis=0), ValueError,
                         r"max: cannot take the maximum of an empty tensor slice: axis 0 of shape \(0, 3\) has length 0"),
    "max: keepdims int": (lambda: X.max(keepdims=1), TypeError, "max: keepdims must be True or False, got 1"),
    "reshape: size": (lambda: X.reshape(3), ValueError, r"reshape: cannot reshape a tensor of shape \(1, 2\) \(2 elements\) into \(3,\)"),
    "reshape: str": (lambda: X.reshape("a"), TypeError, r"reshape: shape must be integers, got \('a',\)"),
    "transpose: permutation": (lambda: X.transpose(0, 0), ValueError, r"transpose: axes \(0, 0\) are not a permutation"),
    "transpose: str": (lambda: X.transpose("a", 0), TypeError, r"transpose: axes must be integers, got \('a', 0\)"),
    "index: range": (lambda: X[5], IndexError, r"index 5 is out of bounds .* \(tensor shape \(1, 2\)\)"),
    # ---------------------------------------------------------- engine functions
    "no_grad: not a function": (lambda: mg.no_grad()(3), TypeError, "no_grad: can only decorate a function, got int"),
    "enable_grad: not a function": (lambda: mg.enable_grad()("f"), TypeError, "enable_grad: can only decorate a function, got str"),
    "manual_seed: str": (lambda: mg.manual_seed("a"), TypeError, "manual_seed: seed must be a non-negative integer, got 'a'"),
    "manual_seed: float": (lambda: mg.manual_seed(1.5), TypeError, "manual_seed: seed must be a non-negative integer, got 1.5"),
    "manual_seed: negative": (lambda: mg.manual_seed(-1), ValueError, "manual_seed: seed must be a non-negative integer, got -1"),
    "gradcheck: fn": (lambda: mg.gradcheck(3, X), TypeError, "gradcheck: fn must be callable, got int"),
    "gradcheck: eps 0": (lambda: gradcheck(eps=0), ValueError, "gradcheck: eps must be a finite positive number, got 0"),
    "gradcheck: eps nan": (lambda: gradcheck(eps=float("nan")), ValueError, "gradcheck: eps must be a finite positive number, got nan"),
    "gradcheck: eps inf": (lambda: gradcheck(eps=float("inf")), ValueError, "gradcheck: eps must be a finite positive number, got inf"),
    "gradcheck: eps negative": (lambda: gradcheck(eps=-1e-6), ValueError, "gradcheck: eps must be a finite positive number, got -1e-06"),
    "gradcheck: eps str": (lambda: gradcheck(eps="a"), TypeError, "gradcheck: eps must be a real number, got 'a'"),
    "gradcheck: atol negative": (lambda: gradcheck(atol=-1), ValueError, "gradcheck: atol must be a finite non-negative number, got -1"),
    "gradcheck: atol nan": (lambda: gradcheck(atol=float("nan")), ValueError, "gradcheck: atol must be a finite non-negative number, got nan"),
    "gradcheck: rtol inf": (lambda: gradcheck(rtol=float("inf")), ValueError, "gradcheck: rtol must be a finite non-negative number, got inf"),
    "gradcheck: rtol None": (lambda: gradcheck(rtol=None), TypeError, "gradcheck: rtol must be a real number, got None"),
    "gradcheck: seed": (lambda: gradcheck(seed="x"), TypeError, "gradcheck: seed must be an integer, got 'x'"),
    "gradcheck: no input": (lambda: mg.gradcheck(lambda a: a, mg.Tensor([1.0])), ValueError, "gradcheck: no input tensor has requires_grad=True"),
    "gradcheck: output": (lambda: mg.gradcheck(lambda a: 3.0, X), TypeError, "gradcheck: fn must return a Tensor, got float"),
    # ---------------------------------------------------------- nn layers and modules
    "Linear: in_features float": (lambda: nn.Linear(2.5, 3), TypeError, "Linear: in_features must be a positive integer, got 2.5"),
    "Linear: in_features bool": (lambda: nn.Linear(True, 3), TypeError, "Linear: in_features must be a positive integer, got True"),
    "Linear: out_features str": (lambda: nn.Linear(2, "3"), TypeError, "Linear: out_features must be a positive integer, got '3'"),
    "Linear: out_features 0": (lambda: nn.Linear(2, 0), ValueError, "Linear: out_features must be a positive integer, got 0"),
    "Linear: in_features negative": (lambda: nn.Linear(-2, 3), ValueError, "Linear: in_features must be a positive integer, got -2"),
    "Linear: bias str": (lambda: nn.Linear(2, 3, bias="no"), TypeError, "Linear: bias must be True or False, got 'no'"),
    "Linear: dtype unknown": (lambda: nn.Linear(2, 3, dtype="foo"), TypeError, "Linear: dtype must be a NumPy dtype, got 'foo'"),
    "Linear: dtype int": (lambda: nn.Linear(2, 3, dtype=np.int32), TypeError, "Linear: dtype must be floating point, got int32"),
    "Linear: 0-d input": (lambda: nn.Linear(2, 3)(mg.Tensor(1.0)), ValueError,
                          r"linear: input must have at least one dimension \(features last\), got shape \(\)"),
    "Linear: features": (lambda: nn.Linear(3, 4)(X), ValueError,
                         r"linear: input of shape \(1, 2\) has 2 features, but the weight of shape \(4, 3\) expects 3"),
    "Linear: str input": (lambda: nn.Linear(2, 3)("a"), TypeError, "linear: unsupported input: .* got str 'a'"),
    "Parameter: str": (lambda: nn.Parameter("a"), TypeError, "Tensor: data must be numeric, got dtype <U1"),
    "Parameter: int": (lambda: nn.Parameter([1, 2]), TypeError, "only floating-point tensors can require gradients, got dtype int64"),
    "Sequential: not a module": (lambda: nn.Sequential(nn.ReLU(), 3), TypeError, "Sequential: argument 1 is a int, not a Module"),
    "Sequential: index": (lambda: nn.Sequential(nn.ReLU())[4], IndexError, "Sequential: index 4 is out of range for 1 modules"),
    "ReLU: None": (lambda: nn.ReLU()(None), TypeError, "relu: unsupported input: .* got NoneType None"),
    "Tanh: str": (lambda: nn.Tanh()("a"), TypeError, "tanh: unsupported input: .* got str 'a'"),
    "Sigmoid: dict": (lambda: nn.Sigmoid()({}), TypeError, r"sigmoid: unsupported input: .* got dict \{\}"),
    "Module: forward": (lambda: nn.Module()(1), NotImplementedError, "Module must define forward"),
    "train: mode str": (lambda: nn.Linear(2, 3).train("eval"), TypeError, "train: mode must be True or False, got 'eval'"),
    "zero_grad: set_to_none str": (lambda: nn.Linear(2, 3).zero_grad("x"), TypeError,
                                   "zero_grad: set_to_none must be True or False, got 'x'"),
    "load_state_dict: None": (lambda: nn.Linear(2, 3).load_state_dict(None), TypeError,
                              "load_state_dict: state must be a mapping from parameter names to arrays, got NoneType"),
    "load_state_dict: list": (lambda: nn.Linear(2, 3).load_state_dict([1]), TypeError,
                              "load_state_dict: state must be a mapping .* got list"),
    "load_state_dict: str value": (lambda: nn.Linear(2, 3).load_state_dict({"weight": "a", "bias": np.zeros(3)}), TypeError,
                                   "load_state_dict: 'weight' must be a numeric array, got 'a'"),
    "load_state_dict: shape": (lambda: nn.Linear(2, 3).load_state_dict({"weight": np.zeros((2, 2)), "bias": np.zeros(3)}),
                               ValueError, r"load_state_dict: 'weight' has shape \(2, 2\) in the state dict but \(3, 2\)"),
    "load_state_dict: keys": (lambda: nn.Linear(2, 3).load_state_dict({"weight": np.zeros((3, 2))}), KeyError,
                              r"missing keys \['bias'\], unexpected keys \[\]"),
    # ---------------------------------------------------------- nn.functional
    "linear: weight 1-d": (lambda: F.linear(X, mg.Tensor([1.0, 2.0])), ValueError,
                           r"linear: weight must have shape \(out_features, in_features\), got \(2,\)"),
    "linear: bias shape": (lambda: F.linear(X, W, mg.Tensor([1.0, 2.0])), ValueError,
                           r"linear: bias must have shape \(3,\) to match the weight of shape \(3, 2\), got \(2,\)"),
    "linear: weight str": (lambda: F.linear(X, "w"), TypeError, "linear: unsupported weight: .* got str 'w'"),
    "linear: bias str": (lambda: F.linear(X, W, "b"), TypeError, "linear: unsupported bias: .* got str 'b'"),
    "relu: str": (lambda: F.relu("a"), TypeError, "relu: unsupported input: .* got str 'a'"),
    "sigmoid: None": (lambda: F.sigmoid(None), TypeError, "sigmoid: unsupported input: .* got NoneType None"),
    "tanh: None": (lambda: F.tanh(None), TypeError, "tanh: unsupported input: .* got NoneType None"),
    "softmax: None": (lambda: F.softmax(None), TypeError, "softmax: unsupported input: .* got NoneType None"),
    "softmax: 0-d": (lambda: F.softmax(mg.Tensor(1.0)), ValueError, "softmax: axis -1 is out of range for a tensor with 0 dimensions"),
    "log_softmax: axis": (lambda: F.log_softmax(X, axis=5), ValueError, "log_softmax: axis 5 is out of range for a tensor with 2 dimensions"),
    "log_softmax: str": (lambda: F.log_softmax("a"), TypeError, "log_softmax: unsupported input: .* got str 'a'"),
    "logsumexp: str": (lambda: F.logsumexp("a"), TypeError, "logsumexp: unsupported input: .* got str 'a'"),
    "logsumexp: keepdims": (lambda: F.logsumexp(X, keepdims="yes"), TypeError, "logsumexp: keepdims must be True or False, got 'yes'"),
    "cross_entropy: reduction": (lambda: F.cross_entropy(X, [0], reduction="avg"), ValueError,
                                 r"cross_entropy: reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"),
    "cross_entropy: reduction None": (lambda: F.cross_entropy(X, [0], reduction=None), ValueError,
                                      "cross_entropy: reduction must be one of .* got None"),
    "cross_entropy: int logits": (lambda: F.cross_entropy(INT, [0]), TypeError, "cross_entropy: input must be floating point, got dtype int64"),
    "cross_entropy: logits str": (lambda: F.cross_entropy("a", [0]), TypeError, "cross_entropy: unsupported input: .* got str 'a'"),
    "cross_entropy: logits 1-d": (lambda: F.cross_entropy(mg.Tensor([1.0, 2.0]), [0]), ValueError,
                                  r"cross_entropy: logits must have shape \(N, C\), got \(2,\)"),
    "cross_entropy: float targets": (lambda: F.cross_entropy(X, [1.0]), TypeError,
                                     "cross_entropy: targets must be integer class indices, got dtype float64"),
    "cross_entropy: target range": (lambda: F.cross_entropy(X, [2]), IndexError, "cross_entropy: target 2 is out of range for 2 classes"),
    "cross_entropy: target shape": (lambda: F.cross_entropy(X, [0, 1]), ValueError,
                                    r"cross_entropy: targets must have shape \(1,\) .* got \(2,\)"),
    "cross_entropy: empty mean": (lambda: F.cross_entropy(EMPTY, np.zeros(0, int)), ValueError,
                                  r"cross_entropy: the mean over an empty batch \(input shape \(0, 3\)\) is undefined"),
    "cross_entropy: nan logits": (lambda: F.cross_entropy(mg.Tensor([[np.nan, 0.0]]), [0]), ValueError,
                                  "cross_entropy: each row of logits needs a finite maximum"),
    "mse_loss: int input": (lambda: F.mse_loss(INT, [[1, 2]]), TypeError, "mse_loss: input must be floating point, got dtype int64"),
    "mse_loss: target str": (lambda: F.mse_loss(X, "ab"), TypeError, "mse_loss: unsupported target: .* got str 'ab'"),
    "mse_loss: input None": (lambda: F.mse_loss(None, X), TypeError, "mse_loss: unsupported input: .* got NoneType None"),
    "mse_loss: shapes": (lambda: F.mse_loss(X, [1.0, 2.0]), ValueError, r"mse_loss: input shape \(1, 2\) and target shape \(2,\) differ"),
    "mse_loss: empty mean": (lambda: F.mse_loss(EMPTY, np.zeros((0, 3))), ValueError, "mse_loss: the mean over an empty batch"),
    "mse_loss: reduction": (lambda: F.mse_loss(X, X, reduction="max"), ValueError, "mse_loss: reduction must be one of .* got 'max'"),
    "bce: int input": (lambda: F.binary_cross_entropy_with_logits(INT, [[1, 0]]), TypeError,
                       "binary_cross_entropy_with_logits: input must be floating point, got dtype int64"),
    "bce: target None": (lambda: F.binary_cross_entropy_with_logits(X, None), TypeError,
                         "binary_cross_entropy_with_logits: unsupported target: .* got NoneType None"),
    "bce: shapes": (lambda: F.binary_cross_entropy_with_logits(X, [1.0]), ValueError,
                    r"binary_cross_entropy_with_logits: input shape \(1, 2\) and target shape \(1,\) differ"),
    "bce: empty mean": (lambda: F.binary_cross_entropy_with_logits(EMPTY, np.zeros((0, 3))), ValueError,
                        "binary_cross_entropy_with_logits: the mean over an empty batch"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_a_clear_error(name):
    call, error, pattern = BAD[name]
    with pytest.raises(error, match=pattern):
        call()


# ---------------------------------------------------- one rule for tensor arguments
ARRAY = np.array([[0.5, -1.0, 2.0]])
ACCEPTS_CONSTANTS = {
    "relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh,
    "softmax": F.softmax, "log_softmax": F.log_softmax, "logsumexp": F.logsumexp,
    "linear (input)": lambda x: F.linear(x, mg.Tensor(np.ones((2, 3)))),
    "linear (weight, bias)": lambda w: F.linear(mg.Tensor(np.ones((1, 3))), w, [0.5]),
    "cross_entropy": lambda x: F.cross_entropy(x, [2]),
    "mse_loss": lambda x: F.mse_loss(x, np.ones((1, 3))),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, np.ones((1, 3))),
    "Linear": lambda x: _seeded_linear()(x),
    "ReLU": lambda x: nn.ReLU()(x), "Tanh": lambda x: nn.Tanh()(x), "Sigmoid": lambda x: nn.Sigmoid()(x),
}


def _seeded_linear():
    mg.manual_seed(0)
    return nn.Linear(3, 2)


@pytest.mark.parametrize("name", list(ACCEPTS_CONSTANTS))
@pytest.mark.parametrize("kind", ["ndarray", "list"])
def test_arrays_and_lists_are_constant_tensors(name, kind):
    fn = ACCEPTS_CONSTANTS[name]
    given = ARRAY if kind == "ndarray" else ARRAY.tolist()
    out, reference = fn(given), fn(mg.Tensor(ARRAY))
    assert isinstance(out, mg.Tensor)
    np.testing.assert_array_equal(out.data, reference.data)


def test_a_constant_input_still_trains_the_layer():
    layer = _seeded_linear()
    F.cross_entropy(layer(ARRAY), [1]).backward()
    assert layer.weight.grad.shape == (2, 3) and np.any(layer.weight.grad != 0)


def test_float32_arrays_stay_float32_as_constants():
    x = np.ones((2, 3), dtype=np.float32)
    assert F.relu(x).dtype == np.float32 and mg.Tensor(np.float32(1.0)).dtype == np.float32


# ---------------------------------------------------------------- protocols
def test_python_protocols_follow_torch():
    torch = pytest.importorskip("torch")
    for values in ([0.0], [2.5], 0.0, -1.0):
        assert bool(mg.Tensor(values)) == bool(torch.tensor(values))
        assert float(mg.Tensor(values)) == float(torch.tensor(values))
    assert int(mg.Tensor([2.7])) == int(torch.tensor([2.7])) == 2
    for values in ([1.0, 2.0], []):
        with pytest.raises(RuntimeError):
            bool(torch.tensor(values))
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(mg.Tensor(values))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(torch.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(mg.Tensor(1.0))
    t, m = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), mg.Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert [r.tolist() for r in t] == [r.data.tolist() for r in m]
    for element in (3.0, 5.0, 2):
        assert (element in t) == (element in m)


def test_iteration_is_differentiable():
    x = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = 0
    for i, row in enumerate(x):
        total = total + row * (i + 1)
    total.backward()
    assert np.array_equal(x.grad, [1.0, 2.0, 3.0])


# ---------------------------------------------------------- empty reductions
def test_empty_reductions_follow_torch_where_torch_is_defined():
    torch = pytest.importorskip("torch")
    e, te = mg.Tensor(np.zeros((0, 3)), requires_grad=True), torch.zeros(0, 3, dtype=torch.float64)
    cases = [
        (lambda x: x.sum(), lambda x: x.sum()),
        (lambda x: x.sum(axis=0), lambda x: x.sum(0)),
        (lambda x: x.mean(axis=1), lambda x: x.mean(1)),
        (lambda x: x.max(axis=1), lambda x: x.amax(1)),
        (lambda x: F.logsumexp(x), lambda x: x.logsumexp((0, 1))),
        (lambda x: F.logsumexp(x, axis=0), lambda x: x.logsumexp(0)),
        (lambda x: F.softmax(x, axis=0), lambda x: x.softmax(0)),
        (lambda x: F.log_softmax(x, axis=0), lambda x: x.log_softmax(0)),
        (lambda x: F.cross_entropy(x, np.zeros(0, int), reduction="sum"),
         lambda x: torch.nn.functional.cross_entropy(x, torch.zeros(0, dtype=torch.long), reduction="sum")),
        (lambda x: F.mse_loss(x, np.zeros((0, 3)), reduction="none"),
         lambda x: torch.nn.functional.mse_loss(x, x, reduction="none")),
    ]
    for fm, ft in cases:
        out, want = fm(e), ft(te)
        assert out.shape == tuple(want.shape)
        np.testing.assert_array_equal(out.data, want.numpy())
        if out.size == 1:
            out.backward()
            assert e.grad.shape == (0, 3)
    # where torch returns nan (the mean of nothing), minigrad raises instead
    assert torch.isnan(te.mean()) and torch.isnan(torch.nn.functional.mse_loss(te, te))


def test_integer_tensors_work_in_the_softmax_family():
    """Integers are exact inputs to softmax, log_softmax and logsumexp (the results are float)."""
    x = mg.Tensor([[1, 2, 3]])
    np.testing.assert_allclose(F.softmax(x).data, F.softmax(mg.Tensor([[1.0, 2.0, 3.0]])).data)
    np.testing.assert_allclose(F.log_softmax(x).data, F.log_softmax(mg.Tensor([[1.0, 2.0, 3.0]])).data)
    assert np.isclose(F.logsumexp(x).item(), np.log(np.exp([1.0, 2.0, 3.0]).sum()))


def test_constant_weight_and_bias_in_linear():
    """A weight given as an array is a constant: the input still gets d(sum)/dx = column sums of W."""
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = mg.Tensor([[0.5, -1.0]], requires_grad=True)
    F.linear(x, w, [1.0, 1.0, 1.0]).sum().backward()
    assert np.array_equal(x.grad, [w.sum(axis=0)])
