"""smallnet: a small, fast, readable neural-network library on NumPy.

>>> import smallnet as sn
>>> net = sn.Network([sn.Dense(4, activation="sigmoid"), sn.Dense(1, activation="sigmoid")],
...                  loss="sse", optimizer=sn.SGD(learning_rate=1.0), seed=1)

`net.save(path)` and `sn.load(path)` keep a network in one safetensors file;
`net.to_onnx(path)` exports it; `python -m smallnet --help` lists the commands.
"""
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .callbacks import EarlyStopping, HistoryLogger
from .gradcheck import gradcheck
from .layers import Dense, Dropout, Layer, Standardize
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError, SumSquaredError
from .network import Network
from .optimizers import SGD, Adam
from .schedules import CosineDecay, ExponentialDecay, ReduceLROnPlateau, StepDecay
from .training import Callback, DivergenceGuard, DivergenceWarning, History

__version__ = "0.1.0"


def load(path):
    """The network saved in `path` by `Network.save` (see smallnet.io.load; needs the [io] extra)."""
    from .io import load as load_file  # file formats load when first used: `import smallnet` stays cheap
    return load_file(path)

__all__ = [
    "Adam", "BinaryCrossEntropy", "Callback", "CategoricalCrossEntropy", "CosineDecay", "Dense",
    "DivergenceGuard", "DivergenceWarning", "Dropout", "EarlyStopping", "ExponentialDecay", "History",
    "HistoryLogger", "Identity", "Layer", "LeakyReLU", "MeanSquaredError", "Network", "ReLU",
    "ReduceLROnPlateau", "SGD", "Sigmoid", "Softmax", "Standardize", "StepDecay", "SumSquaredError", "Tanh",
    "gradcheck", "load",
]
