"""The numba engine's kernels: whole epochs of a Dense stack's training in compiled loops.

Each kernel mirrors the NumPy code it replaces: `activate` and `slope` are
`smallnet.activations`' forward and backward, `loss_top` a loss's value with its error (or
fused delta), `update` the optimizers' step, all in the same order of operations, so that the
two engines agree to float rounding. `train` runs epochs of them in one call. Only
`smallnet.engine.compiled` imports this module: importing smallnet compiles nothing, and
``cache=True`` keeps the compiled code on disk for the next process. NumPy's error model
(a division by zero gives inf, as in NumPy, rather than raising) also lets loops compile to
vector code.
"""

import numpy as np
from numba import njit

SIGMOID, TANH, RELU, IDENTITY, SOFTMAX = range(5)  # positions in smallnet.engine.ACTIVATIONS
SSE, MSE, BINARY, CATEGORICAL, SPARSE = range(5)  # and in its LOSSES
SGD, ADAM = range(2)
SMALL = 4096  # multiply-adds below which a plain loop beats a BLAS call


# Every array is flat, in row-major order, with an offset: views cost more than the sums of a
# tutorial-sized net, so none is made per step but for a BLAS call.


@njit(cache=True, error_model="numpy")
def product(a, a0, b, b0, out, o0, n, k, m):
    """out (n, m) = a (n, k) @ b (k, m): BLAS for all but the smallest products."""
    if n * k * m > SMALL:
        A, B = a[a0 : a0 + n * k].reshape((n, k)), b[b0 : b0 + k * m].reshape((k, m))
        np.dot(A, B, out[o0 : o0 + n * m].reshape((n, m)))
        return
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += a[a0 + i * k + p] * b[b0 + p * m + j]
            out[o0 + i * m + j] = total


@njit(cache=True, error_model="numpy")
def product_tn(a, a0, b, b0, out, o0, n, k, m):
    """out (k, m) = a (n, k).T @ b (n, m)."""
    if n * k * m > SMALL:
        A, B = a[a0 : a0 + n * k].reshape((n, k)), b[b0 : b0 + n * m].reshape((n, m))
        np.dot(A.T, B, out[o0 : o0 + k * m].reshape((k, m)))
        return
    for p in range(k):
        for j in range(m):
            total = 0.0
            for i in range(n):
                total += a[a0 + i * k + p] * b[b0 + i * m + j]
            out[o0 + p * m + j] = total


@njit(cache=True, error_model="numpy")
def product_nt(a, a0, b, b0, out, o0, n, k, m):
    """out (n, k) = a (n, m) @ b (k, m).T."""
    if n * k * m > SMALL:
        A, B = a[a0 : a0 + n * m].reshape((n, m)), b[b0 : b0 + k * m].reshape((k, m))
        np.dot(A, B.T, out[o0 : o0 + n * k].reshape((n, k)))
        return
    for i in range(n):
        for p in range(k):
            total = 0.0
            for j in range(m):
                total += a[a0 + i * m + j] * b[b0 + p * m + j]
            out[o0 + i * k + p] = total


@njit(cache=True, error_model="numpy")
def activate(z, start, size, units, code):
    """The activation's forward pass, in place: z[start:start + size] becomes the outputs."""
    end = start + size
    if code == SIGMOID:
        for i in range(start, end):
            z[i] = 1.0 / (1.0 + np.exp(-z[i]))  # l1 = nonlin(np.dot(l0, syn0))
    elif code == TANH:
        for i in range(start, end):
            z[i] = np.tanh(z[i])
    elif code == RELU:
        for i in range(start, end):
            z[i] = max(z[i], 0.0)
    elif code == SOFTMAX:  # row by row, the row's maximum taken first so exp never overflows
        for row in range(start, end, units):
            top = z[row]
            for i in range(row + 1, row + units):
                top = max(top, z[i])
            total = 0.0
            for i in range(row, row + units):
                z[i] = np.exp(z[i] - top)
                total += z[i]
            for i in range(row, row + units):
                z[i] /= total


@njit(cache=True, error_model="numpy")
def slope(out, error, start, size, units, code):
    """The activation's backward pass, in place: error[start:start + size] becomes the delta."""
    end = start + size
    if code == SIGMOID:
        for i in range(start, end):
            error[i] *= out[i] * (1.0 - out[i])  # l1_delta = l1_error * nonlin(l1, deriv=True)
    elif code == TANH:
        for i in range(start, end):
            error[i] *= 1.0 - out[i] * out[i]
    elif code == RELU:
        for i in range(start, end):
            if out[i] <= 0.0:
                error[i] = 0.0
    elif code == SOFTMAX:  # delta = out * (error - <error, out>), row by row
        for row in range(start, end, units):
            along = 0.0
            for i in range(row, row + units):
                along += error[i] * out[i]
            for i in range(row, row + units):
                error[i] = (error[i] - along) * out[i]


@njit(cache=True, error_model="numpy")
def row_loss(code, y, out, at, i, m, eps, top, size, n):
    """Row i's term of the loss (before its sign and mean), and its error (or delta) into top."""
    term = 0.0
    if code == SSE or code == MSE:
        for j in range(m):
            e = y[i * m + j] - out[at + j]  # l2_error = y - l2
            term += e * e
            top[at + j] = e if code == SSE else e * (2.0 / size)
    elif code == BINARY:
        for j in range(m):
            p, t = out[at + j], y[i * m + j]
            q = min(max(p, eps), 1.0 - eps)
            term += t * np.log(q) + (1.0 - t) * np.log1p(-q)
            top[at + j] = (t - p) / size
    elif code == CATEGORICAL:
        for j in range(m):
            p, t = out[at + j], y[i * m + j]
            if t != 0.0:  # one log per row for one-hot targets
                term += t * np.log(min(max(p, eps), 1.0 - eps))
            top[at + j] = (t - p) / n
    else:  # SPARSE: y holds each row's class index
        label = int(y[i])
        for j in range(m):
            top[at + j] = -out[at + j] / n
        top[at + label] = (1.0 - out[at + label]) / n
        term = np.log(min(max(out[at + label], eps), 1.0 - eps))
    return term


@njit(cache=True, error_model="numpy")
def loss_top(code, y, out, o0, n, m, w, weighted, eps, top):
    """The loss of out[o0:] (n, m) against y (n, m), and into top[o0:] its error (its delta
    below a fused output activation), each row times its weight in `w` when `weighted`."""
    size = n * m
    total = 0.0
    wsum = 0.0
    for i in range(n):
        at = o0 + i * m
        term = row_loss(code, y, out, at, i, m, eps, top, size, n)
        if weighted:
            for j in range(m):
                top[at + j] *= w[i]
            total += term * w[i]
            wsum += w[i]
        else:
            total += term
    if weighted:
        if wsum == 0.0:
            return 0.0
        total = total / wsum * n  # the weighted mean of the rows' terms, times n to sum them
    if code == SSE:
        return 0.5 * total
    if code == MSE or code == BINARY:
        return (1.0 if code == MSE else -1.0) * total / size
    return -total / n


@njit(cache=True, error_model="numpy")
def penalize(params, steps, layout, l1, l2, scale):
    """The L1/L2 penalty's value on the weights (not biases), its gradient taken from `steps`."""
    value = 0.0
    for layer in range(layout.shape[0]):
        start = layout[layer, 2]
        for k in range(start, start + layout[layer, 0] * layout[layer, 1]):
            p = params[k]
            if l2:
                value += 0.5 * l2 * p * p
                steps[k] -= scale * l2 * p
            if l1:
                value += l1 * abs(p)
                steps[k] -= scale * l1 * np.sign(p)
    return value


@njit(cache=True, error_model="numpy")
def update(params, steps, first, second, code, nesterov, hyper, t):
    """One optimizer step over every parameter in one pass; `steps` include `step_scale`.

    hyper: learning rate, momentum, beta_1, beta_2, epsilon, weight decay, and whether epsilon
    goes on sqrt(v_hat) (AdamW) rather than on sqrt(v); t: Adam's step count, as an array.
    Each case is a loop of its own, with no test inside, so that it compiles to vector code.
    """
    if code == SGD:
        mu = hyper[1]
        if mu == 0.0:
            for k in range(params.size):
                params[k] += steps[k]  # syn0 += l0.T.dot(l1_delta)
        elif nesterov:
            for k in range(params.size):
                v = mu * first[k] + steps[k]
                first[k] = v
                params[k] += steps[k] + mu * v
        else:
            for k in range(params.size):
                v = mu * first[k] + steps[k]
                first[k] = v
                params[k] += v
        return
    t[0] += 1
    lr, b1, b2, epsilon = hyper[0], hyper[2], hyper[3], hyper[4]
    root = np.sqrt(1.0 - b2 ** t[0])
    share = (1.0 - b2) / (1.0 - b1) ** 2  # (1 - b2) * step**2 == share * s**2
    decay = 1.0 - lr * hyper[5]
    if hyper[6]:  # AdamW: epsilon on sqrt(v_hat), and the decoupled decay
        lr_t = lr / (1.0 - b1 ** t[0])
        for k in range(params.size):
            s = steps[k]
            m, v = b1 * first[k] + s, b2 * second[k] + s * s * share
            first[k], second[k] = m, v
            params[k] = params[k] * decay + m / (np.sqrt(v) / root + epsilon) * lr_t
    else:
        lr_t = lr * root / (1.0 - b1 ** t[0])
        for k in range(params.size):
            s = steps[k]
            m, v = b1 * first[k] + s, b2 * second[k] + s * s * share
            first[k], second[k] = m, v
            params[k] += m / (np.sqrt(v) + epsilon) * lr_t


@njit(cache=True, error_model="numpy")
def add_bias(z, z0, b, b0, n, units):
    """Add the bias b[b0:] (units,) to each of the n rows of z[z0:]."""
    bias = b[b0 : b0 + units]
    for i in range(n):
        row = z[z0 + i * units : z0 + (i + 1) * units]  # a view per row: it vectorizes
        for j in range(units):
            row[j] += bias[j]


@njit(cache=True, error_model="numpy")
def copy_row(source, row, target, i, width):
    """Row `row` of source (rows, width) into row i of target; a loop, as slice assignment
    copies through a temporary where the two might overlap."""
    src = source[row * width : (row + 1) * width]
    dst = target[i * width : (i + 1) * width]
    for j in range(width):
        dst[j] = src[j]


@njit(cache=True, error_model="numpy")
def step(xb, yb, nb, wb, weighted, params, steps, first, second, layout, codes, hyper, t, acts,
         errors):  # fmt: skip
    """One training step on the batch xb (nb, inputs), yb: forward, loss, backward, update.

    Returns the loss (with the penalty) before the update; the outputs stay in `acts`.
    layout rows: inputs, units, weights offset, bias offset (-1: none), activation, offset in
    `acts` and `errors` (each layer's outputs, and the error at them); codes: loss, optimizer,
    nesterov, fused; hyper: as `update`'s, then l1, l2, the step scale and the clipping epsilon.
    """
    depth = layout.shape[0]
    below, b_at = xb, 0
    for layer in range(depth):
        k, u, w0, b0 = layout[layer, 0], layout[layer, 1], layout[layer, 2], layout[layer, 3]
        a0 = layout[layer, 5]
        product(below, b_at, params, w0, acts, a0, nb, k, u)  # np.dot(l0, syn0)
        if b0 >= 0:
            add_bias(acts, a0, params, b0, nb, u)
        activate(acts, a0, nb * u, u, layout[layer, 4])
        below, b_at = acts, a0
    u, a0 = layout[depth - 1, 1], layout[depth - 1, 5]
    loss = loss_top(codes[0], yb, acts, a0, nb, u, wb, weighted, hyper[10], errors)
    scale = hyper[9]
    if scale != 1.0:  # SGD's learning rate on these few numbers, not on every weight's step
        for i in range(a0, a0 + nb * u):
            errors[i] *= scale
    for layer in range(depth - 1, -1, -1):
        k, u, w0, b0 = layout[layer, 0], layout[layer, 1], layout[layer, 2], layout[layer, 3]
        a0 = layout[layer, 5]
        if not (codes[3] and layer == depth - 1):
            slope(acts, errors, a0, nb * u, u, layout[layer, 4])  # the delta, in place
        below, b_at = (acts, layout[layer - 1, 5]) if layer > 0 else (xb, 0)
        product_tn(below, b_at, errors, a0, steps, w0, nb, k, u)  # l0.T.dot(l1_delta)
        if b0 >= 0:  # the bias's step: the delta summed over the rows
            for j in range(u):
                total = 0.0
                for i in range(nb):
                    total += errors[a0 + i * u + j]
                steps[b0 + j] = total
        if layer > 0:  # l0_error = l1_delta.dot(syn0.T)
            product_nt(errors, a0, params, w0, errors, layout[layer - 1, 5], nb, k, u)
    if hyper[7] or hyper[8]:
        loss += penalize(params, steps, layout, hyper[7], hyper[8], scale)
    update(params, steps, first, second, codes[1], codes[2], hyper, t)
    return loss


@njit(cache=True, error_model="numpy")
def train(X, y, features, targets, weights, orders, batch_size, epochs, params, steps, first,
          second, layout, codes, hyper, t, acts, errors, xb, yb, wb, losses, outputs):  # fmt: skip
    """`epochs` epochs over (X, y) in batches of `batch_size` rows; returns how many ran.

    X (n * features,) and y (n * targets,) flat; orders (epochs, n): each epoch's shuffled row
    order (shape (0, 0): in order, where a full batch is X itself). weights (n,) or empty.
    losses[e] gets epoch e's loss (its batches' average by their share); outputs (n * units,)
    the last epoch's outputs, in its order. A loss that is not finite ends the run after its
    epoch, as the divergence guard then stops training.
    """
    n = X.size // features
    weighted = weights.size > 0
    shuffled = orders.shape[0] > 0
    depth = layout.shape[0]
    u, a0 = layout[depth - 1, 1], layout[depth - 1, 5]
    for epoch in range(epochs):
        total = 0.0
        seen = 0.0
        loss = 0.0
        for start in range(0, n, batch_size):
            nb = min(batch_size, n - start)
            if nb == n and not shuffled:  # the tutorial's full batch: the data as it is
                xin, yin = X, y
            else:
                for i in range(nb):
                    row = orders[epoch, start + i] if shuffled else start + i
                    copy_row(X, row, xb, i, features)
                    copy_row(y, row, yb, i, targets)
                xin, yin = xb, yb
            share = float(nb)
            if weighted:
                share = 0.0
                for i in range(nb):
                    wb[i] = weights[orders[epoch, start + i] if shuffled else start + i]
                    share += wb[i]
                if share:  # each batch's weights to mean 1
                    for i in range(nb):
                        wb[i] /= share / nb
            loss = step(xin, yin, nb, wb, weighted, params, steps, first, second, layout, codes,
                        hyper, t, acts, errors)  # fmt: skip
            total += loss * share
            seen += share
            for i in range(nb * u):
                outputs[start * u + i] = acts[a0 + i]
        losses[epoch] = loss if batch_size >= n else total / seen
        if not np.isfinite(losses[epoch]):
            return epoch + 1
    return epochs
