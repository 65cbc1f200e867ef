"""RMSProp (Hinton, Coursera lecture 6e, 2012), in PyTorch's form.

For one parameter p with gradient g; all buffers start at zero::

    g    <- g + lambda * p                          (weight_decay = lambda, if > 0)
    v    <- alpha * v + (1 - alpha) * g^2           (EWMA of squared gradients)
    gbar <- alpha * gbar + (1 - alpha) * g          (centered=True only)
    d    =  sqrt(v - gbar^2) + eps                  (centered=True)
    d    =  sqrt(v) + eps                           (centered=False)
    b    <- mu * b + g / d;  p <- p - eta * b       (momentum = mu > 0)
    p    <- p - eta * g / d                         (momentum = 0)

eps is added outside the square root and, unlike Keras, PyTorch's default
decay alpha is 0.99 (Keras's rho is 0.9).  Under a constant gradient
v_t = (1 - alpha^t) g^2: there is no bias correction, so the first steps are
larger than eta.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_nonnegative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSProp.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 1e-2).
    alpha: decay factor of the squared-gradient average, in [0, 1) (default 0.99).
    eps: added to the denominator (default 1e-8).
    weight_decay: L2 penalty lambda added to the gradient (default 0).
    momentum: momentum factor mu (default 0).
    centered: divide by an estimate of the gradient's variance instead of its
        second moment (default False).

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer``
    (momentum > 0) and ``grad_avg`` (centered).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("epsilon value", eps)
        _check_nonnegative("momentum value", momentum)
        _check_nonnegative("weight_decay value", weight_decay)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["square_avg"] = np.zeros_like(data)
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(data)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one RMSProp update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            alpha = group["alpha"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            for p, g, state in self._params_with_grad(group):
                decayed, work = self._scratch(p, 2)
                state["step"] += 1
                g = _apply_weight_decay(p, g, weight_decay, decayed)  # g <- g + lambda p

                # v <- alpha v + (1 - alpha) g^2
                square_avg = state["square_avg"]
                square_avg *= alpha
                square_avg += np.multiply(np.multiply(g, g, out=work), 1 - alpha, out=work)

                if centered:
                    # gbar <- alpha gbar + (1 - alpha) g;  d = sqrt(v - gbar^2)
                    grad_avg = state["grad_avg"]
                    grad_avg *= alpha
                    grad_avg += np.multiply(g, 1 - alpha, out=work)
                    np.multiply(grad_avg, grad_avg, out=work)
                    denom = np.sqrt(np.subtract(square_avg, work, out=work), out=work)
                else:
                    denom = np.sqrt(square_avg, out=work)
                denom += eps

                if momentum > 0:
                    # b <- mu b + g / d;  p <- p - eta b
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += np.divide(g, denom, out=work)
                    p -= np.multiply(buf, lr, out=work)
                else:
                    # p <- p - eta g / d
                    update = np.divide(g, denom, out=work)
                    update *= lr
                    p -= update
        return loss
