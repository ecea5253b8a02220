"""The network diagram: neurons in columns, one line per weight, and with two inputs each
neuron's own picture over the plane."""

import numpy as np

from ..layers import Dropout
from .figure import (
    CLASS_COLORS,
    check_names,
    check_network,
    color_scale,
    figure,
    finish,
    plane,
    two_features,
)

# the middle of the blue-orange scale: light enough for zero, still visible on white
_MID = "#e8e8e8"
MAX_LINES = 50_000  # weights a network diagram draws
_BOUNDED = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # activation ranges


def network_diagram(
    network, X=None, resolution=48, feature_names=None, path=None, figsize=None, dpi=100, title=None
):
    """Neurons in columns, one line per weight: width |w|, colour its sign (blue negative,
    orange positive).

    When the network has two inputs and `X` is given, each neuron shows its own
    activation over the plane X spans, as TensorFlow Playground does: blue low,
    orange high, over the activation's whole range where it has one (sigmoid,
    softmax: 0 to 1, tanh: -1 to 1), else from the neuron's own lowest to highest
    value. The pictures are `neuron_images`: the network's own forward pass, every
    layer included (a Standardize first layer too). Otherwise a neuron's fill shows
    its bias (white: none).

    The columns are the inputs and the layers with weights (Dense); a layer without
    weights (Standardize, Dropout) has no column of its own.

    Each layer's neurons are one marker collection with gid ``"l<k>"`` (``l0`` the
    inputs), each weight matrix one line collection with gid ``"syn<k>"``.

    Parameters
    ----------
    network : Network
        Built (fitted, or `build` called).
    X : array-like of shape (n_samples, 2), optional
    resolution : int
        Grid points along each axis of a neuron's picture.
    feature_names : list of str, optional
        Input labels; default x0, x1, ...
    path, figsize, title : optional
        As for `loss_curve`; the default size grows with the network.
    dpi : float, default 100
        As for `loss_curve`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the network has more than `MAX_LINES` (50,000) weights.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    _check_built(network)
    names = check_names(feature_names, network.input_dim)
    layers = _dense_layers(network)
    lines = sum(layer.weights.size for layer in layers)
    if lines > MAX_LINES:  # beyond reading, and minutes and gigabytes to draw
        raise ValueError(
            f"the network has {lines} weights, one line each: too many to draw (up to {MAX_LINES})"
        )
    sizes = [network.input_dim] + [layer.units for layer in layers]
    maps = (
        _activation_maps(network, X, resolution)
        if X is not None and network.input_dim == 2
        else None
    )
    layout = _layout(sizes)
    fig = figure(figsize or layout["figsize"], dpi)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    scale = color_scale([CLASS_COLORS[0], _MID, CLASS_COLORS[1]])
    biggest = max(float(np.abs(layer.weights).max()) for layer in layers) or 1.0
    weights = Normalize(-biggest, biggest)
    _draw_weights(ax, layers, layout, scale, weights)
    _draw_neurons(ax, layers, layout, scale, weights, maps)
    for name, (cx, cy) in zip(names, layout["centres"][0]):
        ax.text(cx - layout["radius"] - 0.15, cy, name, ha="right", va="center", fontsize="small")
    left, right, bottom, top = layout["limits"]
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    fig.colorbar(
        ScalarMappable(weights, scale),
        ax=ax,
        orientation="horizontal",
        shrink=0.45,
        aspect=30,
        label="weight",
    )
    fig.suptitle(title or "Network " + " \u2192 ".join(map(str, sizes)))
    return finish(fig, path)


def neuron_images(network, X, resolution=48):
    """Each neuron's activation over the plane of X's two features, as `network_diagram` draws it.

    The grid spans X's two features with a 20% margin, in their own units, and goes once
    through the network's own forward pass (`Network.layer_outputs`, outside training), so
    every layer takes part, a Standardize first layer included. Layers without weights
    (Standardize, Dropout) have no neurons of their own: a Dense layer's neurons show what
    comes out of it and of the weightless layers after it, so the output neurons show what
    `Network.predict` gives.

    Parameters
    ----------
    network : Network
        Built, with two inputs.
    X : array-like of shape (n_samples, 2)
    resolution : int
        Grid points along each axis.

    Returns
    -------
    grid : ndarray of shape (resolution * resolution, 2)
        The points of the plane, row by row from the lowest second feature: pixel (r, c) of
        an image is ``grid[r * resolution + c]``.
    images : list of ndarray, one per column of the diagram (the inputs first)
        ``images[k]`` has shape (units, resolution, resolution): ``images[k][j]`` is neuron j
        of column k over the grid (rows: the second feature, rising; columns: the first).
    """
    _check_built(network)
    X = two_features(X, "network_diagram")
    (xs, ys), grid = plane(X, resolution)
    grid = network.check_data(grid)  # the network's dtype and width, as predict takes them
    outputs = network.layer_outputs(grid)
    shape = (len(ys), len(xs))
    shown = [grid] + [outputs[last] for _, last, _ in _columns(network)]
    return grid, [np.ascontiguousarray(a.T).reshape(-1, *shape) for a in shown]


def _check_built(network):
    check_network(network)
    if not network.built:
        raise RuntimeError("the network has no weights yet: call fit (or build) first")


def _dense_layers(network):
    """The layers with weights: the diagram's columns after the inputs."""
    return [layer for layer in network.layers if hasattr(layer, "weights")]


def _columns(network):
    """Per layer with weights: (the layer, the index of the layer whose outputs its neurons show,
    whether those keep the layer's activation range)."""
    columns = []
    for i, layer in enumerate(network.layers):
        if hasattr(layer, "weights"):
            columns.append((layer, i, True))
        elif columns:
            # a weightless layer acts on the neurons below it; Dropout outside training keeps them
            dense, _, kept = columns[-1]
            columns[-1] = (dense, i, kept and isinstance(layer, Dropout))
    return columns


def _activation_maps(network, X, resolution):
    """Per column (inputs first), per neuron: (its picture, low, high of its colour scale)."""
    _, images = neuron_images(network, X, resolution)
    bounds = [None] + [
        _BOUNDED.get(layer.activation.name) if kept else None
        for layer, _, kept in _columns(network)
    ]
    maps = []
    for pictures, bound in zip(images, bounds):
        column = []
        for values in pictures:
            # bounded activations on their whole range, so that pictures compare
            low, high = bound or (float(values.min()), float(values.max()))
            column.append((values, low, high if high > low else low + 1))
        maps.append(column)
    return maps


def _layout(sizes):
    """Where the neurons go: columns dx apart, neurons 1 apart, and the figure's default size."""
    tallest = max(sizes)
    dx, radius = max(3.0, tallest / 4), 0.4
    centres = [
        np.column_stack([np.full(n, k * dx), (n - 1) / 2 - np.arange(n)])
        for k, n in enumerate(sizes)
    ]
    left, right = -radius - 1.0, (len(sizes) - 1) * dx + radius + 0.3  # room for the input names
    bottom, top = -(tallest - 1) / 2 - radius - 0.2, (tallest - 1) / 2 + 1.6  # and the layer names
    # about 0.8 inch per unit, plus the title and the colour bar
    figsize = (
        min(max(0.8 * (right - left) + 0.6, 4), 14),
        min(max(0.8 * (top - bottom) + 1.1, 3), 12),
    )
    return {
        "centres": centres,
        "dx": dx,
        "radius": radius,
        "label_y": (tallest - 1) / 2 + 0.9,
        "limits": (left, right, bottom, top),
        "figsize": figsize,
    }


def _draw_weights(ax, layers, layout, scale, weights):
    """One line collection per weight matrix, labelled syn<k> above it."""
    from matplotlib.collections import LineCollection

    centres, dx, biggest = layout["centres"], layout["dx"], weights.vmax
    for k, layer in enumerate(layers):
        w = layer.weights
        i, j = np.meshgrid(np.arange(w.shape[0]), np.arange(w.shape[1]), indexing="ij")
        segments = np.stack([centres[k][i.ravel()], centres[k + 1][j.ravel()]], axis=1)
        order = np.argsort(np.abs(w.ravel()))  # the strongest weights on top
        ax.add_collection(
            LineCollection(
                segments[order],
                colors=scale(weights(w.ravel()[order])),
                linewidths=0.4 + 3.6 * np.abs(w.ravel()[order]) / biggest,
                zorder=1,
                gid=f"syn{k}",
            )
        )
        ax.text(
            (k + 0.5) * dx,
            layout["label_y"],
            f"syn{k}",
            ha="center",
            va="bottom",
            fontsize="small",
            color="0.35",
        )


def _draw_neurons(ax, layers, layout, scale, weights, maps):
    """One marker collection per column, l<k>, filled with the pictures or else with the bias."""
    from matplotlib.collections import EllipseCollection

    radius = layout["radius"]
    for k, xy in enumerate(layout["centres"]):
        if maps is not None:
            faces = "none"  # the pictures fill them
        elif k and layers[k - 1].use_bias:
            faces = scale(weights(layers[k - 1].bias))
        else:
            faces = "white"
        ax.add_collection(
            EllipseCollection(
                2 * radius,
                2 * radius,
                0,
                units="xy",
                offsets=xy,
                offset_transform=ax.transData,
                facecolors=faces,
                edgecolors="0.25",
                linewidths=1,
                zorder=3,
                gid=f"l{k}",
            )
        )
        kind = "input" if k == 0 else layers[k - 1].activation.name
        ax.text(
            k * layout["dx"],
            layout["label_y"],
            f"l{k}\n{kind}",
            ha="center",
            va="bottom",
            fontsize="small",
            fontweight="bold",
        )
        if maps is not None:
            _draw_pictures(ax, maps[k], xy, radius, scale)


def _draw_pictures(ax, pictures, centres, radius, scale):
    """Each neuron's picture inside its circle."""
    from matplotlib.patches import Circle

    for (values, low, high), (cx, cy) in zip(pictures, centres):
        image = ax.imshow(
            values,
            origin="lower",
            extent=(cx - radius, cx + radius, cy - radius, cy + radius),
            cmap=scale,
            vmin=low,
            vmax=high,
            interpolation="bilinear",
            zorder=2,
        )
        image.set_clip_path(Circle((cx, cy), radius, transform=ax.transData))
