"""Student ids for grading: one canonical spelling, and which id a submitted file belongs to.

The grader never asks a notebook who it belongs to: the id comes from the file
name, or from the course roster when the instructor gives one.  Ids are
compared in one normalised form (:func:`normalise_id`), so ``S3000003``,
``s3000003`` and ``" s3000003 "`` are one student, and two files that map to
one student are reported instead of being merged.

With a roster a file maps to an id only when its name *is* the id, or when
one of the name's parts (split at ``_``, spaces and brackets, as the LMS
bulk downloads name files: Canvas ``doejane_12345_678901_s3000003``, Moodle
``Jane Doe_12345_assignsubmission_file_s3000003``) is exactly the id; an id
merely contained in a longer word (``s3000003xyz``) maps to nobody.  Names
with invisible or direction-changing characters (zero-width spaces,
right-to-left overrides, other Unicode "format" characters) are refused: they
can make one name look like another.

Examples
--------
>>> normalise_id(" S3000003 ")
's3000003'
>>> match_student("S3000003")
('s3000003', None)
>>> match_student("Jane Doe_s3000003_attempt_2", roster_ids=["s3000003", "s3000004"])
('s3000003', None)
>>> match_student("02_survey_data_exercises")[0] is None
True
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["display_name", "looks_like_id", "match_student", "normalise_id"]

#: What an id may look like when there is no roster: letters, digits and . _ - @,
#: starting with a letter or digit, with at least one digit (s1234567, u123456, ab12cd).
_ID_PATTERN = re.compile(r"[0-9a-z][0-9a-z._@-]{1,63}")
#: File names that are the exercise notebook itself, or Jupyter's defaults, not an id.
_NOT_AN_ID = re.compile(r"exercise|solution|untitled|checkpoint|copy|notebook")
_FIX_NAME = (
    "rename the file to the student's id (e.g. s1234567.ipynb), or give the grader the course "
    "roster (--roster) so that it can find the id inside the file name"
)


def normalise_id(text) -> str:
    """A student id in its one canonical form: Unicode NFKC, stripped, case-folded.

    Parameters
    ----------
    text : str
        The id as typed or as found in a file name.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``text`` is not a string or is empty after stripping; the message
        says what to do.

    Examples
    --------
    >>> normalise_id("S3000003"), normalise_id("s3000003 "), normalise_id("ｓ３０００００３")
    ('s3000003', 's3000003', 's3000003')
    >>> normalise_id("  ")
    Traceback (most recent call last):
    ...
    ValueError: the student id is empty: write the id as text, e.g. "s1234567".
    """
    if not isinstance(text, str):
        raise ValueError(
            f"a student id must be text, e.g. 's1234567' (in quotes); got a "
            f"{type(text).__name__}: write the id as text."
        )
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if not value:
        raise ValueError('the student id is empty: write the id as text, e.g. "s1234567".')
    return value


def looks_like_id(text: str) -> bool:
    """Whether a normalised file stem can be taken as a student id without a roster.

    Examples
    --------
    >>> looks_like_id("s1234567"), looks_like_id("02_survey_data_exercises")
    (True, False)
    >>> looks_like_id("untitled1"), looks_like_id("correct")
    (False, False)
    """
    return (
        _ID_PATTERN.fullmatch(text) is not None
        and any(ch.isdigit() for ch in text)
        and _NOT_AN_ID.search(text) is None
    )


def match_student(
    file_stem: str, roster_ids: Iterable[str] | None = None
) -> tuple[str | None, str | None]:
    """The student a submitted file belongs to: ``(student id, problem)``.

    Parameters
    ----------
    file_stem : str
        The file name without ``.ipynb`` (any characters; undecodable bytes as
        surrogate escapes, as :func:`os.fsdecode` gives them).
    roster_ids : iterable of str, optional
        The course roster.  With it, a stem equal to a roster id, or containing
        exactly one roster id, maps to that id.  Without it, a stem that looks
        like an id (:func:`looks_like_id`) is the id.

    Returns
    -------
    tuple
        ``(id, None)`` when the file maps to one student, ``(None, problem)``
        otherwise; the problem says how to fix the file name.

    Examples
    --------
    >>> print(match_student("s1_and_s2", roster_ids=["s1", "s2"])[1][:61])
    the file name 's1_and_s2' contains several roster ids (s1, s2
    >>> match_student("S3000003 ", roster_ids=["s3000003"])
    ('s3000003', None)
    """
    shown = display_name(file_stem)
    hidden = invisible(file_stem)
    if hidden:
        return None, (
            f"the file name {shown!r} contains invisible or direction-changing characters "
            f"({', '.join(hidden)}), which can make it look like another name: {_FIX_NAME}"
        )
    try:
        stem = normalise_id(file_stem)
    except ValueError:
        return None, f"the file name {shown!r} is empty: {_FIX_NAME}."
    if roster_ids is None:
        if looks_like_id(stem):
            return stem, None
        return None, f"the file name {shown!r} does not look like a student id: {_FIX_NAME}."
    roster = sorted({normalise_id(r) for r in roster_ids if isinstance(r, str) and r.strip()})
    if stem in roster:
        return stem, None
    parts = set(_PARTS.split(stem))
    found = [r for r in roster if r in parts]
    if len(found) == 1:
        return found[0], None
    if found:
        return None, (
            f"the file name {shown!r} contains several roster ids ({', '.join(found)}): keep one "
            "submission per file and name it after its student"
        )
    return None, (
        f"no roster id in the file name {shown!r} (the name, or one part of it between '_', "
        "must be the id exactly): rename the file to the student's id, or add the student to "
        "the roster"
    )


#: Where an LMS download's file name is cut into parts (Canvas and Moodle use ``_``).
_PARTS = re.compile(r"[_\s()\[\]]+")


def invisible(text: str) -> list[str]:
    """Code points of ``text`` that show nothing or change the text's direction (``U+200B``...).

    Examples
    --------
    >>> invisible("s3000003\u200b"), invisible("s3000003\u202e"), invisible("Ana Lopez")
    (['U+200B'], ['U+202E'], [])
    """
    found = []
    for ch in text:
        if ch in " \t" or (ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zl", "Zp")):
            continue
        if ch.isprintable() or unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn", "Zl", "Zp"):
            if "\udc80" <= ch <= "\udcff":  # an undecodable byte (os.fsdecode): shown escaped
                continue
            code = f"U+{ord(ch):04X}"
            if code not in found:
                found.append(code)
    return found


def display_name(name: str | bytes) -> str:
    """A file name as printable text: undecodable bytes and control characters escaped.

    Examples
    --------
    >>> display_name(b"s1\\xff.ipynb")
    's1\\\\xff.ipynb'
    >>> display_name("a\\nb")
    'a\\\\nb'
    """
    if isinstance(name, str):
        try:
            name = os.fsencode(name)
        except UnicodeError:  # a lone surrogate that no file system byte produced
            name = name.encode("utf-8", "backslashreplace")
    text = name.decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )
