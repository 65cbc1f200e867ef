"""Tests of chapters/booktools/framework_rules.py: the PyTorch, Keras 3, legacy Keras 2 and
optax update rules written in NumPy.

Three kinds of evidence:

* the reference sheet's hand-computed first three steps on f(w) = w^2 (and f = 1e-6 w^2 for
  Adam), w0 = 1, and first steps computed by hand from the sheet's formulas;
* where two frameworks are the same map (with the settings the sheet names), their rules
  give the same trajectory as ``minigrad.optim`` on seeded random problems;
* the ``torch_*`` rules against ``torch.optim`` itself, with a learning rate that changes
  every step (skipped without PyTorch).
"""

import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools import framework_rules as fr  # noqa: E402
from booktools.checks import check_update  # noqa: E402
from booktools.runners import make_stepper  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.optim.lr_scheduler import InverseTimeDecay  # noqa: E402


def three_steps(rule, scale=1.0, n=3, **hyper):
    """Iterates 1..n of ``rule`` on f(w) = scale * w^2 from w0 = 1."""
    step, _ = make_stepper([1.0], rule=rule, **hyper)
    w, out = np.array([1.0]), []
    for _ in range(n):
        w = step(2 * scale * w)
        out.append(w[0])
    return np.array(out)


HALVING = lambda k: 0.1 * 0.5 ** k  # noqa: E731  (0.1, 0.05, 0.025)


# ------------------------------------------------------------- the sheet's three verified steps

@pytest.mark.parametrize("rule, hyper, expected", [
    (fr.torch_sgd, dict(lr=0.1, momentum=0.9), [0.8, 0.46, 0.062]),
    (fr.keras_sgd, dict(learning_rate=0.1, momentum=0.9), [0.8, 0.46, 0.062]),
    (fr.keras2_sgd, dict(lr=0.1, momentum=0.9), [0.8, 0.46, 0.062]),
    (fr.optax_sgd, dict(learning_rate=0.1, momentum=0.9), [0.8, 0.46, 0.062]),
    (fr.torch_sgd, dict(lr=HALVING, momentum=0.9), [0.8, 0.63, 0.522]),
    (fr.optax_sgd, dict(learning_rate=HALVING, momentum=0.9), [0.8, 0.63, 0.522]),
    (fr.keras_sgd, dict(learning_rate=HALVING, momentum=0.9), [0.8, 0.54, 0.279]),
    (fr.torch_sgd, dict(lr=0.1, momentum=0.9, nesterov=True), [0.62, 0.2224, -0.108352]),
    (fr.keras_sgd, dict(learning_rate=0.1, momentum=0.9, nesterov=True), [0.62, 0.2224, -0.108352]),
    (fr.optax_sgd, dict(learning_rate=0.1, momentum=0.9, nesterov=True), [0.62, 0.2224, -0.108352]),
    (fr.torch_sgd, dict(lr=lambda k: 0.1 / (1 + 0.5 * k), momentum=0.9), [0.8, 0.573333, 0.363]),
    (fr.keras2_sgd, dict(lr=0.1, momentum=0.9, decay=0.5), [0.8, 0.513333, 0.204]),
    (fr.torch_adagrad, dict(lr=0.1), [0.9, 0.8331035268, 0.7804561814]),
    (fr.keras_adagrad, dict(learning_rate=0.1), [0.9012270415, 0.8347372778, 0.7822991955]),
    (fr.optax_adagrad, dict(learning_rate=0.1), [0.9012270415, 0.8347372778, 0.7822991955]),
])
def test_the_sheets_three_steps(rule, hyper, expected):
    np.testing.assert_allclose(three_steps(rule, **hyper), expected, atol=5e-7, rtol=0)
    if len(str(expected[1])) > 8:                       # quoted to ten digits: hold them
        np.testing.assert_allclose(three_steps(rule, **hyper), expected, atol=6e-11, rtol=0)


@pytest.mark.parametrize("rule, hyper, expected", [
    (fr.torch_adam, dict(lr=0.1), [0.9004975124, 0.8014274542, 0.7031361632]),
    (fr.optax_adam, dict(learning_rate=0.1), [0.9004975124, 0.8014274542, 0.7031361632]),
    (fr.keras_adam, dict(learning_rate=0.1), [0.9612574113, 0.9145898873, 0.8635569922]),
    (fr.keras2_adam, dict(lr=0.1), [0.9612574113, 0.9145898873, 0.8635569922]),
])
def test_adam_on_a_tiny_gradient_the_sheets_steps(rule, hyper, expected):
    np.testing.assert_allclose(three_steps(rule, scale=1e-6, **hyper), expected, atol=6e-11, rtol=0)


# ------------------------------------------------------------- first steps by hand

G = 2.0  # the gradient of w^2 at w0 = 1


@pytest.mark.parametrize("rule, hyper, first", [
    # RMSProp: v1 = (1 - rho) g^2; outside sqrt(v1) + eps, inside sqrt(v1 + eps)
    (fr.torch_rmsprop, dict(lr=0.1), 1 - 0.1 * G / (np.sqrt(0.01 * G * G) + 1e-8)),
    (fr.keras_rmsprop, dict(learning_rate=0.1), 1 - 0.1 * G / np.sqrt(0.1 * G * G + 1e-7)),
    (fr.keras2_rmsprop, dict(lr=0.1), 1 - 0.1 * G / (np.sqrt(0.1 * G * G) + 1e-7)),
    (fr.keras2_rmsprop, dict(lr=0.1, momentum=0.5), 1 - 0.1 * G / np.sqrt(0.1 * G * G + 1e-7)),
    (fr.optax_rmsprop, dict(learning_rate=0.1), 1 - 0.1 * G / np.sqrt(0.1 * G * G + 1e-8)),
    (fr.optax_rmsprop, dict(learning_rate=0.1, eps_in_sqrt=False), 1 - 0.1 * G / (np.sqrt(0.1 * G * G) + 1e-8)),
    # centered: v1 - m1^2 = (1 - rho) rho g^2
    (fr.torch_rmsprop, dict(lr=0.1, centered=True), 1 - 0.1 * G / (np.sqrt(0.01 * 0.99) * G + 1e-8)),
    (fr.keras_rmsprop, dict(learning_rate=0.1, centered=True), 1 - 0.1 * G / np.sqrt(0.09 * G * G + 1e-7)),
    # Keras/legacy AdaGrad: G1 = 0.1 + g^2
    (fr.keras2_adagrad, dict(lr=0.1), 1 - 0.1 * G / (np.sqrt(0.1 + G * G) + 1e-7)),
    # Adam: m-hat = g, v-hat = g^2; Keras: alpha_1 = eta sqrt(0.001) / 0.1, m1 = 0.1 g, v1 = 0.001 g^2
    (fr.torch_adam, dict(lr=0.1), 1 - 0.1 * G / (G + 1e-8)),
    (fr.keras_adam, dict(learning_rate=0.1), 1 - 0.1 * np.sqrt(0.001) / 0.1 * 0.1 * G / (np.sqrt(0.001) * G + 1e-7)),
    (fr.optax_amsgrad, dict(learning_rate=0.1), 1 - 0.1 * G / (G + 1e-8)),
    # AdamW: decay first, x1 = (1 - eta lambda) - eta g / (|g| + eps)
    (fr.torch_adamw, dict(lr=0.1), (1 - 0.1 * 1e-2) - 0.1 * G / (G + 1e-8)),
    (fr.optax_adamw, dict(learning_rate=0.1), 1 - 0.1 * (G / (G + 1e-8) + 1e-4)),
    (fr.keras_adamw, dict(learning_rate=0.1),
     (1 - 0.1 * 0.004) - 0.1 * np.sqrt(0.001) / 0.1 * 0.1 * G / (np.sqrt(0.001) * G + 1e-7)),
    # NAdam: x1 = 1 - eta [(1 - mu1)/(1 - mu1) g + mu2/(1 - mu1 mu2) (1 - b1) g] / (|g| + eps)
    (fr.torch_nadam, dict(lr=0.1),
     1 - 0.1 * (1 + fr.nadam_momentum(2) * 0.1 / (1 - fr.nadam_momentum(1) * fr.nadam_momentum(2))) * G / (G + 1e-8)),
    (fr.keras_nadam, dict(learning_rate=0.1),
     1 - 0.1 * (1 + fr.nadam_momentum(2, psi=1) * 0.1 / (1 - fr.nadam_momentum(1, psi=1) * fr.nadam_momentum(2, psi=1))) * G / (G + 1e-7)),
    (fr.optax_nadam, dict(learning_rate=0.1), 1 - 0.1 * (1 + 0.9 * 0.1 / (1 - 0.81)) * G / (G + 1e-8)),
])
def test_first_step_by_hand(rule, hyper, first):
    assert three_steps(rule, n=1, **hyper)[0] == pytest.approx(first, rel=1e-14, abs=1e-15)


def test_nadam_schedules():
    assert fr.nadam_momentum(1) == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** 0.004))
    assert fr.nadam_momentum(1, psi=1) == pytest.approx(0.9 * (1 - 0.5 * 0.96))
    assert fr.nadam_momentum(10 ** 6, psi=1) == pytest.approx(0.9, abs=1e-15)


# ------------------------------------------------------------- the same map as minigrad

def keras_named(rule, **fixed):
    """A Keras/optax rule called with minigrad's names (lr, alpha, betas, eps)."""
    rename = {"lr": "learning_rate", "alpha": "rho", "eps": "epsilon"}
    if rule.__name__.startswith("keras2"):
        del rename["lr"]                                   # legacy Keras 2 says lr

    def wrapped(x, g, state, **hyper):
        kw = {rename.get(k, k): v for k, v in hyper.items()}
        if "betas" in kw:
            kw["beta_1"], kw["beta_2"] = kw.pop("betas")
        return rule(x, g, state, **fixed, **kw)

    wrapped.__name__ = rule.__name__
    return wrapped


def optax_named(rule, **fixed):
    rename = {"lr": "learning_rate", "alpha": "decay"}

    def wrapped(x, g, state, **hyper):
        kw = {rename.get(k, k): v for k, v in hyper.items()}
        if "betas" in kw:
            kw["b1"], kw["b2"] = kw.pop("betas")
        return rule(x, g, state, **fixed, **kw)

    wrapped.__name__ = rule.__name__
    return wrapped


@pytest.mark.parametrize("rule, reference, hyper", [
    (fr.torch_sgd, "sgd", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    (fr.torch_sgd, "sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
    (fr.torch_adagrad, "adagrad", dict(lr=0.3, lr_decay=0.1, initial_accumulator_value=0.2, weight_decay=0.01)),
    (fr.torch_rmsprop, "rmsprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.01)),
    (fr.torch_adam, "adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    (fr.torch_adam, "adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    (fr.torch_adamw, "adamw", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    (fr.torch_nadam, "nadam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    # the frameworks that are the same map, with the sheet's settings
    (keras_named(fr.keras_sgd), "sgd", dict(lr=0.05, momentum=0.9)),          # constant eta
    (keras_named(fr.keras_sgd), "sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optax_named(fr.optax_sgd), "sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
    (keras_named(fr.keras2_adagrad), "adagrad", dict(lr=0.3, initial_accumulator_value=0.1, eps=1e-7)),
    (keras_named(fr.keras_rmsprop), "rmsprop", dict(lr=0.01, alpha=0.9, eps=0.0, centered=True)),
    (keras_named(fr.keras2_rmsprop), "rmsprop", dict(lr=0.01, alpha=0.9, eps=1e-3)),
    (keras_named(fr.keras_adam), "adam", dict(lr=0.05, eps=0.0, amsgrad=True)),
    (keras_named(fr.keras_nadam, epsilon=1e-8), "nadam", dict(lr=0.05)),
    (optax_named(fr.optax_rmsprop, eps_in_sqrt=False), "rmsprop", dict(lr=0.01, alpha=0.9, eps=1e-3)),
    (optax_named(fr.optax_adam), "adam", dict(lr=0.05)),
    (optax_named(fr.optax_adamw), "adamw", dict(lr=0.05, weight_decay=0.1)),
])
def test_same_map_as_minigrad(rule, reference, hyper):
    if rule.__name__ == "keras_nadam":
        reference = partial(optim.NAdam, momentum_decay=1.0)
    check_update(rule, reference if isinstance(reference, str) else _factory(reference),
                 quiet=True, rtol=1e-10, atol=1e-12, **hyper)


def _factory(partial_cls):
    class Bound(partial_cls.func):
        def __init__(self, params, **hyper):
            super().__init__(params, **partial_cls.keywords, **hyper)
    return Bound


def test_optax_nadam_is_minigrad_nadam_with_constant_momentum():
    # 0.96 ** (t * 1e6) underflows to 0: mu_t = beta1 exactly
    check_update(optax_named(fr.optax_nadam), _factory(partial(optim.NAdam, momentum_decay=1e6)),
                 quiet=True, rtol=1e-10, atol=1e-12, lr=0.05)


def test_keras_decay_is_inverse_time_decay_per_update():
    # without momentum (where the two momentum forms part under any schedule)
    for rule, name in ((keras_named(fr.keras2_sgd, decay=0.3), "sgd"),
                       (keras_named(fr.keras2_adagrad, decay=0.3), "adagrad")):
        kw = {} if name == "sgd" else dict(initial_accumulator_value=0.1, eps=0.0)
        check_update(rule, name, quiet=True, lr=0.05, scheduler=lambda o: InverseTimeDecay(o, decay=0.3),
                     rtol=1e-10, atol=1e-12, **kw)
    # the PyTorch form with the schedule lr / (1 + decay k) is minigrad + InverseTimeDecay
    rule = lambda x, g, state, lr, momentum: fr.torch_sgd(  # noqa: E731
        x, g, state, lr=lambda k: lr / (1 + 0.3 * k), momentum=momentum)
    check_update(rule, "sgd", quiet=True, lr=0.05, momentum=0.9, rtol=1e-10, atol=1e-12,
                 scheduler=lambda o: InverseTimeDecay(o, decay=0.3))


def test_momentum_forms_part_under_a_schedule():
    torch_form = three_steps(fr.torch_sgd, n=20, lr=lambda k: 0.1 / (1 + k), momentum=0.9)
    keras_form = three_steps(fr.keras_sgd, n=20, learning_rate=lambda k: 0.1 / (1 + k), momentum=0.9)
    assert torch_form[0] == keras_form[0] and np.max(np.abs(torch_form - keras_form)) > 0.05


def test_amsgrad_max_over_v_or_v_hat():
    # a large gradient once, then small ones: the raw-v maximum is corrected by a growing 1 - b2^t
    grads = [10.0] + [0.01] * 200
    x_t, x_o = np.zeros(1), np.zeros(1)
    st_t, st_o = {}, {}
    for t, g in enumerate(grads, start=1):
        st_t["t"] = st_o["t"] = t
        x_t = fr.torch_adam(x_t, np.array([g]), st_t, lr=0.1, amsgrad=True)
        x_o = fr.optax_amsgrad(x_o, np.array([g]), st_o, learning_rate=0.1)
    assert st_o["vmax"][0] == pytest.approx(100.0)                  # v-hat_1 = g_1^2, kept
    assert st_t["vmax"][0] == pytest.approx(0.001 * 100.0)          # v_1, corrected each step
    # denominators at t = 201: sqrt(100) against sqrt(0.1 / (1 - 0.999^201)), 13.5 times smaller
    ratio = 10.0 / np.sqrt(0.1 / (1 - 0.999 ** 201))
    assert ratio == pytest.approx(13.5, abs=0.05)
    assert abs(x_t[0]) > 2 * abs(x_o[0])


def test_the_seeds_adam_first_moment_uses_beta1_twice():
    state = {"t": 1}
    fr.seed_adam(np.zeros(1), np.array([1.0]), state, alpha=0.1)
    assert state["V"][0] == pytest.approx(0.9)                      # beta1 g, not (1 - beta1) g


@pytest.mark.parametrize("call, message", [
    (lambda: fr.torch_sgd(np.zeros(1), np.ones(1), {"t": 1}, lr=0.1, nesterov=True), "momentum > 0"),
    (lambda: fr.keras_sgd(np.zeros(1), np.ones(1), {"t": 1}, momentum=1.5), "momentum"),
    (lambda: fr.torch_rmsprop(np.zeros(1), np.ones(1), {"t": 1}, alpha=1.0), "alpha"),
    (lambda: fr.keras_adam(np.zeros(1), np.ones(1), {"t": 1}, beta_2=1.2), "beta2"),
    (lambda: fr.keras_adagrad(np.zeros(1), np.ones(1), {"t": 1}, learning_rate=-1), "learning_rate"),
    (lambda: fr.keras2_sgd(np.zeros(1), np.ones(1), {"t": 1}, decay=-0.1), "decay"),
    (lambda: fr.optax_adam(np.zeros(1), np.ones(1), {}, learning_rate=0.1), "state"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------- the torch_* rules against PyTorch

@pytest.mark.parametrize("name, rule, hyper", [
    ("SGD", fr.torch_sgd, dict(momentum=0.9, dampening=0.2, weight_decay=0.05)),
    ("SGD", fr.torch_sgd, dict(momentum=0.9, nesterov=True)),
    ("Adagrad", fr.torch_adagrad, dict(lr_decay=0.05, initial_accumulator_value=0.1, weight_decay=0.01)),
    ("RMSprop", fr.torch_rmsprop, dict(alpha=0.9, centered=True, momentum=0.5)),
    ("RMSprop", fr.torch_rmsprop, dict(weight_decay=0.01, momentum=0.9)),
    ("Adam", fr.torch_adam, dict(amsgrad=True, weight_decay=0.1)),
    ("AdamW", fr.torch_adamw, dict(amsgrad=True)),
    ("NAdam", fr.torch_nadam, dict(weight_decay=0.1, decoupled_weight_decay=True)),
])
def test_torch_rules_match_torch_with_a_changing_learning_rate(name, rule, hyper):
    torch = pytest.importorskip("torch")
    # NAdam keeps its mu_product in the default dtype: make that float64 for this comparison
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        _compare_with_torch(torch, name, rule, hyper)
    finally:
        torch.set_default_dtype(default)


def _compare_with_torch(torch, name, rule, hyper):
    rng = np.random.default_rng(3)
    A, x0 = rng.uniform(0.01, 5.0, 4), rng.normal(size=4)
    schedule = lambda k: 0.05 * (1 + 0.5 * np.cos(k))  # noqa: E731
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([p], lr=0.05, **hyper)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: schedule(k) / 0.05)
    step, _ = make_stepper(x0, rule=rule, lr=schedule, **hyper)
    x = x0.copy()
    for _ in range(100):
        p.grad = torch.from_numpy(A * p.detach().numpy())
        opt.step()
        sched.step()
        x = step(A * x)
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-10, atol=1e-12)
