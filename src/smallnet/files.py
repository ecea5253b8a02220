"""Writing files so that a crash never leaves half of one behind."""
import os
import tempfile
from pathlib import Path


def atomic_write(path, data):
    """Write `data` (bytes) to `path` through a temporary file in the same folder and os.replace.

    Readers see the old file or the new one, never a mix; on any error the
    temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
