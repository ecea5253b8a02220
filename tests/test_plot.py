"""Pictures: they render without a display, save at the size asked for, and show the right
things."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli, datasets, metrics, tutorial

pytest.importorskip("matplotlib")
from matplotlib.collections import EllipseCollection, LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from smallnet import plot  # noqa: E402

SRC = Path(__file__).parents[1] / "src"


def _blobs(n=80, seed=0):
    """Two clean clusters: class 0 around (-2, -2), class 1 around (2, 2)."""
    rng = np.random.RandomState(seed)
    labels = np.arange(n) % 2
    X = rng.normal(scale=0.5, size=(n, 2)) + np.where(labels[:, None] == 1, 2.0, -2.0)
    return X, labels


@pytest.fixture(scope="module")
def binary():
    X, labels = _blobs()
    net = sn.Network(
        [sn.Dense(4, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.Adam(0.05),
        metrics=["accuracy"],
        seed=0,
    )
    history = net.fit(X, labels, epochs=100)
    return net, X, labels, history


@pytest.fixture(scope="module")
def three_classes():
    X = np.array([[-3.0, 0.0], [0.0, 3.0], [3.0, 0.0]]).repeat(20, axis=0)
    X += np.random.RandomState(1).normal(scale=0.4, size=X.shape)
    y = np.eye(3)[np.arange(60) // 20]
    net = sn.Network(
        [
            sn.Dense(8, activation="relu", initializer="he_normal"),
            sn.Dense(3, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )
    net.fit(X, y, epochs=150)
    return net, X, y


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def pixel_at(fig, ax, point):
    """The RGB colour (0..1) drawn at a data point of `ax`."""
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    x, y = ax.transData.transform(point)
    return rgba[int(rgba.shape[0] - y), int(x), :3] / 255


def nearest_class(colour, n_classes):
    return int(
        np.argmin([np.linalg.norm(colour - to_rgb(c)) for c in plot.CLASS_COLORS[:n_classes]])
    )


# -- every picture ---------------------------------------------------------------------------------


def test_pictures_render_without_a_display_and_leave_pyplot_alone(tmp_path):
    script = """if True:
        import sys
        import numpy as np
        import smallnet as sn
        from smallnet import datasets, plot
        X, y = datasets.xor()
        net = sn.Network(
            [sn.Dense(3, activation="tanh"), sn.Dense(1, activation="sigmoid")], seed=0
        )
        history = net.fit(X, y, epochs=2)
        for fig in [plot.loss_curve(history), plot.decision_boundary(net, X, y),
                    plot.network_diagram(net, X), plot.regression(net, X, y)]:
            fig.canvas.draw()
        plot.decision_boundary(net, X, y, path=sys.argv[1])
        assert "matplotlib.pyplot" not in sys.modules
    """
    env = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")
    }
    env.update(
        PYTHONPATH=str(SRC), MPLBACKEND="TkAgg"
    )  # a window backend: pyplot would need a display
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(tmp_path / "b.png")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert png_size(tmp_path / "b.png") == (560, 460)  # the default 5.6 x 4.6 inches at 100 dpi


def _every_picture(binary, folder, **kw):
    """Each kind of picture, saved as folder/<kind>.png."""
    net, X, labels, history = binary
    draw = {
        "loss": lambda **k: plot.loss_curve(history, **k),
        "boundary": lambda **k: plot.decision_boundary(net, X, labels, **k),
        "network": lambda **k: plot.network_diagram(net, X, **k),
        "regression": lambda **k: plot.regression(net, X, labels, **k),
    }
    return {kind: fn(path=folder / f"{kind}.png", **kw) for kind, fn in draw.items()}


def test_saved_pngs_have_the_requested_size_and_svgs_are_svg(binary, tmp_path):
    for kind, fig in _every_picture(binary, tmp_path, figsize=(6, 4.5), dpi=40).items():
        assert isinstance(fig, Figure)
        assert png_size(tmp_path / f"{kind}.png") == (240, 180), kind
    net, X, labels, _ = binary
    plot.decision_boundary(net, X, labels, path=tmp_path / "b.svg", figsize=(5, 4), dpi=72)
    text = (tmp_path / "b.svg").read_text()
    assert "<svg" in text and 'width="360pt" height="288pt"' in text
    plot.network_diagram(net, path=str(tmp_path / "n.png"), figsize=(7, 5), dpi=50)
    assert png_size(tmp_path / "n.png") == (350, 250)
    assert sorted(os.listdir(tmp_path)) == [
        "b.svg",
        "boundary.png",
        "loss.png",
        "n.png",
        "network.png",
        "regression.png",
    ]


def test_saving_replaces_the_file_and_rejects_bad_paths(binary, tmp_path):
    net, X, labels, _ = binary
    target = tmp_path / "b.png"
    target.write_bytes(b"old")
    plot.decision_boundary(net, X, labels, path=target, figsize=(4, 3), dpi=50)
    assert png_size(target) == (200, 150)
    with pytest.raises(ValueError, match=r"give a file name ending in one of .*\.png.*\.svg"):
        plot.decision_boundary(net, X, labels, path=tmp_path / "b.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot.decision_boundary(net, X, labels, path=tmp_path / "missing" / "b.png")
    assert os.listdir(tmp_path) == ["b.png"]  # no temporary files left behind


def test_missing_matplotlib_names_the_extra(binary, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib \(the \[plot\] extra\)"):
        plot.loss_curve(binary[3])


# -- decision boundary -----------------------------------------------------------------------------


def test_boundary_background_has_the_right_class_colour_at_known_points(binary):
    net, X, labels, _ = binary
    fig = plot.decision_boundary(net, X, labels)
    ax = fig.axes[0]
    for point, k in [((-2.0, -2.0), 0), ((2.0, 2.0), 1), ((-3.5, -1.0), 0), ((1.0, 3.5), 1)]:
        assert nearest_class(pixel_at(fig, ax, point), 2) == k, point


def test_boundary_with_several_outputs_colours_each_argmax_class(three_classes):
    net, X, y = three_classes
    fig = plot.decision_boundary(net, X, y)  # one-hot y
    ax = fig.axes[0]
    for point, k in [((-3.0, -0.5), 0), ((0.0, 3.5), 1), ((3.5, 0.5), 2)]:
        assert nearest_class(pixel_at(fig, ax, point), 3) == k, point


def test_points_take_their_class_colour_from_labels_probabilities_or_one_hot(binary):
    net, X, labels, _ = binary
    for y in [
        labels,
        labels.astype(float).reshape(-1, 1),
        np.eye(2)[labels],
        np.where(labels, 0.9, 0.2),
    ]:
        ax = plot.decision_boundary(net, X, y, resolution=20).axes[0]
        scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert [len(c.get_offsets()) for c in scatters] == [40, 40]
        for k, c in enumerate(scatters):
            np.testing.assert_allclose(c.get_facecolors()[0, :3], to_rgb(plot.CLASS_COLORS[k]))
            np.testing.assert_array_equal(c.get_offsets(), X[labels == k])


def test_boundary_input_errors(binary):
    net, X, labels, _ = binary
    with pytest.raises(ValueError, match="two features, but X has 3"):
        plot.decision_boundary(net, np.ones((4, 3)), labels[:4])
    with pytest.raises(ValueError, match="class labels must be 0, 1, 2"):
        plot.decision_boundary(net, X, labels - 1)
    with pytest.raises(ValueError, match="X has 80, y has 79"):
        plot.decision_boundary(net, X, labels[:-1])


# -- network diagram -------------------------------------------------------------------------------


def test_network_diagram_has_one_marker_per_neuron_and_one_line_per_weight():
    X, y = datasets.tutorial()
    net = tutorial.network(hidden=(4,))
    net.fit(X, y, epochs=500)
    ax = plot.network_diagram(net).axes[0]
    neurons = {
        c.get_gid(): len(c.get_offsets())
        for c in ax.collections
        if isinstance(c, EllipseCollection)
    }
    assert neurons == {"l0": 3, "l1": 4, "l2": 1}
    lines = {c.get_gid(): c for c in ax.collections if isinstance(c, LineCollection)}
    assert {gid: len(c.get_segments()) for gid, c in lines.items()} == {"syn0": 12, "syn1": 4}
    assert not ax.images  # three inputs: no pictures of the plane
    w = net.layers[0].weights.ravel()
    order = np.argsort(np.abs(w))  # drawn weakest first
    widths, colours = lines["syn0"].get_linewidths(), lines["syn0"].get_colors()
    assert np.all(np.diff(widths) >= 0) and widths[-1] > 3 * widths[0]
    orange = colours[:, 0] > colours[:, 2]  # orange is positive, blue negative
    np.testing.assert_array_equal(
        orange[np.abs(w[order]) > 0.5], w[order][np.abs(w[order]) > 0.5] > 0
    )


def test_network_diagram_with_two_inputs_pictures_every_neuron(three_classes):
    net, X, y = three_classes
    ax = plot.network_diagram(net, X, resolution=16).axes[0]
    neurons = [len(c.get_offsets()) for c in ax.collections if isinstance(c, EllipseCollection)]
    assert neurons == [2, 8, 3]
    assert len(ax.images) == sum(neurons)
    # the output neuron of class 2 is brightest (orange) where the network predicts class 2
    picture = ax.images[-1].get_array()
    assert picture[8, 15] > 0.9 and picture[8, 0] < 0.1


def test_network_diagram_fills_neurons_with_their_bias():
    net = sn.Network([sn.Dense(2, input_dim=3), sn.Dense(1, use_bias=False)], seed=0).build()
    net.layers[0].bias[:] = [-0.5, 0.5]
    ax = plot.network_diagram(net).axes[0]
    faces = {
        c.get_gid(): c.get_facecolors() for c in ax.collections if isinstance(c, EllipseCollection)
    }
    assert np.all(faces["l0"] == 1) and np.all(
        faces["l2"] == 1
    )  # white: inputs and the unbiased layer
    assert (
        faces["l1"][0, 2] > faces["l1"][0, 0] and faces["l1"][1, 0] > faces["l1"][1, 2]
    )  # blue -, orange +


def test_network_diagram_needs_weights():
    with pytest.raises(RuntimeError, match="no weights yet"):
        plot.network_diagram(tutorial.network())


CENTRES = np.array([[75.0, 95.0], [100.0, 130.0], [125.0, 95.0]])  # class k around CENTRES[k]


@pytest.fixture(scope="module")
def standardized_three_classes():
    """What `smallnet train` makes: a Standardize first layer, on features far from unit scale."""
    labels = np.arange(90) % 3
    X = CENTRES[labels] + np.random.RandomState(0).normal(scale=8.0, size=(90, 2))
    net = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(8, activation="relu"),
            sn.Dense(3, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )
    net.fit(X, np.eye(3)[labels], epochs=20)
    return net, X, labels


def test_network_diagram_pictures_come_from_the_networks_forward_pass(
    standardized_three_classes, tmp_path
):
    net, X, _ = standardized_three_classes
    fig = plot.network_diagram(net, X, resolution=24, path=tmp_path / "n.png")
    assert png_size(tmp_path / "n.png")[0] > 100
    ax = fig.axes[0]
    neurons = [len(c.get_offsets()) for c in ax.collections if isinstance(c, EllipseCollection)]
    assert neurons == [2, 8, 3]  # Standardize has no neurons of its own
    grid, images = plot.neuron_images(net, X, resolution=24)
    assert grid.shape == (24 * 24, 2) and [a.shape for a in images] == [
        (2, 24, 24),
        (8, 24, 24),
        (3, 24, 24),
    ]
    expected = net.predict(grid).T.reshape(3, 24, 24)
    np.testing.assert_allclose(images[-1], expected)
    drawn = np.stack([image.get_array() for image in ax.images[-3:]])
    np.testing.assert_allclose(drawn, expected)  # what the diagram shows is what predict says
    # the inputs in their own units, over X's plane with its margin
    np.testing.assert_allclose(images[0][0], grid[:, 0].reshape(24, 24))
    assert grid[:, 0].min() < X[:, 0].min() < X[:, 0].max() < grid[:, 0].max()


def test_network_diagram_of_a_standardized_model_shows_the_classes_decision_boundary_shows(
    standardized_three_classes,
):
    net, X, labels = standardized_three_classes
    fig = plot.decision_boundary(net, X, labels)
    ax = fig.axes[0]
    assert [nearest_class(pixel_at(fig, ax, point), 3) for point in CENTRES] == [0, 1, 2]
    grid, images = plot.neuron_images(net, X, resolution=24)
    classes = images[-1].argmax(axis=0).ravel()
    nearest = [np.argmin(np.linalg.norm(grid - point, axis=1)) for point in CENTRES]
    assert list(classes[nearest]) == [0, 1, 2]
    # the old diagram fed the raw grid to the first Dense layer, skipping Standardize
    old = grid
    for layer in net.layers[1:]:
        old = layer.forward(old)
    assert len(np.unique(old.argmax(axis=1))) < 3 and sorted(np.unique(classes)) == [0, 1, 2]
    assert not np.allclose(old.T.reshape(3, 24, 24), images[-1])


def test_neurons_show_their_layer_and_the_weightless_layers_after_it():
    rng = np.random.RandomState(0)
    X = rng.normal(loc=50.0, scale=10.0, size=(40, 2))
    y = (3 * X[:, :1] - X[:, 1:]) * 100
    unscale = sn.Standardize.from_data(y, invert=True)  # predictions in y's own units
    net = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(4, activation="tanh"),
            sn.Dropout(0.2),
            sn.Dense(1, activation="tanh"),
            unscale,
        ],
        loss="mse",
        seed=0,
    )
    net.fit(X, (y - unscale.mean) / unscale.scale, epochs=2)
    grid, images = plot.neuron_images(net, X, resolution=8)
    np.testing.assert_allclose(images[-1], net.predict(grid).T.reshape(1, 8, 8))
    ax = plot.network_diagram(net, X, resolution=8).axes[0]
    neurons = [len(c.get_offsets()) for c in ax.collections if isinstance(c, EllipseCollection)]
    assert neurons == [2, 4, 1]
    # Dropout keeps the hidden tanh's range; the output, rescaled to y's units, takes its own
    assert all(image.get_clim() == (-1.0, 1.0) for image in ax.images[2:6])
    low, high = ax.images[-1].get_clim()
    assert (low, high) == (images[-1].min(), images[-1].max()) and high - low > 2
    with pytest.raises(ValueError, match="X has 2 features .*, but the network expects 3"):
        plot.neuron_images(sn.Network([sn.Dense(1, input_dim=3)]).build(), X)
    with pytest.raises(RuntimeError, match="no weights yet"):
        plot.neuron_images(tutorial.network(), X)


# -- loss curve and regression ---------------------------------------------------------------------


def test_loss_curve_panels_validation_and_log_scale():
    logs = {
        "loss": list(np.geomspace(1, 1e-4, 50)),
        "val_loss": list(np.geomspace(1, 1e-3, 50)),
        "accuracy": list(np.linspace(0.5, 1, 50)),
    }
    fig = plot.loss_curve(logs, title="mine")
    loss_ax, accuracy_ax = fig.axes
    assert loss_ax.get_yscale() == "log" and accuracy_ax.get_yscale() == "linear"
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    np.testing.assert_array_equal(loss_ax.lines[0].get_xdata(), np.arange(1, 51))
    assert fig.get_suptitle() == "mine"
    assert plot.loss_curve(logs, metrics=(), log=False).axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="no metric 'mae'; it holds: loss, val_loss, accuracy"):
        plot.loss_curve(logs, metrics=["mae"])
    with pytest.raises(ValueError, match="no 'loss'"):
        plot.loss_curve({"accuracy": [1.0]})


def test_loss_curve_of_a_history(binary):
    fig = plot.loss_curve(binary[3])
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), binary[3]["loss"])


def test_loss_curve_argument_errors(binary):
    with pytest.raises(
        TypeError,
        match=r"history must be a History \(what fit returns\) or a dict of lists.*NoneType",
    ):
        plot.loss_curve(None)
    with pytest.raises(TypeError, match="got list"):
        plot.loss_curve([0.5, 0.4])
    with pytest.raises(TypeError, match=r"history\['loss'\] must be a list of numbers"):
        plot.loss_curve({"loss": "falling"})
    with pytest.raises(TypeError, match="log must be True or False, got 'yes'"):
        plot.loss_curve(binary[3], log="yes")
    with pytest.raises(TypeError, match="dpi must be a number"):
        plot.loss_curve(binary[3], dpi="high")
    # one metric by name, not its letters
    assert [ax.get_ylabel() for ax in plot.loss_curve(binary[3], metrics="accuracy").axes] == [
        "loss",
        "accuracy",
    ]
    diverged = {"loss": [1.0, 0.5, float("nan")]}  # what a diverged fit records: drawn, not refused
    assert len(plot.loss_curve(diverged).axes[0].lines[0].get_ydata()) == 3


def test_picture_argument_errors(binary):
    net, X, labels, _ = binary
    for draw in (
        lambda: plot.decision_boundary("net", X, labels),
        lambda: plot.regression(None, X, labels),
        lambda: plot.network_diagram(net.layers),
    ):
        with pytest.raises(TypeError, match="network must be a smallnet Network, got"):
            draw()
    with pytest.raises(ValueError, match="feature_names has 3 names, but there are 2 features"):
        plot.decision_boundary(net, X, labels, feature_names=["a", "b", "c"])
    with pytest.raises(TypeError, match="feature_names must be a list of strings, got 'ab'"):
        plot.network_diagram(net, feature_names="ab")
    with pytest.raises(ValueError, match="feature_names has 1 names, but there are 2 features"):
        plot.regression(net, X, labels, feature_names=["a"])
    with pytest.raises(TypeError, match="resolution must be an integer, got 2.5"):
        plot.decision_boundary(net, X, labels, resolution=2.5)
    with pytest.raises(ValueError, match="resolution must be >= 2, got 1"):
        plot.network_diagram(net, X, resolution=1)
    ax = plot.network_diagram(net, feature_names=np.array(["a", "b"])).axes[0]
    assert {"a", "b"} <= {text.get_text() for text in ax.texts}


def test_regression_pictures():
    rng = np.random.RandomState(0)
    X = np.linspace(-2, 2, 60).reshape(-1, 1)
    y = X**2 + 0.05 * rng.normal(size=X.shape)
    net = sn.Network(
        [sn.Dense(16, activation="tanh"), sn.Dense(1)], loss="mse", optimizer=sn.Adam(0.03), seed=0
    )
    net.fit(X, y, epochs=300)
    curve_ax, versus_ax = plot.regression(net, X, y.ravel()).axes
    curve = curve_ax.lines[0]
    np.testing.assert_allclose(
        curve.get_ydata(), net.predict(curve.get_xdata().reshape(-1, 1)).ravel()
    )
    np.testing.assert_array_equal(
        versus_ax.collections[0].get_offsets(), np.column_stack([y, net.predict(X)])
    )
    assert (
        versus_ax.get_title() == f"predicted vs true (R\u00b2 {metrics.r2(y, net.predict(X)):.3f})"
    )
    assert len(plot.regression(net, X, y, figsize=(4, 4)).axes) == 2
    two = sn.Network([sn.Dense(2)], loss="mse", seed=0)
    two.fit(np.hstack([X, X]), np.hstack([y, -y]), epochs=1)
    assert (
        len(plot.regression(two, np.hstack([X, X]), np.hstack([y, -y])).axes) == 1
    )  # no curve over 2 features
    with pytest.raises(ValueError, match="y has 1 columns, but the network has 2 outputs"):
        plot.regression(two, np.hstack([X, X]), y)


def test_regression_picture_of_large_values_names_the_target_and_shortens_the_ticks():
    X = np.linspace(0, 100, 30).reshape(-1, 1)
    y = 2000 * X + 100
    net = sn.Network([sn.Dense(1, input_dim=1)], loss="mse", seed=0).build()
    net.set_weights([np.array([[2000.0]]), np.array([100.0])])
    fig = plot.regression(net, X, y, target_name="price", feature_names=["area"])
    curve_ax, versus_ax = fig.axes
    assert (curve_ax.get_ylabel(), versus_ax.get_xlabel(), versus_ax.get_ylabel()) == (
        "price",
        "true price",
        "predicted price",
    )
    fig.canvas.draw()
    assert "200k" in [t.get_text() for t in versus_ax.get_xticklabels()]
    assert fig._suptitle.get_text() == "Regression"
    one_panel = plot.regression(
        sn.Network([sn.Dense(1, input_dim=2)], loss="mse", seed=0).build(), np.hstack([X, X]), y
    )
    assert one_panel._suptitle is None and one_panel.axes[0].get_xlabel() == "true"


# -- the command line ------------------------------------------------------------------------------


def test_demo_writes_its_pictures(tmp_path, capsys):
    folder = tmp_path / "new" / "pictures"
    assert cli.main(["demo", "--plot", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Output After Training:" in out
    names = ["tutorial_loss.png", "tutorial_network.png", "xor_boundary.png", "xor_network.png"]
    assert sorted(os.listdir(folder)) == names
    for name in names:
        width, height = png_size(folder / name)
        assert 300 <= width <= 1400 and 300 <= height <= 1200, name
        assert f"wrote {folder / name}" in out


def test_demo_without_matplotlib_says_which_extra(tmp_path, capsys, monkeypatch, binary):
    net, history = binary[0], binary[3]
    monkeypatch.setattr(
        tutorial, "run", lambda: [(net, history)]
    )  # skip the training: only the pictures fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert cli.main(["demo", "--plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "smallnet demo: error: smallnet's pictures need matplotlib: pip install matplotlib "
        "(the [plot] extra)"
    )
    assert err.count("\n") == 1


def test_network_diagram_skips_dropout_layers():
    X = np.random.RandomState(0).normal(size=(20, 2))
    net = sn.Network(
        [sn.Dense(3, activation="tanh"), sn.Dropout(0.2), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        seed=0,
    )
    net.fit(X, (X[:, :1] > 0).astype(float), epochs=2)
    fig = plot.network_diagram(net, X)
    markers = [c for c in fig.axes[0].collections if str(c.get_gid()).startswith("l")]
    assert sum(len(c.get_offsets()) for c in markers) == 2 + 3 + 1


@pytest.fixture
def two_feature_csv(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    lines = ["a,b,label"] + [f"{a:.4f},{b:.4f},{'yes' if a + b > 0 else 'no'}" for a, b in X]
    path = tmp_path / "blobs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("kind", ["loss", "boundary", "network"])
def test_plot_command_draws_a_saved_model(tmp_path, two_feature_csv, capsys, kind):
    model = tmp_path / "m.safetensors"
    assert (
        cli.main(
            ["train", str(two_feature_csv), "--target", "label", "-o", str(model), "--epochs", "30"]
        )
        == 0
    )
    out = tmp_path / f"{kind}.png"
    data = (
        [] if kind == "loss" else ["--data", str(two_feature_csv), "--target", "label"]
    )  # the loss is in the model
    assert cli.main(["plot", str(model), *data, "--kind", kind, "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert png_size(out)[0] > 100


def test_plot_command_regression_and_errors(tmp_path, capsys):
    data = tmp_path / "line.csv"
    xs = np.linspace(-1, 1, 40)
    data.write_text("x,y\n" + "".join(f"{x:.3f},{3 * x + 0.5:.3f}\n" for x in xs))
    model = tmp_path / "m.safetensors"
    assert (
        cli.main(
            [
                "train",
                str(data),
                "--target",
                "y",
                "--task",
                "regression",
                "-o",
                str(model),
                "--epochs",
                "20",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "plot",
                str(model),
                "--data",
                str(data),
                "--kind",
                "regression",
                "-o",
                str(tmp_path / "r.svg"),
            ]
        )
        == 0
    )
    assert (tmp_path / "r.svg").read_text().lstrip().startswith("<?xml")
    capsys.readouterr()
    assert cli.main(["plot", str(model), "--kind", "boundary", "-o", str(tmp_path / "b.png")]) == 2
    assert "needs --data" in capsys.readouterr().err
    assert not (tmp_path / "b.png").exists()
    assert (
        cli.main(["plot", str(model), "--kind", "loss", "-o", str(tmp_path / "nowhere" / "l.png")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_plot_command_regression_of_a_classifier_says_what_to_draw_instead(
    tmp_path, two_feature_csv, capsys
):
    model = tmp_path / "m.safetensors"
    assert (
        cli.main(
            ["train", str(two_feature_csv), "--target", "label", "-o", str(model), "--epochs", "5"]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        cli.main(
            [
                "plot",
                str(model),
                "--data",
                str(two_feature_csv),
                "--kind",
                "regression",
                "-o",
                str(tmp_path / "r.png"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        "is a classifier" in err and "--kind boundary" in err and len(err.strip().splitlines()) == 1
    )
    assert not (tmp_path / "r.png").exists()


def test_decision_boundary_names_the_classes_and_does_not_round_up_to_100_percent(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(float).reshape(-1, 1)
    y[0] = 1 - y[0]  # one point on the wrong side: at most 299/300 right
    net = sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )
    net.fit(X, y, epochs=200)
    fig = plot.decision_boundary(net, X, y, class_names=["stay", "churn"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["stay", "churn"]
    assert any(ax.get_ylabel() == "P(churn)" for ax in fig.axes)
    assert "100%" not in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="class_names has 3 names, but there are 2 classes"):
        plot.decision_boundary(net, X, y, class_names=["a", "b", "c"])


def test_a_one_epoch_loss_curve_shows_its_point():
    fig = plot.loss_curve({"loss": [0.5], "val_loss": [0.6]})
    lines = fig.axes[0].get_lines()
    assert all(line.get_marker() == "o" for line in lines)
    assert fig._suptitle.get_text() == "Training (1 epoch)"


def test_values_too_large_to_draw_are_one_clear_error(tmp_path):
    history = sn.History()
    history.history = {
        "loss": [6e298, 4e298],
        "mae": [1.8e149, 1.4e149],
        "val_mae": [1.5e297, 1.2e297],
    }
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # matplotlib's own overflow, on its way to the error
        with pytest.raises(ValueError, match="the values are too large to draw"):
            plot.loss_curve(history, path=tmp_path / "l.png")
    history.history = {"loss": [1.0, float("inf")], "val_loss": [2.0, float("nan")]}
    plot.loss_curve(history, path=tmp_path / "gaps.png")  # not finite: a gap in the curve
    net = sn.Network(
        [sn.Dense(2, input_dim=2, activation="softmax")], loss="categorical_crossentropy"
    ).build()
    with pytest.raises(ValueError, match="the features span too wide a range to draw a plane over"):
        plot.decision_boundary(net, [[1.7e308, 1], [-1.7e308, 2]], [0, 1])
    assert not list(tmp_path.glob("l.png"))


def test_a_network_too_big_to_draw_is_refused_at_once():
    net = sn.Network([sn.Dense(300, input_dim=200), sn.Dense(2)], loss="mse").build()
    with pytest.raises(
        ValueError, match="the network has 60600 weights, one line each: too many to draw"
    ):
        plot.network_diagram(net)
