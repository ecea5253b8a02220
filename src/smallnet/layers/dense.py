"""Dense: the fully connected layer, ``activation(x @ weights + bias)``."""

import numpy as np

from .. import activations, initializers
from ..validation import check_bool, check_number
from .base import Layer


class Dense(Layer):
    """A fully connected layer: ``activation(x @ weights + bias)``.

    Parameters
    ----------
    units : int
        Number of outputs.
    input_dim : int, optional
        Number of inputs; taken from the layer below (or from X) when omitted.
    activation : str or Activation
        One of smallnet.activations.ACTIVATIONS, default "identity".
    use_bias : bool
        Whether to add a bias (the tutorial's layers have none).
    initializer : str or callable
        How the weights are drawn (smallnet.initializers); the bias starts at zero.
    """

    arrays = ("weights", "bias")

    def __init__(
        self,
        units,
        input_dim=None,
        activation="identity",
        use_bias=True,
        initializer="glorot_uniform",
        name=None,
    ):
        super().__init__(name)
        self.units = check_number("units", units, low=1, low_inclusive=True, integer=True)
        self.input_dim = (
            None
            if input_dim is None
            else check_number("input_dim", input_dim, low=1, low_inclusive=True, integer=True)
        )
        self.activation = activations.get(activation)
        if self.units == 1 and self.activation.outputs == "distribution":
            raise ValueError(
                "a softmax over 1 unit always outputs 1, so nothing can be learned; for one "
                "output between 0 and 1 use activation='sigmoid'"
            )
        self.use_bias = check_bool("use_bias", use_bias)
        self.initializer = initializers.get(initializer)
        self.weights = self.bias = None

    def config(self):
        # A custom initializer can't be named in a file; the saved weights make it moot anyway.
        initializer = self.initializer.__name__
        return {
            **super().config(),
            "units": self.units,
            "input_dim": self.input_dim,
            "activation": self.activation.config(),
            "use_bias": self.use_bias,
            "initializer": initializer
            if initializer in initializers.INITIALIZERS
            else "glorot_uniform",
        }

    def array_size(self, input_dim):
        return input_dim * self.units + (self.units if self.use_bias else 0)

    def build(self, input_dim, dtype, rng):
        """Draw the weights (input_dim, units) from `rng`; the bias (units,) starts at zero."""
        if self.input_dim is not None and self.input_dim != input_dim:
            raise ValueError(
                f"layer {self.name!r} expects {self.input_dim} inputs, "
                f"but the layer below gives {input_dim}"
            )
        self.input_dim = input_dim
        self.weights = np.asarray(self.initializer((input_dim, self.units), rng), dtype=dtype)
        self.bias = np.zeros(self.units, dtype=dtype) if self.use_bias else None
        self.params = [self.weights, self.bias] if self.use_bias else [self.weights]
        self.steps = [np.zeros_like(p) for p in self.params]
        self._rows = None

    def bind(self, params, steps):
        super().bind(params, steps)
        self.weights = params[0]
        self.bias = params[1] if self.use_bias else None

    def _reserve(self, rows):
        """Buffers for batches of `rows` samples, reused until the batch size changes."""
        self._z = np.empty_like(self.weights, shape=(rows, self.units))
        self._error = np.empty_like(self.weights, shape=(rows, self.input_dim))
        # ones @ delta sums the rows, in one BLAS call.
        self._ones = np.ones_like(self.weights, shape=(rows,))
        self._rows = rows

    def forward(self, x, training=False):
        """x: (n, input_dim) -> output (n, units); keeps x and the output for backward."""
        if training and len(x) != self._rows:
            self._reserve(len(x))
        z = x.dot(self.weights, self._z if training else None)  # np.dot(l0, syn0)
        if self.use_bias:
            z += self.bias
        self.input = x
        self.output = self.activation.forward(z)  # l1 = nonlin(np.dot(l0, syn0))
        return self.output

    def backward(self, error, error_below=True):
        """error: (n, units) at the output -> error (n, input_dim) at the input, or None."""
        # l1_delta = l1_error * nonlin(l1, deriv=True)
        delta = self.activation.backward(self.output, error)
        return self.backward_delta(delta, error_below)

    def backward_delta(self, delta, error_below=True):
        """Like `backward`, from the delta at the activation's input.

        Fused output losses start here.
        """
        if len(delta) != self._rows:
            self._reserve(len(delta))
        self.input.T.dot(delta, self.steps[0])  # the weights' step: l0.T.dot(l1_delta)
        if self.use_bias:
            self._ones.dot(delta, self.steps[1])  # the bias's step: delta summed over the rows
        if not error_below:  # the first layer's input is the data: nothing to send back
            return None
        return delta.dot(self.weights.T, self._error)  # l0_error = l1_delta.dot(syn0.T)
