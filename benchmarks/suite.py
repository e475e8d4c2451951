"""How long `make test` takes, phase by phase, in wall and CPU seconds, with its slowest items.

Run from the repository root, on a machine doing nothing else::

    .venv/bin/python benchmarks/suite.py                 # every phase of make test
    .venv/bin/python benchmarks/suite.py --phases main   # one phase
    .venv/bin/python benchmarks/suite.py --json suite.json

Each phase is the command ``make test`` runs (see the Makefile), started here as a child
process; its CPU seconds are the user + system time of that process tree
(``resource.getrusage(RUSAGE_CHILDREN)`` before and after), so they do not depend on what
else the machine is doing, while the wall time does.  pytest's ``--durations`` gives the
slowest items of each phase.  Nothing is asserted: the figures go into
``benchmarks/README.md`` by hand, with the date and the machine.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
#: The phases of `make test`, in order: name -> command (what the Makefile runs).
PHASES = {
    "lint": ["make", "lint"],
    "main": [PY, "-m", "pytest", "-n", "3", "--dist", "loadfile", "-m", "not browser and not full"],
    "browser": [PY, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-m", "browser and not full"],
    "pythons": ["make", "test-pythons"],
}
DURATION = re.compile(r"^(\d+\.\d+)s (call|setup|teardown)\s+(\S.*)$")


def run_phase(command: list[str], slowest: int) -> dict:
    """Wall and CPU seconds of one phase, its exit code and its slowest pytest items."""
    is_pytest = "pytest" in command
    if is_pytest:
        command = [*command, "-q", "-p", "no:cacheprovider", f"--durations={slowest}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    items = [
        {"seconds": float(m[1]), "when": m[2], "item": m[3]}
        for line in proc.stdout.splitlines()
        if (m := DURATION.match(line.strip()))
    ]
    return {"wall_s": wall, "cpu_s": cpu, "exit": proc.returncode, "slowest": items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", nargs="*", default=list(PHASES), choices=list(PHASES))
    parser.add_argument("--slowest", type=int, default=15, help="slowest items per phase")
    parser.add_argument("--json", type=Path, help="also save the figures as JSON here")
    args = parser.parse_args(argv)

    results = {}
    print("| phase | wall s | CPU s | exit |\n|---|---:|---:|---:|")
    for name in args.phases:
        found = run_phase(PHASES[name], args.slowest)
        results[name] = found
        print(f"| {name} | {found['wall_s']:.0f} | {found['cpu_s']:.0f} | {found['exit']} |")
    for name, found in results.items():
        if found["slowest"]:
            print(f"\nslowest items of {name} (wall s):")
            for item in found["slowest"]:
                print(f"  {item['seconds']:7.1f}  {item['when']:<8} {item['item']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return max((r["exit"] for r in results.values()), default=0)


if __name__ == "__main__":
    sys.exit(main())
