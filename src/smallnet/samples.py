"""Rows of training data: sample weights, the validation split, and batches.

One implementation for `Network.fit`, the command line and the scikit-learn
estimators (as scikit-learn's `gen_batches` serves all of its estimators).
"""

import numpy as np

from .validation import check_array


def check_sample_weight(sample_weight, n, dtype=None):
    """`sample_weight` as a checked (n,) array in `dtype`; weights too large to sum are scaled down.

    Only their ratios matter, so a largest weight of 1 keeps a sum that would overflow finite.
    """
    # Checked in their own dtype first: a finite float64 weight too large for float32 is fine
    # once scaled.
    weights = check_array(sample_weight, "sample_weight", ndim=1)
    if len(weights) != n:
        raise ValueError(f"sample_weight has {len(weights)} entries, but X has {n} rows")
    if weights.min() < 0:
        raise ValueError(f"sample_weight must be non-negative, got {weights.min():g}")
    if not weights.any():
        raise ValueError("sample_weight is zero everywhere: no sample would count")
    with np.errstate(over="ignore"):
        total = np.sum(weights, dtype=dtype)
    if not np.isfinite(total):
        # a mean of inf would rescale every weight to 0, and nothing would be trained
        weights = weights / weights.max()
    return weights.astype(dtype, copy=False)


def held_out_count(n, fraction, minimum=0):
    """``round(fraction * n)``, but at least `minimum`: the rows a validation split holds out of
    `n` (`validation_size` checks that both parts keep some)."""
    return max(minimum, int(round(fraction * n)))


def validation_size(n, fraction, name="validation_split", minimum=0):
    """How many of `n` rows `fraction` holds out: ``round(fraction * n)``, but at least `minimum`.

    `name` is the caller's own word for the fraction (an argument, or a ``--`` option), used
    in the error raised unless both parts keep a row.
    """
    n_val = held_out_count(n, fraction, minimum)
    if not 1 <= n_val < n:
        given = f"{name} {fraction:g}" if name.startswith("--") else f"{name}={fraction}"
        raise ValueError(
            f"{given} of {n} rows leaves {n_val} for validation and "
            f"{n - n_val} for training; both need at least one"
        )
    return n_val


def validation_rows(y, fraction, rng, stratify=False, name="validation_split", minimum=0):
    """Sorted indices of the rows to hold out for validation, after a shuffle from `rng`.

    With `stratify`, each class (each distinct row of ``y > 0.5``) keeps its share.

    Parameters
    ----------
    y : array, shape (n_samples, n_outputs)
    fraction : float in (0, 1)
    rng : numpy Generator or RandomState
    stratify : bool
    name : str
        The fraction's name in errors (see `validation_size`).
    minimum : int
        Fewest rows to hold out (scikit-learn's MLP holds out at least 2).

    Returns
    -------
    ndarray of int, shape (n_val,)
    """
    n = len(y)
    n_val = validation_size(n, fraction, name, minimum)
    order = rng.permutation(n)
    if stratify:  # interleave the classes before cutting
        _, labels = np.unique(y[order] > 0.5, axis=0, return_inverse=True)
        labels = labels.ravel()
        counts = np.bincount(labels)
        rank = np.empty(n)
        for k in range(len(counts)):
            rank[labels == k] = (np.arange(counts[k]) + 0.5) / counts[k]
        order = order[np.argsort(rank, kind="stable")]
    return np.sort(order[:n_val])


def split(X, y, weights, rows):
    """(X, y, weights) without `rows`, and the held-out (X, y, weights) for validation.

    `weights` may be None. Weights that are zero on every row of one part are refused.
    """
    held_out = np.zeros(len(X), dtype=bool)
    held_out[rows] = True
    train = ~held_out
    validation = (X[held_out], y[held_out], None if weights is None else weights[held_out])
    if weights is not None:
        for part, w in (("training", weights[train]), ("validation", validation[2])):
            if not w.any():  # nothing would be learned, or nothing measured
                raise ValueError(
                    f"sample_weight is zero for every {part} row of this validation_split; "
                    f"give those rows weight, or pass validation_data"
                )
    return X[train], y[train], None if weights is None else weights[train], validation


def gen_batches(n, batch_size):
    """Slices of ``range(n)`` in steps of `batch_size`; the last may be shorter."""
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


class Batches:
    """The batches of one epoch over (X, y, weights), in order or shuffled.

    Shuffled, the order is drawn once per epoch from `rng` and each batch's rows are
    gathered into one reused contiguous buffer. Each batch's weights are rescaled to mean 1
    (a batch of zero weights adds nothing), and `share` is what its loss counts for in
    the epoch's average: its total weight, or its row count without weights.
    """

    def __init__(self, X, y, weights, batch_size, order=None):
        self.X, self.y, self.weights, self.batch_size, self.order = X, y, weights, batch_size, order
        if order is not None:
            self._X = np.empty((batch_size, X.shape[1]), X.dtype)
            self._y = np.empty((batch_size, y.shape[1]), y.dtype)

    def __iter__(self):
        """(positions, X batch, y batch, weights or None, share) for each batch in turn; positions
        is the slice of the epoch's order that the batch takes."""
        X, y, weights, order = self.X, self.y, self.weights, self.order
        for part in gen_batches(len(X), self.batch_size):
            rows = part
            if order is None:
                xb, yb = X[part], y[part]
            else:
                rows = order[part]
                size = len(rows)
                # mode="clip": the rows are valid by construction, and the default "raise" would
                # gather into a temporary first and then copy it into the buffer
                xb = np.take(X, rows, axis=0, out=self._X[:size], mode="clip")
                yb = np.take(y, rows, axis=0, out=self._y[:size], mode="clip")
            w, share = None, len(xb)
            if weights is not None:
                w = weights[rows]
                share = w.sum()
                w = w / (share / len(w)) if share else w
            yield part, xb, yb, w, share

    def seen(self):
        """y and the weights (or None) in the order the epoch saw them."""
        if self.order is None:
            return self.y, self.weights
        return self.y[self.order], None if self.weights is None else self.weights[self.order]
