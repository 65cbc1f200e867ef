"""minigrad: reverse-mode automatic differentiation over NumPy arrays.

A small, readable engine whose public names follow PyTorch, so what you learn
here transfers: ``Tensor``, ``no_grad``, ``nn`` (modules, layers, losses) and
``optim`` (optimizers and learning-rate schedules).
"""
from .autograd import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck
from .random import manual_seed
from .tensor import Tensor

from . import nn, optim  # noqa: E402  (after Tensor: both build on it)

__all__ = [
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "gradcheck",
    "GradcheckError",
    "manual_seed",
    "nn",
    "optim",
]
__version__ = "0.1.0"
