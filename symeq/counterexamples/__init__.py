"""Counterexample searches with certificates: ``symeq counterexample``."""

#: These modules are MLP theory (THEORY.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)
