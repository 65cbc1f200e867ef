"""Adafactor and Muon against torch.optim 2.13 (skipped without PyTorch).

Adafactor: 60 steps, vectors, matrices, rank-3 tensors and scalars, two
parameter groups; parameters and state agree to 1e-12 relative in float64
(the arithmetic is the same up to rounding).

Muon: torch runs Newton-Schulz in bfloat16 and minigrad emulates its rounding
(see minigrad/optim/muon.py).  The tolerance comes from bfloat16's 8-bit
significand: an entry of the orthogonalised update O that rounds differently
(torch sums its float32 products in another order) is off by a unit in the
last place, 2^-7 relative, and a difference early in the iteration can spread
through the matrix products to a few units.  We require, for every step, that
every entry of O be within 4 units at the scale of the largest entry
(4 * 2^-7 * max|O|) and that at least 90% of all entries agree exactly over
the run; the parameters then agree within the sum of those per-step bounds
times the step size.  A float64 Newton-Schulz would fail the 90% test
(almost no entry would agree) and is 1-2% away in norm.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from minigrad.nn import Parameter  # noqa: E402
from minigrad.optim import Adafactor, Muon  # noqa: E402


# every test here compares against torch in float64 (tests/lib/conftest.py)
pytestmark = pytest.mark.usefixtures("torch_float64")


def pair(shapes, seed):
    r = np.random.default_rng(seed)
    x = [r.standard_normal(s) for s in shapes]
    return [Parameter(a.copy()) for a in x], [torch.tensor(a.copy(), requires_grad=True) for a in x]


ADAFACTOR = [
    dict(),
    dict(lr=0.05, weight_decay=0.1),
    dict(d=2.0, eps=(1e-6, 1e-2), beta2_decay=-0.5, maximize=True),
    dict(lr=0.3, eps=(1e-3, 1e-3)),  # rho_t = 1/sqrt(t) takes over from lr after step 11
]


@pytest.mark.parametrize("kw", ADAFACTOR, ids=repr)
def test_adafactor_matches_torch_over_60_steps(kw):
    shapes = [(5,), (4, 3), (2, 3, 4), (), (1, 6)]
    ours, theirs = pair(shapes, 0)
    groups = lambda ps: [{"params": ps[:3]}, {"params": ps[3:], "lr": 0.02}]  # noqa: E731
    mo, to = Adafactor(groups(ours), **kw), torch.optim.Adafactor(groups(theirs), **kw)
    r = np.random.default_rng(1)
    for t in range(60):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if (t + i) % 7 == 3:  # sometimes no gradient: skipped, no state change
                a.grad, b.grad = None, None
                continue
            g = r.standard_normal(a.data.shape) * 10.0 ** r.integers(-3, 2)
            a.grad, b.grad = g.copy(), torch.tensor(g.copy())
        mo.step()
        to.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
        sa, sb = mo.state[a], to.state[b]
        assert sa["step"] == int(sb["step"])
        for name in ("row_var", "col_var", "variance"):
            assert (name in sa) == (name in sb)
            if name in sa:
                np.testing.assert_allclose(sa[name], sb[name].numpy(), rtol=1e-12, atol=1e-300)


def test_adafactor_float32_eps1_is_float32_machine_epsilon():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    a, b = Parameter(x.copy()), torch.tensor(x.copy(), requires_grad=True)
    mo, to = Adafactor([a]), torch.optim.Adafactor([b])
    g = np.zeros((3, 4), np.float32)
    g[0, 0] = 1e-6  # tiny second moments: the eps1 clamps decide the step
    for _ in range(3):
        a.grad, b.grad = g.copy(), torch.tensor(g.copy())
        mo.step()
        to.step()
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-6)


def test_adafactor_state_dict_resume_matches_torch():
    ours, theirs = pair([(4, 3)], 2)
    mo = Adafactor(ours, weight_decay=0.1)
    to = torch.optim.Adafactor(theirs, weight_decay=0.1)
    r = np.random.default_rng(3)
    grads = [r.standard_normal((4, 3)) for _ in range(20)]
    for g in grads[:10]:
        ours[0].grad, theirs[0].grad = g.copy(), torch.tensor(g.copy())
        mo.step()
        to.step()
    resumed = Adafactor([Parameter(ours[0].data.copy())])
    resumed.load_state_dict(mo.state_dict())
    p = resumed.param_groups[0]["params"][0]
    for g in grads[10:]:
        p.grad, theirs[0].grad = g.copy(), torch.tensor(g.copy())
        resumed.step()
        to.step()
    np.testing.assert_allclose(p.data, theirs[0].detach().numpy(), rtol=1e-12)


MUON = [
    ((8, 5), dict(lr=0.02)),
    ((5, 8), dict(lr=0.02, weight_decay=0.0)),
    ((32, 16), dict(lr=0.05, nesterov=False, weight_decay=0.0, adjust_lr_fn="match_rms_adamw")),
    ((24, 24), dict(lr=0.01, momentum=0.9, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5))),
]


@pytest.mark.parametrize("shape,kw", MUON, ids=[f"{s}-{k}" for s, k in MUON])
def test_muon_matches_torch_within_bfloat16_units(shape, kw):
    (a,), (b,) = pair([shape], 4)
    mo, to = Muon([a], **kw), torch.optim.Muon([b], **kw)
    lr = kw["lr"]
    ratio = (0.2 * max(shape) ** 0.5 if kw.get("adjust_lr_fn") == "match_rms_adamw"
             else max(1, shape[0] / shape[1]) ** 0.5)
    decay = 1 - lr * kw.get("weight_decay", 0.1)
    r = np.random.default_rng(5)
    exact, bound = [], 0.0
    for _ in range(50):
        g = r.standard_normal(shape)
        before_a, before_b = a.data.copy(), b.detach().numpy().copy()
        a.grad, b.grad = g.copy(), torch.tensor(g.copy())
        mo.step()
        to.step()
        # recover each side's O from its own step (float64: error ~1e-16)
        Oa = (a.data - before_a * decay) / (-lr * ratio)
        Ob = (b.detach().numpy() - before_b * decay) / (-lr * ratio)
        unit = 2.0**-7 * np.abs(Ob).max()
        assert np.abs(Oa - Ob).max() <= 4 * unit
        exact.append(np.isclose(Oa, Ob, rtol=0, atol=1e-9 * np.abs(Ob).max()).mean())
        bound += lr * ratio * 4 * unit
    assert np.mean(exact) >= 0.9, np.mean(exact)
    assert np.abs(a.data - b.detach().numpy()).max() <= bound
    np.testing.assert_allclose(mo.state[a]["momentum_buffer"],
                               to.state[b]["momentum_buffer"].numpy(), rtol=1e-12)


def test_muon_refuses_what_torch_refuses():
    with pytest.raises(ValueError):
        torch.optim.Muon([torch.ones(3, requires_grad=True)])
    with pytest.raises(ValueError, match="only optimizes 2-D"):
        Muon([Parameter(np.ones(3))])
    assert torch.optim.Muon([torch.ones(2, 2)]).defaults == {
        k: v for k, v in Muon([Parameter(np.ones((2, 2)))]).defaults.items() if k != "maximize"}


def test_adafactor_defaults_match_torch():
    ours = Adafactor([Parameter(np.ones(2))]).defaults
    assert torch.optim.Adafactor([torch.ones(2)]).defaults == ours
