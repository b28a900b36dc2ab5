"""Our proxy models against scikit-learn's on the same DRAM data (issue: validate
against the world). Writes benchmarks/reference/sklearn_proxy_dram.json, which
tests/python/test_proxy_validation.py pins.

Data per ArchGym workload: random walk seed 1, 1000 designs (training) and seed 2, 500
designs (test), default DRAM env. Models: our random_forest (100 trees, seed 1) vs
sklearn RandomForestRegressor(n_estimators=100) averaged over random_state 0..4; our knn
vs KNeighborsRegressor(n_neighbors=5, weights="distance"). Same features (ordered knobs
as unit positions, categorical knobs one-hot). Metric: held-out R^2.

scikit-learn is not an archgym dependency: install it anywhere on sys.path, e.g.
    pip install --target /tmp/sklib scikit-learn
    PYTHONPATH=build/python:/tmp/sklib .venv/bin/python benchmarks/proxy_vs_sklearn.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

import archgym

WORKLOADS = ["stream", "random", "cloud-1", "cloud-2"]
METRICS = ["power_W", "latency_ms", "energy_uJ", "bandwidth_GBps"]
SKLEARN_SEEDS = range(5)


def features(space, designs: list[dict]) -> np.ndarray:
    """proxy_features() in Python: unit positions, one-hot categoricals."""
    rows = []
    for d in designs:
        row = []
        for p in space.parameters:
            if p.kind == "categorical":
                row += [1.0 if d[p.name] == c else 0.0 for c in p.values]
            else:
                row.append(p.to_unit(d[p.name]))
        rows.append(row)
    return np.array(rows)


def dataset(workload: str, directory: Path) -> archgym.Store:
    store = archgym.Store(directory / f"{workload}.sqlite")
    for seed, budget in ((1, 1000), (2, 500)):
        archgym.run(env="dram", agent="random_walk", budget=budget, seed=seed,
                    env_options={"workload": workload}, stop_on_target=False, store=store)
    return store


def compare(store: archgym.Store) -> dict:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.metrics import r2_score
    from sklearn.neighbors import KNeighborsRegressor

    makers = {"random_forest": lambda s: RandomForestRegressor(n_estimators=100, random_state=s),
              "knn": lambda s: KNeighborsRegressor(n_neighbors=5, weights="distance")}
    out = {}
    for model, make in makers.items():
        proxy = archgym.train_proxy(store, [1], model=model, test_fraction=0, seed=1)
        ours = proxy.errors_on(store, [2]).set_index("metric")
        train, test = proxy.compare(store, [1]), proxy.compare(store, [2])
        knobs = proxy.space.names
        x_train = features(proxy.space, train[knobs].to_dict("records"))
        x_test = features(proxy.space, test[knobs].to_dict("records"))
        y_train = train[proxy.metric_names].to_numpy()
        seeds = SKLEARN_SEEDS if model == "random_forest" else [0]
        predictions = [make(s).fit(x_train, y_train).predict(x_test) for s in seeds]
        out[model] = {}
        for m in METRICS:
            col = proxy.metric_names.index(m)
            r2 = [r2_score(test[m], p[:, col]) for p in predictions]
            out[model][m] = {"ours": round(float(ours.loc[m, "r2"]), 4),
                             "sklearn": round(float(np.mean(r2)), 4),
                             "sklearn_range": [round(float(min(r2)), 4), round(float(max(r2)), 4)]}
    return out


def main() -> None:
    import sklearn

    result = {"setup": __doc__.split("\n\n")[1], "sklearn_version": sklearn.__version__,
              "archgym_version": archgym.__version__, "workloads": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for workload in WORKLOADS:
            result["workloads"][workload] = compare(dataset(workload, Path(tmp)))
            print(workload, json.dumps(result["workloads"][workload]))
    path = Path(__file__).resolve().parent / "reference" / "sklearn_proxy_dram.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
