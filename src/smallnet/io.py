"""Saved networks and checkpoints: one safetensors file each, with no code in it.

A file holds

- tensors: each layer's arrays as ``layers.{i}.{attribute}`` (``layers.0.mean``,
  ``layers.1.weights``, ...); a checkpoint adds the optimizer's state
  (``optimizer.m.0``, ...) and the generator's (``rng.state.key``, ...);
- one string in the header's metadata, ``smallnet``: a JSON document with the
  format version, the network's `config()`, its `metadata`, in checkpoints the
  epoch, history and the rest of the optimizer's and generator's state, and a
  ``sha256`` checksum over the rest of the document and every tensor, so that
  a flipped byte anywhere is an error rather than a wrong model.

Loading parses JSON and raw little-endian arrays, never pickle, so a file can't
run code. Writes are atomic (see `smallnet.atomic`).
"""
import hashlib
import json
import os

import numpy as np

from .atomic import write_bytes
from .network import Network
from .training import History
from .validation import check_metadata, jsonable

FORMAT_VERSION = 1
BIT_GENERATORS = ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")  # what a Generator's state may name


def save(network, path):
    """Write `network` (architecture, weights, `metadata`) to the safetensors file `path`.

    The network's History, if it has one, is kept too (`load` gives it back as
    ``network.history``), the values of the epoch whose weights are saved (the last,
    or the best one that EarlyStopping put back) also as ``metadata["final_metrics"]``.

    Raises
    ------
    RuntimeError
        If the network has no weights yet.
    ValueError
        If `path` ends in .onnx (`to_onnx`'s format, not this one), or a weight is NaN or inf.
    """
    if isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path).lower().endswith(".onnx"):
        raise ValueError(f"{os.fsdecode(path)!r}: save writes safetensors, not ONNX; use network.to_onnx(path) "
                         f"for an ONNX file, or name this one .safetensors")
    if network.built and not all(np.isfinite(p).all() for p in network._params):
        raise ValueError("the network's weights hold NaN or inf (did training diverge?): not saved, since the "
                         "file could predict nothing")
    history = network.history
    kept = -1  # the epoch whose weights are saved: the last, unless EarlyStopping put back an earlier one's
    if history is not None and history.kept_epoch in history.epoch:
        kept = history.epoch.index(history.kept_epoch)
    _write(path, network, {}, {}, history.history if history is not None else {}, kept)


def load(path):
    """The network saved in `path`, with its weights and `metadata`, ready to predict or train on.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If there is no such file, or `path` is a folder.
    ValueError
        If the file is not safetensors, not smallnet's, truncated or corrupted,
        written by a newer smallnet, or holds tensors that don't fit its architecture.
    """
    info, tensors = _read(path)
    try:
        network = Network.from_config(info["network"])
        if not isinstance(info.get("metadata", {}), dict):
            raise ValueError("its metadata is not a JSON object")
        needed = network._size(network.layers[0].input_dim)
        held = sum(array.size for key, array in tensors.items() if key.startswith("layers."))
        if needed > max(10 * held, 10**6):  # before the placeholders are made: a damaged config could ask for GBs
            # (a smaller mismatch is named tensor by tensor, once built)
            raise ValueError(f"its architecture has {needed} weights, but it holds {held}")
        network.build(network.layers[0].input_dim, network.dtype)  # placeholder weights, overwritten next
        _fill(network, tensors)
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid(path, exc) from None
    network.metadata = info.get("metadata", {})
    curves = {key[len("history."):]: tensors[key].tolist() for key in sorted(tensors) if key.startswith("history.")}
    if curves:
        network.history = History()
        network.history.history = curves
        network.history.epoch = list(range(max(len(values) for values in curves.values())))
    return network


def save_checkpoint(path, network, epoch, history, fit_state=None):
    """Save what resuming `network.fit` needs: the model plus optimizer state, generator state, epoch, history.

    Parameters
    ----------
    path : str or path-like
    network : Network
        Built (trained at least one step, or `build` called).
    epoch : int
        Epochs completed so far.
    history : dict of str to list of float
        Such as ``network.history.history``.
    fit_state : dict, optional
        What else `fit` needs to go on exactly (arrays allowed): its validation rows, a data fingerprint,
        the arguments that decide its run (so that a resume with others is refused).
    """
    tensors = {}
    rng = network.rng
    if isinstance(rng, np.random.RandomState):
        kind, state = "RandomState", rng.get_state(legacy=False)
    else:
        kind, state = "Generator", rng.bit_generator.state
    checkpoint = {"epoch": int(epoch), "history": list(history), "fit_state": _encode(fit_state or {}, "fit", tensors),
                  "optimizer": {"name": network.optimizer.name,
                                "state": _encode(network.optimizer.get_state(), "optimizer", tensors)},
                  "rng": {"kind": kind, "state": _encode(state, "rng", tensors)}}
    _write(path, network, {"checkpoint": checkpoint}, tensors, history)


def load_checkpoint(path, network):
    """Restore weights, optimizer state and generator state from `path` into `network`.

    `network` must have the checkpoint's architecture and optimizer type (build
    it as the checkpointed one was); it is built from the file if it isn't yet.
    Afterwards, training on as before gives bit-identical weights to a run
    that was never interrupted.

    Returns
    -------
    epoch : int
        Epochs completed when the checkpoint was written.
    history : dict of str to list of float
    fit_state : dict
        As given to `save_checkpoint`.
    """
    info, tensors = _read(path)
    checkpoint = info.get("checkpoint")
    if not isinstance(checkpoint, dict):
        raise ValueError(f"{path}: a saved model, not a checkpoint (it has no optimizer or generator state)")
    try:
        saved = info["network"]
        ours, theirs = [type(layer).__name__ for layer in network.layers], [c["type"] for c in saved["layers"]]
        if ours != theirs:
            raise ValueError(f"the checkpoint's layers are {', '.join(theirs)}, the network's {', '.join(ours)}")
        for layer, config in zip(network.layers, saved["layers"]):
            _check_same_layer(layer, config)
        if checkpoint["optimizer"]["name"] != network.optimizer.name:
            raise ValueError(f"the checkpoint's optimizer is {checkpoint['optimizer']['name']!r}, "
                             f"the network's {network.optimizer.name!r}")
        if not network.built:
            network.build(saved["layers"][0]["input_dim"], saved["dtype"])
        _fill(network, tensors)
        state = _decode(checkpoint["optimizer"]["state"], tensors)
        for key, arrays in state.items():
            if isinstance(arrays, list) and [(a.shape, a.dtype) for a in arrays] != [
                    (p.shape, p.dtype) for p in network._params]:  # the optimizer sees the flat array
                raise ValueError(f"the optimizer's {key!r} arrays don't fit the network's parameters")
        network.optimizer.set_state(state)
        _restore_generator(network, checkpoint["rng"]["kind"], _decode(checkpoint["rng"]["state"], tensors))
        fit_state = _decode(checkpoint.get("fit_state", {}), tensors)
        history = {key: tensors[f"history.{key}"].tolist() if f"history.{key}" in tensors else []
                   for key in checkpoint["history"]}
        return int(checkpoint["epoch"]), history, fit_state
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid(path, exc) from None


def _check_same_layer(layer, saved):
    """Refuse a layer whose configuration differs from the checkpoint's in anything that changes what it
    computes (its name and initializer don't; an input size not known yet is taken from the file)."""
    ours = layer.config()
    for key, value in ours.items():
        if key in ("name", "initializer") or (key == "input_dim" and value is None):
            continue
        if saved.get(key) != value:
            raise ValueError(f"layer {layer.name!r} has {key}={_short(value)}, the checkpoint's {_short(saved.get(key))}")


def _short(value):
    """An activation's config {'name': 'relu'} as 'relu'; anything else as repr."""
    if isinstance(value, dict) and set(value) == {"name"}:
        return repr(value["name"])
    return repr(value)


# -- the file ----------------------------------------------------------------------------------

def _write(path, network, extra, tensors, history, kept=-1):
    """Atomically write the network's arrays plus `tensors`, and its JSON plus `extra`, to `path`.

    `history` ({name: [value per epoch]}) is stored once, as float64 tensors ``history.<name>``;
    its values at index `kept` (the epoch whose weights these are) as ``final_metrics``.
    """
    if not network.built:
        raise RuntimeError("the network has no weights yet: call fit (or build) first")
    numpy_safetensors = _safetensors().numpy
    for i, layer in enumerate(network.layers):
        for attribute in layer.arrays:
            array = getattr(layer, attribute)
            if array is not None:
                tensors[f"layers.{i}.{attribute}"] = array
    tensors = {key: np.ascontiguousarray(array) for key, array in tensors.items()}
    metadata = dict(check_metadata(network.metadata))
    curves = {key: values for key, values in history.items() if len(values)}
    if curves:
        metadata["final_metrics"] = {key: values[kept if kept < len(values) else -1] for key, values in curves.items()}
        for key, values in curves.items():  # the curves, for `smallnet plot --kind loss` and for resuming
            tensors[f"history.{key}"] = np.asarray(values, dtype=np.float64)
    info = {"format": "smallnet", "format_version": FORMAT_VERSION, "network": network.config(),
            "metadata": metadata, **extra}
    info["sha256"] = _checksum(json.dumps(info, default=jsonable), tensors)
    # One metadata key: safetensors writes several in varying order, and the same model should give the same bytes.
    data = numpy_safetensors.save(tensors, {"smallnet": json.dumps(info, default=jsonable)})
    write_bytes(path, data)


def _read(path):
    """(the JSON document, the tensors) of a smallnet file, after checking everything that can be checked."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"the path must be a file name (str or path-like), got {path!r}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: a folder, not a model file")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    # The safetensors layout: an 8-byte little-endian header length, the JSON header, the tensor data.
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (it has only {len(data)} bytes)")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        if size > 2**32 or not data[8:9] == b"{":  # no JSON header starts there: not a truncated model either
            raise ValueError(f"{path}: not a smallnet model (not a safetensors file)")
        raise ValueError(f"{path}: not a safetensors file, or a truncated one (its header length "
                         f"says {size} bytes, but only {len(data) - 8} follow)")
    try:
        header = json.loads(data[8:8 + size])
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too; RecursionError: [[[[...
        raise ValueError(f"{path}: not a safetensors file, or a corrupted one (its header is not JSON)") from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    document = metadata.get("smallnet") if isinstance(metadata, dict) else None
    if not isinstance(document, str):
        raise ValueError(f"{path}: a safetensors file, but not a smallnet model (no 'smallnet' metadata)")
    try:
        info = json.loads(document)
        version = info["format_version"]
    except (ValueError, TypeError, KeyError, RecursionError):
        raise ValueError(f"{path}: corrupted (its smallnet metadata can't be read)") from None
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise ValueError(f"{path}: written in smallnet file format version {version!r}, but this smallnet "
                         f"reads versions up to {FORMAT_VERSION}; upgrade smallnet to load it")
    safetensors = _safetensors()
    try:
        tensors = safetensors.numpy.load(data)
    except (safetensors.SafetensorError, ValueError) as exc:
        raise ValueError(f"{path}: corrupted or truncated ({_one_line(exc)})") from None
    claimed = info.pop("sha256", None)
    if _checksum(json.dumps(info), tensors) != claimed:  # json.dumps(json.loads(text)) gives text back
        raise ValueError(f"{path}: corrupted (its checksum doesn't match its contents)")
    return info, tensors


def _fill(network, tensors):
    """Copy the saved arrays into the network's own, in place, after checking shape and dtype."""
    expected = set()
    for i, layer in enumerate(network.layers):
        for attribute in layer.arrays:
            target = getattr(layer, attribute)
            if target is None:  # such as the bias of a Dense layer without one
                continue
            key = f"layers.{i}.{attribute}"
            expected.add(key)
            if key not in tensors:
                raise ValueError(f"tensor {key!r} is missing")
            stored = tensors[key]
            if stored.shape != target.shape or stored.dtype != target.dtype:
                raise ValueError(f"tensor {key!r} is {stored.dtype} of shape {stored.shape}, but layer "
                                 f"{layer.name!r} needs {target.dtype} of shape {target.shape}")
            if not np.isfinite(stored).all():  # a model that diverged, or a damaged file: it predicts nothing
                raise ValueError(f"tensor {key!r} holds NaN or inf")
            target[...] = stored  # in place: the network's params list holds these very arrays
        if hasattr(layer, "scale") and not (layer.scale > 0).all():
            raise ValueError(f"tensor 'layers.{i}.scale' must be > 0 everywhere (a Standardize layer divides by it)")
    unexpected = sorted(key for key in tensors if key.startswith("layers.") and key not in expected)
    if unexpected:
        raise ValueError(f"tensors {', '.join(unexpected)} belong to no layer of the architecture")


# -- JSON with arrays --------------------------------------------------------------------------

def _encode(value, key, tensors):
    """`value` as JSON: arrays move into `tensors` (named from `key`), ints JSON can't carry exactly become strings."""
    if isinstance(value, np.ndarray):
        tensors[key] = value
        return {"$tensor": key}
    if isinstance(value, dict):
        return {k: _encode(v, f"{key}.{k}", tensors) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{key}.{i}", tensors) for i, v in enumerate(value)]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and abs(int(value)) >= 2**53:
        return {"$int": str(value)}  # such as PCG64's 128-bit state
    return value.item() if isinstance(value, np.generic) else value


def _decode(value, tensors):
    """The inverse of `_encode`."""
    if isinstance(value, dict):
        if value.keys() == {"$tensor"}:
            return tensors[value["$tensor"]]
        if value.keys() == {"$int"}:
            return int(value["$int"])
        return {k: _decode(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    return value


def _restore_generator(network, kind, state):
    """Put the network's generator in `state`: in place where it is of that kind, since layers
    (Dropout) draw from the same object; else a new RandomState or Generator (only NumPy's own
    bit generators, looked up by name) for the network and every layer holding the old one."""
    rng = network.rng
    if kind == "RandomState":
        if not isinstance(rng, np.random.RandomState):
            rng = np.random.RandomState(0)  # any seed: set_state replaces all of it
        rng.set_state(state)
    else:
        if kind != "Generator" or state.get("bit_generator") not in BIT_GENERATORS:
            raise ValueError(f"unknown generator {kind!r} / {state.get('bit_generator')!r}")
        if not (isinstance(rng, np.random.Generator) and type(rng.bit_generator).__name__ == state["bit_generator"]):
            rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
        rng.bit_generator.state = state
    for layer in network.layers:
        if getattr(layer, "rng", None) is network.rng:
            layer.rng = rng
    network.rng = rng


def _checksum(document, tensors):
    """SHA-256 over the JSON document and every tensor's name, dtype, shape and little-endian bytes."""
    digest = hashlib.sha256(document.encode())
    for key in sorted(tensors):
        array = tensors[key]
        digest.update(f"{key}:{array.dtype.name}:{array.shape}".encode())
        digest.update(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return digest.hexdigest()


def _invalid(path, exc):
    """A ValueError naming the file, from an error raised while rebuilding what it describes."""
    return ValueError(f"{path}: " + (f"field {exc} is missing" if isinstance(exc, KeyError) else _one_line(exc)))


def _one_line(exc):
    return " ".join(str(exc).split())


def _safetensors():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("saving and loading need the safetensors package: pip install safetensors (the [io] extra)") from None
    return safetensors
