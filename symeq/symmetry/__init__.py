"""Parameter symmetries (docs/theory.md section 2): latent groups K_i and the functional dimension
(:mod:`.functional_dimension`).  Activation relations live in :mod:`symeq.activations`.
"""
