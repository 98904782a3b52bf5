"""examples/teaching.ipynb runs from a fresh kernel (ipykernel from the project's test extra) and
its results render in Jupyter: Markdown for the verdicts and the derivation, a PNG for the figure."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "teaching.ipynb"


def test_teaching_notebook_runs_and_renders() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    markdown = [o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert markdown[0].startswith("**symeq check: holds**")
    assert markdown[1].startswith("**symeq identify: identifiable**")
    assert "## 6. What each hidden layer carries" in markdown[2] and "$G/G$ with sign" in markdown[2]
    assert all("text/latex" in o.data for o in outputs if "text/markdown" in o.get("data", {}))
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "perm (0 1); b=-1 on neuron 2" in text and text.count("\\documentclass") == 1
