"""Atomic file writes: a file appears whole at its destination, or not at all.

The bytes go to a temporary file in the destination's own folder (so that the
final rename stays on one file system), are flushed to disk, and then
`os.replace` swaps it in. A crash, a kill or an exception at any point leaves
the destination as it was: an earlier file untouched, or no file.
"""
import errno
import os


def check_destination(path):
    """`path` as a str, once it is clear that a file can be written there.

    Called before anything is written (and by `fit` before training, for its
    checkpoint), so that a wrong path fails at once and in words.

    Raises
    ------
    ValueError
        If `path` is empty.
    IsADirectoryError
        If `path` is a folder (``"."``, ``"models/"``).
    FileNotFoundError
        If the folder it would go in does not exist.
    """
    path = os.fspath(path)
    if not path:
        raise ValueError("the file name is empty")
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{path!r} is a folder, not a file; give a file name")
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} does not exist", path)
    return path


def write_bytes(path, data):
    """Write `data` (bytes) to `path` atomically; on any error the temporary file is removed."""
    path = check_destination(path)
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.tmp")
    # 0o666 through the umask, as open() would create it (mkstemp's files are owner-only).
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:  # name the file the caller asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        try:
            os.replace(temp, path)
        except OSError as exc:  # again the caller's file, not the temporary one
            raise OSError(exc.errno, exc.strerror, path) from None
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        os.unlink(temp)
        raise


def write_text(path, text):
    """Write `text` as UTF-8 to `path` atomically (newlines are written as given)."""
    write_bytes(path, text.encode("utf-8"))
