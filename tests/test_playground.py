"""The playground without a browser: settings, sessions (train, step, set, weights, trace),
exports, and the HTTP server's checks (host, origin, sizes, bad input), and the command."""

import base64
import contextlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

import smallnet as sn
from browser import playground_server
from smallnet.cli import main
from smallnet.playground import exports, frames, server
from smallnet.playground.session import Session
from smallnet.playground.settings import FEATURES, Settings, parse

# -- settings ------------------------------------------------------------------------------------


def test_defaults_are_tensorflow_playgrounds():
    s = parse({})
    assert (s.dataset, s.noise, s.train_percent, s.batch_size) == ("circle", 0, 50, 10)
    assert (s.features, s.layers, s.activations) == (["x1", "x2"], [4, 2], ["tanh", "tanh"])
    assert (s.learning_rate, s.optimizer, s.regularization) == (0.03, "sgd", "none")


@pytest.mark.parametrize(
    "values, words",
    [
        ({"dataset": "moons"}, "dataset 'moons' is not one of"),
        ({"learning_rate": -1}, "learning_rate must be a number from"),
        ({"layers": [4, 9]}, "units must be a whole number from 1 to 8"),
        ({"layers": [1] * 7}, "at most 6 hidden layers"),
        ({"features": []}, "pick at least one input feature"),
        ({"features": ["x3"]}, "feature 'x3' is not one of"),
        ({"classes": 3, "dataset": "circle"}, "only gauss and spiral have more than 2"),
        ({"noise": 60}, "noise must be a whole number from 0 to 50"),
        ({"epochs": 3}, "unknown setting 'epochs'"),
        ({"dataset": "csv"}, "upload a CSV file"),
        ({"activations": ["softmax"]}, "activation 'softmax' is not one of"),
    ],
)
def test_bad_settings_name_the_setting(values, words):
    with pytest.raises(ValueError, match=words):
        parse(values)


def test_per_layer_lists_follow_the_layers():
    s = parse({"layers": [3, 3, 3], "activations": ["relu"], "dropout": []})
    assert s.activations == ["relu"] * 3 and s.dropout == [0.0] * 3
    assert parse({"dataset": "reg-gauss"}).problem == "regression"


# -- sessions ------------------------------------------------------------------------------------


def decode(b64):
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8) / 127.5 - 1


def test_frames_hold_every_neuron_and_the_output():
    session = Session({"features": ["x1", "x2", "x1^2"], "layers": [3, 2]})
    start = session.start()
    frame = start["frame"]
    assert frame["epoch"] == 0 and frame["train_loss"] > 0 and frame["test_loss"] > 0
    assert [len(layer) for layer in frame["neurons"]] == [3, 2, 1]
    half = frames.DENSITY // 2
    assert all(len(decode(g)) == half * half for layer in frame["neurons"] for g in layer)
    assert len(decode(frame["output"]["value"])) == frames.DENSITY**2
    assert [np.array(w["w"]).shape for w in frame["weights"]] == [(3, 3), (3, 2), (2, 1)]
    assert len(start["train"]) == 250 and len(start["test"]) == 250
    assert set(start["features"]) == {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"}
    json.dumps(start, allow_nan=False)


def test_the_output_map_is_the_networks_prediction():
    session = Session({"dataset": "xor"})
    session.train(5)
    out = decode(session.frame()["output"]["value"])
    p = session.network.predict(frames.grid(session.points.domain))[:, 0]
    assert np.abs(out - (2 * p - 1)).max() <= 1 / 127.5


def test_training_learns_xor_and_is_deterministic():
    values = {"dataset": "xor", "learning_rate": 0.1, "layers": [8, 4]}
    a, b = Session(values), Session(values)
    first = a.frame()["train_loss"]
    for _ in range(4):
        frame = a.train(25)
    assert frame["epoch"] == 100 and frame["train_loss"] < first / 2
    for _ in range(4):
        other = b.train(25)
    assert other == frame


@pytest.mark.parametrize(
    "values",
    [
        {"dataset": "spiral", "classes": 3, "optimizer": "adam", "learning_rate": 0.01},
        {"dataset": "gauss", "classes": 5, "dropout": [0.2, 0.0]},
        {"dataset": "reg-plane", "regularization": "l1", "regularization_rate": 0.001},
        {"dataset": "reg-gauss", "optimizer": "momentum", "regularization": "l2"},
        {"layers": [], "features": list(FEATURES)},
    ],
)
def test_every_kind_of_set_up_trains(values):
    session = Session(values)
    before = session.frame()["train_loss"]
    frame = session.train(30)
    assert frame["train_loss"] < before
    if values.get("classes", 2) > 2:
        assert len(frame["neurons"][-1]) == values["classes"]
        assert set(frame["output"]) == {"class", "confidence"}


def test_a_diverging_learning_rate_keeps_the_last_good_weights():
    session = Session(
        {"dataset": "reg-plane", "activations": ["identity"] * 2, "learning_rate": 100,
         "batch_size": 1, "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2"]}
    )  # fmt: skip
    frame = session.train(20)
    assert frame["diverged"] and "diverged" in frame["message"]
    assert "lower the learning rate" in frame["message"]
    assert np.isfinite(session.network.get_weights()[0]).all()
    assert frame["train_loss"] is not None


def test_rates_change_mid_run_and_weights_stay():
    session = Session({"dataset": "xor"})
    session.train(3)
    weights = [w.copy() for w in session.network.get_weights()]
    session.set(learning_rate=0.3, regularization_rate=0.01)
    assert session.network.optimizer.learning_rate == 0.3
    assert all(np.array_equal(a, b) for a, b in zip(weights, session.network.get_weights()))
    with pytest.raises(ValueError, match="learning_rate"):
        session.set(learning_rate="fast")


def test_a_weight_set_by_hand_changes_the_network():
    session = Session({})
    frame = session.set_weight(0, 1, 2, 3.5)
    assert frame["weights"][0]["w"][1][2] == 3.5
    assert session.set_weight(1, "bias", 0, -1.0)["weights"][1]["b"][0] == -1.0
    for args, words in [((5, 0, 0, 1.0), "layer must be"), ((0, 9, 0, 1.0), "no weight"),
                        ((0, 0, 0, float("nan")), "must be a number")]:  # fmt: skip
        with pytest.raises(ValueError, match=words):
            session.set_weight(*args)


def test_the_tutorials_step_view_is_smallnet_trace():
    settings = {"dataset": "tutorial", "layers": [4], "activations": ["sigmoid"],
                "learning_rate": 1.0, "seed": 1}  # fmt: skip
    session = Session(settings)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["trace", "--step", "2"]) == 0
    session.train(1)
    session.train(1)
    quiet = "(steps 0 to 1 ran quietly before it)\n"
    assert session.trace()["text"].strip() == printed.getvalue().replace(quiet, "").strip()
    assert "l1_delta" in printed.getvalue() and "syn0" in printed.getvalue()
    # the view is taken on a copy: the run stays where it was
    assert session.train(1)["epoch"] == 3
    with pytest.raises(ValueError, match="pick dataset tutorial"):
        Session({}).trace()


def test_the_tutorial_trains_as_the_tutorial():
    session = Session({"dataset": "tutorial", "layers": [4], "activations": ["sigmoid"],
                       "learning_rate": 1.0, "seed": 1})  # fmt: skip
    for _ in range(60):
        frame = session.train(100)
    net = sn.tutorial.network(hidden=(4,))
    X, y = sn.datasets.tutorial()
    net.fit(X, y, epochs=6000)
    assert frame["predictions"] == np.round(net.predict(X)[:, 0], 6).tolist()


# -- exports -------------------------------------------------------------------------------------


def test_the_exported_model_predicts_what_the_page_showed(tmp_path):
    session = Session({"dataset": "spiral", "classes": 3, "features": ["x1", "x2", "sin(x1)"]})
    frame = session.train(10)
    path = tmp_path / "playground.safetensors"
    path.write_bytes(exports.model_bytes(session, "safetensors"))
    loaded = sn.load(path)
    probs = loaded.predict(frames.grid(session.points.domain))
    shown = np.frombuffer(base64.b64decode(frame["output"]["class"]), dtype=np.uint8)
    assert np.array_equal(probs.argmax(axis=1), shown)
    assert loaded.metadata["classes"] == ["0", "1", "2"]
    assert loaded.metadata["playground"]["dataset"] == "spiral"


def test_the_onnx_export_matches(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    session = Session({"dataset": "circle", "features": ["x1", "x2", "x1^2", "x1*x2"]})
    session.train(3)
    data = exports.model_bytes(session, "onnx")
    grid = frames.grid(session.points.domain).astype(np.float32)
    out = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(["Y"], {"X": grid})
    assert np.abs(out[0][:, 0] - session.network.predict(grid)[:, 0]).max() < 1e-5


@pytest.mark.parametrize(
    "values",
    [
        {"dataset": "gauss", "noise": 20, "layers": [3], "optimizer": "adam",
         "regularization": "l2", "regularization_rate": 0.003, "dropout": [0.1]},
        {"dataset": "spiral", "classes": 4, "seed": 7, "features": ["x1", "x2", "sin(x2)"]},
        {"dataset": "tutorial", "layers": [4], "activations": ["sigmoid"], "learning_rate": 1},
    ],
)  # fmt: skip
def test_the_exported_python_code_trains_the_same_network(tmp_path, values):
    session = Session(values)
    frame = session.train(7)
    script = tmp_path / "playground.py"
    script.write_text(exports.python_code(session))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, check=True,
    )  # fmt: skip
    printed = dict(line.rsplit(" ", 1) for line in done.stdout.strip().splitlines())
    assert float(printed["train loss"]) == pytest.approx(frame["train_loss"], rel=1e-12)
    if frame["test_loss"] is not None:
        assert float(printed["test loss"]) == pytest.approx(frame["test_loss"], rel=1e-12)


# -- the server ----------------------------------------------------------------------------------


@pytest.fixture()
def playground():
    with playground_server() as srv:
        yield srv


def request(srv, method, path, body=None, headers=None, raw=False):
    connection = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=30)
    headers = dict(headers or {})
    if body is not None and not raw:
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    is_json = response.getheader("Content-Type", "").startswith("application/json")
    return response, json.loads(data) if is_json else data


def test_the_page_and_its_files_are_served_with_a_strict_policy(playground):
    response, html = request(playground, "GET", "/")
    assert response.status == 200 and b'data-testid="play"' in html
    assert "connect-src 'self'" in response.getheader("Content-Security-Policy")
    for path in ("/playground.js", "/playground.css"):
        response, data = request(playground, "GET", path)
        assert response.status == 200 and len(data) > 1000
        assert b"http://" not in data and b"https://" not in data  # nothing from the internet
    assert b"https://" not in html and b"http://" not in html
    assert request(playground, "GET", "/nothing")[0].status == 404


def test_a_run_through_the_api(playground):
    response, start = request(playground, "POST", "/api/reset", {"settings": {"dataset": "xor"}})
    assert response.status == 200 and start["frame"]["epoch"] == 0
    session = start["session"]
    _, frame = request(playground, "POST", "/api/train", {"session": session, "epochs": 5})
    assert frame["epoch"] == 5
    assert request(playground, "POST", "/api/step", {"session": session})[1]["epoch"] == 6
    _, frame = request(playground, "POST", "/api/set", {"session": session, "learning_rate": 0.3})
    assert frame["epoch"] == 6
    _, frame = request(
        playground, "POST", "/api/weight",
        {"session": session, "layer": 0, "row": 0, "column": 0, "value": 2.0},
    )  # fmt: skip
    assert frame["weights"][0]["w"][0][0] == 2.0
    response, code = request(playground, "POST", "/api/export/python", {"session": session})
    assert response.status == 200 and b"sn.Network(" in code
    assert 'filename="playground.py"' in response.getheader("Content-Disposition")
    response, model = request(playground, "POST", "/api/export/model", {"session": session})
    assert response.status == 200 and len(model) > 100
    response, _ = request(playground, "GET", "/api/thumbnails")
    assert response.status == 200


@pytest.mark.parametrize(
    "path, body, status, words",
    [
        ("/api/reset", {"settings": {"noise": 99}}, 400, "noise must be"),
        ("/api/train", {"session": "nope"}, 404, "session has ended"),
        ("/api/nothing", {"session": "nope"}, 404, "no such request"),
        ("/api/export/pdf", {"session": "nope"}, 404, "no export 'pdf'"),
        ("/api/reset", {"settings": [1]}, 400, "must be a JSON object"),
    ],
)
def test_bad_requests_get_a_message(playground, path, body, status, words):
    response, answer = request(playground, "POST", path, body)
    assert response.status == status and words in answer["error"]


def test_bad_epochs_and_bodies(playground):
    session = request(playground, "POST", "/api/reset", {"settings": {}})[1]["session"]
    _, answer = request(playground, "POST", "/api/train", {"session": session, "epochs": 0})
    assert "epochs must be" in answer["error"]
    response, answer = request(
        playground, "POST", "/api/train", "{not json", {"Content-Type": "application/json"}, True
    )
    assert response.status == 400 and "not JSON" in answer["error"]
    response, answer = request(
        playground, "POST", "/api/train", "x", {"Content-Type": "text/plain"}, True
    )
    assert response.status == 415


def test_other_hosts_and_origins_are_refused(playground):
    port = playground.server_address[1]
    response, answer = request(playground, "GET", "/", headers={"Host": f"evil.example:{port}"})
    assert response.status == 403 and "not this server's" in answer["error"]
    response, answer = request(
        playground, "POST", "/api/reset", {"settings": {}}, {"Origin": "http://evil.example"}
    )
    assert response.status == 403 and "refused" in answer["error"]
    ok = request(playground, "POST", "/api/reset", {"settings": {}},
                 {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"})  # fmt: skip
    assert ok[0].status == 200


def test_uploads_are_capped(playground, monkeypatch):
    monkeypatch.setattr(server, "MAX_UPLOAD", 1000)
    response, answer = request(playground, "POST", "/api/upload", "a,b\n" + "1,2\n" * 600, raw=True)
    assert response.status == 413 and "up to" in answer["error"]


CSV = "length,width,kind\n" + "".join(
    f"{10 + i % 7},{3 + (i * 37) % 11 / 3:.2f},{'big' if i % 7 > 3 else 'small'}\n"
    for i in range(120)
)


def test_a_csv_file_trains(playground):
    response, upload = request(
        playground, "POST", "/api/upload", CSV, {"X-Filename": "k.csv"}, True
    )
    assert response.status == 200 and upload["rows"] == 120
    assert [c["numeric"] for c in upload["columns"]] == [True, True, False]
    settings = {"dataset": "csv", "upload": upload["upload"], "x_column": "length",
                "y_column": "width", "label_column": "kind", "learning_rate": 0.3}  # fmt: skip
    _, start = request(playground, "POST", "/api/reset", {"settings": settings})
    assert start["labels"] == ["big", "small"] and len(start["train"]) == 60
    (x_lo, x_hi), _ = start["domain"]
    assert x_lo < 10 < 16 < x_hi  # the file's own units
    _, frame = request(
        playground, "POST", "/api/train", {"session": start["session"], "epochs": 50}
    )
    assert frame["train_loss"] < start["frame"]["train_loss"]
    bad = {**settings, "x_column": "kind"}
    _, answer = request(playground, "POST", "/api/reset", {"settings": bad})
    assert "column 'kind' is not numeric" in answer["error"]
    _, answer = request(playground, "POST", "/api/reset", {"settings": {**settings, "upload": "x"}})
    assert "upload it again" in answer["error"]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\x00\x01\x02\xff\xfe" * 50, "UTF-8"),
        (b"", "empty"),
        (b"a,b\n1,2,3,4\n5\n", "k.csv, line 2"),
    ],
)
def test_a_file_that_is_no_csv_gets_a_message(playground, data, words):
    headers = {"X-Filename": "k.csv"}
    response, answer = request(playground, "POST", "/api/upload", data, headers, raw=True)
    assert response.status == 400 and words in answer["error"]
    assert "tmp" not in answer["error"]


# -- the command ---------------------------------------------------------------------------------


def test_the_command_serves_until_interrupted():
    process = subprocess.Popen(
        [sys.executable, "-m", "smallnet", "playground", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert line.startswith("smallnet playground: http://127.0.0.1:")
        url = line.split()[2]
        port = int(url.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0 and "stopped" in err and "Traceback" not in err


def test_a_port_in_use_is_one_line_and_exit_2(capsys):
    srv = server.serve("127.0.0.1", 0)
    try:
        code = main(["playground", "--port", str(srv.server_address[1]), "--no-browser"])
    finally:
        srv.server_close()
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is in use: pick another with --port" in err


def test_settings_dataclass_round_trips():
    s = parse({"dataset": "gauss", "classes": 4})
    assert parse(s.to_json()) == s and isinstance(s, Settings)


def test_the_exported_code_of_a_csv_run_reads_the_file(tmp_path, playground):
    (tmp_path / "k.csv").write_text(CSV)
    _, upload = request(playground, "POST", "/api/upload", CSV, {"X-Filename": "k.csv"}, True)
    settings = {"dataset": "csv", "upload": upload["upload"], "x_column": "length",
                "y_column": "width", "label_column": "kind"}  # fmt: skip
    session = Session(settings, playground.state.uploads[upload["upload"]])
    frame = session.train(4)
    script = tmp_path / "playground.py"
    script.write_text(exports.python_code(session, "k.csv"))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, check=True,
    )  # fmt: skip
    assert done.stdout.startswith(f"train loss {frame['train_loss']!r}")


def test_a_runaway_finite_loss_is_a_divergence_too():
    session = Session({"dataset": "reg-plane", "activations": ["identity"] * 2, "batch_size": 1,
                       "learning_rate": 10})  # fmt: skip
    before = session.network.get_weights()
    frame = session.train(5)
    assert frame["diverged"] and frame["epoch"] == 0  # the failed epochs don't count
    assert all(np.array_equal(a, b) for a, b in zip(before, session.network.get_weights()))
    assert "the weights from epoch 0 are kept" in frame["message"]
    session.set(learning_rate=0.001)
    frame = session.train(2)
    assert not frame["diverged"] and frame["epoch"] == 2 and frame["message"] == ""


def test_a_csv_regression_learns_in_the_files_units(playground, tmp_path):
    _, upload = request(playground, "POST", "/api/upload", CSV, {"X-Filename": "k.csv"}, True)
    settings = {"dataset": "csv", "upload": upload["upload"], "x_column": "width",
                "y_column": "width", "label_column": "length", "problem": "regression",
                "learning_rate": 0.1}  # fmt: skip
    _, start = request(playground, "POST", "/api/reset", {"settings": settings})
    assert start["target_range"] == [10.0, 16.0] and start["labels"] == []
    assert max(abs(row[2]) for row in start["train"]) <= 1  # trained on [-1, 1]
    session = Session(settings, playground.state.uploads[upload["upload"]])
    session.train(20)
    path = tmp_path / "m.safetensors"
    path.write_bytes(exports.model_bytes(session, "safetensors"))
    raw = sn.load(path).predict(session.points.X_train)[:, 0]
    scaled = session.network.predict(session.points.X_train)[:, 0]
    assert np.allclose(raw, scaled * 3 + 13) and 9 < raw.mean() < 17
    assert "classes" not in sn.load(path).metadata["playground"]


def test_a_bad_setting_is_named_for_the_page(playground):
    settings = {"dataset": "xor", "noise": 20, "layers": [99]}
    response, answer = request(playground, "POST", "/api/reset", {"settings": settings})
    assert response.status == 400 and answer["setting"] == "layers"
    assert "units must be a whole number" in answer["error"]


def test_a_body_cut_short_is_refused(playground):
    with socket.create_connection(("127.0.0.1", playground.server_address[1]), timeout=10) as c:
        host = f"127.0.0.1:{playground.server_address[1]}"
        c.sendall(f"POST /api/upload HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1000\r\n\r\n"
                  "a,b".encode())  # fmt: skip
        c.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := c.recv(65536):
            answer += chunk
    answer = answer.decode()
    assert " 400 " in answer.splitlines()[0] and "cut short: 3 of 1000 bytes" in answer


def test_on_every_interface_only_addresses_name_the_server():
    srv = server.serve("0.0.0.0", 0)
    try:
        port = srv.server_address[1]
        assert f"192.168.1.5:{port}" in srv.hosts and f"localhost:{port}" in srv.hosts
        assert f"[::1]:{port}" in srv.hosts
        assert f"evil.example:{port}" not in srv.hosts  # a rebinding attack's host is a name
        assert f"192.168.1.5:{port + 1}" not in srv.hosts
        assert srv.url == f"http://127.0.0.1:{port}/"
    finally:
        srv.server_close()
