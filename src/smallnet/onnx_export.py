"""Export to ONNX: the whole network, input standardization and output activation included.

The graph maps "X" (batch, n_features) float32 to "Y" (batch, n_outputs)
float32, with the weights as float32 initializers. Each layer type and each
activation has a small builder below. The export is checked with
`onnx.checker`, run in onnxruntime on a random probe, and compared with
smallnet's own predictions; `to_onnx` returns the largest difference.
"""

import json

import numpy as np

from . import __version__
from .atomic import write_bytes
from .validation import check_metadata, check_number, jsonable

ACTIVATIONS = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "softmax": "Softmax",
    "identity": None,
}


def to_onnx(network, path, opset=17, probe_rows=256):
    """Write `network` as an ONNX model to `path` (atomically) and check it against smallnet.

    Parameters
    ----------
    network : Network
        Built (trained, loaded, or `build` called).
    path : str or path-like
    opset : int
        ONNX operator set version: 13 (Softmax over the last axis) up to the newest the
        installed onnx knows.
    probe_rows : int
        Rows of the random input on which onnxruntime and smallnet are compared.

    Returns
    -------
    float
        The largest absolute difference between onnxruntime's outputs and
        smallnet's predictions on the probe: float32 rounding, about 1e-7
        relative to the outputs' size (more for a float64 network, which the graph
        computes in float32).
    """
    onnx, ort = _modules()
    newest = onnx.defs.onnx_opset_version()
    opset = check_number("opset", opset, low=13, low_inclusive=True, high=newest, integer=True)
    probe_rows = check_number("probe_rows", probe_rows, low=1, low_inclusive=True, integer=True)
    if not network.built:
        raise RuntimeError("the network has no weights yet: call fit (or build) first")
    graph = _Graph(onnx.helper, onnx.numpy_helper)
    x = "X"
    for i, layer in enumerate(network.layers):
        builder = LAYERS.get(type(layer).__name__)
        if builder is None:
            raise ValueError(
                f"layer {layer.name!r}: no ONNX export for {type(layer).__name__} layers"
            )
        x = builder(graph, layer, x, f"layers.{i}")
    graph.nodes[-1].output[0] = "Y"  # the last node writes the graph's output
    helper = onnx.helper
    float32 = onnx.TensorProto.FLOAT
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "smallnet",
            [helper.make_tensor_value_info("X", float32, ["batch", network.input_dim])],
            [helper.make_tensor_value_info("Y", float32, ["batch", network.output_dim])],
            graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="smallnet",
        producer_version=__version__,
    )
    # The lowest IR version: what older runtimes accept.
    model.ir_version = helper.find_min_ir_version_for(model.opset_import)
    helper.set_model_props(
        model,
        {
            key: json.dumps(value, default=jsonable)
            for key, value in check_metadata(network.metadata).items()
        },
    )
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    options = ort.SessionOptions()
    # A small probe: threads only cost.
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    probe = probe_inputs(network, probe_rows)
    # Exact: float32 widens to float64 without rounding.
    ours = network.predict(probe.astype(network.dtype))
    theirs = session.run(["Y"], {"X": probe})[0]
    write_bytes(path, data)
    return float(np.max(np.abs(theirs.astype(np.float64) - ours)))


class _Graph:
    """Nodes and initializers, with fresh names for intermediate values."""

    def __init__(self, helper, numpy_helper):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers = [], []

    def constant(self, name, array):
        largest = float(np.abs(array).max()) if np.size(array) else 0.0
        if largest > float(np.finfo(np.float32).max):  # the graph computes in float32
            raise ValueError(
                f"{name} holds {largest:.3g}, beyond float32 (the ONNX graph's type): can't export"
            )
        self.initializers.append(
            self.numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)
        )
        return name

    def node(self, op, inputs, name, **attributes):
        self.nodes.append(self.helper.make_node(op, inputs, [name], name=name, **attributes))
        return name


def _standardize(graph, layer, x, prefix):
    mean, scale = (
        graph.constant(f"{prefix}.mean", layer.mean),
        graph.constant(f"{prefix}.scale", layer.scale),
    )
    if layer.invert:
        x = graph.node("Mul", [x, scale], f"{prefix}.scaled")
        return graph.node("Add", [x, mean], f"{prefix}.out")
    x = graph.node("Sub", [x, mean], f"{prefix}.centred")
    return graph.node("Div", [x, scale], f"{prefix}.out")


def _dense(graph, layer, x, prefix):
    weights = graph.constant(f"{prefix}.weights", layer.weights)
    if layer.use_bias:
        z = graph.node(
            "Gemm", [x, weights, graph.constant(f"{prefix}.bias", layer.bias)], f"{prefix}.z"
        )
    else:
        z = graph.node("MatMul", [x, weights], f"{prefix}.z")
    activation = layer.activation
    if activation.name == "leaky_relu":
        return graph.node("LeakyRelu", [z], f"{prefix}.out", alpha=float(activation.alpha))
    if activation.name not in ACTIVATIONS:
        raise ValueError(
            f"layer {layer.name!r}: no ONNX export for the {activation.name!r} activation"
        )
    op = ACTIVATIONS[activation.name]
    if op is None:  # identity: the layer's output is z itself
        return z
    return graph.node(op, [z], f"{prefix}.out", **({"axis": -1} if op == "Softmax" else {}))


def _dropout(graph, layer, x, prefix):
    return graph.node("Identity", [x], f"{prefix}.out")  # dropout is off outside training


LAYERS = {"Standardize": _standardize, "Dense": _dense, "Dropout": _dropout}


def probe_inputs(network, rows):
    """Random float32 input around where the data lives.

    That is the input standardization's range, if there is one.
    """
    # Not the network's generator: exporting must not change training.
    rng = np.random.default_rng(0)
    probe = rng.standard_normal((rows, network.input_dim))
    first = network.layers[0]
    if type(first).__name__ == "Standardize" and not first.invert:
        probe = first.mean + 2 * first.scale * probe
    return probe.astype(np.float32)


def _modules():
    try:
        import onnx
        import onnxruntime
    except ImportError:
        raise ImportError(
            "ONNX export needs the onnx and onnxruntime packages: "
            "pip install onnx onnxruntime (the [onnx] extra)"
        ) from None
    return onnx, onnxruntime
