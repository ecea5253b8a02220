"""Pictures of training and of what a network has learned, for readers who would rather look.

Every function draws a fresh matplotlib Figure on the Agg canvas (no pyplot, no
window, no display needed), returns it, and also saves it when given ``path=``
(PNG or SVG by the file's extension; the file is replaced in one move, never
left half written). matplotlib is the optional extra ``smallnet[plot]`` and is
imported only when a picture is drawn.

Colours keep one meaning throughout: class k is ``CLASS_COLORS[k]`` in every
background and every point, and in the network diagram blue is low (negative
weights, small activations) and orange high, as class 0 and class 1 are.
"""

import io
import math
import os
from collections.abc import Mapping

import numpy as np

from .atomic import check_destination, write_bytes
from .metrics import r2
from .network import Network
from .validation import check_array, check_bool, check_number, check_X_y

CLASS_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)  # matplotlib's tab10, class k -> k % 10
_MID = (
    "#e8e8e8"  # the middle of the blue-orange scale: light enough for zero, still visible on white
)


# -- training ----------------------------------------------------------------------------------


def loss_curve(history, metrics=None, log=None, path=None, figsize=None, dpi=100, title=None):
    """Loss (and metrics) per epoch; validation values, where recorded, dashed beside them.

    Parameters
    ----------
    history : History or dict of lists
        What `Network.fit` returns, or its ``.history``: "loss", metric names,
        and "val_loss" / "val_<metric>" when validation data were given.
    metrics : str, list of str or None
        The metrics to draw, one panel each after the loss; None draws all of them, () none.
    log : bool or None
        Logarithmic y axes; None chooses per panel: log when the values are
        positive and span more than two orders of magnitude.
    path : str or path-like, optional
        Save the figure here (.png or .svg).
    figsize : (width, height) in inches, optional
        Default: 4.5 x 3.6 per panel, at most three panels a row.
    dpi : float
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"history must be a History (what fit returns) or a dict of lists such as its .history, "
            f"got {type(history).__name__}"
        )
    if "loss" not in logs:
        raise ValueError(
            f"the history has no 'loss'; it holds: {', '.join(map(str, logs)) or 'nothing'}"
        )
    if metrics is None:
        metrics = [key for key in logs if key != "loss" and not key.startswith("val_")]
    elif isinstance(metrics, str):
        metrics = [metrics]  # one metric, not its letters
    if log is not None:
        log = check_bool("log", log)
    for key in metrics:
        if key not in logs:
            raise ValueError(f"the history has no metric {key!r}; it holds: {', '.join(logs)}")
    keys = ["loss", *metrics]
    cols = min(len(keys), 3)
    rows = math.ceil(len(keys) / cols)
    fig = _figure(figsize or (4.5 * cols, 3.6 * rows), dpi)
    for i, key in enumerate(keys):
        ax = fig.add_subplot(rows, cols, i + 1)
        train = _curve(logs, key)
        epochs = np.arange(1, len(train) + 1)
        marker = "o" if len(train) < 3 else None  # a line through one point is not drawn at all
        ax.plot(epochs, train, color=CLASS_COLORS[0], label="train", marker=marker)
        values = train
        if f"val_{key}" in logs:
            val = _curve(logs, f"val_{key}")
            ax.plot(
                np.arange(1, len(val) + 1),
                val,
                color=CLASS_COLORS[1],
                linestyle="--",
                label="validation",
                marker=marker,
            )
            ax.legend(fontsize="small")
            values = np.concatenate([train, val])
        if log or (log is None and _spans_decades(values)):
            ax.set_yscale("log")
        ax.set(xlabel="epoch", ylabel=key)
        ax.grid(alpha=0.3)
    n = len(logs["loss"])
    fig.suptitle(title or f"Training ({n} epoch{'' if n == 1 else 's'})")
    return _finish(fig, path)


# -- classification ------------------------------------------------------------------------------


def decision_boundary(
    network,
    X,
    y,
    resolution=200,
    feature_names=("x0", "x1"),
    path=None,
    figsize=(5.6, 4.6),
    dpi=100,
    title=None,
    class_names=None,
):
    """The predicted class over the plane of two features, with the data on top.

    One output column is the probability of class 1: the background shades from
    class 0's colour through white (0.5, where a line marks the boundary) to
    class 1's. Several columns: each point of the plane takes its argmax class's colour.

    Parameters
    ----------
    network : Network
        Trained, with two inputs.
    X : array-like, shape (n_samples, 2)
    y : array-like, shape (n_samples,) or (n_samples, n_outputs)
        Class labels 0, 1, ..., probabilities of class 1 (split at 0.5), or one-hot rows.
    resolution : int
        Grid points along each axis.
    feature_names : (str, str)
        Axis labels.
    path, figsize, dpi, title
        As for `loss_curve`.
    class_names : list of str, optional
        The classes' names, in the order of the class indices (default "class 0", "class 1", ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_network(network)
    X = _two_features(X, "decision_boundary")
    labels = _classes(y, len(X))
    feature_names = _names(feature_names, 2)
    (xs, ys), grid = _plane(X, resolution)
    out = network.predict(grid)
    n_classes = max(2, out.shape[1])
    names = (
        [f"class {k}" for k in range(n_classes)]
        if class_names is None
        else _names(class_names, n_classes, "class_names", "classes")
    )
    fig = _figure(figsize, dpi)
    ax = fig.add_subplot()
    extent = _extent(xs, ys)
    if out.shape[1] == 1:
        p = out[:, 0].reshape(len(ys), len(xs))
        image = ax.imshow(
            p,
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
            cmap=_scale([_light(CLASS_COLORS[0]), "white", _light(CLASS_COLORS[1])]),
            vmin=0,
            vmax=1,
        )
        if p.min() < 0.5 < p.max():
            ax.contour(xs, ys, p, levels=[0.5], colors="0.3", linewidths=1)
        fig.colorbar(image, ax=ax, label=f"P({names[1]})", shrink=0.8)
    else:
        light = np.array([_light(c) for c in CLASS_COLORS])
        ax.imshow(
            light[out.argmax(axis=1).reshape(len(ys), len(xs)) % 10],
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
        )
    size = float(np.clip(4000 / len(X), 10, 70))
    for k in np.unique(labels):
        mine = labels == k
        ax.scatter(
            X[mine, 0],
            X[mine, 1],
            s=size,
            color=CLASS_COLORS[k % 10],
            edgecolors="white",
            linewidths=0.8,
            label=names[k] if k < len(names) else f"class {k}",
        )
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1),
        ncols=min(len(np.unique(labels)), 5),
        frameon=False,
        fontsize="small",
        borderaxespad=0.3,
        handletextpad=0.2,
        markerscale=np.sqrt(50 / size),
    )
    ax.set(xlabel=feature_names[0], ylabel=feature_names[1])
    accuracy = np.mean(_predicted(network.predict(X)) == labels)
    shown = f"{accuracy:.0%}" if accuracy in (0, 1) else f"{accuracy:.1%}"  # 99.7% is not 100%
    fig.suptitle(title or f"Decision boundary (accuracy {shown})")
    return _finish(fig, path)


# -- the network ---------------------------------------------------------------------------------

MAX_LINES = 50_000  # weights a network diagram draws


def network_diagram(
    network, X=None, resolution=48, feature_names=None, path=None, figsize=None, dpi=100, title=None
):
    """Neurons in columns, one line per weight: width |w|, colour its sign (blue negative, orange positive).

    When the network has two inputs and `X` is given, each neuron shows its own
    activation over the plane X spans, as TensorFlow Playground does: blue low,
    orange high, over the activation's whole range where it has one (sigmoid,
    softmax: 0 to 1, tanh: -1 to 1), else from the neuron's own lowest to highest
    value. Otherwise a neuron's fill shows its bias (white: none).

    Each layer's neurons are one marker collection with gid ``"l<k>"`` (``l0`` the
    inputs), each weight matrix one line collection with gid ``"syn<k>"``.

    Parameters
    ----------
    network : Network
        Built (fitted, or `build` called).
    X : array-like, shape (n_samples, 2), optional
    resolution : int
        Grid points along each axis of a neuron's picture.
    feature_names : list of str, optional
        Input labels; default x0, x1, ...
    path, figsize, dpi, title
        As for `loss_curve`; the default size grows with the network.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the network has more than `MAX_LINES` (50,000) weights.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import EllipseCollection, LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import Circle

    _check_network(network)
    if not network.built:
        raise RuntimeError("the network has no weights yet: call fit (or build) first")
    names = _names(feature_names, network.input_dim)
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
    tallest = max(sizes)
    dx, radius = max(3.0, tallest / 4), 0.4  # columns dx apart, neurons 1 apart
    centres = [
        np.column_stack([np.full(n, k * dx), (n - 1) / 2 - np.arange(n)])
        for k, n in enumerate(sizes)
    ]
    left, right = -radius - 1.0, (len(sizes) - 1) * dx + radius + 0.3  # room for the input names
    bottom, top = (
        -(tallest - 1) / 2 - radius - 0.2,
        (tallest - 1) / 2 + 1.6,
    )  # and for the layer names
    # about 0.8 inch per unit, plus the title and the colour bar
    fig = _figure(
        figsize
        or (
            min(max(0.8 * (right - left) + 0.6, 4), 14),
            min(max(0.8 * (top - bottom) + 1.1, 3), 12),
        ),
        dpi,
    )
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    scale = _scale([CLASS_COLORS[0], _MID, CLASS_COLORS[1]])
    biggest = max(float(np.abs(layer.weights).max()) for layer in layers) or 1.0
    weights = Normalize(-biggest, biggest)
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
            (tallest - 1) / 2 + 0.9,
            f"syn{k}",
            ha="center",
            va="bottom",
            fontsize="small",
            color="0.35",
        )
    for k, xy in enumerate(centres):
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
            k * dx,
            (tallest - 1) / 2 + 0.9,
            f"l{k}\n{kind}",
            ha="center",
            va="bottom",
            fontsize="small",
            fontweight="bold",
        )
        if maps is not None:
            for (values, low, high), (cx, cy) in zip(maps[k], xy):
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
    for name, (cx, cy) in zip(names, centres[0]):
        ax.text(cx - radius - 0.15, cy, name, ha="right", va="center", fontsize="small")
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
    return _finish(fig, path)


def _dense_layers(network):
    """The layers with weights; the others (Dropout) pass their input through outside training."""
    return [layer for layer in network.layers if hasattr(layer, "weights")]


def _activation_maps(network, X, resolution):
    """Per layer (inputs first), per neuron: (its activation over X's plane, low, high of its colour scale)."""
    X = _two_features(X, "network_diagram")
    (xs, ys), grid = _plane(X, resolution)
    shape = (len(ys), len(xs))
    bounded = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}
    maps, a = [], grid.astype(network.dtype)
    layers = _dense_layers(network)
    names = ["input"] + [layer.activation.name for layer in layers]
    for k, name in enumerate(names):
        if k:
            with np.errstate(
                over="ignore"
            ):  # a sigmoid's exp overflows harmlessly, as in Network.forward
                a = layers[k - 1].forward(a)  # outside training: a fresh array each layer
        pictures = []
        for column in a.T:
            # bounded activations on their whole range, so that pictures compare; the others on their own
            low, high = bounded.get(name, (float(column.min()), float(column.max())))
            pictures.append((column.reshape(shape), low, high if high > low else low + 1))
        maps.append(pictures)
    return maps


# -- regression ----------------------------------------------------------------------------------


def regression(
    network,
    X,
    y,
    feature_names=None,
    path=None,
    figsize=None,
    dpi=100,
    title=None,
    target_name=None,
):
    """Predicted against true values, and for one-feature data the fitted curve over the points.

    Parameters
    ----------
    network : Network
        Trained, with as many outputs as y has columns.
    X : array-like, shape (n_samples, n_features)
    y : array-like, shape (n_samples,) or (n_samples, n_outputs)
    feature_names : list of str, optional
        The x label of the fitted curve (one feature only); default x0.
    path, figsize, dpi, title
        As for `loss_curve`; the default size fits one or two panels.
    target_name : str, optional
        What y is, for the axis labels (default y).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_network(network)
    X, y = check_X_y(X, y)
    feature_names = _names(feature_names, X.shape[1])
    if y.shape[1] != network.output_dim:
        raise ValueError(
            f"y has {y.shape[1]} columns, but the network has {network.output_dim} outputs"
        )
    out = network.predict(X)
    one_feature = X.shape[1] == 1
    fig = _figure(figsize or ((9.5 if one_feature else 5), 4.2), dpi)
    outputs = range(y.shape[1])
    size = float(np.clip(4000 / len(X), 6, 40))
    label = (lambda j: f"output {j}") if y.shape[1] > 1 else (lambda j: None)
    if one_feature:
        ax = fig.add_subplot(1, 2, 1)
        xs = np.linspace(X.min(), X.max(), 300).reshape(-1, 1)
        curve = network.predict(xs)
        for j in outputs:
            ax.scatter(
                X[:, 0],
                y[:, j],
                s=size,
                color=CLASS_COLORS[j % 10],
                alpha=0.6,
                linewidths=0,
                label=label(j),
            )
            ax.plot(xs[:, 0], curve[:, j], color=_dark(CLASS_COLORS[j % 10]), linewidth=2)
        ax.set(xlabel=feature_names[0], ylabel=target_name or "y", title="fitted curve")
        _readable_ticks(ax, X, y)
        ax.grid(alpha=0.3)
    ax = fig.add_subplot(1, 2, 2) if one_feature else fig.add_subplot()
    for j in outputs:
        ax.scatter(
            y[:, j],
            out[:, j],
            s=size,
            color=CLASS_COLORS[j % 10],
            alpha=0.6,
            linewidths=0,
            label=label(j),
        )
    low, high = float(min(y.min(), out.min())), float(max(y.max(), out.max()))
    ax.plot(
        [low, high], [low, high], color="0.4", linestyle="--", linewidth=1
    )  # where predicted == true
    what = f" {target_name}" if target_name else ""
    ax.set(
        xlabel=f"true{what}",
        ylabel=f"predicted{what}",
        title=f"predicted vs true (R\u00b2 {r2(y, out):.3f})",
    )
    _readable_ticks(ax, y, out)
    ax.grid(alpha=0.3)
    if y.shape[1] > 1:
        ax.legend(fontsize="small")
    if (
        one_feature or title
    ):  # one panel has its own title: a figure title over it would sit off-centre
        fig.suptitle(title or "Regression")
    return _finish(fig, path)


def _readable_ticks(ax, x, y):
    """Large values (prices, say) as 150k rather than 150000, whose labels would run into each other."""
    from matplotlib.ticker import EngFormatter

    for axis, values in ((ax.xaxis, x), (ax.yaxis, y)):
        if np.abs(values).max() >= 1e4:
            axis.set_major_formatter(EngFormatter(sep=""))


# -- shared pieces -------------------------------------------------------------------------------


def _figure(figsize, dpi):
    """A Figure on the Agg canvas: draws and saves anywhere, opens nothing, leaves pyplot alone."""
    dpi = check_number("dpi", dpi)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "smallnet's pictures need matplotlib: pip install matplotlib (the [plot] extra)"
        ) from exc
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _finish(fig, path):
    """Save `fig` to `path` if given (format from the extension), atomically (smallnet.atomic)."""
    if path is None:
        return fig
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in fig.canvas.get_supported_filetypes():
        known = ", ".join(f".{ext}" for ext in sorted(fig.canvas.get_supported_filetypes()))
        raise ValueError(
            f"can't save a picture as {path!r}: give a file name ending in one of {known}"
        )
    check_destination(path)  # before the drawing is rendered, not after
    picture = io.BytesIO()
    try:
        fig.savefig(
            picture, format=fmt, dpi=fig.dpi
        )  # the figure's own dpi: the size asked for, whatever rcParams say
    except OverflowError as exc:  # matplotlib's tick placing, on values near the float limit
        raise ValueError(f"the values are too large to draw ({exc})") from None
    write_bytes(path, picture.getvalue())
    return fig


def _spans_decades(values):
    """Whether the finite values are all positive and span more than two orders of magnitude."""
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() > 100 * values.min()


def _check_network(network):
    if not isinstance(network, Network):
        raise TypeError(f"network must be a smallnet Network, got {type(network).__name__}")


def _curve(logs, key):
    """The history's values under `key` as a 1-D float array (NaN allowed: a diverged epoch is drawn as a gap)."""
    try:
        values = np.asarray(logs[key], dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 1:
        raise TypeError(
            f"history[{key!r}] must be a list of numbers (one per epoch), got {logs[key]!r:.60}"
        )
    return np.where(np.isfinite(values), values, np.nan)  # inf too: an axis can't reach it


def _names(names, n, what="feature_names", items="features"):
    """`names` as a list of `n` strings; None gives x0, x1, ..."""
    if names is None:
        return [f"x{i}" for i in range(n)]
    if (
        isinstance(names, str)
        or not isinstance(names, (list, tuple, np.ndarray))
        or not all(isinstance(name, str) for name in names)
    ):
        raise TypeError(f"{what} must be a list of strings, got {names!r}")
    if len(names) != n:
        raise ValueError(f"{what} has {len(names)} names, but there are {n} {items}")
    return list(names)


def _two_features(X, what):
    X = check_array(X, "X")
    if X.shape[1] != 2:
        raise ValueError(
            f"{what} draws the plane of two features, but X has {X.shape[1]} (columns)"
        )
    return X


def _classes(y, n):
    """Class labels (n,) from labels, probabilities of class 1, or one-hot rows."""
    y = check_array(y, "y", ndim=(1, 2))
    if len(y) != n:
        raise ValueError(f"X and y have different numbers of rows: X has {n}, y has {len(y)}")
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.ravel()
    if np.all(y == np.round(y)):
        if y.min() < 0:
            raise ValueError(f"class labels must be 0, 1, 2, ..., got {y.min():g}")
        return y.astype(int)
    return (y > 0.5).astype(int)


def _predicted(out):
    """Predicted classes, as metrics.accuracy decides them: a 0.5 threshold for one column, else argmax."""
    return (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def _plane(X, resolution):
    """A grid over X's two features with a 20% margin: ((xs, ys), points of shape (len(ys) * len(xs), 2))."""
    resolution = check_number("resolution", resolution, low=2, low_inclusive=True, integer=True)
    low, high = X.min(axis=0), X.max(axis=0)
    with np.errstate(over="ignore"):
        margin = 0.2 * np.where(high > low, high - low, 1.0)
        edges = np.concatenate([low - margin, high + margin])
    if not np.isfinite(edges).all():
        raise ValueError(
            f"the features span too wide a range to draw a plane over (from {low.min():.3g} to "
            f"{high.max():.3g})"
        )
    xs, ys = (np.linspace(low[i] - margin[i], high[i] + margin[i], resolution) for i in range(2))
    xx, yy = np.meshgrid(xs, ys)
    return (xs, ys), np.column_stack([xx.ravel(), yy.ravel()])


def _extent(xs, ys):
    """imshow's extent for pixels centred on the grid points."""
    hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    return (xs[0] - hx, xs[-1] + hx, ys[0] - hy, ys[-1] + hy)


def _scale(colors):
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("smallnet", colors)


def _light(color, amount=0.55):
    """`color` mixed with white: backgrounds, against which points in the full colour stand out."""
    from matplotlib.colors import to_rgb

    return tuple(1 - amount * (1 - c) for c in to_rgb(color))


def _dark(color, amount=0.7):
    from matplotlib.colors import to_rgb

    return tuple(amount * c for c in to_rgb(color))
