"""Optimizers and learning-rate schedules for minigrad, following ``torch.optim``.

Every optimizer reproduces the single-tensor code path of PyTorch 2.13's
``torch.optim`` class of the same name (same keyword names, defaults and
update rule), so results can be compared with PyTorch number for number.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
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
    "lr_scheduler",
]
