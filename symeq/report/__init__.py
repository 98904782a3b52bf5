"""Rendering results for people: figures (draw) and teaching text (explain)."""
