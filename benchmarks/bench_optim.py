"""Optimizer benchmark: the cost of one ``optimizer.step()``, timed interleaved.

Workloads (float32, gradients fixed random arrays set once)
  cnn   - 22 tensors shaped like a small CNN + MLP head (conv, batch-norm and
          linear weights and biases), about 0.9M elements: memory-bound arithmetic
  small - 20 tensors of a 10-layer 24-wide MLP, about 6k elements: per-parameter
          Python overhead

Contenders: minigrad.optim; torch.optim with foreach=False (the single-tensor
path minigrad reproduces, and PyTorch's default on CPU); torch.optim with
foreach=True (PyTorch's multi-tensor kernels).  PyTorch runs on one thread,
like NumPy.  Run:  python benchmarks/bench_optim.py [--quick]
"""
import sys

import numpy as np

import minigrad.optim as mo
from minigrad.nn import Parameter

from common import interleaved

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # PyTorch is optional
    torch = None

CNN_SHAPES = [
    (32, 3, 3, 3), (32,), (32,), (32,),
    (64, 32, 3, 3), (64,), (64,), (64,),
    (128, 64, 3, 3), (128,), (128,), (128,),
    (128, 128, 3, 3), (128,), (128,), (128,),
    (512, 1024), (512,),
    (256, 512), (256,),
    (10, 256), (10,),
]
SMALL_SHAPES = [s for _ in range(10) for s in ((24, 24), (24,))]

CONFIGS = [
    ("SGD", dict(lr=1e-3)),
    ("SGD", dict(lr=1e-3, momentum=0.9)),
    ("SGD", dict(lr=1e-3, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    ("Adagrad", dict(lr=1e-2)),
    ("RMSprop", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9, centered=True)),
    ("Adam", dict(lr=1e-3)),
    ("Adam", dict(lr=1e-3, amsgrad=True)),
    ("AdamW", dict(lr=1e-3)),
    ("NAdam", dict(lr=2e-3)),
    ("Adadelta", dict(lr=1.0)),
    ("Adamax", dict(lr=2e-3)),
]


def label(name, kwargs):
    options = [f"{k}={v}" for k, v in kwargs.items() if k != "lr"]
    return name + (f"({', '.join(options)})" if options else "")


def contenders(shapes, name, kwargs):
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]

    params = [Parameter(d.copy()) for d in data]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    opt = getattr(mo, name)(params, **kwargs)
    result = {"minigrad": opt.step}
    if torch is not None:
        for tag, foreach in (("torch", False), ("torch foreach", True)):
            tparams = [torch.tensor(d.copy(), requires_grad=True) for d in data]
            for p, g in zip(tparams, grads):
                p.grad = torch.tensor(g.copy())
            topt = getattr(torch.optim, name)(tparams, foreach=foreach, **kwargs)
            result[tag] = topt.step
    return result


def main(quick=False):
    workloads = [
        ("cnn", CNN_SHAPES, dict(calls_per_round=3 if quick else 10, rounds=5 if quick else 9, warmup=2)),
        ("small", SMALL_SHAPES, dict(calls_per_round=20 if quick else 100, rounds=5 if quick else 9, warmup=10)),
    ]
    for workload, shapes, timing in workloads:
        n = sum(int(np.prod(s)) for s in shapes)
        print(f"\n{workload}: {len(shapes)} tensors, {n:,} float32 elements; median time per step()")
        header = f"  {'optimizer':<52}{'minigrad':>12}"
        if torch is not None:
            header += f"{'torch':>12}{'ratio':>8}{'foreach':>12}{'ratio':>8}"
        print(header)
        for name, kwargs in CONFIGS:
            times = interleaved(contenders(shapes, name, kwargs), **timing)
            line = f"  {label(name, kwargs):<52}{times['minigrad'] * 1e6:10.1f}us"
            if torch is not None:
                for tag in ("torch", "torch foreach"):
                    line += f"{times[tag] * 1e6:10.1f}us{times['minigrad'] / times[tag]:7.2f}x"
            print(line)
    if torch is None:
        print("\n(PyTorch not installed: minigrad times only)")
    else:
        print("\nratio = minigrad time / torch time (below 1: minigrad is faster); "
              f"torch {torch.__version__}, 1 thread")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
