"""Atomic file writes: a file appears whole at its destination, or not at all.

The bytes go to a temporary file in the destination's own folder (so that the
final rename stays on one file system), are flushed to disk, and then
`os.replace` swaps it in. A crash, a kill or an exception at any point leaves
the destination as it was: an earlier file untouched, or no file.

A symbolic link is followed: the file it points to is replaced, and the link
stays. A destination that is not a file, such as /dev/stdout, a terminal or a
named pipe, is written to as it is (it can't be swapped out, and must not be).
A read-only file is refused, and a file that is replaced keeps its permissions.
"""

import errno
import os
import stat


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
    PermissionError
        If `path` is a read-only file.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"the path must be a file name (str or path-like), got {path!r}")
    path = os.fsdecode(path)  # bytes too, as open() takes them
    if not path:
        raise ValueError("the file name is empty")
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{path!r} is a folder, not a file; give a file name")
    folder = os.path.dirname(os.path.realpath(path))  # a link's target is what gets written
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"the folder {os.path.dirname(path) or folder!r} does not exist", path
        )
    mode = _mode(path)
    if (
        mode is not None and stat.S_ISREG(mode) and not mode & 0o222
    ):  # even root would replace it: say no
        raise PermissionError(
            errno.EACCES, f"{path!r} is read-only; make it writable or choose another name"
        )
    return path


def _mode(path):
    """The st_mode of what `path` leads to, None if nothing is there."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None


def write_bytes(path, data):
    """Write `data` (bytes) to `path` atomically; on any error the temporary file is removed."""
    path = check_destination(path)
    mode = _mode(path)
    if mode is not None and not stat.S_ISREG(mode):  # a device, terminal or pipe: write into it
        with open(path, "wb") as f:
            f.write(data)
        return
    target = os.path.realpath(path)  # through a symbolic link: the file it points to is replaced
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.tmp")
    # 0o666 through the umask, as open() would create it (mkstemp's files are owner-only); a file
    # that is replaced keeps its own permissions.
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:  # name the file the caller asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(temp, stat.S_IMODE(mode))
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        try:
            os.replace(temp, target)
        except OSError as exc:  # again the caller's file, not the temporary one
            raise OSError(exc.errno, exc.strerror, path) from None
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        os.unlink(temp)
        raise


def write_text(path, text):
    """Write `text` as UTF-8 to `path` atomically (newlines are written as given)."""
    write_bytes(path, text.encode("utf-8"))
