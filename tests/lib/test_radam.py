"""minigrad.optim.RAdam: against torch.optim.RAdam, against its closed form, and its errors.

* torch 2.13's single-tensor RAdam (foreach=False) over 60 steps for several option
  combinations, two parameter groups, learning rates changed every step and some
  gradients missing; parameters and the final state agree to 1e-10 relative in float64
  (skipped without torch);
* the rectification term r_t and the threshold rho_t > 5, computed here independently
  from the definition of the SMA length (not from the library's formula);
* the first steps by hand: momentum steps while rho_t <= 5, then the rectified rule;
* bad hyperparameters rejected with the argument and the value in the message;
* state_dict round trip: a resumed optimizer continues exactly.
"""

import copy
import math
import pickle

import numpy as np
import pytest

import minigrad.optim as mo
from minigrad.nn import Parameter
from minigrad.optim import RAdam
from minigrad.optim.radam import rectification

SHAPES = [(3, 4), (7,), (2, 3, 2), ()]
N_STEPS = 60

CASES = [
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.5, 0.9), eps=1e-4),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    # beta2 = 0.6: rho_inf = 4 < 5, so RAdam never adapts (momentum SGD throughout)
    dict(lr=0.01, betas=(0.9, 0.6)),
    # beta2 = 0.9: rho_inf = 19, the rectified rule starts at step 4
    dict(lr=0.02, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.05, decoupled_weight_decay=True),
]


def gradient_sequence(n_steps, seed):
    rng = np.random.default_rng(seed)
    grads = []
    for t in range(n_steps):
        step = [rng.standard_normal(s) * rng.uniform(0.1, 3.0) for s in SHAPES]
        if t % 6 == 2:
            step[3] = None
        if t % 9 == 4:
            step[1] = None
        grads.append(step)
    return grads


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.standard_normal(s)) for s in SHAPES]


def run(opt, params, grads, lrs=None):
    for t, step in enumerate(grads):
        for p, g in zip(params, step):
            p.grad = None if g is None else g.copy()
        if lrs is not None:
            for group, scale in zip(opt.param_groups, (1.0, 0.3)):
                group["lr"] = lrs[t] * scale
        opt.step()


# ------------------------------------------------------------------ torch
@pytest.mark.parametrize("kwargs", CASES, ids=[str(c) for c in CASES])
def test_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps its step counter in this dtype
    try:
        mine = make_params()
        theirs = [torch.tensor(p.data.copy(), requires_grad=True) for p in mine]
        g2 = {"lr": kwargs["lr"] * 0.3}
        opt_mine = RAdam([{"params": mine[:2]}, {"params": mine[2:], **g2}], **kwargs)
        opt_torch = torch.optim.RAdam([{"params": theirs[:2]}, {"params": theirs[2:], **g2}],
                                      foreach=False, **kwargs)
        lrs = kwargs["lr"] * (1 + 0.5 * np.sin(np.arange(N_STEPS)))
        for t, step in enumerate(gradient_sequence(N_STEPS, seed=1)):
            for p, q, g in zip(mine, theirs, step):
                p.grad = None if g is None else g.copy()
                q.grad = None if g is None else torch.tensor(g)
            for opt in (opt_mine, opt_torch):
                opt.param_groups[0]["lr"] = lrs[t]
                opt.param_groups[1]["lr"] = 0.3 * lrs[t]
            opt_mine.step()
            opt_torch.step()
            for p, q in zip(mine, theirs):
                np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-13,
                                           err_msg=f"step {t + 1}")
        sd_mine, sd_torch = opt_mine.state_dict(), opt_torch.state_dict()
        assert set(sd_mine["state"]) == set(sd_torch["state"])
        for index, torch_state in sd_torch["state"].items():
            assert set(sd_mine["state"][index]) == set(torch_state)
            for key, value in torch_state.items():
                np.testing.assert_allclose(sd_mine["state"][index][key], value.numpy(),
                                           rtol=1e-10, atol=1e-300, err_msg=key)
        for g_mine, g_torch in zip(sd_mine["param_groups"], sd_torch["param_groups"]):
            for key, value in g_mine.items():
                assert g_torch[key] == value, key
    finally:
        torch.set_default_dtype(previous)


def test_signature_and_defaults_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    theirs = inspect.signature(torch.optim.RAdam.__init__).parameters
    ours = inspect.signature(RAdam.__init__).parameters
    shared = [n for n in ours if n != "self"]
    assert shared == ["params", "lr", "betas", "eps", "weight_decay", "decoupled_weight_decay",
                      "maximize"]
    positional = shared[:-1]  # torch's keyword-only maximize sits among foreach/capturable
    assert list(theirs)[1:len(positional) + 1] == positional  # same names in the same order
    assert ours["maximize"].kind is inspect.Parameter.KEYWORD_ONLY
    for name in shared[1:]:
        assert ours[name].default == theirs[name].default, name


def test_defaults():
    assert RAdam(make_params()).defaults == dict(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
        maximize=False)
    assert mo.RAdam is RAdam and "RAdam" in mo.__all__


# ------------------------------------------------------- closed form
def sma_length(t, beta2):
    """Length of the simple moving average that the bias-corrected EMA v_hat approximates:
    rho_t = 2 / (1 - beta2) - 1 - 2 t beta2^t / (1 - beta2^t), written here from the
    weights of the EMA: its centre of mass sits at (1 - beta2^t)^-1 sum_i i w_i, and an
    SMA of length rho has centre of mass (rho - 1) / 2 steps back."""
    i = np.arange(t)  # age of each gradient, 0 = newest
    w = (1 - beta2) * beta2**i / (1 - beta2**t)
    return 2 * np.sum(i * w) + 1


@pytest.mark.parametrize("beta2", [0.9, 0.99, 0.999])
def test_rectification_term_closed_form(beta2):
    rho_inf = 2 / (1 - beta2) - 1
    for t in [1, 2, 3, 4, 5, 6, 7, 10, 50, 1000, 20000]:
        rho_t, r_t = rectification(t, beta2)
        assert rho_t == pytest.approx(sma_length(t, beta2), rel=1e-9), t
        if rho_t > 5:
            expected = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            assert r_t == pytest.approx(expected, rel=1e-14)
            assert 0 < r_t <= 1
        else:
            assert r_t is None
    # r_t -> 1 as t -> infinity
    assert rectification(200_000, beta2)[1] == pytest.approx(1.0, abs=1e-6)


def test_threshold_for_default_beta2():
    # beta2 = 0.999: rho_1..rho_5 are about 1, 2, 3, 4, 5 - small amounts, so steps 1-5
    # are momentum steps and the adaptive rate starts at step 6 with r_6 = 0.0258
    rhos = [rectification(t, 0.999)[0] for t in range(1, 8)]
    assert np.allclose(rhos, np.arange(1, 8), atol=0.01)
    assert [rectification(t, 0.999)[1] is None for t in range(1, 8)] == [True] * 5 + [False] * 2
    assert rectification(6, 0.999)[1] == pytest.approx(0.0258, abs=5e-5)


def test_first_steps_by_hand():
    beta1, beta2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    grads = [np.array([2.0, -0.5]), np.array([1.0, 0.25]), np.array([-3.0, 0.5]),
             np.array([0.5, 0.5]), np.array([1.5, -1.0]), np.array([0.2, 2.0]),
             np.array([-1.0, 1.0])]
    p = Parameter(np.zeros(2))
    opt = RAdam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    x, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if t <= 5:
            x = x - lr * m_hat
        else:
            rho_inf = 2 / (1 - beta2) - 1
            rho = sma_length(t, beta2)
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            x = x - lr * r * m_hat * math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
        p.grad = g.copy()
        opt.step()
        np.testing.assert_allclose(p.data, x, rtol=1e-12, atol=1e-15, err_msg=f"t={t}")
    # the first step is momentum SGD with a bias-corrected buffer: exactly -lr * g
    q = Parameter(np.zeros(2))
    first = RAdam([q], lr=lr)
    q.grad = grads[0].copy()
    first.step()
    np.testing.assert_allclose(q.data, -lr * grads[0], rtol=1e-15)


def test_never_adapts_when_rho_inf_is_at_most_5():
    # beta2 = 2/3 gives rho_inf = 5: RAdam is bias-corrected momentum SGD for ever
    params = make_params()
    reference = [Parameter(p.data.copy()) for p in params]
    run(RAdam(params, lr=0.05, betas=(0.9, 2 / 3)), params, gradient_sequence(40, 3))

    class MomentumSGD:
        def __init__(self, ps):
            self.ps, self.m, self.t = ps, [np.zeros_like(p.data) for p in ps], [0] * len(ps)

        def step(self):
            for i, p in enumerate(self.ps):
                if p.grad is None:
                    continue
                self.t[i] += 1
                self.m[i] = 0.9 * self.m[i] + 0.1 * p.grad
                p.data -= 0.05 * self.m[i] / (1 - 0.9 ** self.t[i])

    run(MomentumSGD(reference), reference, gradient_sequence(40, 3))
    for p, q in zip(params, reference):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12, atol=1e-15)


def test_decoupled_weight_decay_with_zero_gradient():
    p = Parameter(np.array([1.0, -2.0]))
    opt = RAdam([p], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    for _ in range(3):
        p.grad = np.zeros(2)
        opt.step()
    np.testing.assert_allclose(p.data, np.array([1.0, -2.0]) * 0.95**3, rtol=1e-14)


def test_float32_stays_float32():
    p = Parameter(np.ones(3, dtype=np.float32))
    opt = RAdam([p], lr=0.1)
    for _ in range(8):
        p.grad = np.full(3, 0.5, dtype=np.float32)
        opt.step()
    assert p.data.dtype == np.float32
    assert opt.state[p]["exp_avg_sq"].dtype == np.float32


# ------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (dict(lr=float("nan")), "Invalid learning rate: nan"),
    (dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5"),
    (dict(betas=0.9), r"betas must be a pair \(beta1, beta2\), but got 0.9"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
])
def test_invalid_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        RAdam(make_params(), **kwargs)


def test_gradient_shape_mismatch_is_reported():
    p = Parameter(np.zeros(3))
    opt = RAdam([p])
    with pytest.raises(ValueError, match=r"shape \(4,\).*shape \(3,\)"):
        p.grad = np.zeros(4)
        opt.step()


# --------------------------------------------------------- state dict
@pytest.mark.parametrize("kwargs", CASES[:4], ids=[str(c) for c in CASES[:4]])
def test_state_dict_resume_continues_exactly(kwargs):
    grads = gradient_sequence(30, seed=5)
    straight = make_params()
    run(RAdam(straight, **kwargs), straight, grads)

    first = make_params()
    opt = RAdam(first, **kwargs)
    run(opt, first, grads[:12])  # stop during the rectified phase's start
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    resumed = [Parameter(p.data.copy()) for p in first]
    opt2 = RAdam(resumed, lr=123.0)  # hyperparameters come from the saved groups
    opt2.load_state_dict(copy.deepcopy(saved))
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    assert opt2.state[resumed[0]]["step"] == 12
    run(opt2, resumed, grads[12:])
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_resume_across_the_threshold():
    # save at step 3 (still momentum steps), resume, and cross rho_t > 5 at step 6
    grads = gradient_sequence(10, seed=7)
    straight = make_params()
    run(RAdam(straight, lr=0.05), straight, grads)
    first = make_params()
    opt = RAdam(first, lr=0.05)
    run(opt, first, grads[:3])
    resumed = [Parameter(p.data.copy()) for p in first]
    opt2 = RAdam(resumed)
    opt2.load_state_dict(opt.state_dict())
    run(opt2, resumed, grads[3:])
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)
