"""The playground in headless Chromium: play, step, keys, the URL, a CSV file, exports, edits,
bad input; no request leaves the machine and the console stays clean.

SMALLNET_SCREENSHOT=path saves the README's picture of the page (see docs/playground.png).
"""

import base64
import os
import re

import numpy as np
import pytest

import smallnet as sn
from browser import Watched, chromium, missing, playground_server
from smallnet.playground import frames

why = missing()
if why and os.environ.get("CI") == "true":
    raise RuntimeError(f"the browser tests must run under CI: {why}")
pytestmark = pytest.mark.skipif(why is not None, reason=why or "")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def srv():
    with playground_server() as s:
        yield s


@pytest.fixture()
def page(browser, srv):
    watched = Watched(browser, srv.url.rstrip("/"))
    yield watched
    errors, foreign = watched.unexpected_errors(), watched.foreign
    watched.close()
    assert not errors, errors
    assert not foreign, f"requests left the machine: {foreign}"


def open_page(watched, hash_=""):
    page = watched.page
    page.goto(watched.origin + "/" + hash_)
    page.wait_for_function("window.playground && window.playground.frame !== null")
    return page


def number(page, testid):
    return float(page.get_by_test_id(testid).inner_text())


def wait_text(page, testid, condition):
    """Wait until `condition`, JavaScript of `t` (the element's text), holds."""
    page.wait_for_function(
        f"(t => {condition})(document.querySelector('[data-testid=\"{testid}\"]').textContent)",
        timeout=60_000,
    )


def wait_epoch(page, at_least):
    wait_text(page, "epoch", f"Number(t) >= {at_least}")


def wait_paused(page):
    page.wait_for_function(
        "document.querySelector('#play').getAttribute('aria-pressed') === 'false'"
    )


def test_xor_plays_and_learns(page):
    p = open_page(page)
    p.get_by_test_id("dataset-xor").click()
    p.wait_for_function("location.hash.includes('dataset=xor')")
    p.wait_for_function("window.playground.run.settings.dataset === 'xor'")
    first = number(p, "train-loss")
    p.get_by_test_id("play").click()
    wait_epoch(p, 150)
    p.get_by_test_id("play").click()  # pause (a frame on its way is still shown)
    wait_paused(p)
    p.wait_for_timeout(200)
    epoch = number(p, "epoch")
    p.wait_for_timeout(400)
    assert number(p, "epoch") == epoch  # paused means paused
    assert number(p, "train-loss") < first * 0.8
    assert number(p, "test-loss") > 0


def test_step_and_keys(page):
    p = open_page(page)
    p.get_by_test_id("step").click()
    wait_text(p, "epoch", "t === '1'")
    p.get_by_test_id("step").click()
    wait_text(p, "epoch", "t === '2'")
    p.locator("body").click(position={"x": 5, "y": 300})
    p.keyboard.press("ArrowRight")
    wait_text(p, "epoch", "t === '3'")
    p.keyboard.press(" ")
    wait_epoch(p, 20)
    p.keyboard.press(" ")
    wait_paused(p)


def test_the_url_brings_the_set_up_back(page):
    p = open_page(page)
    p.get_by_test_id("dataset-spiral").click()
    p.wait_for_function("window.playground.run.settings.dataset === 'spiral'")
    p.get_by_test_id("learning-rate").select_option("0.1")
    p.get_by_test_id("add-layer").click()
    p.wait_for_function("window.playground.run.settings.layers.length === 3")
    p.get_by_test_id("activation").select_option("relu")
    p.wait_for_function("window.playground.run.settings.activations[0] === 'relu'")
    p.get_by_test_id("feature-x1^2").click()
    p.wait_for_function("window.playground.run.settings.features.includes('x1^2')")
    p.get_by_test_id("show-test").check()
    url = p.url
    assert "dataset=spiral" in url and "learning_rate=0.1" in url and "show_test=1" in url
    p.reload()
    p.wait_for_function("window.playground && window.playground.run !== null")
    settings = p.evaluate("window.playground.run.settings")
    assert settings["dataset"] == "spiral" and settings["learning_rate"] == 0.1
    assert settings["layers"] == [4, 2, 2] and settings["activations"] == ["relu"] * 3
    assert settings["features"] == ["x1", "x2", "x1^2"]
    assert p.get_by_test_id("learning-rate").input_value() == "0.1"
    assert p.get_by_test_id("show-test").is_checked()
    assert p.locator("[data-testid^=neuron-3-]").count() == 2
    p.get_by_test_id("remove-layer").click()
    p.wait_for_function("window.playground.run.settings.layers.length === 2")


def test_a_csv_file_trains_and_a_bad_one_says_why(page, tmp_path):
    rows = ["size,weight,kind"] + [
        f"{x:.3f},{y:.3f},{'a' if x * x + y * y < 4 else 'b'}"
        for x, y in np.random.default_rng(0).uniform(-3, 3, size=(200, 2))
    ]
    good = tmp_path / "mine.csv"
    good.write_text("\n".join(rows) + "\n")
    p = open_page(page)
    p.get_by_test_id("csv-file").set_input_files(str(good))
    p.wait_for_selector("#csv-columns:not([hidden])")
    assert p.get_by_test_id("csv-x").input_value() == "size"
    assert p.get_by_test_id("csv-label").input_value() == "kind"
    p.get_by_test_id("csv-train").click()
    p.wait_for_function("window.playground.run.settings.dataset === 'csv'")
    p.get_by_test_id("learning-rate").select_option("0.3")
    first = number(p, "train-loss")
    p.get_by_test_id("play").click()
    wait_epoch(p, 60)
    p.get_by_test_id("play").click()
    assert number(p, "train-loss") < first
    p.reload()  # the file is kept in the browser: the reload trains on it again
    p.wait_for_function("window.playground.run && window.playground.run.settings.dataset === 'csv'")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    p.get_by_test_id("csv-file").set_input_files(str(bad))
    p.wait_for_selector("[data-testid=message]:not([hidden])")
    assert "bad.csv" in p.get_by_test_id("message").inner_text()
    text = tmp_path / "text.csv"
    text.write_text("name,colour\nann,red\nbob,blue\n")
    p.get_by_test_id("csv-file").set_input_files(str(text))
    wait_text(p, "message", "t.includes('two columns of numbers')")
    p.get_by_test_id("step").click()  # the page goes on with the last good set-up
    wait_text(p, "epoch", "t !== '0'")


def test_the_exported_model_predicts_what_the_page_showed(page, tmp_path):
    p = open_page(page, "#dataset=gauss&learning_rate=0.1")
    for _ in range(5):
        p.get_by_test_id("step").click()
    p.wait_for_function("window.playground.frame.epoch === 5")
    with p.expect_download() as download:
        p.get_by_test_id("export-model").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "playground.safetensors"
    shown = base64.b64decode(p.evaluate("window.playground.frame.output.value"))
    shown = np.frombuffer(shown, np.uint8)
    domain = p.evaluate("window.playground.run.domain")
    predicted = sn.load(path).predict(frames.grid(domain))[:, 0]
    assert np.abs(shown / 127.5 - 1 - (2 * predicted - 1)).max() <= 1 / 127.5
    with p.expect_download() as download:
        p.get_by_test_id("export-python").click()
    code = download.value.path().read_text()
    assert "sn.Network(" in code and "plane('gauss'" in code and "epochs=5" in code
    with p.expect_download() as download:
        p.get_by_test_id("export-onnx").click()
    assert download.value.suggested_filename == "playground.onnx"


def test_a_weight_edited_by_a_click(page):
    p = open_page(page)
    p.locator("[data-testid=weight-0-1-2]").click(force=True)
    p.get_by_test_id("weight-editor").fill("-4.5")
    p.get_by_test_id("weight-editor").press("Enter")
    p.wait_for_function("window.playground.frame.weights[0].w[1][2] === -4.5")
    p.get_by_test_id("bias-1-0").click()
    p.get_by_test_id("weight-editor").fill("2")
    p.get_by_test_id("weight-editor").press("Enter")
    p.wait_for_function("window.playground.frame.weights[1].b[0] === 2")


def test_a_diverging_learning_rate_is_said_and_the_weights_kept(page):
    hash_ = "dataset=reg-plane&learning_rate=10&batch_size=1&activations=identity,identity"
    p = open_page(page, f"#{hash_}&features=x1,x2,x1^2,x2^2,x1*x2")
    p.get_by_test_id("play").click()
    wait_text(p, "message", "t.includes('diverged')")
    wait_paused(p)
    weights = p.evaluate("window.playground.frame.weights")
    assert all(np.isfinite(np.array(layer["w"])).all() for layer in weights)
    p.get_by_test_id("learning-rate").select_option("0.01")
    p.get_by_test_id("step").click()  # and training goes on from them
    wait_text(p, "message", "!t.includes('diverged')")


def test_the_tutorial_shows_its_step_in_its_words(page):
    p = open_page(page)
    p.get_by_test_id("dataset-tutorial").click()
    wait_text(p, "trace", "t.includes('l1_delta')")
    text = p.get_by_test_id("trace").inner_text()
    assert "syn0" in text and "l1_error" in text and "Epoch 0" in text
    p.get_by_test_id("step").click()
    wait_text(p, "trace", "t.startsWith('Epoch 1')")
    assert p.get_by_test_id("tutorial-table").is_visible()
    assert p.evaluate("window.playground.run.settings.learning_rate") == 1


def test_a_bad_url_falls_back_to_a_working_page(page):
    page.expected.append("the server responded with a status of 400")
    p = open_page(page, "#dataset=moons&noise=7000")
    assert "is not one of" in p.get_by_test_id("message").inner_text()
    assert p.evaluate("window.playground.run.settings.dataset") == "circle"


def test_screenshot(page, tmp_path):
    p = open_page(page, "#dataset=spiral&layers=8,8,4&features=x1,x2,sin(x1),sin(x2)"
                        "&learning_rate=0.03&optimizer=adam&noise=10&show_test=0")  # fmt: skip
    p.get_by_test_id("play").click()
    wait_epoch(p, 120)
    p.get_by_test_id("play").click()
    target = os.environ.get("SMALLNET_SCREENSHOT") or str(tmp_path / "playground.png")
    p.screenshot(path=target, full_page=True)
    assert os.path.getsize(target) > 20_000
    assert re.match(r"^\d+$", p.get_by_test_id("epoch").inner_text())


def test_one_bad_setting_in_a_link_puts_back_only_that_one(page):
    page.expected.append("the server responded with a status of 400")
    p = open_page(page, "#dataset=xor&noise=20&layers=99")
    settings = p.evaluate("window.playground.run.settings")
    assert settings["dataset"] == "xor" and settings["noise"] == 20
    assert settings["layers"] == [4, 2]
    assert "back to the default" in p.get_by_test_id("message").inner_text()


def test_a_refused_set_up_leaves_the_run_as_it_was(page, tmp_path):
    page.expected.append("the server responded with a status of 400")
    rows = ["a,b,name"] + [f"{i % 5},{i % 7},n{i % 12}" for i in range(120)]
    (tmp_path / "names.csv").write_text("\n".join(rows) + "\n")
    p = open_page(page)
    for _ in range(3):
        p.get_by_test_id("step").click()
    wait_text(p, "epoch", "t === '3'")
    p.get_by_test_id("csv-file").set_input_files(str(tmp_path / "names.csv"))
    p.wait_for_selector("#csv-columns:not([hidden])")
    p.get_by_test_id("csv-label").select_option("name")  # 12 classes: refused
    p.get_by_test_id("csv-train").click()
    wait_text(p, "message", "t.includes('12 classes')")
    assert number(p, "epoch") == 3 and "dataset=circle" in p.url
    p.get_by_test_id("step").click()
    wait_text(p, "epoch", "t === '4'")


def test_keys_belong_to_the_player_after_a_list_is_used(page):
    p = open_page(page)
    p.get_by_test_id("learning-rate").select_option("0.1")
    p.wait_for_function("window.playground.run && location.hash.includes('learning_rate=0.1')")
    p.keyboard.press("ArrowRight")
    wait_text(p, "epoch", "t === '1'")
    assert p.get_by_test_id("learning-rate").input_value() == "0.1"


def test_a_weight_that_is_no_number_changes_nothing(page):
    p = open_page(page)
    before = p.evaluate("window.playground.frame.weights[0].w[0][0]")
    p.locator("[data-testid=weight-0-0-0]").click(force=True)
    p.get_by_test_id("weight-editor").fill("")
    p.get_by_test_id("weight-editor").press("Enter")
    wait_text(p, "message", "t.includes('must be a number')")
    assert p.evaluate("window.playground.frame.weights[0].w[0][0]") == before


def test_keys_belong_to_the_player_after_a_checkbox_or_slider(page):
    p = open_page(page)
    p.get_by_test_id("show-test").click()
    p.keyboard.press("ArrowRight")
    wait_text(p, "epoch", "t === '1'")
    assert p.get_by_test_id("show-test").is_checked()
    p.get_by_test_id("train-percent").click()  # on its value: no change, and no focus kept
    p.keyboard.press("ArrowRight")
    wait_text(p, "epoch", "t === '2'")
    assert p.evaluate("window.playground.run.settings.train_percent") == 50
