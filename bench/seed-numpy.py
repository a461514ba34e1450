"""
The seed notebook's training loop in NumPy float64, timed inside Python:
the run the NumPy row of `npm run bench` (W1 float64) compares against.

Usage: python3 seed-numpy.py FIXTURE ROUNDS_MS MIN_RUNS
Reads the data and initial weights from the fixture (the notebook's own
run), trains 2000 epochs from them as many times as the budget allows, and
prints JSON: each run's milliseconds, the weights the first run trained
(each layer's W row-major, then b) and NumPy's version.
"""
import json
import sys
import time

import numpy as np

fixture = json.load(open(sys.argv[1]))
budget_ms = float(sys.argv[2])
min_runs = int(sys.argv[3])

X = np.array(fixture["X"], dtype=np.float64)
y = np.array(fixture["y"], dtype=np.float64).reshape(-1, 1)
init = {k: np.array(v, dtype=np.float64) for k, v in fixture["init"].items()}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train():
    W1, b1 = init["W1"].copy(), init["b1"].copy()
    W2, b2 = init["W2"].copy(), init["b2"].copy()
    W3, b3 = init["W3"].copy(), init["b3"].copy()
    lr = 0.1
    for epoch in range(1, 2001):
        a1 = sigmoid(X @ W1 + b1)
        a2 = sigmoid(a1 @ W2 + b2)
        a3 = sigmoid(a2 @ W3 + b3)
        loss = -np.mean(y * np.log(a3 + 1e-9) + (1 - y) * np.log(1 - a3 + 1e-9))
        acc = np.mean((a3 > 0.5) == y)
        d3 = a3 - y
        d2 = (d3 @ W3.T) * a2 * (1 - a2)
        d1 = (d2 @ W2.T) * a1 * (1 - a1)
        W3 -= lr * (a2.T @ d3)
        b3 -= lr * d3.sum(axis=0, keepdims=True)
        W2 -= lr * (a1.T @ d2)
        b2 -= lr * d2.sum(axis=0, keepdims=True)
        W1 -= lr * (X.T @ d1)
        b1 -= lr * d1.sum(axis=0, keepdims=True)
        if epoch % 400 == 0:
            line = f"Epoch {epoch}, Loss {loss:.4f}, Acc {acc:.3f}"
    return [W1, b1, W2, b2, W3, b3], line


times = []
weights = None
start_all = time.perf_counter()
while len(times) < min_runs or (time.perf_counter() - start_all) * 1000 < budget_ms:
    start = time.perf_counter()
    trained, line = train()
    times.append((time.perf_counter() - start) * 1000)
    if weights is None:
        weights = [float(v) for m in trained for v in m.ravel()]
print(json.dumps({"ms": times, "weights": weights, "last": line, "numpy": np.__version__}))
