"""The cells and files of the grader's CSVs: safe in a spreadsheet, never half written.

Every CSV the grader writes (the gradebook, the LMS files, the marking sheets,
the roster it keeps) may be opened in a spreadsheet, where a cell that starts
like a formula would run: :func:`spreadsheet_safe` makes such a cell text and
:func:`plain_text` reads it back.  Files are written through a temporary file
renamed over the old one (:func:`write_atomically`), so a crash leaves the old
file or the new one, never half of one.

Examples
--------
>>> plain_text(spreadsheet_safe("=SUM(A1)"))
'=SUM(A1)'
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text, never runs: a formula-like start gets a ``'``.

    Idempotent, so a gradebook can be read and written any number of times.

    >>> spreadsheet_safe("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> spreadsheet_safe(spreadsheet_safe("=1"))
    "'=1"
    >>> spreadsheet_safe("fine")
    'fine'
    """
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def plain_text(text: str) -> str:
    """The text a :func:`spreadsheet_safe` cell stood for (to show to people).

    >>> plain_text("'=1+1")
    '=1+1'
    """
    text = str(text)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def fmt_points(value: float) -> str:
    """Points as they are written: whole numbers without ``.0``.

    >>> fmt_points(8.0), fmt_points(1.5), fmt_points(2 / 3)
    ('8', '1.5', '0.6667')
    """
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def write_atomically(path, write: Callable[[IO[str]], None], *, newline: str | None = None) -> Path:
    """Write a UTF-8 text file through ``write(fh)``, atomically; returns the path.

    The text goes to a temporary file beside ``path`` (readable by its owner
    only) that is then renamed over ``path``; on any error the temporary file
    is removed and ``path`` is as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline=newline, encoding="utf-8") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(path, header: list[str], rows: Iterable[list]) -> Path:
    """Write a CSV atomically (a temporary file renamed), so a crash never leaves half a file."""

    def write(fh) -> None:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)

    return write_atomically(path, write, newline="")
