"""The `smallnet` command line. Errors end as one line on stderr and exit code 2.

    smallnet train (DATA.csv --target COLUMN | --dataset NAME) -o MODEL.safetensors
    smallnet predict MODEL DATA.csv [-o OUT.csv] [--proba] [--keep COLUMNS] [--ignore COLUMNS]
    smallnet evaluate MODEL DATA.csv [--target COLUMN] [--ignore COLUMNS]
    smallnet info MODEL
    smallnet export MODEL --onnx OUT.onnx
    smallnet plot MODEL [--data DATA.csv --target COLUMN] --kind KIND -o OUT.png
    smallnet demo [--plot DIR];  smallnet trace --dataset tutorial --step K
    smallnet playground [--port N] [--host 127.0.0.1] [--no-browser]

KIND: loss, boundary, network or regression. Every file the commands write appears whole or
not at all (smallnet.atomic). The table recipe that train follows is smallnet.tabular.
"""

import errno
import os
import sys
import warnings

import numpy as np

from .parser import build_parser

__all__ = ["build_parser", "main"]

# what a command's failure can raise that the user can act on: said in one line, no traceback
ERRORS = (ValueError, TypeError, OSError, RuntimeError, ImportError, ArithmeticError, MemoryError)


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, so that the message names the command
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        # Overflow in a diverged or far-off model shows as inf or nan in the results, not as
        # NumPy's warnings; any other warning is one line, without Python's file and source line.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("default")  # shown (once), never raised, whatever the filters
            warnings.showwarning = lambda message, *_: print(
                f"smallnet {args.command}: warning: {message}", file=sys.stderr
            )
            return args.func(args) or 0
    except BrokenPipeError:  # the reader went away (`smallnet demo | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ERRORS as exc:
        if args.debug:
            raise
        print(f"smallnet {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"smallnet {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(exc):
    """The error message of `exc` in one line; an OSError without Python's "[Errno 21]"."""
    if not (isinstance(exc, OSError) and exc.strerror):
        return " ".join(str(exc).split())  # whatever the exception put in it
    reason = exc.strerror
    if exc.errno and reason == os.strerror(exc.errno):  # the system's words: lower case, as ours
        reason = "no such file" if exc.errno == errno.ENOENT else reason[:1].lower() + reason[1:]
    return f"{exc.filename}: {reason}" if exc.filename else reason
