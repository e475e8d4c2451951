"""``python -m b2bsm.exercises build [--check]`` and ``... release OUTDIR [--force]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m b2bsm.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write exercises/ from the masters in solutions/")
    b.add_argument("--check", action="store_true", help="only report out-of-date notebooks")
    r = sub.add_parser("release", help="copy a student release (no solutions) to OUTDIR")
    r.add_argument("outdir", type=Path)
    r.add_argument("--force", action="store_true", help="replace a non-empty OUTDIR")
    args = parser.parse_args(argv)

    if args.command == "build":
        from b2bsm.exercises.build import build

        stale = build(check=args.check)
        for path in stale:
            print(("out of date: " if args.check else "wrote ") + str(path))
        if args.check and stale:
            print("run `make exercises` (python -m b2bsm.exercises build)", file=sys.stderr)
            return 1
        return 0
    from b2bsm.exercises.release import release

    try:
        written = release(args.outdir, force=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"student release in {args.outdir.resolve()}: {', '.join(p.name for p in written)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
