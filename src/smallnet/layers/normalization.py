"""BatchNorm and LayerNorm: standardize, then scale by `gamma` and shift by `beta` (both trained).

BatchNorm standardizes each feature over the batch's rows (axis 0), LayerNorm each row over its
features (axis 1); each forward sits beside its backward. In the error convention (`error` is
minus the loss gradient at the output, `normalized` the standardized input)::

    gamma_step = sum(error * normalized)                 # over the rows
    beta_step = sum(error)
    error_below = (g - mean(g) - normalized * mean(g * normalized)) / sqrt(var + epsilon)

with ``g = gamma * error``, and the means over the axis that was standardized.
"""

import numpy as np

from ..validation import check_number
from .base import Layer


class _ScaleShift:
    """What BatchNorm and LayerNorm share: `gamma` (ones) and `beta` (zeros), one per feature,
    the buffers of training, and the arguments."""

    def _set_arguments(self, epsilon, input_dim):
        self.epsilon = check_number("epsilon", epsilon, low=0)
        self.input_dim = (
            None
            if input_dim is None
            else check_number("input_dim", input_dim, low=1, low_inclusive=True, integer=True)
        )
        self.units = self.input_dim
        self.gamma = self.beta = None

    def output_dim(self, input_dim):
        return input_dim

    def array_size(self, input_dim):
        return len(self.arrays) * input_dim  # gamma, beta (and BatchNorm's two statistics)

    def build(self, input_dim, dtype, rng):
        """gamma (input_dim,) starts at one, beta at zero; nothing is drawn."""
        if self.input_dim is not None and self.input_dim != input_dim:
            raise ValueError(
                f"layer {self.name!r} expects {self.input_dim} inputs, "
                f"but the layer below gives {input_dim}"
            )
        self.input_dim = self.units = input_dim
        self.gamma, self.beta = np.ones(input_dim, dtype), np.zeros(input_dim, dtype)
        self.params = [self.gamma, self.beta]
        self.steps = [np.zeros_like(p) for p in self.params]
        self._rows = None

    def bind(self, params, steps):
        super().bind(params, steps)
        self.gamma, self.beta = params

    def _reserve(self, rows):
        """Buffers for batches of `rows` samples, reused until the batch size changes."""
        shape = (rows, self.input_dim)
        self._normalized, self._out, self._error, self._scratch = (
            np.empty_like(self.gamma, shape=shape) for _ in range(4)
        )
        self._rows = rows

    def _scale_shift(self, normalized, out):
        """gamma * normalized + beta, into `out` (None: a new array)."""
        out = np.multiply(normalized, self.gamma, out=out)
        out += self.beta
        return out

    def _parameter_steps(self, error):
        """gamma's step sum(error * normalized) and beta's sum(error), over the rows."""
        np.multiply(error, self._normalized, out=self._scratch).sum(axis=0, out=self.steps[0])
        error.sum(axis=0, out=self.steps[1])

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "input_dim": self.input_dim}


class BatchNorm(_ScaleShift, Layer):
    """Standardizes each feature with the batch's mean and (biased) variance in training, and with
    their running averages outside it; then ``gamma * normalized + beta``.

    Each training batch moves the running statistics (Keras's rule):

        running_mean = momentum * running_mean + (1 - momentum) * mean(x, axis=0)
        running_var = momentum * running_var + (1 - momentum) * var(x, axis=0)

    They are saved arrays, not trained parameters (files and checkpoints carry them; weight
    decay never touches them). A training batch of one row has no variance: it is
    standardized with the running statistics, as outside training, and leaves them as they
    are (so fit's last batch of one row, or a fit on one row, neither collapses the running
    variance to 0 nor trains on outputs of `beta` alone).

    Parameters
    ----------
    momentum : float in [0, 1)
        How much of the running statistics each batch keeps. 0.9 (PyTorch's default; Keras's
        is 0.99): full-batch training takes one step an epoch, and at 0.99 a hundred epochs
        still leave a third of the starting statistics in what prediction uses.
    epsilon : float > 0
        Added to the variance before its square root.
    input_dim : int, optional
        Number of features; taken from the layer below (or from X) when omitted.
    """

    arrays = ("gamma", "beta", "running_mean", "running_var")
    statistics = ("running_mean", "running_var")

    def __init__(self, momentum=0.9, epsilon=1e-3, input_dim=None, name=None):
        Layer.__init__(self, name)
        self.momentum = check_number(
            "momentum", momentum, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self._set_arguments(epsilon, input_dim)
        self.running_mean = self.running_var = None

    def build(self, input_dim, dtype, rng):
        """gamma and the running variance (input_dim,) start at one, beta and the mean at zero."""
        super().build(input_dim, dtype, rng)
        self.running_mean, self.running_var = np.zeros_like(self.beta), np.ones_like(self.gamma)

    def check_arrays(self, prefix):
        if (self.running_var < 0).any():
            raise ValueError(f"tensor '{prefix}.running_var' must be >= 0 everywhere (a variance)")

    def forward(self, x, training=False):
        """x: (n, input_dim) -> (n, input_dim); in training keeps what backward needs."""
        if not training:  # the running statistics, folded into one scale and one shift
            scale = self.gamma / np.sqrt(self.running_var + self.epsilon)
            out = x * scale
            out += self.beta - self.running_mean * scale
            return out
        if len(x) != self._rows:
            self._reserve(len(x))
        self.fixed = len(x) == 1  # one row has no variance: standardize as in prediction
        mean = self.running_mean if self.fixed else x.mean(axis=0)
        centred = np.subtract(x, mean, out=self._normalized)
        if self.fixed:
            var = self.running_var
        else:
            var = np.square(centred, out=self._scratch).mean(axis=0)  # biased, as Keras's
        self.inv_std = 1 / np.sqrt(var + self.epsilon)
        normalized = np.multiply(centred, self.inv_std, out=centred)
        self.input, self.normalized = x, normalized
        self.output = self._scale_shift(normalized, self._out)
        if self.fixed:
            return self.output
        keep = self.momentum
        self.running_mean *= keep
        self.running_mean += (1 - keep) * mean
        self.running_var *= keep
        self.running_var += (1 - keep) * var
        return self.output

    def backward(self, error, error_below=True):
        """error: (n, input_dim) at the output -> error (n, input_dim) at the input, or None.

        After a forward pass in training, whose buffers it reads.
        """
        self._parameter_steps(error)
        if not error_below:
            return None
        if self.fixed:  # standardized with constants: each row's error scaled on its own
            return np.multiply(error, self.gamma * self.inv_std, out=self._error)
        # gamma is one number per column, so the means over the rows are the steps / n
        n = len(error)
        below = np.multiply(self._normalized, self.steps[0] / n, out=self._error)
        below += self.steps[1] / n
        np.subtract(error, below, out=below)
        below *= self.gamma * self.inv_std
        return below

    backward_delta = backward  # no activation: the delta at the output is the error itself

    def config(self):
        return {**super().config(), "momentum": self.momentum}


class LayerNorm(_ScaleShift, Layer):
    """Standardizes each row over its features, then ``gamma * normalized + beta``: the same in
    training and prediction, with nothing kept between batches.

    Parameters
    ----------
    epsilon : float > 0
        Added to each row's variance before its square root.
    input_dim : int, optional
        Number of features; taken from the layer below (or from X) when omitted.
    """

    arrays = ("gamma", "beta")

    def __init__(self, epsilon=1e-3, input_dim=None, name=None):
        Layer.__init__(self, name)
        self._set_arguments(epsilon, input_dim)

    def forward(self, x, training=False):
        """x: (n, input_dim) -> (n, input_dim); in training keeps what backward needs."""
        if training and len(x) != self._rows:
            self._reserve(len(x))
        normalized, scratch, out = (
            (self._normalized, self._scratch, self._out) if training else (None, None, None)
        )
        centred = np.subtract(x, x.mean(axis=1, keepdims=True), out=normalized)
        var = np.square(centred, out=scratch).mean(axis=1, keepdims=True)
        inv_std = 1 / np.sqrt(var + self.epsilon)  # (n, 1): one per row
        normalized = np.multiply(centred, inv_std, out=centred)
        out = self._scale_shift(normalized, out)
        if training:
            self.input, self.normalized, self.output, self.inv_std = x, normalized, out, inv_std
        return out

    def backward(self, error, error_below=True):
        """error: (n, input_dim) at the output -> error (n, input_dim) at the input, or None.

        After a forward pass in training, whose buffers it reads.
        """
        self._parameter_steps(error)
        if not error_below:
            return None
        g = np.multiply(error, self.gamma, out=self._error)
        normalized, scratch = self._normalized, self._scratch
        along = np.multiply(g, normalized, out=scratch).mean(axis=1, keepdims=True)
        g_mean = g.mean(axis=1, keepdims=True)
        g -= np.multiply(normalized, along, out=scratch)
        g -= g_mean
        g *= self.inv_std
        return g

    backward_delta = backward  # no activation: the delta at the output is the error itself
