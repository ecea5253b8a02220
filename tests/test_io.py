"""Saved networks and checkpoints: bit-exact round trips, atomic writes,
clear errors for bad files."""

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import atomic, checkpoint, layers, state


def _write(path, net, **document):
    """Write `net` as `save` would, with the JSON document's fields in `document` replaced."""
    tensors, written = net.to_state()
    state.write(path, tensors, {**written, **document})


pytest.importorskip("safetensors")

ACTIVATIONS = [
    "sigmoid",
    "tanh",
    "relu",
    {"name": "leaky_relu", "alpha": 0.2},
    "softmax",
    "identity",
]


def _data(n=40, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = (rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]).astype(dtype)
    y = np.eye(2)[(X[:, 0] > 0).astype(int)].astype(dtype)
    return X, y


def _net(activation="tanh", seed=0, optimizer="adam", X=None, **kw):
    X = _data()[0] if X is None else X
    return sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(5, activation=activation),
            sn.Dense(2, activation="softmax", use_bias=False),
        ],
        loss="categorical_crossentropy",
        optimizer=optimizer,
        metrics=["accuracy"],
        seed=seed,
        **kw,
    )


def _params(net):
    return [p.copy() for p in net.params]


def _assert_same(a, b):
    assert len(a) == len(b)
    for p, q in zip(a, b):
        assert p.dtype == q.dtype
        np.testing.assert_array_equal(p, q)


# -- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_round_trip_is_bit_exact(tmp_path, activation, dtype):
    X, y = _data(dtype=dtype)
    net = _net(activation)
    net.metadata = {"task": "classification", "classes": np.array(["no", "yes"])}
    net.fit(X, y, epochs=3, batch_size=16)
    path = tmp_path / "model.safetensors"
    net.save(path)
    loaded = sn.load(path)
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()
    assert loaded.config() == net.config()
    assert loaded.dtype == dtype and loaded.layers[0].mean.dtype == dtype
    assert loaded.metadata["classes"] == ["no", "yes"]
    assert loaded.metadata["final_metrics"] == {
        key: values[-1] for key, values in net.history.history.items()
    }


def test_saved_file_is_plain_safetensors_with_json_metadata(tmp_path):
    from safetensors import safe_open

    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    net.save(tmp_path / "m.safetensors")
    with safe_open(str(tmp_path / "m.safetensors"), framework="numpy") as f:
        assert sorted(f.keys()) == [
            "history.accuracy",
            "history.loss",
            "layers.0.mean",
            "layers.0.scale",
            "layers.1.bias",
            "layers.1.weights",
            "layers.2.weights",
        ]
        np.testing.assert_array_equal(f.get_tensor("layers.1.weights"), net.layers[1].weights)
        info = json.loads(f.metadata()["smallnet"])
    assert info["format_version"] == state.FORMAT_VERSION
    assert [layer["type"] for layer in info["network"]["layers"]] == [
        "Standardize",
        "Dense",
        "Dense",
    ]


def test_history_is_saved_and_loaded(tmp_path):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=3)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.history.history == net.history.history and loaded.history.epoch == [0, 1, 2]


def test_loaded_network_trains_on(tmp_path):
    X, y = _data()
    net = _net(optimizer=sn.SGD(0.1, momentum=0.9))
    net.fit(X, y, epochs=2)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert repr(loaded.optimizer) == repr(net.optimizer)
    history = loaded.fit(X, y, epochs=5)
    assert history["loss"][-1] < history["loss"][0]


def test_saving_an_unbuilt_network_says_so(tmp_path):
    with pytest.raises(RuntimeError, match="no weights yet"):
        _net().save(tmp_path / "m.safetensors")
    assert not any(tmp_path.iterdir())


def test_custom_initializers_and_metrics_are_left_out_not_fatal(tmp_path):
    def accurate_enough(y, out):
        return 1.0

    net = sn.Network(
        [sn.Dense(2, input_dim=3, initializer=lambda shape, rng: rng.normal(size=shape))],
        metrics=["mae", accurate_enough],
        seed=np.random.RandomState(0),
    ).build()
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.config()["metrics"] == ["mae"] and loaded.config()["seed"] is None
    np.testing.assert_array_equal(loaded.params[0], net.params[0])


def test_l2_survives_a_round_trip_and_training_goes_on_the_same(tmp_path):
    X, y = _data()
    # plain SGD, full batch: no optimizer state or shuffling that a saved model (not a checkpoint)
    # would lose
    net = _net(optimizer=sn.SGD(0.1), l2=0.1)
    net.fit(X, y, epochs=5)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.l2 == 0.1 and loaded.config() == net.config()
    net.fit(X, y, epochs=5)
    loaded.fit(X, y, epochs=5)
    _assert_same(_params(loaded), _params(net))


def test_config_names_every_constructor_argument(tmp_path):
    import inspect

    net = sn.Network(
        [sn.Dense(2, input_dim=3, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.SGD(0.5, momentum=0.5),
        metrics="mae",
        l2=0.25,
        seed=7,
        dtype="float32",
    ).build()
    config = net.config()
    assert set(config) == set(inspect.signature(sn.Network).parameters)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.config() == config
    assert (loaded.l2, loaded.seed, loaded.dtype) == (0.25, 7, np.float32)
    assert [name for name, _ in loaded.metrics] == ["mae"]


# -- bad files ---------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    path = tmp_path / "model.safetensors"
    net.save(path)
    return path


def _load_error(path, match):
    with pytest.raises(ValueError, match=match) as info:
        sn.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors: no such file"):
        sn.load(tmp_path / "nope.safetensors")


@pytest.mark.parametrize("content", [b"", b"abc", b"a,b,y\n1,2,3\n", bytes(range(256)) * 4])
def test_not_safetensors(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    _load_error(path, "not a safetensors file")


def test_header_that_is_not_json(tmp_path):
    path = tmp_path / "fake.safetensors"
    path.write_bytes((5).to_bytes(8, "little") + b"{oops")
    _load_error(path, "header is not JSON")


def test_safetensors_but_not_smallnet(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "other.safetensors"
    save_file({"w": np.ones(3)}, str(path))
    _load_error(path, "not a smallnet model")


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    _load_error(saved, "truncated")


def test_every_flipped_byte_is_caught(saved):
    data = saved.read_bytes()
    # Every 5th byte (length, header, tensor data): each flip must be an error, never a wrong model.
    for i in range(0, len(data), 5):
        flipped = bytearray(data)
        flipped[i] ^= 0x01
        saved.write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match=str(saved)):
            sn.load(saved)


def test_newer_format_version(saved, monkeypatch):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    monkeypatch.setattr(state, "FORMAT_VERSION", state.FORMAT_VERSION + 1)
    net.save(saved)
    monkeypatch.undo()
    _load_error(
        saved,
        f"format version {state.FORMAT_VERSION + 1}.*"
        f"reads versions up to {state.FORMAT_VERSION}.*upgrade",
    )


def test_tensor_shapes_that_dont_fit_the_architecture(tmp_path, monkeypatch):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    hidden, output = net.layers[1].config(), net.layers[2].config()
    monkeypatch.setattr(net.layers[1], "config", lambda: {**hidden, "units": 6})  # says 6, holds 5
    monkeypatch.setattr(net.layers[2], "config", lambda: {**output, "input_dim": 6})
    net.save(tmp_path / "m.safetensors")
    _load_error(
        tmp_path / "m.safetensors",
        r"tensor 'layers.1.weights' is float64 of shape \(3, 5\), "
        r"but layer 'dense_1' needs float64 of shape \(3, 6\)",
    )


def test_unknown_layer_type(tmp_path, monkeypatch):
    class Twice(sn.Layer):
        def __init__(self, units, name=None):
            super().__init__(name)
            self.units = self.input_dim = units

        def build(self, input_dim, dtype, rng):
            pass

        def forward(self, x, training=False):
            return 2 * x

        def config(self):
            return {**super().config(), "units": self.units}

    X, _ = _data()
    net = sn.Network([Twice(3), sn.Dense(2, activation="softmax")], seed=0).build()
    net.save(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(sn.load(tmp_path / "m.safetensors").predict(X), net.predict(X))
    monkeypatch.delitem(layers.LAYERS, "Twice")  # now read by a program that doesn't define it
    _load_error(
        tmp_path / "m.safetensors",
        "unknown layer type 'Twice'; known types are: .*Dense.*Standardize",
    )


# -- atomic writes -----------------------------------------------------------------------------


def test_failed_write_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    before = saved.read_bytes()
    X, y = _data()
    net = _net(seed=5)
    net.fit(X, y, epochs=1)

    def fail(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="No space left"):
        net.save(saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == [saved.name]


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def interrupt(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(tmp_path / "out.csv", "a\n1\n")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_and_keeps_the_umask_permissions(tmp_path):
    path = tmp_path / "out.txt"
    atomic.write_text(path, "one")
    atomic.write_text(path, "two")
    assert path.read_text() == "two" and os.listdir(tmp_path) == ["out.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_keeps_a_replaced_files_permissions_and_refuses_a_read_only_one(tmp_path):
    path = tmp_path / "out.txt"
    atomic.write_text(path, "one")
    path.chmod(0o600)
    atomic.write_text(path, "two")
    assert path.read_text() == "two" and path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o444)
    with pytest.raises(
        PermissionError, match="out.txt' is read-only; make it writable or choose another name"
    ):
        atomic.write_text(path, "three")
    assert path.read_text() == "two"


def test_atomic_write_follows_a_link_and_keeps_it(tmp_path):
    (tmp_path / "real").mkdir()
    target, link = tmp_path / "real" / "model.bin", tmp_path / "link.bin"
    target.write_text("old")
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert (
        link.is_symlink()
        and target.read_text() == "new"
        and sorted(os.listdir(tmp_path / "real")) == ["model.bin"]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_atomic_write_writes_into_what_is_not_a_file(tmp_path):
    """/dev/stdout, a terminal or a pipe can't be swapped for a file, and must not be."""
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    atomic.write_text(pipe, "through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"] and pipe.is_fifo()
    atomic.write_text(os.devnull, "nothing")
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


def test_unwritable_destination_names_it(tmp_path):
    with pytest.raises(OSError) as info:
        atomic.write_text(tmp_path / "missing" / "out.csv", "x")
    assert info.value.filename == str(tmp_path / "missing" / "out.csv")


@pytest.mark.parametrize("where", [".", "folder", "folder/"])
def test_saving_to_a_folder_says_so_and_writes_nothing(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    X, y = _data()
    net = _net(optimizer=sn.SGD(0.1))
    net.fit(X, y, epochs=1)
    before = _params(net)
    with pytest.raises(IsADirectoryError, match=f"'{where}' is a folder, not a file"):
        net.save(where)
    with pytest.raises(IsADirectoryError, match=f"'{where}' is a folder, not a file"):
        net.fit(X, y, epochs=3, checkpoint=where)
    _assert_same(_params(net), before)  # refused before training, not after the first epoch
    with pytest.raises(IsADirectoryError, match="is a folder"):
        atomic.write_text(where, "x")
    assert sorted(os.listdir(tmp_path)) == ["folder"] and os.listdir(tmp_path / "folder") == []


def test_checkpoint_into_a_missing_folder_fails_before_training(tmp_path):
    X, y = _data()
    net = _net(optimizer=sn.SGD(0.1))
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        net.fit(X, y, epochs=3, checkpoint=tmp_path / "missing" / "ck.safetensors")
    assert (
        info.value.filename == str(tmp_path / "missing" / "ck.safetensors") and net.history is None
    )


def test_a_failed_rename_names_the_destination_and_leaves_no_temporary(tmp_path, monkeypatch):
    def busy(src, dst):
        raise OSError(16, "Device or resource busy")

    monkeypatch.setattr(os, "replace", busy)
    with pytest.raises(OSError, match="busy") as info:
        atomic.write_text(tmp_path / "out.csv", "a\n")
    assert info.value.filename == str(tmp_path / "out.csv") and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "metadata,exc,match",
    [
        ([1, 2], TypeError, "metadata must be a dict of JSON-able values .*got list"),
        (
            {"task": "x", "classes": {1, 2}},
            TypeError,
            r"metadata\['classes'\] is not JSON-able: .*set",
        ),
        ({1: "one"}, TypeError, "metadata keys must be strings, got int 1"),
    ],
)
def test_metadata_must_be_a_dict_of_json_values(tmp_path, metadata, exc, match):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    net.metadata = metadata
    with pytest.raises(exc, match=match):
        net.save(tmp_path / "m.safetensors")
    assert list(tmp_path.iterdir()) == []


# -- optimizer state ---------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [sn.SGD(0.1), sn.SGD(0.1, momentum=0.9), sn.Adam(0.01)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimizer_state_round_trips_with_its_dtype(optimizer, dtype):
    X, y = _data(dtype=dtype)
    net = _net(optimizer=copy.deepcopy(optimizer))
    net.fit(X, y, epochs=2)
    state = net.optimizer.get_state()
    snapshot = copy.deepcopy(state)
    net.fit(X, y, epochs=1)  # the optimizer moves on; the state taken before must not
    _assert_same_state(state, snapshot)
    net.optimizer.set_state(state)
    _assert_same_state(net.optimizer.get_state(), snapshot)
    assert all(
        a.dtype == dtype for value in state.values() if isinstance(value, list) for a in value
    )


def _assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], list):
            _assert_same(a[key], b[key])
        else:
            assert a[key] == b[key]


# -- checkpoints -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer", [lambda: sn.SGD(0.05, momentum=0.9, nesterov=True), lambda: sn.Adam(0.01)]
)
@pytest.mark.parametrize("seed", [3, "generator"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_resume_from_checkpoint_is_bit_identical(tmp_path, optimizer, seed, dtype):
    X, y = _data(dtype=dtype)
    make_seed = (lambda: np.random.default_rng(3)) if seed == "generator" else (lambda: seed)
    straight = _net(optimizer=optimizer(), seed=make_seed())
    for _ in range(6):
        straight.fit(X, y, epochs=1, batch_size=8)  # minibatches: each epoch shuffles from net.rng

    first = _net(optimizer=optimizer(), seed=make_seed())
    history = {"loss": []}
    for _ in range(3):
        history["loss"] += first.fit(X, y, epochs=1, batch_size=8)["loss"]
    checkpoint.save_checkpoint(tmp_path / "ckpt.safetensors", first, 3, history)
    del first

    resumed = _net(
        optimizer=optimizer(), seed=99
    )  # a fresh network: seed and weights come from the file
    epoch, restored, _ = checkpoint.load_checkpoint(tmp_path / "ckpt.safetensors", resumed)
    assert epoch == 3 and restored == history
    for _ in range(epoch, 6):
        resumed.fit(X, y, epochs=1, batch_size=8)
    _assert_same(resumed.params, straight.params)
    assert type(resumed.rng) is type(straight.rng)


def test_checkpoint_into_an_unbuilt_network_without_input_dim(tmp_path):
    X, y = _data()
    net = sn.Network(
        [sn.Dense(4, activation="relu"), sn.Dense(2, activation="softmax")],
        loss="categorical_crossentropy",
        seed=1,
    )
    net.fit(X, y, epochs=2, batch_size=8)
    checkpoint.save_checkpoint(tmp_path / "c.safetensors", net, 2, net.history.history)
    fresh = sn.Network(
        [sn.Dense(4, activation="relu"), sn.Dense(2, activation="softmax")],
        loss="categorical_crossentropy",
        seed=7,
    )
    checkpoint.load_checkpoint(tmp_path / "c.safetensors", fresh)
    _assert_same(fresh.params, net.params)
    net.fit(X, y, epochs=1, batch_size=8)
    fresh.fit(X, y, epochs=1, batch_size=8)
    _assert_same(fresh.params, net.params)


def test_a_checkpoint_also_loads_as_a_model(tmp_path):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    checkpoint.save_checkpoint(tmp_path / "c.safetensors", net, 1, net.history.history)
    np.testing.assert_array_equal(sn.load(tmp_path / "c.safetensors").predict(X), net.predict(X))


def test_checkpoint_errors(saved, tmp_path):
    with pytest.raises(ValueError, match="a saved model, not a checkpoint"):
        checkpoint.load_checkpoint(saved, _net())
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    checkpoint.save_checkpoint(tmp_path / "c.safetensors", net, 1, {})
    with pytest.raises(ValueError, match="optimizer is 'adam', the network's 'sgd'"):
        checkpoint.load_checkpoint(tmp_path / "c.safetensors", _net(optimizer="sgd"))
    with pytest.raises(
        ValueError, match="layers are Standardize, Dense, Dense, the network's Dense"
    ):
        checkpoint.load_checkpoint(tmp_path / "c.safetensors", sn.Network([sn.Dense(2)]))
    wider = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(6, activation="tanh"),
            sn.Dense(2, activation="softmax", use_bias=False),
        ]
    )
    with pytest.raises(
        ValueError, match="c.safetensors: .*layer 'dense_1' has units=6, the checkpoint's 5"
    ):
        checkpoint.load_checkpoint(tmp_path / "c.safetensors", wider)
    with pytest.raises(
        ValueError, match="layer 'dense_1' has activation='relu', the checkpoint's 'tanh'"
    ):
        checkpoint.load_checkpoint(tmp_path / "c.safetensors", _net(activation="relu"))
    with pytest.raises(
        ValueError, match="layer 'dense_2' has use_bias=True, the checkpoint's False"
    ):
        checkpoint.load_checkpoint(
            tmp_path / "c.safetensors",
            sn.Network(
                [
                    sn.Standardize.from_data(X),
                    sn.Dense(5, activation="tanh"),
                    sn.Dense(2, activation="softmax"),
                ]
            ),
        )
    with pytest.raises(ValueError, match="needs float32"):
        checkpoint.load_checkpoint(tmp_path / "c.safetensors", _net(dtype="float32").build())


KILLED_RUN = """
import os, signal, sys
import numpy as np
import smallnet as sn
from smallnet import checkpoint

path, stop = sys.argv[1], int(sys.argv[2])
rng = np.random.RandomState(0)
X = rng.normal(size=(64, 4))
y = (X[:, :1] * X[:, 1:2] > 0).astype(float)
net = sn.Network([sn.Dense(8, activation="tanh"), sn.Dense(1, activation="sigmoid")],
                 loss="binary_crossentropy", optimizer=sn.Adam(0.01), seed=11)
epoch, history, _ = (
    checkpoint.load_checkpoint(path, net) if os.path.exists(path) else (0, {"loss": []}, {})
)
for epoch in range(epoch + 1, 9):
    history["loss"] += net.fit(X, y, epochs=1, batch_size=10)["loss"]
    checkpoint.save_checkpoint(path, net, epoch, history)
    if epoch == stop:
        os.kill(os.getpid(), signal.SIGKILL)
net.save(path + ".final")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_run_resumes_to_bit_identical_weights(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(KILLED_RUN))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}

    def run(path, stop):
        return subprocess.run(
            [sys.executable, str(script), str(path), str(stop)],
            env=env,
            timeout=120,
            capture_output=True,
            text=True,
        )

    killed = run(tmp_path / "a.safetensors", 3)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (tmp_path / "a.safetensors.final").exists()
    resumed = run(tmp_path / "a.safetensors", 0)
    assert resumed.returncode == 0, resumed.stderr
    straight = run(tmp_path / "b.safetensors", 0)
    assert straight.returncode == 0, straight.stderr
    a, b = sn.load(tmp_path / "a.safetensors.final"), sn.load(tmp_path / "b.safetensors.final")
    _assert_same(a.params, b.params)
    assert a.metadata["final_metrics"] == b.metadata["final_metrics"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


# -- import cost -------------------------------------------------------------------------------


def test_import_smallnet_loads_no_optional_dependency():
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    code = (
        "import sys, smallnet; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('safetensors', 'onnx', 'onnxruntime', 'argparse', 'sklearn', 'matplotlib', "
        "'tqdm', 'dask', 'scipy', 'pandas', 'hashlib') or m in ('smallnet.cli', "
        "'smallnet.onnx_export', 'smallnet.state', 'smallnet.checkpoint', 'smallnet.fitting', "
        "'smallnet.plot', 'smallnet.sklearn', "
        "'smallnet.trace')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_save_refuses_an_onnx_name(tmp_path):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="save writes safetensors, not ONNX; use network.to_onnx"):
        net.save(tmp_path / "model.ONNX")
    assert list(tmp_path.iterdir()) == []


def test_load_names_a_wrong_path(tmp_path):
    with pytest.raises(
        TypeError, match="the path must be a file name \\(str or path-like\\), got None"
    ):
        sn.load(None)
    with pytest.raises(IsADirectoryError, match="a folder, not a model file"):
        sn.load(tmp_path)


def test_files_that_describe_impossible_models_are_refused(tmp_path, monkeypatch):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    path = tmp_path / "m.safetensors"
    net.layers[1].weights[0, 0] = np.nan
    with pytest.raises(ValueError, match="the network's weights hold NaN or inf"):
        net.save(path)
    assert not path.exists()
    _write(path, net)  # as a damaged file would have it
    _load_error(path, "tensor 'layers.1.weights' holds NaN or inf")
    net.layers[1].weights[0, 0] = 0.0
    net.layers[0].scale[1] = 0.0
    _write(path, net)
    _load_error(path, "tensor 'layers.0.scale' must be > 0 everywhere")
    net.layers[0].scale[1] = 1.0
    hidden, output = net.layers[1].config(), net.layers[2].config()
    monkeypatch.setattr(net.layers[1], "config", lambda: {**hidden, "units": 10**7})
    monkeypatch.setattr(net.layers[2], "config", lambda: {**output, "input_dim": 10**7})
    _write(path, net)
    _load_error(
        path, "its architecture has 60000006 weights, but it holds 36"
    )  # refused before allocating them
    monkeypatch.undo()
    monkeypatch.setattr(state, "FORMAT_VERSION", True)
    _write(path, net)
    monkeypatch.undo()
    _load_error(path, "format version True")
    _write(path, net, metadata=[1])  # as a damaged file would have it
    _load_error(path, "its metadata is not a JSON object")


def test_deeply_nested_json_is_a_corrupted_file(tmp_path):
    path = tmp_path / "deep.safetensors"
    header = b"[" * 100000 + b"]" * 100000
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    _load_error(path, "not a safetensors file, or a corrupted one \\(its header is not JSON\\)")


def test_bytes_paths_work_like_str_ones(tmp_path):
    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", seed=0).build()
    net.save(os.fsencode(tmp_path / "m.safetensors"))
    assert sn.load(os.fsencode(tmp_path / "m.safetensors")).input_dim == 2
    with pytest.raises(
        TypeError, match="the path must be a file name \\(str or path-like\\), got 3"
    ):
        net.save(3)


def test_a_damaged_layer_description_names_the_layer(tmp_path, monkeypatch):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1)
    hidden = {key: value for key, value in net.layers[1].config().items() if key != "units"}
    monkeypatch.setattr(net.layers[1], "config", lambda: hidden)
    _write(tmp_path / "m.safetensors", net)
    _load_error(
        tmp_path / "m.safetensors",
        "layer 1 \\(Dense\\) can't be rebuilt from its description: .*units",
    )
    monkeypatch.setattr(net.layers[1], "config", lambda: ["Dense"])
    _write(tmp_path / "m.safetensors", net)
    _load_error(
        tmp_path / "m.safetensors",
        "layer 1 can't be rebuilt from its description: unknown layer type None",
    )
