"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2020), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...; m and v start at 0::

    g      <- -g                                      (maximize=True: ascend)
    g      <- g + lambda * p                          (weight_decay = lambda: L2)
    p      <- p * (1 - eta * lambda)                  (decoupled_weight_decay=True)
    m      <- beta1 * m + (1 - beta1) * g
    v      <- beta2 * v + (1 - beta2) * g^2
    m_hat  =  m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1                     (length of the simple moving average
    rho_t  =  rho_inf - 2 t beta2^t / (1 - beta2^t)    that v approximates, at t = infinity / t)
    if rho_t > 5:
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p  <- p - eta * m_hat * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)
    else:
        p  <- p - eta * m_hat                         (momentum SGD: v is too young to trust)

While rho_t <= 5 the variance of the adaptive rate 1/sqrt(v_hat) is not finite (or not
well estimated), so no adaptive rate is used; for beta2 = 0.999 that is the first 5 steps.
r_t rises from 0.026 (step 6) towards 1 and acts as a built-in warm-up. Note that eps is
added to the *uncorrected* sqrt(v), unlike minigrad's and PyTorch's Adam.
"""

from __future__ import annotations

import math

import numpy as np

from ._kernels import addcdiv_, add_, ema_, ema_sq_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["RAdam", "rectification"]

#: RAdam uses the adaptive rate only once the approximated SMA length exceeds this.
RHO_THRESHOLD = 5.0


def rectification(step: int, beta2: float) -> tuple[float, float | None]:
    """Return ``(rho_t, r_t)`` of RAdam at step ``step``; ``r_t`` is None while
    ``rho_t <= 5`` (then RAdam takes an un-adapted momentum step)."""
    bias_correction2 = 1 - beta2**step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t <= RHO_THRESHOLD:
        return rho_t, None
    r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return rho_t, r_t


class RAdam(Optimizer):
    """RAdam, the update in the module docstring.

    Arguments (PyTorch's names and defaults): ``lr`` eta = 1e-3, ``betas``
    (0.9, 0.999), ``eps`` 1e-8 (on the uncorrected sqrt(v)), ``weight_decay``
    lambda = 0, ``decoupled_weight_decay`` False, keyword-only ``maximize``
    False.  State: ``step`` t, ``exp_avg`` m, ``exp_avg_sq`` v.
    """

    _work_arrays = 2

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _update(self, p, g, state, group, work, denom):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        m = ema_(state["exp_avg"], g, beta1, work)
        v = ema_sq_(state["exp_avg_sq"], g, beta2, work)
        m_hat = np.divide(m, 1 - beta1**t, out=work)
        _, r_t = rectification(t, beta2)
        if r_t is None:  # v too young to trust: a momentum step
            add_(p, m_hat, -group["lr"], denom)
        else:
            np.sqrt(v, out=denom)
            denom += group["eps"]
            addcdiv_(p, m_hat, denom, -group["lr"] * r_t * (1 - beta2**t) ** 0.5, denom)
