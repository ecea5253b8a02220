"""Embedding: category codes looked up in one trained table, forward beside backward."""

import numpy as np
import pytest

import smallnet as sn


def _codes(n=40, k=3, n_categories=6, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    C = rng.randint(n_categories, size=(n, k)).astype(dtype)
    y = np.eye(2)[((C[:, 0] + C[:, 1]) % 2).astype(int)].astype(dtype)
    return C, y


def _net(seed=0, dtype=None, optimizer=None, **kw):
    return sn.Network(
        [sn.Embedding(6, 4), sn.Dense(5, activation="tanh"), sn.Dense(2, activation="softmax")],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.02) if optimizer is None else optimizer,
        seed=seed,
        dtype=dtype,
        **kw,
    )


def test_each_column_s_code_is_looked_up_in_one_table_side_by_side():
    C, _ = _codes()
    net = _net().build(3)
    table = net.layers[0].embeddings
    expected = np.concatenate([table[C[:, j].astype(int)] for j in range(3)], axis=1)
    for training in (False, True):
        np.testing.assert_array_equal(net.layers[0].forward(C, training), expected)
    assert net.layers[0].output_dim(3) == 12 and net.layers[1].weights.shape == (12, 5)


def test_the_table_is_drawn_small_from_the_network_s_generator():
    a, b, c = _net(seed=1).build(3), _net(seed=1).build(3), _net(seed=2).build(3)
    table = a.layers[0].embeddings
    assert table.shape == (6, 4) and np.abs(table).max() <= 0.05
    np.testing.assert_array_equal(table, b.layers[0].embeddings)
    assert not np.array_equal(table, c.layers[0].embeddings)


def test_backward_scatter_adds_the_error_of_every_look_up():
    C = np.array([[0.0, 2.0], [2.0, 2.0], [1.0, 0.0]])
    layer = sn.Network([sn.Embedding(4, 3), sn.Dense(1)], seed=0).build(2).layers[0]
    layer.forward(C, training=True)
    error = np.arange(18.0).reshape(3, 6)
    assert layer.backward(error, error_below=False) is None
    expected = np.zeros((4, 3))
    for i in range(3):
        for j in range(2):
            expected[int(C[i, j])] += error[i, 3 * j : 3 * j + 3]
    np.testing.assert_array_equal(layer.steps[0], expected)  # code 3 was never looked up: zeros
    with pytest.raises(ValueError, match="has no error to send down"):
        layer.backward(error)


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradcheck(l2):
    C, _ = _codes(n=8, k=2, n_categories=4, seed=3)  # repeated codes: their errors add up
    y = np.random.RandomState(4).normal(size=(8, 2))
    net = sn.Network(
        [sn.Embedding(4, 3), sn.Dense(3, activation="tanh"), sn.Dense(2)], loss="mse", l2=l2, seed=5
    )
    assert sn.gradcheck(net, C, y) < 1e-6


def test_weight_decay_leaves_the_table_alone():
    C, y = _codes()
    plain, decayed = _net(optimizer="sgd"), _net(optimizer="sgd", l2=0.5)
    for net in (plain, decayed):
        net.build(3)
        net.train_step(C, y)
    np.testing.assert_array_equal(plain.layers[0].steps[0], decayed.layers[0].steps[0])
    assert not np.array_equal(plain.layers[1].steps[0], decayed.layers[1].steps[0])


@pytest.mark.parametrize(
    "value,message",
    [
        (2.5, r"column 1 of X holds 2.5 \(row 3\), not a category code"),
        (-1.0, r"column 1 of X holds -1.0 \(row 3\)"),
        (6.0, r"column 1 of X holds 6.0 \(row 3\).*whole numbers from 0 to 5"),
    ],
)
def test_codes_must_be_whole_numbers_in_range_and_are_checked_before_training(value, message):
    C, y = _codes()
    C[3, 1] = value
    net = _net()
    with pytest.raises(ValueError, match=message):
        net.fit(C, y, epochs=1)
    assert not net.built  # refused at the door, before any weight was drawn
    net.fit(C[:3], y[:3], epochs=1)
    with pytest.raises(ValueError, match=message.replace("row 3", "row 0")):
        net.predict(C[3:4])
    with pytest.raises(ValueError, match=r"column 0 of X holds \d\.5 \(row 0\)"):
        net.layers[0].forward(C[:2] + 0.5)


def test_an_embedding_can_only_be_the_first_layer():
    with pytest.raises(
        ValueError, match="an Embedding can only be a network's first layer.*layer 1"
    ):
        sn.Network([sn.Dense(3), sn.Embedding(4, 2)])
    net = sn.Network([sn.Embedding(4, 2)])
    with pytest.raises(ValueError, match="can only be a network's first layer.*not layer 1"):
        net.add(sn.Embedding(4, 2))
    assert len(net.layers) == 1
    embedding = sn.Embedding(4, 2)
    sn.Network([embedding, sn.Dense(1)])  # first: accepted, and can go on to another network
    sn.Network([sn.Embedding(4, 2), sn.Dense(1)])


def test_arguments_are_checked_with_their_names():
    with pytest.raises(ValueError, match="n_categories must be >= 1, got 0"):
        sn.Embedding(0, 2)
    with pytest.raises(TypeError, match="dim must be an integer, got 2.5"):
        sn.Embedding(3, 2.5)
    with pytest.raises(ValueError, match="expects 2 columns of codes, but X has 3"):
        sn.Network([sn.Embedding(3, 2, input_dim=2), sn.Dense(1)]).build(3)
    with pytest.raises(ValueError, match="beyond 2\\*\\*24.*use dtype='float64'"):
        sn.Network([sn.Embedding(2**24 + 1, 1), sn.Dense(1)], dtype="float32").build(1)


def test_float32_end_to_end():
    C, y = _codes(dtype=np.float32)
    net = _net()
    history = net.fit(C, y, epochs=3, batch_size=8, validation_split=0.25)
    assert net.layers[0].embeddings.dtype == np.float32
    assert all(s.dtype == np.float32 for layer in net.layers for s in layer.steps)
    assert history.last_output.dtype == np.float32 and net.predict(C).dtype == np.float32


def test_summary_shows_the_table_s_size():
    lines = []
    _net().build(3).summary(print_fn=lines.append)
    assert "embedding_0 (Embedding)  (None, 12)" in lines[0]
    assert "Total params: 101" in lines[0]  # 6 * 4 + (12 * 5 + 5) + (5 * 2 + 2)


def test_save_and_load_predict_bit_exactly(tmp_path):
    pytest.importorskip("safetensors")
    C, y = _codes(dtype=np.float32)
    net = _net()
    net.fit(C, y, epochs=3, batch_size=8)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.predict(C), net.predict(C))
    assert loaded.layers[0].config() == net.layers[0].config()


def test_resume_equals_one_run(tmp_path):
    pytest.importorskip("safetensors")
    C, y = _codes(dtype=np.float32)
    args = {"batch_size": 8, "validation_split": 0.25}
    straight = _net()
    straight.fit(C, y, epochs=5, **args)
    _net().fit(C, y, epochs=2, checkpoint=tmp_path / "c.ckpt", **args)
    resumed = _net()
    history = resumed.fit(C, y, epochs=5, resume=tmp_path / "c.ckpt", **args)
    for a, b in zip(straight.params, resumed.params):
        np.testing.assert_array_equal(a, b)
    assert history.history == straight.history.history


def test_onnx_export_gathers_the_integer_codes(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    C, y = _codes(dtype=np.float32)
    net = _net()
    net.fit(C, y, epochs=3, batch_size=8)
    assert 0 <= net.to_onnx(tmp_path / "m.onnx") <= 1e-5
    ops = [node.op_type for node in onnx.load(str(tmp_path / "m.onnx")).graph.node]
    assert ops[:3] == ["Cast", "Gather", "Reshape"]
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"X": C})[0]
    np.testing.assert_allclose(got, net.predict(C), atol=1e-6)


def test_trace_shows_the_lookup_and_the_table_update_and_ends_where_fit_would():
    C, y = _codes()
    traced, fitted = _net(optimizer=sn.SGD(0.5)), _net(optimizer=sn.SGD(0.5))
    record = traced.trace(C, y, step=2, print_fn=None)
    fitted.fit(C, y, epochs=3)
    for p, q in zip(traced.params, fitted.params):
        np.testing.assert_array_equal(p, q)
    codes = record["l0"].astype(int)
    looked_up = record["emb0"][codes].reshape(len(C), -1)
    np.testing.assert_array_equal(record["l1"], looked_up)
    expected = np.zeros_like(record["emb0"])
    np.add.at(expected, codes, record["l1_error"].reshape(len(C), 3, 4))
    np.testing.assert_allclose(record["emb0_update"], expected, rtol=1e-12, atol=1e-15)
    assert "l1 = emb0[l0], the rows of l0's codes side by side" in record.text
    assert "emb0_update = l1_error added into the rows of emb0" in record.text


def test_trace_refuses_a_layer_it_does_not_know():
    C, y = _codes()
    net = sn.Network([sn.Embedding(6, 4), sn.Dropout(0.1), sn.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="Dense layers only; 'dropout_1' is a Dropout"):
        net.trace(C, y, print_fn=None)
