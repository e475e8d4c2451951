"""Command line: ``python -m b2bsm.data build [--only NAME ...] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from b2bsm.data.rebuild import GENERATED, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m b2bsm.data",
        description="Regenerate the kit's data files and data/datapackage.json.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="rewrite the data files (byte-identical by default)")
    p_build.add_argument(
        "--only",
        nargs="+",
        choices=sorted(GENERATED),
        help="rebuild only these datasets",
    )
    p_build.add_argument("--out", type=Path, help="write into this folder instead of data/")
    args = parser.parse_args(argv)
    if args.command == "build":
        target = build(args.out, args.only)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
