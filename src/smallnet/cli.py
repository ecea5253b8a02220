"""The `smallnet` command line. Errors end as one line on stderr and exit code 2."""
import argparse
import os
import sys


def _demo(args):
    from . import tutorial
    tutorial.run()


def build_parser():
    parser = argparse.ArgumentParser(prog="smallnet", description="A small, fast, readable neural-network library.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="train the tutorial's two networks and print their results")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except BrokenPipeError:  # the reader went away (`smallnet demo | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        if args.debug:
            raise
        print(f"smallnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"smallnet {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
