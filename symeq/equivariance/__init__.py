"""End-to-end equivariance: the decision of ``symeq check``.

Each architecture contributes its decision methods; the MLP's live in
:mod:`symeq.architectures.mlp.equivariance`.
"""
