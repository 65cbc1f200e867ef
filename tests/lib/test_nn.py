"""Modules: parameter registration, layers, initialisation, training a tiny model."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 5)
        self.out = nn.Linear(5, 2, bias=False)
        self.scale = nn.Parameter(np.ones(1))
        self.not_a_param = mg.Tensor(np.ones(1))

    def forward(self, x):
        return self.out(self.hidden(x).tanh()) * self.scale


def test_parameters_registered_by_assignment():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    assert [type(c).__name__ for c in m.children()] == ["Linear", "Linear"]


def test_reassigning_and_deleting_attributes_updates_registry():
    m = TwoLayer()
    m.scale = 3.0
    assert "scale" not in dict(m.named_parameters())
    del m.hidden
    assert [n for n, _ in m.named_parameters()] == ["out.weight"]


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    m = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(m.parameters())) == 2


def test_linear_layout_and_forward():
    layer = nn.Linear(4, 3)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    x = np.random.default_rng(0).standard_normal((6, 4))
    np.testing.assert_allclose(layer(mg.Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data)
    assert "in_features=4, out_features=3, bias=True" in repr(layer)


def test_linear_initialisation_follows_pytorch_bound():
    mg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert p.min() >= -bound and p.max() <= bound
    # uniform on [-b, b] has standard deviation b / sqrt(3)
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_initialisation_reproducible_from_seed():
    mg.manual_seed(42)
    a = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    mg.manual_seed(42)
    b = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    c = nn.Linear(3, 4)
    assert not np.array_equal(c.weight.data, a[0].weight.data)


def test_float32_linear():
    layer = nn.Linear(3, 2, dtype=np.float32)
    y = layer(mg.Tensor(np.ones((1, 3), np.float32)))
    assert layer.weight.dtype == np.float32 and y.dtype == np.float32


def test_module_zero_grad_and_state_dict_round_trip():
    m = TwoLayer()
    x = mg.Tensor(np.ones((2, 3)))
    m(x).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    saved = m.state_dict()
    for p in m.parameters():
        p.data += 1
    m.load_state_dict(saved)
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(p.data, saved[name])
    with pytest.raises(KeyError, match="missing keys \\['scale'\\]"):
        m.load_state_dict({k: v for k, v in saved.items() if k != "scale"})
    with pytest.raises(ValueError, match="'scale' has shape"):
        m.load_state_dict({**saved, "scale": np.ones(3)})


def test_sequential_container_and_activations():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
    assert len(m) == 6 and isinstance(m[1], nn.ReLU) and len(list(iter(m))) == 6
    y = m(mg.Tensor(np.ones((4, 2))))
    assert y.shape == (4, 1) and np.all((y.data > 0) & (y.data < 1))
    assert m.eval() is m and not m[0].training and m.train()[0].training


def test_tiny_mlp_learns_xor_with_plain_gradient_descent():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    x = mg.Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    for _ in range(500):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    assert loss.item() < 0.05
    assert (model(x).data.argmax(axis=1) == y).all()


def test_cross_entropy_accepts_targets_as_array_list_or_tensor():
    logits = np.random.default_rng(3).standard_normal((4, 3))
    expected = None
    for targets in (np.array([0, 2, 1, 2]), [0, 2, 1, 2], mg.Tensor([0, 2, 1, 2])):
        x = mg.Tensor(logits, requires_grad=True)
        loss = F.cross_entropy(x, targets)
        loss.backward()
        if expected is None:
            expected = (loss.item(), x.grad.copy())
        assert loss.item() == expected[0]
        np.testing.assert_array_equal(x.grad, expected[1])
    # closed form: mean over rows of logsumexp(row) - row[target]
    lse = np.log(np.exp(logits).sum(axis=1))
    assert expected[0] == pytest.approx(np.mean(lse - logits[np.arange(4), [0, 2, 1, 2]]), rel=1e-12)
