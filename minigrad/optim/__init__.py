"""Optimizers and learning-rate schedules for minigrad, following ``torch.optim``.

Every optimizer reproduces the single-tensor code path of PyTorch 2.13's
``torch.optim`` class of the same name (same keyword names, defaults, update
rule and ``maximize`` flag), so results can be compared with PyTorch number
for number.  Three have no torch class: Lion follows its authors' reference
code, and ``SGDScheduleFree`` / ``AdamWScheduleFree`` the ``schedulefree``
package (``schedule_free.py``); Muon's bfloat16 Newton-Schulz iteration is
emulated (``muon.py``).  Each class docstring gives its update as equations, and its
``_update`` method is those equations, written in the in-place kernels of
``_kernels.py``; the loop over groups and parameters lives once, in
``Optimizer.step``.

Guarantees
----------
* Agreement with torch: the same parameters and state to about 1e-9 relative
  in float64 (not bit for bit: torch's kernels use fused multiply-adds), and
  the same finite, infinite or nan result at extreme gradients in float32 and
  float64 (tests/lib/test_optim_extreme_torch.py).  In particular squared
  averages are computed as ((1 - beta) g) g, as torch does, so a float32
  gradient above 1.8e19 (where g * g overflows) still gives Adam's lr-sized
  step.  NumPy's overflow warnings are left on: they flag a state that has
  become infinite.
* ``p.data`` is updated in place with its dtype kept; ``p.grad`` is never
  modified; a parameter whose ``.grad`` is ``None`` is skipped and gets no
  state.
* Bad input raises at once, with a message naming the argument and the value.
  Stricter than PyTorch, which accepts these silently:
  - infinite or non-numeric hyperparameters (``lr=float("inf")``, ``lr=None``,
    ``lr="0.1"``), and flags that are not ``True``/``False``
    (``amsgrad="False"`` would switch AMSGrad on in torch);
  - SGD's ``dampening`` outside [0, 1] (torch does not check it);
  - hyperparameters given per parameter group, checked as the constructor's
    are (also by ``add_param_group``);
  - a parameter listed twice (torch warns, then updates it twice per step);
  - a state dict saved by another kind of optimizer (torch loads it);
  - a learning rate that a scheduler computes negative, infinite or nan, and
    a ``LambdaLR`` factor that is (torch passes it on; a negative lr ascends).
  Like PyTorch: a non-leaf tensor as a parameter, and a scheduler given
  something that is not an optimizer, are errors.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lion import Lion
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "NAdam",
    "Adadelta",
    "Adamax",
    "RAdam",
    "Lion",
    "Adafactor",
    "Muon",
    "SGDScheduleFree",
    "AdamWScheduleFree",
    "lr_scheduler",
]
