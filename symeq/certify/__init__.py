"""Certificates: the engine's side (build, hints) and the checker's side (reader, verify).

What "verified" means is the trusted kernel, :mod:`symeq.kernel` (standard library and
python-flint only); :mod:`symeq.certify.reader` reads certificates strictly into its values,
:mod:`symeq.certify.verify` runs it, and :mod:`symeq.certify.theorems` and
:mod:`symeq.certify.second_tier` hold the named second-tier items it may rely on.  The engine
writes certificates with :mod:`symeq.certify.build` and the hints of :mod:`symeq.certify.hints`.
This package file imports nothing, so checking never pulls in the engine.
"""
