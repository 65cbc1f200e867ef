"""Tests of minigrad.optim.lr_scheduler that do not need PyTorch.

The chainable schedules are computed recursively (as PyTorch does); here each
is compared with its closed form.
"""

import math
import pickle
import warnings
from bisect import bisect_right

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, Adam
from minigrad.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeDecay,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    StepLR,
)

N = 60


def make_optimizer(lrs=(0.1, 0.02)):
    groups = [{"params": [Parameter(np.ones(2))], "lr": lr} for lr in lrs]
    return SGD(groups, lr=1.0, momentum=0.9)


def lr_sequence(optimizer, scheduler, n=N):
    """lrs used by the optimizer at steps 0..n-1 (stepping the optimizer first)."""
    seq = []
    for _ in range(n):
        seq.append([g["lr"] for g in optimizer.param_groups])
        assert scheduler.get_last_lr() == seq[-1]
        for g in optimizer.param_groups:
            for p in g["params"]:
                p.grad = np.zeros(2)
        optimizer.step()
        scheduler.step()
    return np.array(seq)


def closed(base_lrs, factor):
    return np.array([[b * factor(t) for b in base_lrs] for t in range(N)])


BASE = (0.1, 0.02)
CLOSED_FORMS = [
    (lambda o: StepLR(o, step_size=7, gamma=0.5), lambda t: 0.5 ** (t // 7)),
    (lambda o: MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
     lambda t: 0.3 ** bisect_right([3, 10, 10, 25], t)),
    (lambda o: ExponentialLR(o, gamma=0.95), lambda t: 0.95**t),
    (lambda o: LambdaLR(o, lambda t: 1 / (1 + 0.1 * t) + 0.5 * (t % 3)), lambda t: 1 / (1 + 0.1 * t) + 0.5 * (t % 3)),
    (lambda o: InverseTimeDecay(o, decay=0.25), lambda t: 1 / (1 + 0.25 * t)),
    (lambda o: LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=10),
     lambda t: 0.2 + 0.8 * min(t, 10) / 10),
    (lambda o: LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=33),
     lambda t: 1.0 - 0.95 * min(t, 33) / 33),
    (lambda o: LinearLR(o), lambda t: 1 / 3 + (2 / 3) * min(t, 5) / 5),
]


@pytest.mark.parametrize("make,factor", CLOSED_FORMS)
def test_matches_closed_form(make, factor):
    opt = make_optimizer(BASE)
    seq = lr_sequence(opt, make(opt))
    np.testing.assert_allclose(seq, closed(BASE, factor), rtol=1e-12)


@pytest.mark.parametrize("T_max,eta_min", [(10, 0.0), (10, 0.005), (1, 0.001), (17, 0.01), (60, 0.0)])
def test_cosine_matches_closed_form_past_T_max(T_max, eta_min):
    # the closed form continues periodically after T_max (period 2 T_max)
    opt = make_optimizer(BASE)
    seq = lr_sequence(opt, CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min))
    expected = np.array([
        [eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2 for b in BASE] for t in range(N)
    ])
    # the recursion loses a little accuracy near the bottom of the cosine
    np.testing.assert_allclose(seq, expected, rtol=1e-9, atol=1e-15)
    if T_max < N:
        assert seq[T_max][0] == pytest.approx(eta_min, abs=1e-15)


def test_construction_sets_initial_lr_and_step_zero():
    opt = make_optimizer(BASE)
    sched = LinearLR(opt, start_factor=0.5, total_iters=4)
    assert sched.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)
    assert sched.base_lrs == list(BASE)
    assert sched.get_last_lr() == [0.05, 0.01]
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.01]
    assert isinstance(sched, LRScheduler)


def test_keras_decay_row_of_reference_sheet():
    # SGD mu 0.9, decay 0.5, lr 0.1 on f(w) = w^2 from w0 = 1: .8, .573333, .363
    w = Parameter(np.array([1.0]))
    opt = SGD([w], lr=0.1, momentum=0.9)
    sched = InverseTimeDecay(opt, decay=0.5)
    got, lrs = [], []
    for _ in range(3):
        lrs.append(opt.param_groups[0]["lr"])
        w.grad = 2 * w.data
        opt.step()
        sched.step()
        got.append(float(w.data[0]))
    np.testing.assert_allclose(lrs, [0.1, 0.1 / 1.5, 0.1 / 2.0], rtol=1e-15)
    np.testing.assert_allclose(got, [0.8, 0.573333, 0.363], atol=5e-7)


def test_two_schedulers_compose_multiplicatively():
    opt = make_optimizer(BASE)
    warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
    decay = ExponentialLR(opt, gamma=0.9)
    seq = []
    for _ in range(N):
        seq.append([g["lr"] for g in opt.param_groups])
        opt.step()
        warmup.step()
        decay.step()
    expected = closed(BASE, lambda t: (0.1 + 0.9 * min(t, 5) / 5) * 0.9**t)
    np.testing.assert_allclose(seq, expected, rtol=1e-12)


def test_scheduler_step_before_optimizer_step_warns():
    opt = make_optimizer()
    sched = StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_correct_order_does_not_warn():
    opt = make_optimizer()
    sched = StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()


def test_get_lr_outside_step_warns():
    opt = make_optimizer()
    sched = ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def run_with_checkpoint(make_sched, total=40, save_at=15):
    """lrs of an uninterrupted run, and of a run saved at ``save_at`` and restored."""
    opt = make_optimizer(BASE)
    sched = make_sched(opt)
    full, saved = [], None
    for t in range(total):
        if t == save_at:
            saved = pickle.dumps((opt.state_dict(), sched.state_dict()))
        full.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()

    opt2 = make_optimizer((7.0, 7.0))  # different lrs: the checkpoint must restore them
    sched2 = make_sched(opt2)
    opt_state, sched_state = pickle.loads(saved)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    resumed = []
    for _ in range(save_at, total):
        resumed.append([g["lr"] for g in opt2.param_groups])
        opt2.step()
        sched2.step()
    return np.array(full[save_at:]), np.array(resumed)


@pytest.mark.parametrize("make", [m for m, _ in CLOSED_FORMS] + [
    lambda o: CosineAnnealingLR(o, T_max=12, eta_min=0.001)])
def test_state_dict_round_trip(make):
    full, resumed = run_with_checkpoint(make)
    np.testing.assert_array_equal(full, resumed)


def test_lambda_lr_state_dict_does_not_store_functions():
    opt = make_optimizer()
    sched = LambdaLR(opt, lambda t: 0.5**t)
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, None]
    assert "optimizer" not in sd
    pickle.dumps(sd)


def test_lambda_lr_callable_object_state_is_saved():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, t):
            return min(1.0, (t + 1) / self.steps)

    opt = make_optimizer()
    sched = LambdaLR(opt, [Warmup(4), Warmup(8)])
    sd = pickle.loads(pickle.dumps(sched.state_dict()))
    assert sd["lr_lambdas"] == [{"steps": 4}, {"steps": 8}]
    opt2 = make_optimizer()
    sched2 = LambdaLR(opt2, [Warmup(1), Warmup(1)])
    sched2.load_state_dict(sd)
    assert [fn.steps for fn in sched2.lr_lambdas] == [4, 8]


def test_state_dict_is_a_snapshot():
    opt = make_optimizer()
    sched = MultiStepLR(opt, milestones=[2, 4])
    sd = sched.state_dict()
    opt.step()
    sched.step()
    assert sd["last_epoch"] == 0 and sched.last_epoch == 1
    sd["milestones"][99] = 1
    assert 99 not in sched.milestones


def test_schedulers_work_with_any_optimizer():
    p = Parameter(np.ones(3))
    opt = Adam([p], lr=0.01)
    sched = CosineAnnealingLR(opt, T_max=4)
    lrs = []
    for _ in range(5):
        p.grad = np.ones(3)
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [0.01 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(1, 6)], atol=1e-15)


def test_resume_requires_initial_lr():
    opt = make_optimizer()
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, step_size=3, last_epoch=5)


INVALID = [
    (lambda o: StepLR(o, step_size=0), ValueError, "step_size must be a positive integer, but got 0"),
    (lambda o: StepLR(o, step_size=2.5), ValueError, "step_size must be a positive integer, but got 2.5"),
    (lambda o: StepLR(o, step_size=2, gamma=-0.1), ValueError, "Invalid gamma value: -0.1"),
    (lambda o: MultiStepLR(o, milestones=[2, 4.5]), TypeError, "milestones must be integers, but got 4.5"),
    (lambda o: MultiStepLR(o, milestones=[2], gamma=-1.0), ValueError, "Invalid gamma value: -1.0"),
    (lambda o: ExponentialLR(o, gamma=-0.5), ValueError, "Invalid gamma value: -0.5"),
    (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive integer, but got 0"),
    (lambda o: CosineAnnealingLR(o, T_max=10, eta_min=-1e-3), ValueError, "Invalid eta_min value: -0.001"),
    (lambda o: LinearLR(o, start_factor=0.0), ValueError, "Starting multiplicative factor expected to be greater than 0"),
    (lambda o: LinearLR(o, start_factor=1.5), ValueError, "Starting multiplicative factor expected to be greater than 0"),
    (lambda o: LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor expected to be between 0 and 1"),
    (lambda o: LinearLR(o, end_factor=-0.1), ValueError, "Ending multiplicative factor expected to be between 0 and 1"),
    (lambda o: LinearLR(o, total_iters=0), ValueError, "total_iters must be a positive integer, but got 0"),
    (lambda o: InverseTimeDecay(o, decay=-0.5), ValueError, "Invalid decay value: -0.5"),
    (lambda o: LambdaLR(o, [lambda t: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda o: LambdaLR(o, 0.5), TypeError, "lr_lambda must be callable, but got float"),
    (lambda o: StepLR("not an optimizer", step_size=1), TypeError, "str is not an Optimizer"),
]


@pytest.mark.parametrize("make,exc,message", INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make(make_optimizer())
