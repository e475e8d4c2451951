"""A class spread over several machines: ``--shard i/N`` and ``merge-gradebooks``.

Each machine grades one shard of the same submissions folder into a gradebook
of its own::

    python -m b2bsm_teach.grade SUBMISSIONS --out shard-1.csv --shard 1/3
    python -m b2bsm_teach.grade SUBMISSIONS --out shard-2.csv --shard 2/3
    python -m b2bsm_teach.grade SUBMISSIONS --out shard-3.csv --shard 3/3
    python -m b2bsm_teach.grade merge-gradebooks grades.csv shard-1.csv shard-2.csv shard-3.csv

A submission's shard comes from a SHA-256 of its student id (of the file name
when it has no id), never from the order of a folder listing, so each student
lands in exactly one shard on every machine.  The merge folds the shard
gradebooks, their answers and their content-hash indexes into ``OUT`` under
its lock; a student and set found in two inputs with different rows or answers
stop the merge (nothing is written) unless ``--on-conflict first|last`` says
which one to keep.  Every row of every input is in the result.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

__all__ = ["MergeError", "merge_gradebooks", "parse_shard", "secret_problem", "shard_of"]

CONFLICT_CHOICES = ("refuse", "first", "last")


class MergeError(ValueError):
    """Shard gradebooks that cannot be merged; the message says why and how to fix it."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` -> ``(i, N)``, with ``1 <= i <= N``; a clear ValueError otherwise.

    >>> parse_shard("2/3")
    (2, 3)
    >>> parse_shard("3/2")
    Traceback (most recent call last):
    ...
    ValueError: --shard 3/2: the shard number must be between 1 and 2 (shards are numbered 1..N)
    """
    first, sep, second = str(text).strip().partition("/")
    if not sep or not first.strip().isdigit() or not second.strip().isdigit():
        raise ValueError(
            f"--shard {text}: write it as i/N with whole numbers, e.g. --shard 1/4 for the "
            "first of four shards"
        )
    index, count = int(first), int(second)
    if count < 1:
        raise ValueError(f"--shard {text}: the number of shards N must be at least 1")
    if not 1 <= index <= count:
        raise ValueError(
            f"--shard {text}: the shard number must be between 1 and {count} "
            "(shards are numbered 1..N)"
        )
    return index, count


def secret_problem(out) -> str | None:
    """Why shards graded into ``out`` could use different hidden data, or None.

    The hidden variant of each submission comes from the grading secret
    (:mod:`b2bsm_teach.grade.hidden`).  A shard that made a secret of its own
    would grade its students on other data than a single run, so a shard run
    needs ``$B2BSM_GRADING_SECRET`` or a secret file already beside ``out``.
    """
    import os

    from b2bsm_teach.grade.hidden import SECRET_ENV, SECRET_FILE

    if os.environ.get(SECRET_ENV, "").strip() or (Path(out).parent / SECRET_FILE).is_file():
        return None
    return (
        f"--shard: every shard must grade on the same hidden data, so it needs the course's "
        f'grading secret. Set {SECRET_ENV} to the secret (e.g. export {SECRET_ENV}="$(cat '
        f'course/{SECRET_FILE})") on every machine, or put the {SECRET_FILE} file beside --out.'
    )


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) of a student id: the same on every machine and every run.

    >>> shard_of("s1000001", 1), shard_of("s1000001", 3) == shard_of("s1000001", 3)
    (1, True)
    """
    digest = hashlib.sha256(str(key).encode("utf-8", "backslashreplace")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def _read_input(path: Path):
    from b2bsm_teach.grade.exports import answers_path, read_answers, read_gradebook
    from b2bsm_teach.grade.journal import index_path, read_index

    rows = read_gradebook(path)
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.student, row.set), []).append(row)
    return groups, read_answers(answers_path(path)), read_index(index_path(path))


def _content(rows, answers) -> tuple:
    from b2bsm_teach.grade.exports import with_totals

    return tuple(tuple(r.cells()) for r in with_totals(rows)), repr(sorted(answers.items()))


def merge_gradebooks(out, inputs, on_conflict: str = "refuse") -> dict:
    """Merge shard gradebooks (with their answers and indexes) into ``out``, under its lock.

    ``out`` may already be a course gradebook: the shards replace the students
    and sets they graded, and hand marks on unchanged open answers are kept, as
    when a grading run is folded in.  Returns counts: ``submissions``,
    ``conflicts`` (resolved by ``on_conflict``), ``replaced`` (already in
    ``out``), ``hand marks kept``.
    """
    from b2bsm_teach.grade.exports import combine, gradebook_lock
    from b2bsm_teach.grade.journal import read_book, write_book

    out, inputs = Path(out), [Path(p) for p in inputs]
    if on_conflict not in CONFLICT_CHOICES:
        raise MergeError(f"--on-conflict takes one of {', '.join(CONFLICT_CHOICES)}")
    if not inputs:
        raise MergeError("name at least one shard gradebook to merge")
    if any(p.resolve() == out.resolve() for p in inputs):
        raise MergeError(f"{out} is both the output and an input; merge into another file")
    merged: dict[tuple[str, str], tuple] = {}  # key -> (rows, answers, index entry, source)
    clashes = []
    for path in inputs:
        groups, answers, index = _read_input(path)
        for key, rows in groups.items():
            mine = (rows, answers.get(key, {}), index.get(key), path)
            before = merged.get(key)
            if before is not None and _content(*before[:2]) != _content(*mine[:2]):
                clashes.append((key, before[3], path))
                if on_conflict == "first":
                    continue
            merged[key] = mine
    if clashes and on_conflict == "refuse":
        shown = "; ".join(f"{k[0]} set {k[1] or '?'} ({a} and {b})" for k, a, b in clashes[:10])
        more = f" and {len(clashes) - 10} more" if len(clashes) > 10 else ""
        raise MergeError(
            f"{len(clashes)} student(s) and set(s) have different grades in two inputs: "
            f"{shown}{more}. Nothing was merged. Merge the right gradebooks (one per shard of "
            "one run), or pass --on-conflict first (or last) to keep that input's grade."
        )
    new_rows = [r for rows, *_ in merged.values() for r in rows]
    new_answers = {k: v[1] for k, v in merged.items() if v[1]}
    with gradebook_lock(out):
        old_rows, old_answers, old_index = read_book(out)
        rows, answers, kept = combine(old_rows, old_answers, new_rows, new_answers)
        present = {(r.student, r.set) for r in rows}
        index = {k: e for k, e in old_index.items() if k in present and k not in merged}
        index.update({k: v[2] for k, v in merged.items() if v[2] is not None and k in present})
        missing = set(merged) - present
        if missing:  # combine keeps every new key; this guards the promise all the same
            raise MergeError(f"the merge would drop {sorted(missing)[:5]}; nothing was written")
        write_book(out, rows, answers, index)
    old_keys = {(r.student, r.set) for r in old_rows}
    return {
        "submissions": len(merged),
        "conflicts": len(clashes),
        "replaced": len(old_keys & set(merged)),
        "hand marks kept": kept,
    }


def main(argv: list[str]) -> int:
    """``python -m b2bsm_teach.grade merge-gradebooks OUT IN1 IN2 ...``"""
    from b2bsm_teach.grade.exports import GradebookError

    p = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade merge-gradebooks",
        description="Merge the gradebooks of the shards of a class (graded with --shard i/N) "
        "into one gradebook, with their answers and content hashes. (To merge marked sheets "
        "of open answers, use the merge command.)",
    )
    p.add_argument("out", type=Path, help="the merged gradebook (created, or folded into)")
    p.add_argument("inputs", type=Path, nargs="+", help="shard gradebooks, e.g. shard-*.csv")
    p.add_argument(
        "--on-conflict",
        choices=CONFLICT_CHOICES,
        default="refuse",
        help="a student and set graded differently in two inputs: refuse (default), or keep "
        "the first or the last input's grade",
    )
    args = p.parse_args(argv)
    try:
        counts = merge_gradebooks(args.out, args.inputs, args.on_conflict)
    except (MergeError, GradebookError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    extra = []
    if counts["conflicts"]:
        extra.append(
            f"{counts['conflicts']} conflict(s) resolved by --on-conflict {args.on_conflict}"
        )
    if counts["replaced"]:
        extra.append(f"{counts['replaced']} already in {args.out} replaced")
    if counts["hand marks kept"]:
        extra.append(f"{counts['hand marks kept']} hand mark(s) kept")
    print(
        f"merged {len(args.inputs)} gradebook(s): {counts['submissions']} submission(s) into "
        f"{args.out}{' (' + '; '.join(extra) + ')' if extra else ''}. Write the exports with: "
        f"python -m b2bsm_teach.grade export --gradebook {args.out}"
    )
    return 0
