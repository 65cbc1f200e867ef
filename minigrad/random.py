"""The random generator used for parameter initialisation.

``manual_seed(s)`` makes every later initialisation reproducible, like
``torch.manual_seed``; each layer draws from the one shared generator in the
order the layers are built.
"""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed minigrad's generator and return it."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """The generator that initialisers draw from."""
    return _generator
