"""Search on a proxy, confirm on the simulator (ArchGym's proxy workflow).

1. Sample the DRAM design space with a random walk on the simulator (the dataset).
2. Train a proxy (random forest by default) on it; print its held-out error and the knobs
   that matter most to it, and draw a parity plot of predicted versus simulated metrics.
3. Run a GA on the proxy env, many times the simulator budget, in a fraction of the time.
4. Re-simulate the best designs the proxy found and compare with the best of the dataset.

What it shows with ArchGym's target-ratio reward (t / |m - t| per metric): a proxy with
~1% latency error cannot tell a design 0.01% from the target from one 1% away, yet the
reward differs 100-fold, so a search on the proxy finds designs the proxy over-rates
(predicted rewards of 1e4-1e5 that re-simulate at ~1e1-1e2). Proxy results must be
confirmed on the simulator; the proxy's value is screening thousands of designs per
second, and its accuracy bounds the reward it can confirm.

    python proxy_search.py --workload cloud-1 --samples 1000 --proxy-budget 20000 --out parity.png
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import archgym
from archgym.plots import plot_proxy_parity
from example_args import positive_int


def main(argv: list[str] | None = None) -> dict:
    """Runs the four steps; returns the numbers it printed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="stream", help="DRAM trace (stream, random, cloud-1, cloud-2)")
    ap.add_argument("--samples", type=positive_int, default=1000, help="designs simulated for the dataset")
    ap.add_argument("--model", default="random_forest", help="proxy model (archgym.list_proxy_models())")
    ap.add_argument("--proxy-budget", type=positive_int, default=20000, help="GA budget on the proxy (budget // 16 generations; the GA may stop earlier)")
    ap.add_argument("--confirm", type=positive_int, default=20, help="best proxy designs re-simulated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", default=None, help="SQLite store (default: a temporary one)")
    ap.add_argument("--out", default="proxy_parity.png", help="parity plot (PNG)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        store = archgym.Store(args.store or Path(tmp) / "proxy_search.sqlite")
        env_options = {"workload": args.workload}
        data = archgym.run(env="dram", agent="random_walk", budget=args.samples, seed=args.seed,
                           env_options=env_options, stop_on_target=False, store=store)
        data_run = data.attrs["run_id"]
        print(f"dataset: {len(data)} designs simulated in {data.attrs['wall_seconds']:.2f} s")

        proxy = archgym.train_proxy(store, [data_run], model=args.model, seed=args.seed)
        errors = proxy.test_errors().set_index("metric")
        print(f"proxy '{proxy.model}': {proxy.train_rows} training rows; held-out R^2 "
              f"power {errors.loc['power_W', 'r2']:.3f}, latency {errors.loc['latency_ms', 'r2']:.3f}")
        top = proxy.knob_weights.head(3)
        if not top.empty:
            print("knobs that move the metrics most: " + ", ".join(f"{k} {w:.2f}" for k, w in top.items()))
        dataset = proxy.compare(store, [data_run])  # training and held-out designs
        plot_proxy_parity(dataset, ["power_W", "latency_ms", "energy_uJ"], args.out,
                          title=f"{proxy.model} proxy of DRAM ({args.workload}), all "
                                f"{len(dataset)} dataset designs (training and held-out)")
        model_path = proxy.save(Path(tmp) / "dram.proxy.json")

        search = archgym.run(env="proxy", agent="ga", budget=args.proxy_budget, seed=args.seed,
                             env_options={"model": str(model_path)},
                             agent_options={"generations": max(1, args.proxy_budget // 16)},
                             stop_on_target=False)
        print(f"GA on the proxy: {len(search)} evaluations in {search.attrs['wall_seconds']:.2f} s")

        # The proxy's favourites, confirmed on the simulator with the same reward.
        env = archgym.make_env("dram", **env_options)
        objective = env.default_objective
        knobs = env.space.names
        favourites = (search[search["valid"]].sort_values("reward", ascending=False)
                      .drop_duplicates(subset=knobs).head(args.confirm))
        confirmed = []
        for _, row in favourites.iterrows():
            design = {k: row[k] for k in knobs}
            confirmed.append((objective.score(env.evaluate(design))["reward"], row["reward"], design))
        confirmed.sort(key=lambda c: c[0], reverse=True)
        best_simulated, best_predicted, best_design = confirmed[0]
        dataset_best = float(data["reward"].max())
        print(f"best of the dataset (simulated): reward {dataset_best:.4g}")
        print(f"best proxy design, re-simulated: reward {best_simulated:.4g} "
              f"(the proxy predicted {best_predicted:.4g})")
        if best_simulated < dataset_best and best_predicted > best_simulated:
            print("(the proxy over-rates designs near the target: with this reward, its error "
                  "bounds the reward a proxy search can confirm; see the module docstring)")
        print(f"parity plot: {args.out}")
        return {"dataset_best": dataset_best, "confirmed_best": best_simulated,
                "predicted_best": best_predicted, "best_design": best_design,
                "r2_latency": float(errors.loc["latency_ms", "r2"]),
                "proxy_evaluations": len(search)}


if __name__ == "__main__":
    main()
