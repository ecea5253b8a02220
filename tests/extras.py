"""Optional packages for tests: skip where one is missing, except under CI=true, where CI has
installed the test extra and a skip would hide a broken install."""

import importlib
import os

import pytest


def need(name):
    """The module `name`; skips the test without it (fails under CI=true)."""
    if os.environ.get("CI") == "true":
        return importlib.import_module(name)
    return pytest.importorskip(name)
