"""The trusted kernel: what "verified" means in symeq (docs/certificates.md), read in one sitting.

It checks claims from the *hints* certificates carry and never searches; it imports only the
standard library and python-flint.  Beside it: the strict reader (:mod:`symeq.certify.reader`)
and the second-tier items it may be given (:mod:`symeq.certify.theorems`, literature theorems and
lemmas; :mod:`symeq.certify.second_tier`, named procedures).  Every verdict lists what it relied on.

Reading order: core, numbers, linalg, groups, activations, claims (kinds common to every
architecture), then the MLP's modules: mlp (layer equations, rewrite steps, identifiability) and
mlp_refute (counterexamples); one module per further architecture (conv, attention), each with
the interface of :mod:`symeq.kernel.mlp`, registered in ``claims.ARCHITECTURES``.
"""
