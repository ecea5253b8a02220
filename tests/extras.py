"""Optional packages for tests: skip where one is missing, except under CI=true, where CI has
installed the test extra and a skip would hide a broken install."""

import contextlib
import importlib
import os
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[1] / "src"


def need(name):
    """The module `name`; skips the test without it (fails under CI=true)."""
    if os.environ.get("CI") == "true":
        return importlib.import_module(name)
    return pytest.importorskip(name)


def source_first():
    """PYTHONPATH with this checkout's smallnet first, for the processes a test starts."""
    return os.pathsep.join(p for p in (str(SOURCE), os.environ.get("PYTHONPATH", "")) if p)


@contextlib.contextmanager
def local_cluster():
    """A client of a Dask cluster of two one-thread worker processes on this machine."""
    distributed = need("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
