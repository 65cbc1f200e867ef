"""Adamax (Kingma & Ba, 2015, section 7.1), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...; m and u start at 0::

    g <- g + lambda * p                          (weight_decay = lambda, if > 0)
    m <- beta1 * m + (1 - beta1) * g
    u <- max(beta2 * u, |g| + eps)               (exponentially weighted infinity norm)
    p <- p - eta / (1 - beta1^t) * m / u

Adam's second moment is replaced by a decayed running maximum of |g|, which
needs no bias correction.  PyTorch (and optax) add eps to |g| inside the max;
Keras adds it to u in the denominator.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_betas, _check_nonnegative

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 2e-3).
    betas: (beta1, beta2), each in [0, 1) (default (0.9, 0.999)).
    eps: added to |g| (default 1e-8).
    weight_decay: L2 penalty lambda added to the gradient (default 0).

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("epsilon value", eps)
        betas = _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(data)
        state["exp_inf"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one Adamax update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            for p, g, state in self._params_with_grad(group):
                decayed, work = self._scratch(p, 2)
                state["step"] += 1
                step = state["step"]
                g = _apply_weight_decay(p, g, weight_decay, decayed)  # g <- g + lambda p

                # m <- beta1 m + (1 - beta1) g
                exp_avg = state["exp_avg"]
                exp_avg *= beta1
                exp_avg += np.multiply(g, 1 - beta1, out=work)
                # u <- max(beta2 u, |g| + eps)
                exp_inf = state["exp_inf"]
                exp_inf *= beta2
                np.abs(g, out=work)
                work += eps
                np.maximum(exp_inf, work, out=exp_inf)

                # p <- p - eta / (1 - beta1^t) m / u
                clr = lr / (1 - beta1**step)
                update = np.divide(exp_avg, exp_inf, out=work)
                update *= clr
                p -= update
        return loss
