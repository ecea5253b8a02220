"""Checks at the door: every array and argument a user hands smallnet passes here once.

Errors name the problem and give the expected and the actual value, so that a
wrong call is fixed from the message alone.
"""

import json
import numbers
import sys

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def check_array(a, name="X", dtype=None, ndim=2):
    """Return `a` as a finite float array with `ndim` dimensions.

    Parameters
    ----------
    a : array-like
        Numbers; int and bool are converted to float, and so is an object array of
        numbers, such as a pandas DataFrame whose columns mix float, bool and
        nullable (``Int64``, ``Float64``, ``boolean``) dtypes without missing values.
    name : str
        How the error messages call the array ("X", "y", ...).
    dtype : {None, 'float32', 'float64'}
        Target dtype; None keeps float32/float64 and converts the rest to float64.
    ndim : int or tuple of int
        Accepted numbers of dimensions.

    Raises
    ------
    TypeError
        For non-numeric or complex data; in an object array (a DataFrame of mixed
        dtypes), the first element that is no real number, such as text, is located.
    ValueError
        For empty arrays, a wrong number of dimensions, missing values (None, ``pd.NA``),
        NaN or inf, or values too large for `dtype`. The first bad value is located by
        row and column in a 2-D array (a DataFrame's column by its name), by index in a 1-D one.
    """
    columns = getattr(a, "columns", None)  # a DataFrame's, to name the column of a bad value
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} could not be read as an array: {exc}") from None
    kind = arr.dtype.kind
    if kind not in "biufO":
        what = {"U": "string", "S": "bytes", "c": "complex"}.get(kind, str(arr.dtype))
        raise TypeError(f"{name} must hold real numbers, got {what} dtype ({arr.dtype})")
    ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        single_feature = arr.ndim == 1 and 2 in ndims and name == "X"
        hint = (
            (
                " (one feature of many samples: X.reshape(-1, 1); "
                "one sample of many features: X.reshape(1, -1))"
            )
            if single_feature
            else ""
        )
        raise ValueError(
            f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}{hint}"
        )
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}); at least one sample and one feature are needed"
        )
    if columns is not None and (arr.ndim != 2 or len(columns) != arr.shape[1]):
        columns = None
    if kind == "O":  # e.g. a DataFrame of float and bool columns
        arr = _object_to_float(arr, name, columns)
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.float64
    source = arr
    # A value beyond the range of `dtype` becomes inf in the cast, and NaN or inf propagate
    # through one summing pass: only when the sum is not finite (or finite values overflow
    # it) is each entry looked at, to name the first bad one.
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.asarray(arr, dtype=dtype)
        total = np.add.reduce(arr, axis=None)
    if not np.isfinite(total) and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        where = _where(bad, columns)
        if np.isfinite(source[bad]):  # finite before the cast: too large for `dtype`
            dt = np.dtype(dtype)
            raise ValueError(
                f"{name} has a value too large for {dt.name}, the dtype it is computed in "
                f"(first at {where}: {source[bad]:g}; the largest {dt.name} is "
                f"{np.finfo(dt).max:.4g})"
            )
        raise ValueError(f"{name} contains NaN or inf (first at {where}: {arr[bad]})")
    return arr


def _where(index, columns=None):
    """Where `index` is, in words: "row i, column j" in 2-D, "index i" in 1-D.

    `columns`, if given, supply j's name.
    """
    if len(index) == 2:
        return f"row {index[0]}, column {index[1] if columns is None else repr(columns[index[1]])}"
    return f"index {index[0] if len(index) == 1 else index}"


# Converted by float() or astype, but not numbers: "1.5" would pass as 1.5, None as NaN,
# and a complex number would lose its imaginary part.
_NOT_REAL = (str, bytes, complex, type(None))


def _object_to_float(arr, name, columns):
    """The object array `arr` as float64, or an error locating its first non-real element."""
    # One pass over the elements' types (in C) before astype; the rest only runs on bad data.
    if not any(issubclass(t, _NOT_REAL) for t in set(map(type, arr.flat))):
        try:
            return arr.astype(np.float64)
        except (
            TypeError,
            ValueError,
            OverflowError,
        ):  # pd.NA, a list, a Python int beyond float64, ...
            pass
    pandas = sys.modules.get("pandas")  # pd.NA can only come from pandas, imported by then
    for index in np.ndindex(arr.shape):
        value = arr[index]
        if value is None or (pandas is not None and value is pandas.NA):
            raise ValueError(
                f"{name} has a missing value (first at {_where(index, columns)}: {value}); "
                f"fill or drop the missing values first"
            )
        if not isinstance(value, _NOT_REAL):
            try:
                float(value)
                continue
            except OverflowError:  # a Python int beyond float64
                raise ValueError(
                    f"{name} has a value too large for float64 (first at {_where(index, columns)}: "
                    f"{_shown(value)})"
                ) from None
            except (TypeError, ValueError):
                pass
        hint = "; encode text and categories as numbers first" if isinstance(value, str) else ""
        raise TypeError(
            f"{name} must hold real numbers, got {type(value).__name__} (first at "
            f"{_where(index, columns)}: {_shown(value)}){hint}"
        )
    raise TypeError(
        f"{name} must hold real numbers, got an object array that could not be converted to float"
    )


def _shown(value, width=60):
    """repr(value), cut to `width` characters."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def check_X_y(X, y, dtype=None):
    """Validate a training pair: X 2-D, y 1-D or 2-D (1-D becomes one column), same rows."""
    X = check_array(X, "X", dtype=dtype)
    y = check_array(y, "y", dtype=X.dtype, ndim=(1, 2))
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if len(X) != len(y):
        raise ValueError(f"X and y have different numbers of rows: X has {len(X)}, y has {len(y)}")
    return X, y


def check_number(
    name, value, low=0, integer=False, low_inclusive=False, high=None, high_inclusive=True
):
    """Return `value` if it is a real (or int) number inside the bounds, else raise."""
    want = int if integer else float
    if isinstance(value, bool) or not isinstance(
        value, numbers.Integral if integer else numbers.Real
    ):
        raise TypeError(f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value!r}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        raise ValueError(f"{name} must be {'<=' if high_inclusive else '<'} {high}, got {value!r}")
    if isinstance(
        value, numbers.Integral
    ):  # finite; but NumPy holds no integer past 2**63, no float past 1.8e308
        if abs(int(value)) >= (2**63 if integer else 2**1023):
            raise ValueError(f"{name} is too large, got {value!r}")
        return want(value)
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


def check_choice(name, value, choices):
    """`value` if it is one of `choices` (strings), else a ValueError naming `name` and them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def jsonable(value):
    """json.dumps fallback for NumPy scalars and arrays (labels, feature names, ...)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"only JSON values can be saved, got {type(value).__name__} {value!r}")


def check_metadata(metadata):
    """Return `metadata` if it is a dict of str keys to JSON-able values, else raise.

    NumPy values count as JSON-able. Checked key by key, so that the error names the key whose
    value JSON can't hold.
    """
    if not isinstance(metadata, dict):
        raise TypeError(
            f"metadata must be a dict of JSON-able values (str keys), "
            f"got {type(metadata).__name__} {metadata!r:.80}"
        )
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
        raise TypeError(
            f"{kind} must be a name ({', '.join(sorted(table))}) "
            f"or a {base.__name__}, got {value!r}"
        )
    if name.lower() not in table:
        raise ValueError(f"unknown {kind} {name!r}; valid names are: {', '.join(sorted(table))}")
    return table[name.lower()](**config)


def check_dtype(dtype):
    """None, or one of float32/float64 as a NumPy dtype."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):  # ValueError: a dict or list NumPy reads as a structured dtype
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
    raise ValueError(
        f"seed must be None, an integer in [0, 2**32) or a numpy generator, got {seed!r}"
    )
