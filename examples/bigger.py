"""A bigger network: two ReLU hidden layers and a softmax output,
trained with Adam on minibatches."""

import numpy as np

import smallnet as sn

rng = np.random.RandomState(0)
X = rng.normal(size=(600, 2))
labels = (np.hypot(X[:, 0], X[:, 1]) > 1).astype(int) + (
    X[:, 0] > 1.5
)  # three rings-and-slab classes
y = np.eye(3)[labels]

net = sn.Network(
    [
        sn.Dense(32, activation="relu", initializer="he_normal"),
        sn.Dense(16, activation="relu", initializer="he_normal"),
        sn.Dense(3, activation="softmax"),
    ],
    loss="categorical_crossentropy",
    optimizer=sn.Adam(learning_rate=0.01),
    metrics=["accuracy"],
    seed=0,
)
history = net.fit(X, y, epochs=100, batch_size=32, log_every=20)
net.summary()
print("training accuracy:", net.evaluate(X, y)["accuracy"])
