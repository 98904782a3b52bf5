"""The paper's measurement of emergent equivariance, for any architecture (docs/theory.md#8-measuring-emergent-equivariance-in-trained-networks).

For every generator g of G and every layer i, two fits of how g acts on V_i:

- **structured** (``K``): the best element k_i(g) of the latent group K_i, found layer after layer
  from k_0 = rho_0(g) by the architecture's ``approximate_solve_layer`` (an assignment on row
  similarities); the last layer uses k_L = rho_L(g), the given output action;
- **linear** (``linear``): the least-squares matrix A_i with A_i F_i(x) ~ F_i(g x), where
  F_i = f_i o ... o f_1 is the composite of the first i layers (A_0 = rho_0(g)).

and for each fit the paper's error, the median over sampled inputs of

    composite:  |F_i(g x) - A F_i(x)| / |F_i(x)|          (the paper's "f_2" is F_2)
    single:     |f_i(B y) - A f_i(y)| / |f_i(y)|,   y = F_{i-1}(x)

(Euclidean norms), where for the single layer B is the previous layer's fit of the same kind
(k_{i-1} for K, A_{i-1} for linear; the single-layer linear fit is fitted again for that input
action).  On layer 1 both are the same number.  The structured error of the last layer's
composite is the end-to-end equivariance error |f(g x) - rho_L(g) f(x)| / |f(x)|.

Sampling: inputs are Gaussian noise N(0, scale^2) on every input coordinate (the paper uses
noise inputs), or rows of a given array; fits use one sample set and errors are medians over
another, independent one of the same size (held out).  Samples where |F_i(x)| is zero are left
out of that median and counted.

Everything here is floating point: the numbers are approximate and prove nothing.

>>> import numpy as np
>>> from symeq.emergent.model import FloatMLP
>>> W1 = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, -1.0]])
>>> net = FloatMLP("tanh", (W1, np.array([[1.0, 1.0, 0.0]])), (np.zeros(3), np.zeros(1)))
>>> G = FloatGroup("S2", ("t",), (np.array([[0.0, 1.0], [1.0, 0.0]]),), (np.eye(1),))
>>> r = measure(net, G, samples=500, seed=1)
>>> r.fit("t", 1).k.perm.tolist(), r.fit("t", 1).k.scale.tolist()
([1, 0, 2], [1.0, 1.0, -1.0])
>>> max(r.fit("t", 1).k_single, r.fit("t", 2).k_composite) < 1e-12
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from symeq.emergent.actions import AffineMap, LatentMap
from symeq.emergent.protocol import approximate_architecture
from symeq.errors import InputError

__all__ = ["FloatGroup", "float_group", "LayerFit", "EmergentReport", "measure", "relative_errors",
           "least_squares", "MAX_SAMPLES", "CHUNK"]

#: Largest number of samples per set (fit and evaluation each).
MAX_SAMPLES = 1_000_000
#: Samples per batch: progress advances per batch, and memory stays bounded.
CHUNK = 4096

Progress = Callable[[int], None]


@dataclass(frozen=True)
class FloatGroup:
    """A finite group's generators as float matrices on the input and output spaces.

    ``signed[n]`` holds, for generator n, exact (perm, sign) integer arrays of rho_0 and rho_L
    when both are signed permutation matrices (None otherwise); rounding needs them.
    ``image_shape`` is (H, W) for the image groups of the catalog.  ``table`` is the [group]
    table that names the same group in a network file.
    """

    name: str
    names: tuple[str, ...]
    inputs: tuple[np.ndarray, ...]
    outputs: tuple[np.ndarray, ...]
    signed: tuple[Any, ...] = ()
    image_shape: tuple[int, int] | None = None
    table: dict[str, Any] = field(default_factory=dict)

    def generator(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        n = self.names.index(name)
        return self.inputs[n], self.outputs[n]


def _float_matrix(m: Any) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """A sympy matrix as floats, and its exact (perm, sign) when it is a signed permutation.

    Integer matrices are read through their sparse exact representation (fast for 3072 x 3072
    permutation matrices); others are evaluated entry by entry.
    """
    rows, cols = m.shape
    rep = getattr(m, "_rep", None)
    if rep is not None and rep.domain.is_ZZ:
        out = np.zeros((rows, cols))
        perm = np.full(cols, -1, dtype=np.int64)
        sign = np.zeros(cols, dtype=np.int64)
        signed = True
        for i, row in rep.to_sdm().items():
            for j, v in row.items():
                out[i, j] = float(int(v))
                if int(v) in (1, -1) and perm[j] == -1 and len(row) == 1:
                    perm[j], sign[j] = i, int(v)
                else:
                    signed = False
        if signed and sorted(perm.tolist()) == list(range(cols)) and rows == cols:
            return out, (perm, sign)
        return out, None
    return np.array(m.evalf(20).tolist(), dtype=np.float64), None


def float_group(group: Any) -> FloatGroup:
    """The float form of a :class:`symeq.groups.GroupAction` (catalog or file group).

    >>> from symeq.groups import catalog_group
    >>> G = float_group(catalog_group("hmirror:2x3", 6, 1, output="trivial"))
    >>> G.image_shape, G.signed[0][0][0].tolist(), G.table
    ((2, 3), [2, 1, 0, 5, 4, 3], {'name': 'hmirror:2x3', 'output': 'trivial'})
    """
    inputs, outputs, signed = [], [], []
    for _, a, b in group.generators():
        fa, sa = _float_matrix(a)
        fb, sb = _float_matrix(b)
        inputs.append(fa)
        outputs.append(fb)
        signed.append((sa, sb) if sa is not None and sb is not None else None)
    shape = None
    m = re.fullmatch(r"(?:hmirror|vmirror|D4):(\d+)x(\d+)", group.catalog or "")
    if m:
        shape = (int(m.group(1)), int(m.group(2)))
    if group.catalog:
        table: dict[str, Any] = {"name": group.catalog, "output": group.output_mode}
        name = group.catalog + ("" if group.output_mode == "same" else f"/{group.output_mode}")
    else:
        table, name = group.to_dict(), "group from file"
    return FloatGroup(name, tuple(group.names), tuple(inputs), tuple(outputs), tuple(signed), shape, table)


@dataclass(frozen=True)
class LayerFit:
    """Both fits of generator ``generator`` on layer ``layer`` and their errors (medians).

    ``k`` is k_i(g) (rho_L(g) on the last layer, not fitted); ``row_residual`` is the solver's
    score (None on the last layer); ``A`` the least-squares matrix A_i of the composite.
    """

    generator: str
    layer: int
    width: int
    k: LatentMap
    row_residual: float | None
    k_single: float
    k_composite: float
    linear_single: float
    linear_composite: float
    A: AffineMap
    left_out: int = 0

    def to_dict(self, matrices: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "generator": self.generator, "layer": self.layer, "width": self.width,
            "action": self.k.to_dict() if self.row_residual is not None else "rho_L (given)",
            "action_text": self.k.describe() if self.row_residual is not None else "rho_L(g), the output action",
            "row_residual": self.row_residual,
            "error": {"K_single": _num(self.k_single), "K_composite": _num(self.k_composite),
                      "linear_single": _num(self.linear_single), "linear_composite": _num(self.linear_composite)},
            "zero_outputs_left_out": self.left_out,
        }
        if matrices:
            out["A"] = self.A.M.tolist()
        return out


@dataclass(frozen=True)
class EmergentReport:
    """What :func:`measure` found: one :class:`LayerFit` per generator and layer."""

    model: str
    group: str
    latent_group: str
    samples: int
    seed: int
    inputs: str
    fits: tuple[LayerFit, ...]

    def fit(self, generator: str, layer: int) -> LayerFit:
        for f in self.fits:
            if f.generator == generator and f.layer == layer:
                return f
        raise KeyError((generator, layer))

    def actions(self, generator: str) -> list[LatentMap]:
        """k_1(g) .. k_{L-1}(g), the fitted latent actions of the hidden layers."""
        return [f.k for f in self.fits if f.generator == generator and f.row_residual is not None]

    def to_dict(self, matrices: bool = False) -> dict[str, Any]:
        return {"mode": "approximate", "model": self.model, "group": self.group,
                "latent_group": self.latent_group, "samples": self.samples, "seed": self.seed,
                "inputs": self.inputs, "layers": [f.to_dict(matrices) for f in self.fits]}


def _num(x: float) -> float | None:
    """JSON has no NaN: a median over no sample (every f(y) = 0) is null."""
    return None if np.isnan(x) else x


def relative_errors(diff: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, int]:
    """|diff| / |ref| per row, leaving out rows with |ref| = 0 (returned: how many).

    >>> relative_errors(np.array([[3.0, 4.0], [1.0, 0.0]]), np.array([[10.0, 0.0], [0.0, 0.0]]))
    (array([0.5]), 1)
    """
    num = np.linalg.norm(diff, axis=1)
    den = np.linalg.norm(ref, axis=1)
    keep = den > 0
    return num[keep] / den[keep], int(np.count_nonzero(~keep))


def least_squares(F: np.ndarray, Fg: np.ndarray) -> AffineMap:
    """The A minimizing sum over rows |Fg - F A^T|^2 (numpy's lstsq; minimum-norm when rank-deficient).

    >>> A = least_squares(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                   np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    >>> np.round(A.M, 12) + 0.0
    array([[0., 1.],
           [1., 0.]])
    """
    sol, *_ = np.linalg.lstsq(F, Fg, rcond=None)
    return AffineMap(sol.T)


def _median(values: list[np.ndarray]) -> float:
    v = np.concatenate(values) if values else np.array([])
    return float(np.median(v)) if v.size else float("nan")


def sample_inputs(d: int, n: int, seed: int, scale: float = 1.0, data: np.ndarray | None = None) -> np.ndarray:
    """n inputs: N(0, scale^2) noise, or n rows drawn from ``data`` (with replacement past its size).

    >>> sample_inputs(3, 2, 0).shape
    (2, 3)
    """
    rng = np.random.default_rng(seed)
    if data is None:
        return rng.standard_normal((n, d)) * scale
    if data.ndim != 2 or data.shape[1] != d:
        raise InputError(f"the input sample must have {d} columns, got shape {data.shape}")
    idx = rng.choice(data.shape[0], size=n, replace=n > data.shape[0])
    return np.asarray(data[idx], dtype=np.float64)


#: Up to this width the BLAS runs on one thread (see :func:`_blas_threads`).
SMALL_WIDTH = 512


@contextmanager
def _blas_threads(model: Any) -> Iterator[None]:
    """One BLAS thread for small layers.  Least squares on a 1000 x 64 sample took 1 s with
    OpenBLAS threads on a busy 2-core machine and 7 ms on one thread (threads contending for
    cores they do not get); large layers keep the default.  Needs threadpoolctl (installed with
    scikit-learn); without it nothing changes."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    if max(model.widths) > SMALL_WIDTH:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def measure(model: Any, group: FloatGroup, *, samples: int = 10_000, seed: int = 0, scale: float = 1.0,
            data: np.ndarray | None = None, progress: Progress | None = None) -> EmergentReport:
    """Fit k_i(g) and A_i for every generator and layer, with the paper's errors (module doc).

    ``progress(n)`` is called with the number of batch steps done since the last call; the
    total is :func:`work_units`.
    """
    with _blas_threads(model):
        return _measure(model, group, samples, seed, scale, data, progress)


def _measure(model: Any, group: FloatGroup, samples: int, seed: int, scale: float, data: np.ndarray | None,
             progress: Progress | None) -> EmergentReport:
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"samples must be from 1 to {MAX_SAMPLES}")
    arch = approximate_architecture(model)
    widths = model.widths
    if group.inputs[0].shape != (widths[0], widths[0]) or group.outputs[0].shape != (widths[-1], widths[-1]):
        raise InputError(f"the group acts on R^{group.inputs[0].shape[0]} -> R^{group.outputs[0].shape[0]}, "
                         f"but the network maps R^{widths[0]} -> R^{widths[-1]}")
    X_fit = sample_inputs(widths[0], samples, seed, scale, data)
    X_eval = sample_inputs(widths[0], samples, seed + 1, scale, data)
    L = model.depth
    tick = progress or (lambda n: None)
    fits: list[LayerFit] = []
    for name, g_in, g_out in zip(group.names, group.inputs, group.outputs):
        twisted = arch.twist(model, g_in, g_out)
        sets = {"fit": X_fit, "eval": X_eval}
        # per set: F_{i-1}(x) and F_{i-1}(g x) for the current layer i
        cur = {s: (X, X @ g_in.T) for s, X in sets.items()}
        k_prev: LatentMap | None = None            # k_{i-1}; None is k_0 = rho_0(g), carried by twisted
        k_prev_map: LatentMap = AffineMap(g_in)     # k_{i-1} as a map, for the single-layer error
        A_prev = AffineMap(g_in)                    # A_{i-1}
        for i in range(1, L + 1):
            if i < L:
                k, score = arch.approximate_solve_layer(model, i, k_prev, twisted)
            else:
                k, score = AffineMap(g_out), None
            nxt = {}
            for s, (Y, Yg) in cur.items():
                nxt[s] = (_batched(arch.numeric_layer, model, i, Y, tick),
                          _batched(arch.numeric_layer, model, i, Yg, tick))
            F, Fg = nxt["fit"]
            A = least_squares(F, Fg)
            # the single-layer linear fit: f_i(A_{i-1} y) ~ A' f_i(y)
            Yf = cur["fit"][0]
            A_single = least_squares(F, _batched(arch.numeric_layer, model, i, A_prev.apply(Yf), tick))
            Y, _ = cur["eval"]
            E, Eg = nxt["eval"]
            k_comp, left = relative_errors(Eg - k.apply(E), E)
            k_sing, _ = relative_errors(_batched(arch.numeric_layer, model, i, k_prev_map.apply(Y), tick)
                                        - k.apply(E), E)
            lin_comp, _ = relative_errors(Eg - A.apply(E), E)
            lin_sing, _ = relative_errors(_batched(arch.numeric_layer, model, i, A_prev.apply(Y), tick)
                                          - A_single.apply(E), E)
            fits.append(LayerFit(name, i, widths[i], k, score, _median([k_sing]), _median([k_comp]),
                                 _median([lin_sing]), _median([lin_comp]), A, left))
            cur, k_prev, k_prev_map, A_prev = nxt, k, k, A
    kind = arch.latent_kind(model)[1]
    where = "rows of the given input sample" if data is not None else f"N(0, {scale:g}^2) noise"
    return EmergentReport(model.describe(), group.name, kind, samples, seed, where, tuple(fits))


def work_units(model: Any, group: FloatGroup, samples: int) -> int:
    """The number of batch steps :func:`measure` reports to ``progress``."""
    batches = -(-samples // CHUNK)
    return len(group.names) * model.depth * 7 * batches


def _batched(fn: Callable[..., np.ndarray], model: Any, i: int, X: np.ndarray, tick: Progress) -> np.ndarray:
    out = []
    for start in range(0, X.shape[0], CHUNK):
        out.append(fn(model, i, X[start:start + CHUNK]))
        tick(1)
    return np.vstack(out) if out else np.zeros((0, model.widths[i]))
