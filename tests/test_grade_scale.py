"""Grading at course scale (issue 25, part 6): resume, content-hash skip, shards and their merge.

The runs here are real grading runs of the command line (intake, lanes, verdicts from the
answer key, journal, fold under the lock), except for the one step that would start a kernel
per notebook: :func:`fake_run` reads each ``answer_qN = <literal>`` of the staged cells
instead of running them.  So a class of seven is graded several times in seconds; the real
sandboxed run is covered by test_grade*.py.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from b2bsm_teach.grade import __main__ as cli
from b2bsm_teach.grade import journal, shards

HERE = Path(__file__).resolve().parent
STUDENTS = [f"s{2000001 + n}" for n in range(6)]
#: Marks a notebook whose run fails for the grader's own reasons (the sandbox broke).
INFRA_FAILURE = "# this run fails in the sandbox"
_STARTED: list = []


def fake_run(sub, work, box, cell_timeout, timeout, limits, lane=None):
    """Stands in for lanes.run_one: the answers a kernel would export, read from literals."""
    from b2bsm.exercises.answers import encode
    from b2bsm_teach.grade.sandbox import RunResult

    calls = os.environ.get("SCALE_TEST_CALLS")
    if calls:
        with open(calls, "a", encoding="utf-8") as fh:
            fh.write(f"{sub.student}\n")
    kill_after = os.environ.get("SCALE_TEST_KILL_AFTER")
    _STARTED.append(sub.student)
    if kill_after and len(_STARTED) > int(kill_after):  # kill -9 once that many are journalled
        _kill_once_journalled(int(kill_after))
    if any(INFRA_FAILURE in cell for cell in sub.cells or []):
        return RunResult(None, "error", 0.0, "bubblewrap could not start")
    answers = {}
    for cell in sub.cells or []:
        for node in ast.parse(cell).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                answers[node.targets[0].id] = encode(ast.literal_eval(node.value))
    state = {
        "seq": 1,
        "cells": len(sub.cells or []),
        "ran": len(sub.cells or []),
        "errors": [],
        "timeouts": [],
        "kernel": "finished",
        "done": True,
        "answers": answers,
        "worked_on": {"id": sub.student},
    }
    return RunResult(state, "finished", 0.0)


def _kill_once_journalled(count: int) -> None:
    import time

    path = Path(os.environ["SCALE_TEST_JOURNAL"])
    for _ in range(400):
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.05)


def install_fake(monkeypatch=None) -> None:
    """Grade with :func:`fake_run` and no sandbox probe (also used by the killed subprocess)."""
    from b2bsm_teach.grade import lanes, sandbox

    def create(cls, mode="auto", *, forbidden=(), set_ids=()):
        return cls("none")

    if monkeypatch is None:
        lanes.run_one = fake_run
        sandbox.Sandbox.create = classmethod(create)
    else:
        monkeypatch.setattr(lanes, "run_one", fake_run)
        monkeypatch.setattr(sandbox.Sandbox, "create", classmethod(create))


def _notebook(path: Path, answers: dict, extra: str = "") -> None:
    cells = [nbformat.v4.new_code_cell(f"answer_{q} = {v!r}") for q, v in answers.items()]
    if extra:
        cells.append(nbformat.v4.new_code_cell(extra))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["b2bsm"] = {"exercise_set": "02"}
    nbformat.write(nb, path)


def _class(root: Path) -> Path:
    """Six students with varied answers, a file that is no notebook, one with no student id."""
    folder = root / "set-02"
    folder.mkdir()
    for n, student in enumerate(STUDENTS):
        answers = {"q1": 10.0 + n, "q5": "abcd"[n % 4], "q6": f"my reasoning, take {n}"}
        if n % 2:
            answers["q3"] = 116.5
        _notebook(folder / f"{student}.ipynb", answers)
    (folder / "s2000099.ipynb").write_text("{not a notebook", encoding="utf-8")
    _notebook(folder / "notes.ipynb", {"q1": 1.0})
    return folder


def _grade(folder, out, *more) -> int:
    return cli.main([str(folder), "--out", str(out), "--jobs", "1", "--quiet", *more])


def _table(out: Path) -> tuple[list, list]:
    """A gradebook's rows and its answers file's lines, sorted: what must match."""
    with out.open(encoding="utf-8", newline="") as fh:
        rows = sorted(tuple(r) for r in csv.reader(fh))
    answers = sorted(out.with_name(f"{out.stem}.answers.jsonl").read_text().splitlines())
    return rows, answers


@pytest.fixture
def fake(monkeypatch, tmp_path):
    install_fake(monkeypatch)
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("SCALE_TEST_CALLS", str(calls))
    monkeypatch.setenv("B2BSM_GRADING_SECRET", "a-test-secret-" + "0" * 32)

    def ran() -> list[str]:
        found = calls.read_text().split() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return sorted(found)

    return ran


@pytest.mark.parametrize("bad", ["0/2", "3/2", "a/b", "2", "1/0", "-1/2", ""])
def test_a_bad_shard_is_refused_with_the_form_it_takes(bad, tmp_path, capsys):
    with pytest.raises(ValueError, match=r"--shard"):
        shards.parse_shard(bad)
    folder = tmp_path / "subs"
    folder.mkdir()
    assert cli.main([str(folder), "--out", str(tmp_path / "g.csv"), f"--shard={bad}"]) == 2
    err = capsys.readouterr().err
    assert "--shard" in err and ("i/N" in err or "between 1 and" in err or "at least 1" in err)


def test_each_student_lands_in_one_shard_by_id_not_by_order():
    import hashlib

    ids = [f"s{3000000 + n}" for n in range(300)]
    for count in (1, 2, 3, 7):
        owners = {sid: shards.shard_of(sid, count) for sid in ids}
        assert set(owners.values()) == set(range(1, count + 1))
        again = {sid: shards.shard_of(sid, count) for sid in reversed(ids)}
        assert again == owners
    digest = hashlib.sha256(b"s3000000").digest()  # the rule, written out: any machine agrees
    assert shards.shard_of("s3000000", 7) == int.from_bytes(digest[:8], "big") % 7 + 1


def test_shards_merged_equal_one_run_row_for_row(tmp_path, fake, capsys):
    folder = _class(tmp_path)
    whole = tmp_path / "whole" / "grades.csv"
    assert _grade(folder, whole) == 0
    expected = _table(whole)
    students = {r[0] for r in expected[0]} - {"student"}
    assert len(students) == len(STUDENTS) + 2  # and the two files that are not graded
    assert fake() == STUDENTS
    for count in (2, 3):
        parts = [tmp_path / f"n{count}" / f"shard-{i}.csv" for i in range(1, count + 1)]
        for i, part in enumerate(parts, start=1):
            assert _grade(folder, part, "--shard", f"{i}/{count}") in (0, 1)
        assert fake() == STUDENTS  # every student graded once, in exactly one shard
        merged = tmp_path / f"n{count}" / "grades.csv"
        capsys.readouterr()
        assert cli.main(["merge-gradebooks", str(merged), *map(str, parts)]) == 0
        assert f"merged {count} gradebook(s)" in capsys.readouterr().out
        assert _table(merged) == expected
        index = journal.read_index(journal.index_path(merged))
        assert sorted(k[0] for k in index) == STUDENTS


def test_merge_refuses_conflicting_grades_and_drops_no_row(tmp_path, fake, capsys):
    from b2bsm_teach.grade import exports

    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    exports.write_gradebook([exports.Row("s1", "02", "q1", 1, 1, "correct", "")], one)
    rows = [
        exports.Row("s1", "02", "q1", 0, 1, "wrong", ""),
        exports.Row("s2", "02", "q1", 1, 1, "correct"),
    ]
    exports.write_gradebook(rows, two)
    out = tmp_path / "grades.csv"
    assert cli.main(["merge-gradebooks", str(out), str(one), str(two)]) == 1
    err = capsys.readouterr().err
    assert "s1 set 02" in err and "Nothing was merged" in err and "--on-conflict" in err
    assert not out.exists()
    assert (
        cli.main(["merge-gradebooks", str(out), str(one), str(two), "--on-conflict", "last"]) == 0
    )
    got = {(r.student, r.question): r.status for r in exports.read_gradebook(out)}
    assert got[("s1", "q1")] == "wrong" and ("s2", "q1") in got
    assert cli.main(["merge-gradebooks", str(one), str(one)]) == 1  # the output as an input
    assert "both the output and an input" in capsys.readouterr().err


def test_an_empty_shard_succeeds_so_that_the_merge_can_run(tmp_path, fake, capsys):
    folder = tmp_path / "set-02"
    folder.mkdir()
    _notebook(folder / f"{STUDENTS[0]}.ipynb", {"q1": 1.0})
    empty = next(i for i in (1, 2) if shards.shard_of(STUDENTS[0], 2) != i)
    out = tmp_path / "shard" / "grades.csv"
    assert _grade(folder, out, "--shard", f"{empty}/2") == 0
    assert "has no submission" in capsys.readouterr().out
    assert fake() == []
    assert cli.main(["merge-gradebooks", str(tmp_path / "all.csv"), str(out)]) == 0


def test_a_second_run_grades_only_new_or_changed_files(tmp_path, fake, capsys):
    folder = _class(tmp_path)
    out = tmp_path / "grades.csv"
    assert _grade(folder, out) == 0
    first = _table(out)
    fake()
    capsys.readouterr()
    assert _grade(folder, out) == 0
    assert fake() == []
    assert f"skipped {len(STUDENTS)} submission(s) already graded" in capsys.readouterr().out
    assert _table(out) == first
    _notebook(folder / f"{STUDENTS[2]}.ipynb", {"q1": 99.0})  # a new version of one file
    assert _grade(folder, out) == 0
    assert fake() == [STUDENTS[2]]
    assert _grade(folder, out, "--regrade") == 0
    assert fake() == STUDENTS


def test_a_run_that_failed_for_the_grader_is_retried(tmp_path, fake):
    folder = _class(tmp_path)
    _notebook(folder / f"{STUDENTS[0]}.ipynb", {"q1": 1.0}, extra=INFRA_FAILURE)
    out = tmp_path / "grades.csv"
    assert _grade(folder, out) == 0
    fake()
    with out.open(encoding="utf-8") as fh:
        own = [r for r in csv.DictReader(fh) if r["student"] == STUDENTS[0]]
    assert {r["status"] for r in own[:-1]} == {"not graded"}
    assert "could not run the notebook" in own[-1]["feedback"]
    assert _grade(folder, out) == 0
    assert fake() == [STUDENTS[0]]  # graded again without --regrade; the others skipped


def test_a_killed_run_resumes_where_it_stopped(tmp_path, fake):
    folder = _class(tmp_path)
    whole = tmp_path / "whole" / "grades.csv"
    assert _grade(folder, whole) == 0
    fake()
    out = tmp_path / "course" / "grades.csv"
    out.parent.mkdir()
    log = journal.journal_path(out)
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import test_grade_scale as t\n"
        "t.install_fake()\n"
        "from b2bsm_teach.grade import __main__ as cli\n"
        f"cli.main([{str(folder)!r}, '--out', {str(out)!r}, '--jobs', '1', '--quiet'])\n"
    )
    env = {**os.environ, "SCALE_TEST_KILL_AFTER": "2", "SCALE_TEST_JOURNAL": str(log)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert not out.exists()  # nothing folded yet: the journal holds the finished ones
    done = [json.loads(line)["student"] for line in log.read_text().splitlines()]
    assert len(done) >= 2
    ran_before = set(fake())
    assert set(done) <= ran_before
    assert _grade(folder, out) == 0
    assert set(fake()) == set(STUDENTS) - set(done)  # only the rest is graded
    assert not log.exists()
    assert _table(out) == _table(whole)


def test_a_cut_journal_line_is_skipped_with_a_message(tmp_path, fake, capsys):
    folder = _class(tmp_path)
    whole = tmp_path / "whole" / "grades.csv"
    assert _grade(folder, whole) == 0
    fake()
    out = tmp_path / "grades.csv"
    assert _grade(folder, out, "--shard", "1/1") == 0  # to get whole journal lines to cut
    fake()
    log = journal.journal_path(out)
    for student in STUDENTS[:3]:  # journal three submissions as a run would have
        journal.Journal(log).add(_sub(folder, student), _rows_of(out, student), {})
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2]) + lines[2][:40])  # the last one cut mid-line
    out.unlink()
    capsys.readouterr()
    assert _grade(folder, out) == 0
    assert "line 3: not a whole record" in capsys.readouterr().err
    assert fake() == sorted(set(STUDENTS) - set(STUDENTS[:2]))
    assert _table(out)[0] == _table(whole)[0]


def test_a_record_after_a_cut_line_starts_a_line_of_its_own(tmp_path):
    """Appended straight after a cut line, the next record would be lost with it."""
    from b2bsm_teach.grade.intake import Submission

    log = tmp_path / ".grades.journal.jsonl"

    def sub(student):
        return Submission(file=f"{student}.ipynb", student=student, set_id="02", sha256="ab")

    row = ["s1", "02", "q1", 1.0, 1, "correct", "Correct."]
    journal.Journal(log).add(sub("s1"), [row], {"q1": 1})
    log.write_bytes(log.read_bytes() + b'{"format": 1, "student": "s2", "se')  # killed here
    journal.Journal(log).add(sub("s3"), [["s3", *row[1:]]], {"q1": 2})
    records, problems = journal.read_journal(log)
    assert [r["student"] for r in records] == ["s1", "s3"]
    assert len(problems) == 1 and "line 2: not a whole record" in problems[0]
    assert records[1]["rows"][0].points == 1.0 and records[1]["answers"] == {"q1": 2}


def _sub(folder: Path, student: str):
    from b2bsm_teach.grade.intake import intake

    return next(s for s in intake(folder) if s.student == student)


def _rows_of(out: Path, student: str) -> list[list]:
    from b2bsm_teach.grade import exports

    rows = [r for r in exports.read_gradebook(out) if r.student == student]
    return [
        [r.student, r.set, r.question, r.points, r.max_points, r.status, r.feedback] for r in rows
    ]


def test_a_shard_without_the_shared_grading_secret_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("B2BSM_GRADING_SECRET", raising=False)
    folder = tmp_path / "subs"
    folder.mkdir()
    assert cli.main([str(folder), "--out", str(tmp_path / "g.csv"), "--shard", "1/2"]) == 2
    assert "B2BSM_GRADING_SECRET" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# The batch examples (docs/examples/) agree with the command line
# ---------------------------------------------------------------------------
ROOT = HERE.parent
EXAMPLES = ROOT / "docs" / "examples"


def _grade_calls(text: str) -> list[list[str]]:
    """The argument lists of every ``python -m b2bsm_teach.grade`` call in a script's text."""
    import shlex

    joined = text.replace("\\\n", " ")
    calls = []
    for line in joined.splitlines():
        line = line.lstrip("# ").strip()
        if "python -m b2bsm_teach.grade" not in line:
            continue
        rest = line.split("python -m b2bsm_teach.grade", 1)[1]
        calls.append(shlex.split(rest.split('"', 1)[0] if rest.count('"') % 2 else rest))
    return calls


def _check_call(words: list[str]) -> None:
    """A call's command and options are the command line's own; its --shard parses."""
    if words and words[0] == "merge-gradebooks":
        assert "merge-gradebooks" in cli.COMMANDS
        assert not [w for w in words[1:] if w.startswith("--")]
        return
    known = {s for a in cli._grade_parser()._actions for s in a.option_strings}
    flags = [w for w in words if w.startswith("--")]
    assert flags and set(flags) <= known, set(flags) - known


def test_the_slurm_array_script_uses_the_command_line_as_it_is():
    import re

    script = (EXAMPLES / "grade-slurm.sh").read_text(encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(EXAMPLES / "grade-slurm.sh")]).returncode == 0
    calls = _grade_calls(script)
    assert {c[0] for c in calls} >= {"merge-gradebooks", "$SUBMISSIONS"}
    for call in calls:
        _check_call(call)
    assert '--shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"' in script
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)", script).groups())
    for task in range(first, last + 1):  # what each task of the array passes
        assert shards.parse_shard(f"{task}/{last - first + 1}") == (task, last)


def test_the_indexed_job_manifest_parses_and_shards_the_whole_class():
    import yaml

    doc = yaml.safe_load((EXAMPLES / "grade-indexed-job.yaml").read_text(encoding="utf-8"))
    spec = doc["spec"]
    assert (doc["kind"], spec["completionMode"]) == ("Job", "Indexed")
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    count = int(env["SHARDS"]["value"])
    assert spec["completions"] == count
    assert env["B2BSM_GRADING_SECRET"]["valueFrom"]["secretKeyRef"]["name"]
    script = container["args"][0]
    assert "shard=$((JOB_COMPLETION_INDEX + 1))" in script
    [call] = _grade_calls(script.replace("exec python", "python"))
    _check_call(call)
    assert '--shard "$shard/$SHARDS"' in script
    for index in range(count):  # JOB_COMPLETION_INDEX runs 0..completions-1
        assert shards.parse_shard(f"{index + 1}/{count}") == (index + 1, count)
    text = (EXAMPLES / "grade-indexed-job.yaml").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for call in _grade_calls(header):  # the merge the comments show
        _check_call(call)


def test_the_grader_image_is_built_from_the_kits_own_files():
    import re
    import tomllib

    text = (EXAMPLES / "Dockerfile.grader").read_text(encoding="utf-8")
    for line in re.findall(r"(?m)^COPY (.+)$", text):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), source
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "grade" in extras["optional-dependencies"]
    assert "pip install '.[grade]' -c requirements/lock-py3.12.txt" in text
    assert (ROOT / "requirements" / "lock-py3.12.txt").is_file()
    assert re.search(r"apt-get install -y --no-install-recommends bubblewrap", text)
    assert "python -m compileall -q" in text  # a sandbox cannot write bytecode
    page = (ROOT / "docs" / "grading-at-scale.md").read_text(encoding="utf-8")
    for name in ("grade-slurm.sh", "grade-indexed-job.yaml", "Dockerfile.grader"):
        assert f"examples/{name}" in page
    assert "grading-at-scale.md" in (ROOT / "docs" / "instructors.md").read_text()


def test_the_hidden_variant_is_taken_as_soon_as_every_data_answer_changed():
    """Choice questions are the same on every seed: they no longer cost a second dataset."""
    from b2bsm.exercises.session import Exercises
    from b2bsm_teach.grade import hidden

    secret = "a-test-secret-" + "1" * 32
    taken_first = 0
    for student in STUDENTS[:3]:
        own = Exercises("02", student)
        choices = {q for q, spec in own.questions.items() if spec.kind == "choice"}
        first = hidden.hidden_seed(secret, "02", student, 0)
        same, kept = hidden.unprotected(own, hidden.hidden_exercises("02", student, first))
        assert choices <= same and kept  # set 02 has both kinds
        if not same - choices:
            assert hidden.choose_seed(secret, "02", student) == first
            taken_first += 1
    assert taken_first  # the rule was exercised
