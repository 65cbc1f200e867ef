"""Adadelta (Zeiler, 2012), in PyTorch's form.

The ratio of two root-mean-squares gives the step the units of the parameter,
so the paper's rule has no learning rate (eta = 1, PyTorch's default).  On the
first step E_x = 0 and the step is about sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g,
tiny for eps = 1e-6: Adadelta starts slowly and builds up its step size.
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_, ema_sq_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta.

    For one parameter p with gradient g; both averages start at zero::

        g   <- -g                                      (maximize=True: ascend)
        g   <- g + lambda * p                          (weight_decay = lambda, if > 0)
        E_g <- rho * E_g + (1 - rho) * g^2             (EWMA of squared gradients)
        D   =  sqrt(E_x + eps) / sqrt(E_g + eps) * g   (the step, in units of p)
        E_x <- rho * E_x + (1 - rho) * D^2             (EWMA of squared steps)
        p   <- p - eta * D

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 1.0, ``rho`` 0.9
    in [0, 1), ``eps`` 1e-6 (inside both roots), ``weight_decay`` lambda = 0
    (L2).  State: ``step``, ``square_avg`` E_g, ``acc_delta`` E_x.
    """

    _work_arrays = 2

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("square_avg", "acc_delta")

    def _update(self, p, g, state, group, work, D):
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        E_g = ema_sq_(state["square_avg"], g, rho, work)
        E_x = state["acc_delta"]
        rms_g = np.sqrt(np.add(E_g, eps, out=work), out=work)
        np.sqrt(np.add(E_x, eps, out=D), out=D)
        D /= rms_g
        D *= g
        ema_sq_(E_x, D, rho, work)
        add_(p, D, -group["lr"], work)
