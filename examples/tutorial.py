"""The tutorial's 3-4-1 network, written out with smallnet's pieces."""

import numpy as np

import smallnet as sn

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0, 0, 1, 1]]).T

net = sn.Network(
    [
        sn.Dense(
            4, input_dim=3, activation="sigmoid", use_bias=False, initializer="uniform"
        ),  # syn0
        sn.Dense(1, activation="sigmoid", use_bias=False, initializer="uniform"),
    ],  # syn1
    loss="sse",  # l2_error = y - l2
    optimizer=sn.SGD(learning_rate=1.0),  # syn1 += l1.T.dot(l2_delta)
    metrics=["mae"],  # np.mean(np.abs(l2_error))
    seed=1,  # np.random.seed(1)
)
history = net.fit(X, y, epochs=60000)
for error in history["mae"][::10000]:
    print("Error:" + str(error))
print("Output After Training:")
print(history.last_output)
