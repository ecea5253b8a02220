"""The decision boundary: the predicted class over the plane of two features."""

import numpy as np

from ..validation import check_array
from .figure import (
    CLASS_COLORS,
    check_names,
    check_network,
    color_scale,
    figure,
    finish,
    light,
    plane,
    two_features,
)


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
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels 0, 1, ..., probabilities of class 1 (split at 0.5), or one-hot rows.
    resolution : int
        Grid points along each axis.
    feature_names : (str, str)
        Axis labels.
    path, figsize, title : optional
        As for `loss_curve`.
    dpi : float, default 100
        As for `loss_curve`.
    class_names : list of str, optional
        The classes' names, in the order of the class indices (default "class 0", "class 1", ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_network(network)
    X = two_features(X, "decision_boundary")
    labels = _classes(y, len(X))
    feature_names = check_names(feature_names, 2)
    (xs, ys), grid = plane(X, resolution)
    out = network.predict(grid)
    n_classes = max(2, out.shape[1])
    names = (
        [f"class {k}" for k in range(n_classes)]
        if class_names is None
        else check_names(class_names, n_classes, "class_names", "classes")
    )
    fig = figure(figsize, dpi)
    ax = fig.add_subplot()
    _draw_classes(fig, ax, out, xs, ys, names)
    _draw_points(ax, X, labels, names)
    ax.set(xlabel=feature_names[0], ylabel=feature_names[1])
    accuracy = np.mean(_predicted(network.predict(X)) == labels)
    shown = f"{accuracy:.0%}" if accuracy in (0, 1) else f"{accuracy:.1%}"  # 99.7% is not 100%
    fig.suptitle(title or f"Decision boundary (accuracy {shown})")
    return finish(fig, path)


def _draw_classes(fig, ax, out, xs, ys, names):
    """The background: P(class 1) for one output column, else each point's argmax class."""
    extent = _extent(xs, ys)
    if out.shape[1] == 1:
        p = out[:, 0].reshape(len(ys), len(xs))
        image = ax.imshow(
            p,
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
            cmap=color_scale([light(CLASS_COLORS[0]), "white", light(CLASS_COLORS[1])]),
            vmin=0,
            vmax=1,
        )
        if p.min() < 0.5 < p.max():
            ax.contour(xs, ys, p, levels=[0.5], colors="0.3", linewidths=1)
        fig.colorbar(image, ax=ax, label=f"P({names[1]})", shrink=0.8)
    else:
        lights = np.array([light(c) for c in CLASS_COLORS])
        ax.imshow(
            lights[out.argmax(axis=1).reshape(len(ys), len(xs)) % 10],
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
        )


def _draw_points(ax, X, labels, names):
    """The data in their classes' colours, with a legend above the plane."""
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
    """Predicted classes, as metrics.accuracy decides them: a 0.5 threshold for one column, else
    argmax."""
    return (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def _extent(xs, ys):
    """imshow's extent for pixels centred on the grid points."""
    hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    return (xs[0] - hx, xs[-1] + hx, ys[0] - hy, ys[-1] + hy)
