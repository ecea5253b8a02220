"""A network as configuration, tensors and files: what `Network` inherits for saving.

`config()` is the JSON that rebuilds a network, `to_state()` adds its arrays as named
tensors, `save` writes both with `smallnet.state` (the format, which knows no network), and
`from_state` rebuilds a network from them. Nothing here imports `Network`: the class methods
build whatever class they are called on.
"""

import os

import numpy as np

from . import metrics as metric_fns
from . import params
from .validation import check_metadata


class Saving:
    """Mixin of `Network`: configuration, state and files."""

    def config(self):
        """The JSON-able arguments that rebuild this network; weights and `metadata` are kept apart.

        Metrics given as functions can't be named in a file and are left out, and so is
        a seed given as a generator (None instead).
        """
        return {
            "layers": [layer.config() for layer in self.layers],
            "loss": self.loss.config(),  # a name; {"name": "huber", "delta": ...} with parameters
            "optimizer": self.optimizer.config(),
            "metrics": [name for name, fn in self.metrics if metric_fns.METRICS.get(name) is fn],
            "l1": float(self.l1),
            "l2": float(self.l2),
            "seed": int(self.seed) if isinstance(self.seed, (int, np.integer)) else None,
            "dtype": None if self.dtype is None else self.dtype.name,
            "engine": self.engine,
        }

    @classmethod
    def from_config(cls, config):
        """The unbuilt network `config()` describes."""
        from .layers import from_config

        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("the network's description has no list of layers")
        layers = []
        for i, layer in enumerate(config["layers"]):
            try:
                layers.append(from_config(layer))
            except (
                TypeError,
                ValueError,
                KeyError,
            ) as exc:  # a damaged description: say which layer
                kind = layer.get("type") if isinstance(layer, dict) else None
                kind = f" ({kind})" if isinstance(kind, str) else ""
                raise ValueError(
                    f"layer {i}{kind} can't be rebuilt from its description: {exc}"
                ) from None
        return cls(
            layers,
            loss=config["loss"],
            optimizer=config["optimizer"],
            metrics=config["metrics"],
            l1=config.get("l1", 0.0),  # files from before L1 have none
            l2=config.get("l2", 0.0),
            seed=config["seed"],
            dtype=config["dtype"],
            engine=config.get("engine", "auto"),  # files from before engines have none
        )

    def to_state(self, curves=None, kept=-1):
        """(tensors, document): the network as `smallnet.state.write` stores it.

        The layers' arrays are the tensors ``layers.{i}.{attribute}``; the document holds the
        `config()` and the `metadata`. `curves` ({key: [value per epoch]}, such as a History's)
        are kept as tensors ``history.{key}``, and their values at index `kept` (the epoch whose
        weights these are) as ``metadata["final_metrics"]``.
        """
        from .callbacks.history import curve_tensors, final_values

        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        tensors = params.tensors(self.layers)
        metadata = dict(check_metadata(self.metadata))
        if curves:
            metadata["final_metrics"] = final_values(curves, kept)
            tensors.update(curve_tensors(curves))
        return tensors, {"network": self.config(), "metadata": metadata}

    @classmethod
    def from_state(cls, document, tensors):
        """The network `to_state` described, weights, metadata and History included."""
        from .callbacks.history import from_tensors

        network = cls.from_config(document["network"])
        if not isinstance(document.get("metadata", {}), dict):
            raise ValueError("its metadata is not a JSON object")
        needed = params.count(network.layers, network.layers[0].input_dim)
        held = sum(array.size for key, array in tensors.items() if key.startswith("layers."))
        if needed > max(10 * held, 10**6):  # a damaged config could ask for GBs of placeholders
            raise ValueError(f"its architecture has {needed} weights, but it holds {held}")
        network.build(network.layers[0].input_dim, network.dtype)  # placeholders, overwritten next
        network.load_tensors(tensors)
        network.metadata = document.get("metadata", {})
        network.history = from_tensors(tensors)
        return network

    def load_tensors(self, tensors):
        """Copy the layers' arrays from `tensors` (named as by `to_state`) into the network."""
        params.fill(self.layers, tensors)

    def save(self, path):
        """Write the network (architecture, weights, `metadata`, History) to the safetensors file
        `path`, atomically; `smallnet.load` reads it back.

        The History's values of the epoch whose weights are saved (the last, or the best one
        that EarlyStopping put back) are also kept as ``metadata["final_metrics"]``.

        Raises
        ------
        RuntimeError
            If the network has no weights yet.
        ValueError
            If `path` ends in .onnx (`to_onnx`'s format, not this one), or a weight is NaN or inf.
        """
        from . import state
        from .callbacks.history import kept_index

        if isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path).lower().endswith(
            ".onnx"
        ):
            raise ValueError(
                f"{os.fsdecode(path)!r}: save writes safetensors, not ONNX; use "
                f"network.to_onnx(path) for an ONNX file, or name this one .safetensors"
            )
        if self.built and not np.isfinite(self.flat_params).all():
            raise ValueError(
                "the network's weights hold NaN or inf (did training diverge?): not saved, since "
                "the file could predict nothing"
            )
        history = self.history
        curves = history.history if history is not None else {}
        state.write(
            path, *self.to_state(curves, kept_index(history) if history is not None else -1)
        )

    def to_onnx(self, path, opset=17):
        """Export to an ONNX file; returns the largest difference from smallnet (see
        `smallnet.onnx_export`)."""
        from . import onnx_export

        return onnx_export.to_onnx(self, path, opset)
