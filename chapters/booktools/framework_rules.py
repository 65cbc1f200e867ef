"""The same optimizers as PyTorch, Keras 3, legacy Keras 2 and optax write them, in NumPy.

Every function is an update rule in the book's convention (see :mod:`booktools.runners`)::

    rule(x, g, state, **hyper) -> new_x

with ``state["t"] = 1, 2, ...`` set by the runner. The hyperparameters carry each
framework's own argument names and defaults, so a call reads like the framework's
constructor: ``keras_rmsprop(..., learning_rate=1e-3, rho=0.9, epsilon=1e-7)`` beside
``torch_rmsprop(..., lr=1e-2, alpha=0.99, eps=1e-8)``.

Families, one prefix each (facts from the book's reference sheet on PyTorch 2.13,
Keras 3.15, legacy Keras 2 and optax 0.2.8):

* ``torch_*`` -- PyTorch's single-tensor code paths, which ``minigrad.optim`` follows;
* ``keras_*`` -- Keras 3 (``keras.optimizers``): momentum with the learning rate inside the
  velocity, epsilon inside the root (AdaGrad, RMSProp), Adam's epsilon-hat on the uncorrected
  root, AdaGrad's accumulator starting at 0.1, ``weight_decay`` always decoupled;
* ``keras2_*`` -- legacy Keras 2 (the seed notes' ``lr``/``decay`` API): as Keras 3 except the
  epsilon of AdaGrad (outside) and of RMSProp without momentum (outside), plus ``decay``;
* ``optax_*`` -- optax: PyTorch's momentum form, epsilon inside the root for AdaGrad and
  RMSProp, Adam's epsilon on the corrected root, AMSGrad's maximum over the corrected v-hat,
  NAdam with a constant momentum beta1;
* ``seed_*`` -- the seed notes' formulas exactly as written (with their errors), for the errata.

Learning rates. Every ``lr`` / ``learning_rate`` is a number or a schedule, a function
``k -> learning rate`` of ``k = t - 1``, the number of updates already made. That is the
count every framework hands its schedule: PyTorch's ``LambdaLR`` lambda, Keras's
``iterations`` and optax's ``count`` are all 0 on the first update. Legacy Keras 2's
``decay`` divides it further by ``1 + decay * k``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "learning_rate",
    "torch_sgd", "keras_sgd", "keras2_sgd", "optax_sgd",
    "torch_adagrad", "keras_adagrad", "keras2_adagrad", "optax_adagrad",
    "torch_rmsprop", "keras_rmsprop", "keras2_rmsprop", "optax_rmsprop",
    "torch_adam", "torch_adamw", "keras_adam", "keras_adamw", "keras2_adam",
    "optax_adam", "optax_amsgrad", "optax_adamw",
    "torch_nadam", "keras_nadam", "optax_nadam", "nadam_momentum",
    "seed_momentum", "seed_adagrad", "seed_rmsprop", "seed_adam",
]


# ---------------------------------------------------------------------------- checks, rates

def _nonnegative(name, value):
    if callable(value):
        return
    if not (isinstance(value, (int, float, np.floating, np.integer)) and value >= 0):
        raise ValueError(f"{name} must be a number >= 0 (or a schedule k -> rate), got {value!r}")


def _fraction(name, value):
    if not (isinstance(value, (int, float, np.floating, np.integer)) and 0 <= value < 1):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def learning_rate(lr, state, decay: float = 0.0) -> float:
    """The learning rate of this update: ``lr`` itself, or ``lr(k)`` for a schedule, with
    ``k = state["t"] - 1`` updates already made; divided by ``1 + decay * k`` (legacy Keras 2)."""
    if "t" not in state:
        raise ValueError("state['t'] is missing: run the rule with booktools.runners "
                         "(run_rule / make_stepper), which numbers the steps 1, 2, ...")
    k = state["t"] - 1
    rate = float(lr(k)) if callable(lr) else float(lr)
    return rate / (1.0 + decay * k)


def _zeros(state, x, *names):
    for name in names:
        if name not in state:
            state[name] = np.zeros_like(x)


# ---------------------------------------------------------------------------- SGD, momentum

def torch_sgd(x, g, state, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
              nesterov=False):
    """``torch.optim.SGD``: the buffer ``b`` holds gradients, the learning rate multiplies
    it outside (``b_1 = g_1``, then ``b = mu b + (1 - d) g``; ``x <- x - eta b``)."""
    _nonnegative("lr", lr)
    _nonnegative("momentum", momentum)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError(f"Nesterov momentum requires momentum > 0 and dampening = 0, "
                         f"got momentum={momentum!r}, dampening={dampening!r}")
    eta = learning_rate(lr, state)
    if weight_decay:
        g = g + weight_decay * x                                   # L2, into the gradient
    if momentum != 0:
        b = g.copy() if "b" not in state else momentum * state["b"] + (1 - dampening) * g
        state["b"] = b
        g = g + momentum * b if nesterov else b
    return x - eta * g


def keras_sgd(x, g, state, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
    """``keras.optimizers.SGD`` (Keras 3): the velocity ``v`` holds steps, the learning rate
    inside (``v <- mu v - eta g``, ``x <- x + v``; Nesterov ``x <- x + mu v - eta g``)."""
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
    eta = _rate(learning_rate, state)
    x = _keras_decoupled(x, weight_decay, eta)
    if momentum == 0:
        return x - eta * g
    v = momentum * state.get("v", 0.0) - eta * g
    state["v"] = v
    return x + momentum * v - eta * g if nesterov else x + v


def keras2_sgd(x, g, state, lr=0.01, momentum=0.0, decay=0.0, nesterov=False):
    """Legacy Keras 2 ``SGD(lr, momentum, decay, nesterov)``, the seed's signature: Keras 3's
    rule with ``lr / (1 + decay * k)``."""
    _nonnegative("decay", decay)
    return keras_sgd(x, g, state, learning_rate=_decayed(lr, decay), momentum=momentum,
                     nesterov=nesterov)


def optax_sgd(x, g, state, learning_rate, momentum=None, nesterov=False):
    """``optax.sgd``: ``trace`` (``b <- g + mu b`` from ``b = 0``; Nesterov uses
    ``g + mu b``) then ``scale_by_learning_rate``: PyTorch's form."""
    eta = _rate(learning_rate, state)
    if momentum is None:
        return x - eta * g
    _nonnegative("momentum", momentum)
    b = g + momentum * state.get("b", 0.0)
    state["b"] = b
    return x - eta * (g + momentum * b if nesterov else b)


# ---------------------------------------------------------------------------- AdaGrad

def torch_adagrad(x, g, state, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                  initial_accumulator_value=0.0, eps=1e-10):
    """``torch.optim.Adagrad``: ``G`` from ``initial_accumulator_value`` (0), epsilon outside
    the root, ``eta_t = eta / (1 + (t - 1) lr_decay)``."""
    _nonnegative("initial_accumulator_value", initial_accumulator_value)
    _nonnegative("eps", eps)
    if "G" not in state:
        state["G"] = np.full_like(x, float(initial_accumulator_value))
    eta = learning_rate(lr, state, decay=lr_decay)
    if weight_decay:
        g = g + weight_decay * x
    state["G"] = state["G"] + g * g
    return x - eta * g / (np.sqrt(state["G"]) + eps)


def keras_adagrad(x, g, state, learning_rate=1e-3, initial_accumulator_value=0.1, epsilon=1e-7,
                  weight_decay=0.0):
    """``keras.optimizers.Adagrad`` (Keras 3): ``G`` from 0.1, epsilon inside the root."""
    _nonnegative("initial_accumulator_value", initial_accumulator_value)
    _nonnegative("epsilon", epsilon)
    eta = _rate(learning_rate, state)
    x = _keras_decoupled(x, weight_decay, eta)
    state["G"] = state.get("G", float(initial_accumulator_value)) + g * g
    return x - eta * g / np.sqrt(state["G"] + epsilon)


def keras2_adagrad(x, g, state, lr=1e-3, initial_accumulator_value=0.1, epsilon=1e-7, decay=0.0):
    """Legacy Keras 2 ``Adagrad``: ``G`` from 0.1, epsilon **outside** the root, ``decay``."""
    _nonnegative("epsilon", epsilon)
    eta = _rate(_decayed(lr, decay), state)
    state["G"] = state.get("G", float(initial_accumulator_value)) + g * g
    return x - eta * g / (np.sqrt(state["G"]) + epsilon)


def optax_adagrad(x, g, state, learning_rate, initial_accumulator_value=0.1, eps=1e-7):
    """``optax.adagrad``: ``G`` from 0.1, epsilon inside the root (``scale_by_rss``)."""
    _nonnegative("eps", eps)
    eta = _rate(learning_rate, state)
    G = state["G"] = state.get("G", float(initial_accumulator_value)) + g * g
    with np.errstate(divide="ignore", invalid="ignore"):
        direction = np.where(G > 0, g / np.sqrt(G + eps), 0.0)    # optax: 0 where G = 0
    return x - eta * direction


# ---------------------------------------------------------------------------- RMSProp

def torch_rmsprop(x, g, state, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                  centered=False):
    """``torch.optim.RMSprop``: epsilon outside the root; with momentum the buffer holds the
    divided gradient and the learning rate multiplies it outside."""
    _fraction("alpha", alpha)
    _nonnegative("eps", eps)
    _nonnegative("momentum", momentum)
    eta = learning_rate(lr, state)
    if weight_decay:
        g = g + weight_decay * x
    _zeros(state, x, "v", "m", "b")
    state["v"] = alpha * state["v"] + (1 - alpha) * g * g
    if centered:
        state["m"] = alpha * state["m"] + (1 - alpha) * g
        denom = np.sqrt(state["v"] - state["m"] ** 2) + eps
    else:
        denom = np.sqrt(state["v"]) + eps
    if momentum > 0:
        state["b"] = momentum * state["b"] + g / denom
        return x - eta * state["b"]
    return x - eta * g / denom


def _keras_rms_core(x, g, state, eta, rho, momentum, epsilon, centered, eps_inside):
    _fraction("rho", rho)
    _nonnegative("epsilon", epsilon)
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
    v = state["v"] = rho * state.get("v", 0.0) + (1 - rho) * g * g
    if centered:
        m = state["m"] = rho * state.get("m", 0.0) + (1 - rho) * g
        v = v - m * m
    denom = np.sqrt(v + epsilon) if eps_inside else np.sqrt(v) + epsilon
    increment = eta * g / denom
    if momentum > 0:
        state["b"] = momentum * state.get("b", 0.0) + increment   # the learning rate inside
        return x - state["b"]
    return x - increment


def keras_rmsprop(x, g, state, learning_rate=1e-3, rho=0.9, momentum=0.0, epsilon=1e-7,
                  centered=False, weight_decay=0.0):
    """``keras.optimizers.RMSprop`` (Keras 3): epsilon inside the root; with momentum the
    buffer holds ``eta g / sqrt(v + eps)``, learning rate inside."""
    eta = _rate(learning_rate, state)
    x = _keras_decoupled(x, weight_decay, eta)
    return _keras_rms_core(x, g, state, eta, rho, momentum, epsilon, centered, eps_inside=True)


def keras2_rmsprop(x, g, state, lr=1e-3, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                   decay=0.0):
    """Legacy Keras 2 ``RMSprop(lr, rho, epsilon, decay)``, the seed's signature: epsilon
    outside the root without momentum, inside with momentum."""
    eta = _rate(_decayed(lr, decay), state)
    return _keras_rms_core(x, g, state, eta, rho, momentum, epsilon, centered,
                           eps_inside=momentum > 0)


def optax_rmsprop(x, g, state, learning_rate, decay=0.9, eps=1e-8, centered=False,
                  momentum=None, nesterov=False, eps_in_sqrt=True):
    """``optax.rmsprop`` with ``initial_scale=0, bias_correction=False`` (its defaults):
    epsilon inside the root, or outside with ``eps_in_sqrt=False`` (PyTorch's placement);
    ``momentum`` is a ``trace`` placed after ``scale_by_learning_rate``, so the learning rate
    sits inside the buffer (Keras's placement). The reference sheet gives only optax's
    defaults here; the rest follows optax's source, ``optax/_src/alias.py`` (``rmsprop``:
    ``scale_by_rms``/``scale_by_stddev``, ``scale_by_learning_rate``, then ``trace``)."""
    _fraction("decay", decay)
    _nonnegative("eps", eps)
    eta = _rate(learning_rate, state)
    v = state["v"] = decay * state.get("v", 0.0) + (1 - decay) * g * g
    if centered:
        m = state["m"] = decay * state.get("m", 0.0) + (1 - decay) * g
        v = v - m * m
    increment = eta * g / (np.sqrt(v + eps) if eps_in_sqrt else np.sqrt(v) + eps)
    if momentum is None:
        return x - increment
    b = state["b"] = increment + momentum * state.get("b", 0.0)
    return x - (increment + momentum * b if nesterov else b)


# ---------------------------------------------------------------------------- Adam family

def _moments(state, x, g, b1, b2):
    _fraction("beta1", b1)
    _fraction("beta2", b2)
    _zeros(state, x, "m", "v")
    state["m"] = b1 * state["m"] + (1 - b1) * g
    state["v"] = b2 * state["v"] + (1 - b2) * g * g
    return state["m"], state["v"]


def torch_adam(x, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               amsgrad=False, decoupled_weight_decay=False):
    """``torch.optim.Adam``: epsilon on the bias-corrected root; ``weight_decay`` is L2 unless
    ``decoupled_weight_decay`` (AdamW); AMSGrad keeps the maximum of the raw ``v``."""
    _nonnegative("eps", eps)
    b1, b2 = betas
    eta = learning_rate(lr, state)
    t = state["t"]
    if weight_decay and decoupled_weight_decay:
        x = x * (1 - eta * weight_decay)
    elif weight_decay:
        g = g + weight_decay * x
    m, v = _moments(state, x, g, b1, b2)
    if amsgrad:
        v = state["vmax"] = np.maximum(state.get("vmax", 0.0), v)
    denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
    return x - (eta / (1 - b1 ** t)) * m / denom


def torch_adamw(x, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                amsgrad=False):
    """``torch.optim.AdamW``: Adam with decoupled weight decay, default 1e-2."""
    return torch_adam(x, g, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                      amsgrad=amsgrad, decoupled_weight_decay=True)


def keras_adam(x, g, state, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
               amsgrad=False, weight_decay=0.0):
    """``keras.optimizers.Adam`` (Keras 3, = legacy Keras 2): ``alpha_t = eta sqrt(1 - b2^t) /
    (1 - b1^t)`` and epsilon-hat on the uncorrected root; AMSGrad over the raw ``v``;
    ``weight_decay`` decoupled, applied before the step."""
    _nonnegative("epsilon", epsilon)
    eta = _rate(learning_rate, state)
    t = state["t"]
    x = _keras_decoupled(x, weight_decay, eta)
    m, v = _moments(state, x, g, beta_1, beta_2)
    if amsgrad:
        v = state["vmax"] = np.maximum(state.get("vmax", 0.0), v)
    alpha = eta * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return x - alpha * m / (np.sqrt(v) + epsilon)


def keras_adamw(x, g, state, learning_rate=1e-3, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                epsilon=1e-7, amsgrad=False):
    """``keras.optimizers.AdamW``: Keras's Adam with decoupled weight decay, default 4e-3."""
    return keras_adam(x, g, state, learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                      epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay)


def keras2_adam(x, g, state, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7, decay=0.0,
                amsgrad=False):
    """Legacy Keras 2 ``Adam(lr, beta_1, beta_2, epsilon, decay, amsgrad)``, the seed's
    signature: Keras 3's rule with ``lr / (1 + decay * k)``."""
    return keras_adam(x, g, state, learning_rate=_decayed(lr, decay), beta_1=beta_1,
                      beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad)


def _optax_adam_direction(state, x, g, b1, b2, eps, eps_root, nesterov, amsgrad):
    _nonnegative("eps", eps)
    t = state["t"]
    m, v = _moments(state, x, g, b1, b2)
    if nesterov:            # optax: b1 m-hat(t + 1) + (1 - b1) g-hat(t)
        m_hat = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1 ** t)
    else:
        m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    if amsgrad:             # optax: the maximum over the corrected v-hat
        v_hat = state["vmax"] = np.maximum(state.get("vmax", 0.0), v_hat)
    return m_hat / (np.sqrt(v_hat + eps_root) + eps)


def optax_adam(x, g, state, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0,
               nesterov=False):
    """``optax.adam``: epsilon on the corrected root (PyTorch's placement)."""
    eta = _rate(learning_rate, state)
    return x - eta * _optax_adam_direction(state, x, g, b1, b2, eps, eps_root, nesterov, False)


def optax_amsgrad(x, g, state, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    """``optax.amsgrad``: the running maximum is taken over the corrected ``v-hat``."""
    eta = _rate(learning_rate, state)
    return x - eta * _optax_adam_direction(state, x, g, b1, b2, eps, eps_root, False, True)


def optax_adamw(x, g, state, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0,
                weight_decay=1e-4, nesterov=False):
    """``optax.adamw``: ``scale_by_adam``, ``add_decayed_weights`` then the learning rate:
    ``x <- x - eta (direction + lambda x)``, decoupled, default 1e-4."""
    eta = _rate(learning_rate, state)
    _nonnegative("weight_decay", weight_decay)
    direction = _optax_adam_direction(state, x, g, b1, b2, eps, eps_root, nesterov, False)
    return x - eta * (direction + weight_decay * x)


def optax_nadam(x, g, state, learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    """``optax.nadam`` (= ``adam(nesterov=True)``): NAdam with the constant momentum ``b1``."""
    return optax_adam(x, g, state, learning_rate, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                      nesterov=True)


def nadam_momentum(t, beta1=0.9, psi=0.004):
    """NAdam's momentum schedule ``mu_t = beta1 (1 - 0.5 * 0.96^(t psi))``: PyTorch's
    ``momentum_decay`` psi = 0.004; Keras 3 uses 0.96^t (psi = 1)."""
    return beta1 * (1.0 - 0.5 * 0.96 ** (np.asarray(t, dtype=np.float64) * psi))


def _nadam(x, g, state, eta, b1, b2, eps, psi):
    t = state["t"]
    mu, mu_next = nadam_momentum(t, b1, psi), nadam_momentum(t + 1, b1, psi)
    state["mu_product"] = state.get("mu_product", 1.0) * mu
    product = state["mu_product"]
    m, v = _moments(state, x, g, b1, b2)
    denom = np.sqrt(v / (1 - b2 ** t)) + eps
    x = x - eta * (1 - mu) / (1 - product) * g / denom
    return x - eta * mu_next / (1 - product * mu_next) * m / denom


def torch_nadam(x, g, state, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                momentum_decay=4e-3, decoupled_weight_decay=False):
    """``torch.optim.NAdam``: momentum schedule with psi = ``momentum_decay`` = 0.004."""
    _nonnegative("eps", eps)
    _nonnegative("momentum_decay", momentum_decay)
    eta = learning_rate(lr, state)
    if weight_decay and decoupled_weight_decay:
        x = x * (1 - eta * weight_decay)
    elif weight_decay:
        g = g + weight_decay * x
    return _nadam(x, g, state, eta, betas[0], betas[1], eps, momentum_decay)


def keras_nadam(x, g, state, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                weight_decay=0.0):
    """``keras.optimizers.Nadam`` (Keras 3): the schedule 0.96^t (psi = 1). The reference sheet
    gives only the schedule; the rest (epsilon on the corrected root, as in PyTorch) follows
    Keras's source, ``keras/src/optimizers/nadam.py`` (``update_step``)."""
    _nonnegative("epsilon", epsilon)
    eta = _rate(learning_rate, state)
    x = _keras_decoupled(x, weight_decay, eta)
    return _nadam(x, g, state, eta, beta_1, beta_2, epsilon, 1.0)


# ---------------------------------------------------------------------------- the seed's formulas

def seed_momentum(x, g, state, alpha):
    """The seed's momentum: ``V_t = V_{t-1} + alpha g``, ``W <- W - V`` (no coefficient mu)."""
    state["V"] = state.get("V", 0.0) + alpha * g
    return x - state["V"]


def seed_adagrad(x, g, state, alpha, epsilon=1e-7):
    """The seed's AdaGrad: ``S_t = S_{t-1} + g^2`` from 0, epsilon inside the root."""
    state["S"] = state.get("S", 0.0) + g * g
    return x - alpha / np.sqrt(state["S"] + epsilon) * g


def seed_rmsprop(x, g, state, alpha, gamma=0.9, epsilon=1e-7):
    """The seed's RMSProp: ``S_t = gamma S + (1 - gamma) g^2``, epsilon inside the root."""
    state["S"] = gamma * state.get("S", 0.0) + (1 - gamma) * g * g
    return x - alpha / np.sqrt(state["S"] + epsilon) * g


def seed_adam(x, g, state, alpha, beta1=0.9, beta2=0.999, epsilon=1e-7):
    """The seed's Adam: ``V_t = beta1 V + beta1 g`` (beta1 twice), no bias correction,
    epsilon inside the root."""
    state["V"] = beta1 * state.get("V", 0.0) + beta1 * g
    state["S"] = beta2 * state.get("S", 0.0) + (1 - beta2) * g * g
    return x - alpha / np.sqrt(state["S"] + epsilon) * state["V"]


# ---------------------------------------------------------------------------- helpers

def _rate(lr, state):
    _nonnegative("learning_rate", lr)
    return learning_rate(lr, state)


def _decayed(lr, decay):
    """Legacy Keras 2's ``decay`` as a schedule: ``lr(k) / (1 + decay k)``."""
    _nonnegative("decay", decay)
    _nonnegative("lr", lr)
    if not decay:
        return lr
    return lambda k: (lr(k) if callable(lr) else lr) / (1.0 + decay * k)


def _keras_decoupled(x, weight_decay, eta):
    """Keras 3's ``weight_decay`` (any optimizer): ``x <- x - x lambda eta`` before the step."""
    _nonnegative("weight_decay", weight_decay)
    return x - x * weight_decay * eta if weight_decay else x
