"""fit(class_weight=): "balanced" or {class: weight}, times sample_weight, as scikit-learn's."""

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

import smallnet as sn
from smallnet import losses
from smallnet.samples import class_sample_weight

SPARSE = losses.get("sparse_categorical_crossentropy")
CATEGORICAL = losses.get("categorical_crossentropy")
BINARY = losses.get("binary_crossentropy")


def _labels(rng, n=50, k=3):
    return rng.choice(k, size=n, p=np.arange(1, k + 1) / np.arange(1, k + 1).sum())


def _softmax_net(loss="sparse_categorical_crossentropy", k=3, seed=0, **kwargs):
    return sn.Network(
        [sn.Dense(6, activation="tanh"), sn.Dense(k, activation="softmax")],
        loss=loss,
        seed=seed,
        **kwargs,
    )


def _sigmoid_net(seed=0, **kwargs):
    return sn.Network(
        [sn.Dense(1, activation="sigmoid")], loss="binary_crossentropy", seed=seed, **kwargs
    )


@pytest.mark.parametrize("k", [2, 3, 5])
def test_balanced_is_scikit_learns(k, rng):
    labels = _labels(rng, k=k)
    expected = compute_class_weight("balanced", classes=np.unique(labels), y=labels)
    per_row = expected[np.searchsorted(np.unique(labels), labels)]
    got = class_sample_weight(labels[:, None].astype(float), "balanced", SPARSE)
    np.testing.assert_allclose(got, per_row, rtol=1e-15)
    one_hot = np.eye(k)[labels]
    np.testing.assert_allclose(class_sample_weight(one_hot, "balanced", CATEGORICAL), per_row)
    if k == 2:  # one sigmoid output: classes 0 and 1
        np.testing.assert_allclose(
            class_sample_weight(labels[:, None].astype(float), "balanced", BINARY), per_row
        )


def test_balanced_counts_only_the_classes_present(rng):
    labels = np.array([0, 0, 0, 2])  # class 1 of 3 has no rows
    expected = compute_class_weight("balanced", classes=np.array([0, 2]), y=labels)
    got = class_sample_weight(np.eye(3)[labels], "balanced", CATEGORICAL)
    np.testing.assert_allclose(got, expected[[0, 0, 0, 1]])


def test_a_dict_weighs_its_classes_and_the_others_1(rng):
    labels = _labels(rng)
    got = class_sample_weight(labels[:, None].astype(float), {2: 0.5, np.int64(0): 4}, SPARSE)
    np.testing.assert_array_equal(got, np.array([4.0, 1.0, 0.5])[labels])
    assert class_sample_weight(labels[:, None], None, SPARSE) is None


def test_with_sample_weight_the_product(rng):
    labels = _labels(rng)
    sample_weight = rng.uniform(0, 3, size=len(labels))
    balanced = compute_class_weight("balanced", classes=np.arange(3), y=labels)[labels]
    y = np.eye(3)[labels]
    np.testing.assert_allclose(
        class_sample_weight(y, "balanced", CATEGORICAL, sample_weight), balanced * sample_weight
    )
    np.testing.assert_allclose(
        class_sample_weight(y, {1: 3.0}, CATEGORICAL, sample_weight),
        np.array([1.0, 3.0, 1.0])[labels] * sample_weight,
    )
    got = class_sample_weight(y, "balanced", CATEGORICAL, sample_weight.astype(np.float32),
                              dtype=np.float32)  # fmt: skip
    assert got.dtype == np.float32


@pytest.mark.parametrize(
    "class_weight, error, message",
    [
        ({3: 1.0}, ValueError, "has the key 3, but the classes are 0..2"),
        ({-1: 1.0}, ValueError, "has the key -1"),
        ({"a": 1.0}, TypeError, "keys must be class indices .* 'a'"),
        ({True: 1.0}, TypeError, "keys must be class indices .* True"),
        ({1.0: 2.0}, TypeError, "keys must be class indices .* 1.0"),
        ({1: -2.0}, ValueError, r"class_weight\[1\] must be a finite number >= 0, got -2.0"),
        ({2: np.inf}, ValueError, r"class_weight\[2\] must be a finite number >= 0, got inf"),
        ({0: np.nan}, ValueError, r"class_weight\[0\] must be a finite number >= 0, got nan"),
        ({0: "2"}, TypeError, r"class_weight\[0\] must be a number"),
        ("balance", ValueError, 'must be "balanced" or a dict'),
        ([1.0, 2.0, 3.0], TypeError, 'must be None, "balanced" or a dict'),
        ({0: 0, 1: 0, 2: 0}, ValueError, "zero for every row"),
    ],
)
def test_bad_class_weights_are_refused(class_weight, error, message, rng):
    X, labels = rng.normal(size=(30, 2)), _labels(rng, n=30)
    net = _softmax_net()
    with pytest.raises(error, match=message):
        net.fit(X, labels, class_weight=class_weight)
    assert not net.built  # a refused call leaves the network unbuilt


def test_keys_are_checked_against_the_networks_classes(rng):
    X, labels = rng.normal(size=(30, 2)), rng.randint(2, size=30)  # no row of class 2 or 3
    net = _softmax_net(k=4)
    net.fit(X, labels, class_weight={3: 2.0})  # a class of the network without rows: fine
    with pytest.raises(ValueError, match="has the key 4, but the classes are 0..3"):
        net.fit(X, labels, class_weight={4: 2.0})


def test_targets_that_are_not_one_class_per_row_are_refused(rng):
    X = rng.normal(size=(6, 2))
    multi = np.array([[1, 0, 1], [0, 1, 0]] * 3, dtype=float)
    net = sn.Network([sn.Dense(3, activation="sigmoid")], loss="binary_crossentropy")
    with pytest.raises(ValueError, match="multi-label"):
        net.fit(X, multi, class_weight="balanced")
    mse = sn.Network([sn.Dense(3)], loss="mse")
    with pytest.raises(ValueError, match=r"one-hot rows .* row 0 is \[1\., 0\., 1\.\]"):
        mse.fit(X, multi, class_weight="balanced")
    soft = np.full((6, 3), 1 / 3)
    with pytest.raises(ValueError, match="one-hot rows .* row 0"):
        _softmax_net("categorical_crossentropy").fit(X, soft, class_weight={0: 2.0})
    with pytest.raises(ValueError, match="0 or 1 in a single column, but row 1 of y is 0.5"):
        _sigmoid_net().fit(X, [0, 0.5, 1, 1, 0, 1], class_weight="balanced")


def test_fit_trains_as_with_the_product_as_sample_weight(rng):
    X, labels = rng.normal(size=(40, 2)), _labels(rng, n=40)
    sample_weight = rng.uniform(0.5, 2, size=40)
    a = _softmax_net(seed=4, metrics=["acc"])
    ha = a.fit(X, labels, epochs=3, batch_size=8, sample_weight=sample_weight,
               class_weight="balanced", validation_split=0.2)  # fmt: skip
    weights = (
        sample_weight * compute_class_weight("balanced", classes=np.arange(3), y=labels)[labels]
    )
    b = _softmax_net(seed=4, metrics=["acc"])
    hb = b.fit(X, labels, epochs=3, batch_size=8, sample_weight=weights, validation_split=0.2)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)
    assert ha.history == hb.history  # val_ rows keep their class weights too


def test_a_sigmoid_output_weighs_classes_0_and_1(rng):
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0.5).astype(float)
    a, b = _sigmoid_net(seed=2), _sigmoid_net(seed=2)
    a.fit(X, y, epochs=3, class_weight={1: 5.0})
    b.fit(X, y, epochs=3, sample_weight=np.where(y == 1, 5.0, 1.0))
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_resume_refuses_another_class_weight(rng, tmp_path):
    pytest.importorskip("safetensors")
    X, labels = rng.normal(size=(40, 2)), _labels(rng, n=40)
    path = tmp_path / "c.ckpt"
    straight = _softmax_net(seed=1)
    straight.fit(X, labels, epochs=4, batch_size=10, class_weight={0: 3.0, 2: 0.5})
    _softmax_net(seed=1).fit(X, labels, epochs=2, batch_size=10, checkpoint=path,
                             class_weight={0: 3.0, 2: 0.5})  # fmt: skip
    resumed = _softmax_net(seed=1)  # the same dict in another order: the same run
    resumed.fit(X, labels, epochs=4, batch_size=10, resume=path, class_weight={2: 0.5, 0: 3.0})
    for p, q in zip(straight.params, resumed.params):
        np.testing.assert_array_equal(p, q)
    for other, shown in (("balanced", "'balanced'"), (None, "None"), ({0: 2.0}, r"\{0: 2.0\}")):
        with pytest.raises(
            ValueError, match=rf"class_weight=\{{0: 3.0, 2: 0.5\}}, not {shown}; resume with"
        ):
            _softmax_net(seed=1).fit(X, labels, epochs=4, batch_size=10, resume=path,
                                     class_weight=other)  # fmt: skip


def test_the_data_fingerprint_covers_the_class_weights(rng, tmp_path, monkeypatch):
    pytest.importorskip("safetensors")
    from smallnet import checkpoint

    X, labels = rng.normal(size=(20, 2)), _labels(rng, n=20)
    seen = []
    original = checkpoint.BackupAndRestore.restore

    def spy(self, network, history, data, arguments, epochs):
        seen.append(data)
        return original(self, network, history, data, arguments, epochs)

    monkeypatch.setattr(checkpoint.BackupAndRestore, "restore", spy)
    for class_weight in (None, "balanced", {0: 2.0}):
        _softmax_net().fit(X, labels, checkpoint=tmp_path / "c.ckpt", class_weight=class_weight)
    assert len(set(seen)) == 3


def test_balanced_raises_the_minority_recall(rng):
    n_major, n_minor = 270, 30
    X = np.vstack([rng.normal(0, 1, size=(n_major, 2)), rng.normal(1.2, 1, size=(n_minor, 2))])
    y = np.r_[np.zeros(n_major), np.ones(n_minor)]
    recalls = {}
    for class_weight in (None, "balanced"):
        net = _sigmoid_net(seed=0, optimizer=sn.Adam(0.05))
        net.fit(X, y, epochs=150, class_weight=class_weight)
        predicted = net.predict(X)[:, 0] > 0.5
        recalls[class_weight] = predicted[y == 1].mean()
    assert recalls["balanced"] > recalls[None] + 0.3
    assert recalls["balanced"] > 0.6
