"""RMSProp (Hinton, Coursera lecture 6e, 2012), in PyTorch's form.

eps is added outside the square root and, unlike Keras, PyTorch's default
decay alpha is 0.99 (Keras's rho is 0.9).  Under a constant gradient
v_t = (1 - alpha^t) g^2: there is no bias correction, so the first steps are
larger than eta.
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_, addcdiv_, ema_, ema_sq_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["RMSprop"]


def _variance(v, gbar, work):
    """v - gbar^2 into ``work``, +inf (not inf - inf = nan) where v is +inf.

    torch's fused multiply-add never rounds gbar^2 to inf, so where v has
    overflowed it gets inf - (a finite number) = inf, and the step 0.  Taking
    the smaller of v - gbar^2 and v does the same: elsewhere v - gbar^2 <= v,
    and a nan v stays nan.
    """
    np.subtract(v, np.multiply(gbar, gbar, out=work), out=work)
    return np.fmin(work, v, out=work)


class RMSprop(Optimizer):
    """RMSProp, optionally centered and with momentum.

    For one parameter p with gradient g; all buffers start at zero::

        g    <- -g                              (maximize=True: ascend)
        g    <- g + lambda * p                  (weight_decay = lambda, if > 0)
        v    <- alpha * v + (1 - alpha) * g^2   (EWMA of squared gradients)
        gbar <- alpha * gbar + (1 - alpha) * g  (centered=True only)
        d    =  sqrt(v - gbar^2) + eps          (centered=True)
        d    =  sqrt(v) + eps                   (centered=False)
        b    <- mu * b + g / d;  p <- p - eta * b   (momentum = mu > 0)
        p    <- p - eta * g / d                 (momentum = 0)

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 1e-2, ``alpha``
    0.99 in [0, 1), ``eps`` 1e-8, ``weight_decay`` lambda = 0 (L2),
    ``momentum`` mu = 0, ``centered`` False.  State: ``step``, ``square_avg``
    v, ``grad_avg`` gbar (centered), ``momentum_buffer`` b (momentum > 0).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
                 momentum=0, centered=False, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _update(self, p, g, state, group, work):
        alpha, mu, lr = group["alpha"], group["momentum"], group["lr"]
        state["step"] += 1
        v = ema_sq_(state["square_avg"], g, alpha, work)
        if group["centered"]:
            gbar = ema_(state["grad_avg"], g, alpha, work)
            d = np.sqrt(_variance(v, gbar, work), out=work)
        else:
            d = np.sqrt(v, out=work)
        d += group["eps"]
        if mu > 0:
            b = state["momentum_buffer"]
            b *= mu
            addcdiv_(b, g, d, 1, work)
            add_(p, b, -lr, work)
        else:
            addcdiv_(p, g, d, -lr, work)
