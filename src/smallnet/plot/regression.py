"""The regression fit: predicted against true values, and the fitted curve for one feature."""

import numpy as np

from ..metrics import r2
from ..validation import check_X_y
from .figure import CLASS_COLORS, check_names, check_network, dark, figure, finish


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
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    feature_names : list of str, optional
        The x label of the fitted curve (one feature only); default x0.
    path, figsize, title : optional
        As for `loss_curve`; the default size fits one or two panels.
    dpi : float, default 100
        As for `loss_curve`.
    target_name : str, optional
        What y is, for the axis labels (default y).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_network(network)
    X, y = check_X_y(X, y)
    feature_names = check_names(feature_names, X.shape[1])
    if y.shape[1] != network.output_dim:
        raise ValueError(
            f"y has {y.shape[1]} columns, but the network has {network.output_dim} outputs"
        )
    out = network.predict(X)
    one_feature = X.shape[1] == 1
    fig = figure(figsize or ((9.5 if one_feature else 5), 4.2), dpi)
    size = float(np.clip(4000 / len(X), 6, 40))
    if one_feature:
        ax = fig.add_subplot(1, 2, 1)
        _draw_fitted_curve(ax, network, X, y, size, feature_names[0], target_name)
    ax = fig.add_subplot(1, 2, 2) if one_feature else fig.add_subplot()
    _draw_predicted_vs_true(ax, y, out, size, target_name)
    # one panel has its own title: a figure title over it would sit off-centre
    if one_feature or title:
        fig.suptitle(title or "Regression")
    return finish(fig, path)


def _output_label(n_outputs):
    """The legend's name for output j: none when there is only one, which needs no legend."""
    return (lambda j: f"output {j}") if n_outputs > 1 else (lambda j: None)


def _draw_fitted_curve(ax, network, X, y, size, feature_name, target_name):
    """The points of one feature and the network's curve through them, one colour per output."""
    label = _output_label(y.shape[1])
    xs = np.linspace(X.min(), X.max(), 300).reshape(-1, 1)
    curve = network.predict(xs)
    for j in range(y.shape[1]):
        ax.scatter(
            X[:, 0],
            y[:, j],
            s=size,
            color=CLASS_COLORS[j % 10],
            alpha=0.6,
            linewidths=0,
            label=label(j),
        )
        ax.plot(xs[:, 0], curve[:, j], color=dark(CLASS_COLORS[j % 10]), linewidth=2)
    ax.set(xlabel=feature_name, ylabel=target_name or "y", title="fitted curve")
    _readable_ticks(ax, X, y)
    ax.grid(alpha=0.3)


def _draw_predicted_vs_true(ax, y, out, size, target_name):
    """Each prediction against its true value, over the diagonal where the two agree."""
    label = _output_label(y.shape[1])
    for j in range(y.shape[1]):
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
    ax.plot([low, high], [low, high], color="0.4", linestyle="--", linewidth=1)  # predicted == true
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


def _readable_ticks(ax, x, y):
    """Large values (prices, say) as 150k rather than 150000, whose labels would run into each
    other."""
    from matplotlib.ticker import EngFormatter

    for axis, values in ((ax.xaxis, x), (ax.yaxis, y)):
        if np.abs(values).max() >= 1e4:
            axis.set_major_formatter(EngFormatter(sep=""))
