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
CosineAnnealingLR, LinearLR, ConstantLR, PolynomialLR, MultiplicativeLR) are
written, as in PyTorch, as "chainable" updates of the group's current lr
(lr_t = lr_{t-1} * factor), so two schedulers on one optimizer compose by
multiplying their factors (ChainedScheduler steps several together).  LambdaLR,
InverseTimeDecay, CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR compute
lr_t from their own parameters and overwrite what was there.  The closed form of
each schedule is given in its docstring; the chainable ones also implement it
(``_get_closed_form_lr``), which SequentialLR uses when it restarts a scheduler at
its milestone, exactly as PyTorch does.  ReduceLROnPlateau reacts to a metric
(``step(metric)``) instead of following a fixed sequence.
"""

from __future__ import annotations

import copy
import math
import numbers
import types
import warnings
from bisect import bisect_right
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
    "MultiplicativeLR",
    "ConstantLR",
    "PolynomialLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
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
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next step (``epoch=None``, by :meth:`get_lr`) or jump to step ``epoch``
        (by the schedule's closed form where it has one). SequentialLR jumps a scheduler to
        step 0 at its milestone, as PyTorch does."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
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

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


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

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


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

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


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

    def _get_closed_form_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T)) / 2
                for base_lr in self.base_lrs]


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

    def _get_closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]


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


# ----------------------------------------------------------------- argument checks

def _nonnegative_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, but got {value!r}")
    return value


def _finite(name: str, value, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the given range (the error names the argument and the value)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, but got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, but got {value!r}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, but got {value!r}")
    return value


def _per_group(name: str, optimizer: Optimizer, value, **bounds) -> list[float]:
    """One value per parameter group: a list/tuple of that length, or one value for all."""
    n = len(optimizer.param_groups)
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n
    if len(values) != n:
        raise ValueError(f"{name} must have one value per parameter group ({n}), but got {len(values)}")
    return [_finite(f"{name}[{i}]" if isinstance(value, (list, tuple)) else name, v, **bounds)
            for i, v in enumerate(values)]


# ----------------------------------------------------------------- more schedules

class MultiplicativeLR(LambdaLR):
    """Multiply the lr by ``lr_lambda(t)`` at every step t >= 1:
    lr_t = lr_{t-1} * lr_lambda(t) (chainable; ``lr_lambda`` may be one function per group).

    Its arguments, checks and state are LambdaLR's; only the rule differs (LambdaLR
    scales ``initial_lr``, this scales the current lr). Stricter than PyTorch: a factor
    that is negative, infinite or nan raises ValueError naming the step and the value.
    """

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self._factor(i, fn) for i, (fn, lr)
                in enumerate(zip(self.lr_lambdas, self._current_lrs()))]


class ConstantLR(LRScheduler):
    """Scale the lr by ``factor`` for the first ``total_iters`` steps, then restore it.

    Closed form: lr_t = initial_lr * (factor if t < total_iters else 1).
    Stricter than PyTorch: ``factor`` must be in (0, 1] (0 would make the restoring
    step divide by zero) and ``total_iters`` a positive integer.
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        self.factor = _finite("factor", factor, low=0.0, high=1.0, low_open=True)
        self.total_iters = _check_positive_int("total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [base_lr * factor for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to 0 over ``total_iters`` steps, then constant.

    Closed form: lr_t = initial_lr * (1 - min(t, total_iters) / total_iters) ** power;
    computed, as in PyTorch, by the ratio of consecutive factors (chainable).
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = _check_positive_int("total_iters", total_iters)
        self.power = _finite("power", power, low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        t, T = self.last_epoch, self.total_iters
        if self._is_initial or t > T:
            return self._current_lrs()
        ratio = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base_lr * factor for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter 2017): cosine annealing restarted every period.

    lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where T_cur
    counts the steps since the last restart and the periods are T_0, T_0 T_mult,
    T_0 T_mult^2, ...  ``step()`` advances by one; ``step(epoch)`` jumps to ``epoch``,
    which may be fractional (``scheduler.step(epoch + i / batches_per_epoch)``), as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_0 = _check_positive_int("T_0", T_0)
        self.T_i = T_0
        self.T_mult = _check_positive_int("T_mult", T_mult)
        self.eta_min = _finite("eta_min", eta_min, low=0.0)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # a restart
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            epoch = _finite("epoch", epoch, low=0.0)
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # which period epoch falls in: T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i, self.T_cur = self.T_0, epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def _momentum_key(optimizer: Optimizer, scheduler: str) -> str:
    """Which hyperparameter a cycling scheduler moves: SGD/RMSprop's momentum or Adam's beta1."""
    if "betas" in optimizer.defaults:
        return "betas"
    if "momentum" in optimizer.defaults:
        return "momentum"
    raise ValueError(f"{scheduler} with cycle_momentum=True needs an optimizer with momentum or "
                     f"betas, but {type(optimizer).__name__} has neither")


def _set_momentum(group: dict, key: str, value: float) -> None:
    if key == "betas":
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith 2017): the lr goes from ``base_lr`` up to ``max_lr`` in
    ``step_size_up`` steps and back in ``step_size_down``; the momentum (or Adam's beta1)
    moves the opposite way between ``max_momentum`` and ``base_momentum``.

    With cycle = floor(1 + t / (up + down)) and x the position in the cycle,
    lr_t = base_lr + (max_lr - base_lr) * h(x) * scale(cycle or t), h a triangle in [0, 1];
    scale is 1 (``triangular``), 1/2^(cycle-1) (``triangular2``), gamma^t (``exp_range``)
    or ``scale_fn``. Step it after every batch.
    """

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn=None, scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        base_lrs = _per_group("base_lr", optimizer, base_lr, low=0.0)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr, low=0.0)
        up = float(_check_positive_int("step_size_up", step_size_up))
        down = up if step_size_down is None else float(_check_positive_int("step_size_down", step_size_down))
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"mode must be 'triangular', 'triangular2' or 'exp_range' (or give "
                             f"scale_fn), but got {mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be callable, but got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', but got {scale_mode!r}")
        self.mode = mode
        self.gamma = _finite("gamma", gamma, low=0.0, low_open=True)
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._momentum_key = _momentum_key(optimizer, "CyclicLR")
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum, low=0.0)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum, low=0.0)
            if last_epoch == -1:
                for high, low, group in zip(self.max_momentums, self.base_momentums,
                                            optimizer.param_groups):
                    _set_momentum(group, self._momentum_key, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (x - 1)
        return self.gamma ** x

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # position in the cycle, [0, 1)
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [low + (high - low) * height * scale for low, high in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                _set_momentum(group, self._momentum_key, high - (high - low) * height * scale)
        return lrs

    def state_dict(self) -> dict:
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_scale_fn_custom")}
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (None if fn is None or isinstance(fn, types.FunctionType)
                                     else copy.deepcopy(fn.__dict__))
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        saved_fn = state_dict.pop("_scale_fn_custom")
        self.__dict__.update(copy.deepcopy(state_dict))
        if saved_fn is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(saved_fn))


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin 2019): warm up from ``max_lr / div_factor`` to
    ``max_lr`` over ``pct_start`` of ``total_steps``, then anneal to
    ``max_lr / (div_factor * final_div_factor)``; momentum (or beta1) moves the opposite way.
    ``three_phase=True`` anneals back to the start before the final decay.
    Each phase interpolates by cosine, (1 + cos(pi p)) / 2, or linearly in its progress p.
    Step it after every batch, exactly ``total_steps`` times. The lr set by the last of
    those steps is used by no update; minigrad sets it to ``min_lr`` where PyTorch
    extrapolates the final phase (with ``anneal_strategy='linear'`` to a negative lr).
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        if total_steps is not None:
            self.total_steps = _check_positive_int("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_check_positive_int("epochs", epochs)
                                * _check_positive_int("steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("OneCycleLR needs total_steps, or both epochs and steps_per_epoch")
        _finite("pct_start", pct_start, low=0.0, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', but got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        _finite("div_factor", div_factor, low=0.0, low_open=True)
        _finite("final_div_factor", final_div_factor, low=0.0, low_open=True)
        warmup_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._phases = [(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                            (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                             "base_momentum", "max_momentum"),
                            (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                            (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        max_lrs = _per_group("max_lr", optimizer, max_lr, low=0.0)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._momentum_key = _momentum_key(optimizer, "OneCycleLR")
            highs = _per_group("max_momentum", optimizer, max_momentum, low=0.0)
            lows = _per_group("base_momentum", optimizer, base_momentum, low=0.0)
            if last_epoch == -1:
                for high, low, group in zip(highs, lows, optimizer.param_groups):
                    _set_momentum(group, self._momentum_key, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, progress: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * progress) + 1)
        return (end - start) * progress + start

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR was stepped {t} times, but total_steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            phase_start = 0.0
            for i, (phase_end, lr_from, lr_to, mom_from, mom_to) in enumerate(self._phases):
                if t <= phase_end or i == len(self._phases) - 1:
                    # the step after the last one (t = total_steps) sets an lr no update uses;
                    # PyTorch extrapolates the final phase there (a negative lr with 'linear'),
                    # minigrad stops at its end, min_lr
                    progress = min((t - phase_start) / (phase_end - phase_start), 1.0)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], progress))
                    if self.cycle_momentum:
                        _set_momentum(group, self._momentum_key,
                                      self._anneal(group[mom_from], group[mom_to], progress))
                    break
                phase_start = phase_end
        return lrs


def _check_schedulers(kind: str, schedulers, optimizer) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{kind} needs at least one scheduler, but got none")
    for i, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{kind}: schedulers[{i}] is a {type(scheduler).__name__}, not a "
                            "learning-rate scheduler")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{kind} cannot hold ReduceLROnPlateau (schedulers[{i}]): its "
                             "step() needs the metric")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{kind}: schedulers[{i}] ({type(scheduler).__name__}) belongs to "
                             "another optimizer")


class _SchedulerList(LRScheduler):
    """The state of a scheduler made of schedulers: its own counters and each member's state."""

    def state_dict(self) -> dict:
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        members = state_dict.pop("_schedulers")
        self.__dict__.update(copy.deepcopy(state_dict))
        for scheduler, saved in zip(self._schedulers, members):
            scheduler.load_state_dict(saved)


class SequentialLR(_SchedulerList):
    """Hand the lr to ``schedulers[i]`` from step ``milestones[i-1]`` on (warm-up, then decay).

    At a milestone the next scheduler restarts at its step 0 (its closed form at 0 where it
    has one), as PyTorch does. Constructing it undoes the initial step the member schedulers
    took when they were built and restores every group's ``initial_lr``.
    """

    def __init__(self, optimizer: Optimizer, schedulers, milestones, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        schedulers, milestones = list(schedulers), list(milestones)
        _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR needs one milestone fewer than schedulers, but got "
                             f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        for m in milestones:
            _nonnegative_int("milestones[...]", m)
        if milestones != sorted(milestones):
            raise ValueError(f"milestones must be increasing, but got {milestones}")
        self._schedulers, self._milestones = schedulers, milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler) -> None:
        if hasattr(scheduler, "_schedulers"):
            for member in scheduler._schedulers:
                self._undo_initial_steps(member)
        elif scheduler is not self:
            scheduler.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_SchedulerList):
    """Step several schedulers of one optimizer together; their factors multiply."""

    def __init__(self, schedulers, optimizer: Optimizer | None = None) -> None:
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        if schedulers:
            _check_optimizer(optimizer)
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers, self.optimizer = schedulers, optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class ReduceLROnPlateau(LRScheduler):
    """Divide the lr by 1/``factor`` when a metric stops improving for ``patience`` steps.

    ``step(metric)`` after each evaluation. "Improving" means better than the best value so
    far by more than ``threshold`` (relative, ``best * (1 -+ threshold)``, or absolute), in
    ``mode`` ``min`` or ``max``. After a reduction the scheduler waits ``cooldown`` steps;
    the lr never goes below ``min_lr``, and a change smaller than ``eps`` is not made.
    Stricter than PyTorch: ``factor`` must be in (0, 1), ``patience``/``cooldown``
    non-negative integers, ``threshold``, ``min_lr`` and ``eps`` finite and >= 0.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0.0, eps: float = 1e-8) -> None:
        _check_optimizer(optimizer)
        self.factor = _finite("factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group("min_lr", optimizer, min_lr, low=0.0)
        else:
            self.default_min_lr = _finite("min_lr", min_lr, low=0.0)
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = _nonnegative_int("patience", patience)
        self.cooldown = _nonnegative_int("cooldown", cooldown)
        self.eps = _finite("eps", eps, low=0.0)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', but got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', but got {threshold_mode!r}")
        self.mode, self.threshold_mode = mode, threshold_mode
        self.threshold = _finite("threshold", threshold, low=0.0)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.best, self.cooldown_counter, self.num_bad_epochs = self.mode_worse, 0, 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, current: float, best: float) -> bool:
        if self.mode == "min":
            return current < (best * (1.0 - self.threshold) if self.threshold_mode == "rel"
                              else best - self.threshold)
        return current > (best * (1.0 + self.threshold) if self.threshold_mode == "rel"
                          else best + self.threshold)

    def step(self, metrics) -> None:
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad steps during the cooldown don't count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        if len(self.min_lrs) != len(self.optimizer.param_groups):
            if self.default_min_lr is None:
                raise RuntimeError(f"the optimizer has {len(self.optimizer.param_groups)} "
                                   f"parameter groups but min_lr has {len(self.min_lrs)} values")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                group["lr"] = new
