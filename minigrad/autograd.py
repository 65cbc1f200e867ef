"""The reverse-mode engine: graph nodes, gradient mode, and ``backward``.

Every differentiable operation in :mod:`minigrad.tensor` produces its result
through :func:`make_result`, which (when gradients are needed) attaches a
:class:`Node` recording the operation's inputs and a ``backward`` function.
``backward(g)`` receives the gradient of the final output with respect to the
operation's result and returns one vector-Jacobian product per input.

:func:`run_backward` then walks the graph once, in reverse topological order,
and applies the chain rule

.. math::  \\bar{x} = \\sum_{y \\,\\text{uses}\\, x} J_{y}(x)^\\top \\bar{y}.

Broadcasting is handled in exactly one place, :func:`unbroadcast`: an input
that NumPy broadcast in the forward pass receives the sum of its output
gradient over the broadcast axes.
"""
from __future__ import annotations

import functools

import numpy as np

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded for differentiation."""
    return _grad_enabled


class _GradMode:
    """Base for :class:`no_grad` and :class:`enable_grad`.

    Usable as a context manager or as a decorator; the previous mode is
    restored on exit, including when an exception passes through.
    """

    _enabled: bool

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self._enabled
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False  # never swallow the exception

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"{type(self).__name__}: can only decorate a function, got {type(func).__name__}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            # a fresh instance per call keeps recursion and threads re-entrant
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Do not record operations: results of ops never require grad.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    _enabled = False


class enable_grad(_GradMode):
    """Re-enable recording inside a ``no_grad`` region."""

    _enabled = True


class Node:
    """One recorded operation: its inputs and how to pull a gradient back.

    ``parents`` holds the input tensors (``None`` for constant operands such
    as Python numbers); ``backward(g)`` returns a tuple of gradients, one per
    parent. After a backward pass without ``retain_graph`` the node is
    *released*: its saved arrays and parents are dropped so intermediate
    tensors can be freed, and a second backward raises.
    """

    __slots__ = ("parents", "backward", "op")

    def __init__(self, parents, backward, op):
        self.parents = parents
        self.backward = backward
        self.op = op

    def release(self):
        self.parents = ()
        self.backward = None

    def __repr__(self):
        return f"<{self.op}>"


def make_result(tensor_cls, data, parents, backward, op):
    """Wrap ``data`` as the result of ``op``, recording the node if needed."""
    out = tensor_cls._wrap(data)
    if _grad_enabled:
        for p in parents:
            if p is not None and p.requires_grad:
                out.requires_grad = True
                out._ctx = Node(parents, backward, op)
                break
    return out


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes along which an input of ``shape`` was broadcast.

    If NumPy stretched an input of shape ``(3, 1)`` to ``(2, 3, 4)``, each input
    element fed many outputs, so its gradient is the sum over the new leading
    axis and over the stretched axis: the result has shape ``(3, 1)`` again.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def topological_order(root, include_leaves=True):
    """Tensors reachable from ``root`` that require grad, outputs first.

    Every tensor comes before the tensors it was computed from. Iterative
    depth-first search, so graphs of any depth work without hitting Python's
    recursion limit. ``backward`` passes ``include_leaves=False``: leaves only
    collect gradients, so they need no place in its order.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        t, children_done = stack.pop()
        if children_done:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        if t._ctx is None:
            continue
        for p in t._ctx.parents:
            if (p is not None and p.requires_grad and id(p) not in seen
                    and (include_leaves or p._ctx is not None)):
                stack.append((p, False))
    order.reverse()
    return order


def run_backward(root, grad: np.ndarray, retain_graph: bool) -> None:
    """Propagate ``grad`` (d output / d root) to every leaf below ``root``.

    Gradients of intermediate tensors live in a local table and are combined
    out of place (``a + b``), so no array handed to or produced by an op is
    ever mutated. A leaf's gradient is accumulated as soon as it arrives:
    nothing flows on from a leaf, so order is irrelevant.
    """
    if root._ctx is None:  # backward() on a leaf itself
        _accumulate_into_leaf(root, grad)
        return
    pending = {id(root): grad}
    for t in topological_order(root, include_leaves=False):
        g = pending.pop(id(t), None)
        if g is None:
            continue
        ctx = t._ctx
        if ctx.backward is None:
            raise RuntimeError(
                f"backward: the graph through '{ctx.op}' was already freed by an "
                "earlier backward(); call backward(retain_graph=True) the first "
                "time if you need to differentiate through it twice"
            )
        input_grads = ctx.backward(g)
        for p, pg in zip(ctx.parents, input_grads):
            if pg is None or p is None or not p.requires_grad:
                continue
            data = p.data
            if pg.shape != data.shape:
                pg = unbroadcast(pg, data.shape)
            # An op may compute in a wider type than its input (float32 data times a
            # float64 constant gives float64); a gradient keeps the dtype of the
            # tensor it belongs to, as in PyTorch, so float32 graphs stay float32.
            if pg.dtype != data.dtype:
                pg = pg.astype(data.dtype)
            if p._ctx is None:
                _accumulate_into_leaf(p, pg)
            elif id(p) in pending:
                pending[id(p)] = pending[id(p)] + pg  # new array: no aliasing
            else:
                pending[id(p)] = pg
        if not retain_graph:
            ctx.release()


def _accumulate_into_leaf(t, g):
    """Add ``g`` to the leaf's ``.grad``, which never shares memory with another array.

    The first gradient is copied: it may be a view of another array, the
    caller's own upstream gradient, or the very array another leaf receives
    (``a + b`` gives both the same ``g``). Later ones are added out of place,
    so an array the caller took from ``.grad`` earlier never changes.
    """
    if t._grad is None:
        t._grad = g.copy()
    else:
        t._grad = t._grad + g
