"""Schedule-Free SGD and AdamW (Defazio et al., 2024), as in the ``schedulefree``
package (1.4, Meta's reference implementation: ``SGDScheduleFree`` and
``AdamWScheduleFree``).

A learning-rate schedule that decays to zero needs the run's length in advance;
Schedule-Free replaces it by averaging.  Three sequences share one gradient::

    z_{t+1} = z_t - gamma_t * g(y_t)                     (the base step, SGD or Adam's)
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}         (a running average of z)
    y_{t+1} = (1 - beta) z_{t+1} + beta x_{t+1}           (where the next gradient is taken)

with x_1 = y_1 = z_1 = the initial parameters.  x is the point to evaluate and
to keep; gradients are taken at y, between z and x (beta = momentum for SGD,
beta1 for AdamW).  The weights of the average are

    c_{t+1} = w_t / (w_1 + ... + w_t),   w_t = t^r * (max_{s<=t} gamma_s)^weight_lr_power,

so with every weight equal c_{t+1} = 1/t and x_{t+1} is the plain average of
z_2 .. z_{t+1} (c_2 = 1: the start z_1 gets no weight; the paper's equations for
SGD write c_{t+1} = 1/(t+1), which would count it), and a warmup
(``warmup_steps``: gamma_t = lr * t / warmup_steps for t below it) gives its small
early steps little weight.

Only two arrays are kept per parameter: z, and the parameter itself, which holds
y while training and x while evaluating.  Substituting x_t = (y_t - (1 - beta) z_t) / beta
into the recursions gives the update of y without x (what the package computes)::

    y <- (1 - c) y + c z + gamma (beta (1 - c) - 1) g,     then    z <- z - gamma g.

``train()`` and ``eval()`` switch the parameter between y and x:
x = y + (1 - 1/beta)(z - y) and y = x + (1 - beta)(z - x).  Call ``train()``
before training steps and ``eval()`` before evaluating, and before saving a
checkpoint (the package's advice); ``step()`` in eval mode is refused.

Differences from the package, each stricter: ``step()`` checks every group's
mode (the package checks group 0, so a group added after ``train()`` would be
stepped from x as if it were y); beta1 = 0 or momentum = 0 is refused (``eval()``
divides by it); ``warmup_steps``, ``r`` and ``weight_lr_power`` are checked;
``train()``/``eval()`` create no empty state entries; ``p.grad`` is not
overwritten (the package divides and decays it in place).  ``maximize``
(keyword-only) is minigrad's, as on every optimizer here.  ``foreach`` is
accepted for the package's signature; minigrad has one code path.
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_, ema_sq_, lerp_
from .optimizer import (Optimizer, _check_count, _check_nonnegative, _check_real,
                        _HYPERPARAMETERS)

__all__ = ["SGDScheduleFree", "AdamWScheduleFree"]


def _check_warmup_steps(value):
    if value == 0 and not isinstance(value, bool):
        return 0
    return _check_count("warmup_steps", value, 2**63)


def _check_open_interval(label: str, value, name: str):
    _check_real(label, value, name, upper=1.0, upper_included=False)
    if value == 0:
        raise ValueError(f"Invalid {label}: {value} ({name} must be in (0, 1): eval() "
                         f"divides by it)")
    return value


_CHECKS = {
    **_HYPERPARAMETERS,
    "warmup_steps": _check_warmup_steps,
    "r": lambda v: _check_nonnegative("r value", v),
    "weight_lr_power": lambda v: _check_nonnegative("weight_lr_power value", v),
    "momentum": lambda v: _check_open_interval("momentum value", v, "momentum"),
}

# Group entries the package keeps beside the hyperparameters (saved in state_dict):
# the step count k, the mode, the running sum of averaging weights, the largest lr
# so far and the lr of the last step (for logging).
_BOOKKEEPING = dict(k=0, train_mode=False, weight_sum=0.0, lr_max=-1.0, scheduled_lr=0.0)


class _ScheduleFree(Optimizer):
    """What both Schedule-Free optimizers share: the averaging weights and the
    train/eval switch.  A subclass names its interpolation constant beta."""

    _weight_decay = "group"
    _checks = _CHECKS

    def _beta(self, group) -> float:
        raise NotImplementedError

    def _begin_group(self, group) -> None:
        """This step's lr gamma_t (warmup), averaging weight c_{t+1} and step count."""
        k = group["k"]
        warmup = group["warmup_steps"]
        lr = group["lr"] * ((k + 1) / warmup if k < warmup else 1.0)
        group["scheduled_lr"] = lr
        group["lr_max"] = lr_max = max(lr, group["lr_max"])
        weight = (k + 1) ** group["r"] * lr_max ** group["weight_lr_power"]
        group["weight_sum"] += weight
        # an lr of 0 so far gives weights 0: the package then takes c = 0
        average_weight = weight / group["weight_sum"] if group["weight_sum"] else 0.0
        group["k"] = k + 1
        self._this_step = (lr, average_weight, k + 1)

    def step(self, closure=None):
        """One training step of every parameter with a gradient (train mode only)."""
        for index, group in enumerate(self.param_groups):
            if not group["train_mode"]:
                raise RuntimeError(
                    f"{type(self).__name__}.step() called in eval mode (parameter group "
                    f"{index}): call optimizer.train() before training steps, and "
                    "optimizer.eval() before evaluating or saving"
                )
        return super().step(closure)

    def _switch(self, to_train: bool) -> None:
        for group in self.param_groups:
            if group["train_mode"] == to_train:
                continue
            beta = self._beta(group)
            # y = x + (1 - beta)(z - x) for training; x = y + (1 - 1/beta)(z - y) to evaluate
            weight = 1 - beta if to_train else 1 - 1 / beta
            for p in group["params"]:
                state = self.state.get(p)
                if state and "z" in state:
                    lerp_(p.data, state["z"], weight, np.empty_like(p.data))
            group["train_mode"] = to_train

    def train(self) -> None:
        """Put the parameters at y, where training steps take their gradients."""
        self._switch(True)

    def eval(self) -> None:
        """Put the parameters at x, the average to evaluate and to save."""
        self._switch(False)

    def _state_names(self, group):
        return self._buffers(group)

    def _init_state(self, state, data, group):
        state["z"] = data.copy()
        for name in self._buffers(group)[1:]:
            state[name] = np.zeros_like(data)


class SGDScheduleFree(_ScheduleFree):
    """Schedule-Free SGD.

    For one parameter holding y (train mode) with gradient g at step t = 1, 2, ...;
    z starts at the parameter's value on its first step::

        g <- -g                                      (maximize=True: ascend)
        g <- g + lambda * y                          (weight_decay = lambda: L2, at y)
        gamma = lr * min(1, t / warmup_steps)        (warmup_steps = 0: gamma = lr)
        c = w_t / (w_1 + ... + w_t),  w_t = t^r * max(gamma_1..gamma_t)^weight_lr_power
        y <- (1 - c) y + c z + gamma (beta (1 - c) - 1) g
        z <- z - gamma g

    (beta = ``momentum``); ``eval()`` turns y into x = y + (1 - 1/beta)(z - y).

    Arguments (the package's names and defaults): ``lr`` 1.0, ``momentum`` beta
    = 0.9 in (0, 1), ``weight_decay`` lambda = 0, ``warmup_steps`` 0, ``r`` 0,
    ``weight_lr_power`` 2, ``foreach`` True (no effect), keyword-only
    ``maximize`` False.  State: ``z``; the group keeps ``k``, ``train_mode``,
    ``weight_sum``, ``lr_max`` and ``scheduled_lr``.
    """

    def __init__(self, params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0,
                 r=0.0, weight_lr_power=2.0, foreach=True, *, maximize=False) -> None:
        super().__init__(params, dict(
            lr=lr, momentum=momentum, weight_decay=weight_decay, warmup_steps=warmup_steps,
            r=r, weight_lr_power=weight_lr_power, foreach=foreach, maximize=maximize,
            **_BOOKKEEPING))

    def _beta(self, group):
        return group["momentum"]

    def _buffers(self, group):
        return ("z",)

    def _update(self, y, g, state, group, work):
        lr, c, _ = self._this_step
        z = state["z"]
        lerp_(y, z, c, work)
        add_(y, g, lr * (group["momentum"] * (1 - c) - 1), work)
        add_(z, g, -lr, work)


class AdamWScheduleFree(_ScheduleFree):
    """Schedule-Free AdamW.

    As :class:`SGDScheduleFree`, with the gradient divided by Adam's
    bias-corrected RMS; there is no first moment (the interpolation y plays
    momentum's part) and weight decay is added after the division, at y::

        v <- beta2 * v + (1 - beta2) * g^2
        u =  g / (sqrt(v / (1 - beta2^t)) + eps) + lambda * y     (weight_decay = lambda)
        y <- (1 - c) y + c z + gamma (beta1 (1 - c) - 1) u
        z <- z - gamma u

    Arguments (the package's names and defaults): ``lr`` 0.0025, ``betas``
    (0.9, 0.999) with beta1 in (0, 1) and beta2 in [0, 1), ``eps`` 1e-8,
    ``weight_decay`` 0, ``warmup_steps`` 0, ``r`` 0, ``weight_lr_power`` 2,
    ``foreach`` True (no effect), keyword-only ``maximize`` False.  State:
    ``z``, ``exp_avg_sq`` v; the group keeps the package's bookkeeping (see
    :class:`SGDScheduleFree`).
    """

    _weight_decay = "own"
    _work_arrays = 2

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0, foreach=True, *,
                 maximize=False) -> None:
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            warmup_steps=warmup_steps, r=r, weight_lr_power=weight_lr_power,
            foreach=foreach, maximize=maximize, **_BOOKKEEPING))

    def _check_group(self, group):
        # betas passed the table's check; eval() divides by beta1, so 0 is refused too
        _check_open_interval("beta parameter at index 0", group["betas"][0], "betas[0]")

    def _beta(self, group):
        return group["betas"][0]

    def _buffers(self, group):
        return ("z", "exp_avg_sq")

    def _update(self, y, g, state, group, u, work):
        lr, c, t = self._this_step
        beta1, beta2 = group["betas"]
        v = ema_sq_(state["exp_avg_sq"], g, beta2, work)
        denom = np.divide(v, 1 - beta2**t, out=work)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        np.divide(g, denom, out=u)
        if group["weight_decay"] != 0:
            add_(u, y, group["weight_decay"], work)
        z = state["z"]
        lerp_(y, z, c, work)
        add_(y, u, lr * (beta1 * (1 - c) - 1), work)
        add_(z, u, -lr, work)
