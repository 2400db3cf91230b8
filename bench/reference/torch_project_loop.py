#!/usr/bin/env python3
"""The least a training loop can do, on a project Modelspec exported: for
bench/train-throughput-torch.ts, to tell train.py's own per-batch overhead from PyTorch's.

For each project it imports the project's own model.py, data.py and train.py (for its
settings, loss, optimizer and seeded batch order, so the model, data, batches and
arithmetic are the same as the torch engine's) and trains a few epochs with a bare loop:
gather the batch, forward, loss, zero_grad, backward, step. Nothing else: no loss or
accuracy read back, no gradient scaler, no stop check. Threads are left as PyTorch sets
them, as train.py leaves them, unless --threads is given.

Prints one JSON object: {"torch": version, "threads": n, "results": {NAME: {"wall":
samples/s, "cpu": samples per CPU-second, "epochs": [per-epoch samples/s]}}}, the rates
being medians over the epochs after the first.

Usage: python3 torch_project_loop.py --project NAME=DIR [--project ...] [--epochs 4] [--threads N]
"""
import argparse
import importlib
import json
import statistics
import sys
import time

import torch


def run(directory, epochs):
    sys.path.insert(0, directory)
    for name in ("model", "data", "train"):
        sys.modules.pop(name, None)
    try:
        train = importlib.import_module("train")
        model_py = importlib.import_module("model")
        (x_fit, y_fit), _, _ = train.load_splits()
        x_fit = torch.from_numpy(x_fit).reshape(len(x_fit), *model_py.INPUT_SHAPE)
        y_fit = torch.from_numpy(y_fit).long()
        torch.manual_seed(train.SEED)
        model = model_py.build_model()
        optimizer = train.make_optimizer(model.parameters())
        model.train()
        rates, cpu_rates = [], []
        for epoch in range(epochs):
            wall, cpu, seen = time.perf_counter(), time.process_time(), 0
            for rows in train.batches(len(y_fit), train.BATCH_SIZE, epoch):
                x, y = x_fit[rows], y_fit[rows]
                loss = train.loss_fn(model(x), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                seen += len(rows)
            rates.append(seen / (time.perf_counter() - wall))
            cpu_rates.append(seen / max(time.process_time() - cpu, 1e-9))
        steady = rates[1:] or rates
        steady_cpu = cpu_rates[1:] or cpu_rates
        return {"wall": round(statistics.median(steady), 1), "cpu": round(statistics.median(steady_cpu), 1), "epochs": [round(r, 1) for r in rates], "samples": len(y_fit)}
    finally:
        sys.path.remove(directory)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", action="append", default=[], help="NAME=DIR of an exported PyTorch project")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    results = {}
    for item in args.project:
        name, directory = item.split("=", 1)
        try:
            results[name] = run(directory, args.epochs)
        except Exception as error:  # one broken project must not hide the others
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
