"""AdaGrad (Duchi, Hazan & Singer, 2011), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...::

    g     <- g + lambda * p                          (weight_decay = lambda, if > 0)
    eta_t =  eta / (1 + (t - 1) * lr_decay)          (inverse-time learning-rate decay)
    G_t   =  G_{t-1} + g * g                          (accumulator, G_0 = initial_accumulator_value)
    p     <- p - eta_t * g / (sqrt(G_t) + eps)        (eps outside the square root)

All operations are per coordinate.  Under a constant gradient G_t = t g^2, so
the step eta g / (sqrt(t) |g| + eps) shrinks like 1 / sqrt(t).

Framework differences (see the book's reference sheet): Keras and optax start
the accumulator at 0.1 and Keras 3 / optax put eps inside the square root.

As in PyTorch, the state (step 0 and the accumulator) is created for every
parameter when the optimizer is constructed, and the accumulator starts at
the constructor's ``initial_accumulator_value`` even if a parameter group sets
its own value.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_nonnegative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """AdaGrad.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 1e-2).
    lr_decay: inverse-time decay of the learning rate per step (default 0).
    weight_decay: L2 penalty lambda added to the gradient (default 0).
    initial_accumulator_value: starting value G_0 of the accumulator (default 0).
    eps: added to sqrt(G) for numerical stability (default 1e-10).

    State per parameter: ``step`` (int) and ``sum`` (the accumulator G).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("lr_decay value", lr_decay)
        _check_nonnegative("weight_decay value", weight_decay)
        _check_nonnegative("initial_accumulator_value value", initial_accumulator_value)
        _check_nonnegative("epsilon value", eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p.data, group)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["sum"] = np.full_like(data, self.defaults["initial_accumulator_value"])

    def step(self, closure=None):
        """Perform one AdaGrad update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            lr_decay = group["lr_decay"]
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            for p, g, state in self._params_with_grad(group):
                decayed, work = self._scratch(p, 2)
                state["step"] += 1
                step = state["step"]
                g = _apply_weight_decay(p, g, weight_decay, decayed)  # g <- g + lambda p

                clr = lr / (1 + (step - 1) * lr_decay)

                # G <- G + g^2
                accumulator = state["sum"]
                accumulator += np.multiply(g, g, out=work)
                # p <- p - eta_t g / (sqrt(G) + eps)
                denom = np.sqrt(accumulator, out=work)
                denom += eps
                update = np.divide(g, denom, out=work)
                update *= clr
                p -= update
        return loss
