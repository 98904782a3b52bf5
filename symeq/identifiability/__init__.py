"""Identifiability: degenerate neurons, submodel reduction, literature criteria, exact fibers.

Public entry points: :func:`reduce_network` (submodel, embedding beta, rewrite steps) and
:func:`identify` (the combined verdict).
"""

from symeq.identifiability.reduce import Reduction, Step, reduce_network

__all__ = ["Reduction", "Step", "reduce_network"]
