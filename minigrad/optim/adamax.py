"""Adamax (Kingma & Ba, 2015, section 7.1), in PyTorch's form.

Adam's second moment is replaced by a decayed running maximum of |g|, which
needs no bias correction.  PyTorch (and optax) add eps to |g| inside the max;
Keras adds it to u in the denominator.
"""

from __future__ import annotations

import numpy as np

from ._kernels import addcdiv_, ema_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax.

    For one parameter p with gradient g at step t = 1, 2, ...; m and u start at 0::

        g <- -g                             (maximize=True: ascend)
        g <- g + lambda * p                 (weight_decay = lambda, if > 0)
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)      (exponentially weighted infinity norm)
        p <- p - eta / (1 - beta1^t) * m / u

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 2e-3, ``betas``
    (0.9, 0.999), ``eps`` 1e-8, ``weight_decay`` lambda = 0 (L2).
    State: ``step`` t, ``exp_avg`` m, ``exp_inf`` u.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("exp_avg", "exp_inf")

    def _update(self, p, g, state, group, work):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        m = ema_(state["exp_avg"], g, beta1, work)
        u = state["exp_inf"]
        u *= beta2
        np.maximum(u, np.add(np.abs(g, out=work), group["eps"], out=work), out=u)
        addcdiv_(p, m, u, -group["lr"] / (1 - beta1 ** state["step"]), work)
