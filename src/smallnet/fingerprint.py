"""Fingerprints of a matrix's rows: 64-bit hashes of a sample of them, kept with a model so that
another matrix can later be checked for the rows it was trained on.

A row's hash depends on its values only (read as float64; -0.0 is 0.0, every NaN alike), so a
row hashes the same wherever it comes from; two different rows share a hash with a chance of
about 2**-64.
"""

import numpy as np

SAMPLE = 2048  # rows a fingerprint keeps at most: 16 bytes of metadata each, as hex
_SEED = np.uint64(0x9E3779B97F4A7C15)  # the golden ratio's 64 bits: a row of no columns


def _mix(z):
    """splitmix64's finalizer on a uint64 array (wrapping): every bit of z moves every bit."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def row_hashes(X):
    """The 64-bit hash of each row of `X`.

    Each value's float64 bytes, read as a uint64 and mixed, times its column's fixed odd
    multiplier, summed with wrapping, then mixed again: vectorized over the whole matrix.

    Parameters
    ----------
    X : array-like of numbers of shape (n_rows, n_columns)

    Returns
    -------
    ndarray of uint64, shape (n_rows,)
    """
    X = np.array(X, dtype=np.float64)  # a copy: the canonical zeros and NaN go into it
    if X.ndim != 2:
        raise ValueError(f"row_hashes takes a matrix (n_rows, n_columns), got shape {X.shape}")
    X += 0.0  # -0.0 becomes 0.0: equal values, equal hashes
    X[np.isnan(X)] = np.nan  # one NaN's bits for all
    multipliers = _mix(np.arange(1, X.shape[1] + 1, dtype=np.uint64)) | np.uint64(1)
    words = _mix(X.view(np.uint64)) * multipliers
    return _mix(words.sum(axis=1, dtype=np.uint64) + _SEED)


def sample_rows(n_rows, rng, size=SAMPLE):
    """Sorted indices of up to `size` of `n_rows` rows, drawn without replacement from `rng`
    (a numpy Generator or RandomState): the rows a fingerprint keeps the hashes of."""
    return np.sort(rng.permutation(n_rows)[:size])


def record(hashes, n_rows):
    """`hashes` (uint64, shape (n_sampled,)) of a sample of `n_rows` rows as JSON: {"rows":
    n_rows, "sampled": n_sampled, "hashes": 16 hex digits per hash, in one string}."""
    text = "".join(f"{int(h):016x}" for h in hashes)
    return {"rows": int(n_rows), "sampled": len(hashes), "hashes": text}


def read_record(value):
    """(hashes, n_rows) of a `record`; a ValueError saying what is wrong with anything else."""
    if not (
        isinstance(value, dict)
        and isinstance(value.get("rows"), int)
        and isinstance(value.get("sampled"), int)
        and isinstance(value.get("hashes"), str)
        and len(value["hashes"]) == 16 * value["sampled"]
        and 0 <= value["sampled"] <= value["rows"]
    ):
        raise ValueError(
            'a row fingerprint is {"rows": N, "sampled": M, "hashes": 16 hex digits for each of '
            "the M}"
        )
    text = value["hashes"]
    try:
        hashes = np.array([int(text[i : i + 16], 16) for i in range(0, len(text), 16)], np.uint64)
    except ValueError:
        raise ValueError("a row fingerprint's hashes are hex digits") from None
    return hashes, value["rows"]


def count_present(hashes, X):
    """How many of `hashes` (a sample's, duplicates counted) are the hash of some row of `X`."""
    return int(np.isin(hashes, row_hashes(X)).sum())
