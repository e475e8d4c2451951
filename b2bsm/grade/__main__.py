"""``python -m b2bsm.grade SUBMISSIONS_DIR --out grades.csv``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m b2bsm.grade",
        description="Grade a folder of submitted exercise notebooks into a CSV gradebook.",
    )
    parser.add_argument("submissions", type=Path, help="folder of <student-id>.ipynb files")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"))
    parser.add_argument("--set", dest="set_id", help="exercise set if a notebook lost its metadata")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at once")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from b2bsm.grade.grader import grade_folder

    try:
        rows = grade_folder(
            args.submissions,
            args.out,
            default_set=args.set_id,
            jobs=args.jobs,
            cell_timeout=args.cell_timeout,
            timeout=args.timeout,
            progress=not args.quiet,
        )
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    totals = [r for r in rows if r[2] == "TOTAL"]
    print(f"graded {len(totals)} submission(s); gradebook written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
