"""SGDScheduleFree and AdamWScheduleFree against the ``schedulefree`` package
(Meta's reference, PyPI; it needs PyTorch).  Skipped where it is not installed.

60 steps, two parameter groups (the second with its own lr and warmup), tensors
of rank 0 to 3, parameters that sometimes have no gradient, gradients that depend
on the parameters (so a wrong step changes every later one), and an eval()/
train() round trip every few steps: parameters in both modes, the state z and
v, and the group's bookkeeping agree to 1e-12 relative in float64.  Both of the
package's code paths (foreach and per-tensor) are compared.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
schedulefree = pytest.importorskip("schedulefree")

from minigrad.nn import Parameter  # noqa: E402
from minigrad.optim import AdamWScheduleFree, SGDScheduleFree  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_float64")

CASES = [
    (SGDScheduleFree, "SGDScheduleFree", dict()),
    (SGDScheduleFree, "SGDScheduleFree", dict(lr=0.05, momentum=0.7, weight_decay=0.01,
                                              r=1.0, weight_lr_power=1.0)),
    (AdamWScheduleFree, "AdamWScheduleFree", dict()),
    (AdamWScheduleFree, "AdamWScheduleFree", dict(lr=0.01, betas=(0.95, 0.98), eps=1e-6,
                                                  weight_decay=0.1, warmup_steps=8, r=0.5)),
]


@pytest.mark.parametrize("foreach", [True, False])
@pytest.mark.parametrize("ours_cls,name,kw", CASES, ids=repr)
def test_matches_the_package_over_60_steps(ours_cls, name, kw, foreach):
    theirs_cls = getattr(schedulefree, name)
    r = np.random.default_rng(3)
    start = [r.standard_normal(s) for s in [(3,), (4, 5), (2, 3, 2), ()]]
    ours = [Parameter(a.copy()) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    lr = kw.get("lr", 0.01)
    groups = lambda ps: [{"params": ps[:2]},  # noqa: E731
                         {"params": ps[2:], "lr": lr * 3, "warmup_steps": 5}]
    mo = ours_cls(groups(ours), **kw)
    to = theirs_cls(groups(theirs), foreach=foreach, **kw)
    mo.train()
    to.train()

    def agree():
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)

    for t in range(60):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if (t + i) % 7 == 3:  # no gradient: skipped, but the group's k still counts
                a.grad, b.grad = None, None
                continue
            g = 0.5 * a.data + r.standard_normal(a.data.shape)
            a.grad, b.grad = g.copy(), torch.tensor(g.copy())
        mo.step()
        to.step()
        agree()
        if t % 9 == 4:
            mo.eval()
            to.eval()
            agree()
            mo.train()
            to.train()
    mo.eval()
    to.eval()
    agree()
    for a, b in zip(ours, theirs):
        assert set(mo.state[a]) == set(to.state[b])
        for key in mo.state[a]:
            np.testing.assert_allclose(mo.state[a][key], to.state[b][key].numpy(),
                                       rtol=1e-12, atol=1e-14)
    for ga, gb in zip(mo.param_groups, to.param_groups):
        for key in ("k", "train_mode", "weight_sum", "lr_max", "scheduled_lr"):
            assert ga[key] == pytest.approx(gb[key], rel=1e-14), key


@pytest.mark.parametrize("ours_cls,name", [(SGDScheduleFree, "SGDScheduleFree"),
                                           (AdamWScheduleFree, "AdamWScheduleFree")])
def test_same_defaults_as_the_package(ours_cls, name):
    p = Parameter(np.ones(2))
    theirs = getattr(schedulefree, name)([torch.ones(2, requires_grad=True)])
    ours = ours_cls([p])
    assert set(ours.defaults) - {"maximize"} == set(theirs.defaults)
    for key, value in theirs.defaults.items():
        assert ours.defaults[key] == value, key
