"""A network's summary: its layers as a table, with output shapes and parameter counts."""

from .engine import describe
from .layers import Dropout


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


def summary_text(network):
    """The summary `Network.summary` prints."""
    table = rows(network)
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    line = "-" * (sum(widths) + 6)
    text = [line] + [
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}"
        for a, b, c, d in table
    ]
    text.insert(2, line)
    built = network.built
    total = sum(layer.n_params for layer in network.layers) if built else "? (not built)"
    penalty = f"  L1: {network.l1:g}" if network.l1 else ""
    penalty += f"  L2: {network.l2:g}" if network.l2 else ""
    text += [
        line,
        f"Input size: {network.input_dim}",
        f"Total params: {total}",
        f"Engine: {describe(network)}",
        f"Loss: {_loss(network.loss)}  Optimizer: {network.optimizer!r}" + penalty,
    ]
    return "\n".join(text)
