"""``maximize=True`` against torch.optim (single-tensor path), for every optimizer.

torch 2.13 negates the gradient first, before weight decay, in every
optimizer; the cases include weight decay (L2 and decoupled) and the buffers
(momentum, centered, amsgrad), where a different placement would show.
Skipped when PyTorch is not installed.
"""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad.optim as mo  # noqa: E402
from minigrad.nn import Parameter  # noqa: E402

SHAPES = [(3, 4), (5,), ()]
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
]
NAMES = sorted({name for name, _ in CASES})


# every test here compares against torch in float64 (tests/lib/conftest.py)
pytestmark = pytest.mark.usefixtures("torch_float64")


@pytest.mark.parametrize("name", NAMES)
def test_maximize_is_a_keyword_defaulting_to_false_as_in_torch(name):
    mine = inspect.signature(getattr(mo, name)).parameters["maximize"]
    theirs = inspect.signature(getattr(torch.optim, name)).parameters["maximize"]
    assert mine.default is theirs.default is False
    # keyword-only here everywhere; torch's RMSprop takes it positionally after
    # capturable and foreach, which minigrad does not have
    assert mine.kind is inspect.Parameter.KEYWORD_ONLY
    p = Parameter(np.ones(2))
    assert getattr(mo, name)([p]).defaults["maximize"] is False


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_maximize_matches_torch(name, kwargs):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s) for s in SHAPES]
    mine = [Parameter(a.copy()) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    opt_mine = getattr(mo, name)(mine, maximize=True, **kwargs)
    opt_torch = getattr(torch.optim, name)(theirs, maximize=True, foreach=False, **kwargs)
    for t in range(30):
        for p, q in zip(mine, theirs):
            g = rng.standard_normal(p.data.shape)
            p.grad, q.grad = g.copy(), torch.tensor(g)
        before = [p.grad.copy() for p in mine]
        opt_mine.step()
        opt_torch.step()
        for p, q, g in zip(mine, theirs, before):
            np.testing.assert_array_equal(p.grad, g)  # the caller's gradient is untouched
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=f"step {t + 1}")
    for i, p in enumerate(mine):
        for key, value in opt_torch.state[theirs[i]].items():
            if isinstance(value, torch.Tensor) and value.ndim > 0:
                np.testing.assert_allclose(opt_mine.state[p][key], value.numpy(), rtol=1e-10,
                                           atol=1e-13, err_msg=key)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_maximize_ascends_where_the_default_descends(name, kwargs):
    """Maximising f is minimising -f: the same iterates as feeding -g."""
    rng = np.random.default_rng(1)
    init = rng.standard_normal(4)
    up, down = Parameter(init.copy()), Parameter(init.copy())
    opt_up = getattr(mo, name)([up], maximize=True, **kwargs)
    opt_down = getattr(mo, name)([down], **kwargs)
    for _ in range(10):
        g = rng.standard_normal(4)
        up.grad, down.grad = g, -g
        opt_up.step()
        opt_down.step()
    np.testing.assert_allclose(up.data, down.data, rtol=1e-12, atol=1e-14)
