"""Adafactor (Shazeer & Stern, 2018), in PyTorch 2.13's form (``torch.optim.Adafactor``).

Adafactor keeps no first moment and, for a matrix gradient G (n x m), not
Adam's n*m second moments but their row means R (n) and column means C (m),
and rebuilds the second moment as the rank-1 matrix R C^T / mean(R).  A tensor
of higher rank is factored over its last two dimensions (one R and C per
leading index); a vector keeps a full second moment.  The step is *relative*:
its size is rho_t times the RMS of the parameter itself (never below eps2), and
the normalised update U is scaled down whenever its RMS exceeds d ("update
clipping"), because the slowly growing beta2_t makes v lag behind g^2.

Differences from the paper, all PyTorch's (its documentation lists them):

* the paper has no learning rate; torch's ``lr`` caps the relative step,
  rho_t = min(lr, 1/sqrt(t)), where the paper uses the constant 0.01 (the
  default lr, so the defaults agree), and multiplies the weight decay;
* the paper adds eps1 = 1e-30 to g^2 before averaging; torch instead clamps
  the rebuilt second moment below at eps1^2 and mean(R) at eps1, with eps1
  the dtype's machine epsilon when ``eps[0]`` is None;
* weight decay is not in the paper; torch's is decoupled, p <- p (1 - lr lambda),
  applied after the parameter's RMS is measured.  Its ``weight_decay``
  defaults to 0.0 in the signature although its docstring says 1e-2; minigrad
  follows the signature (the behaviour).
"""

from __future__ import annotations

import numpy as np

from ._kernels import add_
from .optimizer import (_HYPERPARAMETERS, Optimizer, _check_nonnegative, _hyperparameters,
                        _is_real)

__all__ = ["Adafactor"]


def _check_eps_pair(eps) -> tuple:
    """Adafactor's ``eps = (eps1 or None, eps2)``, each finite and >= 0."""
    try:
        eps1, eps2 = eps
    except (TypeError, ValueError):
        raise ValueError(f"eps must be a pair (eps1 or None, eps2), but got {eps!r}") from None
    if eps1 is not None:
        eps1 = float(_check_nonnegative("epsilon1 value", eps1, "eps[0]"))
    return (eps1, float(_check_nonnegative("epsilon2 value", eps2, "eps[1]")))


def _rms(x: np.ndarray) -> float:
    return float(np.linalg.norm(x.ravel())) / max(x.size, 1) ** 0.5


class Adafactor(Optimizer):
    """Adafactor.

    For one parameter p with gradient g at step t = 1, 2, ..., with tau =
    ``beta2_decay`` (R, C, v start at 0)::

        g     <- -g                                    (maximize=True: ascend)
        w_t   =  t^tau                                 (= 1 - beta2_t: 1 at t = 1, then falls)
        rho_t =  min(eta, 1 / sqrt(t))                 (relative step size)
        a_t   =  max(eps2, RMS(p)) * rho_t             (absolute step size)
        p     <- p * (1 - eta * lambda)                (weight_decay = lambda, decoupled)
        if p has 2 or more dimensions, over the last two (n x m):
            R  <- R + w_t * (mean_j g^2 - R)           (row means, shape n x 1)
            C  <- C + w_t * (mean_i g^2 - C)           (column means, shape 1 x m)
            V  =  R C / max(mean_i R, eps1)            (rank-1 second moment)
        else:
            v  <- v + w_t * (g^2 - v);  V = v
        U     =  g / sqrt(max(V, eps1^2))
        p     <- p - a_t / max(1, RMS(U) / d) * U      (update clipping at d)

    eps1 = machine epsilon of p's dtype when ``eps[0]`` is None.

    Arguments (PyTorch's names and defaults): ``lr`` eta = 1e-2, ``beta2_decay``
    tau = -0.8 (<= 0), ``eps`` (None, 1e-3), ``d`` = 1.0 (>= 1),
    ``weight_decay`` lambda = 0.0, keyword-only ``foreach`` None (accepted
    for compatibility; there is one code path) and ``maximize`` False.
    State: ``step`` t, and ``row_var`` R and ``col_var`` C (2 or more
    dimensions) or ``variance`` v (0 or 1 dimension).
    """

    _weight_decay = "own"  # after RMS(p) is measured, as torch does
    _work_arrays = 2
    _checks = {**_HYPERPARAMETERS, "eps": _check_eps_pair}

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False) -> None:
        super().__init__(params, _hyperparameters(locals()))

    def _state_names(self, group):
        return ("step", "row_var", "col_var", "variance")

    def _state_shape(self, name, shape):
        if name == "row_var":
            return shape[:-1] + (1,)
        if name == "col_var":
            return shape[:-2] + (1,) + shape[-1:]
        return shape

    def _init_state(self, state, data, group):
        state["step"] = 0
        if data.ndim > 1:
            state["row_var"] = np.zeros(self._state_shape("row_var", data.shape), data.dtype)
            state["col_var"] = np.zeros(self._state_shape("col_var", data.shape), data.dtype)
        else:
            state["variance"] = np.zeros_like(data)

    def _update(self, p, g, state, group, g2, U):
        eta, lam = group["lr"], group["weight_decay"]
        eps1, eps2 = group["eps"]
        eps1 = np.finfo(p.dtype).eps if eps1 is None else eps1
        state["step"] += 1
        t = state["step"]
        w = t ** group["beta2_decay"]
        alpha = max(eps2, _rms(p)) * min(eta, t ** -0.5)
        if lam != 0:
            p *= 1 - eta * lam
        np.square(g, out=g2)
        if p.ndim > 1:
            R, C = state["row_var"], state["col_var"]
            R += w * (g2.mean(axis=-1, keepdims=True) - R)
            C += w * (g2.mean(axis=-2, keepdims=True) - C)
            V = np.matmul(R, C, out=U)
            V /= np.maximum(R.mean(axis=-2, keepdims=True), eps1)
        else:
            v = state["variance"]
            v += w * (g2 - v)
            np.copyto(U, v)
            V = U
        np.sqrt(np.maximum(V, eps1 * eps1, out=V), out=V)
        U = np.divide(g, V, out=U)
        add_(p, U, -alpha / max(1.0, _rms(U) / group["d"]), g2)
