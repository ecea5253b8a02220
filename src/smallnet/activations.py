"""Activations: each forward beside its backward.

smallnet keeps the tutorial's sign convention. The signal sent back through the
network is the *error*, ``y - out`` at the top ("how much did we miss?"), which
is minus the loss gradient. An activation turns the error at its output into the
*delta* at its input::

    l2_delta = l2_error * nonlin(l2, deriv=True)        # delta = error * slope

Most slopes are computed from the activation's output, as the tutorial's
``x*(1-x)`` is (elu's, selu's and softplus's too), so nothing else is kept for
backward. gelu, silu (swish) and mish need the pre-activation z: their forward
keeps what backward needs (gelu: a copy of z and Phi(z); silu: sigmoid(z); mish: a
copy of z and tanh(softplus(z))), so each such instance serves one layer.

``forward(z)`` works in place: it overwrites and returns `z`, the layer's own
pre-activation array of shape (n_samples, units). ``backward(out, error)``
returns the delta (same shape) and may overwrite `error`.
"""

import math

import numpy as np

from .validation import check_bool, check_number, lookup


class Activation:
    """Base class: `forward` and `backward` as described in the module docstring.

    `outputs` says what the outputs are, for the losses to check they can use them:
    "distribution" (each row sums to 1), "probability" (each in [0, 1]), "real"
    (anything else), or None when unknown (an activation of one's own).
    """

    name = None
    outputs = None

    def config(self):
        """The JSON-able arguments that rebuild this activation (see `get`)."""
        return {"name": self.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class Sigmoid(Activation):
    """The tutorial's ``nonlin``: 1 / (1 + exp(-z)), slope out * (1 - out)."""

    name = "sigmoid"
    outputs = "probability"

    def __init__(self):
        self._one = None

    def forward(self, z):
        # Below z = -709 (-88 in float32) exp(-z) overflows to inf, and 1 / (1 + inf) is the
        # right 0: Network runs forward passes under np.errstate(over="ignore"), so no clipping
        # pass is needed.
        one = self._one_like(z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        np.add(z, one, out=z)
        return np.reciprocal(z, out=z)  # 1 / (1 + exp(-z))

    def backward(self, out, error):
        slope = out * np.subtract(self._one_like(out), out)  # x*(1-x)
        return np.multiply(error, slope, out=error)

    def _one_like(self, a):
        # 1 as a 0-d array of a's dtype spares the ufuncs converting a Python scalar on every
        # call, a quarter of their cost on the tutorial's tiny arrays.
        if self._one is None or self._one.dtype != a.dtype:
            self._one = np.ones((), a.dtype)
        return self._one


class Tanh(Activation):
    """tanh(z), slope 1 - out**2."""

    name = "tanh"
    outputs = "real"

    def forward(self, z):
        return np.tanh(z, out=z)

    def backward(self, out, error):
        slope = 1 - out * out
        return np.multiply(error, slope, out=error)


class ReLU(Activation):
    """max(z, 0), slope 1 where out > 0, else 0."""

    name = "relu"
    outputs = "real"

    def forward(self, z):
        # Against a row of zeros rather than the scalar 0: NumPy's loop for a broadcast
        # scalar is about three times slower than its loop over rows.
        return np.maximum(z, np.zeros_like(z, shape=z.shape[-1:]), out=z)

    def backward(self, out, error):
        return np.multiply(error, out > 0, out=error)


class LeakyReLU(Activation):
    """z where z > 0 else alpha * z, slope 1 or alpha.

    alpha > 0 keeps the sign readable from out.
    """

    name = "leaky_relu"
    outputs = "real"

    def __init__(self, alpha=0.01):
        self.alpha = check_number("alpha", alpha, low=0)

    def forward(self, z):
        return np.multiply(z, self.alpha, out=z, where=z < 0)

    def backward(self, out, error):
        return np.multiply(error, self.alpha, out=error, where=out <= 0)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}


class Softmax(Activation):
    """exp(z) / sum(exp(z)) per row; the row maximum is subtracted first so exp never overflows."""

    name = "softmax"
    outputs = "distribution"

    def forward(self, z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def backward(self, out, error):
        # The Jacobian is diag(out) - out out^T, so delta = out * (error - <error, out>).
        along = (error * out).sum(axis=1, keepdims=True)
        error -= along
        return np.multiply(error, out, out=error)


class Identity(Activation):
    """z unchanged, slope 1 (a linear output, for regression)."""

    name = "identity"
    outputs = "real"

    def forward(self, z):
        return z

    def backward(self, out, error):
        return error


class ELU(Activation):
    """z where z > 0 else alpha * (exp(z) - 1), slope 1 or out + alpha (continuous at 0 for
    alpha = 1); alpha > 0 keeps the sign readable from out."""

    name = "elu"
    outputs = "real"
    scale = 1.0  # of the whole output (SELU's)

    def __init__(self, alpha=1.0):
        self.alpha = check_number("alpha", alpha, low=0)

    def forward(self, z):
        below = np.minimum(z, 0.0)  # whole arrays: ufuncs masked by where= are ten times slower
        np.expm1(below, out=below)  # expm1: exact near 0, and never overflows here
        below *= self.alpha * self.scale
        np.maximum(z, 0.0, out=z)
        if self.scale != 1:
            z *= self.scale
        z += below
        return z

    def backward(self, out, error):
        # scale * alpha * exp(z) is out + scale * alpha: the output alone gives the slope.
        slope = np.where(out > 0, self.scale, out + self.scale * self.alpha)
        return np.multiply(error, slope, out=error)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}


class SELU(ELU):
    """scale * elu(z, alpha), the self-normalizing constants of Klambauer et al. (2017) fixed;
    slope scale where out > 0, else out + scale * alpha."""

    name = "selu"
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def __init__(self):
        pass  # the constants are fixed

    def config(self):
        return {"name": self.name}


class Softplus(Activation):
    """log(1 + exp(z)), a smooth relu; slope sigmoid(z), which is 1 - exp(-out)."""

    name = "softplus"
    outputs = "real"

    def forward(self, z):
        return softplus(z, out=z)

    def backward(self, out, error):
        # -expm1(-out) keeps the slope's relative accuracy where out is tiny (z very negative).
        return np.multiply(error, -np.expm1(-out), out=error)


class _KeepsArrays(Activation):
    """Its slope needs z: forward keeps arrays for backward, which takes that forward's output."""

    _out = None

    def _check_output(self, out):
        if out is not self._out:
            raise ValueError(
                f"{self!r}.backward needs the output of its own last forward call; is one "
                f"{type(self).__name__} instance shared by several layers? Give each layer its own"
            )


class SiLU(_KeepsArrays):
    """z * sigmoid(z), also called swish; slope s * (1 + z * (1 - s)) = s + out * (1 - s), where
    s = sigmoid(z), which forward keeps."""

    name = "silu"
    outputs = "real"

    def forward(self, z):
        self._sigmoid = sigmoid(z)
        self._out = np.multiply(z, self._sigmoid, out=z)
        return z

    def backward(self, out, error):
        self._check_output(out)
        s = self._sigmoid
        return np.multiply(error, s + out * (1 - s), out=error)


class GELU(_KeepsArrays):
    """z * Phi(z), Phi the standard normal distribution function; slope Phi(z) + z * Phi'(z).

    Parameters
    ----------
    approximate : bool
        Use the tanh form of Hendrycks & Gimpel, ``Phi(z) ~ (1 + tanh(sqrt(2/pi) * (z +
        0.044715 z**3))) / 2``, computed as the equal sigmoid of twice that argument.
    """

    name = "gelu"
    outputs = "real"
    tanh_coefficient = 0.044715  # in Phi's tanh form

    def __init__(self, approximate=False):
        self.approximate = check_bool("approximate", approximate)

    def forward(self, z):
        self._z = z.copy()
        if self.approximate:  # beyond |z| = 30 that form is 0 or 1: clipped, z**3 can't overflow
            clipped = np.clip(z, -30.0, 30.0)
            argument = clipped + self.tanh_coefficient * clipped * clipped * clipped
            self._cdf = sigmoid((2 * math.sqrt(2 / math.pi)) * argument)
        else:
            self._cdf = normal_cdf(z)
        self._out = np.multiply(z, self._cdf, out=z)
        return z

    def backward(self, out, error):
        self._check_output(out)
        cdf = self._cdf
        # Phi' is 0 in float64 beyond |z| = 40: clipping spares z**2 overflowing.
        z = np.clip(self._z, -40.0, 40.0)
        if self.approximate:  # d/dz sigmoid(a(z)) = sigmoid * (1 - sigmoid) * a'(z)
            argument_slope = 2 * math.sqrt(2 / math.pi) * (1 + 3 * self.tanh_coefficient * z * z)
            density = cdf * (1 - cdf) * argument_slope
        else:
            density = np.exp(-0.5 * z * z) * (1 / math.sqrt(2 * math.pi))
        return np.multiply(error, z * density + cdf, out=error)

    def config(self):
        return {"name": self.name, "approximate": self.approximate}


class Mish(_KeepsArrays):
    """z * tanh(softplus(z)) (Misra, 2019); slope t + z * sigmoid(z) * (1 - t**2), t the tanh."""

    name = "mish"
    outputs = "real"

    def forward(self, z):
        self._z = z.copy()
        self._tanh = np.tanh(softplus(z))
        self._out = np.multiply(z, self._tanh, out=z)
        return z

    def backward(self, out, error):
        self._check_output(out)
        t, z = self._tanh, self._z
        return np.multiply(error, t + z * sigmoid(z) * (1 - t * t), out=error)


ACTIVATIONS = {c.name: c for c in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity)}
ACTIVATIONS.update({c.name: c for c in (ELU, SELU, Softplus, SiLU, GELU, Mish)})
ACTIVATIONS["linear"] = Identity
ACTIVATIONS["swish"] = SiLU


def get(activation):
    """An Activation from a name (see ACTIVATIONS), a config dict, or an instance."""
    return lookup("activation", activation, ACTIVATIONS, Activation)


def softplus(z, out=None):
    """log(1 + exp(z)) elementwise as max(z, 0) + log1p(exp(-|z|)), which never overflows (and
    is np.logaddexp(z, 0) at a seventh of its time)."""
    tail = np.exp(-np.abs(z))
    np.log1p(tail, out=tail)
    out = np.maximum(z, 0.0, out=out)
    out += tail
    return out


def sigmoid(z):
    """1 / (1 + exp(-z)) elementwise, a new array: exp only of -|z|, so nothing overflows."""
    e = np.exp(-np.abs(z))
    r = np.reciprocal(e + 1)
    return np.where(z >= 0, r, e * r)  # e * r = exp(z) / (1 + exp(z)) below 0


# erfc in NumPy alone, by W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969;
# netlib specfun's CALERF) on x <= 0.46875, 0.46875 < x <= 4, x > 4: normal_cdf is then within
# about (1 + z**2) * 4e-16 of math.erfc's in float64. Coefficients highest degree first.
_ERF_NUM = (1.85777706184603153e-1, 3.16112374387056560, 1.13864154151050156e2,
            3.77485237685302021e2, 3.20937758913846947e3)  # fmt: skip
_ERF_DEN = (1.0, 2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3,
            2.84423683343917062e3)  # fmt: skip
_ERFC_MID_NUM = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594,
                 6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
                 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3)  # fmt: skip
_ERFC_MID_DEN = (1.0, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
                 1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
                 3.43936767414372164e3, 1.23033935480374942e3)  # fmt: skip
_ERFC_TAIL_NUM = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
                  1.25781726111229246e-1, 1.60837851487422766e-2,
                  6.58749161529837803e-4)  # fmt: skip
_ERFC_TAIL_DEN = (1.0, 2.56852019228982242, 1.87295284992346047, 5.27905102951428412e-1,
                  6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip


def _rational(x, numerator, denominator):
    """numerator(x) / denominator(x), by Horner's rule (coefficients highest degree first)."""
    num, den = x * numerator[0], x * denominator[0]
    for a in numerator[1:-1]:
        num += a
        num *= x
    for b in denominator[1:-1]:
        den += b
        den *= x
    num += numerator[-1]
    den += denominator[-1]
    return np.divide(num, den, out=num)


def _erfc_of_magnitude(x):
    """erfc(x) = 1 - erf(x) for x >= 0, accurate far into the tail: a new array of x's dtype."""
    x = np.minimum(x, 28.0)  # erfc(28) underflows to 0 already; spares x**2 overflowing
    # The inner two pieces over the whole array and np.where: faster than boolean indexing.
    near_zero = 1 - x * _rational(x * x, _ERF_NUM, _ERF_DEN)
    middle = np.exp(-x * x) * _rational(x, _ERFC_MID_NUM, _ERFC_MID_DEN)
    result = np.where(x <= 0.46875, near_zero, middle)  # NaN stays NaN
    far = x > 4.0
    if far.any():
        x = x[far]
        inverse_square = np.reciprocal(x * x)
        series = inverse_square * _rational(inverse_square, _ERFC_TAIL_NUM, _ERFC_TAIL_DEN)
        result[far] = np.exp(-x * x) * (1 / math.sqrt(math.pi) - series) / x
    return result


def normal_cdf(z):
    """Phi(z), the standard normal distribution function, elementwise: a new array of z's dtype.

    Phi(z) is erfc(-z / sqrt(2)) / 2; taking erfc at |z| and Phi(z) = 1 - Phi(-z) above 0 keeps
    the lower tail's relative accuracy, where (1 + erf(z / sqrt(2))) / 2 would cancel to 0.
    """
    lower = _erfc_of_magnitude(np.abs(z) * math.sqrt(0.5))  # Phi(-|z|), times 2
    lower *= 0.5
    return np.where(z < 0, lower, 1 - lower)
