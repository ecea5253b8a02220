"""smallnet: a small, fast, readable neural-network library on NumPy.

>>> import smallnet as sn
>>> net = sn.Network([sn.Dense(4, activation="sigmoid"), sn.Dense(1, activation="sigmoid")],
...                  loss="sse", optimizer=sn.SGD(learning_rate=1.0), seed=1)

`net.save(path)` and `sn.load(path)` keep a network in one safetensors file;
`net.to_onnx(path)` exports it; `python -m smallnet --help` lists the commands.
"""

from .activations import (
    ELU,
    GELU,
    SELU,
    Identity,
    LeakyReLU,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .adaptive import Adagrad, RMSprop
from .callbacks import (
    Callback,
    CosineDecay,
    DivergenceGuard,
    DivergenceWarning,
    EarlyStopping,
    ExponentialDecay,
    History,
    HistoryLogger,
    ReduceLROnPlateau,
    StepDecay,
)
from .gradcheck import gradcheck
from .layers import (
    BatchNorm,
    Dense,
    Dropout,
    Embedding,
    Features,
    Layer,
    LayerNorm,
    Standardize,
    TableEncoder,
)
from .lbfgs import LBFGS
from .losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
    SumSquaredError,
)
from .network import Network
from .optimizers import SGD, Adam, AdamW
from .scale_check import UnscaledInputWarning

__version__ = "0.2.0"


def load(path):
    """The network that `Network.save` wrote to `path`, with its weights, `metadata` and History,
    ready to predict or train on (needs the [io] extra).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If there is no such file, or `path` is a folder.
    ValueError
        If the file is not safetensors, not smallnet's, truncated or corrupted,
        written by a newer smallnet, or holds tensors that don't fit its architecture.
    """
    from . import state  # file formats load when first used: `import smallnet` stays cheap

    document, tensors = state.read(path)
    try:
        return Network.from_state(document, tensors)
    except (KeyError, TypeError, ValueError) as exc:
        raise state.invalid(path, exc) from None


__all__ = [
    "ELU",
    "GELU",
    "Mish",
    "SELU",
    "SiLU",
    "Softplus",
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchNorm",
    "BinaryCrossEntropy",
    "Callback",
    "CategoricalCrossEntropy",
    "CosineDecay",
    "Dense",
    "DivergenceGuard",
    "DivergenceWarning",
    "Dropout",
    "Embedding",
    "EarlyStopping",
    "ExponentialDecay",
    "Features",
    "History",
    "HistoryLogger",
    "Huber",
    "Identity",
    "LBFGS",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Network",
    "RMSprop",
    "ReLU",
    "ReduceLROnPlateau",
    "SGD",
    "Sigmoid",
    "Softmax",
    "SparseCategoricalCrossEntropy",
    "Standardize",
    "TableEncoder",
    "StepDecay",
    "SumSquaredError",
    "Tanh",
    "UnscaledInputWarning",
    "gradcheck",
    "load",
]
