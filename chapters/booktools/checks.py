"""Exercise checkers: run the reader's code against a reference and say clearly what differs.

The reader writes an update rule with the signature used everywhere in the book
(see :mod:`booktools.trajectories`)::

    def my_sgd(x, g, state, lr):
        return x - lr * g

    check_update(my_sgd, "sgd", lr=0.1)

:func:`check_update` runs the rule and the reference (a ``minigrad.optim`` optimizer
given by name or class, or another rule function) side by side on a few seeded
random problems and compares every step. It prints one success line, or raises
``AssertionError`` naming the problem, the first differing step, the input and both
outputs.
"""

from __future__ import annotations

import numpy as np

from .trajectories import make_stepper

__all__ = ["OPTIMIZERS", "check_update", "check_close"]

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
