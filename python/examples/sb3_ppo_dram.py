"""Train Stable-Baselines3 PPO on the DRAM env (archgym/DRAM-v0).

PPO's MlpPolicy needs a flat action, so the env's Dict-of-Discrete action is
presented as one MultiDiscrete by archgym.gym.FlattenAction (one categorical head
per knob, as ArchGym's multi-agent RL form had; its single-agent PPO binned a
continuous action instead). Each step simulates one controller
configuration on the workload; the reward is ArchGym's target ratio on power and
latency (higher is better).

    python sb3_ppo_dram.py --steps 2048 --workload cloud-1

With --store, every design PPO evaluates (each reset's default design and each step) is
logged to an archgym store as an external run, beside archgym's own agents' runs:

    python sb3_ppo_dram.py --steps 2048 --store archgym.db
"""
from __future__ import annotations

import argparse

import gymnasium
import numpy as np

import archgym  # noqa: F401  (registers archgym/DRAM-v0)
from archgym.gym import FlattenAction
from example_args import positive_int, seed_int


def main(argv: list[str] | None = None) -> dict:
    """Trains PPO and returns {'best_reward', 'best_design', 'steps'}."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=positive_int, default=2048, help="environment steps to train for")
    ap.add_argument("--workload", default="stream", help="DRAM trace (stream, random, cloud-1, cloud-2)")
    ap.add_argument("--episode-length", type=positive_int, default=16,
                    help="steps per episode (gymnasium's max_episode_steps)")
    ap.add_argument("--seed", type=seed_int, default=1)
    ap.add_argument("--store", default=None, help="archgym store to log every evaluation to (created if missing)")
    args = ap.parse_args(argv)

    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.logger import Logger

    # A 3 x 32 MLP gains nothing from intra-op threads; one avoids oversubscribing cores.
    torch.set_num_threads(1)
    from stable_baselines3.common.callbacks import BaseCallback

    logging = {"store": args.store, "driver": "sb3-ppo"} if args.store else {}
    env = FlattenAction(gymnasium.make("archgym/DRAM-v0", workload=args.workload,
                                       max_episode_steps=args.episode_length, **logging))

    class BestDesign(BaseCallback):
        """Keeps the best design PPO visited (info carries the decoded design)."""

        def __init__(self):
            super().__init__()
            self.best_reward, self.best_design = -np.inf, None

        def _on_step(self) -> bool:
            for reward, info in zip(self.locals["rewards"], self.locals["infos"]):
                if info.get("valid", False) and reward > self.best_reward:
                    self.best_reward, self.best_design = float(reward), dict(info["design"])
            return True

    # ArchGym's RL agent: 3 x 32 MLP, entropy 0.1, clip 0.2; a higher learning rate
    # than its 2e-5 so a short run visibly learns.
    n_steps = max(32, min(256, args.steps // 4))
    model = PPO("MlpPolicy", env, n_steps=n_steps, batch_size=min(64, n_steps), n_epochs=4,
                learning_rate=3e-4, ent_coef=0.1, clip_range=0.2,
                policy_kwargs={"net_arch": [32, 32, 32]}, seed=args.seed, verbose=0,
                device="cpu")
    # SB3's default logger creates a directory /tmp/SB3-<date> on every learn() even
    # when it writes nothing to it; a logger without outputs leaves no trace.
    model.set_logger(Logger(folder=None, output_formats=[]))
    best = BestDesign()
    model.learn(total_timesteps=args.steps, callback=best)
    print(f"PPO {args.steps} steps on {args.workload}: best reward {best.best_reward:.4g}")
    print(f"best design: {best.best_design}")
    run_id = env.unwrapped.run_id
    env.close()  # finishes the logged run
    if run_id is not None:
        print(f"logged as run {run_id} of {args.store}")
    return {"best_reward": best.best_reward, "best_design": best.best_design,
            "steps": int(model.num_timesteps), "run_id": run_id}


if __name__ == "__main__":
    main()
