"""minigrad.optim against torch.optim (single-tensor path, foreach=False).

Every optimizer and option runs 45 steps on the same random gradient sequence,
over parameters of several shapes in two parameter groups with different
learning rates, with the learning rates changed every step and some gradients
missing (None).  Parameters must agree to 1e-9 relative in float64, and the
final optimizer state must agree buffer by buffer.

Skipped when PyTorch is not installed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad.optim as mo  # noqa: E402
from minigrad import Tensor  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402

SHAPES = [(3, 4), (7,), (2, 3, 2), ()]
N_STEPS = 45


# every test here compares against torch in float64 (tests/lib/conftest.py)
pytestmark = pytest.mark.usefixtures("torch_float64")


# (name, kwargs for both, extra hyperparameters for the second group)
CASES = [
    ("SGD", dict(lr=0.1), {}),
    ("SGD", dict(lr=0.1, momentum=0.9), {}),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3), {"momentum": 0.5}),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), {}),
    ("SGD", dict(lr=0.1, weight_decay=0.05), {}),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05), {"weight_decay": 0.0}),
    ("Adagrad", dict(lr=0.1), {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05), {}),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1), {}),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.3, eps=1e-6), {"lr_decay": 0.1}),
    # PyTorch starts every accumulator at the constructor's value, even in a
    # group that sets its own initial_accumulator_value
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.3), {"initial_accumulator_value": 2.0}),
    ("RMSprop", dict(lr=0.01), {}),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6), {}),
    ("RMSprop", dict(lr=0.01, centered=True), {}),
    ("RMSprop", dict(lr=0.01, momentum=0.9), {}),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1), {"alpha": 0.8}),
    ("Adam", dict(lr=0.01), {}),
    ("Adam", dict(lr=0.01, amsgrad=True), {}),
    ("Adam", dict(lr=0.01, weight_decay=0.1), {}),
    ("Adam", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-4, weight_decay=0.1, amsgrad=True), {"betas": (0.8, 0.99)}),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), {}),
    ("AdamW", dict(lr=0.01), {}),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), {"weight_decay": 0.3}),
    ("NAdam", dict(lr=0.01), {}),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), {}),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), {}),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.05), {"momentum_decay": 0.01}),
    ("Adadelta", dict(lr=1.0), {}),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4), {}),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1), {"rho": 0.95}),
    ("Adamax", dict(lr=0.01), {}),
    ("Adamax", dict(lr=0.01, weight_decay=0.1), {}),
    ("Adamax", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-4), {"betas": (0.8, 0.99)}),
]
CASE_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{g2}" for n, kw, g2 in CASES]


def gradient_sequence(n_steps, seed):
    rng = np.random.default_rng(seed)
    grads = []
    for t in range(n_steps):
        step = [rng.standard_normal(s) * rng.uniform(0.1, 3.0) for s in SHAPES]
        if t % 6 == 2:
            step[3] = None  # the scalar parameter gets no gradient this step
        if t % 9 == 4:
            step[1] = None
        grads.append(step)
    return grads


def build_pair(name, kwargs, group2, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    mine = [Parameter(a.copy()) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    g2 = {"lr": kwargs["lr"] * 0.3, **group2}
    opt_mine = getattr(mo, name)([{"params": mine[:2]}, {"params": mine[2:], **g2}], **kwargs)
    opt_torch = getattr(torch.optim, name)(
        [{"params": theirs[:2]}, {"params": theirs[2:], **g2}], foreach=False, **kwargs
    )
    return mine, theirs, opt_mine, opt_torch


def step_both(mine, theirs, opt_mine, opt_torch, grads, dtype=np.float64):
    for p, q, g in zip(mine, theirs, grads):
        p.grad = None if g is None else g.astype(dtype)
        q.grad = None if g is None else torch.tensor(g.astype(dtype))
    opt_mine.step()
    opt_torch.step()


def assert_state_matches(opt_mine, opt_torch, rtol):
    sd_mine, sd_torch = opt_mine.state_dict(), opt_torch.state_dict()
    assert set(sd_mine["state"]) == set(sd_torch["state"])
    for index, torch_state in sd_torch["state"].items():
        my_state = sd_mine["state"][index]
        assert set(my_state) == set(torch_state), index
        for key, value in torch_state.items():
            if isinstance(value, torch.Tensor) and value.ndim > 0:
                np.testing.assert_allclose(my_state[key], value.numpy(), rtol=rtol, atol=1e-300, err_msg=key)
            else:
                assert float(my_state[key]) == pytest.approx(float(value), rel=rtol), key
    for g_mine, g_torch in zip(sd_mine["param_groups"], sd_torch["param_groups"]):
        assert g_mine["params"] == g_torch["params"]
        for key, value in g_mine.items():
            assert g_torch[key] == value, key


@pytest.mark.parametrize("name,kwargs,group2", CASES, ids=CASE_IDS)
def test_matches_torch(name, kwargs, group2):
    mine, theirs, opt_mine, opt_torch = build_pair(name, kwargs, group2)
    for t, grads in enumerate(gradient_sequence(N_STEPS, seed=1)):
        # a learning rate that changes every step (as a schedule would)
        for g_mine, g_torch in zip(opt_mine.param_groups, opt_torch.param_groups):
            g_mine["lr"] = g_torch["lr"] = g_torch["lr"] * (0.97 if t % 2 else 1.02)
        step_both(mine, theirs, opt_mine, opt_torch, grads)
        for p, q in zip(mine, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=0, err_msg=f"step {t + 1}")
    assert_state_matches(opt_mine, opt_torch, rtol=1e-9)


@pytest.mark.parametrize("name,kwargs,group2", CASES[::3], ids=CASE_IDS[::3])
def test_matches_torch_float32(name, kwargs, group2):
    mine, theirs, opt_mine, opt_torch = build_pair(name, kwargs, group2, dtype=np.float32)
    for grads in gradient_sequence(20, seed=2):
        step_both(mine, theirs, opt_mine, opt_torch, grads, dtype=np.float32)
    for p, q in zip(mine, theirs):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name,kwargs,group2", CASES[::4], ids=CASE_IDS[::4])
def test_torch_state_dict_shape_matches(name, kwargs, group2):
    """Our state_dict has torch's keys (step counts compared as numbers)."""
    mine, theirs, opt_mine, opt_torch = build_pair(name, kwargs, group2)
    for grads in gradient_sequence(5, seed=3):
        step_both(mine, theirs, opt_mine, opt_torch, grads)
    assert_state_matches(opt_mine, opt_torch, rtol=1e-12)


@pytest.mark.parametrize("name,kwargs,group2", CASES[::2], ids=CASE_IDS[::2])
def test_parameter_never_given_a_gradient(name, kwargs, group2):
    """Skipped like torch: no state (Adagrad: torch's eager state, untouched)."""
    mine, theirs, opt_mine, opt_torch = build_pair(name, kwargs, group2)
    for grads in gradient_sequence(6, seed=4):
        grads[2] = None
        step_both(mine, theirs, opt_mine, opt_torch, grads)
    np.testing.assert_array_equal(mine[2].data, theirs[2].detach().numpy())
    assert (mine[2] in opt_mine.state) == (name == "Adagrad")
    assert_state_matches(opt_mine, opt_torch, rtol=1e-9)


# hyperparameters drawn at random in their valid ranges
unit = st.floats(0.0, 0.999)
positive = st.floats(1e-8, 0.5)
RANDOM_CASES = st.one_of(
    st.builds(lambda lr, m, d, wd: ("SGD", dict(lr=lr, momentum=m, dampening=d, weight_decay=wd)),
              positive, unit, unit, st.floats(0, 0.2)),
    st.builds(lambda lr, m, wd: ("SGD", dict(lr=lr, momentum=m, nesterov=True, weight_decay=wd)),
              positive, st.floats(0.01, 0.999), st.floats(0, 0.2)),
    st.builds(lambda lr, d, wd, a, e: ("Adagrad", dict(lr=lr, lr_decay=d, weight_decay=wd,
                                                       initial_accumulator_value=a, eps=e)),
              positive, st.floats(0, 1), st.floats(0, 0.2), st.floats(0, 1), st.floats(1e-10, 1e-3)),
    st.builds(lambda lr, a, e, m, c, wd: ("RMSprop", dict(lr=lr, alpha=a, eps=e, momentum=m,
                                                          centered=c, weight_decay=wd)),
              positive, st.floats(0.5, 0.999), st.floats(1e-6, 1e-2), unit, st.booleans(), st.floats(0, 0.2)),
    *[
        st.builds(lambda lr, b1, b2, e, wd, ams, n=n: (n, dict(lr=lr, betas=(b1, b2), eps=e,
                                                               weight_decay=wd, amsgrad=ams)),
                  positive, unit, unit, st.floats(1e-8, 1e-2), st.floats(0, 0.2), st.booleans())
        for n in ("Adam", "AdamW")
    ],
    st.builds(lambda lr, b1, b2, e, wd, md, dec: ("NAdam", dict(lr=lr, betas=(b1, b2), eps=e, weight_decay=wd,
                                                                momentum_decay=md, decoupled_weight_decay=dec)),
              positive, unit, unit, st.floats(1e-8, 1e-2), st.floats(0, 0.2), st.floats(0, 0.1), st.booleans()),
    st.builds(lambda lr, r, e, wd: ("Adadelta", dict(lr=lr, rho=r, eps=e, weight_decay=wd)),
              st.floats(0.01, 2.0), unit, st.floats(1e-8, 1e-3), st.floats(0, 0.2)),
    st.builds(lambda lr, b1, b2, e, wd: ("Adamax", dict(lr=lr, betas=(b1, b2), eps=e, weight_decay=wd)),
              positive, unit, unit, st.floats(1e-8, 1e-2), st.floats(0, 0.2)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=RANDOM_CASES, seed=st.integers(0, 2**16))
def test_random_hyperparameters_match_torch(case, seed):
    name, kwargs = case
    mine, theirs, opt_mine, opt_torch = build_pair(name, kwargs, {}, seed=seed)
    for grads in gradient_sequence(12, seed=seed + 1):
        step_both(mine, theirs, opt_mine, opt_torch, grads)
    for p, q in zip(mine, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_model_trained_with_autograd_matches_torch(name):
    """minigrad's backward + optimizer against torch's on a small MLP."""
    from minigrad.nn import functional as F

    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 4))
    y = rng.standard_normal((32, 1))
    w1, b1 = rng.standard_normal((8, 4)) * 0.5, rng.standard_normal(8) * 0.1
    w2, b2 = rng.standard_normal((1, 8)) * 0.5, rng.standard_normal(1) * 0.1
    mine = [Parameter(a.copy()) for a in (w1, b1, w2, b2)]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in (w1, b1, w2, b2)]
    kwargs = {"SGD": dict(lr=0.05, momentum=0.9, nesterov=True),
              "Adam": dict(lr=0.01, amsgrad=True),
              "RMSprop": dict(lr=0.01, centered=True)}[name]
    opt_mine = getattr(mo, name)(mine, **kwargs)
    opt_torch = getattr(torch.optim, name)(theirs, foreach=False, **kwargs)
    xt, yt = torch.tensor(x), torch.tensor(y)
    for _ in range(40):
        opt_mine.zero_grad()
        h = F.tanh(F.linear(Tensor(x), mine[0], mine[1]))
        loss = F.mse_loss(F.linear(h, mine[2], mine[3]), Tensor(y))
        loss.backward()
        opt_mine.step()

        opt_torch.zero_grad()
        h_t = torch.tanh(torch.nn.functional.linear(xt, theirs[0], theirs[1]))
        loss_t = torch.nn.functional.mse_loss(torch.nn.functional.linear(h_t, theirs[2], theirs[3]), yt)
        loss_t.backward()
        opt_torch.step()
        assert loss.item() == pytest.approx(loss_t.item(), rel=1e-9)
    for p, q in zip(mine, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-13)
