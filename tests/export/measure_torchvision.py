"""The reference numbers of torchvision's published models, measured as measure_torch.py
measures an export: parameters, floating buffers, and multiply-accumulates per sample
from the same forward hooks (convolutions and linear layers).

python measure_torchvision.py NAME...  ->  one JSON object on stdout, a record per name
NAME is a torchvision.models builder; googlenet is built without its auxiliary heads.
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure_torch import N, count_macs  # noqa: E402


def build(name):
    if name == "googlenet":
        return torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    return getattr(torchvision.models, name)(weights=None)


def main():
    torch.set_num_threads(1)
    out = {}
    for name in sys.argv[1:]:
        model = build(name).eval()
        macs, _ = count_macs(model, torch.zeros(N, 3, 224, 224))
        out[name] = {
            "params": sum(p.numel() for p in model.parameters()),
            "buffers": sum(b.numel() for b in model.buffers() if b.is_floating_point()),
            "macs": macs,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
