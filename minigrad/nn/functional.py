"""Activations and losses, written to be numerically stable.

Softmax-type functions subtract the maximum before exponentiating, and the
logistic functions only ever exponentiate non-positive numbers, so logits of
+-1000 give finite values and gradients without NumPy warnings. The losses
are single fused operations with their closed-form gradients, e.g.
``d cross_entropy / d logits = (softmax(logits) - onehot(targets)) / N``.

Every tensor argument goes through :func:`minigrad.tensor.tensor_argument`:
a NumPy array, a list or a number is taken as a constant, anything else is a
TypeError naming the function and the argument.
"""
from __future__ import annotations

import numpy as np

from ..autograd import make_result
from ..tensor import (Tensor, _check_bool, _fmt_shape, _normalize_axes, _operand, _stable_sigmoid,
                      tensor_argument)

_REDUCTIONS = ("mean", "sum", "none")


def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return tensor_argument(x, "relu").relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return tensor_argument(x, "sigmoid").sigmoid()


def tanh(x: Tensor) -> Tensor:
    return tensor_argument(x, "tanh").tanh()


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one operation (PyTorch's weight layout: (out, in))."""
    x, weight = tensor_argument(x, "linear"), tensor_argument(weight, "linear", "weight")
    if bias is not None:
        bias = tensor_argument(bias, "linear", "bias")
    a, w = x.data, weight.data
    if w.ndim != 2:
        raise ValueError(f"linear: weight must have shape (out_features, in_features), got {_fmt_shape(w.shape)}")
    if a.ndim == 0:
        raise ValueError(f"linear: input must have at least one dimension (features last), got shape ()")
    if a.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input of shape {_fmt_shape(x.shape)} has {x.shape[-1]} features, "
            f"but the weight of shape {_fmt_shape(weight.shape)} expects {weight.shape[1]}"
        )
    if bias is not None and bias.shape != (w.shape[0],):
        raise ValueError(
            f"linear: bias must have shape ({w.shape[0]},) to match the weight of shape "
            f"{_fmt_shape(w.shape)}, got {_fmt_shape(bias.shape)}"
        )
    out = a @ w.T
    if bias is not None:
        out += bias.data  # out is a fresh array, so this is safe

    def backward(g):
        gx = g @ w if x.requires_grad else None
        if g.ndim != 2:  # fold every leading (batch) axis into one
            g, a2 = g.reshape(-1, g.shape[-1]), a.reshape(-1, a.shape[-1])
        else:
            a2 = a
        gw = g.T @ a2 if weight.requires_grad else None  # a constant weight costs no matmul
        # np.add.reduce is ndarray.sum without its Python-level wrapper (hot path)
        gb = np.add.reduce(g, axis=0) if bias is not None and bias.requires_grad else None
        return gx, gw, gb

    return make_result(Tensor, out, (x, weight, bias), backward, "linear")


def _max_keepdims(a, axes):
    # -inf is the maximum of an empty slice, so logsumexp of nothing is log 0 = -inf
    # (as in PyTorch) and softmax over an empty axis is empty, instead of NumPy's error
    initial = -np.inf if a.dtype.kind == "f" else None  # None: no start value, for integers
    return np.maximum.reduce(a, axis=axes, keepdims=True, initial=initial)


def _logsumexp_keepdims(a, axes):
    peak = _max_keepdims(a, axes)
    if not np.isfinite(peak).all():
        # a slice that is all -inf has logsumexp -inf (not nan); +inf stays +inf
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):
            return peak + np.log(np.exp(a - peak).sum(axis=axes, keepdims=True))
    return peak + np.log(np.exp(a - peak).sum(axis=axes, keepdims=True))


def logsumexp(x: Tensor, axis=None, keepdims=False) -> Tensor:
    """log(sum(exp(x))) over ``axis``, computed as m + log(sum(exp(x - m)))."""
    x = tensor_argument(x, "logsumexp")
    axes = _normalize_axes("logsumexp", axis, x.ndim)
    _check_bool("logsumexp", "keepdims", keepdims)
    a = x.data
    lse = _logsumexp_keepdims(a, axes)

    def backward(g):
        return (g.reshape(lse.shape) * np.exp(a - lse),)

    out = lse if keepdims else lse.squeeze(axis=axes)
    return make_result(Tensor, out, (x,), backward, "logsumexp")


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``."""
    x = tensor_argument(x, "log_softmax")
    axes = _normalize_axes("log_softmax", axis, x.ndim)
    a = x.data
    peak = _max_keepdims(a, axes)
    # shift by the maximum as softmax does, so a slice holding +inf or nan is nan
    # throughout (log_softmax stays log(softmax)); an all -inf slice is nan too
    shifted = a - peak
    # each sum is >= exp(0) = 1 except over an empty axis, where log 0 cannot matter
    # (the result is empty); hence no divide-by-zero warning
    with np.errstate(divide="ignore"):
        out = shifted - np.log(np.exp(shifted).sum(axis=axes, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=axes, keepdims=True),)

    return make_result(Tensor, out, (x,), backward, "log_softmax")


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the maximum for stability."""
    x = tensor_argument(x, "softmax")
    axes = _normalize_axes("softmax", axis, x.ndim)
    e = np.exp(x.data - _max_keepdims(x.data, axes))
    out = e / e.sum(axis=axes, keepdims=True)

    def backward(g):
        return (out * (g - (g * out).sum(axis=axes, keepdims=True)),)

    return make_result(Tensor, out, (x,), backward, "softmax")


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_loss_input(name, input, reduction):
    """The checks every loss makes first; returns ``input`` as a Tensor."""
    if not (isinstance(reduction, str) and reduction in _REDUCTIONS):
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    input = tensor_argument(input, name)
    if input.dtype.kind != "f":  # an integer loss would be silently truncated
        raise TypeError(f"{name}: input must be floating point, got dtype {input.dtype}")
    return input


def _check_not_empty_mean(name, reduction, count, shape):
    # PyTorch returns nan here and a plain sum would return 0: both look like a loss
    if reduction == "mean" and count == 0:
        raise ValueError(
            f"{name}: the mean over an empty batch (input shape {_fmt_shape(shape)}) "
            "is undefined; use reduction='sum' or 'none'"
        )


def cross_entropy(logits: Tensor, targets, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against class indices (N,).

    ``loss_i = logsumexp(logits_i) - logits_i[targets_i]``; its gradient with
    respect to the logits is ``softmax(logits_i) - onehot(targets_i)``.
    """
    logits = _check_loss_input("cross_entropy", logits, reduction)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {_fmt_shape(logits.shape)}")
    t = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    n, c = logits.shape
    if t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: targets must be integer class indices, got dtype {t.dtype}")
    if t.shape != (n,):
        raise ValueError(
            f"cross_entropy: targets must have shape ({n},) to match logits {_fmt_shape(logits.shape)}, "
            f"got {_fmt_shape(t.shape)}"
        )
    _check_not_empty_mean("cross_entropy", reduction, n, logits.shape)
    if n and (np.minimum.reduce(t) < 0 or np.maximum.reduce(t) >= c):
        bad = t[(t < 0) | (t >= c)][0]
        raise IndexError(f"cross_entropy: target {bad} is out of range for {c} classes")

    # ufunc reductions below are ndarray.max/sum without the Python wrapper (hot path)
    a = logits.data
    peak = np.maximum.reduce(a, axis=1, keepdims=True)
    if not np.isfinite(peak).all():  # -inf entries are fine (masking), as in PyTorch
        raise ValueError("cross_entropy: each row of logits needs a finite maximum (found nan, +inf or an all -inf row)")
    shifted = a - peak
    exp_shifted = np.exp(shifted)
    total = np.add.reduce(exp_shifted, axis=1, keepdims=True)
    rows = np.arange(n)
    losses = np.log(total[:, 0]) - shifted[rows, t]
    scale = {"mean": 1.0 / max(n, 1), "sum": 1.0, "none": None}[reduction]
    out = losses if reduction == "none" else np.asarray(np.add.reduce(losses) * scale, dtype=a.dtype)

    def backward(g):
        grad = exp_shifted / total  # softmax
        grad[rows, t] -= 1
        grad *= g[:, None] if reduction == "none" else g * scale
        return (grad,)

    return make_result(Tensor, out, (logits,), backward, "cross_entropy")


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean (or summed) squared error; shapes must match exactly."""
    input = _check_loss_input("mse_loss", input, reduction)
    other, b = _operand(target, "mse_loss", "target")
    if np.shape(b) != input.shape:
        raise ValueError(
            f"mse_loss: input shape {_fmt_shape(input.shape)} and target shape "
            f"{_fmt_shape(np.shape(b))} differ"
        )
    _check_not_empty_mean("mse_loss", reduction, input.size, input.shape)
    diff = input - (other if other is not None else Tensor._wrap(np.asarray(b, dtype=input.dtype)))
    return _reduce(diff * diff, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """-[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], from logits ``x``.

    Uses ``max(x, 0) - x t + log(1 + exp(-|x|))``, which never overflows;
    its gradient with respect to ``x`` is ``sigmoid(x) - t`` and, for a target
    that requires grad (soft labels being learned), ``-x``. The first two
    terms are written as ``(1 - t) x`` for x >= 0 and ``-t x`` for x < 0, so an
    infinite logit gives an infinite loss, not inf - inf = nan.
    """
    input = _check_loss_input("binary_cross_entropy_with_logits", input, reduction)
    target, t = _operand(target, "binary_cross_entropy_with_logits", "target")
    t = np.asarray(t, dtype=input.dtype)
    if t.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: input shape {_fmt_shape(input.shape)} and "
            f"target shape {_fmt_shape(t.shape)} differ"
        )
    _check_not_empty_mean("binary_cross_entropy_with_logits", reduction, input.size, input.shape)
    x = input.data
    losses = np.where(x >= 0, (1 - t) * x, -t * x) + np.log1p(np.exp(-np.abs(x)))
    count = max(x.size, 1)
    scale = {"mean": 1.0 / count, "sum": 1.0, "none": None}[reduction]
    out = losses if reduction == "none" else np.asarray(losses.sum() * scale, dtype=input.dtype)

    def backward(g):
        g = g if reduction == "none" else g * scale
        gt = -x * g if target is not None and target.requires_grad else None
        return (_stable_sigmoid(x) - t) * g, gt

    return make_result(Tensor, out, (input, target), backward, "binary_cross_entropy_with_logits")
