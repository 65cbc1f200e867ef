"""Learning-rate schedules with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler owns a counter ``last_epoch`` and rewrites ``group["lr"]`` of every
parameter group of its optimizer.  The usage pattern is PyTorch's::

    optimizer = SGD(params, lr=0.1)
    scheduler = StepLR(optimizer, step_size=30)   # sets lr for step 0
    for batch in data:
        ...                                      # compute gradients
        optimizer.step()                         # uses the current lr
        scheduler.step()                         # then moves to the next lr

* Constructing a scheduler stores each group's starting lr as
  ``group["initial_lr"]`` (``base_lrs``) and performs the initial step:
  ``last_epoch`` goes from -1 to 0 and the lr for the first update is set.
* ``step()`` belongs *after* ``optimizer.step()``; calling it first skips the
  schedule's first value, and a warning says so.
* ``get_last_lr()`` returns the lrs the scheduler set most recently.

The multiplicative schedules (StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, LinearLR) are written, as in PyTorch, as "chainable" updates
of the group's current lr (lr_t = lr_{t-1} * factor), so two schedulers on one
optimizer compose by multiplying their factors.  LambdaLR and InverseTimeDecay
compute lr_t from ``initial_lr`` directly and overwrite what was there.  The
closed form of each schedule is given in its docstring.
"""

from __future__ import annotations

import copy
import math
import numbers
import types
import warnings
from collections import Counter

from .optimizer import Optimizer, _check_nonnegative, _check_real, _typename

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "InverseTimeDecay",
]


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, but got {value!r}")
    return value


def _check_optimizer(optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be a minigrad.optim.Optimizer, but "
            f"{_typename(optimizer)} is not an Optimizer: {optimizer!r:.60}"
        )


def _check_number(name: str, value) -> None:
    """A TypeError naming the argument for anything but a real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, but got {value!r}")


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Subclasses implement :meth:`get_lr`, which returns the lr of every group
    for the step ``last_epoch`` (it is called by :meth:`step` after the counter
    has been advanced).

    Parameters
    ----------
    optimizer: the :class:`~minigrad.optim.Optimizer` whose lrs are scheduled.
    last_epoch: index of the last step taken; -1 (the default) starts a new
        schedule.  Any other value resumes one and needs ``initial_lr`` in
        every parameter group.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"last_epoch must be an integer >= -1, but got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] "
                        "when resuming a scheduler with last_epoch >= 0"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._get_lr_called_within_step = False
        self._is_initial = False
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for step ``last_epoch`` (used by :meth:`step`; to read the
        current lrs call :meth:`get_last_lr`)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lr of every parameter group as last set by this scheduler."""
        return list(self._last_lr)

    def step(self) -> None:
        """Advance the schedule by one step; call it after ``optimizer.step()``."""
        if self._step_count == 1 and getattr(self.optimizer, "_step_calls", 1) == 0:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                "Call them in the opposite order: `optimizer.step()` before "
                "`lr_scheduler.step()`, otherwise the first value of the learning "
                "rate schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self.last_epoch += 1
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for i, (group, lr) in enumerate(zip(self.optimizer.param_groups, values)):
            # Stricter than PyTorch, which hands a negative or nan lr on to
            # the optimizer (a negative one makes it ascend).
            try:
                _check_real("learning rate", lr, "lr")
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"{type(self).__name__} computed the learning rate {lr!r} for "
                    f"parameter group {i} at step {self.last_epoch}: {error}"
                ) from None
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _warn_if_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """The scheduler's state (every attribute except the optimizer), as a copy."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a state saved by :meth:`state_dict`."""
        self.__dict__.update(copy.deepcopy(state_dict))


class LambdaLR(LRScheduler):
    """lr_t = initial_lr * lr_lambda(t).

    ``lr_lambda`` is a function of the step index t (0, 1, 2, ...), or a list
    with one function per parameter group.  As in PyTorch, ``state_dict()``
    does not save plain functions or lambdas (only the attributes of callable
    objects), so a restored scheduler must be built with the same functions.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        n_groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(f"Expected {n_groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n_groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda must be callable, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        return [base_lr * self._factor(i, fn) for i, (fn, base_lr)
                in enumerate(zip(self.lr_lambdas, self.base_lrs))]

    def _factor(self, group: int, fn) -> float:
        factor = fn(self.last_epoch)
        # PyTorch multiplies by whatever comes back; a negative factor would
        # make the optimizer ascend, nan would poison every parameter.
        try:
            return _check_real("factor", factor, "lr_lambda(t)")
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"lr_lambda returned {factor!r} at step {self.last_epoch} for parameter "
                f"group {group}; the factor must be a finite real number >= 0 ({error})"
            ) from None

    def state_dict(self) -> dict:
        state = {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "lr_lambdas")
        }
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        lr_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(copy.deepcopy(state_dict))
        for fn, saved in zip(self.lr_lambdas, lr_lambdas):
            if saved is not None:
                fn.__dict__.update(copy.deepcopy(saved))


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` steps.

    Closed form: lr_t = initial_lr * gamma^floor(t / step_size).
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _check_positive_int("step_size", step_size)
        self.gamma = _check_nonnegative("gamma value", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each step listed in ``milestones``.

    A milestone listed k times multiplies by gamma^k.  Closed form:
    lr_t = initial_lr * gamma^(number of milestones <= t).
    """

    def __init__(
        self, optimizer: Optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, int):
                raise TypeError(f"milestones must be integers, but got {m!r}")
        self.milestones = Counter(milestones)
        self.gamma = _check_nonnegative("gamma value", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every step: lr_t = initial_lr * gamma^t."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_nonnegative("gamma value", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``initial_lr`` down to ``eta_min`` over ``T_max`` steps.

    Closed form (SGDR without restarts, Loshchilov & Hutter 2017)::

        lr_t = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    Computed, as in PyTorch, by the equivalent recursion
    lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)).
    After T_max steps the lr rises again along the same cosine (period 2 T_max).
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _check_positive_int("T_max", T_max)
        self.eta_min = _check_nonnegative("eta_min value", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:
            # resuming at step t: use the closed form once
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                for base_lr in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:
            # the bottom of the cosine, where the recursion would divide by 0
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base_lr, lr in zip(self.base_lrs, self._current_lrs())
            ]
        return [
            (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
            * (lr - eta_min)
            + eta_min
            for lr in self._current_lrs()
        ]


class LinearLR(LRScheduler):
    """Scale the lr by a factor that moves linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` steps (a warm-up when start < end).

    Closed form::

        lr_t = initial_lr * (start + (end - start) * min(t, total_iters) / total_iters)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        _check_number("start_factor", start_factor)
        _check_number("end_factor", end_factor)
        if start_factor > 1.0 or not start_factor > 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and "
                f"less or equal to 1, but got start_factor={start_factor}"
            )
        if end_factor > 1.0 or not end_factor >= 0:
            raise ValueError(
                "Ending multiplicative factor expected to be between 0 and 1, "
                f"but got end_factor={end_factor}"
            )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = _check_positive_int("total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        t = self.last_epoch
        if t == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or t > self.total_iters:
            return self._current_lrs()
        # ratio of the factors at t and t - 1
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (t - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]


class InverseTimeDecay(LRScheduler):
    """lr_t = initial_lr / (1 + decay * t), t = number of updates already made.

    This reproduces the ``decay`` argument of the legacy Keras 2 optimizers
    (lr / (1 + decay * iterations), applied per batch): step it after every
    ``optimizer.step()``.  It equals ``LambdaLR(opt, lambda t: 1 / (1 + decay * t))``
    and Keras 3's ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``.
    Like LambdaLR it overwrites the lr rather than chaining.
    """

    def __init__(self, optimizer: Optimizer, decay: float, last_epoch: int = -1) -> None:
        self.decay = _check_nonnegative("decay value", decay)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        return [base_lr / (1 + self.decay * self.last_epoch) for base_lr in self.base_lrs]
