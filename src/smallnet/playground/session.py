"""One page's run: its settings, data and network, trained a few epochs at a time by `fit`.

Each call returns a *frame*, what the page draws: the epoch, the losses, every neuron's heatmap,
the weights, and a message when something went wrong. A learning rate that makes the loss diverge
stops the run with the last good weights (fit's DivergenceGuard keeps them) and says so.
"""

import copy
import threading
import warnings

import numpy as np

from ..callbacks import DivergenceWarning
from . import frames, model, points
from .settings import FEATURES, parse

TRAINING = threading.Lock()
DIVERGED = 1e12  # a training loss above this has run away, finite or not


class Session:
    """A playground run; `lock` serializes the requests of one page."""

    def __init__(self, values, table=None):
        self.settings = parse(values)
        self.points = points.make(self.settings, table)
        self.network = model.build(self.settings, self.points)
        self.epoch = 0
        self.message = ""
        self.lock = threading.Lock()
        p = self.points
        self.y_train = model.targets(p, p.y_train)
        self.y_test = model.targets(p, p.y_test)
        self.tutorial = self.settings.dataset == "tutorial"
        if self.tutorial:
            self.probe, self.shape = p.X_train, (2, 2)  # its four rows as a 2 x 2 "map"
        else:
            self.probe, self.shape = frames.grid(p.domain), (frames.DENSITY, frames.DENSITY)

    @property
    def batch_size(self):
        return len(self.points.X_train) if self.tutorial else self.settings.batch_size

    def train(self, epochs=1):
        """Train `epochs` more epochs (1 to 100) and return the frame.

        A loss that becomes NaN, infinite or above `DIVERGED` puts back the weights from before
        the call (its epochs don't count) and says so in the frame's message.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 100:
            raise ValueError(f"epochs must be a whole number from 1 to 100, got {epochs!r}")
        p, net = self.points, self.network
        before = net.get_weights()
        # Warning filters are the process's: one run at a time records them (the GIL runs one
        # anyway).
        with TRAINING, warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            history = net.fit(p.X_train, self.y_train, epochs=epochs, batch_size=self.batch_size)
            loss = net.evaluate(p.X_train, self.y_train)["loss"]
        # fit's DivergenceGuard stops at NaN or inf; a finite loss can run away as well
        diverged = (
            len(history.epoch) < epochs
            or any(issubclass(w.category, DivergenceWarning) for w in caught)
            or not loss < DIVERGED
        )
        self.message = ""
        if diverged:
            net.set_weights(before)
            net.optimizer.reset()  # its momentum or moments ran away with the weights
            self.message = (
                f"learning rate {self.settings.learning_rate:g}: the loss diverged after epoch "
                f"{self.epoch}; the weights from epoch {self.epoch} are kept: lower the "
                f"learning rate"
            )
        else:
            self.epoch += len(history.epoch)
        return self.frame(diverged=diverged, train_loss=None if diverged else loss)

    def set(self, learning_rate=None, regularization_rate=None):
        """Change the rates mid-run (the weights and the optimizer's state stay)."""
        values = self.settings.to_json()
        if learning_rate is not None:
            values["learning_rate"] = learning_rate
        if regularization_rate is not None:
            values["regularization_rate"] = regularization_rate
        self.settings = parse(values)
        self.network.optimizer.learning_rate = self.settings.learning_rate
        for name, value in model.penalty(self.settings).items():
            setattr(self.network, name, value)
        self.message = ""
        return self.frame()

    def set_weight(self, layer, row, column, value):
        """Set one weight (`row` an input, `column` a unit of Dense layer `layer`, counting the
        Dense layers only) or, with `row` "bias", a unit's bias."""
        dense = [lay for lay in self.network.layers if hasattr(lay, "activation")]
        if not (isinstance(layer, int) and 0 <= layer < len(dense)):
            raise ValueError(f"layer must be 0 to {len(dense) - 1}, got {layer!r}")
        target = dense[layer].bias if row == "bias" else dense[layer].weights
        if target is None:
            raise ValueError("this network's layers have no bias")
        index = (column,) if row == "bias" else (row, column)
        shape = target.shape
        if not all(isinstance(i, int) and 0 <= i < n for i, n in zip(index, shape)):
            raise ValueError(f"no weight {index} in a layer of shape {shape}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) < 1e6:
            raise ValueError(f"a weight must be a number below 1e6 in size, got {value!r}")
        target[index] = value  # a view of the network's parameters: training goes on from here
        return self.frame()

    def frame(self, diverged=False, train_loss=None):
        """What the page draws now (see the module docstring); `train_loss` if known already."""
        net, p = self.network, self.points
        with np.errstate(all="ignore"):
            layers, raw = frames.neurons(net, self.probe, self.shape)
            if train_loss is None:
                train_loss = net.evaluate(p.X_train, self.y_train)["loss"]
            test_loss = net.evaluate(p.X_test, self.y_test)["loss"] if len(p.X_test) else None
        return {
            "epoch": self.epoch,
            "train_loss": _finite(train_loss),
            "test_loss": _finite(test_loss),
            "neurons": layers,
            "output": frames.output_map(raw, len(p.labels)),
            "weights": frames.weights(net),
            "message": self.message,
            "diverged": diverged,
            # the tutorial's four outputs, as numbers for its table
            "predictions": np.round(raw[:, 0], 6).tolist() if self.tutorial else None,
        }

    def start(self):
        """The first answer to a page: the settings as understood, the data and a frame."""
        p = self.points
        return {
            "settings": self.settings.to_json(),
            "domain": [list(axis) for axis in p.domain],
            "labels": p.labels,
            "train": _rows(p.X_train, p.y_train),
            "test": _rows(p.X_test, p.y_test),
            "density": frames.DENSITY,
            "notice": f"{p.dropped} rows with a missing value were left out" if p.dropped else "",
            "target_range": p.target_range,
            "features": {} if self.tutorial else frames.features(list(FEATURES)),
            "frame": self.frame(),
        }

    def trace(self):
        """The next step in the tutorial's words, as `smallnet trace` prints it (taken on a copy:
        the run is not moved). Only for the tutorial's data, whose steps are full batches."""
        if not self.tutorial:
            raise ValueError("the step view follows the tutorial's data: pick dataset tutorial")
        net = copy.deepcopy(self.network)
        with np.errstate(all="ignore"):
            step = net.trace(self.points.X_train, self.y_train, print_fn=None)
        # the copy's step 0 is the run's step number `epoch`
        text = step.text.replace("Step 0 of", f"Step {self.epoch} of", 1)
        return {"epoch": self.epoch, "text": text}


def _finite(value):
    return None if value is None or not np.isfinite(value) else float(value)


def _rows(X, y):
    """[[x1, x2, label], ...] rounded for the page (the tutorial's rows as they are)."""
    y = (y if y.ndim == 2 else y[:, None])[:, :1]
    return np.round(np.hstack([X, y]).astype(np.float64), 4).tolist()
