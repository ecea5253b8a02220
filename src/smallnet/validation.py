"""Checks at the door: every array and argument a user hands smallnet passes here once.

Errors name the problem and give the expected and the actual value, so that a
wrong call is fixed from the message alone.
"""
import json
import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def check_array(a, name="X", dtype=None, ndim=2):
    """Return `a` as a finite float array with `ndim` dimensions.

    Parameters
    ----------
    a : array-like
        Numbers; int and bool are converted to float.
    name : str
        How the error messages call the array ("X", "y", ...).
    dtype : {None, 'float32', 'float64'}
        Target dtype; None keeps float32/float64 and converts the rest to float64.
    ndim : int or tuple of int
        Accepted numbers of dimensions.

    Raises
    ------
    TypeError
        For non-numeric, object or complex data.
    ValueError
        For empty arrays, a wrong number of dimensions, NaN or inf (the first located
        by row and column in a 2-D array, by index in a 1-D one).
    """
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} could not be read as an array: {exc}") from None
    kind = arr.dtype.kind
    if kind not in "biuf":
        what = {"O": "object", "U": "string", "S": "bytes", "c": "complex"}.get(kind, str(arr.dtype))
        raise TypeError(f"{name} must hold real numbers, got {what} dtype ({arr.dtype})")
    ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        single_feature = arr.ndim == 1 and 2 in ndims and name == "X"
        hint = " (reshape a single feature with X.reshape(-1, 1))" if single_feature else ""
        raise ValueError(f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}{hint}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one sample and one feature are needed")
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.float64
    arr = np.asarray(arr, dtype=dtype)
    # One summing pass finds any NaN or inf (they propagate); only then, or when finite values
    # overflow the sum, is each entry looked at, to name the first bad one.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None)
    if not np.isfinite(total) and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        where = f"row {bad[0]}, column {bad[1]}" if arr.ndim == 2 else f"index {bad[0] if arr.ndim == 1 else bad}"
        raise ValueError(f"{name} contains NaN or inf (first at {where}: {arr[bad]})")
    return arr


def check_X_y(X, y, dtype=None):
    """Validate a training pair: X 2-D, y 1-D or 2-D (1-D becomes one column), same rows."""
    X = check_array(X, "X", dtype=dtype)
    y = check_array(y, "y", dtype=X.dtype, ndim=(1, 2))
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if len(X) != len(y):
        raise ValueError(f"X and y have different numbers of rows: X has {len(X)}, y has {len(y)}")
    return X, y


def check_number(name, value, low=0, integer=False, low_inclusive=False, high=None, high_inclusive=True):
    """Return `value` if it is a real (or int) number inside the bounds, else raise."""
    want = int if integer else float
    if isinstance(value, bool) or not isinstance(value, numbers.Integral if integer else numbers.Real):
        raise TypeError(f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value!r}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        raise ValueError(f"{name} must be {'<=' if high_inclusive else '<'} {high}, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return want(value)


def check_bool(name, value):
    """Return `value` as a bool if it is one (Python's or NumPy's), else raise.

    Strings, numbers and None are refused: ``shuffle="no"`` would otherwise count as True.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def jsonable(value):
    """json.dumps fallback for NumPy scalars and arrays (labels, feature names, ...)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"only JSON values can be saved, got {type(value).__name__} {value!r}")


def check_metadata(metadata):
    """Return `metadata` if it is a dict of str keys to JSON-able values (NumPy ones included), else raise.

    Checked key by key, so that the error names the key whose value JSON can't hold.
    """
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict of JSON-able values (str keys), got {type(metadata).__name__} "
                        f"{metadata!r:.80}")
    for key, value in metadata.items():
        if not isinstance(key, str):  # JSON would turn 1 into "1": a different dict after loading
            raise TypeError(f"metadata keys must be strings, got {type(key).__name__} {key!r}")
        try:
            json.dumps(value, default=jsonable)
        except (TypeError, ValueError) as exc:  # ValueError: a value that contains itself
            raise TypeError(f"metadata[{key!r}] is not JSON-able: {exc}") from None
    return metadata


def lookup(kind, value, table, base):
    """Resolve `value` against `table`: a name, a config dict ``{"name": ..., **arguments}``,
    or an instance of `base` (passed through). Unknown names list the valid ones."""
    if isinstance(value, base):
        return value
    config = dict(value) if isinstance(value, dict) else {"name": value}
    name = config.pop("name", None)
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a name ({', '.join(sorted(table))}) or a {base.__name__}, got {value!r}")
    if name.lower() not in table:
        raise ValueError(f"unknown {kind} {name!r}; valid names are: {', '.join(sorted(table))}")
    return table[name.lower()](**config)


def check_dtype(dtype):
    """None, or one of float32/float64 as a NumPy dtype."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return dt


def make_rng(seed):
    """An explicit generator from a seed; no global random state is read or written.

    An int seeds a `numpy.random.RandomState`, whose stream equals that of
    ``np.random.seed(seed); np.random.random(...)`` (how the tutorial draws its
    weights). A RandomState or Generator is used as given; None seeds from the OS.
    """
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    if seed is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and 0 <= seed < 2**32:
        return np.random.RandomState(int(seed))
    raise ValueError(f"seed must be None, an integer in [0, 2**32) or a numpy generator, got {seed!r}")
