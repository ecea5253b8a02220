"""The file format: named tensors and one JSON document in a safetensors file, with no code in it.

A file holds

- tensors, each under a dotted name (``layers.1.weights``, ``optimizer.m.0``, ...);
- one string in the header's metadata, ``smallnet``: a JSON document with the
  format version, whatever the writer puts in it, and a ``sha256`` checksum over
  the rest of the document and every tensor, so that a flipped byte anywhere is an
  error rather than a wrong model.

Reading parses JSON and raw little-endian arrays, never pickle, so a file can't run
code. Writes are atomic (see `smallnet.atomic`). This module knows no network: what the
tensors and the document mean is `Network.state` and `smallnet.checkpoint`'s business.
"""

import hashlib
import json
import os

import numpy as np

from .atomic import write_bytes
from .validation import jsonable

FORMAT_VERSION = 1


def write(path, tensors, document):
    """Atomically write `tensors` ({name: array}) and the JSON-able dict `document` to `path`."""
    numpy_safetensors = require_safetensors().numpy
    tensors = {key: np.ascontiguousarray(array) for key, array in tensors.items()}
    info = {"format": "smallnet", "format_version": FORMAT_VERSION, **document}
    info["sha256"] = _checksum(json.dumps(info, default=jsonable), tensors)
    # One metadata key: safetensors writes several in varying order, and the same model should
    # give the same bytes.
    data = numpy_safetensors.save(tensors, {"smallnet": json.dumps(info, default=jsonable)})
    write_bytes(path, data)


def read(path):
    """(the JSON document, the tensors) of a smallnet file, after checking everything that can be.

    Raises
    ------
    TypeError
        If `path` is not a file name.
    FileNotFoundError, IsADirectoryError
        If there is no such file, or `path` is a folder.
    ValueError
        If the file is not safetensors, not smallnet's, truncated or corrupted, or written
        in a newer format version.
    """
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
    info = _document(path, data)
    safetensors = require_safetensors()
    try:
        tensors = safetensors.numpy.load(data)
    except (safetensors.SafetensorError, ValueError) as exc:
        raise ValueError(f"{path}: corrupted or truncated ({one_line(exc)})") from None
    claimed = info.pop("sha256", None)
    if _checksum(json.dumps(info), tensors) != claimed:  # json.dumps(json.loads(text)) is text
        raise ValueError(f"{path}: corrupted (its checksum doesn't match its contents)")
    return info, tensors


def _document(path, data):
    """The smallnet JSON document in the safetensors header of `data` (the bytes of `path`)."""
    # The safetensors layout: an 8-byte little-endian header length, the JSON header, the tensors.
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (it has only {len(data)} bytes)")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        if (
            size > 2**32 or not data[8:9] == b"{"
        ):  # no JSON header there: not a truncated model either
            raise ValueError(f"{path}: not a smallnet model (not a safetensors file)")
        raise ValueError(
            f"{path}: not a safetensors file, or a truncated one (its header length "
            f"says {size} bytes, but only {len(data) - 8} follow)"
        )
    try:
        header = json.loads(data[8 : 8 + size])
    except (
        ValueError,
        RecursionError,
    ):  # UnicodeDecodeError is a ValueError; RecursionError: [[[[...
        raise ValueError(
            f"{path}: not a safetensors file, or a corrupted one (its header is not JSON)"
        ) from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    document = metadata.get("smallnet") if isinstance(metadata, dict) else None
    if not isinstance(document, str):
        raise ValueError(
            f"{path}: a safetensors file, but not a smallnet model (no 'smallnet' metadata)"
        )
    try:
        info = json.loads(document)
        version = info["format_version"]
    except (ValueError, TypeError, KeyError, RecursionError):
        raise ValueError(f"{path}: corrupted (its smallnet metadata can't be read)") from None
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: written in smallnet file format version {version!r}, but this smallnet "
            f"reads versions up to {FORMAT_VERSION}; upgrade smallnet to load it"
        )
    return info


def _checksum(document, tensors):
    """SHA-256 over the JSON document and every tensor.

    Each tensor counts with its name, dtype, shape and little-endian bytes.
    """
    digest = hashlib.sha256(document.encode())
    for key in sorted(tensors):
        array = tensors[key]
        digest.update(f"{key}:{array.dtype.name}:{array.shape}".encode())
        digest.update(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return digest.hexdigest()


# -- JSON with arrays --------------------------------------------------------------------------


def encode(value, key, tensors):
    """`value` as JSON: arrays move into `tensors` (named from `key`), ints JSON can't carry
    exactly become strings. `decode` gives `value` back."""
    if isinstance(value, np.ndarray):
        tensors[key] = value
        return {"$tensor": key}
    if isinstance(value, dict):
        return {k: encode(v, f"{key}.{k}", tensors) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v, f"{key}.{i}", tensors) for i, v in enumerate(value)]
    if (
        isinstance(value, (int, np.integer))
        and not isinstance(value, bool)
        and abs(int(value)) >= 2**53
    ):
        return {"$int": str(value)}  # such as PCG64's 128-bit state
    return value.item() if isinstance(value, np.generic) else value


def decode(value, tensors):
    """The inverse of `encode`."""
    if isinstance(value, dict):
        if value.keys() == {"$tensor"}:
            return tensors[value["$tensor"]]
        if value.keys() == {"$int"}:
            return int(value["$int"])
        return {k: decode(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, tensors) for v in value]
    return value


def invalid(path, exc):
    """A ValueError naming the file, from an error raised while rebuilding what it describes."""
    return ValueError(
        f"{path}: " + (f"field {exc} is missing" if isinstance(exc, KeyError) else one_line(exc))
    )


def one_line(exc):
    return " ".join(str(exc).split())


def require_safetensors():
    """The safetensors package, or an ImportError saying how to install it."""
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "saving and loading need the safetensors package: "
            "pip install safetensors (the [io] extra)"
        ) from None
    return safetensors
