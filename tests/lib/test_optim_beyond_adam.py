"""Lion, Adafactor and Muon without PyTorch: from-scratch rules, hand-computed
steps, state-dict resume and bad hyperparameters."""

import math
import pickle

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, Adafactor, AdamW, Lion, Muon
from minigrad.optim.muon import newton_schulz, round_to_bf16

rng = np.random.default_rng(0)


def gradients(shape, n, seed=0):
    r = np.random.default_rng(seed)
    return [r.standard_normal(shape) * (1 + t % 3) for t in range(n)]


def run(opt_cls, x0, grads, **kw):
    p = Parameter(np.array(x0, dtype=float))
    opt = opt_cls([p], **kw)
    for g in grads:
        p.grad = np.array(g)
        opt.step()
    return p.data


# ------------------------------------------------------------------- Lion
def lion_from_scratch(x, grads, lr, beta1, beta2, lam):
    x, m = np.array(x, dtype=float), np.zeros_like(x, dtype=float)
    for g in grads:
        c = beta1 * m + (1 - beta1) * g
        x = x * (1 - lr * lam) - lr * np.sign(c)
        m = beta2 * m + (1 - beta2) * g
    return x


@pytest.mark.parametrize("kw", [dict(), dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.3)])
def test_lion_matches_from_scratch_rule(kw):
    x0, grads = rng.standard_normal((4, 3)), gradients((4, 3), 40)
    beta1, beta2 = kw.get("betas", (0.9, 0.99))
    expected = lion_from_scratch(x0, grads, kw.get("lr", 1e-4), beta1, beta2,
                                 kw.get("weight_decay", 0.0))
    np.testing.assert_allclose(run(Lion, x0, grads, **kw), expected, rtol=1e-14, atol=1e-15)


def test_lion_hand_computed_steps():
    # f(w) = w^2 from w = 1, lr 0.1, betas (0.9, 0.99), weight decay 0.5:
    # step 1: g = 2, c = 0.2 > 0, w = 1 * 0.95 - 0.1 = 0.85, m = 0.02;
    # step 2: g = 1.7, c = 0.9*0.02 + 0.1*1.7 = 0.188, w = 0.85*0.95 - 0.1 = 0.7075.
    p = Parameter(np.array(1.0))
    opt = Lion([p], lr=0.1, weight_decay=0.5)
    seen = []
    for _ in range(2):
        p.grad = 2 * p.data
        opt.step()
        seen.append(float(p.data))
    assert seen == pytest.approx([0.85, 0.7075], abs=1e-15)
    assert opt.state[p]["exp_avg"] == pytest.approx(0.99 * 0.02 + 0.01 * 1.7)


def test_lion_every_coordinate_moves_by_exactly_lr():
    x0, g = rng.standard_normal(50), rng.standard_normal(50)
    step = run(Lion, x0, [g], lr=1e-3) - x0
    np.testing.assert_allclose(np.abs(step), 1e-3, rtol=1e-12)
    assert np.all(np.sign(step) == -np.sign(g))


def test_lion_maximize_ascends():
    x0, grads = rng.standard_normal(5), gradients(5, 10)
    np.testing.assert_allclose(run(Lion, x0, grads, lr=0.01, maximize=True),
                               run(Lion, x0, [-g for g in grads], lr=0.01))


# --------------------------------------------------------------- Adafactor
def adafactor_from_scratch(x, grads, lr=1e-2, tau=-0.8, eps1=None, eps2=1e-3, d=1.0, lam=0.0):
    """Shazeer & Stern's rule in torch's form, written with sums as in the paper."""
    x = np.array(x, dtype=float)
    eps1 = np.finfo(float).eps if eps1 is None else eps1
    R = C = v = None
    for t, g in enumerate(grads, start=1):
        beta2 = 1 - t**tau
        alpha = max(eps2, np.sqrt(np.mean(x**2))) * min(lr, 1 / np.sqrt(t))
        x = x * (1 - lr * lam)
        if x.ndim >= 2:
            n, m = g.shape[-2:]
            rows, cols = (g**2).sum(-1, keepdims=True) / m, (g**2).sum(-2, keepdims=True) / n
            R = rows if R is None else beta2 * R + (1 - beta2) * rows
            C = cols if C is None else beta2 * C + (1 - beta2) * cols
            V = R * C / np.maximum(R.sum(-2, keepdims=True) / n, eps1)
        else:
            v = g**2 if v is None else beta2 * v + (1 - beta2) * g**2
            V = v
        U = g / np.maximum(np.sqrt(V), eps1)
        x = x - alpha / max(1, np.sqrt(np.mean(U**2)) / d) * U
    return x


@pytest.mark.parametrize("shape", [(6,), (4, 5), (2, 3, 4), ()])
@pytest.mark.parametrize("kw", [dict(), dict(lr=0.05, d=2.0, weight_decay=0.1)])
def test_adafactor_matches_from_scratch_rule(shape, kw):
    x0, grads = rng.standard_normal(shape), gradients(shape, 30)
    expected = adafactor_from_scratch(x0, grads, lr=kw.get("lr", 1e-2), d=kw.get("d", 1.0),
                                      lam=kw.get("weight_decay", 0.0))
    np.testing.assert_allclose(run(Adafactor, x0, grads, **kw), expected, rtol=1e-12)


def test_adafactor_memory_is_factored():
    p = Parameter(np.zeros((300, 200)))
    opt = Adafactor([p])
    p.grad = np.ones((300, 200))
    opt.step()
    st = opt.state[p]
    assert st["row_var"].shape == (300, 1) and st["col_var"].shape == (1, 200)
    assert "variance" not in st


def test_adafactor_first_step_is_relative_and_clipped():
    # t = 1: beta2_1 = 0, V = g^2 exactly for a rank-1 g^2, U = sign(g), RMS(U) = 1 = d;
    # the step is rho_1 * RMS(p) = 0.01 * RMS(p) per coordinate.
    x0 = np.full((3, 4), 2.0)
    g = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 2.0, 0.5])
    step = run(Adafactor, x0, [g]) - x0
    np.testing.assert_allclose(step, -0.01 * 2.0 * np.sign(g), rtol=1e-12)
    # d = 0.5 would be invalid; d = 1 clips nothing here, so d = 4 changes nothing either
    np.testing.assert_allclose(run(Adafactor, x0, [g], d=4.0) - x0, step, rtol=1e-12)


# -------------------------------------------------------------------- Muon
def test_round_to_bf16_known_values():
    assert round_to_bf16(1.0) == 1.0
    assert round_to_bf16(1 + 2**-8) == 1.0  # a tie rounds to even (mantissa 0)
    assert round_to_bf16(1 + 3 * 2**-8) == 1 + 2**-6  # tie, rounds up to even
    assert round_to_bf16(1 + 2**-8 + 2**-12) == 1 + 2**-7
    assert round_to_bf16(3.14159265) == 3.140625
    x = rng.standard_normal(10_000)
    assert np.max(np.abs(round_to_bf16(x) - x) / np.abs(x)) <= 2**-8  # half a unit at 1


def test_newton_schulz_pushes_singular_values_into_a_band():
    G = rng.standard_normal((20, 12)) @ np.diag(np.logspace(-2, 1, 12))
    s = np.linalg.svd(newton_schulz(G, bf16=False), compute_uv=False)
    s0 = np.linalg.svd(G, compute_uv=False) / np.linalg.norm(G)  # where the iteration starts
    assert s.max() < 1.25
    assert np.all((s[s0 > 0.01] > 0.6))
    # far below the band, each step multiplies by about a = 3.4445: a^5 ~ 487 in all
    tiny = s0 < 1e-3
    np.testing.assert_allclose(s[tiny] / s0[tiny], 3.4445**5, rtol=0.02)
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    O = newton_schulz(G, bf16=False)
    assert np.allclose(U.T @ O @ Vt.T, np.diag(np.diag(U.T @ O @ Vt.T)), atol=1e-10)


def test_newton_schulz_rejects_non_matrices():
    with pytest.raises(ValueError, match=r"needs a matrix, but got shape \(3,\)"):
        newton_schulz(np.ones(3))


def muon_sum_from_scratch(x, grads, lr, mu, lam):
    """The blog's rule: a *sum* B <- mu B + g, Nesterov g + mu B, float64 Newton-Schulz."""
    x, B = np.array(x, dtype=float), np.zeros_like(x, dtype=float)
    n, m = x.shape
    for g in grads:
        B = mu * B + g
        O = newton_schulz(g + mu * B, bf16=False)
        x = x * (1 - lr * lam) - lr * max(1, n / m) ** 0.5 * O
    return x


def test_muon_moving_average_equals_the_papers_sum_up_to_bf16():
    """torch's moving average is (1 - mu) times the sum; the normalisation removes it."""
    x0, grads = rng.standard_normal((8, 5)), gradients((8, 5), 20)
    ours = run(Muon, x0, grads, lr=0.02)
    expected = muon_sum_from_scratch(x0, grads, 0.02, 0.95, 0.1)
    # bf16 against float64: each update entry off by ~1% of its size (see muon.py)
    assert np.max(np.abs(ours - expected)) < 20 * 0.02 * 0.02
    assert np.max(np.abs(ours - expected)) > 0  # it *is* bf16
    import minigrad.optim.muon as muon_module
    exact = muon_module.newton_schulz
    try:
        muon_module.newton_schulz = lambda *a: exact(*a, bf16=False)
        np.testing.assert_allclose(run(Muon, x0, grads, lr=0.02), expected, rtol=1e-12)
    finally:
        muon_module.newton_schulz = exact


def test_muon_refuses_non_matrices_with_advice():
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(5,\).*AdamW"):
        Muon([Parameter(np.ones((2, 3))), Parameter(np.ones(5))])
    opt = Muon([Parameter(np.ones((2, 3)))])
    with pytest.raises(ValueError, match=r"parameter group 1: .*shape \(2, 2, 2\)"):
        opt.add_param_group({"params": [Parameter(np.ones((2, 2, 2)))]})


def test_muon_paired_with_adamw_trains_both_kinds():
    W, b = Parameter(rng.standard_normal((3, 4))), Parameter(np.zeros(3))
    muon, adamw = Muon([W], lr=0.02), AdamW([b], lr=0.01)
    for _ in range(2):
        W.grad, b.grad = np.ones((3, 4)), np.ones(3)
        muon.step()
        adamw.step()
    assert set(muon.state) == {W} and set(adamw.state) == {b}


# ------------------------------------------------------------- all three
CONFIGS = [
    (Lion, dict(lr=0.01, weight_decay=0.1), (3, 4)),
    (Adafactor, dict(weight_decay=0.1), (3, 4)),
    (Adafactor, dict(), (2, 3, 4)),
    (Adafactor, dict(), (5,)),
    (Muon, dict(lr=0.02, nesterov=False), (3, 4)),
]


@pytest.mark.parametrize("cls,kw,shape", CONFIGS)
def test_state_dict_resume_continues_exactly(cls, kw, shape):
    grads = gradients(shape, 20)
    x0 = rng.standard_normal(shape)
    straight = run(cls, x0, grads, **kw)
    p = Parameter(x0.copy())
    opt = cls([p], **kw)
    for g in grads[:10]:
        p.grad = g.copy()
        opt.step()
    saved = pickle.dumps((p.data.copy(), opt.state_dict()))
    data, state = pickle.loads(saved)
    q = Parameter(data)
    resumed = cls([q], lr=0.5)  # the saved groups overwrite this
    resumed.load_state_dict(state)
    for g in grads[10:]:
        q.grad = g.copy()
        resumed.step()
    np.testing.assert_array_equal(q.data, straight)


@pytest.mark.parametrize("cls,kw,shape", CONFIGS)
def test_float32_stays_float32(cls, kw, shape):
    p = Parameter(np.ones(shape, dtype=np.float32))
    opt = cls([p], **kw)
    p.grad = np.full(shape, 0.5, dtype=np.float32)
    opt.step()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


def test_adafactor_refuses_a_state_of_the_wrong_shape():
    p = Parameter(np.ones((3, 4)))
    opt = Adafactor([p])
    p.grad = np.ones((3, 4))
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["row_var"] = np.ones((3, 4))
    with pytest.raises(ValueError, match="row_var.*shape"):
        Adafactor([Parameter(np.ones((3, 4)))]).load_state_dict(sd)


def test_another_optimizers_state_is_refused():
    p = Parameter(np.ones((3, 4)))
    opt = Lion([p])
    p.grad = np.ones((3, 4))
    opt.step()
    for cls in (Adafactor, Muon, SGD):
        with pytest.raises(ValueError, match=f"not from a {cls.__name__}"):
            cls([Parameter(np.ones((3, 4)))]).load_state_dict(opt.state_dict())


BAD = [
    (Lion, "lr", -1e-3, ValueError, "-0.001"), (Lion, "lr", math.inf, ValueError, "inf"),
    (Lion, "betas", (0.9, 1.0), ValueError, "1.0"), (Lion, "betas", (0.9,), ValueError, "0.9"),
    (Lion, "weight_decay", -0.1, ValueError, "-0.1"), (Lion, "maximize", "no", TypeError, "'no'"),
    (Adafactor, "lr", -0.01, ValueError, "-0.01"),
    (Adafactor, "beta2_decay", 0.5, ValueError, "0.5"),
    (Adafactor, "beta2_decay", "x", TypeError, "'x'"),
    (Adafactor, "eps", (-1e-30, 1e-3), ValueError, "-1e-30"),
    (Adafactor, "eps", (None, math.nan), ValueError, "nan"),
    (Adafactor, "eps", 1e-3, ValueError, "0.001"),
    (Adafactor, "d", 0.5, ValueError, "0.5"), (Adafactor, "d", math.inf, ValueError, "inf"),
    (Adafactor, "weight_decay", -1.0, ValueError, "-1.0"),
    (Adafactor, "foreach", "yes", TypeError, "'yes'"),
    (Muon, "lr", -1.0, ValueError, "-1.0"), (Muon, "momentum", 1.0, ValueError, "1.0"),
    (Muon, "momentum", -0.5, ValueError, "-0.5"), (Muon, "nesterov", 1, TypeError, "1"),
    (Muon, "ns_coefficients", (1.0, 2.0), ValueError, "(1.0, 2.0)"),
    (Muon, "ns_coefficients", (1.0, math.nan, 2.0), ValueError, "nan"),
    (Muon, "ns_steps", 100, ValueError, "100"), (Muon, "ns_steps", 0, ValueError, "0"),
    (Muon, "ns_steps", 2.5, TypeError, "2.5"), (Muon, "eps", -1e-7, ValueError, "-1e-07"),
    (Muon, "adjust_lr_fn", "spectral", ValueError, "'spectral'"),
    (Muon, "weight_decay", math.nan, ValueError, "nan"),
]


@pytest.mark.parametrize("cls,name,value,exc,shown", BAD,
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _, _ in BAD])
def test_bad_hyperparameter_named_with_its_value(cls, name, value, exc, shown):
    spoken = {"lr": "learning rate", "betas": "beta"}.get(name, name)
    for make in (lambda: cls([Parameter(np.ones((2, 2)))], **{name: value}),
                 lambda: cls([{"params": [Parameter(np.ones((2, 2)))], name: value}])):
        with pytest.raises(exc) as info:
            make()
        message = str(info.value)
        assert (name in message or spoken in message) and shown in message, message
