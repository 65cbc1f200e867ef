"""The lab's batched race runner equals the optimizer classes run one trajectory at a time."""

import sys
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools import functions, lab  # noqa: E402


@pytest.mark.parametrize("contender", lab.CONTENDERS, ids=lambda c: c.name)
def test_batched_race_equals_one_trajectory_at_a_time(contender):
    fn = functions.Rosenbrock()
    starts = np.array([[-2.0, 2.0], [-1.2, 1.0], [0.5, -0.5], [1.5, 2.5]])
    lrs = np.array([1e-4, 3e-4, 1e-3, 3e-3])              # a different rate on every row
    batched = lab.race(fn, [contender], starts, 60, lrs=lrs)
    single = lab.race_unbatched(fn, [contender], starts, 60, lrs=lrs)
    np.testing.assert_allclose(batched.points, single.points, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(batched.losses, single.losses, rtol=1e-13, atol=1e-15)
    ends = batched.points[-1, 0, :, 0]
    assert np.ptp(ends[np.isfinite(ends)]) > 0.1          # the rows really moved differently


def test_every_contender_in_one_race_equals_the_classes():
    spec = lab.RACES["beale"]
    batched = lab.race(spec.fn, lab.CONTENDERS, spec.start, 80)        # framework defaults
    single = lab.race_unbatched(spec.fn, lab.CONTENDERS, spec.start, 80)
    np.testing.assert_allclose(batched.points, single.points, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(batched.lrs[:, 0], [c.default_lr for c in lab.CONTENDERS])


def test_diverging_rows_do_not_disturb_the_others():
    fn = functions.ill_conditioned()
    res = lab.race(fn, lab.CONTENDERS[:1], (-10.0, 4.0), 50, lrs=[0.5, 2.5])  # 2.5 > 2/1
    assert res.gaps[-1, 0, 0] < 1 and res.gaps[-1, 0, 1] > 1e6
    alone = lab.race(fn, lab.CONTENDERS[:1], (-10.0, 4.0), 50, lrs=[0.5])
    np.testing.assert_array_equal(res.points[:, 0, 0], alone.points[:, 0, 0])


def test_default_learning_rates_are_pytorchs():
    names = {c.name: c.default_lr for c in lab.CONTENDERS}
    assert names["SGD"] == 1e-3 and names["Adam"] == 1e-3 and names["AdaGrad"] == 1e-2
    assert names["RMSProp"] == 1e-2 and names["Adadelta"] == 1.0 and names["NAdam"] == 2e-3
    assert len({c.name for c in lab.CONTENDERS}) == len(lab.CONTENDERS)


def test_tune_picks_the_best_grid_point_with_the_same_trials_for_everyone():
    spec = lab.RACES["ill"]
    tuned = lab.tune(spec.fn, lab.CONTENDERS[:2], spec.start, 100)
    assert tuned.scores.shape == (2, len(lab.LR_GRID)) and tuned.n_trials == 21
    # SGD on a quadratic: the final gap is known in closed form for every grid point
    closed = spec.fn.f(spec.fn.gd_closed_form(spec.start, lab.LR_GRID[:, None], 100))
    expected = np.where(np.isfinite(closed), closed, np.inf)
    np.testing.assert_allclose(tuned.scores[0], expected, rtol=1e-9)
    assert tuned.best[0] == np.argmin(expected) and tuned.best_lr[0] == lab.LR_GRID[np.argmin(expected)]


def test_iterations_to_tolerance():
    gaps = np.array([[5.0, 5.0], [1.0, np.nan], [0.01, 3.0], [0.001, 2.0]])
    np.testing.assert_array_equal(lab.iterations_to(gaps, 0.01), [2, -1])


def test_race_rejects_bad_input():
    fn = functions.Beale()
    with pytest.raises(ValueError, match="shape"):
        lab.race(fn, lab.CONTENDERS, np.zeros((3, 3)), 5)
    with pytest.raises(ValueError, match="do not fit"):
        lab.race(fn, lab.CONTENDERS[:2], np.zeros((3, 2)), 5, lrs=np.ones((2, 4)))
    with pytest.raises(ValueError, match=">= 0"):
        lab.race(fn, lab.CONTENDERS[:1], (0.0, 0.0), 5, lrs=[-1.0])
    with pytest.raises(ValueError, match="n_steps"):
        lab.race(fn, lab.CONTENDERS[:1], (0.0, 0.0), -1)
