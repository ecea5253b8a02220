"""The `smallnet` command line. Errors end as one line on stderr and exit code 2."""
import argparse
import os
import sys


def _demo(args):
    from . import tutorial
    if args.plot:
        os.makedirs(args.plot, exist_ok=True)  # a bad folder fails before the training, not after
    trained = tutorial.run()
    if args.plot:
        _demo_plots(args.plot, trained[-1])


def _demo_plots(folder, tutorial_trained):
    """PNG pictures of the tutorial's 3-4-1 network and of the same recipe learning xor, into `folder`."""
    from . import datasets, plot, tutorial
    net, history = tutorial_trained
    X, y = datasets.xor()
    xor_net = _tutorial_network("xor", X, (4,), metrics=("accuracy",))
    xor_net.fit(X, y, epochs=10000)
    pictures = {
        "tutorial_loss.png": lambda path: plot.loss_curve(history, path=path, title="The tutorial's 3-4-1 network"),
        "tutorial_network.png": lambda path: plot.network_diagram(net, path=path),
        "xor_boundary.png": lambda path: plot.decision_boundary(xor_net, X, y, path=path, title="xor, learned"),
        "xor_network.png": lambda path: plot.network_diagram(xor_net, X, path=path),
    }
    print()
    for name, draw in pictures.items():
        path = os.path.join(folder, name)
        draw(path)
        print(f"wrote {path}")


def _tutorial_network(dataset, X, hidden, metrics=("mae",)):
    """The tutorial's recipe for `dataset`: its constant third input is the bias, other data get real ones."""
    from . import tutorial
    return tutorial.network(tuple(hidden), metrics=metrics, input_dim=X.shape[1], use_bias=dataset != "tutorial")


def _trace(args):
    from . import datasets
    X, y = datasets.load(args.dataset)
    _tutorial_network(args.dataset, X, args.hidden).trace(X, y, step=args.step)


def build_parser():
    parser = argparse.ArgumentParser(prog="smallnet", description="A small, fast, readable neural-network library.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="train the tutorial's two networks and print their results")
    demo.add_argument("--plot", metavar="DIR", help="also write PNG pictures of the tutorial's network and of xor "
                                                    "learned the same way into DIR (needs smallnet[plot])")
    demo.set_defaults(func=_demo)

    trace = sub.add_parser("trace", help="print one training step of the tutorial's network in the tutorial's words")
    trace.add_argument("--dataset", default="tutorial", help="tutorial (default) or xor")
    trace.add_argument("--step", type=int, default=0, help="the step to show, from 0 (the ones before run quietly)")
    trace.add_argument("--hidden", type=int, nargs="*", default=[4], metavar="UNITS",
                       help="hidden layer sizes (default 4: the 3-4-1 network; none: the 3-1 network)")
    trace.set_defaults(func=_trace)
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
    except (ValueError, TypeError, OSError, RuntimeError, ImportError) as exc:
        if args.debug:
            raise
        print(f"smallnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"smallnet {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
