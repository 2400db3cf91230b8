"""scikit-learn reference for bench/classical.ts.

Reads the splits that Modelspec made (a JSON file named on the command line: for each
dataset the CSV, how many of its rows, the target column, and the train and test row
indices), standardises with statistics of the training rows as Modelspec does, fits
scikit-learn's estimators with their defaults, and prints one JSON object on stdout.

Run with Debian's python3-sklearn (1.2): /usr/bin/python3 bench/reference/sklearn_classical.py SPLITS.json
Thread pools are pinned to one thread by the caller (OMP/OPENBLAS_NUM_THREADS=1): the
JavaScript engines are single-threaded, and so is each comparison.
"""
import json
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

# LogisticRegression's default max_iter=100 stops lbfgs early on digits; that is the
# default being compared, so its warning is noise here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

ESTIMATORS = {
    "logistic_regression": lambda: LogisticRegression(),
    "svm_rbf": lambda: SVC(),
    "svm_linear": lambda: SVC(kernel="linear"),
    "decision_tree": lambda: DecisionTreeClassifier(random_state=0),
    "random_forest": lambda: RandomForestClassifier(random_state=0),
}


def load(spec):
    with open(spec["csv"]) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(spec["csv"], delimiter=",", skiprows=1, max_rows=spec["rows"])
    target = header.index(spec["target"])
    y = data[:, target].astype(int)
    x = np.delete(data, target, axis=1)
    train, test = np.array(spec["train"]), np.array(spec["test"])
    scaler = StandardScaler().fit(x[train])
    return scaler.transform(x[train]), y[train], scaler.transform(x[test]), y[test]


def timed(fn, budget_s, max_runs):
    """Median wall and CPU time of fn over up to max_runs runs, stopping once budget_s is spent."""
    walls, cpus, result = [], [], None
    spent = 0.0
    while len(walls) < max_runs and (not walls or spent < budget_s):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        spent += walls[-1] / 1000
    return statistics.median(walls), statistics.median(cpus), len(walls), result


def main():
    splits = json.load(open(sys.argv[1]))
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "results": []}
    for spec in splits["datasets"]:
        xtr, ytr, xte, yte = load(spec)
        for name in spec["models"]:
            make = ESTIMATORS[name]
            fit_wall, fit_cpu, runs, model = timed(lambda: make().fit(xtr, ytr), 3.0, 5)
            pred_wall, pred_cpu, _, pred = timed(lambda: model.predict(xte), 1.0, 20)
            out["results"].append(
                {
                    "dataset": spec["name"],
                    "model": name,
                    "accuracy": float(accuracy_score(yte, pred)),
                    "f1": float(f1_score(yte, pred, average="macro")),
                    "fitMs": fit_wall,
                    "fitCpuMs": fit_cpu,
                    "fitRuns": runs,
                    "predictUsPerSample": pred_wall * 1000 / len(yte),
                    "predictCpuUsPerSample": pred_cpu * 1000 / len(yte),
                }
            )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
