"""The tutorial ("a neural network in 11 lines of Python") through smallnet's public API.

Its two networks, trained on its data with its settings: sigmoid layers without
bias, weights uniform in [-1, 1) drawn from seed 1, half the sum of squared
errors, full-batch gradient descent at learning rate 1.
"""

from . import datasets
from .layers import Dense
from .network import Network
from .optimizers import SGD


def network(hidden=(), seed=1, metrics=("mae",), input_dim=3, use_bias=False):
    """The tutorial's network with the given hidden layer sizes: () for 3-1, (4,) for 3-4-1.

    `metrics` defaults to the tutorial's error, mean(|y - out|), recorded each epoch.
    `input_dim` and `use_bias` carry the recipe over to other data: the tutorial's
    constant third input acts as a bias, so data without one (xor) wants biases.
    """
    sizes = (*hidden, 1)
    layers = [
        Dense(units, activation="sigmoid", use_bias=use_bias, initializer="uniform")
        for units in sizes
    ]
    layers[0].input_dim = input_dim
    # NumPy's engine: its sums in the tutorial's order give the tutorial's numbers to the last digit
    return Network(layers, loss="sse", optimizer=SGD(learning_rate=1.0), metrics=metrics, seed=seed,
                   engine="numpy")  # fmt: skip


def run(print_fn=print):
    """Train both tutorial networks and print what the tutorial prints, from the History.

    Returns [(network, history), ...] for the 3-1 and the 3-4-1 network.
    """
    trained = []
    X, y = datasets.tutorial()
    print_fn("# 1-layer network (3-1), 10000 iterations")
    net = network()
    history = net.fit(X, y, epochs=10000)
    trained.append((net, history))
    print_fn("Output After Training:")
    print_fn(history.last_output)  # l1 of the last iteration, before its update
    print_fn()
    print_fn("# 2-layer network (3-4-1), 60000 iterations")
    net = network(hidden=(4,))
    history = net.fit(X, y, epochs=60000)
    trained.append((net, history))
    for error in history["mae"][::10000]:  # the tutorial prints at j % 10000 == 0
        print_fn("Error:" + str(error))
    print_fn("Output After Training:")
    print_fn(history.last_output)
    return trained
