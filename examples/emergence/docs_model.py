"""Write docs/examples/digits_autoencoder.npz, the trained model docs/emergent.md works on.

A tanh autoencoder 64-32-64 on scikit-learn's digits, trained by train.py with the soft
mirror-equivariance loss in the second half (300 epochs, seed 0, about 10 s):

    python examples/emergence/docs_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reproduce import digits, mirror_index  # noqa: E402
from train import train  # noqa: E402

from symeq.emergent import save_npz  # noqa: E402

if __name__ == "__main__":
    X, y = digits()
    h = mirror_index("h")
    net, r2 = train("autoencoder", "tanh", X, y, (32,), h, h, epochs=300, seed=0)
    out = HERE.parent.parent / "docs" / "examples" / "digits_autoencoder.npz"
    save_npz(net, out)
    print(f"approximate: {net.describe()}, training R^2 {r2:.3f}, written to {out}")
