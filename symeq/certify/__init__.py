"""Certificates: the schema (docs/certificates.md) and the independent checker.

``symeq.certify.checker`` (with ``checker_parse`` and the ``checker_<area>`` extensions) is the
trusted kernel: it imports nothing else from symeq.  This package file imports nothing either,
so importing the checker never pulls in the engine.
"""
