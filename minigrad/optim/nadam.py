"""NAdam: Adam with Nesterov momentum (Dozat, 2016), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...; m, v start at 0 and
the product Pi_0 = 1::

    g       <- g + lambda * p                          (weight_decay = lambda: L2)
    p       <- p * (1 - eta * lambda)                  (decoupled_weight_decay=True)
    mu_t    =  beta1 * (1 - 0.5 * 0.96^(t * psi))      (momentum schedule, psi = momentum_decay)
    Pi_t    =  Pi_{t-1} * mu_t
    m       <- beta1 * m + (1 - beta1) * g
    v       <- beta2 * v + (1 - beta2) * g^2
    d       =  sqrt(v / (1 - beta2^t)) + eps
    p       <- p - eta * (1 - mu_t) / (1 - Pi_t) * g / d
                 - eta * mu_{t+1} / (1 - Pi_t * mu_{t+1}) * m / d

The first term is the bias-corrected current gradient, the second the
bias-corrected momentum looked ahead by one step.  PyTorch's psi = 0.004 makes
mu_t rise slowly from about beta1 / 2 towards beta1; Keras 3 uses 0.96^t.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_betas, _check_nonnegative

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 2e-3).
    betas: (beta1, beta2), each in [0, 1) (default (0.9, 0.999)).
    eps: added to the denominator (default 1e-8).
    weight_decay: weight decay lambda (default 0), L2 unless decoupled.
    momentum_decay: psi in the momentum schedule (default 4e-3).
    decoupled_weight_decay: apply weight decay as p <- p (1 - eta lambda)
        (default False).

    State per parameter: ``step``, ``mu_product`` (Pi_t, a float),
    ``exp_avg`` (m) and ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("epsilon value", eps)
        betas = _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        _check_nonnegative("momentum_decay value", momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["mu_product"] = 1.0
        state["exp_avg"] = np.zeros_like(data)
        state["exp_avg_sq"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one NAdam update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            for p, g, state in self._params_with_grad(group):
                decayed, work, denom = self._scratch(p, 3)
                state["step"] += 1
                step = state["step"]
                bias_correction2 = 1 - beta2**step

                # L2: g <- g + lambda p;  decoupled (AdamW): p <- p (1 - eta lambda)
                g = _apply_weight_decay(p, g, weight_decay, decayed, lr, decoupled)

                # momentum schedule mu_t, mu_{t+1} and the product Pi_t
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                state["mu_product"] *= mu
                mu_product = state["mu_product"]
                mu_product_next = mu_product * mu_next

                # m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
                exp_avg = state["exp_avg"]
                exp_avg *= beta1
                exp_avg += np.multiply(g, 1 - beta1, out=work)
                exp_avg_sq = state["exp_avg_sq"]
                exp_avg_sq *= beta2
                exp_avg_sq += np.multiply(np.multiply(g, g, out=work), 1 - beta2, out=work)

                # d = sqrt(v / (1 - beta2^t)) + eps
                np.divide(exp_avg_sq, bias_correction2, out=denom)
                np.sqrt(denom, out=denom)
                denom += eps

                # the gradient term, then the look-ahead momentum term
                update = np.divide(g, denom, out=work)
                update *= lr * (1.0 - mu) / (1.0 - mu_product)
                p -= update
                update = np.divide(exp_avg, denom, out=work)
                update *= lr * mu_next / (1.0 - mu_product_next)
                p -= update
        return loss
