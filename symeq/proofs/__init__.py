"""Theorem instances (the bundled proofs/ folder and any other): each states a claim that a
verb must reach, with facts the engine must derive exactly; :func:`prove` re-checks them all.
"""
