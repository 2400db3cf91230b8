"""{{DOC}}"""
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
SHAPE = {{SHAPE}}  # one sample, channels last, as the spec writes it
LABELS = {{LABELS}}  # class index -> label


def load_splits():
    """(x, y) for training, validation and test: features float32 shaped [N, *SHAPE],
    labels int64 class indices into LABELS. The validation rows are the ones Modelspec
    holds out of the training split (data/validation.npy)."""
    x_train, y_train = np.load(DATA / "x_train.npy"), np.load(DATA / "y_train.npy")
    validation = np.load(DATA / "validation.npy")
    fit = np.ones(len(y_train), dtype=bool)
    fit[validation] = False
    test = np.load(DATA / "x_test.npy"), np.load(DATA / "y_test.npy")
    return (x_train[fit], y_train[fit]), (x_train[validation], y_train[validation]), test


def normalize(raw):
    """Scales raw samples (new rows of the source, [N, features]) exactly as the training
    data was scaled, with the statistics fitted on the training split, and shapes them
    [N, *SHAPE], ready for the model."""
    stats = json.loads((DATA / "dataset.json").read_text())["normalization"]
    x = np.asarray(raw, dtype=np.float64).reshape(len(raw), -1)
    if stats["kind"] == "minmax":
        low, high = np.array(stats["min"]), np.array(stats["max"])
        x = (x - low) / np.where(high - low > 0, high - low, 1.0)
    elif stats["kind"] == "standard":
        mean, std = np.array(stats["mean"]), np.array(stats["std"])
        x = (x - mean) / np.where(std > 0, std, 1.0)
    return x.astype(np.float32).reshape(len(x), *SHAPE)


if __name__ == "__main__":
    for name, (x, y) in zip(("train", "validation", "test"), load_splits()):
        print(f"{name}: x {x.shape} {x.dtype}, y {y.shape}, classes {np.bincount(y, minlength=len(LABELS)).tolist()}")
