"""Teaching mode: one training step, every array named as in the tutorial.

The tutorial's loop body for its 3-4-1 network::

    l0 = X
    l1 = nonlin(np.dot(l0, syn0))                   # forward, layer by layer
    l2 = nonlin(np.dot(l1, syn1))
    l2_error = y - l2                               # how much did we miss?
    l2_delta = l2_error * nonlin(l2, deriv=True)    # error times the slope
    l1_error = l2_delta.dot(syn1.T)                 # what l1 contributed to the miss
    l1_delta = l1_error * nonlin(l1, deriv=True)
    syn1 += l1.T.dot(l2_delta)                      # the updates
    syn0 += l0.T.dot(l1_delta)

`trace` takes such a step with a network's own layers, loss and optimizer, in
the order `Network.train_step` takes it, and keeps a copy of every array on the
way: the same numbers `fit` computes at that step.
"""

from dataclasses import dataclass

import numpy as np

from .validation import check_number

# Each activation's slope, written as a function of its output l, or where it needs it (gelu,
# silu, mish) of the layer's pre-activation z, what the activation is applied to.
SLOPES = {
    "sigmoid": "{l} * (1 - {l})",
    "tanh": "1 - {l}**2",
    "relu": "1 where {l} > 0, else 0",
    "leaky_relu": "1 where {l} > 0, else alpha",
    "identity": "1",
    "elu": "1 where {l} > 0, else {l} + alpha",
    "selu": "scale where {l} > 0, else {l} + scale * alpha (scale 1.0507, alpha 1.6733)",
    "softplus": "1 - exp(-{l}), which is sigmoid(z), z the pre-activation of {l}",
    "silu": "sigmoid(z) * (1 + z * (1 - sigmoid(z))), z the pre-activation of {l}",
    "gelu": "Phi(z) + z * Phi'(z), Phi the normal CDF (its tanh form if approximate), "
    "z the pre-activation of {l}",
    "mish": "t + z * sigmoid(z) * (1 - t**2), t = tanh(softplus(z)), z the pre-activation of {l}",
}

# A norm layer's name in the printout, and the axis it standardizes: over the batch's rows
# (each feature), or over each row's features.
# The error at the top, minus the loss's gradient, for the losses with a short formula.
ERRORS = {
    "sse": "y - {l}",
    "mse": "2 * (y - {l}) / y.size",
    "mae": "sign(y - {l}) / y.size",
    "huber": "clip(y - {l}, -{delta:g}, {delta:g}) / y.size",
}
NORMS = {"BatchNorm": ("batch_norm", 0), "LayerNorm": ("layer_norm", 1)}


@dataclass
class StepTrace:
    """One full-batch training step, its arrays named as in the tutorial.

    ``trace["l1_delta"]`` looks a name up in whichever layer holds it.

    Attributes
    ----------
    step : int
        Which step this is, counting from 0.
    loss : float
        The loss of this step's forward pass, before its update.
    layers : list of dict
        ``layers[k]`` describes the layer from ``l{k}`` to ``l{k+1}`` (shapes for
        n samples, a layer with `i` inputs and `o` units):
        ``l{k}`` its input (n, i) (``l0`` is X); ``syn{k}`` its weights (i, o)
        before the update, and ``b{k}`` its bias (o,) if it has one;
        ``l{k+1}`` its output (n, o); ``l{k+1}_error`` the error at the output
        (n, o), None where the loss gives the delta directly; ``l{k+1}_slope``
        (n, o), None for softmax and where the loss gives the delta;
        ``l{k+1}_delta`` (n, o); ``syn{k}_update`` = ``l{k}.T.dot(l{k+1}_delta)``
        (i, o), minus ``l1 * sign(syn{k})`` with an L1 penalty and ``l2 * syn{k}`` with weight
        decay, the step the optimizer adds (and ``b{k}_update`` (o,), never penalized);
        ``syn{k}_new`` (and ``b{k}_new``) the weights after the update.
        A BatchNorm or LayerNorm layer k holds ``gamma{k}`` and ``beta{k}`` (o,) instead
        (with their ``_update`` and ``_new``), ``l{k}_hat`` its standardized input (n, o),
        ``l{k+1}`` and ``l{k+1}_error``, and no slope or delta (it has no activation); a
        BatchNorm also ``running_mean{k}_new`` and ``running_var{k}_new`` (o,), as this
        step moved them.
    text : str
        The step printed in the tutorial's words (also ``str(trace)``).
    """

    step: int
    loss: float
    layers: list
    text: str = ""

    def __getitem__(self, name):
        for arrays in self.layers:
            if name in arrays:
                return arrays[name]
        raise KeyError(name)

    def __str__(self):
        return self.text


def trace(network, X, y, step=0, print_fn=print):
    """Train `step` full-batch steps quietly, then take step number `step` and record it.

    Starts from the network's current weights (drawing them first if it has
    none, as `fit` does) and uses its own loss and optimizer. The network keeps
    every update, the traced one included: afterwards it is where
    ``fit(X, y, epochs=step + 1)`` would have left it.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    step : int
        The step to show, counting from 0.
    print_fn : callable or None
        Called once with the whole printout; None prints nothing.

    Returns
    -------
    StepTrace
    """
    step = check_number("step", step, low=0, low_inclusive=True, integer=True)
    for layer in network.layers:
        if not hasattr(layer, "activation") and _norm(layer) is None and not _embedding(layer):
            raise ValueError(
                f"trace follows Embedding, BatchNorm, LayerNorm and the tutorial's Dense layers "
                f"only; "
                f"{layer.name!r} is a {type(layer).__name__}"
            )
    X, y = network.check_data(X, y)
    with np.errstate(
        over="ignore"
    ):  # as in fit: a sigmoid's exp(-z) overflows to inf where its output is 0
        loss, records = _take_steps(network, X, y, step)
    result = StepTrace(step, loss, records)
    result.text = _describe(network, result)
    if print_fn is not None:
        print_fn(result.text)
    return result


def _take_steps(network, X, y, step):
    """Take `step` steps quietly, then step number `step`.

    Returns (its loss, one dict of arrays per layer).
    """
    for _ in range(step):  # fit's full-batch path, one step per epoch
        network.train_step(X, y)
    recorder = StepRecorder(len(network.layers))
    # fit's own step: the network ends where fit would.
    loss, _ = network.train_step(X, y, record=recorder)
    return loss, recorder.layers


class StepRecorder:
    """Keeps copies of one `Network.train_step`'s arrays, named as in the tutorial (see StepTrace).

    The step puts the optimizer's `step_scale` (SGD's learning rate) on the output delta, so
    every delta and update below it carries that factor; it is divided out here.
    """

    def __init__(self, n_layers):
        self.layers = [{} for _ in range(n_layers)]

    def forward(self, network):
        self.network_layers = network.layers
        for k, (layer, rec) in enumerate(zip(network.layers, self.layers)):  # buffers get reused
            rec[f"l{k}"] = layer.input.copy()
            for name, array in zip(_param_names(layer, k), layer.params):
                rec[name] = array.copy()
            if _norm(layer) is not None:
                rec[f"l{k}_hat"] = layer.normalized.copy()
            for name in layer.statistics:  # BatchNorm's: this forward pass has moved them
                rec[f"{name}{k}_new"] = getattr(layer, name).copy()
            rec[f"l{k + 1}"] = layer.output.copy()

    def backpropagate(self, network, top, scale):
        """`Network.backward` from `top`, for the layers trace knows, each delta recorded."""
        error, last = top, len(network.layers) - 1
        for k in range(last, -1, -1):
            layer = network.layers[k]
            if k == last and network.fused:
                delta, error = top, None
            elif hasattr(layer, "activation"):  # Dense.backward in two halves, the delta between
                delta = layer.activation.backward(layer.output, error.copy())  # l1_error * slope
            else:  # a norm layer or an Embedding has no activation: its delta is its error
                delta = error
            self.delta(k, error, delta, scale)
            error = layer.backward_delta(delta, k > 0)  # l0_error = l1_delta.dot(syn0.T)

    def delta(self, k, error, delta, scale):
        rec, name, layer = self.layers[k], f"l{k + 1}", self.network_layers[k]
        if _norm(layer) is not None or _embedding(layer):  # no activation: delta is the error
            rec[f"{name}_error"] = _unscaled(error, scale)
            return
        if error is None:  # the loss gave the delta: no error, no slope
            rec[f"{name}_error"] = rec[f"{name}_slope"] = None
        else:
            rec[f"{name}_error"] = _unscaled(error, scale)
            # backward multiplies an error by the slope, so an error of ones gives the slope itself;
            # softmax mixes its outputs, so it has no slope of its own per entry.
            act = layer.activation
            ones = np.ones_like(error)
            rec[f"{name}_slope"] = (
                None if act.name == "softmax" else act.backward(layer.output, ones)
            )
        rec[f"{name}_delta"] = _unscaled(delta, scale)

    def steps(self, network, scale):
        """The updates, weight penalties included, before the optimizer adds them."""
        for k, (layer, rec) in enumerate(zip(network.layers, self.layers)):
            for name, step in zip(_param_names(layer, k), layer.steps):
                rec[f"{name}_update"] = _unscaled(step, scale)

    def update(self, network):
        for k, (layer, rec) in enumerate(zip(network.layers, self.layers)):
            for name, array in zip(_param_names(layer, k), layer.params):
                rec[f"{name}_new"] = array.copy()


def _unscaled(array, scale):
    return array.copy() if scale == 1 else array / scale


def _norm(layer):
    """(its name in the printout, the axis it standardizes) for a norm layer, else None."""
    return NORMS.get(type(layer).__name__)


def _embedding(layer):
    return type(layer).__name__ == "Embedding"


def _param_names(layer, k):
    """Layer k's params as the printout names them: syn{k} (and b{k}), gamma{k} and beta{k},
    or emb{k} (an Embedding's table)."""
    if _embedding(layer):
        return [f"emb{k}"]
    names = [f"gamma{k}", f"beta{k}"] if _norm(layer) is not None else [f"syn{k}", f"b{k}"]
    return names[: len(layer.params)]


class _Printout:
    """The printout's lines: each array as ``name = formula   shape (..)   (note)``, then values."""

    def __init__(self):
        self.lines = []

    def show(self, name, formula, value, note=""):
        head = f"{name} = {formula}" if formula else name
        self.lines.append(f"{head}   shape {value.shape}{'   (' + note + ')' if note else ''}")
        self.lines.append(np.array2string(value, precision=6))


def _describe(network, tr):
    """The printout: forward, loss, backward, update, each array with its shape and values."""
    text = _Printout()
    _describe_forward(text, network, tr)
    text.lines += ["", "Backward: from the miss at the top down to the first layer."]
    for k in range(len(network.layers) - 1, -1, -1):
        _describe_backward(text, network, tr, k)
    optimizer = network.optimizer
    plain = " (syn += update, as in the tutorial)." if _plain_sgd(optimizer) else "."
    clip = getattr(optimizer, "clipnorm", None), getattr(optimizer, "clipvalue", None)
    if clip[0] is not None:  # the updates above are before clipping
        plain = f", first scaled down to a norm of at most {clip[0]:g}, all of them together."
    elif clip[1] is not None:
        plain = f", each first clipped into [-{clip[1]:g}, {clip[1]:g}]."
    text.lines += ["", f"Update: {optimizer!r} adds the updates to the weights" + plain]
    for k, layer in enumerate(network.layers):
        for name in _param_names(layer, k):
            text.show(name, "", tr[f"{name}_new"], "after the update")
        if layer.statistics:  # BatchNorm's running statistics, moved by the forward pass
            _describe_statistics(text, layer, tr, k)
    return "\n".join(text.lines)


def _describe_forward(text, network, tr):
    """The heading, the forward pass layer by layer, and the loss."""
    layers = network.layers
    sizes = "-".join(str(s) for s in [network.input_dim] + [layer.units for layer in layers])
    text.lines += [
        f"Step {tr.step} of the {sizes} network "
        f"(loss {network.loss.name}, optimizer {network.optimizer!r})",
        *([f"(steps 0 to {tr.step - 1} ran quietly before it)"] if tr.step else []),
        "",
        "Forward: each layer's output is the input of the next.",
    ]
    text.show("l0", "X", tr["l0"], "the input")
    for k, layer in enumerate(layers):
        if _norm(layer) is not None:
            _describe_norm_forward(text, layer, tr, k)
            continue
        if _embedding(layer):
            text.show(f"emb{k}", "", tr[f"emb{k}"], "one row of numbers per category")
            formula = f"emb{k}[l{k}], the rows of l{k}'s codes side by side"
            text.show(f"l{k + 1}", formula, tr[f"l{k + 1}"], f"{layer.dim} numbers per code")
            continue
        bias = f" + b{k}" if layer.use_bias else ""
        text.show(f"syn{k}", "", tr[f"syn{k}"], f"weights from l{k} to l{k + 1}")
        if layer.use_bias:
            text.show(f"b{k}", "", tr[f"b{k}"], "bias")
        formula = f"{layer.activation.name}(l{k}.dot(syn{k}){bias})"
        text.show(f"l{k + 1}", formula, tr[f"l{k + 1}"])
    penalty = f" + {network.l1:g} * sum(|syn|)" if network.l1 else ""
    penalty += f" + 0.5 * {network.l2:g} * sum(syn**2)" if network.l2 else ""
    text.lines += ["", f"loss = {network.loss.name}(y, l{len(layers)}){penalty} = {tr.loss!r}"]


def _describe_backward(text, network, tr, k):
    """Layer k's error, slope and delta, and its updates."""
    if _norm(network.layers[k]) is not None:
        return _describe_norm_backward(text, network, tr, k)
    if _embedding(network.layers[k]):
        return _describe_embedding_backward(text, network, tr, k)
    layers, loss = network.layers, network.loss.name
    out, act, top = f"l{k + 1}", layers[k].activation, k == len(layers) - 1
    if top and network.fused:
        scale = "y.size" if loss == "binary_crossentropy" else "n_samples"
        target = "onehot(y)" if network.loss.sparse else "y"  # y: class indices
        note = f"straight from the loss: {loss} after {act.name} cancels the slope"
        text.show(f"{out}_delta", f"({target} - {out}) / {scale}", tr[f"{out}_delta"], note)
    else:
        _describe_error(text, network, tr, k)
        if act.name == "softmax":
            formula = f"{out} * ({out}_error - sum({out}_error * {out}, axis=1))"
            note = "softmax mixes its outputs: no slope per entry"
            text.show(f"{out}_delta", formula, tr[f"{out}_delta"], note)
        else:
            slope = SLOPES.get(act.name, "the slope of {l}").format(l=out)
            text.show(f"{out}_slope", slope, tr[f"{out}_slope"], f"{act.name}'s slope")
            text.show(f"{out}_delta", f"{out}_error * {out}_slope", tr[f"{out}_delta"])
    decay = f" - {network.l1:g} * sign(syn{k})" if network.l1 else ""  # as Penalty.add_steps
    decay += f" - {network.l2:g} * syn{k}" if network.l2 else ""
    formula = f"l{k}.T.dot({out}_delta){decay}"
    text.show(f"syn{k}_update", formula, tr[f"syn{k}_update"], "minus the gradient")
    if layers[k].use_bias:
        text.show(f"b{k}_update", f"{out}_delta.sum(axis=0)", tr[f"b{k}_update"])


def _top_error(network, out):
    """The formula of the error at the top, ``{out}_error``: minus the loss's gradient."""
    loss = network.loss
    formula = ERRORS.get(loss.name, "minus d(loss)/d({l})")
    return formula.format(l=out, delta=getattr(loss, "delta", 0))


def _error_formula(network, j):
    """The formula and note of ``l{j}_error``, what layer j sends down from the error above it."""
    layer, below = network.layers[j], f"l{j}"
    if _norm(layer) is None:
        return f"l{j + 1}_delta.dot(syn{j}.T)", f"what {below} contributed to the miss"
    name, axis = _norm(layer)
    formula = (
        f"(g - mean(g, axis={axis}) - {below}_hat * mean(g * {below}_hat, axis={axis})) "
        f"/ sqrt(var({below}, axis={axis}) + {layer.epsilon:g}), g = gamma{j} * l{j + 1}_error"
    )
    return formula, f"what {below} contributed to the miss, through {name}"


def _describe_norm_forward(text, layer, tr, k):
    """A norm layer's gamma and beta, and its output."""
    name, axis = _norm(layer)
    text.show(f"gamma{k}", "", tr[f"gamma{k}"], f"scales of l{k + 1}, one per feature")
    text.show(f"beta{k}", "", tr[f"beta{k}"], "shifts")
    over = "each feature over the batch" if axis == 0 else "each row over its features"
    formula = (
        f"{name}(l{k}) = gamma{k} * l{k}_hat + beta{k}, l{k}_hat = (l{k} - mean(l{k}, "
        f"axis={axis})) / sqrt(var(l{k}, axis={axis}) + {layer.epsilon:g})"
    )
    text.show(f"l{k + 1}", formula, tr[f"l{k + 1}"], f"l{k} standardized, {over}")


def _describe_error(text, network, tr, k):
    """The error at layer k's output, from the loss at the top or from the layer above; returns
    the output's name (``l{k+1}``)."""
    out = f"l{k + 1}"
    if k == len(network.layers) - 1:
        formula = _top_error(network, out)
        text.show(f"{out}_error", formula, tr[f"{out}_error"], "how much did we miss?")
    else:
        formula, note = _error_formula(network, k + 1)
        text.show(f"{out}_error", formula, tr[f"{out}_error"], note)
    return out


def _describe_norm_backward(text, network, tr, k):
    """A norm layer's error and the updates of its gamma and beta (never decayed)."""
    out = _describe_error(text, network, tr, k)
    formula = f"({out}_error * l{k}_hat).sum(axis=0)"
    text.show(f"gamma{k}_update", formula, tr[f"gamma{k}_update"], "minus the gradient")
    text.show(f"beta{k}_update", f"{out}_error.sum(axis=0)", tr[f"beta{k}_update"])


def _describe_embedding_backward(text, network, tr, k):
    """An Embedding's error (the first layer: nothing goes below) and its table's update."""
    out = _describe_error(text, network, tr, k)
    formula = f"{out}_error added into the rows of emb{k} that l{k}'s codes looked up"
    text.show(f"emb{k}_update", formula, tr[f"emb{k}_update"], "minus the gradient")


def _describe_statistics(text, layer, tr, k):
    """A BatchNorm's running statistics after the step: prediction standardizes with them."""
    keep, note = layer.momentum, "not trained: what prediction standardizes with"
    for name, batch in zip(layer.statistics, ("mean", "var")):
        formula = f"{keep:g} * {name}{k} + {1 - keep:g} * {batch}(l{k}, axis=0)"
        text.show(f"{name}{k}", formula, tr[f"{name}{k}_new"], note)


def _plain_sgd(optimizer):
    """Whether the update is the tutorial's ``syn += update`` exactly.

    That is SGD at rate 1, with no momentum.
    """
    return (
        optimizer.name == "sgd"
        and optimizer.learning_rate == 1
        and not optimizer.momentum
        and optimizer.clipnorm is None
        and optimizer.clipvalue is None
    )
