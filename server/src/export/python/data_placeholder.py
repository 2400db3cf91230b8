"""{{DOC}}"""
import numpy as np

SHAPE = {{SHAPE}}  # one sample, channels last, as the spec writes it
CLASSES = {{CLASSES}}
LABEL_SHAPE = {{LABEL_SHAPE}}  # () for one class per sample, (T,) for one per position
TOKENS = {{TOKENS}}  # the model starts with an embedding: features are token ids below this
SAMPLES = {{SAMPLES}}
SEED = {{SEED}}
LABELS = [str(i) for i in range(CLASSES)]


def load_splits():
    """(x, y) for training, validation and test: random features float32 shaped [N, *SHAPE]
    (token ids when TOKENS is set) and random int64 labels below CLASSES. Replace this
    function with one that loads your data in the same form."""
    rng = np.random.default_rng(SEED)

    def split(n):
        if TOKENS:
            x = rng.integers(0, TOKENS, size=(n, *SHAPE)).astype(np.float32)
        else:
            x = rng.standard_normal((n, *SHAPE), dtype=np.float32)
        return x, rng.integers(0, CLASSES, size=(n, *LABEL_SHAPE))

    return split(SAMPLES["train"]), split(SAMPLES["validation"]), split(SAMPLES["test"])


if __name__ == "__main__":
    for name, (x, y) in zip(("train", "validation", "test"), load_splits()):
        print(f"{name}: x {x.shape} {x.dtype}, y {y.shape}")
