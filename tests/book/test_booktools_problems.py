"""Tests of the adaptive-rate chapters' problems: booktools.functions.LongValley and
booktools.problems.sparse_logistic."""

import sys
from pathlib import Path

import numpy as np
import pytest
from gradients import finite_difference_grad

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools.functions import LongValley
from booktools.problems import sparse_logistic  # noqa: E402
from booktools.runners import run_minibatch, run_optimizer  # noqa: E402
from minigrad.optim import SGD, Adagrad  # noqa: E402


def _finite_diff(fn, x, h=1e-6):
    return finite_difference_grad(fn.f, x, h)


@pytest.mark.parametrize("delta,c", [(1.0, 1.0), (0.5, 3.0), (2.0, 0.2)])
def test_long_valley_gradients(delta, c):
    fn = LongValley(delta, c)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = rng.uniform([-40, -3], [5, 3])
        np.testing.assert_allclose(fn.grad(x), _finite_diff(fn, x), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(fn.autograd_grad(x), fn.grad(x), rtol=1e-12, atol=1e-14)


def test_long_valley_shape():
    fn = LongValley(delta=1.0, c=1.0)
    assert fn.f_min == 0.0 and np.all(fn.grad(fn.minimizer) == 0.0)
    # far away the slope along the floor tends to delta; near the origin f ~ x^2/2 + c y^2
    assert abs(fn.grad([-1e4, 0.0])[0] + 1.0) < 1e-8
    assert fn.f([1e-3, 0.0]) == pytest.approx(0.5e-6, rel=1e-5)
    assert fn.f(np.zeros((3, 4, 2))).shape == (3, 4)


@pytest.mark.parametrize("kw", [dict(delta=0.0), dict(c=-1.0)])
def test_long_valley_rejects_bad_parameters(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        LongValley(**kw)


def test_adagrad_on_long_valley_follows_the_sum_of_inverse_roots():
    # On the floor (y = 0) with |x| >> delta the gradient is ~ -delta, so x_T ~ x_0 + lr sum 1/sqrt(t).
    fn = LongValley(delta=0.01)
    tr = run_optimizer(fn, (-1000.0, 0.0), 200, Adagrad, lr=1.0)
    expected = -1000.0 + np.cumsum(1.0 / np.sqrt(np.arange(1, 201)))
    np.testing.assert_allclose(tr.points[1:, 0], expected, rtol=1e-9)


def test_sparse_logistic_layout_and_optimum():
    sp = sparse_logistic(n=1500, n_frequent=5, n_rare=20, seed=3)
    prob = sp.problem
    assert prob.X.shape == (1500, 26) and np.all(prob.X[:, -1] == 1.0)
    freq = sp.feature_frequency
    assert np.all(np.abs(freq[sp.frequent] - 0.5) < 0.06)
    assert np.all(freq[sp.rare] < 0.03)
    assert set(np.unique(prob.y)) == {0.0, 1.0}
    assert np.max(np.abs(prob.grad(sp.w_star))) < 1e-12
    assert sp.f_star == pytest.approx(prob.f(sp.w_star))
    # the minimiser is a minimum: random perturbations increase the loss
    rng = np.random.default_rng(0)
    assert all(prob.f(sp.w_star + 1e-3 * rng.standard_normal(prob.dim)) > sp.f_star for _ in range(5))


def test_sparse_logistic_is_seeded():
    a, b, c = sparse_logistic(seed=1), sparse_logistic(seed=1), sparse_logistic(seed=2)
    np.testing.assert_array_equal(a.problem.X, b.problem.X)
    np.testing.assert_array_equal(a.problem.y, b.problem.y)
    assert not np.array_equal(a.problem.X, c.problem.X)


@pytest.mark.parametrize("kw", [dict(n=1), dict(p_rare=0.0), dict(p_frequent=1.5), dict(l2=0.0),
                                dict(n_frequent=0, n_rare=0)])
def test_sparse_logistic_rejects_bad_arguments(kw):
    with pytest.raises(ValueError):
        sparse_logistic(**kw)


def test_adagrad_beats_sgd_on_rare_features():
    # The chapter's claim, on a second seed: best AdaGrad beats best SGD over the same lr grid.
    sp = sparse_logistic(seed=5)
    w0 = np.zeros(sp.problem.dim)

    def best(opt, lrs):
        return min(run_minibatch(sp.problem, w0, batch_size=20, epochs=3, optimizer=opt, lr=lr,
                                 seed=1).losses[-1] - sp.f_star for lr in lrs)

    grid = [0.03, 0.1, 0.3, 1.0, 3.0]
    assert best(Adagrad, grid) < 0.5 * best(SGD, grid)


# ------------------------------------------------------------------ chapter 9's helpers
from booktools.problems import MatrixRegression  # noqa: E402
from booktools.runners import Optimizers, matrices_and_rest  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402
from minigrad.optim import AdamW, Muon  # noqa: E402


@pytest.mark.parametrize("rotated", [True, False])
def test_matrix_regression_gradient_spectrum_and_minimum(rotated):
    prob = MatrixRegression(seed=3, n=40, d=6, k=3, kappa=100.0, rotated=rotated)
    W = np.random.default_rng(0).standard_normal((6, 3))
    flat = lambda w: prob.loss(w.reshape(6, 3))  # noqa: E731
    np.testing.assert_allclose(prob.grad(W).ravel(), finite_difference_grad(flat, W.ravel()),
                               rtol=1e-6, atol=1e-8)
    H = prob.X.T @ prob.X / prob.n
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), np.sort(prob.hessian_eigenvalues),
                               rtol=1e-10)
    assert prob.hessian_eigenvalues.max() == pytest.approx(1.0)
    assert prob.hessian_eigenvalues.min() == pytest.approx(1e-2)
    assert prob.loss(prob.W_star) == pytest.approx(0.0, abs=1e-20)
    assert np.allclose(H, np.diag(np.diag(H))) != rotated  # diagonal only when not rotated


def test_matrix_regression_run_counts_and_rejects_bad_shapes():
    prob = MatrixRegression(seed=0, n=30, d=5, k=2)
    losses = prob.run(lambda ps: AdamW(ps, lr=0.01), 7)
    assert losses.shape == (8,) and losses[0] == pytest.approx(prob.loss(prob.W0))
    with pytest.raises(ValueError, match="n >= d"):
        MatrixRegression(n=3, d=5)


def test_matrices_and_rest_gives_muon_the_matrices_and_adamw_the_rest():
    W, b = Parameter(np.ones((3, 4))), Parameter(np.zeros(3))
    opt = matrices_and_rest(lambda ms: Muon(ms, lr=0.1), lambda rs: AdamW(rs, lr=0.1))([W, b])
    assert isinstance(opt, Optimizers)
    muon, adamw = opt.optimizers
    assert muon.param_groups[0]["params"] == [W] and adamw.param_groups[0]["params"] == [b]
    assert len(opt.param_groups) == 2
    W.grad, b.grad = np.ones((3, 4)), np.ones(3)
    assert opt.step(lambda: 1.5) == 1.5
    assert set(muon.state) == {W} and set(adamw.state) == {b}
    opt.zero_grad()
    assert W.grad is None and b.grad is None
    with pytest.raises(ValueError, match="at least one"):
        Optimizers()
