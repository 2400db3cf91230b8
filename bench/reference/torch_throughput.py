#!/usr/bin/env python3
"""PyTorch CPU reference for bench/train-throughput.ts.

Trains the same four workloads (same layers and shapes as bench/train-throughput-models.ts)
with batch 64 and Adam on synthetic data, single-threaded (on a 2-core machine two
threads oversubscribe and run slower), and prints one JSON object:
{"torch": version, "threads": 1, "results": {"CNN": {"wall": samples_per_s,
"cpu": samples_per_cpu_s}, ...}} — the CPU-time rate is what a run would reach with
the core to itself, which matters on a shared machine.

Usage: python3 bench/reference/torch_throughput.py [--seconds S] [--workloads CNN,MLP]
"""
import argparse
import json
import time

import torch
from torch import nn

BATCH = 64
CLASSES = 10


class LastStep(nn.Module):
    """Runs a recurrent layer and keeps the final hidden state, like Keras with return_sequences=False."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        out, _ = self.rnn(x)
        return out[:, -1, :]


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, CLASSES),
    )


def lstm():
    return nn.Sequential(LastStep(nn.LSTM(16, 64, batch_first=True)), nn.Linear(64, CLASSES))


def emb_gru():
    return nn.Sequential(nn.Embedding(1000, 64), LastStep(nn.GRU(64, 64, batch_first=True)), nn.Linear(64, CLASSES))


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, CLASSES))


# name -> (builder, one sample's shape, vocabulary for token inputs). PyTorch convolutions
# are channels-first, so the CNN's 28x28x1 images are 1x28x28 here.
WORKLOADS = {
    'CNN': (cnn, (1, 28, 28), None),
    'LSTM': (lstm, (32, 16), None),
    'emb+GRU': (emb_gru, (32,), 1000),
    'MLP': (mlp, (784,), None),
}


def batches(shape, vocab, count):
    g = torch.Generator().manual_seed(1)
    for _ in range(count):
        if vocab:
            x = torch.randint(0, vocab, (BATCH, *shape), generator=g)
        else:
            x = torch.randn((BATCH, *shape), generator=g)
        yield x, torch.randint(0, CLASSES, (BATCH,), generator=g)


def throughput(name, seconds):
    build, shape, vocab = WORKLOADS[name]
    torch.manual_seed(0)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    data = list(batches(shape, vocab, 16))

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for x, y in data[:3]:
        step(x, y)
    done = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while True:
        x, y = data[done % len(data)]
        step(x, y).item()
        done += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and done >= 3:
            cpu = time.process_time() - cpu_start
            return {'wall': round(done * BATCH / elapsed, 1), 'cpu': round(done * BATCH / cpu, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seconds', type=float, default=3.0)
    parser.add_argument('--workloads', default=','.join(WORKLOADS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {name: throughput(name, args.seconds) for name in args.workloads.split(',')}
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': results}))


if __name__ == '__main__':
    main()
