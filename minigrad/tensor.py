"""``Tensor``: a NumPy array that remembers how it was computed.

Each operation below is written as its forward computation followed by its
``backward(g)``: given ``g``, the gradient of the final output with respect to
this operation's result, it returns the gradient with respect to each input
(a vector-Jacobian product). The engine in :mod:`minigrad.autograd` chains
them together and takes care of broadcasting, so a ``backward`` may return a
gradient of the broadcast (output) shape.

A ``backward`` returns every input's gradient and the engine drops those no
input needs, except where the unneeded one would cost a matmul or could warn
(``0 * inf`` in ``mul``, ``log 0`` in ``pow``): there it checks
``requires_grad`` first.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import autograd
from .autograd import make_result

_BASIC_INDEX_TYPES = (int, np.integer, slice, type(None), type(Ellipsis))


def _fmt_shape(shape) -> str:
    return str(tuple(shape))


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Parameters
    ----------
    data : array_like
        Copied into a new ``np.ndarray``. Python floats and lists of floats
        become float64; float32 arrays and NumPy float32 scalars stay float32;
        integers stay integers.
    requires_grad : bool
        Record operations on this tensor so ``backward`` can fill ``.grad``.
        Only floating-point tensors can require gradients.
    dtype : optional
        Cast the data to this NumPy dtype.
    """

    __slots__ = ("data", "requires_grad", "_grad", "_ctx", "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is not None:
            try:
                dtype = np.dtype(dtype)
            except TypeError:
                raise TypeError(f"Tensor: dtype must be a NumPy dtype, got {_short_repr(dtype)}") from None
        _check_bool("Tensor", "requires_grad", requires_grad)
        try:
            array = np.array(data, dtype=dtype, copy=True)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Tensor: cannot make an array from {type(data).__name__}: {exc}") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: data must be numeric, got dtype {array.dtype}")
        if dtype is None and array.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
            array = array.astype(np.float64, copy=False)
        self.data = array
        self._grad = None
        self._ctx = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array):
        """Wrap an array produced by an op (no copy, no checks)."""
        t = object.__new__(Tensor)
        t.data = array
        t.requires_grad = False
        t._grad = None
        t._ctx = None
        return t

    # ------------------------------------------------------------------ basics
    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return ``self``."""
        _check_bool("requires_grad_", "requires_grad", requires_grad)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        """Gradient accumulated by ``backward``: an array of ``self.shape``, or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"assigned grad must be a numeric array, got {_short_repr(value)}")
            if value.shape != self.data.shape:
                raise ValueError(
                    f"assigned grad has shape {_fmt_shape(value.shape)}, "
                    f"but the tensor has shape {_fmt_shape(self.data.shape)}"
                )
            if value.dtype != self.data.dtype:  # a gradient has its tensor's dtype
                value = value.astype(self.data.dtype)
        self._grad = value

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves)."""
        return self._ctx

    @property
    def is_leaf(self):
        return self._ctx is None

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    # Without these, Python falls back on __len__ and __getitem__ and answers
    # quietly and wrongly: bool() of [1., 2.] is True, a 0-d tensor iterates as
    # empty, and ``1.0 in t`` compares tensors by identity (always False).
    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.data.size} elements "
                f"(shape {_fmt_shape(self.shape)}) is ambiguous; only a one-element "
                "tensor converts to bool"
            )
        return bool(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, value):
        _, raw = _operand(value, "in", "element")
        return bool(np.any(self.data == raw))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can be converted to a number, "
                f"got shape {_fmt_shape(self.shape)}"
            )
        return self.data.item()

    def numpy(self):
        """The underlying array (shared, not copied), like ``torch.Tensor.numpy``."""
        return self.data

    def detach(self):
        """A new leaf sharing this tensor's data, cut off from the graph."""
        return Tensor._wrap(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extras = ""
        if self.data.dtype != np.float64 and self.data.dtype.kind == "f":
            extras += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extras += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({body}{extras})"

    # ---------------------------------------------------------------- backward
    def backward(self, grad=None, retain_graph=False):
        """Compute the gradient of this tensor with respect to every leaf.

        ``grad`` is d(final quantity)/d(self); it may be omitted for a tensor
        with a single element (it is then 1). Leaf gradients accumulate in
        ``.grad``; intermediate gradients are not kept.
        """
        _check_bool("backward", "retain_graph", retain_graph)
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph "
                "(was it computed from tensors with requires_grad=True, outside no_grad?)"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for a single-element "
                    f"output, but this tensor has shape {_fmt_shape(self.shape)}; pass "
                    "grad= of that shape"
                )
            grad = np.empty_like(self.data)
            grad.fill(1)
        else:
            grad = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
            if grad.dtype.kind not in "biuf":
                raise TypeError(f"backward: grad must be a numeric array, got {_short_repr(grad)}")
            if grad.shape != self.data.shape:
                raise ValueError(
                    f"backward: grad has shape {_fmt_shape(grad.shape)}, but the "
                    f"output has shape {_fmt_shape(self.shape)}"
                )
            if grad.dtype != self.data.dtype:
                grad = grad.astype(self.data.dtype)
        autograd.run_backward(self, grad, retain_graph)

    # -------------------------------------------------------- binary operators
    def __add__(self, other):
        other, b = _operand(other, "add")
        def backward(g):
            return g, g
        return make_result(Tensor, _broadcasting("add", np.add, self.data, b), (self, other), backward, "add")

    __radd__ = __add__

    def __sub__(self, other):
        other, b = _operand(other, "sub")
        def backward(g):
            return g, -g
        return make_result(Tensor, _broadcasting("sub", np.subtract, self.data, b), (self, other), backward, "sub")

    def __rsub__(self, other):
        other, b = _operand(other, "sub")
        def backward(g):
            return -g, g
        return make_result(Tensor, _broadcasting("sub", np.subtract, b, self.data), (self, other), backward, "sub")

    def __mul__(self, other):
        other, b = _operand(other, "mul")
        a = self.data
        def backward(g):
            # only the sides that need it: a constant's side would cost a pass and,
            # with an infinite input, warn about 0 * inf for a gradient nobody uses
            return (g * b if self.requires_grad else None,
                    g * a if other is not None and other.requires_grad else None)
        return make_result(Tensor, _broadcasting("mul", np.multiply, a, b), (self, other), backward, "mul")

    __rmul__ = __mul__

    def __truediv__(self, other):
        other, b = _operand(other, "div")
        a = self.data
        def backward(g):
            ga = g / b
            return ga, (-ga * a / b if other is not None and other.requires_grad else None)
        return make_result(Tensor, _broadcasting("div", np.divide, a, b), (self, other), backward, "div")

    def __rtruediv__(self, other):
        other, b = _operand(other, "div")
        a = self.data
        out = _broadcasting("div", np.divide, b, a)
        def backward(g):
            # a constant numerator's g / a would warn at a = 0 for nothing
            return -g * out / a, (g / a if other is not None and other.requires_grad else None)
        return make_result(Tensor, out, (self, other), backward, "div")

    def __pow__(self, exponent):
        exponent, e = _operand(exponent, "pow", "exponent")
        return _power(self, self.data, exponent, e)

    def __rpow__(self, base):
        base, b = _operand(base, "pow", "base")
        return _power(base, b, self, self.data)

    def __matmul__(self, other):
        other, b = _operand(other, "matmul")
        return _matmul(self, self.data, other, b)

    def __rmatmul__(self, other):
        other, a = _operand(other, "matmul")
        return _matmul(other, a, self, self.data)

    def __neg__(self):
        def backward(g):
            return (-g,)
        return make_result(Tensor, -self.data, (self,), backward, "neg")

    def __pos__(self):
        return self

    # ------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (int, tuple, or None for all)."""
        axes = _normalize_axes("sum", axis, self.data.ndim)
        _check_bool("sum", "keepdims", keepdims)
        shape = self.data.shape
        kept = _kept_shape(shape, axes)
        def backward(g):
            return (np.broadcast_to(g.reshape(kept), shape),)
        return make_result(Tensor, self.data.sum(axis=axes, keepdims=keepdims), (self,), backward, "sum")

    def mean(self, axis=None, keepdims=False):
        """Arithmetic mean over ``axis``."""
        axes = _normalize_axes("mean", axis, self.data.ndim)
        _check_bool("mean", "keepdims", keepdims)
        shape = self.data.shape
        count = 1
        for ax in axes:
            count *= shape[ax]
        if count == 0:
            raise ValueError(f"mean: cannot average over an empty axis of shape {_fmt_shape(shape)}")
        kept = _kept_shape(shape, axes)
        def backward(g):
            return (np.broadcast_to(g.reshape(kept) / count, shape),)
        return make_result(Tensor, self.data.mean(axis=axes, keepdims=keepdims), (self,), backward, "mean")

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``. Ties share the gradient equally.

        A nan is the maximum of its slice (NumPy and PyTorch propagate it), so
        the gradient goes to the nan entries, as PyTorch's ``max()`` does.
        """
        axes = _normalize_axes("max", axis, self.data.ndim)
        _check_bool("max", "keepdims", keepdims)
        a = self.data
        for ax in axes:
            if a.shape[ax] == 0:
                raise ValueError(
                    f"max: cannot take the maximum of an empty tensor slice: axis {ax} "
                    f"of shape {_fmt_shape(a.shape)} has length 0"
                )
        peak = a.max(axis=axes, keepdims=True)
        def backward(g):
            winners = a == peak
            if np.isnan(peak).any():
                winners |= np.isnan(a) & np.isnan(peak)
            share = winners / winners.sum(axis=axes, keepdims=True)
            return (g.reshape(peak.shape) * share,)
        out = peak if keepdims else peak.squeeze(axis=axes)
        return make_result(Tensor, out, (self,), backward, "max")

    # ------------------------------------------------------------ shape ops
    def reshape(self, *shape):
        """A tensor with the same elements in a new shape (``-1`` infers one axis)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        for n in shape:
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(f"reshape: shape must be integers, got {shape!r}")
        original = self.data.shape
        try:
            out = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {_fmt_shape(original)} "
                f"({self.data.size} elements) into {_fmt_shape(shape)}"
            ) from None
        def backward(g):
            return (g.reshape(original),)
        return make_result(Tensor, out, (self,), backward, "reshape")

    def transpose(self, *axes):
        """Permute axes; with no arguments, reverse them."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        ndim = self.data.ndim
        if not axes:
            axes = tuple(range(ndim))[::-1]
        for a in axes:
            if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
                raise TypeError(f"transpose: axes must be integers, got {axes!r}")
        if sorted(a % ndim if -ndim <= a < ndim else a for a in axes) != list(range(ndim)):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {ndim} axes "
                f"of a tensor of shape {_fmt_shape(self.shape)}"
            )
        axes = tuple(a % ndim for a in axes)
        inverse = tuple(np.argsort(axes))
        def backward(g):
            return (g.transpose(inverse),)
        return make_result(Tensor, self.data.transpose(axes), (self,), backward, "transpose")

    @property
    def T(self):
        return self.transpose()

    def __getitem__(self, index):
        index = _plain_index(index)
        try:
            out = self.data[index]
        except IndexError as exc:
            raise IndexError(f"index: {exc} (tensor shape {_fmt_shape(self.shape)})") from None
        shape, dtype = self.data.shape, self.data.dtype
        basic = _is_basic_index(index)
        def backward(g):
            full = np.zeros(shape, dtype=dtype)
            if basic:
                full[index] = g
            else:
                np.add.at(full, index, g)  # repeated indices must add up
            return (full,)
        return make_result(Tensor, out, (self,), backward, "index")

    # ------------------------------------------------------ elementwise math
    def exp(self):
        out = np.exp(self.data)
        def backward(g):
            return (g * out,)
        return make_result(Tensor, out, (self,), backward, "exp")

    def log(self):
        a = self.data
        def backward(g):
            return (g / a,)
        return make_result(Tensor, np.log(a), (self,), backward, "log")

    def sqrt(self):
        out = np.sqrt(self.data)
        def backward(g):
            return (g / (2 * out),)
        return make_result(Tensor, out, (self,), backward, "sqrt")

    def abs(self):
        a = self.data
        def backward(g):
            # sign(0) = 0 picks the middle of the kink; a nan passes no gradient (as in PyTorch)
            return (g * np.where(np.isnan(a), 0, np.sign(a)),)
        return make_result(Tensor, np.abs(a), (self,), backward, "abs")

    __abs__ = abs

    def tanh(self):
        out = np.tanh(self.data)
        def backward(g):
            return (g * (1 - out * out),)
        return make_result(Tensor, out, (self,), backward, "tanh")

    def sigmoid(self):
        out = _stable_sigmoid(self.data)
        def backward(g):
            return (g * out * (1 - out),)
        return make_result(Tensor, out, (self,), backward, "sigmoid")

    def relu(self):
        out = np.maximum(self.data, 0)
        def backward(g):
            # gradient 0 at the kink x = 0; relu(nan) = nan passes g on, as in PyTorch
            return (g * (out != 0),)
        return make_result(Tensor, out, (self,), backward, "relu")


# ---------------------------------------------------------------- helpers
def _short_repr(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_bool(where, name, value):
    # a truthy string or None silently meaning True/False hides a typo
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {_short_repr(value)}")


def _operand(x, where, name="operand"):
    """Split an operand into (tensor or None, raw data).

    Python numbers stay Python numbers, so they do not promote float32 data
    to float64 (NumPy treats them as "weak" scalars). Arrays and lists are
    constants. Anything else is a TypeError naming ``where`` and ``name``.
    """
    if isinstance(x, Tensor):
        return x, x.data
    if isinstance(x, numbers.Number) and not isinstance(x, np.generic):
        if isinstance(x, complex):
            raise TypeError(f"{where}: unsupported {name}: complex numbers are not supported, got {x!r}")
        return None, x
    try:
        array = np.asarray(x)
    except Exception:
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: unsupported {name}: expected a Tensor, an array or a number, "
            f"got {type(x).__name__} {_short_repr(x)}"
        )
    return None, array


def tensor_argument(x, where, name="input"):
    """The one rule for tensor arguments: a Tensor as it is; an array, list or
    number as a constant Tensor (no gradient), as the binary operators take
    them; anything else a TypeError naming the function and the argument."""
    if isinstance(x, Tensor):
        return x
    return Tensor(_operand(x, where, name)[1])


def _broadcasting(name, ufunc, a, b):
    try:
        return ufunc(a, b)
    except ValueError as exc:
        try:
            np.broadcast_shapes(np.shape(a), np.shape(b))
        except ValueError:
            raise ValueError(
                f"{name}: shapes {_fmt_shape(np.shape(a))} and {_fmt_shape(np.shape(b))} "
                "cannot be broadcast together"
            ) from None
        # the shapes are fine: NumPy refused the values (int ** negative int)
        raise ValueError(
            f"{name}: {exc} (operands of dtype {np.result_type(a)} and {np.result_type(b)})"
        ) from None


def _power(base, a, exponent, e):
    """``a ** e`` (``base`` and ``exponent`` are the Tensors, or None for constants).

    The gradients are ``e a^(e-1)`` for the base and ``a^e log a`` for the
    exponent. Where these give 0 * inf, PyTorch's values: the base gradient is
    0 where e == 0 (``a ** 0`` is the constant 1, even at a = 0), and the
    exponent gradient is 0 where a == 0 and e >= 0 (its limit as a -> +0). A
    negative base has a nan exponent gradient (a^e is not real for nearby e),
    as in PyTorch. The lanes these rules replace would warn, hence the errstate.
    """
    out = _broadcasting("pow", np.power, a, e)

    def backward(g):
        ga = ge = None
        if base is not None and base.requires_grad:
            if not isinstance(e, np.ndarray):  # a Python number (x ** 2): the common case, kept cheap
                ga = np.zeros_like(g) if e == 0 else g * e * a ** (e - 1)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = np.where(e == 0, 0, g * e * a ** (e - 1))
        if exponent is not None and exponent.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                ge = g * np.where(np.equal(a, 0) & np.greater_equal(e, 0), 0, out * np.log(a))
        return ga, ge

    return make_result(Tensor, out, (base, exponent), backward, "pow")


def _matmul(left, a, right, b):
    a_shape, b_shape = np.shape(a), np.shape(b)
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(
            f"matmul: both operands need at least one dimension, got shapes "
            f"{_fmt_shape(a_shape)} and {_fmt_shape(b_shape)}"
        )
    k_a = a_shape[-1]
    k_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if k_a != k_b:
        raise ValueError(
            f"matmul: cannot multiply {_fmt_shape(a_shape)} by {_fmt_shape(b_shape)} "
            f"(inner dimensions {k_a} and {k_b} differ)"
        )
    try:
        out = np.matmul(a, b)
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of {_fmt_shape(a_shape)} and {_fmt_shape(b_shape)} "
            "cannot be broadcast together"
        ) from None

    def backward(g):
        if a.ndim == 1 and b.ndim == 1:  # inner product: g is a scalar
            return g * b, g * a
        # treat vectors as matrices: a (k,) is a row (1, k), b (k,) a column (k, 1)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if left is not None and left.requires_grad:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if right is not None and right.requires_grad:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    return make_result(Tensor, out, (left, right), backward, "matmul")


def _normalize_axes(name, axis, ndim):
    """Axis argument -> sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    normalized = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool):
            raise TypeError(f"{name}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= ax < ndim:
            raise ValueError(f"{name}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(ax) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name}: repeated axis in {axis!r}")
    return tuple(sorted(normalized))


def _kept_shape(shape, axes):
    """The shape a reduction over ``axes`` has with ``keepdims=True``."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _plain_index(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_basic_index(index):
    """Basic (view) indexing never repeats an element, so ``full[index] = g`` suffices."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, _BASIC_INDEX_TYPES) and not isinstance(i, bool) for i in parts)


def _stable_sigmoid(a):
    # exp of a non-positive number only: no overflow for any input
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
