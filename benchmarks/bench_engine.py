"""Engine benchmark: one training step, timed interleaved in one process.

Workloads
  mlp  - 64-128-10 MLP, batch 64, float32: forward, cross-entropy, backward, update
  fn2d - one step of minimising the Rosenbrock function from a single (2,) parameter

Contenders: minigrad, the same computation hand-written in NumPy, and PyTorch
(CPU, if installed). Run:  python benchmarks/bench_engine.py [--quick]
Targets (issue 2): minigrad <= 1.5x hand-written NumPy on mlp; <= 0.6x PyTorch on both.
"""
import os
import sys

# One BLAS thread for NumPy, as for PyTorch below: small matmuls gain nothing
# from threads, and on a busy machine spinning threads distort the timings.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402  (after the thread settings)

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim

from common import interleaved, print_table

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # PyTorch is optional
    torch = None

BATCH, IN, HIDDEN, OUT = 64, 64, 128, 10
LR = 1e-4
N_BATCHES = 16  # cycled, so the model never fits one batch and gradients stay normal


def make_data():
    """A fixed pool of random batches with random labels.

    Training on one batch forever drives the loss and gradients towards
    zero, and float32 denormals would then slow every contender by an order
    of magnitude, measuring the CPU's denormal path instead of the engine.
    """
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((N_BATCHES, BATCH, IN)).astype(np.float32)
    ys = rng.integers(0, OUT, (N_BATCHES, BATCH))
    return xs, ys


def cycling(xs, ys):
    state = [0]

    def next_batch():
        i = state[0] = (state[0] + 1) % N_BATCHES
        return xs[i], ys[i]

    return next_batch


def minigrad_mlp(x, y, optimizer_name):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN, HIDDEN, dtype=np.float32), nn.ReLU(), nn.Linear(HIDDEN, OUT, dtype=np.float32))
    opt = optim.SGD(model.parameters(), lr=LR) if optimizer_name == "sgd" else optim.Adam(model.parameters(), lr=LR)
    batches = [mg.Tensor(b) for b in x]
    next_batch = cycling(batches, y)

    def step():
        xb, yb = next_batch()
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()

    return step


def numpy_mlp(x, y, optimizer_name):
    """The same step written by hand: forward, softmax cross-entropy, backward, update."""
    rng = np.random.default_rng(0)
    b1, b2 = 1 / np.sqrt(IN), 1 / np.sqrt(HIDDEN)
    params = [rng.uniform(-b1, b1, (HIDDEN, IN)), rng.uniform(-b1, b1, HIDDEN),
              rng.uniform(-b2, b2, (OUT, HIDDEN)), rng.uniform(-b2, b2, OUT)]
    params = [p.astype(np.float32) for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rows = np.arange(BATCH)
    t = [0]
    next_batch = cycling(x, y)

    def step():
        """Forward, softmax cross-entropy (value and gradient), backward, update."""
        x_b, y_b = next_batch()
        w1, c1, w2, c2 = params
        h = x_b @ w1.T + c1
        a = np.maximum(h, 0)
        z = a @ w2.T + c2
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        total = p.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(total[:, 0]) - z[rows, y_b])  # the value minigrad returns too
        p /= total
        dz = p
        dz[rows, y_b] -= 1
        dz /= BATCH
        dw2, dc2 = dz.T @ a, dz.sum(axis=0)
        dh = (dz @ w2) * (h > 0)
        dw1, dc1 = dh.T @ x_b, dh.sum(axis=0)
        grads = (dw1, dc1, dw2, dc2)
        if optimizer_name == "sgd":
            for q, g in zip(params, grads):
                q -= LR * g
        else:
            t[0] += 1
            bc1, bc2 = 1 - 0.9 ** t[0], float(np.sqrt(1 - 0.999 ** t[0]))
            for q, g, mq, vq in zip(params, grads, m, v):
                mq *= 0.9
                mq += 0.1 * g
                vq *= 0.999
                vq += 0.001 * g * g
                q -= (LR / bc1) * mq / (np.sqrt(vq) / bc2 + 1e-8)
        return loss

    return step


def torch_mlp(x, y, optimizer_name):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(IN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, OUT))
    opt = (torch.optim.SGD if optimizer_name == "sgd" else torch.optim.Adam)(model.parameters(), lr=LR)
    next_batch = cycling([torch.from_numpy(b) for b in x], [torch.from_numpy(b) for b in y])

    def step():
        xb, yb = next_batch()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()

    return step


def rosenbrock_steps():
    """One SGD step on f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from a (2,) parameter."""
    start = np.array([-1.5, 2.0])
    lr = 1e-4
    p = nn.Parameter(start.copy())
    opt = optim.SGD([p], lr=lr)

    def minigrad_step():
        opt.zero_grad()
        x, y = p[0], p[1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
        opt.step()

    q = start.copy()

    def numpy_step():
        x, y = q
        q[0] -= lr * (-2 * (1 - x) - 400 * x * (y - x * x))
        q[1] -= lr * (200 * (y - x * x))

    contenders = {"minigrad": minigrad_step, "numpy (by hand)": numpy_step}
    if torch is not None:
        tp = torch.tensor(start, requires_grad=True)
        topt = torch.optim.SGD([tp], lr=lr)

        def torch_step():
            topt.zero_grad()
            x, y = tp[0], tp[1]
            ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
            topt.step()

        contenders["pytorch"] = torch_step
    return contenders


def main(quick=False):
    rounds = 5 if quick else 15
    x, y = make_data()
    print(f"minigrad engine benchmark (median of {rounds} interleaved rounds; lower is better)")
    for opt_name in ("sgd", "adam"):
        contenders = {"minigrad": minigrad_mlp(x, y, opt_name), "numpy (by hand)": numpy_mlp(x, y, opt_name)}
        if torch is not None:
            contenders["pytorch"] = torch_mlp(x, y, opt_name)
        times = interleaved(contenders, calls_per_round=100, rounds=rounds)
        print_table(f"MLP {IN}-{HIDDEN}-{OUT}, batch {BATCH}, float32, {opt_name.upper()} step",
                    times, "numpy (by hand)", extra_ratios=("pytorch",))
    times = interleaved(rosenbrock_steps(), calls_per_round=500, rounds=rounds)
    print_table("Rosenbrock, one (2,) parameter, SGD step", times, "numpy (by hand)", extra_ratios=("pytorch",))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
