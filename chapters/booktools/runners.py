"""Run optimizers and from-scratch update rules on test functions and on data.

Two ways to describe a method, both run by the same loop so that a notebook can
assert ``np.allclose(scratch.points, library.points)``:

* a ``minigrad.optim`` optimizer: the class (``minigrad.optim.SGD``) plus its
  hyperparameters as keyword arguments, or any factory ``params -> optimizer``;
* an update rule written from scratch in NumPy, a function
  ``rule(x, g, state, **hyper) -> new_x``. ``x`` and ``g`` are float64 arrays
  (do not modify ``x`` in place; return a new array), ``state`` is a dict
  that persists across the steps of one run (empty at the first step) and
  holds the rule's buffers; the runner sets ``state["t"]`` to the step
  number 1, 2, ... before each call.

Example::

    def gd(x, g, state, lr):
        return x - lr * g

    fn = functions.valley()
    a = run_rule(fn, (-7, 2), 30, gd, lr=0.95)
    b = run_optimizer(fn, (-7, 2), 30, minigrad.optim.SGD, lr=0.95)
    assert np.allclose(a.points, b.points)

Non-finite iterates (a diverging run) are kept as they are; the run simply goes on
(NumPy overflow warnings are silenced inside the loop).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Trajectory", "run_optimizer", "run_rule", "run_minibatch", "make_stepper",
           "has_eval_mode", "MLPRun", "train_mlp", "train_mlp_seeds", "Optimizers", "matrices_and_rest"]


@dataclass
class Trajectory:
    """The iterates of one run.

    Attributes
    ----------
    points : ndarray, shape (n_steps + 1, d)
        ``points[0]`` is the start, ``points[t]`` the iterate after ``t`` updates (for
        Schedule-Free, the averaged point x it is evaluated at, not the gradient point y).
    losses : ndarray, shape (n_steps + 1,)
        The objective ``fn.f`` at each point (the full-data loss for minibatch runs).
    label : str
        Legend text, e.g. ``"SGD η=0.95"``.
    info : dict
        Anything else the runner recorded (hyperparameters, batch size, ...).
    """

    points: np.ndarray
    losses: np.ndarray
    label: str = ""
    info: dict = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        return len(self.points) - 1

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]

    @property
    def diverged(self) -> bool:
        """True if the loss became non-finite or ended above where it started."""
        return (not np.all(np.isfinite(self.losses))) or self.losses[-1] > self.losses[0]


def has_eval_mode(opt) -> bool:
    """Whether ``opt`` evaluates at another point than it steps from (Schedule-Free): it has
    ``train()`` and ``eval()``, which the runners call around its steps and evaluations."""
    return callable(getattr(opt, "train", None)) and callable(getattr(opt, "eval", None))


def _default_label(name, hyper):
    sym = {"lr": "η", "momentum": "μ", "alpha": "α", "rho": "ρ", "eps": "ε", "betas": "β"}
    parts = [f"{sym.get(k, k)}={v:g}" if isinstance(v, (int, float)) else f"{sym.get(k, k)}={v}"
             for k, v in hyper.items()]
    return (name + " " + ", ".join(parts)).strip()


def make_stepper(x0, *, optimizer=None, rule=None, scheduler=None, **hyper):
    """Return ``(step, name)`` where ``step(g) -> x`` applies one update with gradient ``g``.

    Exactly one of ``optimizer`` (a minigrad optimizer class or a factory
    ``params -> optimizer``) and ``rule`` (a from-scratch update function) must be given.
    ``scheduler`` (optimizer only) is a factory ``optimizer -> lr scheduler``, stepped
    once after every update, e.g. ``lambda o: InverseTimeDecay(o, decay=0.1)``.

    An optimizer with ``train()``/``eval()`` (Schedule-Free) evaluates at another point
    than it takes gradients at: ``step(g)`` returns the gradient point y, and
    ``step.evaluation_point()`` the point to evaluate, x (what ``eval()`` puts in the
    parameter). For every other method ``step.evaluation_point`` is ``None``.
    """
    if (optimizer is None) == (rule is None):
        raise ValueError("give exactly one of optimizer= (a minigrad.optim class or factory) "
                         "and rule= (a from-scratch update function)")
    x0 = np.array(x0, dtype=np.float64)
    if x0.ndim != 1:
        raise ValueError(f"x0 must be a 1-D point, got shape {x0.shape}")

    if rule is not None:
        if scheduler is not None:
            raise ValueError("scheduler= works with optimizer=; a rule handles its own schedule")
        state: dict = {}
        x = x0.copy()

        def step(g):
            nonlocal x
            state["t"] = state.get("t", 0) + 1
            new = rule(x.copy(), np.array(g, dtype=np.float64), state, **hyper)
            new = np.asarray(new, dtype=np.float64)
            if new.shape != x.shape:
                raise ValueError(f"the update rule returned shape {new.shape}, expected {x.shape}")
            x = new
            return x.copy()

        step.evaluation_point = None
        return step, getattr(rule, "__name__", "rule")

    from minigrad.nn import Parameter

    p = Parameter(x0.copy())
    opt = optimizer([p], **hyper) if hyper else optimizer([p])
    sched = scheduler(opt) if scheduler is not None else None
    switches = has_eval_mode(opt)
    if switches:
        opt.train()

    def step(g):
        opt.zero_grad()
        p.grad = np.array(g, dtype=np.float64).reshape(p.shape)
        opt.step()
        if sched is not None:
            sched.step()
        return np.array(p.data, dtype=np.float64).copy()

    def evaluation_point():
        opt.eval()
        x = np.array(p.data, dtype=np.float64).copy()
        opt.train()
        return x

    step.evaluation_point = evaluation_point if switches else None
    return step, getattr(optimizer, "__name__", type(opt).__name__)


def _run(fn, x0, n_steps, stepper_kw, grad, grad_noise, seed, label):
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    if grad not in ("analytic", "autograd"):
        raise ValueError(f"grad must be 'analytic' or 'autograd', got {grad!r}")
    hyper = {k: v for k, v in stepper_kw.items() if k not in ("optimizer", "rule", "scheduler")}
    step, name = make_stepper(x0, **stepper_kw)
    rng = np.random.default_rng(seed)
    x = np.array(x0, dtype=np.float64)
    points = np.empty((n_steps + 1, x.size))
    points[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, n_steps + 1):
            g = fn.grad(x) if grad == "analytic" else fn.autograd_grad(x)
            if grad_noise:
                g = g + grad_noise * rng.standard_normal(g.shape)
            x = step(g)
            points[t] = x if step.evaluation_point is None else step.evaluation_point()
        losses = fn.f(points)
    return Trajectory(points, np.asarray(losses, dtype=np.float64),
                      label if label is not None else _default_label(name, hyper),
                      {"method": name, **hyper})


def run_optimizer(fn, x0, n_steps, optimizer, *, scheduler=None, grad="analytic",
                  grad_noise=0.0, seed=0, label=None, **hyper) -> Trajectory:
    """Run a minigrad optimizer on ``fn`` from ``x0`` for ``n_steps`` updates.

    Parameters
    ----------
    fn : test function (see :mod:`booktools.functions`) or any object with ``f``/``grad``
    x0 : start point, shape ``(d,)``
    optimizer : ``minigrad.optim`` class (given ``**hyper``) or factory ``params -> optimizer``
    scheduler : optional factory ``optimizer -> scheduler``, stepped after each update
    grad : ``"analytic"`` (``fn.grad``) or ``"autograd"`` (``fn.f_tensor`` + backward)
    grad_noise : standard deviation of Gaussian noise added to each gradient (seeded)
    **hyper : hyperparameters with minigrad/PyTorch names (``lr``, ``momentum``, ...)
    """
    return _run(fn, x0, n_steps, dict(optimizer=optimizer, scheduler=scheduler, **hyper),
                grad, grad_noise, seed, label)


def run_rule(fn, x0, n_steps, rule, *, grad="analytic", grad_noise=0.0, seed=0,
             label=None, **hyper) -> Trajectory:
    """Run a from-scratch rule ``rule(x, g, state, **hyper) -> new_x``; same loop as
    :func:`run_optimizer`, so equal methods give equal trajectories."""
    return _run(fn, x0, n_steps, dict(rule=rule, **hyper), grad, grad_noise, seed, label)


def run_minibatch(problem, w0, *, batch_size, epochs, optimizer=None, rule=None,
                  scheduler=None, seed=0, label=None, **hyper) -> Trajectory:
    """Minibatch SGD-style training on a data problem (see :mod:`booktools.problems`).

    Each epoch shuffles the ``problem.n`` examples with ``np.random.default_rng(seed)``
    and visits them in consecutive batches of ``batch_size`` (the last batch may be
    smaller); each batch gives one update with ``problem.minibatch_grad(w, idx)``.
    ``losses[k]`` is the full training loss ``problem.f`` after ``k`` updates, and
    ``info["epoch_end"]`` lists the update counts at which epochs end.
    ``batch_size = problem.n`` is full-batch gradient descent.
    """
    n = problem.n
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    step, name = make_stepper(w0, optimizer=optimizer, rule=rule, scheduler=scheduler, **hyper)
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=np.float64)
    points, epoch_end = [w.copy()], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                w = step(problem.minibatch_grad(w, order[start:start + batch_size]))
                points.append(w if step.evaluation_point is None else step.evaluation_point())
            epoch_end.append(len(points) - 1)
        points = np.array(points)
        losses = np.array([problem.f(p) for p in points])
    return Trajectory(points, losses,
                      label if label is not None else _default_label(name, {"B": batch_size, **hyper}),
                      {"method": name, "batch_size": batch_size, "epoch_end": epoch_end, **hyper})


# ---------------------------------------------------------------------------- neural networks

@dataclass
class MLPRun:
    """One training run of :func:`train_mlp`; per-epoch arrays have ``epochs + 1`` entries
    (index 0 is the untrained network)."""

    train_loss: np.ndarray  # full training-set cross-entropy after each epoch
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    step_loss: np.ndarray  # the minibatch loss of every update, in order
    lr: np.ndarray  # the learning rate used by every update (group 0)
    seconds_per_epoch: float
    label: str
    info: dict = field(default_factory=dict)


def _mlp(n_in, hidden, n_out):
    from minigrad import nn

    sizes = [n_in, *hidden, n_out]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


def _evaluate(model, X, y):
    import minigrad as mg
    import minigrad.nn.functional as F

    with mg.no_grad():
        logits = model(mg.Tensor(X))
        loss = float(F.cross_entropy(logits, y).item())
    return loss, float(np.mean(logits.numpy().argmax(axis=1) == y))


def train_mlp(data, optimizer, *, hidden=(32,), epochs: int = 10, batch_size: int = 32,
              seed: int = 0, scheduler=None, label=None, **hyper) -> MLPRun:
    """Train a small tanh MLP with cross-entropy on a classification :class:`~booktools.data.Dataset`.

    ``optimizer`` is a ``minigrad.optim`` class (``hyper`` are its arguments) or a factory
    ``params -> optimizer``; ``scheduler``, if given, is a factory ``optimizer -> scheduler``
    stepped after every update. The seed fixes both the initial weights
    (``minigrad.manual_seed(seed)``) and the order of the minibatches, so runs with the same
    seed start from the same network and see the same batches whatever the optimizer.
    An optimizer with ``train()`` and ``eval()`` (Schedule-Free) is switched to ``train()``
    before each epoch's updates and to ``eval()`` before the network is evaluated, so the
    losses and accuracies are those of the point it would be used at.
    """
    import time

    import minigrad as mg
    import minigrad.nn.functional as F

    n = len(data.y_train)
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    hidden = (hidden,) if isinstance(hidden, (int, np.integer)) else tuple(hidden)
    n_classes = int(max(data.y_train.max(), data.y_test.max())) + 1
    mg.manual_seed(seed)
    model = _mlp(data.X_train.shape[1], hidden, n_classes)
    params = list(model.parameters())
    opt = optimizer(params, **hyper) if isinstance(optimizer, type) else optimizer(params)
    sched = scheduler(opt) if scheduler is not None else None
    rng = np.random.default_rng(seed)
    train, test = [_evaluate(model, data.X_train, data.y_train)], [_evaluate(model, data.X_test, data.y_test)]
    switches = has_eval_mode(opt)
    step_loss, lrs, seconds = [], [], 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        start_time = time.perf_counter()
        if switches:
            opt.train()
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            lrs.append(opt.param_groups[0]["lr"])
            opt.zero_grad()
            loss = F.cross_entropy(model(mg.Tensor(data.X_train[idx])), data.y_train[idx])
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            step_loss.append(float(loss.item()))
        if switches:
            opt.eval()
        seconds += time.perf_counter() - start_time
        train.append(_evaluate(model, data.X_train, data.y_train))
        test.append(_evaluate(model, data.X_test, data.y_test))
    name = optimizer.__name__ if isinstance(optimizer, type) else getattr(optimizer, "__name__", "optimizer")
    return MLPRun(np.array([t[0] for t in train]), np.array([t[0] for t in test]),
                  np.array([t[1] for t in test]), np.array(step_loss), np.array(lrs),
                  seconds / epochs,
                  label if label is not None else _default_label(name, hyper),
                  {"method": name, "seed": seed, "hidden": hidden, "batch_size": batch_size,
                   "epochs": epochs, **hyper})


def train_mlp_seeds(data, optimizer, seeds=range(5), **kwargs) -> list:
    """:func:`train_mlp` once per seed (same seeds for every optimizer: same initial networks)."""
    return [train_mlp(data, optimizer, seed=s, **kwargs) for s in seeds]


# ------------------------------------------------------------------ several optimizers as one

class Optimizers:
    """Several optimizers stepped as one, e.g. Muon for the weight matrices and AdamW for the
    biases: :meth:`zero_grad` and :meth:`step` call each in turn, and :attr:`param_groups` lists
    all their groups (the first optimizer's first group is the one :func:`train_mlp` logs)."""

    def __init__(self, *optimizers):
        if not optimizers:
            raise ValueError("Optimizers() needs at least one optimizer")
        self.optimizers = optimizers

    @property
    def param_groups(self):
        return [g for opt in self.optimizers for g in opt.param_groups]

    def zero_grad(self, set_to_none: bool = True):
        for opt in self.optimizers:
            opt.zero_grad(set_to_none)

    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for opt in self.optimizers:
            opt.step()
        return loss


def matrices_and_rest(for_matrices, for_rest):
    """A factory ``params -> Optimizers``: the 2-D parameters go to ``for_matrices(list)``,
    all others (biases, gains) to ``for_rest(list)``, as Muon's authors and PyTorch advise."""

    def make(params):
        params = list(params)
        matrices = [p for p in params if np.ndim(p.data) == 2]
        rest = [p for p in params if np.ndim(p.data) != 2]
        return Optimizers(*([for_matrices(matrices)] if matrices else []),
                          *([for_rest(rest)] if rest else []))

    return make
