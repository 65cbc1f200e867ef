"""Gradient clipping, as ``torch.nn.utils``: rescale or clamp ``.grad`` in place after
``backward()`` and before ``optimizer.step()``.

``clip_grad_norm_`` treats all gradients as one vector g and, when its norm ‖g‖_p is
larger than ``max_norm``, scales every gradient by max_norm / (‖g‖_p + 1e-6)::

    g ← g · min(1, max_norm / (‖g‖_p + 1e-6))

The direction of the step is kept; only its length is capped. ``clip_grad_value_``
clamps every coordinate to [−clip_value, clip_value], which changes the direction.

Stricter than PyTorch: a negative or nan ``max_norm``/``clip_value`` (which PyTorch
accepts and turns into flipped or clamped-to-one-value gradients) raises ValueError.
``foreach`` is accepted for PyTorch compatibility and has no effect (NumPy has no
multi-tensor kernels).
"""
from __future__ import annotations

import math
import types
import warnings

import numpy as np

from ..tensor import Tensor

__all__ = ["get_total_norm", "clip_grads_with_norm_", "clip_grad_norm_", "clip_grad_value_"]


def _tensors(parameters, name: str) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    if isinstance(parameters, np.ndarray) or not hasattr(parameters, "__iter__"):
        raise TypeError(f"{name} must be a Tensor or an iterable of Tensors, "
                        f"but got {type(parameters).__name__}")
    generator = isinstance(parameters, types.GeneratorType)
    items = list(parameters)
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}[{i}] must be a Tensor, but got {type(p).__name__}")
    if generator and not items:
        warnings.warn(f"`{name}` is an empty generator, no gradient clipping will occur.",
                      stacklevel=3)
    return items


def _nonnegative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, but got {type(value).__name__}")
    value = float(value)
    if not value >= 0:  # also catches nan
        raise ValueError(f"{name} must be >= 0, but got {value}")
    return value


def _norm_order(norm_type) -> float:
    try:
        order = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"norm_type must be a number or 'inf', but got {norm_type!r}") from None
    if math.isnan(order):
        raise ValueError(f"norm_type must be a number or 'inf', but got {norm_type!r}")
    return order


def _vector_norm(x: np.ndarray, order: float) -> np.ndarray:
    """‖x‖_order of all the entries of ``x`` (inf: max |x|, -inf: min |x|, 0: count of non-zeros)."""
    return np.asarray(np.linalg.norm(x.ravel(), ord=order), dtype=x.dtype)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The p-norm of the norms of ``tensors`` (= the norm of all their entries as one vector)."""
    arrays = [t.data if isinstance(t, Tensor) else np.asarray(t) for t in
              ([tensors] if isinstance(tensors, (Tensor, np.ndarray)) else list(tensors))]
    order = _norm_order(norm_type)
    if not arrays:
        return Tensor(0.0)
    norms = np.stack([_vector_norm(a, order) for a in arrays])
    total = _vector_norm(norms, order)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {order} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale "
                           "the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return Tensor(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None) -> None:
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), in place."""
    params = _tensors(parameters, "parameters")
    max_norm = _nonnegative("max_norm", max_norm)
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = np.minimum(max_norm / (total + 1e-6), 1.0)
    # a non-finite norm scales by 0 and turns inf entries into nan, as PyTorch does
    # (the caller asked for that with error_if_nonfinite=False); no NumPy warning
    with np.errstate(invalid="ignore"):
        for p in params:
            if p.grad is not None:
                p.grad *= coef.astype(p.grad.dtype)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d Tensor), as PyTorch does: log it to see
    how often clipping acts. A parameter without a gradient is skipped.
    """
    params = _tensors(parameters, "parameters")
    max_norm = _nonnegative("max_norm", max_norm)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Clamp every gradient coordinate to [−clip_value, clip_value], in place."""
    params = _tensors(parameters, "parameters")
    clip_value = _nonnegative("clip_value", clip_value)
    for p in params:
        if p.grad is not None:
            np.clip(p.grad, -clip_value, clip_value, out=p.grad)
