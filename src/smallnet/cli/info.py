"""smallnet info and smallnet export: a saved model described, or written as ONNX."""

import os

import numpy as np

from ..fields import quoted
from .common import check_output, show
from .model import read_model


def info(args):
    model = read_model(args.model)  # a regression checkpoint with its target's scaling back on
    net = model.net
    net.summary()
    config = net.config()
    print(
        f"Metrics: {', '.join(config['metrics']) or '-'}  Seed: {config['seed']}  "
        f"Dtype: {config['dtype']}"
    )
    meta = dict(net.metadata) if isinstance(net.metadata, dict) else {"metadata": net.metadata}
    final = meta.pop("final_metrics", None)
    rows = meta.pop("training_rows", None)  # hashes: said by their count
    if isinstance(rows, dict):
        meta["training_rows"] = (
            f"{rows.get('rows')} (a fingerprint of {rows.get('sampled')}, for evaluate)"
        )
    for key, value in [*meta.items(), ("final metrics", final)]:
        # column names are quoted: they may hold commas
        columns = key in ("feature_names", "ignored") and isinstance(value, list)
        shown = quoted(value) if columns else show(value)
        if shown:  # nothing ignored, no final metrics: no line
            print(f"{key}: {shown}")
    if model.encoder is not None:
        print("columns, as the model encodes them:")
        print("\n".join(model.encoder.describe()))
    if model.rescaled and final:
        print(
            "(a checkpoint, written while the network learned the standardized target: its final "
            "metrics are in those units; the model train saves has them in the target's)"
        )


NOT_ONNX = (".safetensors", ".csv", ".json", ".png", ".svg", ".txt")  # --onnx names: a mistake


def export(args):
    suffix = os.path.splitext(args.onnx)[1].lower()
    if suffix in NOT_ONNX:
        raise ValueError(
            f"--onnx {args.onnx}: export writes an ONNX graph, not {suffix[1:]}; give a name "
            f"ending .onnx"
        )
    net = read_model(args.model).net
    check_output(args.onnx, model=args.model)
    difference = net.to_onnx(args.onnx)
    from ..onnx_export import probe_outputs  # loaded by export only: the others start faster

    # the inputs to_onnx compared on (a table model's: raw rows): how large are the outputs there?
    size = float(np.abs(probe_outputs(net, 256)).max())
    relative = f" ({difference / size:.2g} of the outputs' largest, {size:.3g})" if size > 0 else ""
    print(
        f"wrote {args.onnx}; largest |onnxruntime - smallnet| on random inputs: "
        f"{difference:.3g}{relative}"
    )
