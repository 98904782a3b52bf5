"""The trusted kernel: what "verified" means in symeq (docs/certificates.md), read in one sitting.

It checks claims from the *hints* certificates carry and never searches; it imports only the
standard library and python-flint.  Beside it: the strict reader (:mod:`symeq.certify.reader`)
and the second-tier items it may be given (:mod:`symeq.certify.theorems`, literature theorems and
lemmas; :mod:`symeq.certify.second_tier`, named procedures).  Every verdict lists what it relied on.

Reading order: core, numbers, linalg, groups, activations, claims (kinds common to every
architecture), then the MLP's modules: mlp (layer equations, rewrite steps, identifiability) and
mlp_refute (counterexamples), and conv (circular convolutions: channel maps, the crossed closure).  A new architecture adds its module with the interface described in
:mod:`symeq.kernel.mlp`, registers it in ``claims.ARCHITECTURES`` and ``claims.CLAIMS``, and adds
a reader for its network table.
"""
