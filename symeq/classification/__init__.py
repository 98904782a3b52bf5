"""Classification of latent action types and their spaces of layerwise-equivariant parameters."""

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)
