"""An Optuna study (TPE) on the DRAM env, with archgym's evaluate as the objective.

Every knob becomes a categorical Optuna parameter over its allowed values, so the
same script works for any archgym env: pass --env and env options.

    python optuna_dram.py --trials 100 --workload random
    python optuna_dram.py --env proxy --option model=dram.proxy.json --trials 500

With --store, every trial is logged to an archgym store as an external run
(archgym.ExternalRun), so `archgym runs`, exports, plots and proxy training see the study
beside archgym's own agents:

    python optuna_dram.py --trials 100 --workload random --store archgym.db
"""
from __future__ import annotations

import argparse

import archgym
from example_args import positive_int, seed_int


def env_option(text: str) -> tuple[str, str]:
    """argparse type: KEY=VALUE."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def main(argv: list[str] | None = None) -> dict:
    """Runs the study and returns {'best_reward', 'best_design', 'trials', 'invalid'}."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", default="dram")
    ap.add_argument("--workload", default=None, help="DRAM trace (env option; dram: stream)")
    ap.add_argument("--option", type=env_option, action="append", default=[], metavar="KEY=VALUE",
                    help="env option, repeatable (e.g. model=dram.proxy.json for --env proxy)")
    ap.add_argument("--trials", type=positive_int, default=100)
    ap.add_argument("--seed", type=seed_int, default=1)
    ap.add_argument("--store", default=None, help="archgym store to log every trial to (created if missing)")
    args = ap.parse_args(argv)

    if args.workload is not None:
        args.option.append(("workload", args.workload))
    keys = [k for k, _ in args.option]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        ap.error(f"env option(s) {repeated} given more than once (--option / --workload)")
    options = dict(args.option)

    import optuna

    env = archgym.make_env(args.env, **options)
    objective = env.default_objective
    knobs = env.space.parameters
    invalid = 0
    # Logged: each trial is simulated and stored by the run (same reward as scoring here).
    run = (archgym.ExternalRun(args.store, args.env, driver="optuna-tpe", seed=args.seed, **options)
           if args.store else None)

    def trial_reward(trial: optuna.Trial) -> float:
        nonlocal invalid
        design = {p.name: trial.suggest_categorical(p.name, p.values) for p in knobs}
        if run is not None:
            result = run.evaluate(design)
            evaluation, reward = result, result["reward"]
        else:
            evaluation = env.evaluate(design)
            reward = objective.score(evaluation)["reward"]
        trial.set_user_attr("metrics", evaluation["metrics"])
        if not evaluation["valid"]:
            invalid += 1
        return reward

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=args.seed))
    if run is None:
        study.optimize(trial_reward, n_trials=args.trials)
    else:
        with run:  # finished, or marked interrupted/failed if the study raises
            study.optimize(trial_reward, n_trials=args.trials)
        print(f"logged as run {run.run_id} of {args.store}")
    settings = ", ".join(f"{k}={v}" for k, v in options.items()) or "default options"
    print(f"Optuna TPE, {args.trials} trials on {args.env} ({settings}): "
          f"best reward {study.best_value:.4g}")
    print(f"best design: {study.best_params}")
    print(f"its metrics: {study.best_trial.user_attrs['metrics']}")
    return {"best_reward": study.best_value, "best_design": study.best_params,
            "trials": len(study.trials), "invalid": invalid,
            "run_id": None if run is None else run.run_id}


if __name__ == "__main__":
    main()
