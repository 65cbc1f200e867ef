"""minigrad.optim.lr_scheduler against torch.optim.lr_scheduler.

Each schedule's learning rates over 60 steps (two parameter groups with
different lrs) must equal PyTorch's; so must two schedulers stacked on one
optimizer, schedulers resumed with ``last_epoch``, and InverseTimeDecay
against the LambdaLR it replaces.  Skipped when PyTorch is not installed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad.optim as mo  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402

N = 60
LRS = (0.1, 0.02)


def optimizers(lrs=LRS, initial_lr=None):
    mine = mo.SGD([{"params": [Parameter(np.ones(2))], "lr": lr} for lr in lrs], lr=1.0)
    theirs = torch.optim.SGD(
        [{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs], lr=1.0
    )
    if initial_lr is not None:
        for opt in (mine, theirs):
            for g, lr in zip(opt.param_groups, initial_lr):
                g["initial_lr"] = lr
    return mine, theirs


def sequences(make, make_torch=None, n=N, **opt_kwargs):
    """lrs (one row per step) of minigrad's and torch's schedulers built by
    ``make(module, optimizer)``, which may return several schedulers."""
    make_torch = make_torch or make
    mine, theirs = optimizers(**opt_kwargs)
    s_mine = make(mo.lr_scheduler, mine)
    s_torch = make_torch(torch.optim.lr_scheduler, theirs)
    s_mine = s_mine if isinstance(s_mine, tuple) else (s_mine,)
    s_torch = s_torch if isinstance(s_torch, tuple) else (s_torch,)
    a, b = [], []
    for _ in range(n):
        a.append([g["lr"] for g in mine.param_groups])
        b.append([g["lr"] for g in theirs.param_groups])
        assert s_mine[-1].get_last_lr() == pytest.approx(s_torch[-1].get_last_lr(), rel=1e-13)
        assert s_mine[-1].last_epoch == s_torch[-1].last_epoch
        mine.step()
        theirs.step()
        for s in s_mine:
            s.step()
        for s in s_torch:
            s.step()
    return np.array(a), np.array(b)


SCHEDULES = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "StepLR-1": lambda m, o: m.StepLR(o, step_size=1, gamma=0.9),
    "MultiStepLR-repeated": lambda m, o: m.MultiStepLR(o, milestones=[5, 5, 12, 30, 30, 30], gamma=0.5),
    "MultiStepLR-unsorted": lambda m, o: m.MultiStepLR(o, milestones=[40, 3, 17]),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=50),
    "CosineAnnealingLR-eta_min-periodic": lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.004),
    "CosineAnnealingLR-T1": lambda m, o: m.CosineAnnealingLR(o, T_max=1, eta_min=0.001),
    "CosineAnnealingLR-T7": lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "LinearLR-default": lambda m, o: m.LinearLR(o),
    "LinearLR-warmup": lambda m, o: m.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=25),
    "LinearLR-decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=40),
    "LinearLR-partial": lambda m, o: m.LinearLR(o, start_factor=0.5, end_factor=0.8, total_iters=13),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda k: 0.97**k * (1 + (k % 5))),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(o, [lambda k: 1 / (1 + k), lambda k: 0.9 ** (k // 3)]),
    "stack-LinearLR+CosineAnnealingLR": lambda m, o: (
        m.LinearLR(o, start_factor=0.1, total_iters=10), m.CosineAnnealingLR(o, T_max=45, eta_min=0.0)),
    "stack-StepLR+ExponentialLR": lambda m, o: (m.StepLR(o, step_size=10, gamma=0.3), m.ExponentialLR(o, gamma=0.98)),
    "stack-LinearLR+MultiStepLR": lambda m, o: (
        m.LinearLR(o, start_factor=0.25, total_iters=8), m.MultiStepLR(o, milestones=[4, 20, 20])),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch(name):
    mine, theirs = sequences(SCHEDULES[name])
    np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=0)


@pytest.mark.parametrize("decay", [0.0, 0.01, 0.5, 3.0])
def test_inverse_time_decay_is_lambda_lr(decay):
    mine, theirs = sequences(
        lambda m, o: m.InverseTimeDecay(o, decay=decay),
        lambda m, o: m.LambdaLR(o, lambda k: 1 / (1 + decay * k)),
    )
    np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=0)
    np.testing.assert_allclose(mine[:, 0], [0.1 / (1 + decay * t) for t in range(N)], rtol=1e-13)


RESUMABLE = {
    "StepLR": dict(step_size=7, gamma=0.5),
    "ExponentialLR": dict(gamma=0.93),
    "CosineAnnealingLR": dict(T_max=10, eta_min=0.004),
    "LinearLR": dict(start_factor=0.01, end_factor=1.0, total_iters=25),
    "MultiStepLR": dict(milestones=[5, 5, 12, 30, 30, 30], gamma=0.5),
}


@pytest.mark.parametrize("name", list(RESUMABLE))
@pytest.mark.parametrize("last_epoch", [0, 6, 15])
def test_resumed_with_last_epoch_matches_torch(name, last_epoch):
    # resuming needs group["initial_lr"]; the groups' current lrs differ from it
    mine, theirs = sequences(
        lambda m, o: getattr(m, name)(o, **RESUMABLE[name], last_epoch=last_epoch),
        initial_lr=(0.3, 0.05), n=30,
    )
    np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", [n for n in SCHEDULES if not n.startswith("stack")])
def test_state_dict_has_torch_keys(name):
    mine, theirs = optimizers()
    s_mine = SCHEDULES[name](mo.lr_scheduler, mine)
    s_torch = SCHEDULES[name](torch.optim.lr_scheduler, theirs)
    for _ in range(3):
        mine.step()
        theirs.step()
        s_mine.step()
        s_torch.step()
    sd_mine, sd_torch = s_mine.state_dict(), s_torch.state_dict()
    assert set(sd_mine) == set(sd_torch)
    for key in ("base_lrs", "last_epoch", "_step_count", "_last_lr"):
        assert sd_mine[key] == pytest.approx(sd_torch[key], rel=1e-15), key


def test_training_with_schedule_matches_torch():
    """optimizer.step() then scheduler.step(), with momentum: same trajectory."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        rng = np.random.default_rng(0)
        w0 = rng.standard_normal(5)
        p = Parameter(w0.copy())
        q = torch.tensor(w0.copy(), requires_grad=True)
        opt_m = mo.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
        opt_t = torch.optim.SGD([q], lr=0.1, momentum=0.9, nesterov=True, foreach=False)
        warm_m = mo.lr_scheduler.LinearLR(opt_m, start_factor=0.2, total_iters=5)
        cos_m = mo.lr_scheduler.CosineAnnealingLR(opt_m, T_max=40, eta_min=1e-3)
        warm_t = torch.optim.lr_scheduler.LinearLR(opt_t, start_factor=0.2, total_iters=5)
        cos_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=40, eta_min=1e-3)
        for _ in range(50):
            g = rng.standard_normal(5)
            p.grad = g + p.data
            q.grad = torch.tensor(g) + q.detach()
            opt_m.step()
            opt_t.step()
            for s in (warm_m, cos_m, warm_t, cos_t):
                s.step()
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9)
    finally:
        torch.set_default_dtype(previous)
