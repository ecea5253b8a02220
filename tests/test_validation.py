"""check_array at the door: mixed-dtype tables become float,
and bad values are named where they are."""

import warnings

import numpy as np
import pytest

import smallnet as sn
from smallnet.validation import check_array


def _blobs(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, :1] + X[:, 1:] > 0).astype(float)


def _net(**kw):
    return sn.Network(
        [sn.Dense(4, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        seed=0,
        **kw,
    )


def _raises(exc, match, fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning on the way would be a failure too
        with pytest.raises(exc, match=match):
            fn(*args, **kw)


# -- object arrays: DataFrames of mixed dtypes ----------------------------------------------------


def test_a_dataframe_of_float_bool_and_nullable_columns_trains_as_float():
    pd = pytest.importorskip("pandas")
    X, y = _blobs()
    frame = pd.DataFrame(
        {
            "a": X[:, 0],
            "positive": X[:, 1] > 0,
            "count": pd.array(np.arange(60) % 7, dtype="Int64"),
            "b": pd.array(X[:, 1], dtype="Float64"),
        }
    )
    assert np.asarray(frame).dtype == object  # what check_array is handed
    plain = np.column_stack([X[:, 0], X[:, 1] > 0, np.arange(60) % 7, X[:, 1]]).astype(float)
    np.testing.assert_array_equal(check_array(frame), plain)
    assert check_array(frame, dtype="float32").dtype == np.float32
    net = _net()
    net.fit(frame, y, epochs=2)
    np.testing.assert_array_equal(net.predict(frame), net.predict(plain))


def test_an_object_array_of_numbers_is_float():
    a = np.array([[1, True, 2.5], [np.float32(3), np.int8(4), False]], dtype=object)
    np.testing.assert_array_equal(check_array(a), [[1, 1, 2.5], [3, 4, 0]])
    assert check_array(a).dtype == np.float64


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda pd: ["north", "south"] * 30,
            TypeError,
            r"X must hold real numbers, got str \(first at row 0, column 'region': 'north'\); "
            r"encode text",
        ),
        (
            lambda pd: pd.Categorical(["north", "south"] * 30),
            TypeError,
            r"got str \(first at row 0, column 'region': 'north'\)",
        ),
        (
            lambda pd: pd.array([1, 2, 3, None] + [1] * 56, dtype="Int64"),
            ValueError,
            r"X has a missing value \(first at row 3, column 'region': <NA>\); fill or drop",
        ),
        (
            lambda pd: [1.5, "2.5"] * 30,
            TypeError,  # text that reads as a number is still text
            r"got str \(first at row 1, column 'region': '2.5'\)",
        ),
    ],
)
def test_a_dataframe_column_that_is_no_numbers_is_named(make, exc, match):
    pd = pytest.importorskip("pandas")
    X, y = _blobs()
    frame = pd.DataFrame({"a": X[:, 0], "region": make(pd)})
    _raises(exc, match, _net().fit, frame, y)


def test_an_object_array_locates_the_first_bad_value_by_index():
    a = np.ones((4, 3), dtype=object)
    a[2, 1], a[3, 0] = "x", None
    _raises(
        TypeError,
        r"X must hold real numbers, got str \(first at row 2, column 1: 'x'\)",
        check_array,
        a,
    )
    a[2, 1] = 1j
    _raises(TypeError, r"got complex \(first at row 2, column 1: 1j\)", check_array, a)
    a[2, 1] = 1
    _raises(ValueError, r"X has a missing value \(first at row 3, column 0: None\)", check_array, a)
    y = np.array([0.0, 1.0, [1, 2]], dtype=object)
    _raises(
        TypeError,
        r"y must hold real numbers, got list \(first at index 2: \[1, 2\]\)",
        check_array,
        y,
        "y",
        ndim=1,
    )


def test_nan_in_a_dataframe_is_located_by_column_name():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, np.nan], "flag": [True, False]})
    _raises(
        ValueError, r"X contains NaN or inf \(first at row 1, column 'a': nan\)", check_array, frame
    )


# -- values too large for the dtype ----------------------------------------------------------------


def test_values_too_large_for_float32_are_named_not_called_inf():
    X, y = _blobs()
    net = _net(dtype="float32")
    net.fit(X, y, epochs=1)
    _raises(
        ValueError,
        r"X has a value too large for float32, the dtype it is computed in \(first at row 0, "
        r"column 1: 1e\+300; the largest float32 is 3\.403e\+38\)",
        net.predict,
        np.array([[0.0, 1e300]]),
    )
    _raises(
        ValueError,
        r"sample_weight has a value too large for float32.*first at index 2: 1e\+39",
        check_array,
        np.array([1.0, 1.0, 1e39]),
        "sample_weight",
        dtype="float32",
        ndim=1,
    )
    # inf stays inf, even when cast
    _raises(
        ValueError,
        r"X contains NaN or inf \(first at row 0, column 0: inf\)",
        net.predict,
        np.array([[np.inf, 1e300]]),
    )


def test_a_one_dimensional_X_gets_both_reshapes_as_hints():
    with pytest.raises(
        ValueError,
        match=r"one feature of many samples: X.reshape\(-1, 1\); one sample of many "
        r"features: X.reshape\(1, -1\)",
    ):
        check_array(np.ones(3), "X")
