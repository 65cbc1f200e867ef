"""The optimizer lab's test functions: each known minimum is stationary (analytic gradient,
central finite differences and minigrad autograd agree that the gradient is zero there) and
has the stated value."""

import sys
from pathlib import Path

import numpy as np
import pytest
from gradients import finite_difference_grad

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools import functions  # noqa: E402

SADDLE = functions.SaddleWell()
HIMMELBLAU = functions.Himmelblau()

#: (function, its known minimisers, the minimum value), from closed forms, not from the code.
KNOWN_MINIMA = [
    (functions.ill_conditioned(), [[0.0, 0.0]], 0.0),
    (functions.rotated_valley(), [[0.0, 0.0]], 0.0),
    (functions.Rosenbrock(), [[1.0, 1.0]], 0.0),
    (functions.distill_rosenbrock(), [[1.0, 1.0 / 3.0]], 0.0),
    (functions.Beale(), [[3.0, 0.5]], 0.0),
    (HIMMELBLAU, HIMMELBLAU.minimizers, 0.0),
    (SADDLE, [[0.0, 1.0], [0.0, -1.0]], -0.25),
    (functions.Rastrigin(), [[0.0, 0.0]], 0.0),
]
IDS = [repr(fn) for fn, _, _ in KNOWN_MINIMA]


@pytest.mark.parametrize("fn, minimizers, f_min", KNOWN_MINIMA, ids=IDS)
def test_known_minima_are_stationary_by_three_gradients(fn, minimizers, f_min):
    for m in np.asarray(minimizers, dtype=np.float64):
        np.testing.assert_allclose(fn.grad(m), 0.0, atol=1e-9)
        np.testing.assert_allclose(finite_difference_grad(fn.f, m, 1e-6), 0.0, atol=1e-7)
        np.testing.assert_allclose(fn.autograd_grad(m), 0.0, atol=1e-9)
        assert fn.f(m) == pytest.approx(f_min, abs=1e-12)
    assert fn.f_min == pytest.approx(f_min, abs=1e-12)


@pytest.mark.parametrize("fn, minimizers, f_min", KNOWN_MINIMA, ids=IDS)
def test_they_are_minima_not_saddles(fn, minimizers, f_min):
    # every point on a small circle around a minimiser is higher (a strict local minimum)
    angles = np.linspace(0.0, 2.0 * np.pi, 64, endpoint=False)
    ring = 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    for m in np.asarray(minimizers, dtype=np.float64):
        assert np.all(fn.f(m + ring) > fn.f(m))


@pytest.mark.parametrize("fn, minimizers, f_min", KNOWN_MINIMA, ids=IDS)
def test_gradients_agree_away_from_the_minima(fn, minimizers, f_min):
    rng = np.random.default_rng(8)
    for _ in range(6):
        x = np.array([rng.uniform(*fn.xlim), rng.uniform(*fn.ylim)])
        g = fn.grad(x)
        scale = 1.0 + np.abs(g).max()
        np.testing.assert_allclose(finite_difference_grad(fn.f, x, 1e-6), g, atol=1e-6 * scale)
        np.testing.assert_allclose(fn.autograd_grad(x), g, rtol=1e-12, atol=1e-12 * scale)


def test_grid_minimum_is_the_stated_global_minimum():
    # a fine grid over each window finds nothing below the stated minimum value
    for fn, _, f_min in KNOWN_MINIMA:
        _, _, Z = fn.grid(401)
        assert Z.min() >= f_min - 1e-12, fn


def test_saddle_origin_is_stationary_with_one_descent_direction():
    np.testing.assert_allclose(SADDLE.grad(SADDLE.saddle), 0.0)
    assert SADDLE.f([0.0, 1e-3]) < SADDLE.f(SADDLE.saddle) < SADDLE.f([1e-3, 0.0])


def test_rastrigin_local_minima_are_stationary_and_higher():
    fn = functions.Rastrigin()
    for k in (1, 2, -3):
        x = fn.local_minimum_near(k)
        assert abs(x - k) < 0.05
        point = np.array([x, 0.0])
        np.testing.assert_allclose(fn.grad(point), 0.0, atol=1e-9)
        np.testing.assert_allclose(fn.autograd_grad(point), 0.0, atol=1e-9)
        assert fn.f(point) > fn.f_min + 0.9


def test_scaled_rosenbrock_reduces_to_rosenbrock_and_rejects_bad_input():
    a, b = functions.ScaledRosenbrock(1.0, 100.0, 1.0), functions.Rosenbrock()
    x = np.random.default_rng(3).normal(size=(5, 2))
    np.testing.assert_allclose(a.f(x), b.f(x))
    np.testing.assert_allclose(a.grad(x), b.grad(x))
    with pytest.raises(ValueError, match="c != 0"):
        functions.ScaledRosenbrock(c=0.0)
    with pytest.raises(ValueError, match="A > 0"):
        functions.Rastrigin(A=-1.0)
