# Functions the PyTorch and the scikit-learn train.py share; the exporter copies the ones a
# train.py uses into it, so that an exported project needs nothing of Modelspec.
import json
import os
import signal
import sys
import threading

import numpy as np


def macro_f1(y_true, y_pred, classes):
    """Macro-averaged F1 over the classes that occur in the true or predicted labels, as
    scikit-learn's f1_score(average="macro") and Modelspec compute it (0 for a class never
    predicted right)."""
    scores = []
    for c in range(classes):
        tp = int(np.sum((y_true == c) & (y_pred == c)))
        support, predicted = int(np.sum(y_true == c)), int(np.sum(y_pred == c))
        if support or predicted:
            scores.append(2 * tp / (support + predicted))
    return float(np.mean(scores)) if scores else 0.0


def write_json(path, value):
    """Writes to a temporary name and renames, so a reader never sees half a file."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


class Events:
    """Progress as JSON lines on a file descriptor of Modelspec's (--events), which starts
    the run and shows it in the editor; a no-op when train.py is run by hand."""

    def __init__(self, fd):
        self.stream = os.fdopen(fd, "w", buffering=1) if fd is not None else None

    def send(self, kind, **fields):
        if self.stream is None:
            return
        try:
            self.stream.write(json.dumps({"type": kind, **fields}) + "\n")
        except (BrokenPipeError, OSError):
            self.stream = None  # Modelspec is gone; the run goes on and still writes its files


class Stop:
    """Set by Ctrl-C or SIGTERM (a second Ctrl-C stops at once), or, under Modelspec, by a
    cancel message on stdin (its reason: cancelled, or interrupted when Modelspec itself
    is going away) or stdin closing (the editor or CLI went away). Training
    checks it after every batch, so a stop takes effect within a batch and keeps what
    finished. Work that cannot check (a scikit-learn fit) passes `then` to end at once."""

    def __init__(self, watch_stdin, signals=True, then=None):
        self.reason = None
        self.then = then
        if signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self.on_signal)
        if watch_stdin:
            threading.Thread(target=self.read_stdin, daemon=True).start()

    def set(self, reason):
        self.reason = self.reason or reason
        if self.then is not None:
            self.then(self.reason)

    def on_signal(self, signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        self.set("cancelled")

    def read_stdin(self):
        for line in sys.stdin:
            message = json.loads(line) if line.strip() else {}
            if message.get("type") == "cancel":
                self.set(message.get("reason", "cancelled"))
        self.set("interrupted")
