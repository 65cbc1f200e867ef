"""The schedulers added for chapter 7 against torch.optim.lr_scheduler (torch 2.13).

For every schedule: the learning rate (and, for the cycling ones, the momentum or
Adam's beta1) of two parameter groups over 120+ steps equals PyTorch's to 1e-12, and a
run saved half-way with ``state_dict`` and restored into fresh objects continues with
the same values. Skipped when PyTorch is not installed.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad.optim as mo  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402

N = 130
LRS = (0.1, 0.02)


def make_pair(kind="SGD", lrs=LRS, **kw):
    groups_m = [{"params": [Parameter(np.ones(2))], "lr": lr} for lr in lrs]
    groups_t = [{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return getattr(mo, kind)(groups_m, **kw), getattr(torch.optim, kind)(groups_t, **kw)


def hyper(opt):
    """What a schedule may change: lr, and momentum or beta1, of every group."""
    out = []
    for g in opt.param_groups:
        out.append(float(g["lr"]))
        if "betas" in g:
            out.append(float(g["betas"][0]))
        elif "momentum" in g:
            out.append(float(g["momentum"]))
    return out


def build(make, opt_m, opt_t):
    return make(mo.lr_scheduler, opt_m), make(torch.optim.lr_scheduler, opt_t)


def run(opt, sched, n, metric=None):
    rows = []
    for t in range(n):
        rows.append(hyper(opt))
        opt.step()
        sched.step(metric(t)) if metric else sched.step()
    return np.array(rows)


def plateau_metric(t):
    # falls, stalls, wiggles, falls again: exercises patience, threshold and cooldown
    return 1.0 / (1 + t) if t < 20 else (0.05 + 0.001 * math.sin(t) if t < 70 else 0.05 - 1e-3 * (t - 70))


def warmup_then_cosine(m, o):
    warm = m.LinearLR(o, start_factor=0.05, total_iters=10)
    cos = m.CosineAnnealingLR(o, T_max=100, eta_min=1e-4)
    return m.SequentialLR(o, [warm, cos], milestones=[10])


def three_stage(m, o):
    return m.SequentialLR(o, [m.ConstantLR(o, factor=0.5, total_iters=4),
                              m.ExponentialLR(o, gamma=0.97),
                              m.PolynomialLR(o, total_iters=30, power=2.0)], milestones=[15, 60])


def lambda_then_step(m, o):
    return m.SequentialLR(o, [m.LambdaLR(o, lambda t: (t + 1) / 8),
                              m.StepLR(o, step_size=9, gamma=0.5)], milestones=[8])


def chained(m, o):
    return m.ChainedScheduler([m.ConstantLR(o, factor=0.2, total_iters=6),
                               m.ExponentialLR(o, gamma=0.985),
                               m.MultiStepLR(o, milestones=[40, 90], gamma=0.3)])


SCHEDULES = {
    "MultiplicativeLR": ("SGD", {}, lambda m, o: m.MultiplicativeLR(o, lambda t: 0.97 + 0.01 * (t % 3))),
    "MultiplicativeLR-per-group": ("SGD", {}, lambda m, o: m.MultiplicativeLR(
        o, [lambda t: 0.99, lambda t: 1.0 if t % 10 else 0.5])),
    "ConstantLR": ("SGD", {}, lambda m, o: m.ConstantLR(o)),
    "ConstantLR-long": ("SGD", {}, lambda m, o: m.ConstantLR(o, factor=0.1, total_iters=50)),
    "PolynomialLR-linear": ("SGD", {}, lambda m, o: m.PolynomialLR(o, total_iters=100)),
    "PolynomialLR-power": ("SGD", {}, lambda m, o: m.PolynomialLR(o, total_iters=60, power=0.5)),
    "CosineAnnealingWarmRestarts": ("SGD", {}, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=17)),
    "CosineAnnealingWarmRestarts-mult": ("SGD", {}, lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-3)),
    "CyclicLR-triangular": ("SGD", {"momentum": 0.9}, lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=[0.1, 0.05], step_size_up=10, step_size_down=15)),
    "CyclicLR-triangular2": ("SGD", {"momentum": 0.9}, lambda m, o: m.CyclicLR(
        o, base_lr=[0.001, 0.002], max_lr=0.1, step_size_up=7, mode="triangular2")),
    "CyclicLR-exp_range-Adam": ("Adam", {}, lambda m, o: m.CyclicLR(
        o, base_lr=1e-4, max_lr=1e-2, step_size_up=12, mode="exp_range", gamma=0.99)),
    "CyclicLR-scale_fn-no-momentum": ("SGD", {}, lambda m, o: m.CyclicLR(
        o, 0.01, 0.2, step_size_up=5, scale_fn=lambda x: 1 / (1 + 0.1 * x),
        scale_mode="iterations", cycle_momentum=False)),
    "OneCycleLR-cos": ("SGD", {"momentum": 0.9}, lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.1], total_steps=N)),
    "OneCycleLR-linear-three-phase-Adam": ("Adam", {}, lambda m, o: m.OneCycleLR(
        o, max_lr=0.01, epochs=13, steps_per_epoch=10, pct_start=0.25,
        anneal_strategy="linear", three_phase=True)),
    "SequentialLR-warmup-cosine": ("SGD", {}, warmup_then_cosine),
    "SequentialLR-three-stages": ("SGD", {}, three_stage),
    "SequentialLR-lambda-then-step": ("SGD", {}, lambda_then_step),
    "ChainedScheduler": ("SGD", {}, chained),
}

PLATEAU = {
    "min-rel": dict(patience=3),
    "min-abs-cooldown": dict(threshold=1e-3, threshold_mode="abs", cooldown=4, patience=2, factor=0.5),
    "min-min_lr-per-group": dict(patience=1, factor=0.3, min_lr=[1e-3, 1e-4]),
    "min-eps": dict(patience=0, factor=0.5, eps=1e-3),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_equals_torch(name):
    kind, kw, make = SCHEDULES[name]
    opt_m, opt_t = make_pair(kind, **kw)
    s_m, s_t = build(make, opt_m, opt_t)
    np.testing.assert_allclose(run(opt_m, s_m, N), run(opt_t, s_t, N), rtol=1e-12, atol=1e-15)
    if name.startswith("OneCycleLR"):  # past its end: minigrad stops at min_lr, torch extrapolates
        assert s_m.get_last_lr() == pytest.approx([g["min_lr"] for g in opt_m.param_groups])
    else:
        assert s_m.get_last_lr() == pytest.approx(s_t.get_last_lr(), rel=1e-12)


@pytest.mark.parametrize("name", PLATEAU)
@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_equals_torch(name, mode):
    kw = dict(PLATEAU[name], mode=mode)
    metric = plateau_metric if mode == "min" else (lambda t: -plateau_metric(t))
    opt_m, opt_t = make_pair("SGD")
    s_m = mo.lr_scheduler.ReduceLROnPlateau(opt_m, **kw)
    s_t = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kw)
    a, b = run(opt_m, s_m, N, metric), run(opt_t, s_t, N, metric)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert len(np.unique(a[:, 0])) > 2  # the schedule did reduce, more than once
    assert (s_m.best, s_m.num_bad_epochs, s_m.cooldown_counter) == (
        s_t.best, s_t.num_bad_epochs, s_t.cooldown_counter)


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_resumes_from_state_dict(name):
    kind, kw, make = SCHEDULES[name]
    opt, _ = make_pair(kind, **kw)
    sched = make(mo.lr_scheduler, opt)
    straight = run(opt, sched, N)

    opt1, _ = make_pair(kind, **kw)
    s1 = make(mo.lr_scheduler, opt1)
    first = run(opt1, s1, N // 2)
    saved_opt, saved_sched = opt1.state_dict(), s1.state_dict()

    opt2, _ = make_pair(kind, **kw)
    s2 = make(mo.lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved_sched)
    second = run(opt2, s2, N - N // 2)
    np.testing.assert_allclose(np.vstack([first, second]), straight, rtol=1e-13)


def test_warm_restarts_fractional_epochs_equal_torch():
    # SGDR's documented per-batch use: step(epoch + i / batches)
    opt_m, opt_t = make_pair("SGD")
    s_m = mo.lr_scheduler.CosineAnnealingWarmRestarts(opt_m, T_0=3, T_mult=2, eta_min=0.001)
    s_t = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_t, T_0=3, T_mult=2, eta_min=0.001)
    for epoch in range(20):
        for i in range(7):
            opt_m.step()
            opt_t.step()
            s_m.step(epoch + i / 7)
            s_t.step(epoch + i / 7)
            assert hyper(opt_m) == pytest.approx(hyper(opt_t), rel=1e-12)

