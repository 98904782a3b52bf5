"""``symeq identify FILE [--json] [--certificate OUT]``: the identifiability verdict.

Exit codes: 0 identifiable or weakly identifiable, 1 not identifiable, 2 bad input, 3
locally identifiable, conjectural or unknown, 4 internal error (a certificate that the checker
rejects; the verdict is printed, the certificate is not written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from symeq.commands.common import add_network_arguments, emit_json, load_inputs, write_json_atomic, decimal
from symeq.api import identify as _identify
from symeq.architectures import network_to_dict

DESCRIPTION = """\
Decide whether theta is identifiable (docs/theory.md section 3): every theta' with the same function
is related to theta by exactly one element of the latent group K.

The network is first reduced (inactive neurons dropped or absorbed, redundant ones merged, each
step checkable); the submodel is then judged by an exact fiber computation (small polynomial
networks), the literature criterion for its activation (Sussmann 1992, Vlacic-Bolcskei,
Kruskal, the linear rank criterion, Grillo-Montufar for ReLU), a witness the checker verifies,
or local evidence (functional dimension).

Verdicts: identifiable, weakly identifiable (the submodel is identifiable), locally identifiable,
not identifiable (with a witness), conjectural (ReLU), unknown (a limit is named).
--certificate writes the checkable certificate of the verdict: "identifiable" (the conditions of
the trusted theorem it rests on, or exact-fiber data), "weakly identifiable" (the rewrite steps
to the submodel, then the same for it), "not identifiable" (the witness). Conjectural, locally
identifiable and unknown verdicts are no checkable claims and write none. The certificate is
verified by the independent checker before it is written (exit 4 and nothing written if it
does not verify); `symeq verify` checks it again later.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """FILE, --json, --certificate, --seconds."""
    add_network_arguments(p, group=False)
    p.add_argument("--certificate", metavar="OUT", help="write the checkable certificate (JSON)")
    p.add_argument("--seconds", type=decimal, default=20.0, metavar="S",
                   help="time budget per Groebner basis in exact fiber computations (default 20)")
    p.add_argument("--no-local", action="store_true",
                   help="skip the functional-dimension (local identifiability) computation")


def run(args: argparse.Namespace) -> int:
    """Print the verdict and its evidence; write the certificate if asked."""
    from symeq.errors import InputError

    if args.seconds <= 0:
        raise InputError("--seconds must be positive")
    if args.certificate is not None and not args.certificate.lower().endswith(".json"):
        raise InputError(f"certificate path {args.certificate!r} must end in .json")
    net, _, _ = load_inputs(args.file, None, need_group=False)
    from symeq.identifiability.identify import applies_to

    if not applies_to(net):
        from symeq.commands.by_architecture import run_verb

        return run_verb(args, "identify", net, local=not args.no_local)
    start = time.monotonic()
    res = _identify(net, local=not args.no_local, seconds=args.seconds)
    cert = res.certificate({"symeq_version": "0.1.0", "seconds": f"{time.monotonic() - start:.3f}"})
    rejected: str | None = None
    if args.certificate is not None and cert is not None:
        # The independent checker sees the certificate before anyone else does: one that does
        # not verify (an engine bug, or a limit of the checker such as pi in a rank condition)
        # is not written; the verdict is still printed, and the exit code is 4.
        from symeq.certify.verify import verify_certificate

        check = verify_certificate(json.loads(json.dumps(cert)))
        if check.ok:
            write_json_atomic(cert, args.certificate)
        else:
            rejected = f"the independent checker rejects it ({check.reason}); nothing written"
            print(f"symeq identify: internal error: the {res.verdict} certificate: {rejected}",
                  file=sys.stderr)
            cert = None
    note = res.certificate_note if rejected is None else f"none: {rejected}"
    if args.json:
        out = res.to_dict()
        out["certificate"] = args.certificate if (args.certificate and cert) else None
        out["certificate_note"] = note
        emit_json(out)
        return res.exit_code if rejected is None else 4
    print(f"verdict: {res.verdict}")
    print(f"basis: {res.basis}")
    crit = res.criterion
    print(f"criterion: {crit.criterion}")
    print(f"reference: {crit.reference}")
    for c in crit.conditions:
        print(f"  [{'holds' if c.holds else 'fails'}] {c.text}" + (f" ({c.detail})" if c.detail else ""))
    for text in crit.notes:
        print(f"  note: {text}")
    red = res.reduction
    if red.changed:
        print(f"submodel: widths {list(red.reduced.widths)} after {len(red.steps)} step(s):")
        for s in red.steps:
            print(f"  {s.to_dict()}")
        print(f"  submodel network: {network_to_dict(red.reduced)}")
    for text in red.notes:
        print(f"  note: {text}")
    if res.fiber is not None:
        print(f"exact fiber: {res.fiber.status}")
        for d in res.fiber.details:
            print(f"  {d}")
    if res.local is not None:
        print(f"local: {res.local.status}" + (f" ({res.local.detail})" if res.local.detail else ""))
    if res.witness is not None:
        print(f"witness ({res.witness.kind}): {res.witness.description}")
    for text in res.notes:
        print(f"note: {text}")
    if args.certificate is not None:
        print(f"certificate: {args.certificate} ({note})" if cert is not None else
              f"certificate: {note}" + ("" if rejected else "; nothing written"))
    return res.exit_code if rejected is None else 4
