"""Time one redraw of the live explorer against the 0.1 s interactivity budget.

A redraw is what happens when a reader moves a slider: recompute the trajectory with
the minigrad optimizer, update the Line2D data, blit onto the cached contour background,
encode the PNG sent to the browser. It is reported against the 0.1 s budget and against a
baseline measured in the same run: the naive redraw that re-renders the whole figure
(contours included) and saves it as PNG. The static explorer's build time is reported too
(it runs once per chapter build, not per interaction).

Run from the repository root:  python benchmarks/bench_widgets.py
"""

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chapters"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import booktools  # noqa: E402
from booktools import functions, widgets  # noqa: E402
from minigrad.optim import SGD, Adam  # noqa: E402

BUDGET = 0.1  # seconds per redraw


def bench_live(label, fn, x0, n_steps, optimizer, controls, values, repeats=5):
    live = widgets.live_explorer(fn, x0, n_steps, optimizer=optimizer, controls=controls)
    name = next(iter(controls))
    times = []
    for _ in range(repeats):
        for v in values:
            times.append(live.update(**{name: v}))
    med, worst = statistics.median(times), max(times)
    naive = []
    for v in values[:5]:
        t0 = time.perf_counter()
        live.update(**{name: v})
        live.fig.canvas.draw()  # what a plain re-plot costs: every artist, contours included
        buf = io.BytesIO()
        live.fig.savefig(buf, format="png")
        naive.append(time.perf_counter() - t0)
    base = statistics.median(naive)
    print(f"{label:<34} median {med * 1e3:6.1f} ms  max {worst * 1e3:6.1f} ms  "
          f"median/budget = {med / BUDGET:.3f}  naive full redraw {base * 1e3:6.1f} ms "
          f"(blit/naive = {med / base:.2f})")
    return med


def main():
    booktools.setup()
    print(f"live redraw (budget {BUDGET * 1e3:.0f} ms)")
    meds = [
        bench_live("SGD, valley, 30 steps", functions.valley(), (-7, 2), 30, SGD,
                   {"lr": (0.01, 1.2, 0.01, 0.95)}, np.linspace(0.05, 1.1, 20)),
        bench_live("SGD, elongated bowl, 20 steps", functions.elongated_bowl(), (-5, -2), 20, SGD,
                   {"lr": (0.01, 0.6, 0.01, 0.4)}, np.linspace(0.05, 0.55, 20)),
        bench_live("Adam, Rosenbrock, 300 steps", functions.Rosenbrock(), (-1.5, 2.0), 300, Adam,
                   {"lr": (0.001, 0.5, 0.001, 0.1)}, np.linspace(0.01, 0.4, 20)),
    ]
    t0 = time.perf_counter()
    s = widgets.static_explorer(functions.valley(), (-7, 2), 30, optimizer=SGD,
                                grid={"lr": np.round(np.arange(0.05, 1.251, 0.05), 2)})
    dt = time.perf_counter() - t0
    print(f"static explorer, 25 lr values: built in {dt:.2f} s, {s.size_bytes / 1024:.0f} KiB of HTML")
    print(f"worst median redraw / budget: {max(meds) / BUDGET:.3f}")


if __name__ == "__main__":
    main()
