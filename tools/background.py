"""Run a set-up step in the background and wait for it later (``.ci/run``, ``make test``).

CI's critical path is the test phases; some set-up only a later phase needs (Debian's
Chromium for the browser phase, the other Pythons' environments for the compatibility
tier) mostly waits on the network and the disk, so ``.ci/run`` starts it in the
background and the phase that needs it waits for it:

    python3 tools/background.py start NAME -- COMMAND ...   # returns at once
    python3 tools/background.py wait NAME                   # blocks; fails if COMMAND failed

State lives in ``build/background/NAME.{log,rc}``. ``wait`` on a NAME that was never
started returns at once (a maintainer's ``make test`` did the set-up itself, in the
foreground), so the phases work the same with and without ``.ci/run``.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> start("demo", [sys.executable, "-c", "print('done')"], folder)
>>> wait("demo", folder, timeout=60)
0
>>> wait("never-started", folder, timeout=1)
0
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "build" / "background"


def start(name: str, command: list[str], folder: Path = FOLDER) -> None:
    """Start ``command`` detached; its output goes to NAME.log, its exit code to NAME.rc."""
    if not command:
        raise SystemExit("background.py start: give the command after --")
    folder.mkdir(parents=True, exist_ok=True)
    log, rc = folder / f"{name}.log", folder / f"{name}.rc"
    rc.unlink(missing_ok=True)
    log.write_text("", encoding="utf-8")
    # The shell writes the exit code only once the command has finished, and atomically
    # (a temporary name, then mv), so `wait` never reads half a number.
    script = '"$@" >> "$LOG" 2>&1; echo $? > "$RC.tmp" && mv "$RC.tmp" "$RC"'
    subprocess.Popen(
        ["sh", "-c", script, "sh", *command],
        env={**os.environ, "LOG": str(log), "RC": str(rc)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    (folder / f"{name}.started").write_text(" ".join(command) + "\n", encoding="utf-8")


def wait(name: str, folder: Path = FOLDER, timeout: float = 900) -> int:
    """Block until NAME has finished; its exit code (0 if it was never started here)."""
    if not (folder / f"{name}.started").exists():
        return 0
    rc = folder / f"{name}.rc"
    deadline = time.monotonic() + timeout
    while not rc.exists():
        if time.monotonic() > deadline:
            print(f"background step {name!r} still running after {timeout:.0f} s", file=sys.stderr)
            return 124
        time.sleep(0.5)
    code = int(rc.read_text().strip() or 1)
    if code:
        log = (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        print(f"background step {name!r} failed (exit {code}); its log:\n{log}", file=sys.stderr)
    (folder / f"{name}.started").unlink(missing_ok=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "wait"))
    parser.add_argument("name")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.action == "start":
        start(args.name, command)
        return 0
    return wait(args.name, timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
