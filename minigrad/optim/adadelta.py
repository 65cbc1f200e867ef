"""Adadelta (Zeiler, 2012), in PyTorch's form.

For one parameter p with gradient g; both averages start at zero::

    g   <- g + lambda * p                                (weight_decay = lambda, if > 0)
    E_g <- rho * E_g + (1 - rho) * g^2                   (EWMA of squared gradients)
    D   =  sqrt(E_x + eps) / sqrt(E_g + eps) * g         (the step, in units of p)
    E_x <- rho * E_x + (1 - rho) * D^2                   (EWMA of squared steps)
    p   <- p - eta * D

The ratio of two root-mean-squares gives the step the units of the parameter,
so the paper's rule has no learning rate (eta = 1, PyTorch's default).  On the
first step E_x = 0 and the step is about sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g,
tiny for eps = 1e-6: Adadelta starts slowly and builds up its step size.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_nonnegative

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: factor eta applied to the step D (default 1.0).
    rho: decay factor of both averages, in [0, 1) (default 0.9).
    eps: added inside both square roots (default 1e-6).
    weight_decay: L2 penalty lambda added to the gradient (default 0).

    State per parameter: ``step``, ``square_avg`` (E_g) and ``acc_delta`` (E_x).
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative("epsilon value", eps)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["square_avg"] = np.zeros_like(data)
        state["acc_delta"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one Adadelta update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            rho = group["rho"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            for p, g, state in self._params_with_grad(group):
                decayed, work, delta = self._scratch(p, 3)
                state["step"] += 1
                g = _apply_weight_decay(p, g, weight_decay, decayed)  # g <- g + lambda p

                # E_g <- rho E_g + (1 - rho) g^2
                square_avg = state["square_avg"]
                square_avg *= rho
                square_avg += np.multiply(np.multiply(g, g, out=work), 1 - rho, out=work)

                # D = sqrt(E_x + eps) / sqrt(E_g + eps) * g
                acc_delta = state["acc_delta"]
                std = np.sqrt(np.add(square_avg, eps, out=work), out=work)
                np.sqrt(np.add(acc_delta, eps, out=delta), out=delta)
                delta /= std
                delta *= g

                # E_x <- rho E_x + (1 - rho) D^2
                acc_delta *= rho
                acc_delta += np.multiply(np.multiply(delta, delta, out=work), 1 - rho, out=work)

                # p <- p - eta D
                p -= np.multiply(delta, lr, out=work)
        return loss
