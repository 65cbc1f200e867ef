"""Stochastic gradient descent, with optional momentum and Nesterov momentum.

The update for one parameter p with gradient g at step t (PyTorch's form)::

    g   <- g + lambda * p                      (weight_decay = lambda, if > 0)
    b_1 <- g                                   (momentum = mu > 0: first step, no dampening)
    b_t <- mu * b_{t-1} + (1 - d) * g          (later steps, dampening = d)
    g   <- g + mu * b_t                        (nesterov=True)
    g   <- b_t                                 (nesterov=False)
    p   <- p - eta * g                         (lr = eta)

With mu = 0 this is plain gradient descent p <- p - eta * g.  The buffer b
holds gradients, not steps: the learning rate multiplies it afresh every step,
so under a changing learning rate the whole history is rescaled by the current
eta (Keras stores v = -eta * b instead; the two agree only for a constant eta).

Nesterov momentum in this form is Sutskever et al. (2013) rewritten in the
variable p + mu * v: the gradient is taken at the current parameters and the
look-ahead is folded into the correction term g + mu * b.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_nonnegative

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum / Nesterov).

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 1e-3).
    momentum: momentum factor mu (default 0).
    dampening: dampening d of the momentum buffer (default 0).
    weight_decay: L2 penalty lambda added to the gradient (default 0).
    nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.

    State per parameter: ``momentum_buffer`` (only when ``momentum != 0``).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("momentum value", momentum)
        _check_nonnegative("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one SGD update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            weight_decay = group["weight_decay"]
            nesterov = group["nesterov"]
            for p, g, state in self._params_with_grad(group, with_state=momentum != 0):
                decayed, work = self._scratch(p, 2)
                g = _apply_weight_decay(p, g, weight_decay, decayed)  # g <- g + lambda p

                if momentum != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        # b_1 = g: the first step is not dampened
                        buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
                    else:
                        # b <- mu b + (1 - d) g
                        buf *= momentum
                        if dampening == 0:
                            buf += g
                        else:
                            buf += np.multiply(g, 1 - dampening, out=work)
                    if nesterov:
                        # g <- g + mu b
                        g = np.add(g, np.multiply(buf, momentum, out=work), out=work)
                    else:
                        g = buf

                # p <- p - eta g
                p -= np.multiply(g, lr, out=work)
        return loss
