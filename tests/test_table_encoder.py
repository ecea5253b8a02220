"""TableEncoder: a table's raw columns encoded, the embeddings trained, saved and copied whole."""

import copy
import pickle

import numpy as np
import pytest

import smallnet as sn
from smallnet.columns import ColumnWarning
from smallnet.csvdata import read_csv
from smallnet.layers.table import embedding_size

pd = pytest.importorskip("pandas")

N = 120
CITY_DIM, SHOP_DIM = embedding_size(31), embedding_size(13)  # levels and the unknown


def _frame(seed=0):
    """Numbers with gaps, text with a missing level, a boolean, a date, a category of 30 levels,
    two with rare levels (embedded, and one-hot), numbers without gaps and a constant."""
    rng = np.random.RandomState(seed)
    income = rng.normal(50, 10, N)
    income[[3, 7]] = np.nan
    colour = rng.choice(["red", "green", "blue"], N).astype(object)
    colour[[5, 9]] = None
    start = np.datetime64("2021-01-01")
    shop = [f"s{i % 12:02d}" for i in range(N - 20)] + [f"r{i:02d}" for i in range(20)]
    tier = [f"t{i % 8}" for i in range(N - 4)] + ["x1", "x2", "x3", "x4"]
    return pd.DataFrame(
        {
            "income": income,
            "colour": colour,
            "member": rng.choice(["yes", "no"], N),
            "joined": [str(start + int(k)) for k in rng.randint(0, 700, N)],
            "city": [f"c{i % 30:02d}" for i in range(N)],
            "shop": rng.permutation(shop),
            "tier": rng.permutation(tier),
            "full": rng.normal(size=N),
            "site": ["A"] * N,
        }
    )


NUMERIC = ["income", "income_na", "member"]
NUMERIC += [f"joined_{part}" for part in ("year", "month", "day", "weekday")] + ["full"]
NAMES = NUMERIC + ["colour=blue", "colour=green", "colour=red", "colour=<missing>"]
NAMES += [f"city_embedding_{i}" for i in range(CITY_DIM)]
NAMES += [f"shop_embedding_{i}" for i in range(SHOP_DIM)]
NAMES += ["tier=other"] + [f"tier=t{i}" for i in range(8)]


def _net(seed=0):
    layers = [sn.TableEncoder.from_data(_frame()), sn.Dense(4, activation="tanh"), sn.Dense(1)]
    return sn.Network(layers, loss="mse", optimizer=sn.Adam(0.02), seed=seed, dtype="float64")


def _y(frame):
    return (frame["full"].to_numpy() + (frame["member"] == "yes").to_numpy())[:, None]


def test_columns_are_encoded_to_the_widths_their_kinds_take():
    encoder = sn.TableEncoder.from_data(_frame())
    kinds = {c["name"]: (c["kind"], c["gaps"], c.get("dim")) for c in encoder.columns}
    assert kinds == {
        "income": ("number", True, None),
        "colour": ("category", True, 0),
        "member": ("boolean", False, None),
        "joined": ("date", False, None),
        "city": ("category", False, CITY_DIM),
        "shop": ("category", False, SHOP_DIM),
        "tier": ("category", False, 0),
        "full": ("number", False, None),
    }
    assert encoder.left_out == [{"name": "site", "kind": "constant"}]
    shop, tier = encoder.columns[5], encoder.columns[6]
    assert len(shop["levels"]) == 12 and len(shop["merged"]) == 20  # seen once: merged
    assert tier["merged"] == ["x1", "x2", "x3", "x4"] and len(tier["levels"]) == 8
    assert encoder.n_numeric == 8 and encoder.input_dim == 8 + 4
    assert encoder.units == len(NAMES) == 8 + 4 + CITY_DIM + SHOP_DIM + 9
    assert encoder.output_names() == NAMES
    rebuilt = sn.TableEncoder.from_config(encoder.config())
    assert (rebuilt.input_dim, rebuilt.units) == (encoder.input_dim, encoder.units)


def test_the_encoded_values():
    frame = _frame()
    net = _net().build(12)
    encoder = net.layers[0]
    Z = encoder.prepare(frame)
    out = encoder.forward(Z)
    column = {name: out[:, j] for j, name in enumerate(NAMES)}
    income = frame["income"].to_numpy()
    filled = np.where(np.isnan(income), np.nanmedian(income), income)
    np.testing.assert_allclose(column["income"], (filled - filled.mean()) / filled.std())
    np.testing.assert_array_equal(column["income_na"], np.isnan(income))
    np.testing.assert_allclose(column["full"].mean(), 0, atol=1e-12)
    assert column["member"][frame["member"] == "yes"].min() > column["member"].min()
    np.testing.assert_array_equal(column["colour=<missing>"], frame["colour"].isna())
    np.testing.assert_array_equal(column["colour=red"], frame["colour"] == "red")
    np.testing.assert_array_equal(column["tier=other"], frame["tier"].str.startswith("x"))
    hot = out[:, NAMES.index("colour=blue") : NAMES.index("city_embedding_0")]
    np.testing.assert_array_equal(hot.sum(axis=1), 1)
    city = out[:, NAMES.index("city_embedding_0") : NAMES.index("shop_embedding_0")]
    table = encoder.embeddings[: 31 * CITY_DIM].reshape(31, CITY_DIM)
    codes = [int(name[1:]) + 1 for name in frame["city"]]  # c00..c29: levels 1..30
    np.testing.assert_array_equal(city, table[codes])
    shop = out[:, NAMES.index("shop_embedding_0") : NAMES.index("tier=other")]
    rare = frame["shop"].str.startswith("r").to_numpy()
    shop_table = encoder.embeddings[31 * CITY_DIM :].reshape(13, SHOP_DIM)
    np.testing.assert_array_equal(shop[rare], np.repeat(shop_table[:1], rare.sum(), axis=0))


def test_a_level_not_seen_in_training_warns_and_is_unknown():
    frame = _frame()
    net = _net()
    net.fit(frame, _y(frame), epochs=2, batch_size=32)
    new = frame.iloc[:4].copy()
    new["colour"] = ["purple", "pink", "purple", "red"]
    new.loc[1, "city"] = "nowhere"
    new.loc[2, "shop"] = "r03"  # merged in training: known, no warning
    with pytest.warns(ColumnWarning) as caught:
        p = net.predict(new)
    assert [str(w.message) for w in caught] == [
        "column 'colour': 3 rows with levels not seen in training ('purple', 'pink'): "
        "encoded as unknown",
        "column 'city': 1 row with levels not seen in training ('nowhere'): encoded as unknown",
    ]
    assert p.shape == (4, 1) and np.isfinite(p).all()
    with pytest.warns(ColumnWarning, match="'purple'"):
        out = net.layers[0].forward(net.layers[0].prepare(new.iloc[[0]]))
    hot = out[0, NAMES.index("colour=blue") : NAMES.index("city_embedding_0")]
    np.testing.assert_array_equal(hot, 0)


def test_a_gap_where_training_had_none_warns_and_is_filled_with_the_median():
    frame = _frame()
    encoder = sn.TableEncoder.from_data(frame)
    new = frame.iloc[:3].copy()
    new.loc[[0, 2], "full"] = np.nan
    with pytest.warns(
        ColumnWarning,
        match=r"^column 'full': 2 rows with gaps, where training had none: filled with the "
        r"training median$",
    ):
        Z = encoder.prepare(new)
    full = NAMES.index("full")
    median = np.median(frame["full"])
    expected = (median - frame["full"].mean()) / frame["full"].std(ddof=0)
    np.testing.assert_allclose(Z[[0, 2], full], expected)
    np.testing.assert_array_equal(Z[1, full], encoder.prepare(frame.iloc[[1]])[0, full])
    new = frame.iloc[:2].copy()
    new.loc[0, "city"] = None  # a category without gaps in training: unknown
    with pytest.warns(ColumnWarning, match="column 'city': 1 row with levels not seen"):
        assert encoder.prepare(new)[0, 8 + 1] == 0


def test_words_among_numbers_at_prediction_warn_and_are_filled():
    frame = _frame()
    encoder = sn.TableEncoder.from_data(frame)
    new = frame.iloc[:3].astype({"full": object})
    new.loc[1, "full"] = "n.a."
    new.loc[2, "member"] = "maybe"
    with pytest.warns(ColumnWarning) as caught:
        Z = encoder.prepare(new)
    messages = [str(w.message) for w in caught]
    assert messages[0] == (
        "column 'member': 1 row with values that aren't a boolean ('maybe'): filled with the "
        "training median"
    )
    assert (
        messages[1]
        == "row 1, column 'full': 'n.a.' is not a number: filled with the training median"
    )
    assert np.isfinite(Z).all()


def test_prepare_takes_a_frame_a_dict_a_table_or_a_2d_array_alike(tmp_path):
    frame = _frame()
    encoder = sn.TableEncoder.from_data(frame)
    Z = encoder.prepare(frame)
    assert Z.shape == (N, 12) and np.isfinite(Z).all()
    used = [c["name"] for c in encoder.columns]
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    forms = {
        "dict": {name: frame[name].to_numpy() for name in frame},
        "table": read_csv(path),
        "array": frame[used].to_numpy(dtype=object),
        "reordered frame": frame[used[::-1] + ["site"]],
    }
    for form, data in forms.items():
        np.testing.assert_array_equal(encoder.prepare(data), Z, err_msg=form)
    from_csv = sn.TableEncoder.from_data(path)
    assert from_csv.columns == encoder.columns
    np.testing.assert_array_equal(from_csv.prepare(read_csv(path)), Z)
    with pytest.raises(ValueError, match=r"^the table has no column 'city'; the model takes "):
        encoder.prepare(frame.drop(columns="city"))
    with pytest.raises(ValueError, match=r"2-D array of 8 columns \(income, colour, .*shape"):
        encoder.prepare(frame.to_numpy(dtype=object))  # the left-out column too


def test_pandas_gaps_of_every_kind_are_gaps():
    frame = pd.DataFrame(
        {
            "s": pd.array(["a", "b", None] * 10, dtype="string"),
            "b": pd.array([True, False, None] * 10, dtype="boolean"),
            "c": pd.Categorical(["u", "v", None] * 10),
            "i": pd.array([1, 2, None, 4, 5] * 6, dtype="Int64"),
        }
    )
    encoder = sn.TableEncoder.from_data(frame)
    assert {t.name: (t.kind, t.missing) for t in encoder.types} == {
        "s": ("category", 10),
        "b": ("boolean", 10),
        "c": ("category", 10),
        "i": ("number", 6),
    }
    assert "s=<NA>" not in encoder.output_names()


def test_from_data_passes_over_the_target_and_ignored_columns_and_refuses_nothing_to_use():
    frame = _frame()
    encoder = sn.TableEncoder.from_data(frame, target="full", ignore=["city", "shop"])
    assert [c["name"] for c in encoder.columns] == ["income", "colour", "member", "joined", "tier"]
    with pytest.raises(ValueError, match="^no feature columns to encode$"):
        sn.TableEncoder.from_data(frame[["full"]], target="full")
    with pytest.raises(ValueError, match="^no column is usable: 'site' is constant$"):
        sn.TableEncoder.from_data(frame[["site"]])


def test_save_and_load_predict_the_same(tmp_path):
    frame = _frame()
    net = _net()
    net.fit(frame, _y(frame), epochs=3, batch_size=32)
    path = tmp_path / "model.safetensors"
    net.save(path)
    loaded = sn.load(path)
    assert isinstance(loaded.layers[0], sn.TableEncoder)
    assert loaded.layers[0].output_names() == NAMES
    np.testing.assert_array_equal(loaded.predict(frame), net.predict(frame))
    new = frame.iloc[:2].copy()
    new["colour"] = "purple"
    with pytest.warns(ColumnWarning, match="'purple'"):
        unseen = loaded.predict(new)
    with pytest.warns(ColumnWarning, match="'zzz'"):  # unknown is unknown, whatever its name
        np.testing.assert_array_equal(unseen, net.predict(new.assign(colour="zzz")))


def test_only_the_embeddings_train():
    frame = _frame()
    net = _net()
    net.build(12)
    encoder = net.layers[0]
    before = [encoder.embeddings.copy(), encoder.fill.copy(), encoder.center.copy()]
    net.fit(frame, _y(frame), epochs=2, batch_size=32)
    assert encoder.params[0] is encoder.embeddings and len(encoder.params) == 1
    assert not np.array_equal(encoder.embeddings, before[0])
    np.testing.assert_array_equal(encoder.fill, before[1])
    np.testing.assert_array_equal(encoder.center, before[2])


def _small_frame(seed=1, n=40):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "city": [f"c{i % 12:02d}" for i in range(n)],  # embedded, codes repeated
            "x": rng.normal(size=n),
            "shop": [f"s{i % 11}" for i in range(n - 4)] + ["r1", "r2", "r3", "r4"],  # merged
            "colour": rng.choice(["a", "b"], n),
        }
    )


def test_gradcheck_of_the_embeddings():
    frame = _small_frame()
    y = np.random.RandomState(4).normal(size=(len(frame), 2))
    encoder = sn.TableEncoder.from_data(frame)
    assert [c["dim"] for c in encoder.columns if c["kind"] == "category"] == [7, 6, 0]
    net = sn.Network([encoder, sn.Dense(3, activation="tanh"), sn.Dense(2)], loss="mse", seed=5)
    assert sn.gradcheck(net, frame, y) < 1e-6


def test_gradcheck_finds_a_wrong_embedding_gradient():
    class Broken(sn.TableEncoder):
        def backward(self, error, error_below=True):
            super().backward(error, error_below)
            self.steps[0][-1] *= 1.5  # the last row of the last table

    frame = _small_frame()
    y = np.random.RandomState(4).normal(size=(len(frame), 2))
    right = sn.TableEncoder.from_data(frame)
    broken = Broken(right.columns, right.left_out)
    broken.fill, broken.center, broken.scale = right.fill, right.center, right.scale
    net = sn.Network([broken, sn.Dense(3, activation="tanh"), sn.Dense(2)], loss="mse", seed=5)
    assert sn.gradcheck(net, frame, y) > 1e-3


def test_the_same_seed_draws_and_trains_the_same_weights():
    frame = _frame()
    a, b, c = _net(seed=3), _net(seed=3), _net(seed=4)
    for net in (a, b, c):
        net.build(12)
    np.testing.assert_array_equal(a.flat_params, b.flat_params)
    assert not np.array_equal(a.layers[0].embeddings, c.layers[0].embeddings)
    first = a.fit(frame, _y(frame), epochs=3, batch_size=16)
    second = b.fit(frame, _y(frame), epochs=3, batch_size=16)
    assert first["loss"] == second["loss"]
    np.testing.assert_array_equal(a.flat_params, b.flat_params)


def test_a_table_encoder_can_only_be_the_first_layer():
    encoder = sn.TableEncoder.from_data(_frame())
    with pytest.raises(ValueError, match="^a TableEncoder can only be a network's first layer$"):
        sn.Network([sn.Dense(3), encoder])
    net = sn.Network([sn.Dense(3)])
    with pytest.raises(ValueError, match="^a TableEncoder can only be a network's first layer$"):
        net.add(encoder)
    assert len(net.layers) == 1
    sn.Network([encoder, sn.Dense(1)])  # refused elsewhere, it is still free to be first
    with pytest.raises(ValueError, match="has no error to send down"):
        encoder.backward(np.zeros((1, encoder.units)))


@pytest.mark.parametrize(
    "duplicate",
    [copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))],
    ids=["deepcopy", "pickle"],
)
def test_a_copy_trains_on_bit_for_bit_like_the_original(duplicate):
    frame = _frame()
    y = _y(frame)
    net = _net()
    net.fit(frame, y, epochs=2, batch_size=32)
    twin = duplicate(net)
    assert all(np.shares_memory(p, twin.flat_params) for p in twin.params)
    assert twin.layers[0].output_names() == NAMES
    first = net.fit(frame, y, epochs=3, batch_size=32)
    second = twin.fit(frame, y, epochs=3, batch_size=32)
    assert second["loss"] == first["loss"] and second["loss"][-1] < second["loss"][0]
    for a, b in zip(net.params, twin.params):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(twin.predict(frame), net.predict(frame))


def test_a_large_table_is_fitted_on_threads_to_the_same_encoder(monkeypatch):
    from smallnet.layers import table

    frame = _frame()
    serial = sn.TableEncoder.from_data(frame)
    monkeypatch.setattr(table, "PARALLEL_ROWS", 1)  # this table counts as large
    threaded = sn.TableEncoder.from_data(frame)
    assert threaded.config() == serial.config()
    for name in ("fill", "center", "scale"):
        np.testing.assert_array_equal(getattr(threaded, name), getattr(serial, name))
    np.testing.assert_array_equal(threaded.prepare(frame), serial.prepare(frame))


def test_on_threads_the_first_columns_error_is_the_one_raised(monkeypatch):
    from smallnet.layers import table

    monkeypatch.setattr(table, "PARALLEL_ROWS", 1)
    frame = pd.DataFrame({"a": np.arange(5.0), "b": [1e308, -1e308] * 2 + [0.0],
                          "c": [1e308, -1e308] * 2 + [0.0]})  # fmt: skip
    with pytest.raises(ValueError, match="^column 'b' holds values too large"):
        sn.TableEncoder.from_data(frame)


def test_a_path_given_to_fit_or_predict_says_to_read_the_file_first(tmp_path):
    frame = _frame()
    path = tmp_path / "t.csv"
    frame.to_csv(path)
    net = sn.Network([sn.TableEncoder.from_data(path), sn.Dense(1)], loss="mse", seed=0)
    net.build()
    with pytest.raises(ValueError, match=r"not the path '.*t\.csv': read the file first"):
        net.predict(str(path))
    with pytest.raises(ValueError, match=r"not the path '.*t\.csv'"):
        net.fit(path, np.zeros((N, 1)))


def test_a_table_of_unusable_columns_says_empty_for_a_column_without_values():
    frame = pd.DataFrame({"z": [np.nan] * 5, "t": [None] * 5, "c": [3.0] * 5})
    with pytest.raises(
        ValueError, match="^no column is usable: 'z' is empty, 't' is empty, 'c' is constant$"
    ):
        sn.TableEncoder.from_data(frame)
