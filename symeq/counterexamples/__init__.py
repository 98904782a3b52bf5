"""Counterexample searches with certificates: ``symeq counterexample``."""
