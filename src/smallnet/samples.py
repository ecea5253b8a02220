"""Rows of training data: sample weights, class weights, the validation split, and batches.

One implementation for `Network.fit`, the command line and the scikit-learn
estimators (as scikit-learn's `gen_batches` serves all of its estimators).
"""

import numbers

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


def class_labels(y, loss):
    """Each row's class index, for targets with one class per row.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        Class indices (n, 1) for a sparse loss; else one column of 0/1 (classes 0 and 1: a
        single sigmoid output), or one-hot rows (class: the column of the 1).
    loss : Loss

    Returns
    -------
    ndarray of int, shape (n_samples,)

    Raises
    ------
    ValueError
        For multi-label targets (binary_crossentropy over several outputs), and for rows that
        are not one class (naming the first).
    """
    if loss.sparse:
        return y[:, 0].astype(np.intp)
    if y.shape[1] == 1:
        bad = np.flatnonzero((y[:, 0] != 0) & (y[:, 0] != 1))
        if bad.size:
            raise ValueError(
                f"class_weight needs class targets, 0 or 1 in a single column, but row {bad[0]} "
                f"of y is {y[bad[0], 0]:g}"
            )
        return y[:, 0].astype(np.intp)
    if loss.name == "binary_crossentropy":
        raise ValueError(
            f"class_weight needs one class per row, but binary_crossentropy over {y.shape[1]} "
            f"outputs is multi-label (each output its own yes/no); weight rows with sample_weight"
        )
    one_hot = ((y == 0) | (y == 1)).all(axis=1) & (y.sum(axis=1) == 1)
    bad = np.flatnonzero(~one_hot)
    if bad.size:
        raise ValueError(
            f"class_weight needs one-hot rows of y (one class per row), but row {bad[0]} is "
            f"{np.array2string(y[bad[0]], separator=', ', threshold=8)}"
        )
    return y.argmax(axis=1)


def class_sample_weight(y, class_weight, loss, sample_weight=None, n_classes=None, dtype=None):
    """Each row's weight from `class_weight`, times its `sample_weight`: what `fit` trains with.

    As scikit-learn: "balanced" gives class c the weight ``n_samples / (n_classes * count_c)``
    (`sklearn.utils.class_weight.compute_class_weight`, over the classes present in y, counts
    not weighted by sample_weight); a dict maps class index -> weight, and classes it leaves
    out weigh 1.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        Checked targets, with one class per row (see `class_labels`).
    class_weight : None, "balanced" or dict of int to float
        Keys: the class index (a one-hot column, or a sparse loss's label), or 0 and 1 for one
        column of 0/1 targets. Weights non-negative and finite.
    loss : Loss
        How y holds its classes.
    sample_weight : ndarray of shape (n_samples,), optional
        Checked (`check_sample_weight`).
    n_classes : int, optional
        For a sparse loss, how many classes there are (the network's outputs; by default the
        largest label + 1). Otherwise y tells: its columns, or 2 for one column of 0/1. Dict
        keys must be below it.
    dtype : dtype, optional
        Of the weights returned.

    Returns
    -------
    ndarray, shape (n_samples,), or `sample_weight` itself when `class_weight` is None
    """
    if class_weight is None:
        return sample_weight
    labels = class_labels(y, loss)
    if not loss.sparse:
        n_classes = max(y.shape[1], 2)
    elif n_classes is None:
        n_classes = int(labels.max()) + 1
    per_class = _class_weights(class_weight, labels, n_classes)
    weights = per_class[labels]
    if sample_weight is not None:
        weights = weights * sample_weight
    if not weights.any():
        raise ValueError(
            "class_weight (times sample_weight) is zero for every row: no sample would count"
        )
    return check_sample_weight(weights, len(y), dtype)


def _class_weights(class_weight, labels, n_classes):
    """The weight of each class 0..n_classes-1 (float64, shape (n_classes,))."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f'class_weight must be "balanced" or a dict, got {class_weight!r}')
        counts = np.bincount(labels, minlength=n_classes)
        present = counts > 0
        weights = np.ones(n_classes)
        weights[present] = len(labels) / (present.sum() * counts[present])
        return weights
    if not isinstance(class_weight, dict):
        raise TypeError(
            f'class_weight must be None, "balanced" or a dict of class index to weight, '
            f"got {class_weight!r}"
        )
    weights = np.ones(n_classes)
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise TypeError(f"class_weight's keys must be class indices (int), got {key!r}")
        if not 0 <= key < n_classes:
            raise ValueError(
                f"class_weight has the key {key!r}, but the classes are 0..{n_classes - 1}"
            )
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise TypeError(f"class_weight[{key!r}] must be a number, got {weight!r}")
        if not (np.isfinite(weight) and weight >= 0):
            raise ValueError(f"class_weight[{key!r}] must be a finite number >= 0, got {weight!r}")
        weights[int(key)] = weight
    return weights


def class_weight_config(class_weight):
    """`class_weight` as JSON that compares equal after a file round trip (checkpoints record
    it): None, "balanced", or the dict as sorted [index, weight] pairs (JSON keys are strings)."""
    if isinstance(class_weight, dict):
        return sorted([int(key), float(weight)] for key, weight in class_weight.items())
    return class_weight


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

    With `stratify`, each class (each distinct row of ``y > 0.5``; for one column of class
    indices, as a sparse loss takes, each index) keeps its share.

    Parameters
    ----------
    y : array of shape (n_samples, n_outputs)
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
        # class indices past 1 are no 0/1 targets (those are never above 1)
        classes = y[order] if y.shape[1] == 1 and np.any(y > 1) else y[order] > 0.5
        _, labels = np.unique(classes, axis=0, return_inverse=True)
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
