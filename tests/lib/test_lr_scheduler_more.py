"""The chapter-7 schedulers without PyTorch: each sequence against its closed form,
SequentialLR/ChainedScheduler composition, ReduceLROnPlateau's rules on a scripted
metric, and every bad argument rejected with a message naming it and its value."""

import math

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, Adam, lr_scheduler as L


def sgd(lr=0.1, **kw):
    return SGD([Parameter(np.ones(3))], lr=lr, **kw)


def lrs(opt, sched, n, metrics=None):
    out = []
    for t in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step(metrics[t]) if metrics is not None else sched.step()
    return np.array(out)


T = np.arange(120)


@pytest.mark.parametrize("make, closed_form", [
    (lambda o: L.ConstantLR(o, factor=0.25, total_iters=7), lambda t: 0.1 * np.where(t < 7, 0.25, 1.0)),
    (lambda o: L.PolynomialLR(o, total_iters=90, power=2.0),
     lambda t: 0.1 * (1 - np.minimum(t, 90) / 90) ** 2),
    (lambda o: L.MultiplicativeLR(o, lambda t: 0.95), lambda t: 0.1 * 0.95 ** t),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10, eta_min=0.01),
     lambda t: 0.01 + 0.09 * (1 + np.cos(np.pi * (t % 10) / 10)) / 2),
    (lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.11, step_size_up=5, step_size_down=15,
                          cycle_momentum=False),
     lambda t: 0.01 + 0.1 * np.where(t % 20 <= 5, (t % 20) / 5, (20 - t % 20) / 15)),
])
def test_sequence_is_the_closed_form(make, closed_form):
    opt = sgd()
    np.testing.assert_allclose(lrs(opt, make(opt), len(T)), closed_form(T), rtol=1e-12, atol=1e-15)


def test_warm_restarts_with_growing_periods_restart_at_5_15_35():
    opt = sgd()
    seq = lrs(opt, L.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2), 70)
    restarts = [t for t in range(1, 70) if seq[t] > seq[t - 1]]
    assert restarts == [5, 15, 35] and np.allclose(seq[restarts], 0.1)


def test_one_cycle_warms_up_peaks_and_ends_at_its_floor():
    opt = SGD([Parameter(np.ones(2))], lr=1.0, momentum=0.9)
    sched = L.OneCycleLR(opt, max_lr=0.4, total_steps=100, pct_start=0.3)
    seq, mom = [], []
    for _ in range(100):
        seq.append(opt.param_groups[0]["lr"])
        mom.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step() if len(seq) < 100 else None
    seq, mom = np.array(seq), np.array(mom)
    assert seq[0] == pytest.approx(0.4 / 25) and seq.max() == pytest.approx(0.4)
    assert int(np.argmax(seq)) == 29  # the peak ends the warm-up: pct_start * total - 1
    assert seq[-1] == pytest.approx(0.4 / 25 / 1e4)
    assert mom[0] == pytest.approx(0.95) and mom[29] == pytest.approx(0.85)  # momentum moves the other way
    with pytest.raises(ValueError, match="stepped 101 times, but total_steps is 100"):
        sched.step()
        sched.step()


def test_cyclic_lr_moves_adams_beta1_and_keeps_beta2():
    opt = Adam([Parameter(np.ones(2))], lr=1.0, betas=(0.9, 0.95))
    sched = L.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=4)
    for _ in range(4):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    assert opt.param_groups[0]["betas"] == pytest.approx((0.8, 0.95))


def test_sequential_warmup_then_cosine_is_piecewise():
    opt = sgd(lr=1.0)
    warm = L.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = L.CosineAnnealingLR(opt, T_max=20)
    seq = lrs(opt, L.SequentialLR(opt, [warm, cos], milestones=[5]), 25)
    np.testing.assert_allclose(seq[:5], 0.1 + 0.9 * np.arange(5) / 5)
    np.testing.assert_allclose(seq[5:], (1 + np.cos(np.pi * np.arange(20) / 20)) / 2, atol=1e-15)


def test_chained_factors_multiply():
    opt = sgd(lr=1.0)
    chain = L.ChainedScheduler([L.ExponentialLR(opt, gamma=0.9), L.StepLR(opt, step_size=3, gamma=0.5)])
    np.testing.assert_allclose(lrs(opt, chain, 12), 0.9 ** np.arange(12) * 0.5 ** (np.arange(12) // 3))


def test_reduce_on_plateau_waits_patience_then_cools_down():
    opt = sgd(lr=1.0)
    sched = L.ReduceLROnPlateau(opt, patience=2, cooldown=1, factor=0.5)
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4]  # improves once, then never again
    seq = lrs(opt, sched, len(metrics), metrics)
    # lr used at each step; reductions after the 3rd bad step (t=4), then cooldown 1 + patience 2
    np.testing.assert_array_equal(seq, [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25])


def test_reduce_on_plateau_rel_and_abs_thresholds():
    for mode, metrics, expect in [("rel", [1.0, 0.9999, 0.9999], 0.5), ("abs", [1.0, 0.95, 0.95], 1.0)]:
        opt = sgd(lr=1.0)
        sched = L.ReduceLROnPlateau(opt, patience=1, threshold=1e-3 if mode == "rel" else 0.01,
                                    threshold_mode=mode, factor=0.5)
        for m in metrics:
            sched.step(m)
        assert opt.param_groups[0]["lr"] == expect, mode


@pytest.mark.parametrize("build, message", [
    (lambda o: L.ConstantLR(o, factor=0.0), "factor must be > 0.0, but got 0.0"),
    (lambda o: L.ConstantLR(o, factor=1.5), "factor must be <= 1.0, but got 1.5"),
    (lambda o: L.ConstantLR(o, total_iters=0), "total_iters must be a positive integer, but got 0"),
    (lambda o: L.PolynomialLR(o, power=float("nan")), "power must be a finite number, but got nan"),
    (lambda o: L.PolynomialLR(o, total_iters=2.5), "total_iters must be a positive integer, but got 2.5"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=0), "T_0 must be a positive integer, but got 0"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), "T_mult must be a positive integer"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=-1.0), "eta_min must be >= 0.0, but got -1.0"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, mode="zigzag"), "mode must be 'triangular', 'triangular2' or 'exp_range'"),
    (lambda o: L.CyclicLR(o, 0.1, [1.0, 2.0]), "max_lr must have one value per parameter group \\(1\\), but got 2"),
    (lambda o: L.CyclicLR(o, "0.1", 1.0), "base_lr must be a finite number, but got '0.1'"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, step_size_up=0), "step_size_up must be a positive integer, but got 0"),
    (lambda o: L.OneCycleLR(o, 0.1), "needs total_steps, or both epochs and steps_per_epoch"),
    (lambda o: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5), "pct_start must be <= 1.0, but got 1.5"),
    (lambda o: L.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="cosine"),
     "anneal_strategy must be 'cos' or 'linear', but got 'cosine'"),
    (lambda o: L.ReduceLROnPlateau(o, factor=1.0), "factor must be < 1.0, but got 1.0"),
    (lambda o: L.ReduceLROnPlateau(o, mode="lowest"), "mode must be 'min' or 'max', but got 'lowest'"),
    (lambda o: L.ReduceLROnPlateau(o, threshold_mode="pct"), "threshold_mode must be 'rel' or 'abs', but got 'pct'"),
    (lambda o: L.ReduceLROnPlateau(o, patience=-1), "patience must be a non-negative integer, but got -1"),
    (lambda o: L.ReduceLROnPlateau(o, min_lr=float("inf")), "min_lr must be a finite number, but got inf"),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 3)], milestones=[2]), "one milestone fewer than schedulers"),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 3), L.StepLR(sgd(), 3)], milestones=[2]),
     "schedulers\\[1\\] \\(StepLR\\) belongs to another optimizer"),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 3), L.ReduceLROnPlateau(o)], milestones=[2]),
     "cannot hold ReduceLROnPlateau"),
    (lambda o: L.ChainedScheduler([]), "needs at least one scheduler, but got none"),
])
def test_bad_arguments_are_named(build, message):
    with pytest.raises(ValueError, match=message):
        build(sgd())


@pytest.mark.parametrize("build", [
    lambda: L.ConstantLR("not an optimizer"),
    lambda: L.CyclicLR(None, 0.1, 1.0),
    lambda: L.OneCycleLR(object(), 0.1, total_steps=5),
    lambda: L.ReduceLROnPlateau([Parameter(np.ones(1))]),
])
def test_a_scheduler_needs_an_optimizer(build):
    with pytest.raises(TypeError, match="is not an Optimizer"):
        build()


def test_chained_scheduler_rejects_what_is_not_a_scheduler():
    with pytest.raises(TypeError, match="schedulers\\[0\\] is a SGD, not a learning-rate scheduler"):
        L.ChainedScheduler([sgd()], optimizer=sgd())


def test_cycling_momentum_needs_momentum():
    from minigrad.optim import Adagrad
    opt = Adagrad([Parameter(np.ones(1))], lr=0.1)
    with pytest.raises(ValueError, match="needs an optimizer with momentum or betas, but Adagrad has neither"):
        L.OneCycleLR(opt, 0.1, total_steps=5)
    L.OneCycleLR(opt, 0.1, total_steps=5, cycle_momentum=False)


@pytest.mark.parametrize("factor", [-0.5, float("nan"), float("inf")])
def test_multiplicative_factor_must_be_finite_and_nonnegative(factor):
    opt = sgd()
    sched = L.MultiplicativeLR(opt, lambda t: 0.9 if t < 3 else factor)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match=f"lr_lambda returned {factor} at step 3 for parameter group 0"):
        sched.step()
