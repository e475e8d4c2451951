"""The class roster: who is enrolled, how the LMS knows them, and who submitted what.

A roster is a CSV file with one row per student.  Only ``student_id`` is
required; the other columns are what a learning management system needs to
recognise the student when the grades are imported:

=================  ====================================================
column             used for
=================  ====================================================
``student_id``     the id students type into ``STUDENT_ID`` and name
                   their notebook by (required)
``name``           display name ("Ada Lovelace" or "Lovelace, Ada")
``first_name``,    Moodle's name columns (split from ``name`` when
``last_name``      absent)
``email``          Moodle's "Email address" (a user field to map on)
``username``       Moodle's "Username"
``sis_user_id``    Canvas "SIS User ID" and Moodle "ID number" (falls back
                   to the student id)
``sis_login_id``   Canvas "SIS Login ID"
``canvas_id``      Canvas "ID" (the numeric user id of a gradebook export)
``section``        Canvas "Section"
=================  ====================================================

Other columns are kept and ignored.  Ids are normalised the same way
everywhere (:func:`b2bsm.exercises.ids.normalise_id`), so ``S3000003`` in the roster and
``s3000003.ipynb`` in the submissions are one student.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm.exercises.ids import match_student, normalise_id  # the one definition of each
from b2bsm_teach.grade.cells import plain_text, spreadsheet_safe

#: Roster columns the exports read (all optional but ``student_id``).
FIELDS = (
    "student_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "username",
    "sis_user_id",
    "sis_login_id",
    "canvas_id",
    "section",
)


class RosterError(ValueError):
    """The roster file cannot be used; the message names the line and the fix."""


def printable(name: str) -> str:
    """A file name made of any bytes, as text that can be printed and written to UTF-8.

    >>> import os
    >>> printable(os.fsdecode(b"s1\\xff.ipynb")) == "s1\\ufffd.ipynb"
    True
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Student:
    """One roster row; ``key`` is the normalised id every export is keyed by."""

    key: str
    student_id: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    username: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    canvas_id: str = ""
    section: str = ""

    @property
    def names(self) -> tuple[str, str]:
        """(first, last) from the roster's name columns.

        >>> Student("s1", "s1", name="Lovelace, Ada").names
        ('Ada', 'Lovelace')
        >>> Student("s1", "s1", name="Ada King Lovelace").names
        ('Ada King', 'Lovelace')
        """
        if self.first_name or self.last_name:
            return self.first_name, self.last_name
        if "," in self.name:
            last, first = (p.strip() for p in self.name.split(",", 1))
            return first, last
        parts = self.name.split()
        if len(parts) < 2:
            return "", self.name.strip()
        return " ".join(parts[:-1]), parts[-1]

    @property
    def display_name(self) -> str:
        """The name to show, or the id when the roster has none."""
        if self.name:
            return self.name
        first, last = self.names
        return " ".join(p for p in (first, last) if p) or self.student_id


@dataclass
class Roster:
    """The students of a class, in roster order."""

    students: list[Student]
    path: Path | None = None
    by_key: dict[str, Student] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.students}

    @property
    def ids(self) -> list[str]:
        """Normalised ids in roster order (what ``grade_folder(roster_ids=)`` takes)."""
        return [s.key for s in self.students]

    def __len__(self) -> int:
        return len(self.students)

    def get(self, key: str) -> Student | None:
        return self.by_key.get(key)

    @classmethod
    def read(cls, path) -> Roster:
        """Read a roster CSV (UTF-8, a byte-order mark from Excel is fine).

        Raises :class:`RosterError` naming the line and the fix for a missing
        ``student_id`` column, an empty id or two rows with the same id.
        """
        path = Path(path)
        if not path.is_file():
            raise RosterError(
                f"no roster file at {path}; pass a CSV with a student_id column "
                "(e.g. exported from your LMS's class list)."
            )
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise RosterError(
                f"{path} is not UTF-8 text; save it from your spreadsheet as "
                "'CSV UTF-8 (comma delimited)'."
            ) from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = {(h or "").strip().lower().replace(" ", "_"): h for h in reader.fieldnames or []}
        if "student_id" not in header:
            raise RosterError(
                f"{path} has no student_id column (it has: "
                f"{', '.join(h for h in reader.fieldnames or []) or 'no header'}); add a "
                "header row whose first column is student_id."
            )
        students: list[Student] = []
        seen: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            values = {
                f: plain_text((row.get(header[f]) or "").strip()) for f in FIELDS if f in header
            }
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # a blank line
            raw = values.get("student_id", "")
            try:
                key = normalise_id(raw)
            except ValueError:
                raise RosterError(
                    f"{path}, line {line}: the student_id is empty; fill it in or delete the row."
                ) from None
            if key in seen:
                raise RosterError(
                    f"{path}, lines {seen[key]} and {line}: the same student id {raw!r} "
                    "(ids are compared ignoring case and spaces); keep one row per student."
                )
            seen[key] = line
            students.append(Student(key=key, **values))
        if not students:
            raise RosterError(f"{path} lists no students; add one row per student.")
        return cls(students, path)

    def write(self, path) -> Path:
        """Write the roster's known columns to ``path`` (used to remember it beside exports)."""
        # a spreadsheet shows a formula-like name as text
        rows = ([spreadsheet_safe(getattr(s, f) or "") for f in FIELDS] for s in self.students)
        return _write_table(path, FIELDS, rows)

    def check_submissions(self, folder) -> SubmissionReport:
        """Which roster students have a notebook in ``folder``, who is missing, what is unknown."""
        folder = Path(folder)
        files = sorted(
            p for p in folder.iterdir() if p.suffix.lower() == ".ipynb" and not p.is_dir()
        )
        report = SubmissionReport(roster=self)
        for path in files:
            name = printable(path.name)
            key, problem = match_student(printable(path.stem), self.ids)
            if key is None:
                report.unknown.append((name, problem or "not on the roster"))
            else:
                report.matched.setdefault(key, []).append(name)
        report.missing = [s.key for s in self.students if s.key not in report.matched]
        return report


@dataclass
class SubmissionReport:
    """The roster checked against a folder of submissions."""

    roster: Roster
    matched: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)

    @property
    def duplicates(self) -> dict[str, list[str]]:
        """Students with more than one notebook in the folder."""
        return {k: v for k, v in self.matched.items() if len(v) > 1}

    def summary(self) -> str:
        """One line for the terminal."""

        def some(items):
            items = list(items)
            return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")

        parts = [f"roster: {len(self.roster)} students, {len(self.matched)} submitted"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing ({some(self.missing)})")
        if self.unknown:
            parts.append(
                f"{len(self.unknown)} file(s) match no roster id "
                f"({some(n for n, _ in self.unknown)})"
            )
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} student(s) with several files")
        return "; ".join(parts)

    def write(self, path) -> Path:
        """A CSV with one row per roster student and per unknown file."""
        rows = []
        for s in self.roster.students:
            files = self.matched.get(s.key, [])
            if not files:
                rows.append([s.student_id, "missing", "", "no notebook for this student"])
            elif len(files) > 1:
                several = "keep one notebook per student"
                rows.append([s.student_id, "several files", "; ".join(files), several])
            else:
                rows.append([s.student_id, "submitted", files[0], ""])
        rows += [["", "unknown", name, problem] for name, problem in self.unknown]
        return _write_table(path, ["student_id", "status", "files", "problem"], rows)


def _write_table(path, header, rows) -> Path:
    """Write a CSV file in place: ``header``, then ``rows``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
