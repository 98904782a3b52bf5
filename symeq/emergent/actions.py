"""Approximate latent maps: what the fits of the approximate mode return, on numpy batches.

Two kinds, both affine maps v -> M v + t of a layer's space V_i (batches are rows, so they act
as V -> V M^T + t):

- :class:`MonomialMap`, an element of a monomial latent group K_i (signed permutations for odd
  activations, positive monomial matrices for relu, permutations for gelu; docs/theory.md#2-parameter-symmetries):
  ``(k v)[perm[j]] = scale[j] * v[j] + shift[j]``, the convention of the exact engine's
  monomial latent maps (the monomial actions of ``symeq.architectures.mlp.matching``: perm, b, e).
- :class:`AffineMap`, a dense M and t: the least-squares fit A_i, a group's matrices, and the
  latent maps of linear layers (K_i = Aff(d)).

>>> k = MonomialMap(np.array([1, 0, 2]), np.array([1.0, 1.0, -1.0]))
>>> k.apply(np.array([[1.0, 2.0, 3.0]]))
array([[ 2.,  1., -3.]])
>>> k.matrix()
array([[ 0.,  1.,  0.],
       [ 1.,  0.,  0.],
       [ 0.,  0., -1.]])
>>> k.describe()
'perm (0 1); sign -1 on neuron 2'
>>> np.allclose(k.inverse().apply(k.apply(np.eye(3))), np.eye(3))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np

__all__ = ["MonomialMap", "AffineMap", "LatentMap", "cycles"]


def cycles(perm: np.ndarray) -> list[list[int]]:
    """The non-trivial cycles of a permutation given as images (j -> perm[j]).

    >>> cycles(np.array([1, 0, 2, 4, 5, 3]))
    [[0, 1], [3, 4, 5]]
    """
    seen = np.zeros(len(perm), dtype=bool)
    out = []
    for start in range(len(perm)):
        if seen[start]:
            continue
        cyc, j = [], start
        while not seen[j]:
            seen[j] = True
            cyc.append(j)
            j = int(perm[j])
        if len(cyc) > 1:
            out.append(cyc)
    return out


def _neurons(js: list[int], most: int = 10) -> str:
    return ", ".join(map(str, js[:most])) + (f", ... ({len(js)} in all)" if len(js) > most else "")


@dataclass(frozen=True)
class MonomialMap:
    """(k v)[perm[j]] = scale[j] v[j] + shift[j]; ``shift`` defaults to zero."""

    perm: np.ndarray
    scale: np.ndarray
    shift: np.ndarray = field(default=None)  # type: ignore[assignment]
    kind: str = "monomial"

    def __post_init__(self) -> None:
        perm = np.asarray(self.perm, dtype=np.int64)
        scale = np.asarray(self.scale, dtype=np.float64)
        shift = np.zeros(len(perm)) if self.shift is None else np.asarray(self.shift, dtype=np.float64)
        if sorted(perm.tolist()) != list(range(len(perm))) or scale.shape != perm.shape or shift.shape != perm.shape:
            raise ValueError("a monomial map needs a permutation and one scale and shift per neuron")
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "shift", shift)

    @property
    def dim(self) -> int:
        return len(self.perm)

    def apply(self, V: np.ndarray) -> np.ndarray:
        """k applied to every row of V."""
        out = np.empty_like(V, dtype=np.float64)
        out[:, self.perm] = V * self.scale + self.shift
        return out

    def matrix(self) -> np.ndarray:
        """M with M[perm[j], j] = scale[j]."""
        m = np.zeros((self.dim, self.dim))
        m[self.perm, np.arange(self.dim)] = self.scale
        return m

    def offset(self) -> np.ndarray:
        """t with t[perm[j]] = shift[j]."""
        t = np.zeros(self.dim)
        t[self.perm] = self.shift
        return t

    def inverse(self) -> "MonomialMap":
        """k^{-1}: v[j] = (u[perm[j]] - shift[j]) / scale[j]."""
        inv = np.empty_like(self.perm)
        inv[self.perm] = np.arange(self.dim)
        return MonomialMap(inv, 1.0 / self.scale[inv], -self.shift[inv] / self.scale[inv])

    def is_signed_permutation(self, tol: float = 0.0) -> bool:
        """Every |scale| is 1 (within ``tol``)."""
        return bool(np.all(np.abs(np.abs(self.scale) - 1.0) <= tol))

    def describe(self, most: int = 10) -> str:
        """The cycles, then the neurons with a sign, a scale or a shift."""
        cyc = cycles(self.perm)
        text = "perm " + ("".join("(" + " ".join(map(str, c)) + ")" for c in cyc[:most]) if cyc else "identity")
        if len(cyc) > most:
            text += f"... ({len(cyc)} cycles)"
        neg = [j for j in range(self.dim) if self.scale[j] < 0]
        if neg:
            text += f"; sign -1 on neuron{'s' if len(neg) > 1 else ''} {_neurons(neg, most)}"
        mags = np.abs(self.scale)
        if not np.allclose(mags, 1.0):
            text += f"; scales |b| from {mags.min():.3g} to {mags.max():.3g}"
        if np.any(self.shift != 0):
            text += "; shift on neurons " + _neurons([j for j in range(self.dim) if self.shift[j] != 0], most)
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain data: perm (images), scale, shift."""
        return {"kind": "monomial", "perm": self.perm.tolist(), "scale": self.scale.tolist(),
                "shift": self.shift.tolist()}


@dataclass(frozen=True)
class AffineMap:
    """v -> M v + t (t defaults to zero).

    >>> a = AffineMap(np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> a.apply(np.array([[1.0, 2.0]]))
    array([[2., 1.]])
    """

    M: np.ndarray
    t: np.ndarray = field(default=None)  # type: ignore[assignment]
    kind: str = "affine"

    def __post_init__(self) -> None:
        M = np.asarray(self.M, dtype=np.float64)
        t = np.zeros(M.shape[0]) if self.t is None else np.asarray(self.t, dtype=np.float64)
        object.__setattr__(self, "M", M)
        object.__setattr__(self, "t", t)

    @property
    def dim(self) -> int:
        return self.M.shape[0]

    def apply(self, V: np.ndarray) -> np.ndarray:
        return V @ self.M.T + self.t

    def matrix(self) -> np.ndarray:
        return self.M

    def offset(self) -> np.ndarray:
        return self.t

    def describe(self, most: int = 10) -> str:
        """How far M is from the nearest signed permutation, in one phrase."""
        dominant = np.abs(self.M).max(axis=1)
        share = float(np.sum(dominant**2) / max(np.sum(self.M**2), 1e-300))
        return (f"dense {self.M.shape[0]} x {self.M.shape[1]} map; largest entry per row carries "
                f"{share:.1%} of the squared norm")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "affine", "M": self.M.tolist(), "t": self.t.tolist()}


LatentMap = Union[MonomialMap, AffineMap]
