"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2020), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...; m and v start at 0::

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

from .optimizer import Optimizer, _apply_weight_decay, _check_betas, _check_nonnegative

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
    """RAdam.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 1e-3).
    betas: (beta1, beta2), each in [0, 1) (default (0.9, 0.999)).
    eps: added to the uncorrected sqrt(v) (default 1e-8).
    weight_decay: weight decay lambda (default 0), L2 unless decoupled.
    decoupled_weight_decay: apply weight decay as p <- p (1 - eta lambda), as
        AdamW does (default False).

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_nonnegative("learning rate", lr)
        _check_nonnegative("epsilon value", eps)
        betas = _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(data)
        state["exp_avg_sq"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one RAdam update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            for p, g, state in self._params_with_grad(group):
                decayed, work, denom = self._scratch(p, 3)
                state["step"] += 1
                step = state["step"]

                # L2: g <- g + lambda p;  decoupled (AdamW): p <- p (1 - eta lambda)
                g = _apply_weight_decay(p, g, weight_decay, decayed, lr, decoupled)

                # m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
                exp_avg = state["exp_avg"]
                exp_avg *= beta1
                exp_avg += np.multiply(g, 1 - beta1, out=work)
                exp_avg_sq = state["exp_avg_sq"]
                exp_avg_sq *= beta2
                exp_avg_sq += np.multiply(np.multiply(g, g, out=work), 1 - beta2, out=work)

                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                _, rect = rectification(step, beta2)

                # m_hat = m / (1 - beta1^t)
                update = np.divide(exp_avg, bias_correction1, out=work)
                if rect is not None:
                    # adaptive rate sqrt(1 - beta2^t) / (sqrt(v) + eps), rectified by r_t
                    np.sqrt(exp_avg_sq, out=denom)
                    denom += eps
                    update /= denom
                    update *= lr * rect * bias_correction2**0.5
                else:
                    update *= lr
                p -= update
        return loss
