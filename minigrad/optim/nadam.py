"""NAdam: Adam with Nesterov momentum (Dozat, 2016), in PyTorch's form.

The first term of the update is the bias-corrected current gradient, the
second the bias-corrected momentum looked ahead by one step.  PyTorch's
psi = 0.004 makes mu_t rise slowly from about beta1 / 2 towards beta1; Keras 3
uses 0.96^t.
"""

from __future__ import annotations

import numpy as np

from ._kernels import addcdiv_, ema_, ema_sq_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam.

    For one parameter p with gradient g at step t = 1, 2, ...; m, v start at 0
    and the product Pi_0 = 1::

        g    <- -g                                    (maximize=True: ascend)
        g    <- g + lambda * p                        (weight_decay = lambda: L2)
        p    <- p * (1 - eta * lambda)                (decoupled_weight_decay=True)
        mu_t =  beta1 * (1 - 0.5 * 0.96^(t * psi))    (momentum schedule, psi = momentum_decay)
        Pi_t =  Pi_{t-1} * mu_t
        m    <- beta1 * m + (1 - beta1) * g
        v    <- beta2 * v + (1 - beta2) * g^2
        d    =  sqrt(v / (1 - beta2^t)) + eps
        p    <- p - eta * (1 - mu_t) / (1 - Pi_t) * g / d
                  - eta * mu_{t+1} / (1 - Pi_t * mu_{t+1}) * m / d

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 2e-3, ``betas``
    (0.9, 0.999), ``eps`` 1e-8, ``weight_decay`` lambda = 0,
    ``momentum_decay`` psi = 4e-3, ``decoupled_weight_decay`` False.
    State: ``step`` t, ``mu_product`` Pi_t (a float), ``exp_avg`` m,
    ``exp_avg_sq`` v.
    """

    _work_arrays = 2

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _state_names(self, group):
        return super()._state_names(group) + ("mu_product",)

    def _init_state(self, state, data, group):
        super()._init_state(state, data, group)
        state["mu_product"] = 1.0

    def _update(self, p, g, state, group, work, d):
        (beta1, beta2), lr, psi = group["betas"], group["lr"], group["momentum_decay"]
        state["step"] += 1
        t = state["step"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        m = ema_(state["exp_avg"], g, beta1, work)
        v = ema_sq_(state["exp_avg_sq"], g, beta2, work)
        np.sqrt(np.divide(v, 1 - beta2**t, out=d), out=d)
        d += group["eps"]
        addcdiv_(p, g, d, -lr * (1.0 - mu) / (1.0 - mu_product), work)
        addcdiv_(p, m, d, -lr * mu_next / (1.0 - mu_product * mu_next), work)
