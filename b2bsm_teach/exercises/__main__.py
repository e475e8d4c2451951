"""``python -m b2bsm_teach.exercises build|sync|release``: the instructor's exercise tools.

* ``build [--check]``: sync each master's question words from its set module, then write
  ``exercises/`` (``--check``: write nothing, exit 1 when something is out of date);
* ``sync [--check]``: only rewrite the masters' question cells;
* ``release OUTDIR [--force] [--roster FILE] [--repo OWNER/NAME]``: a student release
  with hashed answer keys.

Each prints a one-line summary.  ``release`` never stops for one student: an id
whose data a set cannot key is listed (id, set, reason) and the command exits 1
after writing the release for everyone else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m b2bsm_teach.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="sync the masters' question words and write exercises/")
    b.add_argument("--check", action="store_true", help="only report what is out of date")
    s = sub.add_parser("sync", help="rewrite the masters' question cells from the set modules")
    s.add_argument("--check", action="store_true", help="only report masters out of sync")
    r = sub.add_parser("release", help="write a student release (no solutions, hashed keys)")
    r.add_argument("outdir", type=Path)
    r.add_argument("--force", action="store_true", help="replace a non-empty OUTDIR")
    r.add_argument("--roster", type=Path, help="CSV with a student_id column")
    r.add_argument("--repo", help="OWNER/NAME of the release's repository (launch links)")
    args = parser.parse_args(argv)

    if args.command in ("build", "sync"):
        from b2bsm_teach.exercises.build import masters

        if not masters():
            print(
                "error: no solution masters (solutions/*_exercises.ipynb) in this copy of the "
                "kit; build and sync run in the instructor's copy.",
                file=sys.stderr,
            )
            return 2
    if args.command == "build":
        from b2bsm_teach.exercises.build import BuildReport, build

        report = BuildReport()
        try:
            build(check=args.check, report=report, sync_masters=True)
        except (ModuleNotFoundError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.check:
            for path in [*report.masters_synced, *report.stale]:
                print(f"out of date: {path}")
        print(report.summary(check=args.check))
        if args.check and (report.stale or report.masters_synced):
            print("run `make exercises` (python -m b2bsm_teach.exercises build)", file=sys.stderr)
            return 1
        return 0
    if args.command == "sync":
        from b2bsm_teach.exercises.build import masters, sync

        try:
            stale = sync(check=args.check)
        except (ModuleNotFoundError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        verb = "out of sync" if args.check else "synced"
        print(
            f"{len(stale)} of {len(masters())} masters {verb}: {', '.join(p.name for p in stale)}"
        )
        return 1 if args.check and stale else 0

    from b2bsm_teach.exercises.release import ReleaseReport, release

    def progress(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\rhashed keys: {done}/{total} student ids", end=end, file=sys.stderr, flush=True)

    report = ReleaseReport(args.outdir)
    try:
        release(
            args.outdir,
            force=args.force,
            roster=args.roster,
            repo=args.repo,
            report=report,
            progress=progress if sys.stderr.isatty() else None,
        )
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report.problems():
        print(f"warning: {line}", file=sys.stderr)
    print(report.summary())
    return 1 if report.skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
