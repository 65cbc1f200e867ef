"""booktools.checks knows RAdam: check_update(rule, "radam") compares against minigrad.optim.RAdam."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

from booktools.checks import OPTIMIZERS, check_update  # noqa: E402


def radam_rule(x, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    t, (beta1, beta2) = state["t"], betas
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = state["m"] / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return x - lr * m_hat
    r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return x - lr * r_t * m_hat * math.sqrt(1 - beta2**t) / (np.sqrt(state["v"]) + eps)


def test_radam_is_a_named_reference():
    assert OPTIMIZERS["radam"] == "RAdam"
    # beta2 = 0.9 crosses the rectification threshold at step 4, inside the 25 checked steps
    check_update(radam_rule, "radam", lr=0.05, betas=(0.8, 0.9), eps=1e-3, quiet=True)


def test_wrong_threshold_is_caught():
    def adapts_too_early(x, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        t, (beta1, beta2) = state["t"], betas
        state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
        return x - lr * state["m"] / (1 - beta1**t) / (np.sqrt(state["v"] / (1 - beta2**t)) + eps)

    with pytest.raises(AssertionError, match="differs from minigrad.optim.RAdam"):
        check_update(adapts_too_early, "radam", lr=0.05, betas=(0.8, 0.9), quiet=True)
