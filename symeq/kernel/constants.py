"""The named transcendental constants tanh(q), q rational, computed exactly.

A certificate whose ``numbers`` hint declares ``"exp_denominator": N`` has a field whose variable
``_s`` is u = e^(1/N) (instead of sqrt(pi)).  Then tanh(q) = (u^m - 1)/(u^m + 1) with m = 2 q N,
which must be an integer.  u is transcendental over the algebraic numbers (Lindemann-Weierstrass:
e^a is transcendental for algebraic a != 0), so a number of Q(alpha)(u) is zero exactly when its
numerator is the zero polynomial in u (:meth:`Num.is_zero`); signs are decided by balls, as for pi.
Such a field has no pi: whether pi and e are algebraically independent is an open problem.

>>> from symeq.kernel.numbers import Field
>>> F = Field(exp_root=2)  # u = e^(1/2)
>>> t1, t2 = tanh_value(F, fmpq(1)), tanh_value(F, fmpq(1, 2))
>>> t1 == 2 * t2 / (1 + t2 * t2), t1.sign(), (t1 - fmpq(76159, 100000)).sign()
(True, 1, 1)
"""

from flint import fmpq

from symeq.kernel.core import Reject

#: Largest |numerator| and denominator of q in tanh(q), and largest N in u = e^(1/N).
MAX_ARGUMENT, MAX_EXP_DENOMINATOR = 1000, 10_000
#: What a verdict on numbers of Q(alpha)(u) relies on.
LINDEMANN = "Lindemann-Weierstrass: e^(1/N) is transcendental (exact tanh constants)"


def check_exp_root(n) -> int:
    """N of u = e^(1/N), as declared by a numbers hint."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_EXP_DENOMINATOR:
        raise Reject(f"numbers: exp_denominator must be an integer from 1 to {MAX_EXP_DENOMINATOR}")
    return n


def tanh_value(F, q: fmpq):
    """tanh(q) in Q(alpha)(u), u = e^(1/N) the field's transcendental (:class:`Field` ``exp_root``)."""
    if not F.exp_root:
        raise Reject('tanh(q) needs "exp_denominator" N in the numbers hint (u = e^(1/N))')
    if abs(q.p) > MAX_ARGUMENT or q.q > MAX_ARGUMENT:
        raise Reject(f"tanh({q}): the numerator and denominator must be at most {MAX_ARGUMENT}")
    m = 2 * q * F.exp_root
    if m.q != 1:
        raise Reject(f"tanh({q}) is not a rational function of e^(1/{F.exp_root}) (2 q N is not an integer)")
    if m < 0:
        return -tanh_value(F, -q)
    t = F.var("_s") ** int(m)
    return (t - 1) / (t + 1)


#: sigma(0) where it is rational: tanh(0) = sin(0) = gelu(0) = swish(0) = 0, sigmoid(0) = 1/2.
AT_ZERO = ("tanh", "sin", "gelu", "swish", "sigmoid")


def exact_value(act, z):
    """sigma(z) exactly for the analytic activations: sigma(0) (trusted values), tanh at a rational z."""
    if act.name in AT_ZERO and z.is_zero():
        return z.f.num(1) / 2 if act.name == "sigmoid" else z.f.zero
    if act.name == "tanh" and z.is_rational():
        return tanh_value(z.f, z.rational())
    raise Reject(f"{act.spec} has no exact value at {z}")
