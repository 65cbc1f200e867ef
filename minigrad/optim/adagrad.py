"""AdaGrad (Duchi, Hazan & Singer, 2011), in PyTorch's form.

Framework differences (see the book's reference sheet): Keras and optax start
the accumulator at 0.1 and Keras 3 / optax put eps inside the square root.

As in PyTorch, the state (step 0 and the accumulator) is created for every
parameter when the optimizer is constructed, and the accumulator starts at
the constructor's ``initial_accumulator_value`` even if a parameter group sets
its own value.
"""

from __future__ import annotations

import numpy as np

from ._kernels import addcdiv_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """AdaGrad.

    For one parameter p with gradient g at step t = 1, 2, ..., per coordinate::

        g     <- -g                                (maximize=True: ascend)
        g     <- g + lambda * p                    (weight_decay = lambda, if > 0)
        eta_t =  eta / (1 + (t - 1) * lr_decay)    (inverse-time learning-rate decay)
        G_t   =  G_{t-1} + g * g                   (G_0 = initial_accumulator_value)
        p     <- p - eta_t * g / (sqrt(G_t) + eps) (eps outside the square root)

    Under a constant gradient G_t = t g^2, so the step
    eta g / (sqrt(t) |g| + eps) shrinks like 1 / sqrt(t).

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 1e-2, ``lr_decay`` 0,
    ``weight_decay`` lambda = 0 (L2), ``initial_accumulator_value`` G_0 = 0,
    ``eps`` 1e-10.  State: ``step`` t and ``sum`` (the accumulator G).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p.data, group)

    def _state_names(self, group):
        return ("step", "sum")

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["sum"] = np.full_like(data, self.defaults["initial_accumulator_value"])

    def _update(self, p, g, state, group, work):
        state["step"] += 1
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        G = state["sum"]
        G += np.multiply(g, g, out=work)
        std = np.sqrt(G, out=work)
        std += group["eps"]
        addcdiv_(p, g, std, -lr_t, work)
