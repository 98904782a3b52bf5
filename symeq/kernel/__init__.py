"""The trusted kernel: what "verified" means in symeq, small enough to read in one sitting.

It checks the claims of certificates (docs/certificates.md) from *hints* and never searches.  It
imports only the standard library and python-flint; the strict reader that turns a certificate
into its values sits beside it (:mod:`symeq.certify.reader`), and so do the second-tier items it
may be given: the table of literature theorems and named search procedures
(:mod:`symeq.certify.theorems`, :mod:`symeq.certify.second_tier`).  Every verdict lists the trusted
items it relied on: "kernel", relation families of activations, identities, lemmas, theorems and
second-tier procedures.

Reading order: core (answers, budget, context), numbers (exact numbers of a number field with pi
and symbols; zero tests and signs), linalg (matrices, certified ranks), groups (closure,
homomorphisms, signed permutations), activations (values, balls, relations), claims (the claim
kinds common to all architectures), then one module per architecture: mlp (layer equations,
equivariance methods, rewrite steps), mlp_identify (identifiability), mlp_refute (counterexamples).

A new architecture adds one module giving the interface described in :mod:`symeq.kernel.mlp`,
registers its network class in ``claims.ARCHITECTURES`` (and its claim kinds in
``claims.CLAIMS``), and a reader for its network table in :mod:`symeq.certify.reader`.
"""
