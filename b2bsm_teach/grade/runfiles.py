"""The files a grading run writes: the long gradebook and its answers file, atomically.

Cells a spreadsheet would execute are escaped (:func:`escape_cell`); text is
made printable; every file is written to a temporary name, flushed to disk and
renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from pathlib import Path

__all__ = ["COLUMNS", "atomic_write", "escape_cell", "printable", "write_answers", "write_rows"]

COLUMNS = ["student", "set", "question", "points", "max_points", "status", "feedback"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A gradebook cell that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe; numbers are left alone.

    Examples
    --------
    >>> escape_cell("=HYPERLINK(\\"http://x\\")"), escape_cell("-1"), escape_cell(-1.0)
    ('\\'=HYPERLINK("http://x")', "'-1", -1.0)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, flushed to disk, then renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as an ordinary new file would be
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_rows(rows: list[list], out: Path) -> None:
    """Write gradebook rows (header :data:`COLUMNS`) to ``out``, cells escaped."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([escape_cell(printable(c)) for c in row])
    atomic_write(out, buffer.getvalue())


def printable(value):
    """Text whose unpaired surrogates (from undecodable file names) are shown as escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def write_answers(records: list[dict], path: Path) -> None:
    """Write the answers file: one JSON object per run submission, sorted."""
    records = sorted(records, key=lambda r: (r["student"], r["set"], r["file"]))
    lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in records]
    text = "".join(
        line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n" for line in lines
    )
    atomic_write(path, text)
