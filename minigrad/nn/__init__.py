"""Neural-network building blocks: modules, layers, ``functional`` and ``utils`` (clipping)."""
from . import functional, utils
from .layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module, Parameter

__all__ = ["functional", "utils", "Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid"]
