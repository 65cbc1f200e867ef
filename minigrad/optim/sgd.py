"""Stochastic gradient descent, with optional momentum and Nesterov momentum.

The buffer b holds gradients, not steps: the learning rate multiplies it
afresh every step, so under a changing learning rate the whole history is
rescaled by the current eta (Keras stores v = -eta * b instead; the two agree
only for a constant eta).

Nesterov momentum in this form is Sutskever et al. (2013) rewritten in the
variable p + mu * v: the gradient is taken at the current parameters and the
look-ahead is folded into the correction term g + mu * b.
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum / Nesterov).

    For one parameter p with gradient g at step t (PyTorch's form)::

        g   <- -g                               (maximize=True: ascend)
        g   <- g + lambda * p                   (weight_decay = lambda, if > 0)
        b_1 <- g                                (momentum = mu > 0: first step, no dampening)
        b_t <- mu * b_{t-1} + (1 - d) * g       (later steps, dampening = d)
        g   <- g + mu * b_t                     (nesterov=True)
        g   <- b_t                              (nesterov=False)
        p   <- p - eta * g                      (lr = eta)

    With mu = 0 this is plain gradient descent p <- p - eta * g.

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 1e-3, ``momentum``
    mu = 0, ``dampening`` d = 0, ``weight_decay`` lambda = 0 (L2), ``nesterov``
    False (needs mu > 0 and d = 0).  State: ``momentum_buffer`` b (mu != 0 only).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _check_group(self, group):
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _has_state(self, group):
        return group["momentum"] != 0

    def _init_state(self, state, data, group):
        pass  # as in PyTorch: no step counter; the buffer appears on the first step

    def _state_names(self, group):
        return ("momentum_buffer",)

    def _update(self, p, g, state, group, work):
        mu = group["momentum"]
        if mu != 0:
            b = state.get("momentum_buffer")
            if b is None:  # b_1 = g: the first step is not dampened
                b = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
            else:
                b *= mu
                add_(b, g, 1 - group["dampening"], work)
            if group["nesterov"]:
                g = np.add(g, np.multiply(b, mu, out=work), out=work)
            else:
                g = b
        add_(p, g, -group["lr"], work)
