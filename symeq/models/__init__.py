"""Models: the Model protocol, the MLP, and reading and writing network files."""

from symeq.models.base import Model
from symeq.models.mlp import MLP

__all__ = ["Model", "MLP"]
