"""Which engine trains a network: NumPy (always there) or numba's compiled loops (the `[fast]`
extra).

``engine="auto"`` (the default of `Network`, `fit` and the estimators) takes the compiled one
where numba is installed and the network and fit are ones it runs, NumPy elsewhere, with no error;
``"numpy"`` and ``"numba"`` ask for one, and the environment variable ``SMALLNET_ENGINE`` forces
one over them all. Nothing here imports numba: `available` only looks for it, and
`smallnet.engine.compiled` is imported by the first fit that runs compiled.
"""

import importlib.util
import os

from ..validation import check_choice

ENGINES = ("auto", "numpy", "numba")
ENVIRONMENT = "SMALLNET_ENGINE"
# Those with kernels; each one's position is its code in `kernels` (SIGMOID, ..., SPARSE).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity", "softmax")
LOSSES = ("sse", "mse", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy")  # fmt: skip
OPTIMIZERS = ("sgd", "adam", "adamw")
ACTIVATION_MODULE = "smallnet.activations"  # a subclass of one's own may compute otherwise


def check_engine(engine, name="engine"):
    """`engine` if it is one of ENGINES, else a ValueError naming `name` and the choices."""
    return check_choice(name, engine, ENGINES)


def available():
    """Whether numba can be imported (looked for, not imported)."""
    return importlib.util.find_spec("numba") is not None


def unsupported(network):
    """Why the compiled engine can't train `network`, in a few words; None when it can."""
    from ..layers import Dense, TableEncoder

    layers = network.layers
    if type(layers[0]) is TableEncoder:  # a fixed transform: the data is encoded once per fit
        if layers[0].embedded:
            return "a TableEncoder's embeddings have no compiled kernel"
        layers = layers[1:]
    if not layers:
        return "a network of no Dense layer has nothing to train"
    for layer in layers:
        if type(layer) is not Dense:
            return f"a {type(layer).__name__} layer has no compiled kernel"
        activation = layer.activation
        if activation.name not in ACTIVATIONS or type(activation).__module__ != ACTIVATION_MODULE:
            return f"the {layer.activation.name} activation has no compiled kernel"
    loss = network.loss
    if loss.name not in LOSSES or type(loss).__module__ != "smallnet.losses":
        return f"the {loss.name} loss has no compiled kernel"
    if loss.fused_activation is not None and not network.fused:
        return f"{loss.name} runs compiled only after a {loss.fused_activation} output"
    optimizer = network.optimizer
    if optimizer.name not in OPTIMIZERS or type(optimizer).__module__ != "smallnet.optimizers":
        return f"the {optimizer.name} optimizer has no compiled kernel"
    if optimizer.clipnorm is not None or optimizer.clipvalue is not None:
        return "gradient clipping runs on NumPy only"
    return None


def choose(network, engine=None, callbacks=()):
    """(engine, why): the engine that trains `network` ("numpy" or "numba") and why, in words.

    `engine` is fit's (None: the network's own); `callbacks` those of the fit, as one that acts
    on every batch needs NumPy's loop.
    """
    forced = os.environ.get(ENVIRONMENT)
    if forced:
        wanted = check_engine(forced.strip().lower(), ENVIRONMENT)
    else:
        wanted = check_engine(network.engine if engine is None else engine)
    if wanted == "numpy":
        return "numpy", "asked for" if forced is None else f"{ENVIRONMENT}=numpy"
    if not available():
        if wanted == "numba":
            raise ImportError(
                "engine='numba' needs numba, which is not installed: pip install 'smallnet[fast]'"
            )
        return "numpy", "numba is not installed: pip install 'smallnet[fast]'"
    why = unsupported(network)
    if why is None:
        from ..epochs import batch_callbacks

        if batch_callbacks(callbacks):
            why = "a callback acts on every batch"
    return ("numpy", why) if why else ("numba", "compiled training loop")


def describe(network):
    """One line naming the engine that fitting `network` would use, and why."""
    try:
        engine, why = choose(network)
    except (ImportError, ValueError) as exc:
        return f"unusable ({exc})"
    return f"{engine} ({why})"
