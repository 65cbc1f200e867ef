"""The :class:`Optimizer` base class, shaped like ``torch.optim.Optimizer``.

An optimizer holds

* ``param_groups`` -- a list of dicts.  Each dict has a ``"params"`` list of
  :class:`minigrad.Tensor` objects plus every hyperparameter of the optimizer
  (the constructor's values fill in whatever a group does not set itself), so
  two groups can use different learning rates;
* ``state`` -- a dict keyed by the parameter object; each value is a dict with
  that parameter's step counter and buffers (momentum, moving averages, ...);
* ``defaults`` -- the constructor's hyperparameters.

:meth:`Optimizer.step` owns the loop every optimizer shares: per group, per
parameter with a gradient (a ``None`` gradient skips the parameter and creates
no state), weight decay first.  A subclass writes only the update of one
parameter, :meth:`_update`, in the in-place kernels of ``_kernels.py``, so that
it reads like the equations in its docstring.  Updates are *in place* (other
code may hold references to ``p.data``) and keep the parameter's dtype.

``state_dict()`` / ``load_state_dict()`` use PyTorch's layout: state is keyed
by the parameter's integer position across all groups, and each saved group
lists its parameters by those positions.  The saved dict holds only plain data
(numbers, tuples, NumPy arrays), so it can be deep-copied or pickled.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections import defaultdict
from itertools import chain

import numpy as np

from ..tensor import Tensor

__all__ = ["Optimizer"]


def _typename(obj) -> str:
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _check_real(label: str, value, name: str | None = None, upper: float = math.inf,
                upper_included: bool = True):
    """Return ``value``, a finite real number in [0, upper]; raise otherwise.

    ``label`` is PyTorch's wording for the argument (``"learning rate"``),
    ``name`` its keyword (derived from a label ``"<name> value"``).  The range
    test is written ``not 0 <= value`` so that NaN fails it too.
    """
    name = name or label.removesuffix(" value")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"Invalid {label}: {name} must be a real number, but got {value!r}")
    if not (0.0 <= value <= upper if upper_included else 0.0 <= value < upper):
        raise ValueError(f"Invalid {label}: {value}")
    if not math.isfinite(value):
        # PyTorch accepts an infinite lr, eps, weight decay or momentum; every
        # step would then make the parameters inf or nan, or freeze them.
        raise ValueError(f"Invalid {label}: {value} ({name} must be finite)")
    return value


def _check_nonnegative(label: str, value, name: str | None = None):
    """Return ``value``; raise unless it is a finite real number >= 0."""
    return _check_real(label, value, name)


def _check_below_one(label: str, value, name: str | None = None):
    """Return ``value``; raise unless it is a real number in [0, 1) (a decay factor)."""
    return _check_real(label, value, name, upper=1.0, upper_included=False)


def _check_flag(name: str, value) -> bool:
    # PyTorch takes any object as a flag, so amsgrad="False" would switch it on.
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, but got {value!r}")
    return bool(value)


def _check_at_most_zero(label: str, value, name: str):
    """Return ``value``; raise unless it is a finite real number <= 0 (a decay exponent)."""
    if not _is_real(value):
        raise TypeError(f"Invalid {label}: {name} must be a real number, but got {value!r}")
    if not value <= 0 or not math.isfinite(value):
        raise ValueError(f"Invalid {label}: {value} ({name} must be finite and <= 0)")
    return value


def _check_at_least_one(label: str, value, name: str):
    """Return ``value``; raise unless it is a finite real number >= 1 (a threshold)."""
    if _is_real(value) and not value >= 1:
        raise ValueError(f"Invalid {label}: {value} ({name} must be at least 1)")
    return _check_nonnegative(label, value, name)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_reals(name: str, values, count: int) -> tuple[float, ...]:
    """Validate a tuple of ``count`` finite real numbers of any sign."""
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(f"{name} must be a tuple of {count} numbers, but got {values!r}") from None
    if len(values) != count:
        raise ValueError(f"{name} must be a tuple of {count} numbers, but got {values!r}")
    for index, value in enumerate(values):
        if not _is_real(value):
            raise TypeError(f"{name}[{index}] must be a real number, but got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"Invalid {name}[{index}]: {value} (it must be finite)")
    return tuple(float(v) for v in values)


def _check_choice(name: str, value, choices: tuple):
    if value not in choices or isinstance(value, bool):
        raise ValueError(f"{name} must be one of {choices!r}, but got {value!r}")
    return value


def _check_count(name: str, value, upper: int):
    """Return ``value``; raise unless it is an integer in [1, upper)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, but got {value!r}")
    if not 1 <= value < upper:
        raise ValueError(f"Invalid {name}: {value} (it must be in [1, {upper}))")
    return int(value)


def _check_betas(betas) -> tuple[float, float]:
    """Validate an Adam-style ``betas`` pair: each value in [0, 1)."""
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), but got {betas!r}") from None
    for index, beta in enumerate((beta1, beta2)):
        _check_below_one(f"beta parameter at index {index}", beta, f"betas[{index}]")
    return (float(beta1), float(beta2))


# Every hyperparameter an optimizer of this package takes: its check, with
# PyTorch's wording of the argument in error messages.
_HYPERPARAMETERS = {
    "lr": lambda v: _check_nonnegative("learning rate", v, "lr"),
    "momentum": lambda v: _check_nonnegative("momentum value", v),
    # PyTorch does not check dampening at all; outside [0, 1] the buffer's
    # weights on new gradients turn negative or grow.
    "dampening": lambda v: _check_real("dampening value", v, upper=1.0),
    "weight_decay": lambda v: _check_nonnegative("weight_decay value", v),
    "eps": lambda v: _check_nonnegative("epsilon value", v, "eps"),
    "lr_decay": lambda v: _check_nonnegative("lr_decay value", v),
    "initial_accumulator_value":
        lambda v: _check_nonnegative("initial_accumulator_value value", v),
    "momentum_decay": lambda v: _check_nonnegative("momentum_decay value", v),
    "alpha": lambda v: _check_below_one("alpha value", v),
    "rho": lambda v: _check_below_one("rho value", v),
    "betas": _check_betas,
    **{flag: (lambda v, flag=flag: _check_flag(flag, v))
       for flag in ("nesterov", "amsgrad", "centered", "maximize", "decoupled_weight_decay")},
    # Adafactor
    "beta2_decay": lambda v: _check_at_most_zero("beta2_decay value", v, "beta2_decay"),
    "d": lambda v: _check_at_least_one("clipping threshold d", v, "d"),
    "foreach": lambda v: v if v is None else _check_flag("foreach", v),
    # Muon
    "ns_coefficients": lambda v: _check_reals("ns_coefficients", v, 3),
    # torch refuses 100 or more Newton-Schulz steps, for speed.
    "ns_steps": lambda v: _check_count("ns_steps", v, 100),
    "adjust_lr_fn": lambda v: _check_choice("adjust_lr_fn", v,
                                            (None, "original", "match_rms_adamw")),
}


def _hyperparameters(arguments: dict) -> dict:
    """A constructor's ``locals()`` minus ``self`` and ``params``: its hyperparameters."""
    return {k: v for k, v in arguments.items()
            if k not in ("self", "params") and not k.startswith("__")}


def _checked_hyperparameters(values: dict, table: dict = _HYPERPARAMETERS) -> dict:
    """Check every known hyperparameter in ``values``; return them normalised."""
    return {name: table[name](value) if name in table else value
            for name, value in values.items()}


def _gradient_to_use(p, g, group, out, work, decoupled=False):
    """The gradient an update sees, in PyTorch's order; ``p.grad`` is never modified.

    1. ``maximize``: g <- -g (ascend instead of descend);
    2. weight decay lambda: L2 (the default), g <- g + lambda * p, written into
       the work array ``out``; or decoupled (AdamW, Loshchilov & Hutter 2019),
       the parameter shrinks in place, p <- p (1 - lr lambda), and g is left alone.
    """
    if group.get("maximize", False):
        g = np.negative(g, out=out)
    weight_decay = group.get("weight_decay", 0)
    if weight_decay == 0:
        return g
    if decoupled or group.get("decoupled_weight_decay", False):
        p *= 1 - group["lr"] * weight_decay
        return g
    if g is out:
        out += np.multiply(p, weight_decay, out=work)
        return out
    np.multiply(p, weight_decay, out=out)
    return np.add(out, g, out=out)


def _reject_sets(params) -> None:
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "optimizer parameters need to be organized in ordered collections, but "
            "the ordering of tensors in sets will change between runs. "
            "Please use a list instead."
        )


def _check_parameter(index: int, param) -> None:
    if not isinstance(param, Tensor):
        raise TypeError(
            "optimizer can only optimize Tensors, "
            "but one of the params is " + _typename(param)
        )
    if not param.is_leaf:
        # Its .grad is never set by backward(), so it would silently never move.
        raise ValueError(
            f"can't optimize a non-leaf Tensor: params[{index}] is the result of "
            f"{param.grad_fn!r}; optimize the leaf tensors it is computed from"
        )


def _refuse_to_update(data, grad) -> None:
    if not isinstance(data, np.ndarray):
        raise TypeError(
            f"parameter data must be a NumPy array to be updated in place, "
            f"but got {_typename(data)}"
        )
    raise ValueError(
        f"gradient of shape {grad.shape} does not match its parameter's shape {data.shape}"
    )


class Optimizer:
    """Base class of all minigrad optimizers.

    Parameters
    ----------
    params:
        An iterable of :class:`minigrad.Tensor` (or ``(name, tensor)`` pairs),
        or an iterable of dicts, each a parameter group with a ``"params"``
        entry and optional per-group hyperparameters.
    defaults:
        The hyperparameters used by groups that do not set them.
    """

    def __init__(self, params, defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                "Tensors or dicts, but got " + _typename(params)
            )
        _reject_sets(params)
        self.defaults = _checked_hyperparameters(defaults, self._checks)
        self._check_group(self.defaults)
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        # Reusable work arrays (one flat buffer per dtype), see ``_scratch``.
        # They are not optimizer state: nothing in them survives a step.
        self._scratch_buffers: dict = {}
        self._scratch_views: dict = {}
        # Counts step() calls so that a learning-rate scheduler can warn when it
        # is stepped before the optimizer (see lr_scheduler.py).
        self._step_calls = 0

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a parameter group (a dict with ``"params"`` and, optionally,
        hyperparameters that override ``defaults`` for this group).

        The group's hyperparameters are checked as the constructor's are
        (PyTorch checks only the constructor's).
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        param_group = dict(param_group)  # do not modify the caller's dict
        params = param_group["params"]
        _reject_sets(params)
        params = [params] if isinstance(params, Tensor) else list(params)

        named = [isinstance(p, tuple) and len(p) == 2 for p in params]
        if any(named):
            if not all(named):
                raise ValueError(
                    "all optimizer params should be with/without names. "
                    "Some param names are missing"
                )
            param_group["param_names"] = [name for name, _ in params]
            params = [tensor for _, tensor in params]
        param_group["params"] = params
        for index, param in enumerate(params):
            _check_parameter(index, param)

        index = len(self.param_groups)
        try:
            param_group = {**self.defaults,
                           **_checked_hyperparameters(param_group, self._checks)}
            self._check_group(param_group)
        except (TypeError, ValueError) as error:
            raise type(error)(f"parameter group {index}: {error}") from None

        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            # PyTorch warns here and would then update such a parameter twice
            # per step; it announces that this will become an error.  We make
            # it one now.
            raise ValueError(
                "optimizer contains a parameter group with duplicate parameters; "
                "each parameter may appear only once"
            )
        existing = set()
        for group in self.param_groups:
            existing.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not existing.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)

    # -------------------------------------------------------------- gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters.

        ``set_to_none=True`` (the default) sets ``p.grad = None``;
        ``set_to_none=False`` fills the existing gradient arrays with zeros in
        place.  The two differ in :meth:`step`: a ``None`` gradient skips the
        parameter, a zero gradient still takes a step (momentum keeps moving,
        weight decay still shrinks it).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.fill(0)

    def step(self, closure=None):
        """Perform one update of every parameter that has a gradient.

        ``closure``, if given, is called first (it should recompute the loss and
        the gradients) and its return value is returned.

        The loop is the same for every optimizer: for each group, for each
        parameter whose ``.grad`` is not ``None`` (its state created on first
        sight by :meth:`_init_state`), apply the group's weight decay and hand
        the gradient to the subclass's :meth:`_update` (``maximize`` negates it
        first, as in PyTorch).
        """
        if type(self)._update is Optimizer._update:
            raise NotImplementedError(f"{type(self).__name__} does not implement _update")
        self._step_calls += 1
        loss = None if closure is None else closure()
        n_arrays = 1 + self._work_arrays
        scratch, state_of, update = self._scratch_views, self.state, self._update
        decoupled, own_decay = self._weight_decay == "decoupled", self._weight_decay == "own"
        for group in self.param_groups:
            self._begin_group(group)
            decays = group.get("weight_decay", 0) != 0 and not own_decay
            adjusted = group.get("maximize", False) or decays
            with_state = self._has_state(group)
            for param in group["params"]:
                g = param.grad
                if g is None:
                    continue
                p = param.data
                if not isinstance(p, np.ndarray) or g.shape != p.shape:
                    _refuse_to_update(p, g)
                state = state_of[param] if with_state else None
                if with_state and not state:
                    self._init_state(state, p, group)
                key = (p.shape, p.dtype, n_arrays)
                decayed, work = scratch.get(key) or self._scratch(p, n_arrays)
                if adjusted:
                    g = _gradient_to_use(p, g, {**group, "weight_decay": 0} if own_decay
                                         else group, decayed, work[0], decoupled)
                update(p, g, state, group, *work)
        return loss

    # ---------------------------------------- what a subclass provides
    #: how many work arrays (besides the decayed gradient) ``_update`` takes
    _work_arrays = 1
    #: how ``weight_decay`` acts: "group" (L2, or decoupled where the group's
    #: ``decoupled_weight_decay`` says so), "decoupled" (always), or "own"
    #: (``_update`` applies it itself; the loop leaves it alone)
    _weight_decay = "group"
    #: the validation table of hyperparameters (a subclass may extend it)
    _checks = _HYPERPARAMETERS

    def _update(self, p, g, state, group, *work) -> None:
        """Update the array ``p`` in place from its gradient ``g`` (already
        negated for ``maximize`` and weight-decayed; never modify it) and its
        ``state`` dict, with the hyperparameters of ``group``.  ``work`` are
        ``_work_arrays`` scratch arrays shaped like ``p``."""
        raise NotImplementedError

    def _begin_group(self, group: dict) -> None:
        """Called once per group at the start of every step, before its parameters
        (Schedule-Free computes its group-wide averaging weight here)."""

    def _check_group(self, group: dict) -> None:
        """Check constraints between a group's hyperparameters (override as needed)."""

    def _has_state(self, group: dict) -> bool:
        """Whether parameters of ``group`` keep state (plain SGD keeps none)."""
        return True

    def _buffers(self, group: dict) -> tuple[str, ...]:
        """Names of the per-parameter arrays (all starting at zero) that
        parameters of ``group`` keep besides their step counter."""
        return ()

    def _init_state(self, state: dict, data: np.ndarray, group: dict) -> None:
        """Fill the empty ``state`` dict of a parameter: ``step`` 0 and a zero
        array for each of :meth:`_buffers` (override for anything else)."""
        state["step"] = 0
        for name in self._buffers(group):
            state[name] = np.zeros_like(data)

    def _scratch(self, like: np.ndarray, count: int):
        """``count`` work arrays with the shape and dtype of ``like``, as the
        pair (first, tuple of the others).

        They are views into one flat buffer per dtype that grows to the largest
        request and is reused, so a step allocates no new arrays.  Their
        contents are garbage on entry and must not be kept after the step.
        Views from two calls overlap, so :meth:`step` calls this once per
        parameter and hands the arrays down.
        """
        key = (like.shape, like.dtype, count)
        views = self._scratch_views.get(key)
        if views is None:
            size = like.size
            buffer = self._scratch_buffers.get(like.dtype)
            if buffer is None or buffer.size < size * count:
                buffer = np.empty(size * count, dtype=like.dtype)
                self._scratch_buffers[like.dtype] = buffer
                self._scratch_views.clear()  # drop views of the old buffer
            views = [buffer[i * size:(i + 1) * size].reshape(like.shape) for i in range(count)]
            views = self._scratch_views[key] = (views[0], tuple(views[1:]))
        return views

    # ------------------------------------------------------------ state dict
    def state_dict(self) -> dict:
        """Return the optimizer's state as plain data, in PyTorch's layout::

            {"state": {0: {"step": 3, "exp_avg": array(...), ...}, 1: {...}},
             "param_groups": [{"lr": 0.01, ..., "params": [0, 1]}, ...]}

        Parameters are numbered in order across all groups.  Unlike PyTorch,
        the arrays are copies, so the returned dict is a snapshot that later
        steps do not change.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, p_state in self.state.items():
            state[index_of[id(p)]] = {
                k: (v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v))
                for k, v in p_state.items()
            }
        return {"state": state, "param_groups": groups}

    def _check_same_kind(self, state_dict: dict) -> None:
        """Refuse a state dict saved by another kind of optimizer.

        PyTorch loads it and the next step fails on a missing buffer or, worse,
        runs with state meant for another rule.  Its groups must have every
        hyperparameter of this optimizer and none that only others have, and
        every saved buffer must be one this optimizer keeps.
        """
        kind = type(self).__name__
        for i, saved in enumerate(state_dict["param_groups"]):
            missing = sorted(set(self.defaults) - set(saved))
            foreign = sorted((set(saved) & set(_HYPERPARAMETERS)) - set(self.defaults))
            if missing or foreign:
                raise ValueError(
                    f"loaded state dict is not from a {kind}: its parameter group {i} "
                    + (f"lacks {', '.join(map(repr, missing))}" if missing
                       else f"has {', '.join(map(repr, foreign))}")
                )
            allowed = set(self._state_names(saved))
            for index in saved["params"]:
                unknown = sorted(set(state_dict["state"].get(index, {})) - allowed)
                if unknown:
                    raise ValueError(
                        f"loaded state dict is not from a {kind}: the state of parameter "
                        f"{index} has {', '.join(map(repr, unknown))}, which a {kind} "
                        "with these hyperparameters does not keep"
                    )

    def _state_shape(self, name: str, shape: tuple) -> tuple:
        """The shape of state array ``name`` of a parameter of ``shape``."""
        return shape

    def _state_names(self, group: dict) -> tuple[str, ...]:
        """Every key a parameter's state may have under ``group``."""
        return ("step",) + tuple(self._buffers(group))

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a state saved by :meth:`state_dict`.

        The optimizer must have the same number of groups with the same number
        of parameters each; parameters are matched by position.  Arrays are
        copied and cast to their parameter's dtype.  Hyperparameters (including
        each group's ``lr``) are taken from the saved groups.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        self._check_same_kind(state_dict)
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}) than the optimizer ({len(groups)})"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match "
                    f"the size of optimizer's group: group {i} has "
                    f"{len(saved['params'])} saved parameters, the optimizer "
                    f"{len(group['params'])}"
                )
        param_of = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        state: defaultdict = defaultdict(dict)
        for key, saved_state in state_dict["state"].items():
            if key not in param_of:
                raise ValueError(f"loaded state dict has state for unknown parameter {key!r}")
            p = param_of[key]
            restored = {}
            for name, value in saved_state.items():
                if isinstance(value, np.ndarray):
                    if value.shape != self._state_shape(name, p.data.shape):
                        raise ValueError(
                            f"loaded state {name!r} of parameter {key} has shape "
                            f"{value.shape}, but the parameter has shape {p.data.shape}"
                        )
                    value = value.astype(p.data.dtype, copy=True)
                else:
                    value = copy.deepcopy(value)
                restored[name] = value
            state[p] = restored

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups
