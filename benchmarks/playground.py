"""The playground's pace in headless Chromium: epochs trained and frames drawn per second.

Loads the page at TensorFlow Playground's default set-up (circle, 2-4-2-1 tanh, batch 10, 250
training points), presses play, and reads the page's own counters after --seconds. The peer is
TensorFlow Playground's pace, one epoch per frame; the goal: >= 20 epochs and >= 10 redraws a
second. Also measured in the same run, alternated: the server alone (the same session's
`train(1)`, the frame included, as fast as Python goes), which bounds what the page can reach.

    python3 benchmarks/playground.py [--seconds 10] [--rounds 3] [--hash "dataset=xor"]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))  # the browser tests' tooling

from browser import Watched, chromium, missing, playground_server  # noqa: E402
from smallnet.playground.session import Session  # noqa: E402

GOAL_EPOCHS, GOAL_FRAMES = 20, 10


def in_browser(browser, srv, seconds, hash_):
    watched = Watched(browser, srv.url.rstrip("/"))
    page = watched.page
    page.goto(srv.url + "#" + hash_)
    page.wait_for_function("window.playground && window.playground.frame !== null")
    page.get_by_test_id("play").click()
    page.wait_for_timeout(seconds * 1000)
    stats = page.evaluate(
        "({frames: playground.stats.frames, epochs: playground.frame.epoch - "
        "playground.stats.firstEpoch, seconds: (performance.now() - playground.stats.since) "
        "/ 1000})"
    )
    page.get_by_test_id("play").click()
    problems = watched.errors + watched.foreign
    watched.close()
    if problems:
        raise RuntimeError(f"the page reported: {problems}")
    return stats["epochs"] / stats["seconds"], stats["frames"] / stats["seconds"]


def server_alone(seconds, hash_):
    values = dict(part.split("=", 1) for part in hash_.split("&") if part)
    session = Session({key: _typed(value, key) for key, value in values.items()})
    began, epochs = time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        session.train(1)
        epochs += 1
    return epochs / (time.perf_counter() - began)


def _typed(text, key=""):
    if key in ("features", "activations"):
        return text.split(",") if text else []
    if key in ("layers", "dropout"):
        return [_typed(item) for item in text.split(",")] if text else []
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hash", default="", help="a set-up as the page's URL gives it")
    args = parser.parse_args()
    why = missing()
    if why:
        sys.exit(f"benchmarks/playground.py: {why}")
    print(f"set-up: {args.hash or 'the defaults (circle, 2-4-2-1 tanh, batch 10)'}; "
          f"{args.seconds:g} s a round")  # fmt: skip
    print(f"{'round':>5} {'page epochs/s':>14} {'redraws/s':>10} {'epochs/frame':>13} "
          f"{'server epochs/s':>16} {'page/server':>12}")  # fmt: skip
    results = []
    with playground_server() as srv, chromium() as browser:
        for k in range(args.rounds):
            if k % 2:  # alternated: the machine's drift falls on both alike
                alone = server_alone(args.seconds / 2, args.hash)
                epochs, redraws = in_browser(browser, srv, args.seconds, args.hash)
            else:
                epochs, redraws = in_browser(browser, srv, args.seconds, args.hash)
                alone = server_alone(args.seconds / 2, args.hash)
            results.append((epochs, redraws))
            print(f"{k + 1:>5} {epochs:>14.1f} {redraws:>10.1f} {epochs / redraws:>13.2f} "
                  f"{alone:>16.1f} {epochs / alone:>12.2f}")  # fmt: skip
    epochs = sorted(r[0] for r in results)[len(results) // 2]
    redraws = sorted(r[1] for r in results)[len(results) // 2]
    print(
        f"median: {epochs:.1f} epochs/s ({epochs / GOAL_EPOCHS:.2f}x the goal of {GOAL_EPOCHS}), "
        f"{redraws:.1f} redraws/s ({redraws / GOAL_FRAMES:.2f}x the goal of {GOAL_FRAMES}); "
        f"TensorFlow Playground: 1 epoch a frame"
    )


if __name__ == "__main__":
    main()
