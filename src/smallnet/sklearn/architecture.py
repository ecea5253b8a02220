"""The estimators' network: its layers from the parameters (each hidden Dense layer followed by
a BatchNorm and a Dropout when asked), with scikit-learn MLP's initial weights; the architecture
of a fitted one; and scikit-learn's MLP attributes, which count its Dense layers only."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .. import initializers
from ..layers import BatchNorm, Dense, Dropout
from ..tabular import default_network
from ..validation import check_array
from .parameters import ACTIVATIONS, Architecture


def init_factors(architecture, activation):
    """scikit-learn MLP's `factor` for each Dense layer's initial draws (see `draw_mlp_weights`):
    2 after a logistic hidden activation, else 6. MLP sizes every layer by its one `activation`;
    with one activation per hidden layer, each hidden layer takes its own and the output layer
    that of the layer below it."""
    names = architecture.activations
    if not names and isinstance(activation, str):  # no hidden layer: MLP still reads activation
        names = (ACTIVATIONS.get(activation),)
    factors = [2.0 if name == "sigmoid" else 6.0 for name in names]
    return factors[: len(architecture.sizes)] + factors[-1:] if factors else [6.0]


def draw_mlp_weights(layers, factors, rng):
    """Draw each Dense layer's weights (fan_in, fan_out), then its bias (fan_out,), uniform in
    +-sqrt(factor / (fan_in + fan_out)), layer after layer from `rng`: scikit-learn MLP's
    `_init_coef`, in its order, so that a RandomState seeded as MLP's draws the same numbers."""
    for layer, factor in zip(layers, factors):
        fan_in, fan_out = layer.weights.shape
        bound = np.sqrt(factor / (fan_in + fan_out))
        layer.weights[...] = rng.uniform(-bound, bound, (fan_in, fan_out))
        layer.bias[...] = rng.uniform(-bound, bound, fan_out)


def new_network(architecture, output, n_features, activation, **network):
    """A built Network: the hidden layers of `architecture`, then the `output` layer, as
    `tabular.default_network` makes them (the one default network: each hidden Dense followed
    by a BatchNorm and a Dropout when asked), with the initial weights of scikit-learn's MLP
    (`draw_mlp_weights`; `activation` is the estimator's parameter, which sizes them).
    `network`: Network's keywords (loss, optimizer, seed, dtype).
    """
    hidden = architecture.sizes
    net = default_network(
        hidden,
        output,
        n_features=n_features,
        activation=list(architecture.activations),
        dropout=architecture.dropout if any(architecture.dropout) else None,
        batch_norm=architecture.batch_norm and bool(hidden),  # nothing to normalize without
        **network,
    )
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    kept = [layer.initializer for layer in dense]
    for layer in dense:  # the build draws nothing: the generator's first draws are MLP's
        layer.initializer = initializers.get("zeros")
    net.build()
    draw_mlp_weights(dense, init_factors(architecture, activation), net.rng)
    for layer, initializer in zip(dense, kept):  # what a later build of this network draws
        layer.initializer = initializer
    return net


def fitted_architecture(network):
    """The Architecture of a network that `new_network` made."""
    sizes, names, rates, normalized = [], [], [], False
    for layer in network.layers[:-1]:  # the last is the output
        if isinstance(layer, Dense):
            sizes.append(layer.units)
            names.append(layer.activation.name)
            rates.append(0.0)
        elif isinstance(layer, Dropout):
            rates[-1] = layer.rate
        elif isinstance(layer, BatchNorm):
            normalized = True
    return Architecture(tuple(sizes), tuple(names), tuple(rates), normalized)


def _shown(values):
    """Per-layer `values` as a parameter would give them: one value for all if they agree."""
    return values[0] if values and all(v == values[0] for v in values) else values


def architecture_change(architecture, network):
    """(parameter, the fitted network's value) of the first parameter whose `architecture`
    differs from the fitted `network`'s, or None when they agree."""
    fitted = fitted_architecture(network)
    if architecture.sizes != fitted.sizes:
        return "hidden_layer_sizes", fitted.sizes
    if architecture.activations != fitted.activations:
        return "activation", _shown(fitted.activations)
    if architecture.batch_norm != fitted.batch_norm:
        return "batch_norm", fitted.batch_norm
    if architecture.dropout != fitted.dropout:
        return "dropout", _shown(fitted.dropout) if any(fitted.dropout) else None
    return None


class DenseAttributes:
    """scikit-learn MLP's attributes of the fitted `network_`, read from its Dense layers (the
    BatchNorm and Dropout layers between them have no place in them)."""

    def _dense_layers(self):
        check_is_fitted(self)
        return [layer for layer in self.network_.layers if isinstance(layer, Dense)]

    def _set_arrays(self, name, arrays):
        """Copy `arrays` into the network's `name` (coefs_ or intercepts_), once every one is
        checked."""
        current = getattr(self, name)
        if not isinstance(arrays, (list, tuple)) or len(arrays) != len(current):
            got = len(arrays) if isinstance(arrays, (list, tuple)) else type(arrays).__name__
            raise ValueError(
                f"{name} must be a list of {len(current)} arrays, one per layer, got {got}"
            )
        arrays = [
            check_array(a, f"{name}[{i}]", dtype=c.dtype, ndim=c.ndim)
            for i, (a, c) in enumerate(zip(arrays, current))
        ]
        for i, (a, c) in enumerate(zip(arrays, current)):
            if a.shape != c.shape:
                raise ValueError(f"{name}[{i}] must have shape {c.shape}, got {a.shape}")
        for a, c in zip(arrays, current):
            c[...] = a

    @property
    def coefs_(self):
        """Weight matrices, one (n_in, n_out) array per Dense layer (views of the network's)."""
        return [layer.weights for layer in self._dense_layers()]

    @coefs_.setter
    def coefs_(self, arrays):
        self._set_arrays("coefs_", arrays)

    @property
    def intercepts_(self):
        """Bias vectors, one per Dense layer (views of the network's biases)."""
        return [layer.bias for layer in self._dense_layers()]

    @intercepts_.setter
    def intercepts_(self, arrays):
        self._set_arrays("intercepts_", arrays)

    @property
    def n_layers_(self):
        """Layers as scikit-learn's MLP counts them: the input, the hidden Dense layers and the
        output."""
        return len(self._dense_layers()) + 1

    @property
    def out_activation_(self):
        """The output activation under scikit-learn's MLP names: 'softmax', 'logistic' or
        'identity'."""
        name = self._dense_layers()[-1].activation.name
        return "logistic" if name == "sigmoid" else name
