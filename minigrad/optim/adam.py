"""Adam (Kingma & Ba, 2015), AMSGrad (Reddi et al., 2018) and AdamW
(Loshchilov & Hutter, 2019), in PyTorch's form.

For one parameter p with gradient g at step t = 1, 2, ...; m and v start at 0::

    g     <- g + lambda * p                          (Adam, weight_decay = lambda: L2)
    p     <- p * (1 - eta * lambda)                  (AdamW: decoupled weight decay)
    m     <- beta1 * m + (1 - beta1) * g             (first moment)
    v     <- beta2 * v + (1 - beta2) * g^2           (second moment)
    vmax  <- max(vmax, v)                            (amsgrad=True; v below means vmax)
    m_hat =  m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     (bias correction)
    p     <- p - eta * m_hat / (sqrt(v_hat) + eps)

computed as p <- p - (eta / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
eps is added to the bias-corrected sqrt(v_hat), as in Algorithm 1 of the paper
(Keras adds its eps-hat to the uncorrected sqrt(v)).  AMSGrad takes the running
maximum of the raw v and bias-corrects afterwards.

On the first step m_hat = g and v_hat = g^2, so every coordinate moves by
-eta * g / (|g| + eps): about eta, whatever the gradient's scale.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _apply_weight_decay, _check_betas, _check_nonnegative

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, optionally with AMSGrad.

    Parameters
    ----------
    params: iterable of Tensors or of parameter-group dicts.
    lr: learning rate eta (default 1e-3).
    betas: decay factors (beta1, beta2) of the two moments, each in [0, 1)
        (default (0.9, 0.999)).
    eps: added to the denominator (default 1e-8).
    weight_decay: weight decay lambda (default 0); an L2 penalty added to the
        gradient unless ``decoupled_weight_decay`` is true.
    amsgrad: use the running maximum of v (default False).
    decoupled_weight_decay: apply weight decay as p <- p (1 - eta lambda), as
        AdamW does (keyword only, default False).

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and
    ``max_exp_avg_sq`` (vmax, amsgrad only).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
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
            "amsgrad": amsgrad,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, state, data, group):
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(data)
        state["exp_avg_sq"] = np.zeros_like(data)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(data)

    def step(self, closure=None):
        """Perform one Adam update; returns the closure's loss if one is given."""
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            amsgrad = group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            for p, g, state in self._params_with_grad(group):
                decayed, work = self._scratch(p, 2)
                state["step"] += 1
                step = state["step"]

                # L2: g <- g + lambda p;  decoupled (AdamW): p <- p (1 - eta lambda)
                g = _apply_weight_decay(p, g, weight_decay, decayed, lr, decoupled)

                # m <- beta1 m + (1 - beta1) g
                exp_avg = state["exp_avg"]
                exp_avg *= beta1
                exp_avg += np.multiply(g, 1 - beta1, out=work)
                # v <- beta2 v + (1 - beta2) g^2
                exp_avg_sq = state["exp_avg_sq"]
                exp_avg_sq *= beta2
                exp_avg_sq += np.multiply(np.multiply(g, g, out=work), 1 - beta2, out=work)

                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5

                if amsgrad:
                    second = np.maximum(state["max_exp_avg_sq"], exp_avg_sq,
                                        out=state["max_exp_avg_sq"])
                else:
                    second = exp_avg_sq
                # d = sqrt(v) / sqrt(1 - beta2^t) + eps
                denom = np.sqrt(second, out=work)
                denom /= bias_correction2_sqrt
                denom += eps
                # p <- p - (eta / (1 - beta1^t)) m / d
                update = np.divide(exp_avg, denom, out=work)
                update *= step_size
                p -= update
        return loss


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay p <- p (1 - eta lambda).

    Same parameters as :class:`Adam`, but ``weight_decay`` defaults to 1e-2
    and is always decoupled from the gradient (it never enters m or v).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True
        )

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        # AdamW's decay is decoupled whatever the loaded groups say.
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
