"""Latency of the optimizer lab's live update (chapter 8): recompute every trajectory and
redraw, for 6 optimizers x 200 steps, against a budget of 100 ms (median over repeats).

The batched runner (``booktools.lab.race``: one stacked array, one gradient call per
iteration, one ``step()`` per optimizer for all its runs) is timed against the unbatched one
(``race_unbatched``: one ``run_optimizer`` loop per trajectory) in the same run, as a ratio;
also the learning-rate grid of the tuning (10 optimizers x 21 rates), where batching matters
most. The last line is the figure the issue asks for.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chapters"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import booktools  # noqa: E402
from booktools import lab  # noqa: E402
from booktools.widgets.race_live import LiveRace  # noqa: E402

BUDGET = 0.100
REPEATS = 21


def median_update(live, starts):
    """Median seconds of ``live.update()`` over ``starts`` (a new start each time, as a click)."""
    live.update()  # warm-up: the figure of this function is cached
    times = []
    for start in starts:
        live.start = start
        times.append(live.update())
    return statistics.median(times)


def main():
    booktools.setup()
    six = [c.name for c in lab.CONTENDERS[:6]]
    rng = __import__("numpy").random.default_rng(0)
    print(f"lab live update, {len(six)} optimizers ({', '.join(six)}) x 200 steps")
    worst = 0.0
    for key in ("rosenbrock", "beale", "rastrigin"):
        spec = lab.RACES[key]
        starts = [tuple(spec.fn.xlim[0] + rng.random() * (spec.fn.xlim[1] - spec.fn.xlim[0]) * 0.9
                        for _ in range(1)) + (spec.start[1],) for _ in range(REPEATS)]
        batched = LiveRace(key=key, selected=six, widgets=False)
        unbatched = LiveRace(key=key, selected=six, widgets=False, runner=lab.race_unbatched)
        t_b, t_u = median_update(batched, starts), median_update(unbatched, starts)
        worst = max(worst, t_b)
        print(f"  {key:<11} batched {t_b * 1e3:6.1f} ms   unbatched {t_u * 1e3:6.1f} ms   "
              f"unbatched/batched = {t_u / t_b:4.2f}x")
    spec = lab.RACES["rosenbrock"]
    t0 = time.perf_counter()
    lab.tune(spec.fn, lab.CONTENDERS, spec.start, spec.n_steps)
    t_grid = time.perf_counter() - t0
    t0 = time.perf_counter()
    lab.race_unbatched(spec.fn, lab.CONTENDERS, spec.start, spec.n_steps, lrs=lab.LR_GRID)
    t_grid_u = time.perf_counter() - t0
    print(f"learning-rate grid, {len(lab.CONTENDERS)} optimizers x {len(lab.LR_GRID)} rates x 200 steps: "
          f"batched {t_grid * 1e3:.0f} ms, unbatched {t_grid_u * 1e3:.0f} ms "
          f"(unbatched/batched = {t_grid_u / t_grid:.1f}x)")
    print(f"lab update: median {worst * 1e3:.1f} ms for 6 optimizers x 200 steps (budget 100 ms)")


if __name__ == "__main__":
    main()
