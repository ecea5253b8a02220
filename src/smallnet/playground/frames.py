"""What the page draws, computed by the network itself: every neuron's output over a grid of the
plane (one forward pass), as bytes.

A grid is `DENSITY` x `DENSITY` points, row 0 at the top (the largest x2), each value in [-1, 1]
(sigmoid and softmax outputs p as 2p - 1) stored as one byte, ``round((v + 1) * 127.5)``, and sent
as base64. Neurons' grids take every other point of the output's.
"""

import base64

import numpy as np

from ..layers import Dense, Features
from ..network import Network
from .points import PLANE

DENSITY = 80  # the output heatmap's points per side; each neuron's has half as many


def grid(domain, density=DENSITY):
    """The (density**2, 2) points of `domain`'s square, row by row from the top left."""
    (x_lo, x_hi), (y_lo, y_hi) = domain
    xs = np.linspace(x_lo, x_hi, density)
    ys = np.linspace(y_hi, y_lo, density)
    return np.column_stack([np.tile(xs, density), np.repeat(ys, density)])


def encode(values):
    """Values (clipped to [-1, 1]) as base64 bytes, one per value."""
    q = np.rint((np.clip(np.nan_to_num(values), -1, 1) + 1) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def to_unit(values, activation):
    """Outputs in [-1, 1] for the colour scale: probabilities p as 2p - 1."""
    return 2 * values - 1 if activation in ("sigmoid", "softmax") else values


def neurons(network, X, shape):
    """Each Dense layer's outputs for rows X: a list per layer of one encoded grid per unit, and
    the network's raw outputs (n, output_dim). `shape` is (rows, columns) of the grid X holds;
    neurons take every other row and column of it (all of a small one)."""
    outputs = network.layer_outputs(X)
    rows, cols = shape
    step = 2 if rows >= 20 else 1
    layers = []
    for layer, out in zip(network.layers, outputs):
        if not isinstance(layer, Dense):
            continue
        out = to_unit(out, layer.activation.name)
        small = out.reshape(rows, cols, -1)[::step, ::step]
        layers.append([encode(small[:, :, k]) for k in range(small.shape[2])])
    return layers, outputs[-1]


def output_map(raw, n_classes):
    """The output heatmap: {"value": grid} (one output in [-1, 1]), or for a softmax
    {"class": each point's most likely class, "confidence": its probability as 2p - 1}."""
    if raw.shape[1] == 1:
        return {"value": encode(raw[:, 0] if n_classes == 0 else 2 * raw[:, 0] - 1)}
    best = raw.argmax(axis=1)
    classes = base64.b64encode(best.astype(np.uint8).tobytes()).decode("ascii")
    return {"class": classes, "confidence": encode(2 * raw.max(axis=1) - 1)}


def weights(network):
    """Each Dense layer's weights (inputs x units) and bias (units,) as nested lists."""
    return [
        {
            "w": np.round(layer.weights, 5).tolist(),
            "b": None if layer.bias is None else np.round(layer.bias, 5).tolist(),
        }
        for layer in network.layers
        if isinstance(layer, Dense)
    ]


def features(names):
    """Each input feature over the plane, at the neurons' density, scaled to [-1, 1] by its
    largest magnitude (x1 spans -6 to 6): {feature: encoded grid}."""
    net = Network([Features(names, input_dim=2)])
    net.build(input_dim=2)
    out = net.predict(grid((PLANE, PLANE), DENSITY // 2))
    scale = np.maximum(np.abs(out).max(axis=0), 1e-12)
    return {name: encode(out[:, k] / scale[k]) for k, name in enumerate(names)}
