"""Layers: each forward beside its backward.

A layer maps inputs (n_samples, input_dim) to outputs (n_samples, units).
``backward(error)`` takes the error at the layer's output (the tutorial's
``l1_error``), stores the layer's `steps` (what the optimizer adds to `params`)
and returns the error at its input for the layer below.

In training, outputs and steps live in buffers that the layer reuses from one
batch to the next; outside training every call returns fresh arrays.
"""

import weakref

import numpy as np

from . import activations, initializers
from .validation import check_array, check_bool, check_number

LAYERS = {}  # layer classes by name, for rebuilding saved networks (see from_config)


class Layer:
    """Base class: `params` and `steps` are parallel lists of arrays.

    A layer is built once its input size is known: ``build(input_dim, dtype, rng)``
    sets `input_dim` and `units` (its output size) and draws its parameters.
    `arrays` names the attributes that hold the layer's arrays, trainable or
    not; saved files store them as tensors, beside the JSON of `config()`.
    """

    params = ()
    steps = ()
    input_dim = units = None
    arrays = ()
    _owner = None  # a weak reference to the network the layer is in (see Network)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYERS[cls.__name__] = cls  # every layer class can be rebuilt from its config by name

    def __init__(self, name=None):
        self.name = name

    def __getstate__(self):
        state = self.__dict__.copy()
        # A weak reference can't be pickled; the network's __setstate__ sets it again.
        state.pop("_owner", None)
        return state

    def check_free(self, network):
        """Refuse the layer for `network` while another live network holds it: its arrays are views
        of that network's flat buffer, so a second network would rebind them, and the first would
        go on training a buffer that no layer reads."""
        owner = None if self._owner is None else self._owner()
        if owner is not None and owner is not network:
            raise ValueError(
                f"layer {self.name!r} already belongs to another network; give each network "
                f"layers of its own (copy.deepcopy(network) copies a whole network)"
            )

    def claim(self, network):
        """Record that `network` holds this layer (weakly: a collected network frees it)."""
        self._owner = weakref.ref(network)

    def output_dim(self, input_dim):
        """The output size for `input_dim` inputs (None when not yet known)."""
        return self.units

    def bind(self, params, steps):
        """Adopt `params` and `steps`, views into the network's flat buffers, keeping the values.

        One flat array for all parameters lets an optimizer update a whole network
        in a handful of array operations, however many layers it has.
        """
        for view, own in zip(params, self.params):
            view[...] = own
        self.params, self.steps = params, steps

    @property
    def n_params(self):
        return sum(p.size for p in self.params)

    def config(self):
        """The JSON-able arguments that rebuild this layer, with its "type".

        Its arrays are excluded.
        """
        return {"type": type(self).__name__, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """The layer `config()` describes, before `build` (arrays are filled in by the loader)."""
        return cls(**{key: value for key, value in config.items() if key != "type"})


def from_config(config):
    """A layer from a ``{"type": ..., **arguments}`` dict; unknown types list the known ones."""
    kind = config.get("type") if isinstance(config, dict) else None
    if kind not in LAYERS:
        raise ValueError(
            f"unknown layer type {kind!r}; known types are: {', '.join(sorted(LAYERS))}"
        )
    return LAYERS[kind].from_config(config)


def column_moments(X):
    """Each column's mean and standard deviation, shape (n_features,) each; inf or NaN where
    they overflow: such a column can't be standardized (the one rule for "too large")."""
    with np.errstate(over="ignore", invalid="ignore"):
        return X.mean(axis=0), X.std(axis=0)


class Standardize(Layer):
    """Scales each feature, ``(x - mean) / scale``, or with `invert` undoes that; nothing to train.

    As the first layer it carries the input standardization inside the network,
    so saved models and ONNX graphs take raw features. Inverted, as the last layer
    (added with `Network.add` after training on standardized targets), it gives
    predictions in the targets' own units.

    Parameters
    ----------
    mean, scale : array-like, shape (n_features,)
        Usually from `Standardize.from_data(X)`; every scale must be > 0.
    invert : bool
        Compute ``x * scale + mean`` instead.
    """

    arrays = ("mean", "scale")

    def __init__(self, mean, scale, invert=False, name=None):
        super().__init__(name)
        self.invert = check_bool("invert", invert)
        self.mean = check_array(mean, "mean", ndim=1)
        self.scale = check_array(scale, "scale", ndim=1)
        if self.mean.shape != self.scale.shape:
            raise ValueError(
                f"mean and scale must have the same shape, "
                f"got {self.mean.shape} and {self.scale.shape}"
            )
        if (self.scale <= 0).any():
            i = int(np.argmax(self.scale <= 0))
            raise ValueError(f"scale must be > 0 everywhere, got {self.scale[i]:g} at feature {i}")
        self.units = self.input_dim = len(self.mean)

    @classmethod
    def from_data(cls, X, invert=False, name=None):
        """Mean and standard deviation of each column of X (n_samples, n_features)."""
        X = check_array(X, "X")
        mean, std = column_moments(X)
        bad = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(std)))
        if bad.size:
            raise ValueError(
                f"column {bad[0]} of X holds values too large to standardize (up to "
                f"{np.abs(X[:, bad[0]]).max():.3g}: their mean or spread overflows)"
            )
        # A constant feature is only centred.
        return cls(mean, np.where(std > 0, std, 1.0), invert, name)

    def build(self, input_dim, dtype, rng):
        """Cast mean and scale to the network's dtype.

        The network has checked the width; this draws nothing.
        """
        self.mean, self.scale = self.mean.astype(dtype), self.scale.astype(dtype)

    def forward(self, x, training=False):
        """x: (n, n_features) -> (n, n_features), a new array (x is the caller's data)."""
        if self.invert:
            out = x * self.scale
            out += self.mean
            return out
        out = x - self.mean
        out /= self.scale
        return out

    def backward(self, error, error_below=True):
        """error: (n, n_features) -> the error at the input (error * slope).

        None for the first layer.
        """
        if not error_below:
            return None
        return error * self.scale if self.invert else error / self.scale

    def config(self):
        return {**super().config(), "input_dim": self.input_dim, "invert": self.invert}

    @classmethod
    def from_config(cls, config):
        n = check_number("input_dim", config["input_dim"], low=1, low_inclusive=True, integer=True)
        # Placeholders that take no memory: the mean and scale are tensors in the saved file.
        return cls(
            np.broadcast_to(0.0, n),
            np.broadcast_to(1.0, n),
            config.get("invert", False),
            config.get("name"),
        )


class Dropout(Layer):
    """Zeroes a random share `rate` of its inputs in training, scaling the rest by 1 / (1 - rate).

    Outside training it passes its input through unchanged. The masks are drawn
    from the network's generator, so a seed fixes them too.
    """

    def __init__(self, rate, name=None):
        super().__init__(name)
        self.rate = check_number(
            "rate", rate, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self.mask = None

    def output_dim(self, input_dim):
        return input_dim

    def build(self, input_dim, dtype, rng):
        self.input_dim = self.units = input_dim
        self.rng = rng

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        keep = 1 - self.rate
        self.mask = ((self.rng.random(x.shape) < keep) / keep).astype(x.dtype, copy=False)
        return x * self.mask

    def backward(self, error, error_below=True):
        if not error_below:
            return None
        return error if self.mask is None else np.multiply(error, self.mask, out=error)

    def config(self):
        return {**super().config(), "rate": self.rate}


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
