"""The theorem's construction (THEORY.md section 5): latent actions rho_i : G -> K_i.

Entry points: :func:`analyze` (the whole of ``symeq latent``), :func:`construct` (theta^g and
k(g) per generator), :func:`stabilizer` (uniqueness), :func:`check_relators` (homomorphism),
:func:`network_structure` (orbits, G-sets, characters), :func:`construct_weak` (reduce, construct,
embed with beta), :func:`uniqueness_conditions` (symbolic families).
"""

from symeq.latent.action import LatentMap
from symeq.latent.analysis import LatentResult, analyze
from symeq.latent.construct import Construction, LatentActions, construct, theta_g
from symeq.latent.families import Inequation, identifiability_conditions, uniqueness_conditions
from symeq.latent.homomorphism import RelatorCheck, check_relators, find_homomorphism, group_presentation
from symeq.latent.stabilizer import Stabilizer, stabilizer
from symeq.latent.structure import LayerStructure, Orbit, layer_structure, network_structure
from symeq.latent.weak import LinearReduction, WeakConstruction, construct_weak, linear_reduction

__all__ = [
    "LatentMap", "LatentActions", "LatentResult", "Construction", "Stabilizer", "RelatorCheck",
    "LayerStructure", "Orbit", "Inequation", "WeakConstruction", "LinearReduction",
    "analyze", "construct", "theta_g", "stabilizer", "check_relators", "find_homomorphism",
    "group_presentation", "layer_structure", "network_structure", "construct_weak",
    "linear_reduction", "uniqueness_conditions", "identifiability_conditions",
]
