"""Where an epoch of the MNIST-shaped MLP spends its time,
and how close to the GEMM floor NumPy can get.

benchmarks/mlp.py's efficiency compares an epoch with its matrix products alone. This
script times, section by section, the leanest NumPy epoch we know (the same network,
data, batches and update as mlp.py, written out by hand with every buffer preallocated):
the row gather of each shuffled batch, the matrix products, bias and ReLU, softmax and
loss, and the optimizer. The matrix products over the total is the efficiency that
such a loop can reach at best. A second variant lets the BLAS accumulate the momentum
(velocity = x.T @ delta + momentum * velocity, one GEMM with beta, called through
ctypes on NumPy's own OpenBLAS), which NumPy's dot cannot do; it runs where that
library is found. smallnet's fit runs in the same rounds, for comparison.

    python benchmarks/overhead.py [--rounds 5] [--rows 60000]
"""

import argparse
import ctypes
import glob
import os
import statistics
import time

import numpy as np

from mlp import BATCH, LR, MOMENTUM, SIZES, make_data, smallnet_network

SECTIONS = ("gather", "matrix products", "bias + ReLU", "softmax + loss", "optimizer")


def blas_sgemm():
    """A function gemm_tn(x, d, c, beta): c = x.T @ d + beta * c through NumPy's own OpenBLAS,
    or None."""
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        lib = ctypes.CDLL(path)
        for symbol, integer in (
            ("scipy_cblas_sgemm64_", ctypes.c_int64),
            ("cblas_sgemm64_", ctypes.c_int64),
            ("scipy_cblas_sgemm", ctypes.c_int),
            ("cblas_sgemm", ctypes.c_int),
        ):
            sgemm = getattr(lib, symbol, None)
            if sgemm is None:
                continue
            Int, Ptr = integer, ctypes.c_void_p
            sgemm.argtypes = (
                [ctypes.c_int] * 3
                + [Int] * 3
                + [ctypes.c_float, Ptr, Int, Ptr, Int, ctypes.c_float, Ptr, Int]
            )
            sgemm.restype = None

            def gemm_tn(x, d, c, beta, sgemm=sgemm):
                (k, m), n = x.shape, d.shape[1]  # row-major, x transposed: 101, 112, 111
                sgemm(
                    101,
                    112,
                    111,
                    m,
                    n,
                    k,
                    1.0,
                    x.ctypes.data,
                    m,
                    d.ctypes.data,
                    n,
                    beta,
                    c.ctypes.data,
                    n,
                )

            x, d, c = (
                np.random.default_rng(0).random(s, dtype=np.float32)
                for s in ((5, 3), (5, 4), (3, 4))
            )
            expected = x.T @ d + 0.5 * c
            gemm_tn(x, d, c, 0.5)
            if np.allclose(
                c, expected, rtol=1e-5
            ):  # the symbol takes the integers we think it does
                return gemm_tn
    return None


def lean_epoch(X, Y, seed, gemm_tn=None):
    """One epoch of the hand-written loop; returns ({section: seconds}, the weights and biases)."""
    rng = np.random.default_rng(seed)
    net = smallnet_network(seed).build(SIZES[0], "float32")  # the same start as smallnet's
    W = [layer.weights.copy() for layer in net.layers]
    b = [layer.bias.copy() for layer in net.layers]
    dW, db = [np.zeros_like(w) for w in W], [np.zeros_like(v) for v in b]
    vW, vb = [np.zeros_like(w) for w in W], [np.zeros_like(v) for v in b]
    z = [np.empty((BATCH, w.shape[1]), np.float32) for w in W]
    e = [np.empty((BATCH, w.shape[0]), np.float32) for w in W]
    zeros = [np.zeros(w.shape[1], np.float32) for w in W]
    ones = np.ones(BATCH, np.float32)
    xb, yb = np.empty((BATCH, X.shape[1]), np.float32), np.empty((BATCH, Y.shape[1]), np.float32)
    spent = dict.fromkeys(SECTIONS, 0.0)
    clock = time.perf_counter
    order = rng.permutation(len(X))
    for start in range(
        0, len(X) - BATCH + 1, BATCH
    ):  # whole batches only: the buffers keep their shape
        t0 = clock()
        rows = order[start : start + BATCH]
        np.take(X, rows, axis=0, out=xb, mode="clip")
        np.take(Y, rows, axis=0, out=yb, mode="clip")
        t1 = clock()
        spent["gather"] += t1 - t0
        h = [xb]
        for k in range(len(W)):
            t0 = clock()
            out = h[-1].dot(W[k], z[k])
            t1 = clock()
            out += b[k]
            if k < len(W) - 1:
                np.maximum(out, zeros[k], out=out)
            t2 = clock()
            spent["matrix products"] += t1 - t0
            spent["bias + ReLU"] += t2 - t1
            h.append(out)
        t0 = clock()
        p = h[-1]
        p -= p.max(axis=1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        loss = -float(np.vdot(yb, np.log(np.maximum(p, 1e-7)))) / BATCH  # noqa: F841 (computed, as fit does)
        delta = yb - p
        delta *= LR / BATCH
        spent["softmax + loss"] += clock() - t0
        for k in range(len(W) - 1, -1, -1):
            t0 = clock()
            if gemm_tn is not None:
                gemm_tn(h[k], delta, vW[k], MOMENTUM)  # the velocity, in the product itself
            else:
                h[k].T.dot(delta, dW[k])
            t1 = clock()
            ones.dot(delta, db[k])
            t2 = clock()
            if k:
                delta = delta.dot(W[k].T, e[k])
            t3 = clock()
            if k:
                np.multiply(delta, h[k] > 0, out=delta)
            t4 = clock()
            spent["matrix products"] += (t1 - t0) + (t3 - t2)
            spent["bias + ReLU"] += (t2 - t1) + (t4 - t3)
        t0 = clock()
        for v, s in zip(vb, db):
            v *= MOMENTUM
            v += s
        if gemm_tn is None:
            for v, s in zip(vW, dW):
                v *= MOMENTUM
                v += s
        for w, v in zip(W + b, vW + vb):
            w += v
        spent["optimizer"] += clock() - t0
    return spent, (W, b)


def accuracy(W, b, X, labels):
    h = X
    for k in range(len(W)):
        h = h @ W[k] + b[k]
        if k < len(W) - 1:
            h = np.maximum(h, 0)
    return float(np.mean(h.argmax(axis=1) == labels))


def smallnet_epoch(X, Y, seed):
    net = smallnet_network(seed, engine="numpy")  # the lean loop is NumPy: so is this fit
    start = time.perf_counter()
    net.fit(X, Y, epochs=1, batch_size=BATCH)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args(argv)
    X, labels, X_test, labels_test = make_data(args.rows)
    Y = np.eye(SIZES[-1], dtype=np.float32)[labels]
    gemm_tn = blas_sgemm()
    variants = {"lean NumPy": None}
    if gemm_tn is not None:
        variants["momentum in the GEMM"] = gemm_tn
    lean_epoch(X[: 8 * BATCH], Y[: 8 * BATCH], 0, gemm_tn)  # warm-up
    smallnet_epoch(X[: 8 * BATCH], Y[: 8 * BATCH], 0)
    spent = {name: [] for name in variants}
    scores, ours = {}, []
    for _ in range(args.rounds):
        for name, gemm in variants.items():
            seconds, weights = lean_epoch(X, Y, 0, gemm)
            spent[name].append(seconds)
            scores[name] = accuracy(*weights, X_test, labels_test)
            time.sleep(0.5)
        ours.append(smallnet_epoch(X, Y, 0))
        time.sleep(0.5)
    print(
        f"MNIST-shaped MLP {'-'.join(map(str, SIZES))}, {args.rows} rows, batch {BATCH}, "
        f"one epoch, {args.rounds} rounds; ms per epoch, medians"
    )
    if gemm_tn is None:
        print(
            "(no cblas_sgemm found in NumPy's own BLAS: "
            "the momentum-in-the-GEMM variant is skipped)"
        )
    print(f"{'section':24s}" + "".join(f"{name:>22s}" for name in variants))
    for section in SECTIONS:
        print(
            f"{section:24s}"
            + "".join(
                f"{1000 * statistics.median(r[section] for r in spent[name]):22.1f}"
                for name in variants
            )
        )
    totals = {name: [sum(r.values()) for r in runs] for name, runs in spent.items()}
    print(
        f"{'total':24s}"
        + "".join(f"{1000 * statistics.median(totals[name]):22.1f}" for name in variants)
    )
    efficiency = {
        name: statistics.median(r["matrix products"] / sum(r.values()) for r in runs)
        for name, runs in spent.items()
    }
    print(f"{'best efficiency':24s}" + "".join(f"{efficiency[name]:22.0%}" for name in variants))
    print(f"{'test accuracy':24s}" + "".join(f"{scores[name]:22.1%}" for name in variants))
    ratio = statistics.median(a / b for a, b in zip(ours, totals["lean NumPy"]))
    print(
        f"smallnet fit: {1000 * statistics.median(ours):.1f} ms per epoch, "
        f"{ratio:.2f}x the lean NumPy loop (median of each round's ratio)"
    )


if __name__ == "__main__":
    main()
