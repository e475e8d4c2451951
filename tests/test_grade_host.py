"""Hostile notebooks against the host (issue 25): kernel settings, hidden memory, fork bombs.

Each case runs one small notebook in the real sandbox, the way the grader
does, with limits and time-outs as small as prove the point.  They matter most
when the suite runs as root, as CI does: then the sandbox must still leave the
host's kernel settings alone and the notebook must not be root on the host.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest

from b2bsm_teach.grade.sandbox import Limits, Sandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("bwrap") is None,
        reason="bubblewrap (bwrap) is not installed (apt-get install bubblewrap)",
    ),
]

MiB = 1 << 20


@pytest.fixture(scope="module")
def box():
    return Sandbox.create("bwrap")


def _run(box, tmp_path: Path, *cells: str, limits: Limits | None = None, timeout: float = 60):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    root = tmp_path / "grade"
    root.mkdir(mode=0o700)
    work = root / "run"
    work.mkdir(mode=0o700)
    path = work / "notebook.ipynb"
    nbformat.write(nb, path)
    return box.run(path, work, cell_timeout=20, timeout=timeout, limits=limits or Limits())


def _answers(result) -> dict:
    assert result.state is not None, result
    return result.state["answers"] or {}


def test_kernel_settings_of_the_host_cannot_be_written(box, tmp_path):
    """The probe of issue 25: read kernel.randomize_va_space and write the same value back."""
    before = Path("/proc/sys/kernel/randomize_va_space").read_text()
    result = _run(
        box,
        tmp_path,
        """
        import os
        results = []
        for name in ("kernel/randomize_va_space", "kernel/core_pattern", "vm/overcommit_memory"):
            path = "/proc/sys/" + name
            value = open(path).read()
            try:
                with open(path, "w") as fh:
                    fh.write(value)
                results.append("written")
            except OSError as exc:
                results.append(f"refused errno {exc.errno}")
        answer_q1 = results
        try:
            with open("/proc/sysrq-trigger", "w") as fh:
                fh.write("")
            answer_q2 = "written"
        except OSError as exc:
            answer_q2 = f"refused errno {exc.errno}"
        answer_q3 = [os.getuid(), open("/proc/self/uid_map").read()]
        answer_q4 = os.path.exists("/sys/kernel")
        """,
    )
    answers = _answers(result)
    assert len(answers["answer_q1"]) == 3
    assert all(r.startswith("refused") for r in answers["answer_q1"]), answers
    assert answers["answer_q2"].startswith("refused"), answers
    uid, uid_map = answers["answer_q3"]
    on_host = [
        outside + uid - inside
        for inside, outside, count in (map(int, line.split()) for line in uid_map.splitlines())
        if inside <= uid < inside + count
    ]
    assert on_host and on_host[0] != 0, answers["answer_q3"]  # never root on the host
    assert answers["answer_q4"] is False
    assert Path("/proc/sys/kernel/randomize_va_space").read_text() == before


MEMFD = """
import os, time
held = []
for i in range({count}):
    fd = os.memfd_create(f"hog{{i}}")
    os.ftruncate(fd, 63 * 2**20)
    os.write(fd, b"x")
    for offset in range(0, 63 * 2**20, 2**20):
        os.pwrite(fd, b"y" * 2**20, offset)
    held.append(fd)
answer_q1 = len(held)
time.sleep(30)
answer_q2 = "held"
"""


@pytest.mark.parametrize("cgroup", ["1", "0"], ids=["control-group", "watchdog"])
def test_memory_in_memfd_files_counts(box, tmp_path, monkeypatch, cgroup):
    """12 memfd files of 63 MiB (756 MiB) under a 512 MiB limit: stopped as a memory overrun."""
    monkeypatch.setenv("B2BSM_SANDBOX_CGROUP", cgroup)
    limits = Limits(total_memory=512 * MiB)
    result = _run(box, tmp_path, "answer_q0 = 1", MEMFD.format(count=12), limits=limits)
    assert result.outcome == "memory", result
    assert result.seconds < 40
    answers = (result.state or {}).get("answers") or {}
    assert "answer_q2" not in answers


def test_files_in_the_in_memory_folders_count(box, tmp_path):
    """Four in-memory folders of 120 MiB each fill 480 MiB: over a 384 MiB limit."""
    limits = Limits(total_memory=384 * MiB, disk=128 * MiB)
    result = _run(
        box,
        tmp_path,
        """
        import time
        for n, folder in enumerate(["/tmp", "/dev/shm", "/home/student", "/submission"]):
            for part in range(2):
                with open(f"{folder}/fill{part}", "wb") as fh:
                    fh.write(b"z" * 60 * 2**20)
        answer_q1 = "filled"
        time.sleep(30)
        answer_q2 = "kept"
        """,
        limits=limits,
    )
    assert result.outcome == "memory", result
    assert "answer_q2" not in ((result.state or {}).get("answers") or {})


def test_a_fork_bomb_is_reported_as_too_many_processes(box, tmp_path):
    result = _run(
        box,
        tmp_path,
        "answer_q1 = 'before the bomb'",
        """
        import os, time
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.01)
        """,
        limits=Limits(processes=48),
        timeout=40,
    )
    assert result.outcome == "processes", result
    assert result.seconds < 30
    assert _answers(result)["answer_q1"] == "before the bomb"


def test_an_ordinary_notebook_is_not_stopped(box, tmp_path):
    result = _run(
        box,
        tmp_path,
        "import pandas as pd\nanswer_q1 = int(pd.Series(range(10)).sum())",
        limits=Limits(total_memory=512 * MiB, processes=48),
    )
    assert result.outcome == "finished", result
    assert _answers(result)["answer_q1"] == 45
