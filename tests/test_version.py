"""One version, said the same everywhere: the package, the command line, the changelog."""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import smallnet as sn

ROOT = Path(__file__).parents[1]


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", sn.__version__)


def test_the_command_line_says_the_version():
    done = subprocess.run(
        [sys.executable, "-m", "smallnet", "--version"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0
    assert done.stdout == f"smallnet {sn.__version__}\n"


def test_the_changelog_describes_this_version_first():
    headings = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d\d-\d\d$",
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        re.M,
    )
    assert headings and headings[0] == sn.__version__
    assert headings == sorted(headings, key=lambda v: tuple(map(int, v.split("."))), reverse=True)


def test_the_installed_version_is_the_package_version():
    try:
        installed = metadata.version("smallnet")
    except metadata.PackageNotFoundError:
        pytest.skip("smallnet is not installed, only on the path")
    assert installed == sn.__version__, "pyproject.toml reads the version from smallnet.__version__"
