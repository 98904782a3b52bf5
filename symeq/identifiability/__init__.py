"""Identifiability (docs/theory.md section 3): submodels, literature criteria, exact fibers.

The MLP's procedures live in :mod:`symeq.architectures.mlp` (``reduce``, ``criteria``,
``fibers``, ``identify``).
"""
