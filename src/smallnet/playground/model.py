"""The network a playground set-up describes, made of smallnet's public layers.

For the plane: [Standardize (a CSV file's columns into the plane's units)], Features, then each
hidden layer as Dense [+ Dropout], then the output: sigmoid for two classes (binary cross-entropy),
softmax for more (sparse categorical cross-entropy), identity for a regression (mean squared
error). The tutorial's data gets the tutorial's network (`smallnet.tutorial.network`'s recipe).
"""

import numpy as np

from ..layers import Dense, Dropout, Features, Standardize
from ..network import Network
from ..optimizers import SGD, Adam
from .points import PLANE

MOMENTUM = 0.9


def build(settings, points):
    """The built (weights drawn) Network for `settings` and its `Points`."""
    s = settings
    if s.dataset == "tutorial":
        # smallnet.tutorial.network's recipe, with the page's activations and optimizer
        layers = [
            Dense(units, activation=activation, use_bias=False, initializer="uniform")
            for units, activation in zip([*s.layers, 1], [*s.activations, "sigmoid"])
        ]
        net = Network(layers, loss="sse", optimizer=optimizer(s), seed=s.seed)
        net.build(input_dim=3)
        return net
    layers = []
    if s.dataset == "csv":  # the exported model takes the file's own units
        (x_lo, x_hi), (y_lo, y_hi) = points.domain
        half = PLANE[1]
        layers.append(
            Standardize(
                mean=[(x_lo + x_hi) / 2, (y_lo + y_hi) / 2],
                scale=[(x_hi - x_lo) / (2 * half), (y_hi - y_lo) / (2 * half)],
            )
        )
    layers.append(Features(s.features, input_dim=2))
    for units, activation, rate in zip(s.layers, s.activations, s.dropout):
        layers.append(Dense(units, activation=activation))
        if rate:
            layers.append(Dropout(rate))
    if s.problem == "regression":
        layers.append(Dense(1))
        loss = "mse"
    elif len(points.labels) == 2:
        layers.append(Dense(1, activation="sigmoid"))
        loss = "binary_crossentropy"
    else:
        layers.append(Dense(len(points.labels), activation="softmax"))
        loss = "sparse_categorical_crossentropy"
    net = Network(layers, loss=loss, optimizer=optimizer(s), seed=s.seed, **penalty(s))
    net.build(input_dim=2)
    return net


def optimizer(settings):
    s = settings
    if s.optimizer == "adam":
        return Adam(learning_rate=s.learning_rate)
    return SGD(learning_rate=s.learning_rate, momentum=MOMENTUM if s.optimizer == "momentum" else 0)


def penalty(settings):
    """Network's `l1` and `l2` keywords for the settings' regularization."""
    s = settings
    return {
        "l1": s.regularization_rate if s.regularization == "l1" else 0.0,
        "l2": s.regularization_rate if s.regularization == "l2" else 0.0,
    }


def targets(points, y):
    """`y` as the network's loss takes it: (n, 1) floats, or (n,) class labels for a softmax."""
    if len(points.labels) > 2:
        return y
    return (y if y.ndim == 2 else y[:, None]).astype(np.float64)
