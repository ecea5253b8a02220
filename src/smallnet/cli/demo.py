"""smallnet demo and smallnet trace: the tutorial's networks, trained or followed step by step."""

import os

from .. import datasets


def demo(args):
    from .. import tutorial

    if args.plot:  # a missing extra or a bad folder fails before the training, not after it
        from .. import plot

        plot.require_matplotlib()
        os.makedirs(args.plot, exist_ok=True)
    trained = tutorial.run()
    if args.plot:
        _demo_plots(args.plot, trained[-1])


def _demo_plots(folder, tutorial_trained):
    """PNG pictures of the tutorial's 3-4-1 network and of the same recipe learning xor, into
    `folder`."""
    from .. import plot

    net, history = tutorial_trained
    X, y = datasets.xor()
    xor_net = tutorial_network("xor", X, (4,), metrics=("accuracy",))
    xor_net.fit(X, y, epochs=10000)
    pictures = {
        "tutorial_loss.png": lambda path: plot.loss_curve(
            history, path=path, title="The tutorial's 3-4-1 network"
        ),
        "tutorial_network.png": lambda path: plot.network_diagram(net, path=path),
        "xor_boundary.png": lambda path: plot.decision_boundary(
            xor_net, X, y, path=path, title="xor, learned"
        ),
        "xor_network.png": lambda path: plot.network_diagram(xor_net, X, path=path),
    }
    print()
    for name, draw in pictures.items():
        path = os.path.join(folder, name)
        draw(path)
        print(f"wrote {path}")


def tutorial_network(dataset, X, hidden, metrics=("mae",)):
    """The tutorial's recipe for `dataset`: its constant third input is the bias, other data get
    real ones."""
    from .. import tutorial

    return tutorial.network(
        tuple(hidden), metrics=metrics, input_dim=X.shape[1], use_bias=dataset != "tutorial"
    )


def trace(args):
    X, y = datasets.load(args.dataset)
    if y.ndim != 2 or y.shape[1] != 1:  # iris: 3 classes, penguins: text; the tutorial: 1 output
        raise ValueError(
            f"--dataset {args.dataset}: trace follows the tutorial's one-output network; "
            f"use tutorial or xor"
        )
    tutorial_network(args.dataset, X, args.hidden).trace(X, y, step=args.step)
