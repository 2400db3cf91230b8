"""{{DOC}}"""
import argparse
import contextlib
import copy
import ctypes
import json
import os
import signal
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from data import LABELS, load_splits
from model import INPUT_SHAPE, build_model

{{SETTINGS}}

EPSILON = 1e-7  # Keras's clip of probabilities before a log, which Modelspec's losses share


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"passes over the training data (default {EPOCHS})")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"samples per step, shared out between the processes (default {BATCH_SIZE})")
    p.add_argument("--device", default="auto", help="auto (this process's GPU when there is one, else the CPU), cpu, cuda, cuda:N or mps")
    p.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default="fp32", help="fp32, or mixed precision (fp16 needs CUDA)")
    p.add_argument("--out", default="run", help="folder for metrics.json, model.pt, predictions.npy and checkpoint.pt (default ./run)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt, written after every epoch")
    p.add_argument("--threads", type=int, help="CPU threads per process (default: PyTorch's, shared out between local processes)")
    p.add_argument("--events", type=int, help=argparse.SUPPRESS)  # Modelspec's progress channel: a file descriptor
    return p.parse_args()


# --- Processes: one, or several under torchrun (or any launcher that sets the same variables)

WORLD = int(os.environ.get("WORLD_SIZE", "1"))
RANK = int(os.environ.get("RANK", "0"))
LOCAL_RANK = int(os.environ.get("LOCAL_RANK", "0"))
LOCAL_WORLD = int(os.environ.get("LOCAL_WORLD_SIZE", str(WORLD)))


def pick_device(name):
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", LOCAL_RANK % torch.cuda.device_count())
        mps = getattr(torch.backends, "mps", None)
        return torch.device("mps" if WORLD == 1 and mps is not None and mps.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", LOCAL_RANK % torch.cuda.device_count())
    return device


def describe(device):
    if device.type == "cuda":
        return f"{device} {torch.cuda.get_device_name(device)}"
    if device.type == "cpu":
        return f"cpu, {torch.get_num_threads()} thread{'s' if torch.get_num_threads() != 1 else ''}"
    return str(device)


def all_sum(values, device):
    """Sums a list of numbers over every process (a no-op in one)."""
    if WORLD == 1:
        return [float(v) for v in values]
    t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.tolist()


def mixed_precision(device, precision):
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision == "fp16" and device.type != "cuda":
        raise SystemExit("--precision fp16 needs a CUDA device; on a CPU use bf16.")
    return torch.autocast(device_type=device.type, dtype=torch.float16 if precision == "fp16" else torch.bfloat16)


def grad_scaler(precision):
    # fp16 gradients underflow without loss scaling; bf16 and fp32 need none.
    scaler = getattr(torch.amp, "GradScaler", None)
    if scaler is not None:
        return scaler("cuda", enabled=precision == "fp16")
    return torch.cuda.amp.GradScaler(enabled=precision == "fp16")


# --- Loss and predictions, as Modelspec's training engines define them (Keras's semantics)

def targets(y, output):
    """Labels as the loss compares them: one-hot rows, or one 0/1 column for a single output."""
    if output.shape[-1] == 1:
        return y.unsqueeze(-1).to(output.dtype)
    return torch.nn.functional.one_hot(y, output.shape[-1]).to(output.dtype)


def loss_fn(output, y):
    output = output.float()
    if LOSS in ("sparse_categorical_crossentropy", "categorical_crossentropy"):
        p = (output / output.sum(dim=-1, keepdim=True)).clamp(EPSILON, 1 - EPSILON)
        return -p.log().gather(-1, y.unsqueeze(-1)).mean()
    target = targets(y, output)
    if LOSS == "binary_crossentropy":
        p = output.clamp(EPSILON, 1 - EPSILON)
        return -(target * p.log() + (1 - target) * (1 - p).log()).mean()
    if LOSS == "mse":
        return ((output - target) ** 2).mean()
    if LOSS == "mae":
        return (output - target).abs().mean()
    if LOSS == "hinge":
        return (1 - (2 * target - 1) * output).clamp_min(0).mean()
    raise ValueError(f"unknown loss {LOSS}")


def predict(output):
    return (output[..., 0] > 0.5).long() if output.shape[-1] == 1 else output.argmax(dim=-1)


# --- Training

def batches(n, batch_size, epoch):
    """This process's share of the epoch's seeded shuffle, in batches of row indices. The data
    is in memory, so a DataLoader would only add per-sample overhead; DistributedSampler
    gives the order, with every process taking the same number of steps."""
    sampler = DistributedSampler(range(n), num_replicas=WORLD, rank=RANK, shuffle=True, seed=SEED)
    sampler.set_epoch(epoch)
    return torch.tensor(list(sampler), dtype=torch.long).split(batch_size)


def evaluate(model, x, y, device, batch_size):
    """Loss, accuracy and every prediction on (x, y), each process taking every WORLD-th
    sample and the sums combined, so every process gets the whole split's figures."""
    n = len(y)
    if n == 0:
        return None, None, None
    model.eval()
    mine = torch.arange(RANK, n, WORLD)
    predictions = torch.zeros(n, *y.shape[1:], dtype=torch.long, device=device)
    loss_sum = 0.0
    with torch.no_grad():
        for rows in mine.split(batch_size):
            xb, yb = x[rows].to(device), y[rows].to(device)
            output = model(xb)
            loss_sum += float(loss_fn(output, yb)) * len(rows)
            predictions[rows.to(device)] = predict(output)
    if WORLD > 1:
        dist.all_reduce(predictions)
    (loss_sum,) = all_sum([loss_sum], device)
    correct = float((predictions.cpu() == y).float().mean())
    return loss_sum / n, correct, predictions.cpu()


def count_parameters(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers() if b.is_floating_point())
    return {"trainable": trainable, "nonTrainable": total - trainable, "total": total}, buffers


def latency_ms(model, x, device):
    """Median time to predict one sample, over up to 50 test samples."""
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(min(51, len(x))):
            sample = x[i : i + 1].to(device)
            start = time.perf_counter()
            model(sample)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:] or times)  # the first call warms up


def keep_freed_memory():
    """glibc hands each step's freed activation buffers back to the kernel and faults them in
    again at the next step, which made a small CNN 4-5x slower at random (measured by
    bench/train-throughput-torch.ts); keep freed memory in the process instead (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: buffers up to 32 MiB come from the heap
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GiB of freed heap
    except (OSError, AttributeError):
        pass


def match_blas_threads():
    """OpenBLAS, which some PyTorch builds (Debian's) do matrix products with, keeps a thread
    pool of its own that torch.set_num_threads does not reach: give it PyTorch's number, so
    the threads the run reports are the threads it uses."""
    if not sys.platform.startswith("linux"):
        return
    try:
        with open("/proc/self/maps") as maps:
            libraries = {line.split()[-1] for line in maps if "libopenblas" in line}
        for path in libraries:
            ctypes.CDLL(path).openblas_set_num_threads(torch.get_num_threads())
    except (OSError, AttributeError):
        pass


def say(text):
    if RANK == 0:
        print(text, flush=True)


def save(path, value):
    tmp = f"{path}.tmp-{os.getpid()}"
    torch.save(value, tmp)
    os.replace(tmp, path)


{{COMMON}}


def main(args, events):
    stop = Stop(watch_stdin=args.events is not None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keep_freed_memory()
    if args.threads:
        torch.set_num_threads(args.threads)
    elif LOCAL_WORLD > 1:
        torch.set_num_threads(max(1, torch.get_num_threads() // LOCAL_WORLD))
    match_blas_threads()
    device = pick_device(args.device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if WORLD > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    torch.manual_seed(SEED)

    # The model may read the data's values in another shape of the same size (its spec's input).
    splits = [(torch.from_numpy(x).reshape(len(x), *INPUT_SHAPE), torch.from_numpy(y).long()) for x, y in load_splits()]
    (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = splits
    model = build_model().to(device)
    params, buffers = count_parameters(model)
    trained = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if WORLD > 1 else model
    optimizer = make_optimizer(model.parameters())
    scaler = grad_scaler(args.precision)
    autocast = mixed_precision(device, args.precision)

    state = {"epoch": 0, "history": [], "best": float("inf"), "since_best": 0, "best_weights": None, "train_ms": 0.0}
    checkpoint = out / "checkpoint.pt"
    if args.resume:
        if not checkpoint.exists():
            raise SystemExit(f"--resume: no checkpoint at {checkpoint}")
        saved = torch.load(checkpoint, map_location=device)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scaler.load_state_dict(saved["scaler"])
        state = saved["state"]

    events.send("start", device=describe(device), worldSize=WORLD, torch=torch.__version__, python=sys.version.split()[0],
                params=params, buffers=buffers, threads=torch.get_num_threads(), precision=args.precision,
                epochs=args.epochs, startEpoch=state["epoch"], trainSamples=len(y_fit), validationSamples=len(y_val), testSamples=len(y_test))
    say(f"{params['total']:,} parameters; {len(y_fit):,} training, {len(y_val):,} validation and {len(y_test):,} test samples; "
        f"{describe(device)}{f' x {WORLD} processes' if WORLD > 1 else ''}")
    # The spec's batch is the global one: each process takes its share, so a step sees the
    # same number of samples however many processes train (scale it with --batch-size).
    batch_size = max(1, args.batch_size // WORLD)
    status = "completed"
    started = time.perf_counter() - state["train_ms"] / 1000
    for epoch in range(state["epoch"], args.epochs):
        epoch_start = time.perf_counter()
        trained.train()
        # Summed on the device and read once per epoch: reading a GPU value every step would wait for it.
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        seen = 0
        for rows in batches(len(y_fit), batch_size, epoch):
            x, y = x_fit[rows].to(device, non_blocking=True), y_fit[rows].to(device, non_blocking=True)
            with autocast:
                output = trained(x)
            loss = loss_fn(output, y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.detach() * len(rows)
            correct += (predict(output) == y).float().mean() * len(rows)
            seen += len(rows)
            # Every process must stop at the same step, or the others wait for it forever.
            if (all_sum([1.0 if stop.reason else 0.0], device)[0] if WORLD > 1 else stop.reason):
                status = stop.reason or "cancelled"
                break
        loss_sum, correct, seen = all_sum([loss_sum, correct, seen], device)
        if status != "completed":
            break
        val_loss, val_accuracy, _ = evaluate(model, x_val, y_val, device, args.batch_size)
        now = time.perf_counter()
        record = {"epoch": epoch + 1, "loss": loss_sum / seen, "accuracy": correct / seen, "valLoss": val_loss, "valAccuracy": val_accuracy,
                  "samplesPerSec": seen / max(now - epoch_start, 1e-6), "elapsedMs": (now - started) * 1000}
        state["history"].append(record)
        events.send("epoch", epochs=args.epochs, **record)
        validation = f"  val_loss {val_loss:.4f}  val_acc {val_accuracy:.1%}" if val_loss is not None else ""
        say(f"epoch {epoch + 1}/{args.epochs}  loss {record['loss']:.4f}  acc {record['accuracy']:.1%}{validation}  {record['samplesPerSec']:,.0f} samples/s")
        if EARLY_STOPPING and val_loss is not None:
            if val_loss < state["best"] - 1e-6:
                state.update(best=val_loss, since_best=0, best_weights=copy.deepcopy(model.state_dict()))
            else:
                state["since_best"] += 1
        state.update(epoch=epoch + 1, train_ms=(now - started) * 1000)
        if RANK == 0:
            save(checkpoint, {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(), "state": state})
        if EARLY_STOPPING and state["since_best"] >= EARLY_STOPPING:
            status = "stopped-early"
            break
    train_ms = (time.perf_counter() - started) * 1000
    if status == "stopped-early" and state["best_weights"] is not None:
        model.load_state_dict(state["best_weights"])  # the epoch with the lowest validation loss

    _, accuracy, predictions = evaluate(model, x_test, y_test, device, args.batch_size)
    if RANK == 0:
        save(out / "model.pt", model.state_dict())
        np.save(out / "predictions.npy", predictions.numpy())
        metrics = {
            "status": status,
            "accuracy": accuracy,
            "f1": macro_f1(y_test.numpy().ravel(), predictions.numpy().ravel(), len(LABELS)),
            "params": params,
            "buffers": buffers,
            "trainMs": train_ms,
            "epochs": len(state["history"]),
            "device": describe(device),
            "worldSize": WORLD,
            "torch": torch.__version__,
            "precision": args.precision,
            "inferenceMsPerSample": latency_ms(model, x_test, device),
            "sizeBytes": os.path.getsize(out / "model.pt"),
            "history": state["history"],
        }
        write_json(out / "metrics.json", metrics)
        events.send("done", status=status, metrics=str(out / "metrics.json"))
        say(f"{status} after {metrics['epochs']} epochs in {train_ms / 1000:.1f} s: test accuracy {accuracy:.2%}, macro F1 {metrics['f1']:.4f}; results in {out}")
    if WORLD > 1:
        # Leave together, then skip the interpreter's teardown: in PyTorch 1.13 destroying
        # DDP's reducer and the gloo process group there can deadlock (the group's worker
        # thread waits for the GIL the destructor holds). Everything is written by now.
        dist.barrier()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    arguments = parse_args()
    progress = Events(arguments.events if RANK == 0 else None)
    try:
        main(arguments, progress)
    except Exception as error:  # reported to Modelspec too, then as usual
        progress.send("error", message=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
        raise
