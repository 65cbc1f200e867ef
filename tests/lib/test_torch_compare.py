"""Forward values and gradients equal PyTorch's (float64), where torch is installed."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = {
    "arithmetic": (lambda a, b: (a * b + a / (b * b + 1) - 2.0) ** 2, lambda a, b: (a * b + a / (b * b + 1) - 2.0) ** 2,
                   [(3, 4), (4,)]),
    "matmul batched": (lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "reductions": (lambda a: a.sum(axis=1) + a.mean(axis=0, keepdims=True).sum() + a.max(axis=(0, 1)),
                   lambda a: a.sum(dim=1) + a.mean(dim=0, keepdim=True).sum() + a.amax(dim=(0, 1)), [(3, 4, 2)]),
    "elementwise": (lambda a: a.exp() + a.abs().sqrt() + (a.abs() + 1).log() + a.tanh() + a.sigmoid() + a.relu(),
                    lambda a: a.exp() + a.abs().sqrt() + (a.abs() + 1).log() + a.tanh() + a.sigmoid() + a.relu(), [(5, 3)]),
    "shapes and indexing": (lambda a: a.reshape(6, 2).T[1:, [0, 2, 2]].transpose(1, 0),
                            lambda a: a.reshape(6, 2).T[1:, [0, 2, 2]].permute(1, 0), [(3, 4)]),
    "rows cols": (lambda a: a[np.array([0, 2, 2]), np.array([1, 0, 1])],
                  lambda a: a[torch.tensor([0, 2, 2]), torch.tensor([1, 0, 1])], [(3, 2)]),
    "softmax family": (lambda a: F.softmax(a) * F.log_softmax(a, axis=0) + F.logsumexp(a, axis=1, keepdims=True),
                       lambda a: TF.softmax(a, -1) * TF.log_softmax(a, 0) + torch.logsumexp(a, 1, keepdim=True), [(4, 3)]),
    "cross_entropy": (lambda a: F.cross_entropy(a, np.array([2, 0, 1, 2])),
                      lambda a: TF.cross_entropy(a, torch.tensor([2, 0, 1, 2])), [(4, 3)]),
    "bce with logits": (lambda a, b: F.binary_cross_entropy_with_logits(a, b.data.clip(0, 1)),
                        lambda a, b: TF.binary_cross_entropy_with_logits(a, b.detach().clamp(0, 1)), [(4, 3), (4, 3)]),
    "mse": (lambda a, b: F.mse_loss(a, b, reduction="sum"), lambda a, b: TF.mse_loss(a, b, reduction="sum"),
            [(4, 3), (4, 3)]),
    "linear": (lambda x, w, b: F.linear(x, w, b), lambda x, w, b: TF.linear(x, w, b), [(5, 3), (2, 3), (2,)]),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    ours, theirs, shapes = CASES[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    mine = [mg.Tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, y_ref = ours(*mine), theirs(*ref)
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    v = rng.standard_normal(y.shape)
    y.backward(v)
    y_ref.backward(torch.tensor(v))
    for a, b in zip(mine, ref):
        if b.grad is None:  # an input both frameworks treat as a constant
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mlp_training_step_matches_torch():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    ref = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), ref.parameters()):
            q.copy_(torch.from_numpy(p.data))
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    loss = F.cross_entropy(model(mg.Tensor(x)), y)
    loss_ref = TF.cross_entropy(ref(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    loss_ref.backward()
    assert loss.item() == pytest.approx(loss_ref.item(), rel=1e-12)
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_extreme_logits_match_torch():
    logits = np.array([[1000.0, -1000.0, 3.0], [-1000.0, 999.0, 1000.0]])
    t = mg.Tensor(logits, requires_grad=True)
    r = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(t, np.array([0, 1]))
    loss_ref = TF.cross_entropy(r, torch.tensor([0, 1]))
    loss.backward()
    loss_ref.backward()
    assert loss.item() == pytest.approx(loss_ref.item(), rel=1e-12)
    np.testing.assert_allclose(t.grad, r.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(F.sigmoid(mg.Tensor(logits)).data, torch.sigmoid(torch.tensor(logits)).numpy(), rtol=1e-15)
