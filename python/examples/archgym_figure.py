"""The ArchGym-style figure: best reward versus evaluations for every available
agent (several seeds each, median with min-max band) on one DRAM workload, as PNG.

    python archgym_figure.py --workload cloud-1 --budget 500 --seeds 5 --out dram_agents.png
"""
from __future__ import annotations

import argparse

import pandas as pd

import archgym
from archgym.plots import plot_best_so_far
from example_args import positive_int


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Runs every agent for every seed, draws the figure, returns the curves drawn."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="stream", help="DRAM trace (stream, random, cloud-1, cloud-2)")
    ap.add_argument("--budget", type=positive_int, default=500, help="evaluations per run")
    ap.add_argument("--seeds", type=positive_int, default=5, help="seeds per agent (1..N)")
    ap.add_argument("--agents", default="", help="comma-separated agents (default: all registered)")
    ap.add_argument("--store", default=None, help="also record every run in this SQLite store")
    ap.add_argument("--log-y", action="store_true", help="log-scaled reward axis")
    ap.add_argument("--out", default="dram_agents.png")
    args = ap.parse_args(argv)

    listed = [a for a in args.agents.split(",") if a] or [a["name"] for a in archgym.list_agents()]
    agents = list(dict.fromkeys(listed))  # each agent once, in the order given
    frames = []
    for agent in agents:
        for seed in range(1, args.seeds + 1):
            # Run the whole budget even if the target is met, so curves compare.
            df = archgym.run(env="dram", agent=agent, budget=args.budget, seed=seed,
                             env_options={"workload": args.workload}, stop_on_target=False,
                             store=args.store)
            frames.append(df.assign(agent=agent, seed=seed))
    runs = pd.concat(frames, ignore_index=True)
    curves = plot_best_so_far(runs, args.out, budget=args.budget,
                              title=f"DRAM, workload {args.workload}: target-ratio reward",
                              log_y=args.log_y)
    final = curves.groupby("agent")["median"].last()
    # An agent may stop before the budget by its own rule (a GA after its last whole
    # generation); its curve keeps its best to the end, but say how far it went.
    ran = runs.groupby(["agent", "seed"]).size().groupby("agent").max()
    for agent, best in final.items():
        note = "" if ran[agent] == args.budget else " (stopped by its own rule)"
        print(f"{agent:>12}: median best reward {best:.4g} after {ran[agent]} evaluations{note}")
    print(f"figure: {args.out}")
    return curves


if __name__ == "__main__":
    main()
