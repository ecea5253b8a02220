"""One epoch of an MNIST-shaped MLP: smallnet (both engines) vs PyTorch vs scikit-learn, against
the GEMM floor.

Synthetic data shaped like MNIST: 60000 x 784 float32 standard-normal inputs, 10 classes
from a fixed random linear teacher (argmax(X @ W)). Network 784-256-128-10, relu,
softmax cross-entropy, SGD with momentum 0.9, learning rate 0.05, batch 128; one
epoch, after a short warm-up. Each contender runs in a process of its own, as a user's
program would (one library's thread pools and spinning BLAS threads can't slow
another's), and the contenders alternate round by round, half a second apart; a
contender whose library is not installed is skipped.

The GEMM floor is the epoch's matrix products alone (forward, weight gradients and
the two input gradients a network needs), in float32 with preallocated outputs, through
NumPy's BLAS and, where numba is installed, through the BLAS that compiled code calls
(SciPy's); efficiency = the faster floor of the round / epoch time.

    python benchmarks/mlp.py [--rounds 5] [--rows 60000] [--threads N]
"""

import argparse
import multiprocessing
import statistics
import time

import numpy as np

import smallnet as sn

SIZES = (784, 256, 128, 10)
BATCH, LR, MOMENTUM = 128, 0.05, 0.9


def make_data(rows, seed=0):
    rng = np.random.RandomState(seed)
    teacher = rng.normal(size=(SIZES[0], SIZES[-1])).astype(np.float32)
    X = rng.normal(size=(rows + 10000, SIZES[0])).astype(np.float32)
    labels = (X @ teacher).argmax(axis=1)
    return X[:rows], labels[:rows], X[rows:], labels[rows:]


def smallnet_network(seed, engine="auto"):
    return sn.Network(
        [
            sn.Dense(256, activation="relu", initializer="he_uniform"),
            sn.Dense(128, activation="relu", initializer="he_uniform"),
            sn.Dense(10, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.SGD(LR, momentum=MOMENTUM),
        seed=seed,
        engine=engine,
    )


def smallnet_core(engine):
    def contender(X, labels, X_test, labels_test, seed):
        if engine == "numba":
            import numba  # noqa: F401  (skipped where the [fast] extra is not installed)
        Y = np.eye(10, dtype=np.float32)[labels]

        def run(rows=None):  # each run trains a fresh network for one epoch
            net = smallnet_network(seed, engine)
            history = net.fit(X[:rows], Y[:rows], epochs=1, batch_size=BATCH)
            assert history.engine == engine
            return lambda: float(np.mean(net.predict(X_test).argmax(axis=1) == labels_test))

        return run

    return contender


def smallnet_sklearn(X, labels, X_test, labels_test, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from smallnet.sklearn import SmallNetClassifier

    def run(rows=None):
        clf = SmallNetClassifier(
            hidden_layer_sizes=SIZES[1:-1],
            solver="sgd",
            learning_rate_init=LR,
            momentum=MOMENTUM,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=BATCH,
            max_iter=1,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # one epoch, on purpose
            clf.fit(X[:rows], labels[:rows])
        return lambda: clf.score(X_test, labels_test)

    return run


def pytorch(X, labels, X_test, labels_test, seed):
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels)

    start_weights = (
        smallnet_network(seed).build(SIZES[0], "float32").layers
    )  # the same start as smallnet's

    def run(rows=None):  # each run trains a fresh model for one epoch
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, 10),
        )
        with torch.no_grad():
            for linear, layer in zip(model[::2], start_weights):
                linear.weight.copy_(torch.from_numpy(layer.weights.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.bias))
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = torch.nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(seed)
        n = len(X) if rows is None else rows
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, BATCH):
            idx = order[start : start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()

        def accuracy():
            with torch.inference_mode():
                predicted = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
            return float(np.mean(predicted == labels_test))

        return accuracy

    return run


def sklearn_mlp(X, labels, X_test, labels_test, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def run(rows=None):
        clf = MLPClassifier(
            hidden_layer_sizes=SIZES[1:-1],
            solver="sgd",
            learning_rate_init=LR,
            momentum=MOMENTUM,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=BATCH,
            max_iter=1,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X[:rows], labels[:rows])
        return lambda: clf.score(X_test, labels_test)

    return run


def gemm_floor(X, labels, X_test, labels_test, seed):
    """The epoch's matrix products alone, float32, every output preallocated."""
    rng = np.random.RandomState(seed)
    W = [rng.normal(size=(a, b)).astype(np.float32) for a, b in zip(SIZES, SIZES[1:])]
    dW = [np.empty_like(w) for w in W]

    def run(rows=None):
        n = len(X) if rows is None else rows
        for start in range(0, n, BATCH):
            x = X[start : start + BATCH]
            if len(x) not in buffers:
                buffers[len(x)] = (
                    [np.empty((len(x), w.shape[1]), np.float32) for w in W],
                    [np.empty((len(x), w.shape[0]), np.float32) for w in W],
                )
            outs, errors = buffers[len(x)]
            h = [x]
            for w, out in zip(W, outs):
                h.append(h[-1].dot(w, out))  # forward
            delta = h[-1]
            for k in range(len(W) - 1, -1, -1):
                h[k].T.dot(delta, dW[k])  # weight gradient
                if k:
                    delta = delta.dot(W[k].T, errors[k])  # input gradient (not for the data)
        return lambda: float("nan")

    buffers = {}
    return run


def gemm_floor_compiled(X, labels, X_test, labels_test, seed):
    """The same products, called from numba-compiled code (its BLAS is SciPy's)."""
    from numba import njit

    @njit(cache=True)
    def products(X, W, dW, outs, errors, n):
        for start in range(0, n - BATCH + 1, BATCH):
            x = X[start : start + BATCH]
            np.dot(x, W[0], outs[0])
            np.dot(outs[0], W[1], outs[1])
            np.dot(outs[1], W[2], outs[2])
            np.dot(outs[1].T, outs[2], dW[2])
            np.dot(outs[2], W[2].T, errors[1])
            np.dot(outs[0].T, errors[1], dW[1])
            np.dot(errors[1], W[1].T, errors[0])
            np.dot(x.T, errors[0], dW[0])

    rng = np.random.RandomState(seed)
    W = tuple(rng.normal(size=(a, b)).astype(np.float32) for a, b in zip(SIZES, SIZES[1:]))
    dW = tuple(np.empty_like(w) for w in W)
    outs = tuple(np.empty((BATCH, w.shape[1]), np.float32) for w in W)
    errors = tuple(np.empty((BATCH, w.shape[0]), np.float32) for w in W[1:])

    def run(rows=None):
        products(X, W, dW, outs, errors, len(X) if rows is None else rows)
        return lambda: float("nan")

    return run


CONTENDERS = {
    "smallnet numba (core API)": smallnet_core("numba"),
    "smallnet numpy (core API)": smallnet_core("numpy"),
    "smallnet (scikit-learn estimator)": smallnet_sklearn,
    "PyTorch eager": pytorch,
    "scikit-learn MLPClassifier": sklearn_mlp,
    "GEMM floor": gemm_floor,
    "GEMM floor (compiled)": gemm_floor_compiled,
}
FLOORS = ("GEMM floor", "GEMM floor (compiled)")


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return (
        ", ".join(
            f"{p.get('internal_api')} {p.get('architecture')} x{p.get('num_threads')}"
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        )
        or "unknown"
    )


def worker(name, rows, threads, conn):
    """One contender in a process of its own: data, warm-up, then one timed epoch per request."""
    try:
        if name == "PyTorch eager":
            import torch

            torch.set_num_threads(threads)
        X, labels, X_test, labels_test = make_data(rows)
        run = CONTENDERS[name](X, labels, X_test, labels_test, seed=0)
        run(rows=min(8 * BATCH, rows))  # warm-up: a few batches
    except ImportError as exc:
        conn.send(("skip", str(exc)))
        return
    conn.send(("ready", blas_info()))
    while conn.recv():
        start = time.perf_counter()
        score = run()  # the training alone is timed; the test accuracy is taken after
        seconds = time.perf_counter() - start
        conn.send((seconds, score()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument(
        "--threads", type=int, default=None, help="PyTorch threads (default: NumPy's BLAS threads)"
    )
    args = parser.parse_args(argv)
    threads = args.threads
    if threads is None:
        try:
            from threadpoolctl import threadpool_info

            threads = max(
                [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"] or [1]
            )
        except ImportError:
            threads = 1
    context = multiprocessing.get_context(
        "spawn"
    )  # fresh interpreters: nothing inherited from this one
    workers, blas = {}, "unknown"
    for name in CONTENDERS:  # started one after another, so that their set-ups don't overlap
        conn, child = context.Pipe()
        process = context.Process(
            target=worker, args=(name, args.rows, threads, child), daemon=True
        )
        process.start()
        status, message = conn.recv()
        if status == "skip":
            print(f"skipping {name}: {message}")
            process.join()
            continue
        workers[name] = (process, conn)
        if name == "GEMM floor":
            blas = message
    times = {name: [] for name in workers}
    accuracy = {}
    for round_ in range(args.rounds):
        order = list(workers) if round_ % 2 == 0 else list(reversed(workers))
        for name in order:
            conn = workers[name][1]
            conn.send(True)
            seconds, accuracy[name] = conn.recv()
            times[name].append(seconds)
            time.sleep(0.5)
    for process, conn in workers.values():
        conn.send(False)
        process.join()
    print(
        f"MNIST-shaped MLP 784-256-128-10, {args.rows} rows, batch {BATCH}, one epoch, "
        f"{args.rounds} rounds, "
        f"each contender in its own process; BLAS: {blas}; PyTorch threads: {threads}"
    )
    print(
        "ratios and efficiency: median over rounds of each round's own ratio "
        "(a round's contenders share the machine's state)"
    )

    def paired(name, other):
        return statistics.median(a / b for a, b in zip(times[name], times[other]))

    floors = [min(round_) for round_ in zip(*(times[name] for name in FLOORS if name in times))]

    print(
        f"{'contender':36s} {'epoch s (median)':>16s} {'min-max':>13s} {'vs PyTorch':>10s} "
        f"{'efficiency':>10s} {'test accuracy':>13s}"
    )
    for name, ts in times.items():
        ratio = f"{paired(name, 'PyTorch eager'):.2f}x" if "PyTorch eager" in times else "-"
        acc = "-" if np.isnan(accuracy[name]) else f"{100 * accuracy[name]:.1f}%"
        print(
            f"{name:36s} {statistics.median(ts):16.3f} {min(ts):6.3f}-{max(ts):<6.3f} {ratio:>10s} "
            f"{statistics.median(f / t for f, t in zip(floors, ts)):10.0%} {acc:>13s}"
        )


if __name__ == "__main__":
    main()
