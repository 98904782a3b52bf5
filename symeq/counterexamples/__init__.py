"""Counterexample searches with certificates: ``symeq counterexample``."""

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)
