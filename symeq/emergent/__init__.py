"""Approximate mode: emergent equivariance in trained networks (docs/theory.md#8-measuring-emergent-equivariance-in-trained-networks).

The only part of symeq that computes with floats.  It reads a trained network
(:mod:`~symeq.emergent.load`: .npz, scikit-learn, PyTorch) into a :class:`FloatMLP`, fits how a
group acts on every layer (:func:`measure`: the best element of each latent group K_i, and the
least-squares linear map, with the paper's median relative error), and rounds the network to
an exactly equivariant one (:func:`round_network`) that the exact engine proves.  It never
claims anything is verified: its numbers are measurements.

Layout: :mod:`~symeq.architectures.mlp.approximate` is the MLP's part (the functions meant to become methods of
the Architecture protocol, see :mod:`~symeq.emergent.protocol`); everything else is generic.

>>> import numpy as np
>>> from symeq.groups import catalog_group
>>> net = FloatMLP("tanh", (np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([[1.0, 1.0]])),
...                (np.zeros(2), np.zeros(1)))
>>> G = float_group(catalog_group("S2", 2, 1, output="trivial"))
>>> report = measure(net, G, samples=200)
>>> report.fit("t", 1).k.describe()
'perm (0 1)'
>>> rounded = round_network(net, G, report, digits=2)
>>> rounded.network["weights"][0], rounded.max_change
([['1', '2'], ['2', '1']], 0.0)
"""

from symeq.emergent.actions import AffineMap, MonomialMap
from symeq.emergent.load import from_sklearn, from_torch, load_model, save_npz
from symeq.emergent.measure import EmergentReport, FloatGroup, LayerFit, float_group, measure
from symeq.emergent.model import FloatMLP
from symeq.emergent.plot import plot_report
from symeq.emergent.rounding import RoundedNetwork, round_network

__all__ = ["FloatMLP", "load_model", "save_npz", "from_sklearn", "from_torch", "FloatGroup", "float_group",
           "measure", "EmergentReport", "LayerFit", "MonomialMap", "AffineMap", "round_network",
           "RoundedNetwork", "plot_report"]
