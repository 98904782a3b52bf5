"""The theorem's construction (docs/theory.md section 5), on the Architecture protocol: latent
actions rho_i : G -> K_i (:mod:`.construct`), their uniqueness (:mod:`.stabilizer`), the
homomorphism check (:mod:`.homomorphism`), what each layer carries (``net.layer_structure``), and the
whole of ``symeq latent`` (:mod:`.analysis`).
"""
