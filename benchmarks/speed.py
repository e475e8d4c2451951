"""Speed budgets of the kit, measured in one run on this machine.

Run from the repository root::

    .venv/bin/python benchmarks/speed.py            # everything (about 3 minutes)
    .venv/bin/python benchmarks/speed.py --skip-suite --skip-site --json speed.json

What it measures:

1. **floor**: a fresh kernel that imports pandas, scipy, seaborn and
   statsmodels and does nothing else (median of 3 runs);
2. every notebook in ``notebooks/`` and ``solutions/``, each executed in a fresh
   kernel from its own folder, in seconds and as a ratio to the floor
   (budget: 4x);
3. the non-browser test suite's wall time, as ``make test`` runs it
   (benchmarks/suite.py's "main" phase, as `make test` runs it; budget: 5 minutes);
4. the CPU seconds ``import b2bsm, b2bsm.data`` adds to ``import numpy, pandas``,
   both timed in the same fresh interpreter (median of 7; budget: under 0.2 s);
5. the course website's build (``tools/build_site.py``: staging and Jupyter
   Book, from the stored outputs; budget: 60 s).

Timings on shared machines are noisy, so budgets are reported, not asserted;
the script fails only on usage errors or a notebook that does not run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_BUDGET = 4.0
SUITE_BUDGET_S = 300.0
IMPORT_BUDGET_S = 0.2
SITE_BUDGET_S = 60.0


def _run_notebook(nb, cwd: Path) -> float:
    from nbclient import NotebookClient

    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def floor_seconds(repeats: int = 3) -> float:
    import nbformat

    cell = "import pandas, scipy.stats, seaborn, statsmodels.api"
    times = []
    for _ in range(repeats):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
        times.append(_run_notebook(nb, ROOT / "notebooks"))
    return statistics.median(times)


def notebook_seconds(path: Path) -> float:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return _run_notebook(nb, path.parent)


def import_seconds(statement: str, repeats: int = 5) -> float:
    """Median wall time of ``statement`` in a fresh interpreter (informative; load shifts it)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


#: One fresh interpreter: CPU seconds of importing numpy and pandas, then of b2bsm on top.
_IMPORT_CPU = (
    "import time\n"
    "t0 = time.process_time()\n"
    "import numpy, pandas\n"
    "t1 = time.process_time()\n"
    "import b2bsm, b2bsm.data\n"
    "t2 = time.process_time()\n"
    "print(t1 - t0, t2 - t1)"
)


def import_cpu_seconds(repeats: int = 7) -> tuple[float, float]:
    """CPU seconds of ``import numpy, pandas`` and of what ``import b2bsm, b2bsm.data`` adds.

    Both are measured in the same fresh interpreter, one after the other, as CPU time
    (``time.process_time``): the kit's share is the CPU its own import uses on top of
    numpy and pandas, so it cannot come out negative, and another process's load does
    not enter it.  The medians over ``repeats`` interpreters are returned.
    """
    base, extra = [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_CPU], capture_output=True, text=True, check=True
        )
        first, second = map(float, out.stdout.split())
        base.append(first)
        extra.append(second)
    return statistics.median(base), statistics.median(extra)


def suite_seconds() -> tuple[float, int]:
    """Wall seconds and exit code of ``make test``'s main phase (the command suite.py times)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from suite import PHASES, run_phase

    found = run_phase(PHASES["main"], slowest=1)
    return found["wall_s"], found["exit"]


def site_seconds() -> tuple[float, int]:
    """Wall time of a full website build into a temporary folder, and its exit code."""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", out]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        return time.perf_counter() - start, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the kit's speed budgets.")
    parser.add_argument("--skip-suite", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-site", action="store_true", help="do not time the website build")
    parser.add_argument("--json", type=Path, help="also save the results as JSON here")
    args = parser.parse_args(argv)

    results: dict = {"machine_cores": __import__("os").cpu_count()}
    floor = floor_seconds()
    results["floor_s"] = floor
    print(f"floor (fresh kernel importing pandas, scipy, seaborn, statsmodels): {floor:.2f} s\n")

    print("| notebook | seconds | x floor | within 4x |")
    print("|---|---:|---:|---|")
    rows = []
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "solutions").glob("*.ipynb")
    )
    for path in paths:
        seconds = notebook_seconds(path)
        ratio = seconds / floor
        rows.append({"notebook": str(path.relative_to(ROOT)), "seconds": seconds, "ratio": ratio})
        ok = "yes" if ratio <= FLOOR_BUDGET else "**NO**"
        print(f"| {path.relative_to(ROOT)} | {seconds:.1f} | {ratio:.1f} | {ok} |")
    results["notebooks"] = rows

    numpy_pandas_cpu, extra = import_cpu_seconds()
    numpy_pandas = import_seconds("import numpy, pandas")
    results.update(
        import_numpy_pandas_s=numpy_pandas,
        import_numpy_pandas_cpu_s=numpy_pandas_cpu,
        b2bsm_extra_cpu_s=extra,
    )
    print("\n| import (fresh interpreter; CPU seconds, median of 7) | seconds |")
    print("|---|---:|")
    print(f"| import numpy, pandas (wall, median of 5) | {numpy_pandas:.3f} |")
    print(f"| import numpy, pandas (CPU) | {numpy_pandas_cpu:.3f} |")
    verdict = "within" if extra < IMPORT_BUDGET_S else "OVER"
    print(
        f"| **import b2bsm, b2bsm.data adds (CPU, same interpreter)** | **{extra:.3f}** "
        f"({verdict} the {IMPORT_BUDGET_S} s budget) |"
    )

    if not args.skip_suite:
        wall, code = suite_seconds()
        results["suite_wall_s"], results["suite_exit"] = wall, code
        verdict = "within" if wall <= SUITE_BUDGET_S else "OVER"
        print(
            f"\ntest suite (make test's main phase, benchmarks/suite.py): {wall:.0f} s, "
            f"exit {code} ({verdict} the {SUITE_BUDGET_S:.0f} s budget)"
        )

    if not args.skip_site:
        wall, code = site_seconds()
        results["site_build_s"], results["site_exit"] = wall, code
        verdict = "within" if wall <= SITE_BUDGET_S else "OVER"
        print(
            f"\nwebsite build (tools/build_site.py): {wall:.0f} s, exit {code} "
            f"({verdict} the {SITE_BUDGET_S:.0f} s budget)"
        )

    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
