"""Exercise checkers: run the reader's code against a reference and say clearly what differs.

The reader writes an update rule with the signature used everywhere in the book
(see :mod:`booktools.runners`)::

    def my_sgd(x, g, state, lr):
        return x - lr * g

    check_update(my_sgd, "sgd", lr=0.1)

:func:`check_update` runs the rule and the reference (a ``minigrad.optim`` optimizer
given by name or class, or another rule function) side by side on a few seeded
random problems and compares every step. It prints one success line, or raises
``AssertionError`` naming the problem, the first differing step, the input and both
outputs.

:func:`check_unary_op` and :func:`check_matmul_vjp` check the automatic-differentiation
exercises (chapter 1) against central finite differences or minigrad's backward pass.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Sequence

import numpy as np

from .runners import make_stepper

__all__ = ["OPTIMIZERS", "check_update", "check_close", "claim", "check_unary_op", "check_matmul_vjp",
           "check_weight_decay_limit"]

#: Names accepted by ``check_update(..., reference=name)`` -> ``minigrad.optim`` class name.
OPTIMIZERS = {
    "sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW",
    "nadam": "NAdam", "adadelta": "Adadelta", "adamax": "Adamax",
}


def _reference_kwargs(reference):
    if isinstance(reference, str):
        key = reference.lower()
        if key not in OPTIMIZERS:
            raise ValueError(f"unknown reference {reference!r}; use one of {sorted(OPTIMIZERS)}, "
                             "a minigrad.optim class or an update-rule function")
        import minigrad.optim

        cls = getattr(minigrad.optim, OPTIMIZERS[key])
        return {"optimizer": cls}, f"minigrad.optim.{cls.__name__}"
    if isinstance(reference, type):
        return {"optimizer": reference}, f"{reference.__module__}.{reference.__name__}"
    if callable(reference):
        return {"rule": reference}, getattr(reference, "__name__", "reference rule")
    raise TypeError(f"reference must be a name, an optimizer class or a rule function, got {reference!r}")


def _problems(rng, n_problems):
    """Yield ``(description, dim, x0, grad_fn(x, t))``: random quadratics and random gradients."""
    dims = [1, 2, 3, 5]
    for k in range(n_problems):
        d = dims[k % len(dims)]
        x0 = rng.normal(0.0, 2.0, d)
        if k % 2 == 0:
            q, _ = np.linalg.qr(rng.normal(size=(d, d)))
            eig = rng.uniform(0.1, 3.0, d)
            A = (q * eig) @ q.T
            c = rng.normal(size=d)
            yield (f"random quadratic in {d}-D (Hessian eigenvalues {np.round(np.sort(eig), 3).tolist()})",
                   d, x0, lambda x, t, A=A, c=c: A @ (x - c))
        else:
            G = rng.normal(0.0, 1.0, (1000, d)) * rng.uniform(0.1, 5.0, d)
            yield (f"random gradient sequence in {d}-D (badly scaled coordinates)", d, x0,
                   lambda x, t, G=G: G[(t - 1) % len(G)] + 0.1 * x)


def check_update(step_fn, reference="sgd", *, n_problems: int = 4, n_steps: int = 25,
                 seed: int = 0, rtol: float = 1e-9, atol: float = 1e-12, quiet: bool = False,
                 scheduler=None, rule_kwargs=None, **hyper) -> None:
    """Check a from-scratch update rule step by step against a reference.

    Parameters
    ----------
    step_fn : the reader's rule ``step_fn(x, g, state, **hyper) -> new_x``
    reference : ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ... (see :data:`OPTIMIZERS`),
        a ``minigrad.optim`` class, or a rule function with the same signature as ``step_fn``
    n_problems, n_steps, seed : how many seeded random problems, and steps on each
    rtol, atol : tolerance of the comparison (``np.allclose``)
    **hyper : hyperparameters passed to both, with minigrad/PyTorch names (``lr=0.1``, ...)
    scheduler : factory ``optimizer -> lr scheduler`` for an optimizer reference, stepped after
        every update (e.g. ``lambda o: InverseTimeDecay(o, decay=0.5)``)
    rule_kwargs : extra keyword arguments for ``step_fn`` only (e.g. ``{"decay": 0.5}`` when the
        reference gets its schedule from ``scheduler``)

    Raises ``AssertionError`` at the first step where the two disagree.
    """
    if n_problems < 1 or n_steps < 1:
        raise ValueError(f"n_problems and n_steps must be >= 1, got {n_problems} and {n_steps}")
    ref_kw, ref_name = _reference_kwargs(reference)
    if scheduler is not None:
        if "optimizer" not in ref_kw:
            raise ValueError("scheduler= needs an optimizer reference (a name or a minigrad.optim class)")
        ref_kw["scheduler"] = scheduler
        ref_name += " + scheduler"
    rule_kwargs = dict(rule_kwargs or {})
    user_name = getattr(step_fn, "__name__", "your rule")
    shown = ", ".join(f"{k}={v}" for k, v in {**hyper, **rule_kwargs}.items()) or "defaults"
    rng = np.random.default_rng(seed)
    for k, (desc, d, x0, grad_fn) in enumerate(_problems(rng, n_problems), start=1):
        mine, _ = make_stepper(x0, rule=step_fn, **hyper, **rule_kwargs)
        ref, _ = make_stepper(x0, **ref_kw, **hyper)
        x_mine = x_ref = np.array(x0)
        for t in range(1, n_steps + 1):
            g_mine, g_ref = grad_fn(x_mine, t), grad_fn(x_ref, t)
            try:
                new_mine = mine(g_mine)
            except AssertionError:
                raise
            except Exception as exc:
                raise AssertionError(
                    f"{user_name} raised {type(exc).__name__}: {exc}\n"
                    f"  at step t={t} of problem {k} ({desc}), x={x_mine}, g={g_mine}") from exc
            new_ref = ref(g_ref)
            if not np.allclose(new_mine, new_ref, rtol=rtol, atol=atol):
                i = int(np.argmax(np.abs(new_mine - new_ref)))
                raise AssertionError(
                    f"{user_name} differs from {ref_name} ({shown}) at step t={t} "
                    f"of problem {k}: {desc}\n"
                    f"  x before the step: {x_mine}\n"
                    f"  gradient g:        {g_mine}\n"
                    f"  expected x:        {new_ref}\n"
                    f"  your x:            {new_mine}\n"
                    f"  largest difference in coordinate {i}: {new_mine[i] - new_ref[i]:.6g}")
            x_mine, x_ref = new_mine, new_ref
    if not quiet:
        print(f"✔ {user_name} matches {ref_name} ({shown})\n"
              f"  on {n_problems} random problems, {n_steps} steps each.")


def check_close(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 0.0) -> None:
    """Check a numeric answer; prints a success line or raises ``AssertionError`` with both values."""
    got_a, exp_a = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got_a.shape != exp_a.shape:
        raise AssertionError(f"{name}: expected shape {exp_a.shape}, got shape {got_a.shape}")
    if not np.allclose(got_a, exp_a, rtol=rtol, atol=atol):
        raise AssertionError(f"{name}: expected {expected}, got {got} (rtol={rtol}, atol={atol})")
    print(f"✔ {name} = {got}")


_QUOTED = re.compile(r"^\s*(?P<op><=|>=|≤|≥|<|>|≈|~)?\s*(?P<num>[-−+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>%|x|×)?\s*$")


def _parse_quoted(quoted: str):
    """``"18.6"`` -> (None, 18.6, 0.05); ``"< 0.1"`` -> ("<", 0.1, 0.0); ``"12%"`` -> (None, 0.12, 0.005)."""
    m = _QUOTED.match(quoted)
    if not m:
        raise ValueError(f"claim(): cannot read the quoted number {quoted!r}; write it as the prose "
                         f"does, e.g. '18.6', '≈ 10', '< 0.1', '12%', '3x'")
    text = m["num"].replace(",", "").replace("−", "-")
    value = float(text)
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)  # "1.5e-8": within 0.05e-8
    if m["unit"] == "%":
        value, half_unit = value / 100.0, half_unit / 100.0
    op = {"≤": "<=", "≥": ">=", "~": "≈"}.get(m["op"], m["op"])
    return op, value, half_unit


def claim(what: str, value, quoted=None, *, rtol: float | None = None, atol: float | None = None):
    """Assert a number (or fact) the prose states, next to the sentence that states it.

    ``quoted`` is the number exactly as the prose writes it. Without an explicit tolerance
    the value must round to it at the precision shown (``"18.6"``: within 0.05; ``"417"``:
    within 0.5; ``"12%"``: within 0.005 of 0.12); ``"≈ 10"`` allows 5 % either way; ``"< 0.1"``,
    ``"> 20"``, ``"≤ …"``, ``"≥ …"`` compare. Without ``quoted``, ``value`` is a truth the
    prose states (``claim("Nesterov converges", err < 1e-8)``). Prints one ✔ line, or raises
    ``AssertionError`` naming the claim, the value obtained and what the prose says.
    Returns None, so that a claim ending a cell adds no ``np.float64(...)`` output to the page.
    """
    if quoted is None:
        if not bool(value):
            raise AssertionError(f"claim does not hold: {what}")
        print(f"✔ {what}")
        return None
    op, target, half_unit = _parse_quoted(str(quoted))
    v = float(value)
    if op in ("<", "<=", ">", ">="):
        ok = {"<": v < target, "<=": v <= target, ">": v > target, ">=": v >= target}[op]
    else:
        if rtol is None and atol is None:
            rtol, atol = (0.05, 0.0) if op == "≈" else (0.0, half_unit * (1 + 1e-9))
        ok = math.isfinite(v) and abs(v - target) <= (atol or 0.0) + (rtol or 0.0) * abs(target)
    if not ok:
        raise AssertionError(f"claim does not hold: {what}: computed {v:.6g}, the prose says {quoted}")
    print(f"✔ {what}: {v:.6g} ({quoted})")
    return None


_DEFAULT_POINTS = (-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0)


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= atol + rtol * abs(b)


def check_unary_op(
    value_cls,
    op: Callable,
    f: Callable[[float], float],
    points: Sequence[float] = _DEFAULT_POINTS,
    h: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> bool:
    """Check a one-input operation of a scalar autodiff class.

    ``value_cls`` is the chapter's ``Value`` class (anything with ``.data``,
    ``.grad`` and ``.backward()``); ``op(v)`` applies the operation to a
    ``Value``; ``f(x)`` is the same function on plain floats. At every point
    the result's ``.data`` must equal ``f(x)`` and the input's ``.grad``
    after ``backward()`` must equal the central difference
    ``(f(x+h) - f(x-h)) / (2h)``.
    """
    if not points:
        raise ValueError("check_unary_op: points must not be empty")
    for x in points:
        x = float(x)
        v = value_cls(x)
        out = op(v)
        if not isinstance(out, value_cls):
            raise AssertionError(
                f"at x = {x}: the operation returned {type(out).__name__}, "
                f"expected a {value_cls.__name__} (did you wrap the result?)"
            )
        expected = f(x)
        if not _close(out.data, expected, rtol, atol):
            raise AssertionError(
                f"forward value wrong at x = {x}: got {out.data!r}, expected {expected!r}"
            )
        out.backward()
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        if not _close(v.grad, numeric, 1e-5, 1e-7):
            raise AssertionError(
                f"gradient wrong at x = {x}: backward gave {v.grad!r}, "
                f"central difference gives {numeric!r}"
            )
    print(f"OK: value and gradient agree with f and its finite difference at {len(points)} points")
    return True


def check_matmul_vjp(vjp: Callable, seed: int = 0) -> bool:
    """Check a vector-Jacobian product for ``C = A @ B``.

    ``vjp(A, B, C_bar)`` must return ``(A_bar, B_bar)``: the gradients of
    ``sum(C_bar * (A @ B))`` with respect to ``A`` and ``B``. They are compared
    with minigrad's backward pass for several shapes.
    """
    from minigrad import Tensor

    rng = np.random.default_rng(seed)
    for n, k, m in [(3, 4, 2), (1, 5, 1), (4, 1, 3), (2, 2, 2)]:
        A = rng.standard_normal((n, k))
        B = rng.standard_normal((k, m))
        C_bar = rng.standard_normal((n, m))
        got = vjp(A.copy(), B.copy(), C_bar.copy())
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError("vjp must return a pair (A_bar, B_bar)")
        tA, tB = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
        (tA @ tB).backward(C_bar)
        for name, mine, ref in [("A_bar", got[0], tA.grad), ("B_bar", got[1], tB.grad)]:
            mine = np.asarray(mine)
            if mine.shape != ref.shape:
                raise AssertionError(
                    f"A {A.shape} @ B {B.shape}: {name} has shape {mine.shape}, expected {ref.shape}"
                )
            if not np.allclose(mine, ref, rtol=1e-10, atol=1e-12):
                worst = np.unravel_index(np.argmax(np.abs(mine - ref)), ref.shape)
                raise AssertionError(
                    f"A {A.shape} @ B {B.shape}: {name}{list(worst)} = {mine[worst]:.6g}, "
                    f"expected {ref[worst]:.6g}"
                )
    print("OK: A_bar and B_bar match minigrad's backward for 4 shapes")
    return True


def check_weight_decay_limit(limit_fn, *, n_problems: int = 4, seed: int = 0) -> None:
    """Check ``limit_fn(h, c, weight_decay)``: where gradient descent with weight decay converges
    on ``f(theta) = 1/2 sum_i h_i (theta_i - c_i)^2``.

    The reference is not a formula but long runs of ``minigrad.optim.SGD(weight_decay=...)`` on
    seeded random problems (stable learning rate, enough steps for 1e-12 accuracy).
    """
    import minigrad
    from minigrad.optim import SGD

    rng = np.random.default_rng(seed)
    for k in range(1, n_problems + 1):
        d = 1 + k
        h, c = rng.uniform(0.05, 3.0, d), rng.normal(0.0, 2.0, d)
        weight_decay = float(rng.choice([0.01, 0.1, 0.5]))
        p = minigrad.nn.Parameter(np.zeros(d))
        lr = 1.0 / (h.max() + weight_decay)
        opt = SGD([p], lr=lr, weight_decay=weight_decay)
        n_steps = int(np.ceil(np.log(1e-14) / np.log(1 - lr * (h.min() + weight_decay)))) + 10
        for _ in range(n_steps):
            p.grad = h * (p.data - c)
            opt.step()
        got = np.asarray(limit_fn(h.copy(), c.copy(), weight_decay), dtype=np.float64)
        if got.shape != (d,):
            raise AssertionError(f"problem {k}: limit_fn returned shape {got.shape}, expected ({d},)")
        if not np.allclose(got, p.data, rtol=1e-9, atol=1e-10):
            raise AssertionError(
                f"problem {k} (h = {np.round(h, 3)}, c = {np.round(c, 3)}, weight_decay = "
                f"{weight_decay}): your limit {got}, but SGD converges to {p.data}")
    print(f"✔ {getattr(limit_fn, '__name__', 'limit_fn')} matches where minigrad.optim.SGD "
          f"converges on {n_problems} random problems")
