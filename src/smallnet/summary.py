"""A network's summary: its layers as a table, with output shapes and parameter counts.

`rows` and `footer` compute it once; `summary_text` prints it, `summary_html` shows it in Jupyter.
"""

import html

from .engine import describe
from .layers import Dropout, TableEncoder


def _kind(layer):
    if isinstance(layer, Dropout):
        return f"Dropout {layer.rate:g}"
    return type(layer).__name__ + (", inverted" if getattr(layer, "invert", False) else "")


def _activation(layer):
    act = getattr(layer, "activation", None)
    if act is None:
        return ""
    settings = ", ".join(
        f"{k}={v}" if isinstance(v, bool) else f"{v:g}"  # gelu(approximate=True), not gelu(1)
        for k, v in act.config().items()
        if k != "name"
    )
    return f"{act.name}({settings})" if settings else act.name


def _loss(loss):
    """huber(delta=2) for a loss with parameters, else its name."""
    config = loss.config()
    if not isinstance(config, dict):
        return loss.name
    settings = ", ".join(f"{k}={v:g}" for k, v in config.items() if k != "name")
    return f"{loss.name}({settings})"


def rows(network):
    """(name (type), output shape, activation, params) for each layer, headed by the titles."""
    table = [("Layer (type)", "Output shape", "Activation", "Params")]
    dim = network.input_dim
    for layer in network.layers:
        dim = layer.output_dim(dim)
        table.append(
            (
                f"{layer.name} ({_kind(layer)})",
                f"(None, {'?' if dim is None else dim})",
                _activation(layer),
                str(layer.n_params) if network.built else "?",
            )
        )
    return table


def footer(network):
    """The lines under the table: input size, total params, engine, loss and optimizer."""
    built = network.built
    total = sum(layer.n_params for layer in network.layers) if built else "? (not built)"
    penalty = f"  L1: {network.l1:g}" if network.l1 else ""
    penalty += f"  L2: {network.l2:g}" if network.l2 else ""
    return [
        f"Input size: {network.input_dim}" + _table_columns(network.layers[0]),
        f"Total params: {total}",
        f"Engine: {describe(network)}",
        f"Loss: {_loss(network.loss)}  Optimizer: {network.optimizer!r}" + penalty,
    ]


def _table_columns(layer):
    # a TableEncoder's input is its prepared matrix: numbers, gap flags, one code per category
    if not isinstance(layer, TableEncoder):
        return ""
    return f" (the prepared numbers and codes of {len(layer.columns)} table columns)"


def summary_text(network):
    """The summary `Network.summary` prints: `rows` as aligned columns, then `footer`."""
    table = rows(network)
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    line = "-" * (sum(widths) + 6)
    text = [line] + [
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}"
        for a, b, c, d in table
    ]
    text.insert(2, line)
    return "\n".join([*text, line, *footer(network)])


def summary_html(network):
    """The summary as HTML: how a network shows itself in Jupyter (`Network._repr_html_`).

    Parameters
    ----------
    network : Network
        Built or not: an unbuilt network shows ``?`` where its sizes aren't known yet.

    Returns
    -------
    str
        `rows` as a ``<table>``, the titles in ``<thead>`` and one ``<tr>`` per layer in
        ``<tbody>``, then the `footer` lines; every piece escaped (layer names are the user's).
    """
    head, *body = rows(network)
    lines = "<br>\n".join(html.escape(line) for line in footer(network))
    return "\n".join(
        [
            "<table>",
            f"<thead>{_html_row(head, 'th')}</thead>",
            "<tbody>",
            *(_html_row(cells, "td") for cells in body),
            "</tbody>",
            "</table>",
            f"<p>{lines}</p>",
        ]
    )


def _html_row(cells, tag):
    return "<tr>" + "".join(f"<{tag}>{html.escape(cell)}</{tag}>" for cell in cells) + "</tr>"
