"""plane(): TensorFlow Playground's 2-D data sets, drawn from their own generator."""

import numpy as np
import pytest

from smallnet.datasets import PLANE_REGRESSION, PLANES, plane

CLASSIFICATION = [name for name in PLANES if name not in PLANE_REGRESSION]


def test_the_names():
    assert PLANES == ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss")
    assert PLANE_REGRESSION == ("reg-plane", "reg-gauss")


@pytest.mark.parametrize("name", PLANES)
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_shapes_dtypes_and_ranges(name, noise):
    X, y = plane(name, n_samples=301, noise=noise)
    assert X.shape == (301, 2) and X.dtype == np.float64 and y.shape == (301,)
    assert np.isfinite(X).all() and np.abs(X).max() <= (12 if name == "gauss" else 6.5)
    if name in PLANE_REGRESSION:
        assert y.dtype == np.float64 and -1 <= y.min() and y.max() <= 1 and y.std() > 0.1
    else:
        assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize("name", PLANES)
def test_the_seed_decides_every_draw(name):
    X, y = plane(name, seed=3)
    again, y_again = plane(name, seed=3)
    np.testing.assert_array_equal(X, again)
    np.testing.assert_array_equal(y, y_again)
    other, _ = plane(name, seed=4)
    assert not np.array_equal(X, other)
    X_default, _ = plane(name)
    np.testing.assert_array_equal(X_default, plane(name, seed=0)[0])
    generator = np.random.default_rng(3)
    np.testing.assert_array_equal(plane(name, seed=generator)[0], X)


def test_the_global_random_state_is_untouched():
    before = np.random.get_state()
    for name in PLANES:
        plane(name, n_samples=50, noise=0.3)
    plane("spiral", classes=5)
    after = np.random.get_state()
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


@pytest.mark.parametrize("name", ["gauss", "spiral"])
@pytest.mark.parametrize("classes", range(2, 9))
def test_gauss_and_spiral_take_up_to_eight_classes_split_evenly(name, classes):
    X, y = plane(name, n_samples=101, classes=classes, noise=0.1)
    counts = np.bincount(y)
    assert X.shape == (101, 2) and len(counts) == classes
    assert counts.max() - counts.min() <= 1 and counts[0] == counts.max()  # remainder first
    # Shuffled: the classes are mixed through the rows, not one block after the other.
    assert len(np.unique(y[: 101 // 2])) == classes


def test_two_class_layouts_are_the_playground_s():
    X, y = plane("gauss", n_samples=400)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.25)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.25)
    assert abs(X[y == 1].var(axis=0).mean() - 0.5) < 0.15  # variance 0.5 at noise 0
    wide, labels = plane("gauss", n_samples=2000, noise=0.5)
    assert abs(wide[labels == 1].var(axis=0).mean() - 4) < 0.5
    X, y = plane("spiral", n_samples=200)
    start = X[np.hypot(*X.T) == 0]  # each arm's first point is the origin
    assert len(start) == 2
    X, y = plane("xor", n_samples=400)
    assert np.abs(X).min() >= 0.3  # the padding along both axes
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))


def test_noise_free_circle_labels_go_by_the_radius():
    X, y = plane("circle", n_samples=400)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(np.int64))
    assert r[y == 1].max() < 2.5 and r[y == 0].min() >= 3.5 and r.max() <= 5
    assert np.bincount(y).tolist() == [200, 200]
    noisy_X, noisy_y = plane("circle", n_samples=400, noise=0.5)
    assert (noisy_y != (np.hypot(*noisy_X.T) < 2.5)).any()  # labels of the moved points


def test_regression_values():
    X, y = plane("reg-plane", n_samples=200)
    np.testing.assert_allclose(y, np.clip(X.sum(axis=1) / 10, -1, 1))
    X, y = plane("reg-gauss", n_samples=2000)
    near = np.hypot(X[:, 0] - 4, X[:, 1] - 2.5) < 0.2
    assert (y[near] > 0.85).all()
    near = np.hypot(X[:, 0], X[:, 1] - 2.5) < 0.2
    assert (y[near] < -0.85).all()
    far = np.hypot(X[:, 0] + 4, X[:, 1]) < 0.3  # between two bumps of opposite signs
    assert far.any() and (y[far] == 0).all()
    assert not np.signbit(y[y == 0]).any()  # 0.0, not -0.0, where no bump reaches


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"name": "moons"},
            ValueError,
            "unknown plane data set 'moons'; valid names are: circle, xor, gauss, spiral, "
            "reg-plane, reg-gauss",
        ),
        ({"name": None}, ValueError, "unknown plane data set None"),
        ({"name": "xor", "classes": 3}, ValueError, "'xor' has two classes: it takes classes=2"),
        ({"name": "circle", "classes": 4}, ValueError, "classes 3 to 8 are for 'gauss'"),
        ({"name": "reg-gauss", "classes": 3}, ValueError, "'reg-gauss' is a regression data set"),
        ({"name": "gauss", "classes": 9}, ValueError, "classes must be <= 8, got 9"),
        ({"name": "gauss", "classes": 1}, ValueError, "classes must be >= 2, got 1"),
        ({"name": "gauss", "classes": 2.0}, TypeError, "classes must be an integer"),
        ({"name": "spiral", "n_samples": 4, "classes": 5}, ValueError, "n_samples must be >= 5"),
        ({"name": "xor", "n_samples": 1}, ValueError, "n_samples must be >= 2"),
        ({"name": "xor", "n_samples": 10.5}, TypeError, "n_samples must be an integer"),
        ({"name": "xor", "noise": 0.6}, ValueError, "noise must be <= 0.5, got 0.6"),
        ({"name": "xor", "noise": -0.1}, ValueError, "noise must be >= 0"),
        ({"name": "xor", "noise": "10%"}, TypeError, "noise must be a number"),
    ],
)
def test_refusals(kwargs, error, match):
    with pytest.raises(error, match=match):
        plane(**kwargs)
