"""Schedule-Free SGD and AdamW without PyTorch.

The independent reference is the paper's three sequences, written out with x,
y and z kept separately (minigrad keeps only y and z and eliminates x); the
train/eval switch is checked against x and y of that reference, and the first
steps against hand computation.  The package comparison is in
test_optim_schedule_free_torch.py.
"""

import math
import pickle

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, AdamWScheduleFree, SGDScheduleFree

rng = np.random.default_rng(0)


def paper_rule(x0, grad_at, n_steps, *, adam, lr, beta, beta2=0.999, eps=1e-8,
               weight_decay=0.0, warmup_steps=0, r=0.0, weight_lr_power=2.0):
    """x_t, y_t, z_t of Defazio et al. (2024), Algorithm 1 with the package's weights."""
    x, y, z = x0.copy(), x0.copy(), x0.copy()
    v = np.zeros_like(x0)
    weight_sum, lr_max = 0.0, -1.0
    xs, ys = [], []
    for t in range(1, n_steps + 1):
        gamma = lr * min(1.0, t / warmup_steps) if warmup_steps else lr
        lr_max = max(lr_max, gamma)
        weight = t**r * lr_max**weight_lr_power
        weight_sum += weight
        c = weight / weight_sum if weight_sum else 0.0
        g = grad_at(y)
        if adam:
            v = beta2 * v + (1 - beta2) * g * g
            u = g / (np.sqrt(v / (1 - beta2**t)) + eps) + weight_decay * y
        else:
            u = g + weight_decay * y
        z = z - gamma * u
        x = (1 - c) * x + c * z
        y = (1 - beta) * z + beta * x
        xs.append(x)
        ys.append(y)
    return xs, ys


A = np.diag([1.0, 10.0, 0.1])


def quadratic_grad(p):
    return A @ p + 0.3  # a minimiser away from 0, so weight decay matters


def run_ours(cls, x0, n_steps, **kw):
    p = Parameter(x0.copy())
    opt = cls([p], **kw)
    opt.train()
    xs, ys = [], []
    for _ in range(n_steps):
        p.grad = quadratic_grad(p.data)
        opt.step()
        ys.append(p.data.copy())
        opt.eval()
        xs.append(p.data.copy())
        opt.train()
    return xs, ys


CASES = [
    (SGDScheduleFree, False, dict(lr=0.05, momentum=0.9)),
    (SGDScheduleFree, False, dict(lr=0.08, momentum=0.5, weight_decay=0.1, r=1.0)),
    (SGDScheduleFree, False, dict(lr=0.05, momentum=0.9, warmup_steps=7, weight_lr_power=1.0)),
    (AdamWScheduleFree, True, dict(lr=0.02)),
    (AdamWScheduleFree, True, dict(lr=0.02, betas=(0.95, 0.99), eps=1e-3, weight_decay=0.05,
                                   warmup_steps=4, r=0.5)),
]


@pytest.mark.parametrize("cls,adam,kw", CASES, ids=repr)
def test_matches_the_papers_three_sequences(cls, adam, kw):
    x0 = np.array([1.0, -2.0, 3.0])
    ours_x, ours_y = run_ours(cls, x0, 40, **kw)
    beta = kw.get("momentum", kw.get("betas", (0.9,))[0])
    options = {k: v for k, v in kw.items() if k not in ("momentum", "betas")}
    if "betas" in kw:
        options["beta2"] = kw["betas"][1]
    ref_x, ref_y = paper_rule(x0, quadratic_grad, 40, adam=adam, beta=beta, **options)
    # y is what the parameter holds while training, x what eval() gives
    np.testing.assert_allclose(ours_y, ref_y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours_x, ref_x, rtol=1e-12, atol=1e-14)


def test_first_steps_by_hand():
    # SGD-SF, beta = 0.5, lr = 0.1, constant gradient 1 from p = 0:
    # t=1: c = 1, z = -0.1, x = z = -0.1, y = 0.5 z + 0.5 x = -0.1
    # t=2: c = 1/2, z = -0.2, x = (-0.1 - 0.2)/2 = -0.15, y = -0.1 - 0.075 = -0.175
    p = Parameter(np.zeros(1))
    opt = SGDScheduleFree([p], lr=0.1, momentum=0.5)
    opt.train()
    p.grad = np.ones(1)
    opt.step()
    np.testing.assert_allclose(p.data, [-0.1])
    p.grad = np.ones(1)
    opt.step()
    np.testing.assert_allclose(p.data, [-0.175])
    np.testing.assert_allclose(opt.state[p]["z"], [-0.2])
    opt.eval()
    np.testing.assert_allclose(p.data, [-0.15])


def test_x_is_the_plain_average_of_z_without_warmup():
    # r = 0 and a constant lr: every weight is lr^2, so c_{t+1} = 1/(t+1)
    x0 = rng.standard_normal(4)
    p = Parameter(x0.copy())
    opt = SGDScheduleFree([p], lr=0.1, momentum=0.9)
    opt.train()
    zs = [x0.copy()]
    for _ in range(25):
        p.grad = rng.standard_normal(4)
        opt.step()
        zs.append(opt.state[p]["z"].copy())
    opt.eval()
    # z_1 = x0 enters the average only as x_1; from step 1 on c_1 = 1 replaces it
    np.testing.assert_allclose(p.data, np.mean(zs[1:], axis=0), rtol=1e-12)


def test_warmup_gives_early_steps_little_weight():
    p = Parameter(np.zeros(2))
    opt = AdamWScheduleFree([p], lr=0.01, warmup_steps=10)
    opt.train()
    lrs, sums = [], []
    for _ in range(12):
        p.grad = np.ones(2)
        opt.step()
        lrs.append(opt.param_groups[0]["scheduled_lr"])
        sums.append(opt.param_groups[0]["weight_sum"])
    np.testing.assert_allclose(lrs, [0.001 * t for t in range(1, 11)] + [0.01, 0.01])
    # weights are lr_max^2: 1e-6 t^2 during warmup
    np.testing.assert_allclose(sums[9], sum((0.001 * t) ** 2 for t in range(1, 11)))
    assert opt.param_groups[0]["k"] == 12


def test_train_and_eval_are_inverse_and_idempotent():
    p = Parameter(rng.standard_normal((3, 2)))
    opt = AdamWScheduleFree([p], lr=0.05)
    opt.eval()  # before any step: no z yet, nothing moves
    opt.train()
    for _ in range(5):
        p.grad = rng.standard_normal((3, 2))
        opt.step()
    y = p.data.copy()
    opt.eval()
    x = p.data.copy()
    opt.eval()  # twice: still x
    np.testing.assert_array_equal(p.data, x)
    opt.train()
    np.testing.assert_allclose(p.data, y, rtol=1e-13)
    # y lies between z and x: y = (1 - beta) z + beta x
    np.testing.assert_allclose(y, 0.1 * opt.state[p]["z"] + 0.9 * x, rtol=1e-12)


def test_switching_creates_no_state_and_skips_parameters_without_one():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = SGDScheduleFree([a, b])
    opt.train()
    a.grad = np.ones(2)
    opt.step()
    opt.eval()
    opt.train()
    assert set(opt.state) == {a}
    np.testing.assert_array_equal(b.data, np.ones(3))
    assert opt.param_groups[0]["k"] == 1


@pytest.mark.parametrize("cls", [SGDScheduleFree, AdamWScheduleFree])
def test_step_in_eval_mode_is_refused_with_advice(cls):
    p = Parameter(np.ones(2))
    opt = cls([p])
    p.grad = np.ones(2)
    with pytest.raises(RuntimeError, match=r"eval mode.*optimizer\.train\(\)"):
        opt.step()
    opt.train()
    opt.add_param_group({"params": [Parameter(np.ones(2))]})
    with pytest.raises(RuntimeError, match="parameter group 1"):
        opt.step()  # the new group starts in eval mode, as the package's does
    opt.train()
    opt.step()


def test_the_gradient_is_left_alone():
    p = Parameter(np.ones(3))
    opt = AdamWScheduleFree([p], weight_decay=0.1, maximize=True)
    opt.train()
    g = np.array([1.0, -2.0, 3.0])
    p.grad = g.copy()
    opt.step()
    np.testing.assert_array_equal(p.grad, g)


def test_maximize_ascends():
    p = Parameter(np.array([0.5]))
    opt = SGDScheduleFree([p], lr=0.1, maximize=True)
    opt.train()
    for _ in range(200):
        p.grad = -2 * (p.data - 3.0)  # gradient of -(p - 3)^2, maximised at 3
        opt.step()
    opt.eval()
    assert abs(p.data[0] - 3.0) < 0.05


CONFIGS = [
    (SGDScheduleFree, dict(lr=0.1, weight_decay=0.01, warmup_steps=5)),
    (AdamWScheduleFree, dict(lr=0.05, weight_decay=0.1, warmup_steps=5, r=1.0)),
]


@pytest.mark.parametrize("cls,kw", CONFIGS)
def test_state_dict_resume_continues_exactly(cls, kw):
    grads = [rng.standard_normal((3, 4)) for _ in range(20)]
    x0 = rng.standard_normal((3, 4))

    def steps(opt, p, gs):
        opt.train()
        for g in gs:
            p.grad = g.copy()
            opt.step()
        opt.eval()

    p = Parameter(x0.copy())
    steps(cls([p], **kw), p, grads)
    straight = p.data.copy()

    q = Parameter(x0.copy())
    opt = cls([q], **kw)
    steps(opt, q, grads[:10])  # saved in eval mode, as the package advises
    data, state = pickle.loads(pickle.dumps((q.data.copy(), opt.state_dict())))
    q = Parameter(data)
    resumed = cls([q], lr=0.5)  # the saved groups (lr, k, weight_sum...) overwrite this
    resumed.load_state_dict(state)
    assert resumed.param_groups[0]["k"] == 10
    steps(resumed, q, grads[10:])
    np.testing.assert_allclose(q.data, straight, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("cls,kw", CONFIGS)
def test_float32_stays_float32(cls, kw):
    p = Parameter(np.ones((2, 3), dtype=np.float32))
    opt = cls([p], **kw)
    opt.train()
    p.grad = np.full((2, 3), 0.5, dtype=np.float32)
    opt.step()
    opt.eval()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values())


def test_another_optimizers_state_is_refused():
    p = Parameter(np.ones(3))
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(3)
    opt.step()
    for cls in (SGDScheduleFree, AdamWScheduleFree):
        with pytest.raises(ValueError, match=f"not from a {cls.__name__}"):
            cls([Parameter(np.ones(3))]).load_state_dict(opt.state_dict())


BAD = [
    (SGDScheduleFree, "lr", -1.0, ValueError, "-1.0"),
    (SGDScheduleFree, "momentum", 0.0, ValueError, "0.0"),
    (SGDScheduleFree, "momentum", 1.0, ValueError, "1.0"),
    (SGDScheduleFree, "weight_decay", -0.1, ValueError, "-0.1"),
    (SGDScheduleFree, "warmup_steps", -3, ValueError, "-3"),
    (SGDScheduleFree, "warmup_steps", 2.5, TypeError, "2.5"),
    (SGDScheduleFree, "r", -1.0, ValueError, "-1.0"),
    (SGDScheduleFree, "weight_lr_power", math.nan, ValueError, "nan"),
    (AdamWScheduleFree, "betas", (0.0, 0.999), ValueError, "0.0"),
    (AdamWScheduleFree, "betas", (0.9, 1.0), ValueError, "1.0"),
    (AdamWScheduleFree, "eps", -1e-8, ValueError, "-1e-08"),
    (AdamWScheduleFree, "lr", math.inf, ValueError, "inf"),
    (AdamWScheduleFree, "maximize", "yes", TypeError, "'yes'"),
]


@pytest.mark.parametrize("cls,name,value,exc,shown", BAD,
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _, _ in BAD])
def test_bad_hyperparameter_named_with_its_value(cls, name, value, exc, shown):
    spoken = {"lr": "learning rate", "betas": "beta"}.get(name, name)
    for make in (lambda: cls([Parameter(np.ones(2))], **{name: value}),
                 lambda: cls([{"params": [Parameter(np.ones(2))], name: value}])):
        with pytest.raises(exc) as info:
            make()
        message = str(info.value)
        assert (name in message or spoken in message) and shown in message, message
