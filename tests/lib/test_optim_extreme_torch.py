"""Every optimizer against torch.optim at the edges of float32 and float64.

Gradients from the subnormal range up to the largest finite float, next to
ordinary values and zeros in the same tensor, for five steps.  Where torch's
order of operations avoids an overflow (the squared averages are computed as
((1 - beta) g) g, never g g first), minigrad must take the same finite step;
where torch overflows too, minigrad must give the same inf, nan or frozen
parameter.  Skipped when PyTorch is not installed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad.optim as mo  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("Adadelta", dict(lr=1.0)),
    ("Adamax", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
]
# magnitudes around each dtype's overflow threshold of g * g (1.8e19 and
# 1.3e154), torch's own limits, the largest float and the subnormals
MAGNITUDES = {
    np.float32: [1e-42, 1e-30, 1e19, 3e19, 1e20, 5e20, 1e25, 1e36, 3.4e38],
    np.float64: [1e-320, 1e-160, 1e154, 3e154, 1e155, 1e160, 1e300, 1.7e308],
}
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}


@pytest.fixture
def torch_dtype_like():
    """torch keeps step counters and NAdam's mu_product in its default dtype."""
    previous = torch.get_default_dtype()
    yield lambda dtype: torch.set_default_dtype(torch.from_numpy(np.zeros(1, dtype)).dtype)
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_extreme_gradients_match_torch(name, kwargs, dtype, torch_dtype_like):
    torch_dtype_like(dtype)
    rng = np.random.default_rng(0)
    for magnitude in MAGNITUDES[dtype]:
        init = rng.standard_normal(6).astype(dtype)
        mine = Parameter(init.copy())
        theirs = torch.tensor(init.copy(), requires_grad=True)
        opt_mine = getattr(mo, name)([mine], **kwargs)
        opt_torch = getattr(torch.optim, name)([theirs], foreach=False, **kwargs)
        for t in range(5):
            # an extreme coordinate of each sign, ordinary ones and a zero
            g = np.array([magnitude, -magnitude * 0.7, 0.5, -1.5, 0.0, magnitude * (t % 2)],
                         dtype=dtype)
            mine.grad, theirs.grad = g.copy(), torch.tensor(g.copy())
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                opt_mine.step()
            opt_torch.step()
        expected = theirs.detach().numpy()
        assert mine.data.dtype == dtype
        np.testing.assert_array_equal(np.isnan(mine.data), np.isnan(expected),
                                      err_msg=f"|g| = {magnitude:g}")
        np.testing.assert_allclose(mine.data, expected, rtol=TOLERANCE[dtype], atol=0,
                                   err_msg=f"|g| = {magnitude:g}")


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] in ("Adam", "AdamW", "RMSprop")],
                         ids=lambda c: str(c))
def test_float32_gradient_past_the_square_overflow_still_moves(name, kwargs):
    """The issue's example: |g| = 1e20 > 1.8e19 in float32 (g * g = inf)."""
    p = Parameter(np.ones(3, dtype=np.float32))
    opt = getattr(mo, name)([p], **kwargs)
    p.grad = np.array([1e20, -1e20, 1.0], dtype=np.float32)
    opt.step()
    assert np.all(np.isfinite(p.data))
    assert p.data[0] < 1 < p.data[1]  # moved against the gradient
