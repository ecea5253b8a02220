"""Export to ONNX: the whole network, input standardization and output activation included.

The graph maps "X" (batch, n_features) float32 to "Y" (batch, n_outputs)
float32, with the weights as float32 initializers; a network whose first layer is a
`TableEncoder` takes the table's raw columns instead, one input per column (see `to_onnx`).
Each layer type and each activation has a small builder below. The export is checked with
`onnx.checker`, run in onnxruntime on a probe, and compared with
smallnet's own predictions; `to_onnx` returns the largest difference.
"""

import json
import math
import warnings

import numpy as np

from . import __version__
from .atomic import write_bytes
from .columns import ColumnWarning
from .fields import quoted
from .onnx_table import probe_table, table_encoder
from .validation import check_metadata, check_number, jsonable

ML_DOMAIN, ML_OPSET = "ai.onnx.ml", 2  # LabelEncoder's string keys: ai.onnx.ml 2 on

ACTIVATIONS = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "softmax": "Softmax",
    "softplus": "Softplus",
    "identity": None,
}


def to_onnx(network, path, opset=17, probe_rows=256):
    """Write `network` as an ONNX model to `path` (atomically) and check it against smallnet.

    Parameters
    ----------
    network : Network
        Built (trained, loaded, or `build` called).
    path : str or os.PathLike
    opset : int
        ONNX operator set version: 13 (Softmax over the last axis) up to the newest the
        installed onnx knows.
    probe_rows : int
        Rows of the probe (`probe_inputs`) on which onnxruntime and smallnet are compared.

    Returns
    -------
    float
        The largest absolute difference between onnxruntime's outputs and
        smallnet's predictions on the probe: float32 rounding, about 1e-7
        relative to the outputs' size (more for a float64 network, which the graph
        computes in float32).

    Notes
    -----
    A network whose first layer is a `TableEncoder` takes the raw columns, as skl2onnx's
    graphs do: one input per column the encoder uses, named as the column, shape (batch, 1).
    A number column is the network's dtype (float32 or float64: tensor(float) or
    tensor(double)), NaN where missing; it is filled and standardized in float64, as
    `TableEncoder.prepare` does. A category or boolean column is tensor(string): a category's
    levels as the training table wrote them (whole numbers without ".0"), a boolean as
    yes/no, true/false, y/n, t/f (any case) or 1/0. Missing text is the empty string "";
    a level not seen in training is unknown, and an unknown boolean spelling is a gap, as in
    smallnet. Unlike smallnet, the graph neither strips spaces around text nor counts markers
    such as "NA" as missing. Date columns are refused: ONNX has no date parsing.
    """
    onnx, ort = _modules()
    newest = onnx.defs.onnx_opset_version()
    opset = check_number("opset", opset, low=13, low_inclusive=True, high=newest, integer=True)
    probe_rows = check_number("probe_rows", probe_rows, low=1, low_inclusive=True, integer=True)
    if not network.built:
        raise RuntimeError("the network has no weights yet: call fit (or build) first")
    graph = _Graph(onnx)
    graph.opset = opset  # for the builders whose ops depend on it (LayerNormalization: 17+)
    graph.dtype = np.dtype(network.dtype)  # a table's number columns come in this dtype
    x = "X"
    for i, layer in enumerate(network.layers):
        builder = LAYERS.get(type(layer).__name__)
        if builder is None:
            raise ValueError(
                f"layer {layer.name!r}: no ONNX export for {type(layer).__name__} layers"
            )
        x = builder(graph, layer, x, f"layers.{i}")
    graph.nodes[-1].output[0] = "Y"  # the last node writes the graph's output
    if not graph.inputs:  # a TableEncoder declares its columns; any other first layer takes X
        graph.input("X", np.float32, network.input_dim)
    _check_input_names(graph)
    helper = onnx.helper
    float32 = onnx.TensorProto.FLOAT
    opsets = [helper.make_opsetid("", opset)]
    if graph.ml:
        opsets.append(helper.make_opsetid(ML_DOMAIN, ML_OPSET))
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "smallnet",
            graph.inputs,
            [helper.make_tensor_value_info("Y", float32, ["batch", network.output_dim])],
            graph.initializers,
        ),
        opset_imports=opsets,
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
    ours = _predict(network, probe)
    if isinstance(probe, dict):  # a table's columns: each input (batch, 1)
        feeds = {name: values.reshape(-1, 1) for name, values in probe.items()}
    else:
        feeds = {"X": probe}
    theirs = session.run(["Y"], feeds)[0]
    write_bytes(path, data)
    return float(np.max(np.abs(theirs.astype(np.float64) - ours)))


def _check_input_names(graph):
    """Refuse a column whose name the graph gives a value of its own (or none at all)."""
    inputs = [value.name for value in graph.inputs]
    taken = {name for node in graph.nodes for name in node.output}
    taken |= {tensor.name for tensor in graph.initializers}
    clash = [name for name in inputs if name in taken or not name]
    if clash:
        raise ValueError(
            f"column {quoted(clash)}: the ONNX graph's inputs are named as the columns, and "
            f"this name is empty or the graph's own (its output is 'Y', its values "
            f"'layers.*'); rename the column to export the model"
        )


class _Graph:
    """Inputs, nodes and initializers, with fresh names for intermediate values."""

    def __init__(self, onnx):
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        self.inputs, self.nodes, self.initializers = [], [], []
        self.ml = False  # whether a node is one of ai.onnx.ml's

    def input(self, name, dtype, width):
        """Declare the graph input `name`, shape (batch, width), of NumPy `dtype`."""
        elem = self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        self.inputs.append(self.helper.make_tensor_value_info(name, elem, ["batch", width]))
        return name

    def tensor(self, name, array):
        """An initializer of `array`'s own dtype (constant's are float32)."""
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

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

    def ml_node(self, op, inputs, name, **attributes):
        self.ml = True
        self.nodes.append(
            self.helper.make_node(op, inputs, [name], name=name, domain=ML_DOMAIN, **attributes)
        )
        return name

    def cast(self, x, dtype, name):
        return self.node("Cast", [x], name, to=self.helper.np_dtype_to_tensor_dtype(dtype))


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
    build = ACTIVATION_BUILDERS.get(activation.name)
    if build is not None:  # an activation with parameters, or made of several ops
        return build(graph, activation, z, prefix)
    if activation.name not in ACTIVATIONS:
        raise ValueError(
            f"layer {layer.name!r}: no ONNX export for the {activation.name!r} activation"
        )
    op = ACTIVATIONS[activation.name]
    if op is None:  # identity: the layer's output is z itself
        return z
    return graph.node(op, [z], f"{prefix}.out", **({"axis": -1} if op == "Softmax" else {}))


def _leaky_relu(graph, activation, z, prefix):
    return graph.node("LeakyRelu", [z], f"{prefix}.out", alpha=float(activation.alpha))


def _elu(graph, activation, z, prefix):
    return graph.node("Elu", [z], f"{prefix}.out", alpha=float(activation.alpha))


def _selu(graph, activation, z, prefix):
    alpha, gamma = float(activation.alpha), float(activation.scale)
    return graph.node("Selu", [z], f"{prefix}.out", alpha=alpha, gamma=gamma)


def _silu(graph, activation, z, prefix):  # z * sigmoid(z)
    return graph.node("Mul", [z, graph.node("Sigmoid", [z], f"{prefix}.sigmoid")], f"{prefix}.out")


def _mish(graph, activation, z, prefix):  # z * tanh(softplus(z))
    softplus = graph.node("Softplus", [z], f"{prefix}.softplus")
    return graph.node("Mul", [z, graph.node("Tanh", [softplus], f"{prefix}.tanh")], f"{prefix}.out")


def _gelu(graph, activation, z, prefix):
    """z * Phi(z) from opset 13's ops (ONNX's own Gelu is opset 20's), Phi as smallnet computes it:
    (1 + erf(z / sqrt(2))) / 2, or in the tanh form sigmoid(2 * sqrt(2/pi) * (z + c * z**3))."""

    def op(kind, inputs, part):
        return graph.node(kind, inputs, f"{prefix}.{part}")

    def times(x, value, part):
        return op("Mul", [x, graph.constant(f"{prefix}.{part}.factor", value)], part)

    if activation.approximate:
        cube = op("Mul", [op("Mul", [z, z], "square"), z], "cube")
        inner = op("Add", [z, times(cube, activation.tanh_coefficient, "cubic")], "inner")
        cdf = op("Sigmoid", [times(inner, 2 * math.sqrt(2 / math.pi), "argument")], "cdf")
    else:
        erf = op("Erf", [times(z, math.sqrt(0.5), "scaled")], "erf")
        one = graph.constant(f"{prefix}.one", 1.0)
        cdf = times(op("Add", [erf, one], "erf_plus_one"), 0.5, "cdf")
    return op("Mul", [z, cdf], "out")


# Activations with parameters, or made of several ops: (graph, activation, z, prefix) -> output.
ACTIVATION_BUILDERS = {
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "selu": _selu,
    "silu": _silu,
    "gelu": _gelu,
    "mish": _mish,
}


def _dropout(graph, layer, x, prefix):
    return graph.node("Identity", [x], f"{prefix}.out")  # dropout is off outside training


def _batch_norm(graph, layer, x, prefix):
    """Inference mode: standardized with the running statistics."""
    names = ("gamma", "beta", "running_mean", "running_var")
    inputs = [x] + [graph.constant(f"{prefix}.{name}", getattr(layer, name)) for name in names]
    return graph.node("BatchNormalization", inputs, f"{prefix}.out", epsilon=layer.epsilon)


def _layer_norm(graph, layer, x, prefix):
    """LayerNormalization from opset 17; below it, the same from ReduceMean, Sub, Mul, Sqrt, Div."""
    gamma = graph.constant(f"{prefix}.gamma", layer.gamma)
    beta = graph.constant(f"{prefix}.beta", layer.beta)
    if graph.opset >= 17:
        inputs, out = [x, gamma, beta], f"{prefix}.out"
        return graph.node("LayerNormalization", inputs, out, axis=-1, epsilon=layer.epsilon)

    def op(kind, inputs, part, **attributes):
        return graph.node(kind, inputs, f"{prefix}.{part}", **attributes)

    centred = op("Sub", [x, op("ReduceMean", [x], "mean", axes=[-1])], "centred")
    var = op("ReduceMean", [op("Mul", [centred, centred], "square")], "var", axes=[-1])
    epsilon = graph.constant(f"{prefix}.epsilon", np.float32(layer.epsilon))
    std = op("Sqrt", [op("Add", [var, epsilon], "var_eps")], "std")
    scaled = op("Mul", [op("Div", [centred, std], "normalized"), gamma], "scaled")
    return op("Add", [scaled, beta], "out")


def _embedding(graph, layer, x, prefix):
    """Gather on the codes cast to integers, (batch, k, dim), then Reshape to (batch, k * dim)."""
    codes = graph.cast(x, np.dtype(np.int64), f"{prefix}.codes")
    table = graph.constant(f"{prefix}.embeddings", layer.embeddings)
    looked_up = graph.node("Gather", [table, codes], f"{prefix}.looked_up", axis=0)
    shape = graph.tensor(f"{prefix}.shape", np.array([0, layer.units], np.int64))
    return graph.node("Reshape", [looked_up, shape], f"{prefix}.out")


def _features(graph, layer, x, prefix):
    """Each column a feature reads Gathered once, (batch, 1); Mul, Sin or Cos of them; Concat."""
    columns = {}

    def column(i):
        if i not in columns:
            index = graph.tensor(f"{prefix}.index{i}", np.array([i], np.int64))
            columns[i] = graph.node("Gather", [x, index], f"{prefix}.x{i + 1}", axis=1)
        return columns[i]

    outputs = []
    for k, (kind, i, j) in enumerate(layer.terms):
        name, a = f"{prefix}.feature{k}", column(i)
        if kind == "x":
            outputs.append(a)
        elif kind in ("square", "product"):
            outputs.append(graph.node("Mul", [a, a if j is None else column(j)], name))
        else:
            outputs.append(graph.node(kind.capitalize(), [a], name))  # Sin, Cos
    return graph.node("Concat", outputs, f"{prefix}.out", axis=1)


LAYERS = {
    "Standardize": _standardize,
    "Dense": _dense,
    "Dropout": _dropout,
    "BatchNorm": _batch_norm,
    "LayerNorm": _layer_norm,
    "Embedding": _embedding,
    "Features": _features,
    "TableEncoder": table_encoder,
}


def probe_inputs(network, rows):
    """Random float32 input around where the data lives: shape (rows, input_dim).

    That is the input standardization's range, if there is one. For a `TableEncoder`, a dict
    of the raw columns, shape (rows,) each (see `probe_table`).
    """
    # Not the network's generator: exporting must not change training.
    rng = np.random.default_rng(0)
    first = network.layers[0]
    if type(first).__name__ == "TableEncoder":
        return probe_table(first, rows, rng, network.dtype)
    probe = rng.standard_normal((rows, network.input_dim))
    if type(first).__name__ == "Embedding":  # codes drawn at random, not numbers
        return rng.integers(0, first.n_categories, probe.shape).astype(np.float32)
    if type(first).__name__ == "Standardize" and not first.invert:
        probe = first.mean + 2 * first.scale * probe
    return probe.astype(np.float32)


def probe_outputs(network, rows):
    """smallnet's predictions on `probe_inputs(network, rows)`, shape (rows, output_dim)."""
    return _predict(network, probe_inputs(network, rows))


def _predict(network, probe):
    with warnings.catch_warnings():
        # The probe's unseen levels and gaps are there on purpose: nothing to warn of.
        warnings.simplefilter("ignore", ColumnWarning)
        return network.predict(probe)


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
