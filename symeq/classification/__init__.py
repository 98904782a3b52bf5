"""Classification of latent action types and their spaces of layerwise-equivariant parameters."""
