"""Runs the train.py of several exported projects, one after the other, in this one Python
process, so that torch and scikit-learn are imported once rather than once a project
(1.5-2 s each on the test machine, most of the cost of a small project's run).

python run_projects.py JOBS.json  ->  a JSON list on stdout, one record per job:
  JOBS.json: [{"dir": PROJECT, "args": ["--epochs", "1", "--out", "run"]}, ...]
  record:    {"dir", "status" (train.py's exit status), "ms", "error" (a traceback or null)}

Each train.py runs as `python train.py ARGS` would run it: as __main__, with sys.argv set,
from its own folder, which comes first on sys.path so that `from model import ...` and
`from data import ...` find the project's own files (the previous project's modules are
dropped first). Its output goes to PROJECT/train.log.
"""
import contextlib
import json
import os
import runpy
import sys
import time
import traceback


def run(job):
    folder = os.path.abspath(job["dir"])
    here = os.getcwd()
    for name in ("model", "data"):
        sys.modules.pop(name, None)
    sys.path.insert(0, folder)
    sys.argv = ["train.py", *job["args"]]
    status, error = 0, None
    started = time.perf_counter()
    with open(os.path.join(folder, "train.log"), "w") as log:
        try:
            os.chdir(folder)
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                runpy.run_path("train.py", run_name="__main__")
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if status:
                error = f"SystemExit: {stop.code}"
        except BaseException:
            status, error = 1, traceback.format_exc()
        finally:
            os.chdir(here)
            sys.path.remove(folder)
    return {"dir": job["dir"], "status": status, "ms": (time.perf_counter() - started) * 1000, "error": error}


def main():
    jobs = json.load(open(sys.argv[1]))
    print(json.dumps([run(job) for job in jobs]))


if __name__ == "__main__":
    main()
