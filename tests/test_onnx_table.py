"""ONNX export of a network whose first layer is a TableEncoder: the graph takes the raw columns."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli
from smallnet.columns import ColumnWarning
from smallnet.onnx_export import probe_inputs

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")

TEXT = ("island", "sex", "keeper", "colour", "tagged")


def _frame():
    """Penguins (or a frame like them), with a category of 14 levels and 2 rare ones (embedded),
    one of 9 levels and 3 rare ones (one-hot with a merged column), and a boolean with gaps."""
    rng = np.random.default_rng(0)
    try:
        from palmerpenguins import load_penguins

        df = load_penguins()
    except ImportError:
        n = 150
        df = pd.DataFrame(
            {
                "species": rng.choice(["Adelie", "Chinstrap", "Gentoo"], n),
                "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n),
                "bill_length_mm": rng.normal(44, 5, n).round(1),
                "flipper_length_mm": rng.normal(200, 14, n).round(),
                "sex": rng.choice(np.array(["female", "male", None], dtype=object), n),
                "year": rng.choice([2007, 2008, 2009], n),
            }
        )
        df.loc[[3, 40], ["bill_length_mm", "flipper_length_mm"]] = np.nan
    n = len(df)
    df["keeper"] = [f"k{i:02d}" for i in rng.integers(0, 14, n)]
    df.loc[[0, 1], "keeper"] = ["solo1", "solo2"]
    df["colour"] = [f"c{i}" for i in rng.integers(0, 9, n)]
    df.loc[[2, 3, 4], "colour"] = ["rare1", "rare2", "rare3"]
    df["tagged"] = rng.choice(np.array(["yes", "no"], dtype=object), n)
    df.loc[[5, 6], "tagged"] = None
    return df


def _network(df, dtype="float32"):
    X = df.drop(columns="species")
    classes = sorted(set(df["species"]))
    Y = np.eye(3)[[classes.index(v) for v in df["species"]]]
    encoder = sn.TableEncoder.from_data(X)
    net = sn.Network(
        [encoder, sn.Dense(16, activation="relu"), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        seed=0,
        dtype=dtype,
    )
    net.fit(X, Y, epochs=15, batch_size=32)
    return net, X


def _raw_rows(X):
    """The frame's first 40 rows, with an unseen level, a merged one, gaps as NaN, None and ""
    (text), a boolean in other cases and an unknown spelling."""
    rows = X.iloc[:40].copy().reset_index(drop=True)
    rows.loc[0, "island"] = "Atlantis"
    rows.loc[1, "island"] = ""  # a gap where training had none: unknown
    rows.loc[2, ["keeper", "colour"]] = ["never seen", "rare2"]
    rows.loc[3, "keeper"] = "solo1"  # merged as rare: unknown
    rows.loc[4, "bill_length_mm"] = np.nan
    rows.loc[5, "year"] = np.nan  # a gap where training had none: the median
    rows.loc[6, "sex"] = ""
    rows.loc[7, "sex"] = None
    rows.loc[8:11, "tagged"] = ["YES", "False", "maybe", ""]
    return rows


def _feeds(rows, session):
    """onnxruntime's inputs for a frame: text (None and NaN as ""), numbers as the graph says."""
    feeds = {}
    for value in session.get_inputs():
        column = rows[value.name]
        if value.type == "tensor(string)":
            text = ["" if v is None or v != v else str(v) for v in column]
            feeds[value.name] = np.array(text, dtype=object).reshape(-1, 1)
        else:
            dtype = np.float32 if value.type == "tensor(float)" else np.float64
            feeds[value.name] = column.to_numpy(dtype).reshape(-1, 1)
    return feeds


def _session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_raw_rows_in_onnxruntime_match_predict(frame, tmp_path, dtype):
    net, X = _network(frame, dtype)
    encoder = net.layers[0]
    columns = {c["name"]: c for c in encoder.columns}
    keeper, colour = columns["keeper"], columns["colour"]
    assert keeper["dim"] > 0 and keeper["merged"] == ["solo1", "solo2"]  # embedded
    assert colour["dim"] == 0 and len(colour["merged"]) == 3  # one-hot, a merged column
    assert columns["tagged"]["kind"] == "boolean" and columns["island"]["dim"] == 0
    assert net.to_onnx(tmp_path / "m.onnx") <= 1e-5
    rows = _raw_rows(X)
    with pytest.warns(ColumnWarning):  # the unseen levels and gaps
        ours = net.predict(rows)
    session = _session(tmp_path / "m.onnx")
    theirs = session.run(None, _feeds(rows, session))[0]
    assert theirs.shape == ours.shape == (40, 3)
    assert np.max(np.abs(theirs - ours)) <= 1e-5
    # smallnet reads "" as a gap too: the same rows with None give the same predictions
    with pytest.warns(ColumnWarning):
        np.testing.assert_array_equal(net.predict(rows.replace({"": None})), ours)


def test_unseen_levels_and_gaps_change_the_graph_outputs(frame, tmp_path):
    net, X = _network(frame)
    net.to_onnx(tmp_path / "m.onnx")
    session = _session(tmp_path / "m.onnx")
    plain = X.iloc[:40].reset_index(drop=True)
    before = session.run(None, _feeds(plain, session))[0]
    after = session.run(None, _feeds(_raw_rows(X), session))[0]
    changed = np.abs(after - before).max(axis=1) > 1e-4
    assert changed[[0, 2, 4, 10, 11]].all()  # the rows _raw_rows edits are seen by the graph
    assert not changed[20:].any()


def test_inputs_are_the_columns_named_and_typed(frame, tmp_path):
    net, X = _network(frame)
    net.to_onnx(tmp_path / "m.onnx")
    graph = onnx.load(str(tmp_path / "m.onnx")).graph
    assert [value.name for value in graph.input] == list(X.columns)
    string, float32 = onnx.TensorProto.STRING, onnx.TensorProto.FLOAT
    for value in graph.input:
        tensor = value.type.tensor_type
        assert tensor.elem_type == (string if value.name in TEXT else float32), value.name
        assert [d.dim_param or d.dim_value for d in tensor.shape.dim] == ["batch", 1]
    ops = {node.op_type for node in graph.node}
    assert {"LabelEncoder", "IsNaN", "Where", "Gather", "Concat"} <= ops


def test_a_float64_network_takes_float64_numbers(frame, tmp_path):
    net, _ = _network(frame, "float64")
    net.to_onnx(tmp_path / "m.onnx")
    types = {i.name: i.type for i in _session(tmp_path / "m.onnx").get_inputs()}
    assert types["year"] == "tensor(double)" and types["island"] == "tensor(string)"


def test_the_probe_holds_gaps_unseen_levels_and_every_level(frame):
    net, _ = _network(frame)
    probe = probe_inputs(net, 256)
    island = next(c for c in net.layers[0].columns if c["name"] == "island")
    assert {"unseen", ""} | set(island["levels"]) <= set(probe["island"])
    assert {"maybe", "", "YES", "no", "T", "0"} <= set(probe["tagged"])
    assert np.isnan(probe["year"]).any() and probe["year"].dtype == np.float32


def test_a_date_column_is_refused_by_name(tmp_path):
    X = pd.DataFrame(
        {"size": [1.0, 2.0, 3.0, 4.0], "day": ["2024-01-02", "2024-02-03", "2024-03-04", None]}
    )
    net = sn.Network([sn.TableEncoder.from_data(X), sn.Dense(1)], seed=0).build()
    with pytest.raises(ValueError, match="column 'day' is a date: ONNX has no date parsing"):
        net.to_onnx(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_a_column_named_as_the_output_is_refused(tmp_path):
    X = pd.DataFrame({"Y": [1.0, 2.0, 3.0], "w": ["a", "b", "a"]})
    net = sn.Network([sn.TableEncoder.from_data(X), sn.Dense(1)], seed=0).build()
    with pytest.raises(ValueError, match="column 'Y': the ONNX graph's inputs are named"):
        net.to_onnx(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_smallnet_export_of_a_table_model(frame, tmp_path, capsys):
    pytest.importorskip("safetensors")
    data, model, out = tmp_path / "penguins.csv", tmp_path / "m.safetensors", tmp_path / "m.onnx"
    frame.to_csv(data, index=False)
    argv = ["train", data, "--target", "species", "--epochs", "3", "-o", model]
    assert cli.main([str(a) for a in argv]) == 0
    capsys.readouterr()
    assert cli.main(["export", str(model), "--onnx", str(out)]) == 0
    printed, err = capsys.readouterr()
    assert float(printed.split("random inputs: ")[1].split()[0]) <= 1e-5
    assert "of the outputs' largest, " in printed and err == ""
    inputs = {i.name: i.type for i in _session(out).get_inputs()}
    assert inputs["island"] == "tensor(string)" and inputs["tagged"] == "tensor(string)"
    assert "species" not in inputs
