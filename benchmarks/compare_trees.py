"""Two smallnet source trees on one benchmark, alternated: did a change make it slower?

Runs ``benchmarks/NAME.py ARGS`` once per round for each tree (``PYTHONPATH=TREE``), the
trees' order alternating round by round, and reads from each run the first number on
every line that starts with one of the LABELS. Prints each label's median per tree and
the median over rounds of each round's own ratio (new / old).

    python benchmarks/compare_trees.py OLD/src NEW/src tiny.py --rounds 5 \\
        --label "smallnet fit (loss history)" -- --rounds 1
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def measure(tree, script, args, labels):
    """{label: the first number after it} from one run of `script` on `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    result = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = {}
    for line in result.stdout.splitlines():
        for label in labels:
            if line.strip().startswith(label) and label not in found:
                numbers = NUMBER.findall(line.strip()[len(label) :])
                if numbers:
                    found[label] = float(numbers[0])
    missing = [label for label in labels if label not in found]
    if missing:
        raise SystemExit(f"{script} printed no line starting with {missing[0]!r}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the old tree's src folder")
    parser.add_argument("new", type=Path, help="the new tree's src folder")
    parser.add_argument("script", help="a benchmark in benchmarks/, such as tiny.py")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", action="append", required=True, help="a line's start")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)  # the benchmark's own arguments follow
    args = parser.parse_args(argv[:cut])
    args.args = argv[cut + 1 :]
    runs = {"old": [], "new": []}
    for r in range(args.rounds):
        for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
            runs[name].append(measure(getattr(args, name), args.script, args.args, args.label))
    print(f"{args.script} {' '.join(args.args)}: {args.rounds} alternated rounds")
    print(f"{'line':<50} {'old':>10} {'new':>10} {'new/old':>8}")
    for label in args.label:
        old = [run[label] for run in runs["old"]]
        new = [run[label] for run in runs["new"]]
        ratio = statistics.median(n / o for n, o in zip(new, old))
        print(
            f"{label:<50} {statistics.median(old):>10.4g} {statistics.median(new):>10.4g} "
            f"{ratio:>7.3f}x"
        )


if __name__ == "__main__":
    main()
