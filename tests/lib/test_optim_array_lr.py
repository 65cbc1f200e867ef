"""An lr given as an array that broadcasts against the parameter (set in a param group after
construction) gives each row its own learning rate: every rule is element-wise, so K rows
with K rates move exactly as K separate optimizers would. booktools.lab's batched race
relies on this; torch accepts only scalar (or 0-d tensor) learning rates."""

import numpy as np
import pytest

import minigrad.optim as mo
from minigrad.nn import Parameter

CASES = [("SGD", {}), ("SGD", {"momentum": 0.9, "nesterov": True}), ("Adagrad", {}),
         ("RMSprop", {"centered": True, "momentum": 0.5}), ("Adam", {"amsgrad": True}),
         ("AdamW", {}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("Adadelta", {})]


@pytest.mark.parametrize("name, fixed", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_rows_with_their_own_lr_equal_separate_optimizers(name, fixed):
    rng = np.random.default_rng(0)
    lrs = np.array([0.01, 0.1, 0.5])
    start = rng.standard_normal((3, 2))
    stacked = Parameter(start.copy())
    batched = getattr(mo, name)([stacked], lr=1.0, **fixed)
    batched.param_groups[0]["lr"] = lrs[:, None]
    singles = [Parameter(start[k].copy()) for k in range(3)]
    separate = [getattr(mo, name)([p], lr=float(lr), **fixed) for p, lr in zip(singles, lrs)]
    for _ in range(25):
        g = rng.standard_normal((3, 2))
        stacked.grad = g.copy()
        batched.step()
        for k, (p, opt) in enumerate(zip(singles, separate)):
            p.grad = g[k].copy()
            opt.step()
    np.testing.assert_allclose(stacked.data, np.stack([p.data for p in singles]), rtol=1e-13, atol=1e-15)
