"""Local identifiability modulo K through the functional dimension (docs/theory.md, section 2).

theta is *locally identifiable modulo K* when near theta the fiber is the K-orbit.  A
sufficient condition: the Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) has rank
#params - dim(K-orbit) at theta.  (The orbit tangent lies in the kernel everywhere, so the rank
is at most #params - dim(K-orbit) near theta; rank is lower semicontinuous, so it is constant near theta, and
the constant rank theorem makes the fiber a manifold of the orbit's dimension there.)

The rank comes from :mod:`symeq.symmetry.functional_dimension` (the symmetries stage); this
module only reads its result.  When that stage cannot evaluate the network or its rank is not
exact, the result says "unavailable" and no verdict rests on it.

>>> from symeq.architectures import network_from_dict
>>> r = local_identifiability(network_from_dict({"activation": "tanh", "weights": [[["1"]], [["1"]]],
...                                              "biases": [["0"], ["0"]]}))
>>> r.status, r.detail
('locally identifiable', 'Jacobian rank 4 vs #params - dim(K-orbit) = 4 - 0; status exact')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symeq.symmetry.functional_dimension import functional_dimension

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


def local_identifiability(net: Any) -> LocalResult:
    """Compare the exact Jacobian rank at theta (from the symmetries stage) with
    #params - dim(K-orbit at theta).  The orbit dimension, not dim K, is the bound: where the
    stabilizer is positive-dimensional (zero neurons, linear networks) rank = #params - dim K
    would leave kernel directions outside the orbit's tangent space."""
    try:
        fd = functional_dimension(net)
    except Exception as exc:  # its own limits (budget, unsupported activation) end here
        return LocalResult("unavailable", detail=f"functional dimension not computed: {exc}")
    if fd.status != "exact" or fd.rank is None:
        return LocalResult("unavailable", fd.n_params, fd.dim_K, fd.rank,
                           f"functional dimension status: {fd.status}")
    orbit = fd.orbit_dim
    status = "locally identifiable" if fd.rank == fd.n_params - orbit else "not locally identifiable"
    return LocalResult(status, fd.n_params, fd.dim_K, fd.rank,
                       f"Jacobian rank {fd.rank} vs #params - dim(K-orbit) = {fd.n_params} - {orbit}; "
                       f"status {fd.status}")
