"""Adam (Kingma & Ba, 2015), AMSGrad (Reddi et al., 2018) and AdamW
(Loshchilov & Hutter, 2019), in PyTorch's form.

eps is added to the bias-corrected sqrt(v_hat), as in Algorithm 1 of the paper
(Keras adds its eps-hat to the uncorrected sqrt(v)).  AMSGrad takes the running
maximum of the raw v and bias-corrects afterwards.

On the first step m_hat = g and v_hat = g^2, so every coordinate moves by
-eta * g / (|g| + eps): about eta, whatever the gradient's scale.
"""

from __future__ import annotations

import numpy as np

from ._kernels import addcdiv_, ema_, ema_sq_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, optionally with AMSGrad or decoupled weight decay.

    For one parameter p with gradient g at step t = 1, 2, ...; m and v start at 0::

        g     <- -g                                 (maximize=True: ascend)
        g     <- g + lambda * p                     (weight_decay = lambda: L2)
        p     <- p * (1 - eta * lambda)             (decoupled_weight_decay=True, AdamW)
        m     <- beta1 * m + (1 - beta1) * g        (first moment)
        v     <- beta2 * v + (1 - beta2) * g^2      (second moment)
        vmax  <- max(vmax, v)                       (amsgrad=True; v below means vmax)
        p     <- p - eta / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    that is p <- p - eta * m_hat / (sqrt(v_hat) + eps) with the bias-corrected
    moments m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t).

    Arguments (PyTorch's names and defaults): keyword-only
    ``maximize`` False, ``lr`` eta = 1e-3, ``betas``
    (0.9, 0.999), each in [0, 1), ``eps`` 1e-8, ``weight_decay`` lambda = 0,
    ``amsgrad`` False, keyword-only ``decoupled_weight_decay`` False.
    State: ``step`` t, ``exp_avg`` m, ``exp_avg_sq`` v, ``max_exp_avg_sq``
    vmax (amsgrad only).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False,
                 decoupled_weight_decay=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())

    def _update(self, p, g, state, group, work):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        m = ema_(state["exp_avg"], g, beta1, work)
        v = ema_sq_(state["exp_avg_sq"], g, beta2, work)
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        denom = np.sqrt(v, out=work)
        denom /= (1 - beta2**t) ** 0.5
        denom += group["eps"]
        addcdiv_(p, m, denom, -group["lr"] / (1 - beta1**t), work)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay p <- p (1 - eta lambda).

    Same arguments as :class:`Adam`, but ``weight_decay`` defaults to 1e-2
    and is always decoupled from the gradient (it never enters m or v).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2, amsgrad=False, *, maximize=False) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
            decoupled_weight_decay=True
        )

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        # AdamW's decay is decoupled whatever the loaded groups say.
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
