"""Figures for teaching (symeq draw, symeq.draw): a legend for line thickness and markers, a note
where the input or output action mixes coordinates, cycles drawn as runs of neighbours, and the
API's matplotlib figure."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

import symeq
from symeq.cli import main
from symeq.report.draw import Arrow, DrawPlan, NeuronOrbit
from symeq.report.draw_figure import _slots, figure

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def _legend(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.legends[0].get_texts()]


def test_api_figure_has_legend_for_lines_and_markers() -> None:
    fig = symeq.draw(*symeq.load(EXAMPLES / "first.toml"))
    assert isinstance(fig, Figure) and fig._repr_png_().startswith(b"\x89PNG")
    labels = _legend(fig)
    assert "thick, dark line: largest |w| in its layer" in labels
    assert "thin, light line: small |w| (none: w = 0)" in labels
    assert "grey: input/output, or no orbit" in labels
    assert "self-negated (colour: one orbit)" in labels and "moved as copies (colour: one orbit)" in labels
    assert "t: j -> p(j)" in labels


def test_mixing_input_action_is_explained(tmp_path: Path, capsys) -> None:
    assert main(["draw", str(EXAMPLES / "c8_width8.toml"), "--out", str(tmp_path / "c8.png")]) == 0
    out = capsys.readouterr().out
    assert "layer 1: 1 orbit (1 moved as copies)" in out
    assert ("note: input (rho_0(r)) and output (rho_L(r)): not a signed permutation matrix, it mixes "
            "coordinates, so no arrows are drawn there") in out


def test_theorem_parameter_names_the_file(tmp_path: Path, capsys) -> None:
    src = EXAMPLES / "duplicates.toml"
    main(["draw", str(src), "--theorem-parameter", "--out", str(tmp_path / "d.png")])
    out = capsys.readouterr().out
    assert f"the same function as {src})" in out and "FILE" not in out


def test_four_cycle_is_a_run_of_neighbours() -> None:
    # the 4-cycle (0 2 1 3) and a 2-cycle (4 5): each cycle occupies consecutive slots, so only
    # its closing arc spans more than one slot and arcs of different cycles never interleave
    arrows = tuple(Arrow(1, j, t, False) for j, t in ((0, 2), (2, 1), (1, 3), (3, 0), (4, 5), (5, 4)))
    plan = DrawPlan((2, 6, 2), "tanh", "C4", "r", (), (NeuronOrbit(1, (0, 1, 2, 3), "moved as copies"),
                                                     NeuronOrbit(1, (4, 5), "moved as copies")), arrows, True, ())
    slot = {j: s for (i, j), s in _slots(plan).items() if i == 1}
    spans = sorted(abs(slot[a.source] - slot[a.target]) for a in arrows)
    assert spans == [1, 1, 1, 1, 1, 3]
    assert isinstance(figure(plan), Figure)
