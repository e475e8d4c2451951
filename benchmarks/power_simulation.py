"""Vectorised vs looped power simulation, and the simulator at a million posts.

Run from the repository root::

    .venv/bin/python benchmarks/power_simulation.py [--sims 5000] [--naive-sims 200]

Both methods simulate the same two-arm experiment (IRR 1.2, 200 posts per arm,
NB dispersion 0.5, baseline 20 likes).  Timings on shared machines are noisy,
so the script reports the *ratio* of the per-simulation times measured in one
run, plus both power estimates (they must agree within Monte Carlo error).
"""

from __future__ import annotations

import argparse
import math
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=5000, help="vectorised simulations")
    parser.add_argument("--naive-sims", type=int, default=200, help="looped simulations")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts for the simulator")
    args = parser.parse_args(argv)

    from b2bsm import engagement

    design = {"effect_irr": 1.2, "posts_per_arm": 200, "dispersion": 0.5, "baseline": 20.0}
    engagement.simulate_experiment_power(**design, n_sims=50, seed=0)  # warm-up: imports
    engagement.simulate_experiment_power_naive(**design, n_sims=2, seed=0)

    start = time.perf_counter()
    fast = engagement.simulate_experiment_power(**design, n_sims=args.sims, seed=1).iloc[0]
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    slow = engagement.simulate_experiment_power_naive(**design, n_sims=args.naive_sims, seed=2)
    slow = slow.iloc[0]
    t_slow = time.perf_counter() - start

    per_fast, per_slow = t_fast / args.sims, t_slow / args.naive_sims
    gap = abs(fast["power"] - slow["power"])
    tolerance = 3 * math.hypot(fast["mc_se"], slow["mc_se"])

    start = time.perf_counter()
    posts = engagement.simulate_posts(args.posts, 500, seed=3)
    t_posts = time.perf_counter() - start

    print("| measure | value |")
    print("|---|---|")
    fast_ms, slow_ms = 1e3 * per_fast, 1e3 * per_slow
    print(f"| vectorised: {args.sims} experiments | {t_fast:.2f} s ({fast_ms:.3f} ms each) |")
    print(f"| statsmodels loop: {args.naive_sims} runs | {t_slow:.2f} s ({slow_ms:.2f} ms each) |")
    print(f"| **loop / vectorised, per experiment** | **{per_slow / per_fast:.0f}x** |")
    print(f"| power, vectorised | {fast['power']:.3f} (MC s.e. {fast['mc_se']:.3f}) |")
    print(f"| power, loop | {slow['power']:.3f} (MC s.e. {slow['mc_se']:.3f}) |")
    agree = "yes" if gap <= tolerance else "NO"
    print(f"| agree within 3 MC s.e. | {agree} (gap {gap:.3f}, allowed {tolerance:.3f}) |")
    print(f"| simulate_posts({len(posts):,} posts) | {t_posts:.2f} s |")
    return 0 if gap <= tolerance else 1


if __name__ == "__main__":
    raise SystemExit(main())
