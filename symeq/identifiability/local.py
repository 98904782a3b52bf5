"""Local identifiability modulo K through the functional dimension (THEORY.md, section 2).

theta is *locally identifiable modulo K* when near theta the fiber is the K-orbit.  A
sufficient condition: the Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) has rank
#params - dim K at theta.  (The orbit tangent lies in the kernel everywhere, so the rank is at
most #params - dim K near theta; rank is lower semicontinuous, so it is constant near theta, and
the constant rank theorem makes the fiber a manifold of dimension dim K there.)

The rank comes from helper module :mod:`symeq.symmetry.functional_dimension` (the symmetries
stage); this module only reads its result.  When that module is missing or cannot evaluate the
network, the result says "unavailable" and no verdict rests on it.

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.models.mlp import MLP
>>> r = local_identifiability(MLP(activation("tanh"), (M([[1]]), M([[1]])), (M([0]), M([0]))))
>>> r.status in ("locally identifiable", "not locally identifiable", "unavailable")
True
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from symeq.models.mlp import MLP

__all__ = ["LocalResult", "local_identifiability"]


@dataclass(frozen=True)
class LocalResult:
    """``status``: ``locally identifiable``, ``not locally identifiable`` (rank below
    #params - dim K at theta: only inconclusive for global questions) or ``unavailable``."""

    status: str
    n_params: int | None = None
    dim_k: int | None = None
    rank: int | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"status": self.status, "n_params": self.n_params, "dim_K": self.dim_k,
                "rank": self.rank, "detail": self.detail}


def local_identifiability(net: MLP) -> LocalResult:
    """Compare the Jacobian rank at theta (from the symmetries stage) with #params - dim K."""
    try:
        module = importlib.import_module("symeq.symmetry.functional_dimension")
    except ImportError:
        return LocalResult("unavailable", detail="symeq.symmetry.functional_dimension is not available")
    try:
        fd = module.functional_dimension(net)
    except Exception as exc:  # its own limits (budget, unsupported activation) end here
        return LocalResult("unavailable", detail=f"functional dimension not computed: {exc}")
    n, dim_k, rank = (getattr(fd, "n_params", None), getattr(fd, "dim_K", None),
                      getattr(fd, "rank", None))
    if not all(isinstance(v, int) for v in (n, dim_k, rank)):
        return LocalResult("unavailable", n, dim_k, rank,
                           f"functional dimension status: {getattr(fd, 'status', 'unknown')}")
    status = "locally identifiable" if rank == n - dim_k else "not locally identifiable"
    return LocalResult(status, n, dim_k, rank,
                       f"Jacobian rank {rank} vs #params - dim K = {n} - {dim_k}; "
                       f"status {getattr(fd, 'status', '')}".rstrip("; status "))
