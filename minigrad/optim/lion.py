"""Lion, "EvoLved Sign Momentum" (Chen et al., 2023), as in the authors' reference code.

Lion keeps one buffer, the momentum m, and steps by the *sign* of an
interpolation between m and the new gradient, so every coordinate moves by
exactly eta (or 0): the update's RMS is 1, where Adam's is below 1 and often
much below.  That is why the authors take Lion's learning rate 3-10x smaller
than AdamW's, and its decoupled weight decay 3-10x larger (the decay per step
is eta * lambda).

The interpolation uses beta1, the stored momentum beta2 (0.99 by default, a
longer memory than the 0.9 that shapes the step).  Weight decay is decoupled,
p <- p (1 - eta lambda), as in the authors' ``lion_pytorch.py`` (google/automl).
Defaults are the authors' (lr 1e-4, betas (0.9, 0.99), weight_decay 0);
optax's ``optax.lion`` has the same betas but ``weight_decay=1e-3`` (applied
as eta (sign(c) + lambda p), the same decoupled form), and Keras 3's
``keras.optimizers.Lion`` has ``learning_rate=1e-3``.
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_, ema_
from .optimizer import Optimizer, _hyperparameters

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion.

    For one parameter p with gradient g at step t = 1, 2, ...; m starts at 0::

        g <- -g                                   (maximize=True: ascend)
        p <- p * (1 - eta * lambda)               (weight_decay = lambda, decoupled)
        c =  beta1 * m + (1 - beta1) * g          (the interpolation that is signed)
        p <- p - eta * sign(c)
        m <- beta2 * m + (1 - beta2) * g          (the momentum that is kept)

    On the first step c = (1 - beta1) g, so p moves by -eta * sign(g).

    Arguments (the authors' names and defaults): ``lr`` eta = 1e-4, ``betas``
    (0.9, 0.99), each in [0, 1), ``weight_decay`` lambda = 0 (decoupled),
    keyword-only ``maximize`` False.  State: ``step`` t, ``exp_avg`` m.
    """

    _weight_decay = "decoupled"
    _work_arrays = 2

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *,
                 maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _buffers(self, group):
        return ("exp_avg",)

    def _update(self, p, g, state, group, c, work):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        m = state["exp_avg"]
        np.copyto(c, m)
        ema_(c, g, beta1, work)
        add_(p, np.sign(c, out=c), -group["lr"], work)
        ema_(m, g, beta2, work)
