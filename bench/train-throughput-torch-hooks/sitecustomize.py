"""Put on PYTHONPATH by bench/train-throughput-torch.ts for the trainer it starts (and so
for train.py): records when the interpreter came up and when `import torch` finished, as a
JSON line appended to $MODELSPEC_BENCH_TIMING (wall-clock ms, as the bench's clock), then
gets out of the way. It hooks builtins.__import__ only until torch is imported, and runs
the sitecustomize it shadows (Debian's), so train.py runs as it otherwise would."""
import builtins
import importlib.machinery
import importlib.util
import json
import os
import sys
import time

_SITE_MS = time.time() * 1000
_HERE = os.path.dirname(os.path.abspath(__file__))
_OUT = os.environ.get("MODELSPEC_BENCH_TIMING")
_import = builtins.__import__


def _record(torch_ms):
    try:
        with open(_OUT, "a") as f:
            f.write(json.dumps({"pid": os.getpid(), "argv": sys.argv[:1], "siteMs": _SITE_MS, "torchMs": torch_ms}) + "\n")
    except OSError:
        pass


def _timed_import(name, globals=None, locals=None, fromlist=(), level=0):
    module = _import(name, globals, locals, fromlist, level)
    if level == 0 and name.split(".")[0] == "torch":
        torch = sys.modules.get("torch")
        spec = getattr(torch, "__spec__", None)
        if torch is not None and not getattr(spec, "_initializing", False):
            builtins.__import__ = _import
            _record(time.time() * 1000)
    return module


if _OUT:
    builtins.__import__ = _timed_import

# Run the sitecustomize this one shadows, if any.
_others = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
_spec = importlib.machinery.PathFinder.find_spec("sitecustomize", _others)
if _spec is not None and _spec.loader is not None:
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
