"""The kinds of latent group K_i (docs/theory.md section 2 and 7): one enum for every architecture.

A hidden layer's latent group K_i is determined by the architecture and, for MLPs and
convolutions, by the activation's relations sigma(a z + c) = b sigma(z) + e.  Its kind names the
group's shape; the values are the strings that appear in ``--json`` output and certificates.

>>> LatentKind("signed_permutation").description
'signed permutations {+-1}^d x| S_d acting linearly on V'
>>> LatentKind.HEAD.monomial, LatentKind.POSITIVE_MONOMIAL.monomial
(False, True)
>>> str(LatentKind.AFFINE), LatentKind.AFFINE == "affine"
('affine', True)
>>> LatentKind("lstm")
Traceback (most recent call last):
...
ValueError: 'lstm' is not a valid LatentKind
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LatentKind"]


class LatentKind(StrEnum):
    """The kind of a latent group K_i acting on a hidden space V_i."""

    #: identity activation: Aff(d) = GL(d) plus translations
    AFFINE = "affine"
    #: tanh and other odd activations: {+-1}^d x| S_d, linear
    SIGNED_PERMUTATION = "signed_permutation"
    #: logistic sigmoid: signed permutations acting affinely, v -> P(D v + f)
    AFFINE_SIGNED_PERMUTATION = "affine_signed_permutation"
    #: relu, leaky relu: positive monomial matrices P diag(lambda), lambda > 0
    POSITIVE_MONOMIAL = "positive_monomial"
    #: z^m: P diag(lambda^m), lambda != 0
    POWER_MONOMIAL = "power_monomial"
    #: a continuous family with shifts: v -> P(diag(lambda) v + f)
    AFFINE_MONOMIAL = "affine_monomial"
    #: gelu, softplus, swish, generic polynomials: permutations S_d
    PERMUTATION = "permutation"
    #: multi-head attention: GL(v)^H x| S_H (heads permuted, a change of basis inside each)
    HEAD = "head"
    #: circular convolution with tanh-like activation: (C_2 x Omega)^C x| S_C (channels
    #: permuted, with a sign and a grid translation each)
    CHANNEL = "channel"

    def __repr__(self) -> str:  # read as plain data, the way --json prints it
        return repr(self.value)

    @property
    def description(self) -> str:
        """The group in words, as docs/theory.md's table writes it."""
        return _DESCRIPTIONS[self]

    @property
    def monomial(self) -> bool:
        """True when the elements are monomial maps of V_i (a permutation of coordinates with
        one scalar relation per coordinate): every MLP kind except the affine one."""
        return self not in (LatentKind.AFFINE, LatentKind.HEAD, LatentKind.CHANNEL)


_DESCRIPTIONS = {
    LatentKind.AFFINE: "Aff(d): GL(d) plus translations",
    LatentKind.SIGNED_PERMUTATION: "signed permutations {+-1}^d x| S_d acting linearly on V",
    LatentKind.AFFINE_SIGNED_PERMUTATION: "signed permutations acting affinely: v -> P(D v + f)",
    LatentKind.POSITIVE_MONOMIAL: "positive monomial matrices P diag(lambda), lambda > 0",
    LatentKind.POWER_MONOMIAL: "P diag(lambda^m), lambda != 0",
    LatentKind.AFFINE_MONOMIAL: "monomial maps with shifts: v -> P(diag(lambda) v + f)",
    LatentKind.PERMUTATION: "permutations S_d",
    LatentKind.HEAD: "GL(v)^H x| S_H: head permutations with a change of basis inside each head",
    LatentKind.CHANNEL: "(C_2 x Omega)^C x| S_C: channel permutations with a sign and a translation each",
}
