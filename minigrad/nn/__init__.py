"""Neural-network building blocks: modules, layers and ``functional``."""
from . import functional
from .layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module, Parameter

__all__ = ["functional", "Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid"]
