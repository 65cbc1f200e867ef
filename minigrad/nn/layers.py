"""Layers: ``Linear``, ``Sequential`` and activation modules."""
from __future__ import annotations

import math

import numpy as np

from .. import random
from ..tensor import _check_bool, _short_repr
from . import functional as F
from .module import Module, Parameter


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features), as in PyTorch.

    Initialisation also follows PyTorch: every weight and bias entry is drawn
    from U(-1/sqrt(in_features), 1/sqrt(in_features)) (what PyTorch's
    ``kaiming_uniform_(a=sqrt(5))`` reduces to), using the generator seeded
    by :func:`minigrad.manual_seed`.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"Linear: {name} must be a positive integer, got {_short_repr(value)}")
            if value <= 0:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        _check_bool("Linear", "bias", bias)
        try:
            dtype = np.dtype(np.float64 if dtype is None else dtype)
        except TypeError:
            raise TypeError(f"Linear: dtype must be a NumPy dtype, got {_short_repr(dtype)}") from None
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be floating point, got {dtype}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1.0 / math.sqrt(in_features)
        rng = random.generator()
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(dtype)) if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Apply modules one after another: ``Sequential(a, b)(x) == b(a(x))``."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        modules = list(self._modules.values())
        try:
            return modules[i]
        except IndexError:
            raise IndexError(f"Sequential: index {i} is out of range for {len(modules)} modules") from None

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)
