"""Activations: each forward beside its backward.

smallnet keeps the tutorial's sign convention. The signal sent back through the
network is the *error*, ``y - out`` at the top ("how much did we miss?"), which
is minus the loss gradient. An activation turns the error at its output into the
*delta* at its input::

    l2_delta = l2_error * nonlin(l2, deriv=True)        # delta = error * slope

Every slope is computed from the activation's output, as the tutorial's
``x*(1-x)`` is, so nothing but the output has to be kept for backward.

``forward(z)`` works in place: it overwrites and returns `z`, the layer's own
pre-activation array of shape (n_samples, units). ``backward(out, error)``
returns the delta (same shape) and may overwrite `error`.
"""

import numpy as np

from .validation import check_number, lookup


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


ACTIVATIONS = {c.name: c for c in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity)}
ACTIVATIONS["linear"] = Identity


def get(activation):
    """An Activation from a name (see ACTIVATIONS), a config dict, or an instance."""
    return lookup("activation", activation, ACTIVATIONS, Activation)
