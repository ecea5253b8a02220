"""ONNX for a `TableEncoder`: the graph's front that takes a table's raw columns, and probe rows.

One input per used column, as skl2onnx writes them: numbers as floats (NaN: missing), categories
and booleans as strings ("": missing). `smallnet.onnx_export` calls `table_encoder` for the layer
and `probe_table` for the rows it compares onnxruntime with smallnet on.
"""

import itertools
import math

import numpy as np

from .columns import BOOLEANS, TRUE, parse_boolean
from .fields import quoted


def table_encoder(graph, layer, x, prefix):
    """A table's raw columns, one graph input each, to `layer.forward(layer.prepare(table))`.

    Numbers (and booleans, read by a LabelEncoder) are filled where NaN and standardized in
    float64, then each followed by its 0/1 gap column where training had gaps; a category's
    text is a code by a LabelEncoder (0 unknown), and the code a row of the lookup table
    `_lookup_tables` reads off the layer's own forward: one-hot columns or an embedding.
    """
    dates = [c["name"] for c in layer.columns if c["kind"] == "date"]
    if dates:
        raise ValueError(
            f"column {quoted(dates)} is a date: ONNX has no date parsing, so a TableEncoder "
            f"with date columns can't be exported; train without them (ignore=, or --ignore)"
        )
    float64 = np.dtype(np.float64)
    numeric, categories = [], []
    starts = dict(_numeric_starts(layer))
    tables = iter(_lookup_tables(layer))
    for i, c in enumerate(layer.columns):
        name, part = c["name"], f"{prefix}.columns.{i}"
        if c["kind"] == "category":
            graph.input(name, object, 1)
            keys = ["" if level is None else level for level in c["levels"]]
            codes = graph.ml_node(
                "LabelEncoder", [name], f"{part}.codes", keys_strings=keys,
                values_int64s=list(range(1, len(keys) + 1)), default_int64=0,
            )  # fmt: skip
            table = graph.constant(f"{part}.table", next(tables))
            looked_up = graph.node("Gather", [table, codes], f"{part}.looked_up", axis=0)
            categories.append(graph.node("Flatten", [looked_up], f"{part}.out", axis=1))
            continue
        if c["kind"] == "boolean":
            graph.input(name, object, 1)
            keys, values = _boolean_spellings()
            value = graph.ml_node(
                "LabelEncoder", [name], f"{part}.boolean", keys_strings=keys,
                values_floats=values, default_float=math.nan,
            )  # fmt: skip
        else:
            value = graph.input(name, graph.dtype, 1)
        if graph.dtype != float64 or c["kind"] == "boolean":
            value = graph.cast(value, float64, f"{part}.float64")
        j = starts[name]
        gaps = graph.node("IsNaN", [value], f"{part}.gaps")
        fill = graph.tensor(f"{part}.fill", layer.fill[j : j + 1])
        filled = graph.node("Where", [gaps, fill, value], f"{part}.filled")
        centred = graph.node(
            "Sub", [filled, graph.tensor(f"{part}.center", layer.center[j : j + 1])],
            f"{part}.centred",
        )  # fmt: skip
        scaled = graph.node(
            "Div", [centred, graph.tensor(f"{part}.scale", layer.scale[j : j + 1])],
            f"{part}.scaled",
        )  # fmt: skip
        numeric.append(graph.cast(scaled, np.dtype(np.float32), f"{part}.out"))
        if c["gaps"]:
            numeric.append(graph.cast(gaps, np.dtype(np.float32), f"{part}.na"))
    return graph.node("Concat", numeric + categories, f"{prefix}.out", axis=1)


def _numeric_starts(encoder):
    """(name, where its value is among the numeric outputs) of each number or boolean column:
    each is one value, then a gap column where training had gaps (dates are refused)."""
    starts, j = [], 0
    for c in encoder.columns:
        if c["kind"] != "category":
            starts.append((c["name"], j))
            j += 1 + c["gaps"]
    return starts


def _lookup_tables(encoder):
    """Each category's outputs for codes 0 (unknown) to its levels' count, shape
    (levels + 1, width), as the encoder's forward makes them."""
    categories = [c for c in encoder.columns if c["kind"] == "category"]
    if not categories:
        return []
    most = max(len(c["levels"]) for c in categories)
    codes = np.zeros((most + 1, encoder.input_dim))
    for k, c in enumerate(categories):
        codes[:, encoder.n_numeric + k] = np.minimum(np.arange(most + 1), len(c["levels"]))
    dtype = np.float64 if encoder.embeddings is None else encoder.embeddings.dtype
    out = encoder.forward(codes.astype(dtype))
    tables, offset = [], encoder.n_numeric
    for c in categories:
        width = c["dim"] or len(c["levels"]) + bool(c["merged"])
        tables.append(out[: len(c["levels"]) + 1, offset : offset + width])
        offset += width
    return tables


def _boolean_spellings():
    """(keys, values): every case of the spellings `smallnet.columns.parse_boolean` knows,
    and their 1.0 or 0.0, as it reads them."""
    words = sorted(set().union(*BOOLEANS) | TRUE | {"0"})
    cases = [
        "".join(chars)
        for word in words
        for chars in itertools.product(*({ch.lower(), ch.upper()} for ch in word))
    ]
    keys = sorted(set(cases))
    values = parse_boolean(np.array(keys, dtype=object))[0]
    known = ~np.isnan(values)
    return [k for k, ok in zip(keys, known) if ok], [float(v) for v in values[known]]


def probe_table(encoder, rows, rng, dtype):
    """Raw rows drawn from what `encoder` recorded, {name: (rows,) array}: numbers around their
    center (within two spreads), a gap (NaN) and the fill value; a category's levels, a few
    merged ones, a level never seen and a gap (""); every boolean spelling, an unknown one
    and a gap. Numbers are `dtype`, text object arrays."""
    starts = dict(_numeric_starts(encoder))
    table = {}
    for c in encoder.columns:
        name = c["name"]
        if c["kind"] == "number":
            j = starts[name]
            values = encoder.center[j] + 2 * encoder.scale[j] * rng.standard_normal(rows)
            values[:2] = [np.nan, encoder.fill[j]][:rows]
            table[name] = rng.permutation(values).astype(dtype)
            continue
        if c["kind"] == "category":
            known = set(c["levels"]) | set(c["merged"])
            unseen = next(u for k in itertools.count() if (u := "unseen" + "?" * k) not in known)
            levels = ["" if level is None else level for level in c["levels"]]
            texts = [unseen, "", *c["merged"][:3], *levels]
        else:  # a boolean (dates are not exported)
            texts = ["maybe", "", *_boolean_spellings()[0]]
        table[name] = rng.permutation(np.resize(np.array(texts, dtype=object), rows))
    return table
