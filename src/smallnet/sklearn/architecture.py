"""The estimators' network: its layers from the parameters (each hidden Dense layer followed by
a BatchNorm and a Dropout when asked), the architecture of a fitted one, and scikit-learn's MLP
attributes, which count its Dense layers only."""

from sklearn.utils.validation import check_is_fitted

from ..layers import BatchNorm, Dense, Dropout
from ..tabular import default_network
from ..validation import check_array
from .parameters import Architecture


def new_network(architecture, output, n_features, **network):
    """A built Network: the hidden layers of `architecture`, then the `output` layer, as
    `tabular.default_network` makes them (the one default network: its initializer per
    activation, each hidden Dense followed by a BatchNorm and a Dropout when asked).
    `network`: Network's keywords (loss, optimizer, seed, dtype).
    """
    hidden = architecture.sizes
    return default_network(
        hidden,
        output,
        n_features=n_features,
        activation=list(architecture.activations),
        dropout=architecture.dropout if any(architecture.dropout) else None,
        batch_norm=architecture.batch_norm and bool(hidden),  # nothing to normalize without
        **network,
    ).build()


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
