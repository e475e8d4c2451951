"""What a grading run has finished, kept on disk: the run's journal and the gradebook's index.

**The journal** (``.<stem>.journal.jsonl`` beside the gradebook) gets one line
per submission as soon as its verdicts are ready, written with ``O_APPEND``
and flushed to disk (``fsync``) under the journal's lock: the submission's
student, set, file, content hash, rows (``TOTAL`` included) and exported
answers.  A run that is killed leaves the journal behind; the next run into the
same gradebook takes its finished submissions as they are, grades only the
others, and folds everything into the gradebook under the gradebook's lock,
then removes the journal.  A line that is not a whole record (the last one, cut
short by the kill) is skipped with a message; the lines before it count.

**The index** (``<stem>.submissions.jsonl`` beside the gradebook) keeps, for
each student and set of the gradebook, the SHA-256 of the file that was graded.
A run skips a submission whose student, set and hash the index already holds
(``--regrade`` grades everything again).  A submission for which nothing could
be graded (the sandbox or the kernel failed, or the notebook was stopped before
it exported any answer: every row ``not graded``) is marked ``retry`` and is
graded again by every run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from pathlib import Path

from b2bsm_teach.grade.exports import Row, plain_text

__all__ = [
    "Journal",
    "index_path",
    "journal_path",
    "read_index",
    "read_journal",
    "record_rows",
    "write_index",
]

FORMAT = 1


def journal_path(gradebook) -> Path:
    """``.<stem>.journal.jsonl`` beside the gradebook.

    >>> journal_path("out/grades.csv").as_posix()
    'out/.grades.journal.jsonl'
    """
    gradebook = Path(gradebook)
    return gradebook.with_name(f".{gradebook.stem}.journal.jsonl")


def index_path(gradebook) -> Path:
    """``<stem>.submissions.jsonl`` beside the gradebook.

    >>> index_path("out/grades.csv").as_posix()
    'out/grades.submissions.jsonl'
    """
    gradebook = Path(gradebook)
    return gradebook.with_name(f"{gradebook.stem}.submissions.jsonl")


@contextlib.contextmanager
def journal_lock(path):
    """Hold the journal's own lock (``<journal>.lock``): appends and the fold take turns."""
    import fcntl

    lock = Path(f"{path}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def needs_retry(rows: list[list]) -> bool:
    """True when nothing of a submission was graded (every question row ``not graded``)."""
    own = [r for r in rows if r[2] != "TOTAL"]
    return not own or all(r[5] == "not graded" for r in own)


class Journal:
    """The journal of a run: :meth:`add` makes a submission's verdicts durable at once."""

    def __init__(self, path) -> None:
        self.path = Path(path)

    def add(self, sub, rows: list[list], answers: dict) -> None:
        """Append one submission (rows with its ``TOTAL``, answers, content hash), fsync'd."""
        from b2bsm_teach.grade.runfiles import printable

        record = {
            "format": FORMAT,
            "student": sub.student,
            "set": sub.set_id,
            "file": sub.file,
            "sha256": sub.sha256,
            "retry": needs_retry(rows),
            "rows": [[printable(c) for c in row] for row in rows],
            "answers": answers,
        }
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
        data = (printable(line) + "\n").encode("utf-8")
        with journal_lock(self.path):
            new = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":  # a line cut by a kill
                    data = b"\n" + data  # ends there: this record starts a line of its own
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:  # the file's name must survive a crash too
                _fsync_dir(self.path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the data itself was synced
        pass
    finally:
        os.close(fd)


def read_journal(path) -> tuple[list[dict], list[str]]:
    """The whole records of a journal, in order, and a message per line that was skipped.

    A missing journal has no records.  Never raises for what the file holds.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    records, problems = [], []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _journal_record(line)
        if record is None:
            problems.append(
                f"{path}, line {number}: not a whole record (a run killed while writing it "
                "leaves one); skipped, and that submission is graded again"
            )
            continue
        records.append(record)
    return records, problems


def _journal_record(line: bytes) -> dict | None:
    try:
        rec = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(rec, dict) or rec.get("format") != FORMAT:
        return None
    if not all(isinstance(rec.get(k), str) for k in ("student", "set", "file")):
        return None
    if not isinstance(rec.get("answers"), dict) or not isinstance(rec.get("rows"), list):
        return None
    if not isinstance(rec.get("sha256"), str | None) or not isinstance(rec.get("retry"), bool):
        return None
    try:
        rec["rows"] = record_rows(rec)
    except (TypeError, ValueError):
        return None
    return rec


def record_rows(rec: dict) -> list[Row]:
    """A journal record's rows as gradebook rows (as reading them from a written gradebook)."""
    rows = []
    for cells in rec["rows"]:
        if isinstance(cells, Row):
            rows.append(cells)
            continue
        student, set_id, question, points, maximum, status, feedback = cells
        values = [float(points), float(maximum)]
        if not all(math.isfinite(v) for v in values) or not isinstance(student, str):
            raise ValueError("not a gradebook row")
        rows.append(
            Row(
                plain_text(student),
                str(set_id).strip(),
                str(question).strip(),
                values[0],
                values[1],
                str(status).strip(),
                plain_text(str(feedback)),
            )
        )
    if any((r.student, r.set) != (rec["student"], rec["set"]) for r in rows):
        raise ValueError("a row of another submission")
    return rows


def read_index(path) -> dict[tuple[str, str], dict]:
    """``(student, set) -> {"file", "sha256", "retry"}`` from an index (empty when absent)."""
    found: dict[tuple[str, str], dict] = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict):
            continue
        key = (rec.get("student"), rec.get("set"))
        if all(isinstance(k, str) for k in key) and isinstance(rec.get("sha256"), str):
            found[key] = {
                "file": str(rec.get("file", "")),
                "sha256": rec["sha256"],
                "retry": rec.get("retry") is not False,
            }
    return found


def write_index(index: dict[tuple[str, str], dict], path) -> Path:
    """Write an index atomically, one line per student and set, sorted."""
    from b2bsm_teach.grade.runfiles import atomic_write

    lines = []
    for (student, set_id), entry in sorted(index.items()):
        rec = {"student": student, "set": set_id, **entry}
        lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    atomic_write(Path(path), "".join(lines))
    return Path(path)


def graded_hashes(index: dict, rows: list[Row], records: list[dict]) -> dict:
    """``(student, set) -> sha256`` of every submission a run need not grade again.

    From the gradebook's index (only where the gradebook still has the rows) and
    from the journal of a run that was killed; ``retry`` entries are left out.
    """
    present = {(r.student, r.set) for r in rows}
    done = {k: e["sha256"] for k, e in index.items() if k in present and not e["retry"]}
    for rec in records:
        key = (rec["student"], rec["set"])
        if rec["retry"] or rec["sha256"] is None:
            done.pop(key, None)
        else:
            done[key] = rec["sha256"]
    return done


def run_index(records: list[dict]) -> dict[tuple[str, str], dict]:
    """Index entries of a run's records (those with a content hash, see :mod:`.lanes`)."""
    return {
        (r["student"], r["set"]): {"file": r["file"], "sha256": r["sha256"], "retry": r["retry"]}
        for r in records
        if isinstance(r.get("sha256"), str)
    }


def read_book(out) -> tuple[list[Row], dict, dict]:
    """The gradebook ``out`` with its answers file and content-hash index; empty if none.

    Callers hold the gradebook's lock (``exports.gradebook_lock``).
    """
    from b2bsm_teach.grade.exports import answers_path, read_answers, read_gradebook

    out = Path(out)
    if not out.exists():
        return [], {}, {}
    return read_gradebook(out), read_answers(answers_path(out)), read_index(index_path(out))


def write_book(out, rows: list[Row], answers: dict, index: dict) -> None:
    """Write the gradebook ``out``, its answers file and its index (each atomically)."""
    from b2bsm_teach.grade.exports import answers_path, write_answers, write_gradebook

    write_gradebook(rows, out)
    write_answers(answers, answers_path(out))
    write_index(index, index_path(out))


def fold_run(out, new_rows: list[Row], new_answers: dict, new_index: dict, fresh: bool):
    """Fold a run, and the journal of any run killed before it, into the gradebook ``out``.

    Under the gradebook's lock, then the journal's: read the gradebook again
    (another run may have written it), add the journal's submissions that this
    run did not grade again, then this run's; write the gradebook, answers and
    index; remove the journal.  Returns ``(rows, kept hand marks, resumed)``.
    """
    from b2bsm_teach.grade.exports import combine, gradebook_lock

    out = Path(out)
    journal = journal_path(out)
    with gradebook_lock(out), journal_lock(journal):
        old_rows, old_answers, old_index = ([], {}, {}) if fresh else read_book(out)
        records, problems = read_journal(journal)
        for problem in problems:
            print(f"note: {problem}", file=sys.stderr)
        ran = {(r.student, r.set) for r in new_rows}
        earlier: dict[tuple[str, str], dict] = {}
        for rec in records:  # a later line for the same submission replaces an earlier one
            if (rec["student"], rec["set"]) not in ran:
                earlier[(rec["student"], rec["set"])] = rec
        rows_in = [row for rec in earlier.values() for row in rec["rows"]] + list(new_rows)
        answers_in = {k: rec["answers"] for k, rec in earlier.items()}
        answers_in.update(new_answers)
        rows, answers, kept = combine(old_rows, old_answers, rows_in, answers_in)
        present = {(r.student, r.set) for r in rows}
        index = {k: e for k, e in old_index.items() if k in present}
        index.update(run_index(list(earlier.values())))
        index.update(new_index)
        index = {k: e for k, e in index.items() if k in present}
        write_book(out, rows, answers, index)
        journal.unlink(missing_ok=True)
    return rows, kept, len(earlier)


def plan(out, fresh: bool, regrade: bool) -> tuple[dict, int]:
    """What a run into ``out`` need not grade again: ``(skip, finished in the journal)``.

    ``skip`` maps ``(student, set)`` to the hash already graded: from the
    gradebook's index (not with ``fresh``) and from the journal of a killed run;
    empty with ``regrade``.
    """
    from b2bsm_teach.grade.exports import GradebookError, read_gradebook

    records, _ = read_journal(journal_path(out))  # lines it skips: named when it is folded
    if regrade:
        return {}, len(records)
    rows, index = [], {}
    if Path(out).exists() and not fresh:
        try:
            rows, index = read_gradebook(out), read_index(index_path(out))
        except GradebookError:
            rows, index = [], {}
    return graded_hashes(index, rows, records), len(records)
