"""Bad input to every optimizer and scheduler: a clear error, never a silent answer.

Table-driven: each bad value of each argument of each constructor must raise
the expected exception type with a message that names the argument and shows
the value.  Where PyTorch 2.13 accepts the value (infinite hyperparameters,
dampening, strings for flags, per-group values, non-leaf parameters, another
optimizer's state dict, negative or nan LambdaLR factors) minigrad is stricter
on purpose; the package docstring of ``minigrad.optim`` lists these cases.
"""

import inspect
import math
import re

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.nn import Parameter
from minigrad.optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop
from minigrad.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeDecay,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)

OPTIMIZERS = [SGD, Adagrad, RMSprop, Adam, AdamW, NAdam, Adadelta, Adamax, RAdam]
# how each argument is named in messages (PyTorch's wording, or the keyword)
SPOKEN = {"lr": "learning rate", "eps": "epsilon", "betas": "beta"}
REALS = ["lr", "momentum", "dampening", "weight_decay", "eps", "lr_decay",
         "initial_accumulator_value", "momentum_decay", "alpha", "rho"]
FLAGS = ["nesterov", "amsgrad", "centered", "maximize", "decoupled_weight_decay"]
NOT_NUMBERS = ["0.1", None, [0.1], True, 1j]
NOT_FLAGS = ["False", "True", 0, 1, None, 0.0]


def params():
    return [Parameter(np.ones(3)), Parameter(np.ones((2, 2)))]


def argument_names(cls):
    return [n for n in inspect.signature(cls).parameters if n != "params"]


def bad_real_values(name):
    values = [(v, TypeError) for v in NOT_NUMBERS]
    values += [(math.inf, ValueError), (-math.inf, ValueError), (math.nan, ValueError),
               (-0.5, ValueError)]
    if name in ("alpha", "rho"):
        values.append((1.0, ValueError))
    if name == "dampening":
        values.append((1.5, ValueError))
    return values


def cases():
    for cls in OPTIMIZERS:
        for name in argument_names(cls):
            if name in REALS:
                for value, exc in bad_real_values(name):
                    yield cls, name, value, exc
            elif name in FLAGS:
                for value in NOT_FLAGS:
                    yield cls, name, value, TypeError
            elif name == "betas":
                for value, exc in [((1.0, 0.9), ValueError), ((0.9, math.nan), ValueError),
                                   ((0.9, math.inf), ValueError), (("0.9", 0.99), TypeError),
                                   ((0.9, None), TypeError), ((0.9,), ValueError),
                                   (0.9, ValueError), (None, ValueError)]:
                    yield cls, name, value, exc
            else:
                raise AssertionError(f"no bad values listed for {cls.__name__}({name}=)")


CASES = list(cases())


def assert_names(error, name, value):
    message = str(error)
    spoken = SPOKEN.get(name, name)
    assert name in message or spoken in message, message
    shown = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, tuple) and len(value) == 2:  # the bad one of the pair
        shown = next((repr(v) if isinstance(v, str) else str(v))
                     for v in value if not (isinstance(v, float) and 0 <= v < 1))
    assert shown in message, (shown, message)


@pytest.mark.parametrize("cls,name,value,exc", CASES,
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _ in CASES])
def test_bad_constructor_argument(cls, name, value, exc):
    with pytest.raises(exc) as info:
        cls(params(), **{name: value})
    assert_names(info.value, name, value)


@pytest.mark.parametrize("cls,name,value,exc", CASES[::3],
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _ in CASES[::3]])
def test_bad_value_in_a_parameter_group(cls, name, value, exc):
    """PyTorch never checks per-group values; minigrad checks them like the constructor's."""
    a, b = params()
    with pytest.raises(exc) as info:
        cls([{"params": [a]}, {"params": [b], name: value}])
    assert str(info.value).startswith("parameter group 1: ")
    assert_names(info.value, name, value)
    opt = cls([a])
    with pytest.raises(exc, match="^parameter group 1: "):
        opt.add_param_group({"params": [b], name: value})
    assert len(opt.param_groups) == 1  # nothing half-added


def test_nesterov_constraint_holds_per_group():
    a, b = params()
    with pytest.raises(ValueError, match="parameter group 1: Nesterov momentum requires"):
        SGD([{"params": [a]}, {"params": [b], "momentum": 0}], lr=0.1, momentum=0.9,
            nesterov=True)


def test_every_optimizer_argument_has_bad_values_listed():
    listed = {(c, n) for c, n, _, _ in CASES}
    for cls in OPTIMIZERS:
        for name in argument_names(cls):
            assert (cls, name) in listed


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_non_leaf_parameter_is_refused(cls):
    """PyTorch refuses too; before, minigrad accepted it and never moved it."""
    leaf = Parameter(np.ones(3))
    derived = leaf * 2.0
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor: params\[1\] "
                                         r"is the result of <mul>"):
        cls([Parameter(np.ones(2)), derived])


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_valid_odd_values_are_accepted(cls):
    """Zero, integers and NumPy scalars are valid real hyperparameters."""
    opt = cls(params(), lr=np.float32(0.0), weight_decay=0, maximize=np.bool_(True))
    assert opt.defaults["maximize"] is True


OTHER = {SGD: dict(momentum=0.9), RMSprop: dict(momentum=0.5, centered=True),
         Adam: dict(amsgrad=True)}


def trained(cls):
    ps = params()
    opt = cls(ps, **OTHER.get(cls, {}))
    for p in ps:
        p.grad = np.full(p.data.shape, 0.5)
    opt.step()
    return opt


@pytest.mark.parametrize("source", OPTIMIZERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("target", OPTIMIZERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("stepped", [True, False], ids=["with-state", "no-state"])
def test_another_optimizers_state_dict_is_refused(source, target, stepped):
    saved = (trained(source) if stepped else source(params())).state_dict()
    opt = target(params())
    same_kind = source is target or {source, target} == {Adam, AdamW}
    if same_kind:
        opt.load_state_dict(saved)
        return
    with pytest.raises(ValueError, match=f"^loaded state dict is not from a {target.__name__}: "):
        opt.load_state_dict(saved)


# ------------------------------------------------------------------ schedulers
def optimizer():
    return SGD(params(), lr=0.1)


SCHEDULER_CASES = [
    (lambda o, v: StepLR(o, step_size=v), "step_size", [0, -1, 2.5, "3", None, True], ValueError),
    (lambda o, v: StepLR(o, step_size=2, gamma=v), "gamma", [-0.1, math.nan, math.inf], ValueError),
    (lambda o, v: StepLR(o, step_size=2, gamma=v), "gamma", ["0.1", None], TypeError),
    (lambda o, v: MultiStepLR(o, [2, 4], gamma=v), "gamma", [-1.0, math.nan, math.inf], ValueError),
    (lambda o, v: MultiStepLR(o, [2, v]), "milestones", [4.5, "4", None], TypeError),
    (lambda o, v: ExponentialLR(o, gamma=v), "gamma", [-0.5, math.nan, math.inf], ValueError),
    (lambda o, v: ExponentialLR(o, gamma=v), "gamma", ["0.9", None], TypeError),
    (lambda o, v: CosineAnnealingLR(o, T_max=v), "T_max", [0, 2.5, "10", None], ValueError),
    (lambda o, v: CosineAnnealingLR(o, 10, eta_min=v), "eta_min", [-1e-3, math.nan, math.inf],
     ValueError),
    (lambda o, v: LinearLR(o, start_factor=v), "start_factor", ["0.5", None], TypeError),
    (lambda o, v: LinearLR(o, end_factor=v), "end_factor", ["0.5", None], TypeError),
    (lambda o, v: LinearLR(o, total_iters=v), "total_iters", [0, 1.5, None], ValueError),
    (lambda o, v: InverseTimeDecay(o, decay=v), "decay", [-0.5, math.nan, math.inf], ValueError),
    (lambda o, v: InverseTimeDecay(o, decay=v), "decay", ["0.5", None], TypeError),
    (lambda o, v: LambdaLR(o, v), "lr_lambda", [0.5, None, "x"], TypeError),
    (lambda o, v: StepLR(o, 2, last_epoch=v), "last_epoch", [-2, 1.5, None, "0"], ValueError),
]
SCHEDULER_CASES = [(make, name, value, exc) for make, name, values, exc in SCHEDULER_CASES
                   for value in values]


@pytest.mark.parametrize("make,name,value,exc", SCHEDULER_CASES,
                         ids=[f"{n}={v!r}" for _, n, v, _ in SCHEDULER_CASES])
def test_bad_scheduler_argument(make, name, value, exc):
    with pytest.raises(exc) as info:
        make(optimizer(), value)
    message = str(info.value)
    assert name in message, message
    if name != "lr_lambda":  # a non-callable is named by its type
        assert (repr(value) if isinstance(value, str) else str(value)) in message, message


SCHEDULERS = [
    lambda o: StepLR(o, 2), lambda o: MultiStepLR(o, [2]), lambda o: ExponentialLR(o, 0.9),
    lambda o: CosineAnnealingLR(o, 10), lambda o: LinearLR(o), lambda o: InverseTimeDecay(o, 0.1),
    lambda o: LambdaLR(o, lambda t: 1.0),
]


@pytest.mark.parametrize("make", SCHEDULERS)
@pytest.mark.parametrize("thing", ["an optimizer", None, {"param_groups": []}, [Tensor(1.0)]],
                         ids=repr)
def test_scheduler_given_something_that_is_not_an_optimizer(make, thing):
    with pytest.raises(TypeError, match=r"^optimizer must be a minigrad.optim.Optimizer, but "
                                        rf"{re.escape(type(thing).__name__)} is not an Optimizer"):
        make(thing)


@pytest.mark.parametrize("factor", [-0.5, math.nan, math.inf, "1", None], ids=repr)
def test_lambda_lr_factor_must_be_finite_and_nonnegative(factor):
    """PyTorch multiplies by whatever lr_lambda returns (a negative lr ascends)."""
    opt = optimizer()
    sched = LambdaLR(opt, lambda t: 1.0 if t < 3 else factor)
    for _ in range(2):
        opt.step()
        sched.step()
    opt.step()
    shown = repr(factor) if isinstance(factor, str) else str(factor)
    with pytest.raises(ValueError, match=rf"^lr_lambda returned {re.escape(shown)} at step 3 "
                                         r"for parameter group 0"):
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.1  # the last good lr stays


def test_scheduler_never_sets_a_negative_or_nan_lr():
    class Broken(StepLR):
        def get_lr(self):
            return [-0.1 if self.last_epoch == 1 else 0.1 for _ in self.optimizer.param_groups]

    opt = optimizer()
    sched = Broken(opt, 1)
    opt.step()
    with pytest.raises(ValueError, match=r"^Broken computed the learning rate -0.1 for "
                                         r"parameter group 0 at step 1"):
        sched.step()


def test_adam_float32_huge_gradient_moves_by_about_lr():
    """No torch needed: the first Adam step is -lr * g / (|g| + eps), about lr."""
    p = Parameter(np.zeros(2, dtype=np.float32))
    opt = Adam([p], lr=0.01)
    p.grad = np.array([1e20, -3e20], dtype=np.float32)
    opt.step()
    np.testing.assert_allclose(p.data, [-0.01, 0.01], rtol=1e-5)
