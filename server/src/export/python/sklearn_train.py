"""{{DOC}}"""
import argparse
import json
import os
import pickle
import signal
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
import sklearn

from data import LABELS, load_splits
from model import build_model


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="run", help="folder for metrics.json, model.pkl and predictions.npy (default ./run)")
    p.add_argument("--events", type=int, help=argparse.SUPPRESS)  # Modelspec's progress channel: a file descriptor
    return p.parse_args()


def learned_numbers(estimator):
    """The numbers a fitted estimator keeps, counted as Modelspec counts them: weights and
    intercepts; support vectors, their dual coefficients and the intercepts; 4 per tree node."""
    if hasattr(estimator, "estimators_"):
        return sum(learned_numbers(tree) for tree in estimator.estimators_)
    if hasattr(estimator, "tree_"):
        return 4 * estimator.tree_.node_count
    if hasattr(estimator, "support_vectors_") and getattr(estimator, "kernel", "") != "linear":
        return estimator.support_vectors_.size + estimator.dual_coef_.size + estimator.intercept_.size
    return estimator.coef_.size + estimator.intercept_.size


def latency_ms(estimator, x):
    """Median time to predict one sample, over up to 50 test samples."""
    times = []
    for i in range(min(51, len(x))):
        start = time.perf_counter()
        estimator.predict(x[i : i + 1])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:] or times)  # the first call warms up


{{COMMON}}


def main(args, events):
    # A fit cannot stop half way: Ctrl-C interrupts as usual, and Modelspec's cancel ends the process.
    Stop(watch_stdin=args.events is not None, signals=False, then=lambda reason: os._exit(130))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = load_splits()
    # Classical models see each sample as one flat vector of features.
    x_train = np.concatenate([x_train, x_val]).reshape(len(y_train) + len(y_val), -1)
    y_train = np.concatenate([y_train, y_val])
    x_test = x_test.reshape(len(y_test), -1)
    estimator = build_model()
    events.send("start", device="cpu", worldSize=1, sklearn=sklearn.__version__, python=sys.version.split()[0],
                trainSamples=len(y_train), testSamples=len(y_test))
    started = time.perf_counter()
    estimator.fit(x_train, y_train)
    train_ms = (time.perf_counter() - started) * 1000
    predictions = estimator.predict(x_test)
    with open(out / "model.pkl", "wb") as f:
        pickle.dump(estimator, f)
    np.save(out / "predictions.npy", predictions.astype(np.int64))
    learned = learned_numbers(estimator)
    metrics = {
        "status": "completed",
        "accuracy": float(np.mean(predictions == y_test)),
        "f1": macro_f1(y_test, predictions, len(LABELS)),
        "params": {"trainable": learned, "nonTrainable": 0, "total": learned},
        "trainMs": train_ms,
        "epochs": 1,
        "device": "cpu",
        "worldSize": 1,
        "torch": None,
        "sklearn": sklearn.__version__,
        "inferenceMsPerSample": latency_ms(estimator, x_test),
        "sizeBytes": os.path.getsize(out / "model.pkl"),
    }
    write_json(out / "metrics.json", metrics)
    events.send("done", status="completed", metrics=str(out / "metrics.json"))


if __name__ == "__main__":
    arguments = parse_args()
    progress = Events(arguments.events)
    try:
        main(arguments, progress)
    except Exception as error:  # reported to Modelspec too, then as usual
        progress.send("error", message=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
        raise
