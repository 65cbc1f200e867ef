"""Tests of minigrad.optim that do not need PyTorch.

Each update rule is checked against an independent closed form, and against
the hand-verified three-step tables of the reference sheet
(shared/reference/optimizer-conventions.md, f(w) = w^2, w0 = 1, float64).
"""

import copy
import math
import pickle

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.nn import Parameter
from minigrad.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    NAdam,
    Optimizer,
    RMSprop,
)
from minigrad.optim.lr_scheduler import InverseTimeDecay

# One representative configuration per optimizer (and option that adds state).
CONFIGS = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01)),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01)),
    (RMSprop, dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.01)),
    (Adam, dict(lr=0.01, weight_decay=0.01)),
    (Adam, dict(lr=0.01, amsgrad=True)),
    (AdamW, dict(lr=0.01, amsgrad=True)),
    (NAdam, dict(lr=0.01, weight_decay=0.01)),
    (NAdam, dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    (Adadelta, dict(lr=1.0, weight_decay=0.01)),
    (Adamax, dict(lr=0.01, weight_decay=0.01)),
]
CONFIG_IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for cls, kw in CONFIGS]
ALL_CLASSES = [SGD, Adagrad, RMSprop, Adam, AdamW, NAdam, Adadelta, Adamax]
SHAPES = [(3, 4), (5,), (2, 3, 2), ()]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.standard_normal(s).astype(dtype)) for s in SHAPES]


def gradient_sequence(n_steps, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) for s in SHAPES] for _ in range(n_steps)]


def two_groups(params, **second):
    return [{"params": params[:2]}, {"params": params[2:], "lr": 0.03, **second}]


def run_steps(optimizer, params, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g.copy()
        optimizer.step()


def minimize(optimizer_cls, grad_fn, w0, n_steps, schedule=None, **kwargs):
    """Run ``n_steps`` on a 1-parameter problem; return the iterates w_1..w_n."""
    w = Parameter(np.array([w0], dtype=np.float64))
    opt = optimizer_cls([w], **kwargs)
    sched = schedule(opt) if schedule else None
    out = []
    for _ in range(n_steps):
        w.grad = grad_fn(w.data.copy())
        opt.step()
        if sched:
            sched.step()
        out.append(float(w.data[0]))
    return out


# ----------------------------------------------------------------- base class
class TestOptimizerBase:
    def test_param_groups_filled_with_defaults(self):
        params = make_params()
        opt = Adam(two_groups(params), lr=0.01, betas=(0.8, 0.9))
        assert len(opt.param_groups) == 2
        g0, g1 = opt.param_groups
        assert g0["lr"] == 0.01 and g1["lr"] == 0.03
        for g in (g0, g1):
            assert g["betas"] == (0.8, 0.9)
            assert g["eps"] == 1e-8 and g["weight_decay"] == 0 and g["amsgrad"] is False
        assert g0["params"][0] is params[0] and g1["params"] == params[2:]
        assert opt.defaults["lr"] == 0.01

    def test_caller_group_dict_not_modified(self):
        params = make_params()
        group = {"params": params, "lr": 0.5}
        SGD([group])
        assert set(group) == {"params", "lr"}

    def test_group_uses_its_own_lr(self):
        a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
        opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        a.grad = np.ones(2)
        b.grad = np.ones(2)
        opt.step()
        np.testing.assert_array_equal(a.data, [0.9, 0.9])
        np.testing.assert_array_equal(b.data, [0.5, 0.5])

    def test_non_tensor_param_is_type_error(self):
        with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is numpy.ndarray"):
            SGD([Parameter(np.ones(2)), np.ones(2)], lr=0.1)
        with pytest.raises(TypeError, match="one of the params is float"):
            SGD([1.0], lr=0.1)

    def test_single_tensor_instead_of_iterable(self):
        with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
            SGD(Parameter(np.ones(2)), lr=0.1)

    def test_set_of_params_rejected(self):
        with pytest.raises(TypeError, match="ordered collections"):
            SGD({Parameter(np.ones(2))}, lr=0.1)

    def test_empty_parameter_list(self):
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            SGD([], lr=0.1)

    def test_generator_is_consumed_once(self):
        params = make_params()
        opt = SGD((p for p in params), lr=0.1)
        assert opt.param_groups[0]["params"] == params

    def test_parameter_in_two_groups(self):
        p = Parameter(np.ones(2))
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
        opt = SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="more than one parameter group"):
            opt.add_param_group({"params": [p]})

    def test_duplicate_parameter_in_one_group(self):
        # PyTorch warns and then updates the tensor twice per step; we refuse.
        p = Parameter(np.ones(2))
        with pytest.raises(ValueError, match="duplicate parameters"):
            SGD([p, p], lr=0.1)

    def test_requires_grad_false_tensor_is_allowed_and_skipped(self):
        frozen = Tensor(np.ones(3))
        trained = Parameter(np.ones(3))
        opt = Adam([frozen, trained], lr=0.1)
        trained.grad = np.ones(3)
        opt.step()
        np.testing.assert_array_equal(frozen.data, np.ones(3))
        assert frozen not in opt.state and trained in opt.state

    def test_named_parameters(self):
        params = make_params()
        opt = SGD([(f"p{i}", p) for i, p in enumerate(params)], lr=0.1)
        assert opt.param_groups[0]["param_names"] == ["p0", "p1", "p2", "p3"]
        assert opt.state_dict()["param_groups"][0]["param_names"] == ["p0", "p1", "p2", "p3"]
        with pytest.raises(ValueError, match="with/without names"):
            opt.add_param_group({"params": [Parameter(np.ones(1))]})

    def test_add_param_group(self):
        params = make_params()
        opt = SGD(params[:2], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": params[2:], "lr": 0.01})
        assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([Parameter(np.ones(1))])

    def test_zero_grad_set_to_none(self):
        params = make_params()
        opt = SGD(params, lr=0.1)
        for p in params:
            p.grad = np.ones(p.data.shape)
        opt.zero_grad()
        assert all(p.grad is None for p in params)

    def test_zero_grad_in_place(self):
        params = make_params()
        opt = SGD(params, lr=0.1)
        grads = []
        for p in params:
            p.grad = np.ones(p.data.shape)
            grads.append(p.grad)
        opt.zero_grad(set_to_none=False)
        for p, g in zip(params, grads):
            assert p.grad is g  # same array, zeroed in place
            assert not np.any(p.grad)

    def test_step_returns_closure_loss(self):
        w = Parameter(np.array([3.0]))
        opt = SGD([w], lr=0.1)
        calls = []

        def closure():
            calls.append(1)
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert len(calls) == 1 and loss.item() == 9.0
        np.testing.assert_allclose(w.data, [3.0 - 0.1 * 6.0])
        assert opt.step() is None

    def test_update_is_in_place(self):
        for cls, kwargs in CONFIGS:
            params = make_params()
            arrays = [p.data for p in params]
            opt = cls(params, **kwargs)
            run_steps(opt, params, gradient_sequence(3))
            assert all(p.data is a for p, a in zip(params, arrays)), cls.__name__

    def test_gradient_not_modified(self):
        for cls, kwargs in CONFIGS:
            params = make_params()
            opt = cls(params, **kwargs)
            grads = gradient_sequence(3)
            for step_grads in grads:
                for p, g in zip(params, step_grads):
                    p.grad = g.copy()
                opt.step()
                for p, g in zip(params, step_grads):
                    np.testing.assert_array_equal(p.grad, g, err_msg=cls.__name__)

    def test_base_step_not_implemented(self):
        opt = Optimizer([Parameter(np.ones(1))], {"lr": 0.1})
        with pytest.raises(NotImplementedError):
            opt.step()

    def test_repr_lists_hyperparameters(self):
        text = repr(SGD(make_params(), lr=0.25, momentum=0.5))
        assert text.startswith("SGD (") and "lr: 0.25" in text and "momentum: 0.5" in text


@pytest.mark.parametrize("cls,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_none_gradient_is_skipped(cls, kwargs):
    params = make_params()
    before = params[1].data.copy()
    opt = cls(params, **kwargs)
    for step_grads in gradient_sequence(4):
        for i, (p, g) in enumerate(zip(params, step_grads)):
            p.grad = None if i == 1 else g
        opt.step()
    np.testing.assert_array_equal(params[1].data, before)
    if cls is Adagrad:
        # As in PyTorch, Adagrad creates every parameter's state when it is
        # constructed; a parameter without gradients keeps it untouched.
        assert opt.state[params[1]]["step"] == 0
        np.testing.assert_array_equal(opt.state[params[1]]["sum"], np.full(before.shape, 0.1))
    else:
        assert params[1] not in opt.state
    if cls is SGD and kwargs.get("momentum", 0) == 0:
        assert len(opt.state) == 0  # plain SGD keeps no state at all
    else:
        assert params[0] in opt.state


@pytest.mark.parametrize("cls,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_float32_stays_float32(cls, kwargs):
    params = make_params(dtype=np.float32)
    params64 = make_params(dtype=np.float64)
    opt = cls(params, **kwargs)
    opt64 = cls(params64, **kwargs)
    grads = gradient_sequence(5)
    run_steps(opt, params, [[g.astype(np.float32) for g in gs] for gs in grads])
    run_steps(opt64, params64, grads)
    for p, p64 in zip(params, params64):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, p64.data, rtol=1e-4, atol=1e-5)
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


@pytest.mark.parametrize("cls,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_round_trip_continues_exactly(cls, kwargs):
    grads = gradient_sequence(30)
    # a None gradient now and then, so that some state is missing or stale
    for t in range(0, 30, 7):
        grads[t][3] = None

    def feed(opt, params, steps):
        for step_grads in steps:
            for p, g in zip(params, step_grads):
                p.grad = None if g is None else g.copy()
            opt.step()

    params = make_params()
    opt = cls(two_groups(params, weight_decay=0.05), **kwargs)
    feed(opt, params, grads[:15])
    saved = pickle.dumps(opt.state_dict())
    saved_params = [p.data.copy() for p in params]
    feed(opt, params, grads[15:])

    restored_params = [Parameter(a) for a in saved_params]
    restored = cls(two_groups(restored_params), **kwargs)  # different weight_decay ...
    restored.load_state_dict(pickle.loads(saved))  # ... is overwritten by the saved groups
    assert restored.param_groups[1]["weight_decay"] == 0.05
    feed(restored, restored_params, grads[15:])
    for p, q in zip(params, restored_params):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("cls,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_is_plain_snapshot(cls, kwargs):
    params = make_params()
    opt = cls(two_groups(params), **kwargs)
    run_steps(opt, params, gradient_sequence(3))
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert all(isinstance(k, int) for k in sd["state"])
    copied = copy.deepcopy(sd)
    run_steps(opt, params, gradient_sequence(2, seed=5))
    # later steps do not change a saved state dict
    for index, p_state in sd["state"].items():
        for key, value in p_state.items():
            np.testing.assert_array_equal(value, copied["state"][index][key])
    for g in sd["param_groups"]:
        for key, value in g.items():
            assert isinstance(value, (int, float, bool, tuple, list)), (key, value)


def test_load_state_dict_casts_to_parameter_dtype():
    params = make_params()
    opt = Adam(params, lr=0.01)
    run_steps(opt, params, gradient_sequence(3))
    params32 = make_params(dtype=np.float32)
    opt32 = Adam(params32, lr=0.01)
    opt32.load_state_dict(opt.state_dict())
    for p in params32:
        assert opt32.state[p]["exp_avg"].dtype == np.float32
        assert opt32.state[p]["step"] == 3
    # loading copies: stepping the source does not touch the loaded state
    before = opt32.state[params32[0]]["exp_avg"].copy()
    run_steps(opt, params, gradient_sequence(1))
    np.testing.assert_array_equal(opt32.state[params32[0]]["exp_avg"], before)


def test_load_state_dict_mismatches():
    params = make_params()
    opt = SGD(two_groups(params), lr=0.1, momentum=0.9)
    run_steps(opt, params, gradient_sequence(2))
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        SGD(make_params(), lr=0.1).load_state_dict(sd)
    other = make_params()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        SGD([{"params": other[:1]}, {"params": other[1:]}], lr=0.1).load_state_dict(sd)
    swapped = make_params()
    swapped[0], swapped[1] = Parameter(np.ones(5)), Parameter(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"has shape \(3, 4\), but the parameter has shape \(5,\)"):
        SGD(two_groups(swapped), lr=0.1).load_state_dict(sd)


def test_adamw_load_keeps_decoupled_decay():
    params = make_params()
    sd = Adam(params, lr=0.01).state_dict()
    opt = AdamW(make_params(), lr=0.01)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


# ----------------------------------------------------------- invalid inputs
INVALID = [
    (SGD, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (SGD, dict(lr=float("nan")), "Invalid learning rate: nan"),
    (SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (SGD, dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
    (SGD, dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov momentum requires a momentum and zero dampening"),
    (Adagrad, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (Adagrad, dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    (Adagrad, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (Adagrad, dict(initial_accumulator_value=-0.1), "Invalid initial_accumulator_value value: -0.1"),
    (Adagrad, dict(eps=-1e-10), "Invalid epsilon value: -1e-10"),
    (RMSprop, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (RMSprop, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (RMSprop, dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    (RMSprop, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (RMSprop, dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    (RMSprop, dict(alpha=1.0), "Invalid alpha value: 1.0"),
    (Adadelta, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (Adadelta, dict(rho=1.0), "Invalid rho value: 1.0"),
    (Adadelta, dict(rho=-0.1), "Invalid rho value: -0.1"),
    (Adadelta, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (Adadelta, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (NAdam, dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
]
for _cls in (Adam, AdamW, NAdam, Adamax):
    INVALID += [
        (_cls, dict(lr=-1.0), "Invalid learning rate: -1.0"),
        (_cls, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        (_cls, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (_cls, dict(betas=(-0.1, 0.999)), "Invalid beta parameter at index 0: -0.1"),
        (_cls, dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
        (_cls, dict(betas=(0.9,)), r"betas must be a pair \(beta1, beta2\), but got \(0.9,\)"),
        (_cls, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ]


@pytest.mark.parametrize(
    "cls,kwargs,message", INVALID, ids=[f"{c.__name__}-{m}" for c, _, m in INVALID]
)
def test_invalid_hyperparameter(cls, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        cls(make_params(), **kwargs)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_defaults_match_pytorch(cls):
    expected = {
        SGD: dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False),
        Adagrad: dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10),
        RMSprop: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False),
        Adam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
        AdamW: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
        NAdam: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3),
        Adadelta: dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
        Adamax: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0),
    }[cls]
    defaults = cls(make_params()).defaults
    for key, value in expected.items():
        assert defaults[key] == value, key


# --------------------------------------------- the reference sheet's tables
def grad_w2(w):
    return 2.0 * w  # f(w) = w^2


class TestReferenceSheetTables:
    """'Three verified steps, f(w) = w^2, w0 = 1, float64' (PyTorch column)."""

    def test_sgd_momentum_constant_lr(self):
        got = minimize(SGD, grad_w2, 1.0, 3, lr=0.1, momentum=0.9)
        np.testing.assert_allclose(got, [0.8, 0.46, 0.062], rtol=0, atol=1e-12)

    def test_sgd_momentum_changing_lr(self):
        w = Parameter(np.array([1.0]))
        opt = SGD([w], lr=0.1, momentum=0.9)
        got = []
        for lr in (0.1, 0.05, 0.025):
            opt.param_groups[0]["lr"] = lr
            w.grad = grad_w2(w.data)
            opt.step()
            got.append(float(w.data[0]))
        np.testing.assert_allclose(got, [0.8, 0.63, 0.522], rtol=0, atol=1e-12)

    def test_nesterov_constant_lr(self):
        got = minimize(SGD, grad_w2, 1.0, 3, lr=0.1, momentum=0.9, nesterov=True)
        np.testing.assert_allclose(got, [0.62, 0.2224, -0.108352], rtol=0, atol=1e-12)

    def test_sgd_momentum_with_keras_decay(self):
        got = minimize(
            SGD, grad_w2, 1.0, 3, schedule=lambda o: InverseTimeDecay(o, decay=0.5),
            lr=0.1, momentum=0.9,
        )
        # by hand: lr = .1, .1/1.5, .1/2;  b = 2, .9*2 + 1.6 = 3.4, .9*3.4 + 1.14667 = 4.20667
        by_hand = [1 - 0.1 * 2, 0.8 - 0.1 / 1.5 * 3.4, 0.8 - 0.1 / 1.5 * 3.4 - 0.05 * (0.9 * 3.4 + 2 * (0.8 - 0.1 / 1.5 * 3.4))]
        np.testing.assert_allclose(got, by_hand, rtol=1e-13)
        np.testing.assert_allclose(got, [0.8, 0.573333, 0.363], rtol=0, atol=5e-7)

    def test_adagrad(self):
        got = minimize(Adagrad, grad_w2, 1.0, 3, lr=0.1)
        np.testing.assert_allclose(got, [0.9, 0.8331035268, 0.7804561814], rtol=0, atol=1e-10)

    def test_adam_tiny_gradient(self):
        got = minimize(Adam, lambda w: 2e-6 * w, 1.0, 3, lr=0.1)
        np.testing.assert_allclose(got, [0.9004975124, 0.8014274542, 0.7031361632], rtol=0, atol=1e-10)

    def test_adadelta(self):
        got = minimize(Adadelta, grad_w2, 1.0, 3, lr=1.0, rho=0.9, eps=1e-6)
        np.testing.assert_allclose(got, [0.9968377263, 0.9935981741, 0.9903090457], rtol=0, atol=1e-10)


# ------------------------------------------------------------ closed forms
class TestClosedForms:
    def test_gradient_descent_on_quadratic(self):
        # f(w) = (lam/2) w^2  ->  w_t = (1 - eta lam)^t w0
        lam, eta, w0 = 3.0, 0.1, np.array([1.5, -2.0, 0.25])
        w = Parameter(w0.copy())
        opt = SGD([w], lr=eta)
        for t in range(1, 41):
            w.grad = lam * w.data
            opt.step()
            np.testing.assert_allclose(w.data, (1 - eta * lam) ** t * w0, rtol=1e-12)

    def test_gradient_descent_with_autograd(self):
        # the same, with the gradient computed by minigrad's backward
        lam, eta = 0.5, 0.2
        w = Parameter(np.array([2.0, -1.0]))
        opt = SGD([w], lr=eta)
        for _ in range(25):
            opt.zero_grad()
            loss = (w * w).sum() * (lam / 2)
            loss.backward()
            opt.step()
        np.testing.assert_allclose(w.data, (1 - eta * lam) ** 25 * np.array([2.0, -1.0]), rtol=1e-12)

    def test_weight_decay_is_l2(self):
        # zero loss gradient, weight decay lam: w_t = (1 - eta lam)^t w0
        w = Parameter(np.array([1.0, -3.0]))
        opt = SGD([w], lr=0.1, weight_decay=0.5)
        for _ in range(10):
            w.grad = np.zeros(2)
            opt.step()
        np.testing.assert_allclose(w.data, 0.95**10 * np.array([1.0, -3.0]), rtol=1e-13)

    @pytest.mark.parametrize("dampening", [0.0, 0.3])
    def test_momentum_under_constant_gradient(self, dampening):
        # b_1 = g, b_t = mu b_{t-1} + (1 - d) g
        #   => b_t = mu^(t-1) g + (1 - d) g (1 - mu^(t-1)) / (1 - mu)
        mu, eta = 0.9, 0.05
        g = np.array([1.0, -2.0, 0.5])
        w = Parameter(np.zeros(3))
        opt = SGD([w], lr=eta, momentum=mu, dampening=dampening)
        position = np.zeros(3)
        for t in range(1, 41):
            w.grad = g.copy()
            opt.step()
            b_t = mu ** (t - 1) * g + (1 - dampening) * g * (1 - mu ** (t - 1)) / (1 - mu)
            np.testing.assert_allclose(opt.state[w]["momentum_buffer"], b_t, rtol=1e-12)
            position -= eta * b_t
            np.testing.assert_allclose(w.data, position, rtol=1e-12)
        if dampening == 0:
            # b_t = sum_{k<t} mu^k g -> g / (1 - mu): the step grows to 10x
            np.testing.assert_allclose(b_t, g * (1 - mu**40) / (1 - mu), rtol=1e-12)

    def test_nesterov_first_steps(self):
        # constant g: b1 = g, step1 = g + mu b1 = (1 + mu) g;
        #             b2 = (1 + mu) g, step2 = g + mu (1 + mu) g
        mu, eta, g = 0.9, 0.1, np.array([2.0, -1.0])
        w = Parameter(np.zeros(2))
        opt = SGD([w], lr=eta, momentum=mu, nesterov=True)
        w.grad = g.copy()
        opt.step()
        np.testing.assert_allclose(w.data, -eta * (1 + mu) * g, rtol=1e-15)
        w.grad = g.copy()
        opt.step()
        np.testing.assert_allclose(w.data, -eta * (1 + mu) * g - eta * (1 + mu + mu * mu) * g, rtol=1e-15)

    def test_adam_first_step(self):
        # m_hat = g, v_hat = g^2  ->  -eta g / (|g| + eps), whatever the scale
        rng = np.random.default_rng(3)
        g = rng.standard_normal(50) * 10.0 ** rng.uniform(-9, 3, 50)
        eta, eps = 0.01, 1e-8
        w = Parameter(np.zeros(50))
        opt = Adam([w], lr=eta, eps=eps)
        w.grad = g
        opt.step()
        np.testing.assert_allclose(w.data, -eta * g / (np.abs(g) + eps), rtol=1e-14)

    def test_adam_constant_gradient_every_step_is_eta(self):
        # bias correction makes m_hat = g and v_hat = g^2 at every step
        g = np.array([3.0, -0.02, 1e-3])
        eta = 0.01
        w = Parameter(np.zeros(3))
        opt = Adam([w], lr=eta)
        for t in range(1, 31):
            w.grad = g.copy()
            opt.step()
            np.testing.assert_allclose(w.data, -t * eta * g / (np.abs(g) + 1e-8), rtol=1e-11)

    def test_amsgrad_uses_running_maximum(self):
        # decreasing gradients: v falls, vmax must not
        eta, b1, b2, eps = 0.01, 0.9, 0.99, 1e-8
        w = Parameter(np.zeros(2))
        opt = Adam([w], lr=eta, betas=(b1, b2), amsgrad=True)
        m = v = vmax = np.zeros(2)
        position = np.zeros(2)
        previous = np.zeros(2)
        for t in range(1, 41):
            g = np.array([1.0, -2.0]) * 0.8**t
            w.grad = g
            opt.step()
            state = opt.state[w]
            assert np.all(state["max_exp_avg_sq"] >= previous)
            assert np.all(state["max_exp_avg_sq"] >= state["exp_avg_sq"])
            previous = state["max_exp_avg_sq"].copy()
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = np.maximum(vmax, v)
            position = position - eta / (1 - b1**t) * m / (np.sqrt(vmax / (1 - b2**t)) + eps)
            np.testing.assert_allclose(w.data, position, rtol=1e-12)
        assert np.all(state["max_exp_avg_sq"] > state["exp_avg_sq"])  # the max did matter

    def test_adamw_decoupled_decay_with_zero_gradient(self):
        eta, lam = 0.1, 0.2
        p0 = np.array([1.0, -2.0, 3.0])
        w = Parameter(p0.copy())
        opt = AdamW([w], lr=eta, weight_decay=lam)
        for t in range(1, 21):
            w.grad = np.zeros(3)
            opt.step()
            np.testing.assert_allclose(w.data, p0 * (1 - eta * lam) ** t, rtol=1e-13)

    def test_adam_l2_decay_is_not_decoupled(self):
        # Adam(weight_decay) feeds lam p into m and v: the first step is eta, not eta*lam*p
        w = Parameter(np.array([2.0]))
        opt = Adam([w], lr=0.1, weight_decay=0.5)
        w.grad = np.zeros(1)
        opt.step()
        np.testing.assert_allclose(w.data, [2.0 - 0.1 * 1.0 / (1.0 + 1e-8)], rtol=1e-14)

    def test_adagrad_constant_gradient(self):
        # G_t = t g^2  ->  step_t = eta g / (sqrt(t) |g| + eps)
        eta, eps = 0.1, 1e-10
        g = np.array([2.0, -0.5, 1e-3])
        w = Parameter(np.zeros(3))
        opt = Adagrad([w], lr=eta)
        position = np.zeros(3)
        for t in range(1, 41):
            w.grad = g.copy()
            before = w.data.copy()
            opt.step()
            step = before - w.data
            np.testing.assert_allclose(step, eta * g / (math.sqrt(t) * np.abs(g) + eps), rtol=1e-12)
            np.testing.assert_allclose(step * math.sqrt(t), eta * np.sign(g), rtol=1e-6)  # ~ 1/sqrt(t)
            position -= step
        np.testing.assert_allclose(opt.state[w]["sum"], 40 * g * g, rtol=1e-14)

    def test_adagrad_lr_decay_and_initial_accumulator(self):
        eta, decay, G0, g = 0.1, 0.5, 0.3, np.array([1.5])
        w = Parameter(np.zeros(1))
        opt = Adagrad([w], lr=eta, lr_decay=decay, initial_accumulator_value=G0)
        position = 0.0
        for t in range(1, 11):
            w.grad = g.copy()
            opt.step()
            position -= eta / (1 + (t - 1) * decay) * g[0] / (math.sqrt(G0 + t * g[0] ** 2) + 1e-10)
            np.testing.assert_allclose(w.data, [position], rtol=1e-13)

    def test_rmsprop_constant_gradient(self):
        # v_t = (1 - alpha^t) g^2, no bias correction
        eta, alpha, eps = 0.01, 0.9, 1e-8
        g = np.array([1.0, -3.0])
        w = Parameter(np.zeros(2))
        opt = RMSprop([w], lr=eta, alpha=alpha, eps=eps)
        position = np.zeros(2)
        for t in range(1, 41):
            w.grad = g.copy()
            opt.step()
            v_t = (1 - alpha**t) * g * g
            np.testing.assert_allclose(opt.state[w]["square_avg"], v_t, rtol=1e-12)
            position -= eta * g / (np.sqrt(v_t) + eps)
            np.testing.assert_allclose(w.data, position, rtol=1e-12)

    def test_rmsprop_centered_momentum_constant_gradient(self):
        # gbar_t = (1 - a^t) g,  v_t - gbar_t^2 = (1 - a^t) a^t g^2
        eta, a, mu, eps = 0.01, 0.9, 0.5, 1e-8
        g = np.array([2.0])
        w = Parameter(np.zeros(1))
        opt = RMSprop([w], lr=eta, alpha=a, momentum=mu, centered=True, eps=eps)
        b = 0.0
        position = 0.0
        for t in range(1, 21):
            w.grad = g.copy()
            opt.step()
            np.testing.assert_allclose(opt.state[w]["grad_avg"], (1 - a**t) * g, rtol=1e-12)
            b = mu * b + g[0] / (math.sqrt((1 - a**t) * a**t * g[0] ** 2) + eps)
            position -= eta * b
            np.testing.assert_allclose(w.data, [position], rtol=1e-10)

    def test_adadelta_first_step(self):
        # E_x = 0: D = sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g
        rho, eps, g = 0.9, 1e-6, np.array([0.5, -4.0])
        w = Parameter(np.zeros(2))
        opt = Adadelta([w], lr=1.0, rho=rho, eps=eps)
        w.grad = g.copy()
        opt.step()
        expected = -math.sqrt(eps) / np.sqrt((1 - rho) * g * g + eps) * g
        np.testing.assert_allclose(w.data, expected, rtol=1e-14)
        np.testing.assert_allclose(opt.state[w]["acc_delta"], (1 - rho) * expected**2, rtol=1e-14)

    def test_adamax_constant_gradient(self):
        # u_t = |g| + eps (beta2 u < |g| + eps), m_hat = g: every step is eta g / (|g| + eps)
        eta, eps = 0.002, 1e-8
        g = np.array([0.3, -5.0])
        w = Parameter(np.zeros(2))
        opt = Adamax([w], lr=eta, eps=eps)
        for t in range(1, 31):
            w.grad = g.copy()
            opt.step()
            np.testing.assert_allclose(opt.state[w]["exp_inf"], np.abs(g) + eps, rtol=1e-15)
            np.testing.assert_allclose(w.data, -t * eta * g / (np.abs(g) + eps), rtol=1e-12)

    def test_adamax_infinity_norm_decays(self):
        # after a large gradient, u decays by beta2 per step while |g| is smaller
        w = Parameter(np.zeros(1))
        opt = Adamax([w], betas=(0.9, 0.5), eps=0.0)
        for t, g in enumerate([8.0, 1.0, 1.0, 1.0]):
            w.grad = np.array([g])
            opt.step()
        np.testing.assert_allclose(opt.state[w]["exp_inf"], [1.0], rtol=1e-15)  # 8 * .5^3 = 1

    def test_nadam_first_step(self):
        # m = (1-b1) g, v = (1-b2) g^2, d = |g| + eps:
        # step = eta g / d * [(1 - mu1)/(1 - mu1) + mu2 (1 - b1) / (1 - mu1 mu2)]
        eta, b1, b2, psi, eps = 0.002, 0.9, 0.999, 0.004, 1e-8
        g = np.array([0.7, -2.0])
        w = Parameter(np.zeros(2))
        opt = NAdam([w], lr=eta, betas=(b1, b2), momentum_decay=psi, eps=eps)
        w.grad = g.copy()
        opt.step()
        mu1 = b1 * (1 - 0.5 * 0.96**psi)
        mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
        d = np.abs(g) + eps
        expected = -eta * g / d * (1 + mu2 * (1 - b1) / (1 - mu1 * mu2))
        np.testing.assert_allclose(w.data, expected, rtol=1e-13)
        assert opt.state[w]["mu_product"] == pytest.approx(mu1, rel=1e-15)

    def test_nadam_decoupled_decay_with_zero_gradient(self):
        p0 = np.array([1.0, -2.0])
        w = Parameter(p0.copy())
        opt = NAdam([w], lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)
        for t in range(1, 11):
            w.grad = np.zeros(2)
            opt.step()
            np.testing.assert_allclose(w.data, p0 * 0.97**t, rtol=1e-13)

    def test_step_counter_counts_from_one(self):
        for cls in (Adagrad, RMSprop, Adam, NAdam, Adadelta, Adamax):
            w = Parameter(np.zeros(1))
            opt = cls([w])
            for t in range(1, 4):
                w.grad = np.ones(1)
                opt.step()
                assert opt.state[w]["step"] == t, cls.__name__


def test_train_a_model_end_to_end():
    """minigrad's autograd + optimizer fits a linear regression."""
    from minigrad import manual_seed
    from minigrad.nn import Linear
    from minigrad.nn import functional as F

    manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    true_w = np.array([[1.5, -2.0, 0.5]])
    y = x @ true_w.T + 0.3
    model = Linear(3, 1)
    opt = Adam(model.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        opt.step()
    np.testing.assert_allclose(model.weight.data, true_w, atol=1e-3)
    np.testing.assert_allclose(model.bias.data, [0.3], atol=1e-3)
