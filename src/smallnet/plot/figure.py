"""What every picture shares: the Figure and its saving, the colours, and the checks of the
arguments that several pictures take."""

import importlib.util
import io
import os

import numpy as np

from ..atomic import check_destination, write_bytes
from ..network import Network
from ..validation import check_array, check_number

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


NEEDS_MATPLOTLIB = "smallnet's pictures need matplotlib: pip install matplotlib (the [plot] extra)"


def require_matplotlib():
    """Raise the ImportError that names the [plot] extra now if matplotlib is missing: before a
    long training whose pictures would need it, not after."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(NEEDS_MATPLOTLIB)


def figure(figsize, dpi):
    """A Figure on the Agg canvas: draws and saves anywhere, opens nothing, leaves pyplot alone."""
    dpi = check_number("dpi", dpi)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(NEEDS_MATPLOTLIB) from exc
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def finish(fig, path):
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
        # the figure's own dpi: the size asked for, whatever rcParams say
        fig.savefig(picture, format=fmt, dpi=fig.dpi)
    except OverflowError as exc:  # matplotlib's tick placing, on values near the float limit
        raise ValueError(f"the values are too large to draw ({exc})") from None
    write_bytes(path, picture.getvalue())
    return fig


def check_network(network):
    if not isinstance(network, Network):
        raise TypeError(f"network must be a smallnet Network, got {type(network).__name__}")


def check_names(names, n, what="feature_names", items="features"):
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


def two_features(X, what):
    X = check_array(X, "X")
    if X.shape[1] != 2:
        raise ValueError(
            f"{what} draws the plane of two features, but X has {X.shape[1]} (columns)"
        )
    return X


def plane(X, resolution):
    """A grid over X's two features with a 20% margin: ((xs, ys), points of shape
    (len(ys) * len(xs), 2))."""
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


def color_scale(colors):
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("smallnet", colors)


def light(color, amount=0.55):
    """`color` mixed with white: backgrounds, against which points in the full colour stand out."""
    from matplotlib.colors import to_rgb

    return tuple(1 - amount * (1 - c) for c in to_rgb(color))


def dark(color, amount=0.7):
    from matplotlib.colors import to_rgb

    return tuple(amount * c for c in to_rgb(color))
