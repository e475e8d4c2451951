"""The grading runner: executes one notebook copy inside its sandbox and exports the answers.

``python -m b2bsm.exercises._run NOTEBOOK STATE_A STATE_B CELL_TIMEOUT MEMORY CPU FILE_SIZE PROCS
FILES``
runs in the submission's sandbox, together with the student's kernel.  It
first limits itself (and so the kernel it starts) with ``setrlimit``: address
space, CPU seconds, size of any written file, number of processes, open files; then runs
the code cells one by one with a time limit per cell (a cell that runs too
long is interrupted and the run goes on; errors do not stop it).  After every
cell (but cells that only call ``ex.check``) it asks the kernel for
:func:`b2bsm.exercises.answers.export_answers` and writes the runner's state
(answers exported so far, which cells failed or timed out, whether the kernel
died) to one of two files in turn, so a state file cut short by a kill never
hides the previous one.

It is part of the student's package because it runs where the student's code
runs: the instructor package (``b2bsm_teach``) is not in the sandbox at all.
Nothing here computes a grade: the kernel is the student's, and whatever it
exports is only the student's answers, which the grader checks outside the
sandbox.  Outputs of the cells are discarded.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
from pathlib import Path

EXPORT_TIMEOUT = 10  # seconds for one export; a kernel that cannot answer it is stuck
TIMEOUT_NAME = "B2bsmCellTimeout"
EXPORT_CODE = '__import__("b2bsm.exercises.answers", fromlist=["publish"]).publish(globals())'
#: Cells that only call ``ex.check``/``ex.question`` (and comments) change no answer: no export.
CHECK_ONLY = re.compile(
    r"(?:[ \t]*(?:ex\.(?:check|question)\((?:(?!:=)[^\n])*\))?[ \t]*(?:#[^\n]*)?\n?)*"
)


def limit(memory: int, cpu: int, file_size: int, processes: int, files: int = 0) -> None:
    """Apply the sandbox's resource limits to this process and everything it starts."""
    wanted = [
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, file_size),
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_NOFILE, files),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in wanted:
        if value <= 0 and which != resource.RLIMIT_CORE:
            continue
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        top = value + 5 if which == resource.RLIMIT_CPU else value  # SIGXCPU, then SIGKILL
        if hard != resource.RLIM_INFINITY:
            top = min(top, hard)
        resource.setrlimit(which, (value, top))


class State:
    """The runner's state, written after each step to two files in turn."""

    def __init__(self, path_a: str, path_b: str, cells: int) -> None:
        self.paths = (path_a, path_b)
        self.doc = {
            "format": 1,
            "seq": 0,
            "cells": cells,
            "ran": 0,
            "errors": [],
            "timeouts": [],
            "kernel": "starting",
            "done": False,
            "answers": None,
            "worked_on": None,
        }

    def write(self) -> None:
        self.doc["seq"] += 1
        path = self.paths[self.doc["seq"] % 2]
        try:
            text = json.dumps(self.doc, allow_nan=False)
        except ValueError:  # cannot happen with strict parsing; never lose the run for it
            self.doc["answers"] = None
            text = json.dumps(self.doc, allow_nan=False)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError:  # file size limit reached: the other file keeps the previous state
            pass


def _code_cells(nb) -> list[tuple[int, object]]:
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def run(path: str, state: State, cell_timeout: int) -> None:
    # nbformat imports jsonschema, which compiles the grammar of an optional IRI format
    # checker (rfc3987_syntax) on import: about 2 s of CPU per graded notebook.  Notebook
    # validation uses no IRI format, so the checker is left out.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    from b2bsm.exercises.answers import EXPORT_MIME, AnswerError, loads

    nb = nbformat.read(path, as_version=4)
    cells = _code_cells(nb)
    state.doc["cells"] = len(cells)
    replies: dict[int, dict] = {}

    def keep_reply(cell, cell_index, execute_reply, **_kwargs):
        replies[id(cell)] = execute_reply or {}

    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_NAME, "evalue": "", "traceback": []},
        record_timing=False,
        shutdown_kernel="immediate",
        iopub_timeout=4,
        startup_timeout=60,
        resources={"metadata": {"path": "."}},
    )
    client.on_cell_executed = keep_reply

    def status(cell) -> str:
        content = replies.pop(id(cell), {}).get("content", {})
        if content.get("status") != "error":
            return "ok"
        return "timeout" if content.get("ename") == TIMEOUT_NAME else "error"

    def export(after: int) -> bool:
        """Ask the kernel for its answers; False when it does not answer in time."""
        cell = nbformat.v4.new_code_cell(EXPORT_CODE)
        client.timeout = EXPORT_TIMEOUT
        try:
            client.execute_cell(cell, after, store_history=False)
        finally:
            client.timeout = cell_timeout
        outcome = status(cell)
        if outcome == "timeout":
            return False
        for output in cell.outputs:
            data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
            text = data.get(EXPORT_MIME)
            if isinstance(text, str):
                try:
                    doc = loads(text)
                except AnswerError:
                    continue
                if isinstance(doc, dict):
                    state.doc["answers"] = doc.get("answers")
                    state.doc["worked_on"] = doc.get("worked_on")
        return True

    try:
        with client.setup_kernel():
            state.doc["kernel"] = "running"
            state.write()
            for position, (index, cell) in enumerate(cells, start=1):
                try:
                    client.execute_cell(cell, index)
                    outcome = status(cell)
                    cell.outputs = []  # outputs are not graded; keep memory bounded
                    if outcome == "error":
                        state.doc["errors"].append(position)
                    elif outcome == "timeout":
                        state.doc["timeouts"].append(position)
                    state.doc["ran"] = position
                    last = position == len(cells)
                    if (last or not CHECK_ONLY.fullmatch(cell.source)) and not export(index):
                        state.doc["kernel"] = "hung"
                        break
                except DeadKernelError:
                    state.doc["kernel"] = "died"
                    break
                finally:
                    state.write()
            if state.doc["kernel"] == "running":
                state.doc["kernel"] = "finished"
    except DeadKernelError:
        state.doc["kernel"] = "died"
    except Exception:
        if state.doc["kernel"] in ("starting", "running"):
            state.doc["kernel"] = "failed" if state.doc["kernel"] == "starting" else "died"


#: The IPython start-up file that points ``ex.data`` at the graded run's hidden variant.
STARTUP_NAME = "00-b2bsm-graded-data.py"


def startup_code(set_id: str, seed: int) -> str:
    """IPython start-up code that makes the set's data the hidden variant in the kernel.

    >>> "load_data" in startup_code("02", 7)
    True
    """
    return (
        "def _b2bsm_graded_data():\n"
        "    import b2bsm.exercises.session as session\n"
        "    real = session.load_data\n"
        f"    wanted_set, seed = {json.dumps(str(set_id))}, {int(seed)}\n"
        "    def load_data(set_id, variant):\n"
        "        if str(set_id) == wanted_set and variant is not None:\n"
        "            return real(set_id, seed)\n"
        "        return real(set_id, variant)\n"
        "    session.load_data = load_data\n"
        "_b2bsm_graded_data()\n"
        "del _b2bsm_graded_data\n"
    )


def write_startup(spec: str, environ=None) -> Path | None:
    """Write the start-up file for the kernel the runner starts (in the runner, in the sandbox).

    ``spec`` is ``"SET:SEED"`` (the runner's last argument), or ``"-"`` for no hidden data.
    """
    environ = os.environ if environ is None else environ
    if not spec or spec == "-":
        return None
    set_id, _, seed = spec.rpartition(":")
    base = environ.get("IPYTHONDIR") or os.path.join(environ.get("HOME", "~"), ".ipython")
    folder = Path(os.path.expanduser(base)) / "profile_default" / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STARTUP_NAME
    path.write_text(startup_code(set_id, int(seed)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path, state_a, state_b = args[0], args[1], args[2]
    cell_timeout, memory, cpu, file_size, processes = (int(a) for a in args[3:8])
    files = int(args[8]) if len(args) > 8 else 0
    limit(memory, cpu, file_size, processes, files)
    if len(args) > 9:  # the graded data: the set's hidden variant (b2bsm_teach.grade.hidden)
        write_startup(args[9])
    state = State(state_a, state_b, 0)
    state.write()
    try:
        run(path, state, cell_timeout)
    except BaseException:  # an unreadable notebook, or the kernel could not start
        if state.doc["kernel"] == "starting":
            state.doc["kernel"] = "failed"
    state.doc["done"] = True
    state.write()
    sys.stdout.flush()
    os._exit(0)  # the sandbox ends every process left (the kernel's children too)


if __name__ == "__main__":
    raise SystemExit(main())
