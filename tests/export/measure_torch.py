"""Measures exported model.py files in one process (importing torch costs ~1.5 s).

python measure_torch.py CASES.json  ->  one JSON list on stdout, a record per case:

  params     sum(p.numel() for p in model.parameters())
  buffers    floating buffers (batch-norm running mean and variance)
  shape      the output's shape for a batch of 2 zeros (model.eval()); token ids for embeddings
  macs       multiply-accumulates per sample, from forward hooks:
               nn.Conv1d/2d: out.numel()/N x (in_channels/groups) x prod(kernel_size)
               nn.Linear: out.numel()/N x in_features; TiedLinear likewise (its weight's columns)
               nn.RNN/LSTM/GRU (opaque kernels): gates x T x (F h + h h) per direction
               SelfAttention's Q.K^T and weights.V (inside F.scaled_dot_product_attention or
               plain matmuls): 2 T T H k, or 2 T(T+1)/2 H k with the causal mask
             ElmanRNN (the helper for other activations) is counted through the nn.Linear
             hooks of its two projections only (once per step for the recurrent one), not
             by the formula as well.
  unused     parameters that got no gradient from a training-mode forward and backward
  softmax    (when asked) the output of random inputs sums to 1 over its last axis
  constant   (when asked) a constant input comes out as that constant (pools' padding)
  error      the Python traceback when the case failed
"""
import importlib.util
import json
import math
import sys
import traceback

import torch
from torch import nn

GATES = {nn.RNN: 1, nn.GRU: 3, nn.LSTM: 4}
N = 2


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample(shape, tokens, random):
    if tokens:
        return torch.randint(0, tokens, (N, *shape)).float() if random else torch.zeros(N, *shape)
    return torch.randn(N, *shape) if random else torch.zeros(N, *shape)


def count_macs(model, x):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        kind = type(module)
        if isinstance(module, (nn.Conv1d, nn.Conv2d)):
            total += output.numel() // N * (module.in_channels // module.groups) * math.prod(module.kernel_size)
        elif isinstance(module, nn.Linear):
            total += output.numel() // N * module.in_features
        elif kind.__name__ == "TiedLinear":
            total += output.numel() // N * module.weight.shape[1]
        elif kind in GATES:
            steps, features, hidden = inputs[0].shape[1], module.input_size, module.hidden_size
            directions = 2 if module.bidirectional else 1
            total += directions * GATES[kind] * steps * (features * hidden + hidden * hidden)
        elif kind.__name__ == "SelfAttention":
            steps = inputs[0].shape[1]
            pairs = steps * (steps + 1) // 2 if module.causal else steps * steps
            total += 2 * pairs * module.heads * module.key_dim

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        with torch.no_grad():
            output = model(x)
    finally:
        for h in handles:
            h.remove()
    return total, output


def measure(case):
    module = load(case["path"], f"case_{case['id']}")
    torch.manual_seed(0)
    model = module.build_model()
    shape = tuple(module.INPUT_SHAPE)
    tokens = case.get("tokens")
    result = {
        "id": case["id"],
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers() if b.is_floating_point()),
        "inputShape": list(shape),
        "outputShapeConstant": list(module.OUTPUT_SHAPE),
    }
    model.eval()
    macs, output = count_macs(model, sample(shape, tokens, False))
    result["macs"] = macs
    result["shape"] = list(output.shape)

    model.train()
    model.zero_grad(set_to_none=True)
    x = sample(shape, tokens, True)
    x.requires_grad_(not tokens)  # so that a model without parameters has a graph to run backwards
    model(x).float().sum().backward()
    result["unused"] = [name for name, p in model.named_parameters() if p.grad is None]

    model.eval()
    with torch.no_grad():
        if case.get("softmax"):
            sums = model(sample(shape, tokens, True)).sum(dim=-1)
            result["softmax"] = bool(torch.allclose(sums, torch.ones_like(sums), atol=1e-5))
        if case.get("constant") is not None:
            c = float(case["constant"])
            out = model(torch.full((N, *shape), c))
            result["constant"] = bool(torch.allclose(out, torch.full_like(out, c), atol=1e-6))
    return result


def main():
    cases = json.load(open(sys.argv[1]))
    torch.set_num_threads(1)
    results = []
    for case in cases:
        try:
            results.append(measure(case))
        except Exception:
            results.append({"id": case["id"], "error": traceback.format_exc()})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
