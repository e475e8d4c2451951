"""Lessons' author-year citations become links to their entry of the website's bibliography.

The notebooks keep plain-text citations ("Jussila et al. (2014)"), since they are also
read in Jupyter, Colab and the browser edition.  When ``tools/build_site.py`` stages a
notebook for the website, :func:`link_citations` turns each citation that names exactly
one entry of ``references.bib`` into the role ``{bibref}`Jussila et al. (2014) <jussila2014>```,
which the site's extension (``site/_ext/b2bsm_site.py``) renders as a link to that entry
of the bibliography page, the words unchanged.

Matching is deliberately strict, so that no citation links to the wrong work: the
first author's surname as in the BibTeX file, then "et al." (three or more authors) or
the whole author list ("Syrdal & Briggs", "Jussila, Kärkkäinen and Aramo-Immonen"),
then the year, with an optional a/b suffix that must match the key's (``brodie2013a``).
A citation that fits no entry, or two (same authors and year, no suffix), stays plain
text, as does anything in code, links, math or headings.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class Work(NamedTuple):
    """One entry of references.bib, as a lesson cites it: key, authors' surnames, year."""

    key: str
    surnames: tuple[str, ...]
    year: str


#: BibTeX accent commands ({\"a}) and the Unicode combining marks they stand for.
ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "c": "\u0327"}
ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")
#: A citation in author-year form: "Gu et al. (2023)", "(Syrdal & Briggs 2018)",
#: "Jussila, Kärkkäinen and Aramo-Immonen (2014)", "(Brodie et al., 2013)".
#: A surname starts with a capital (so "dependence, Benjamini & Yekutieli 2001" is found
#: from "Benjamini"); the words may wrap onto the next line of the paragraph.
_NAME = r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’-]*"
_SP = r"(?:[ \t]*\n[ \t]*|[ \t]+)"
_NAMES = rf"{_NAME}(?:{_SP}et{_SP}al\.|(?:,{_SP}{_NAME})*,?{_SP}(?:&|and){_SP}{_NAME})?"
_YEAR = r"(?P<year>\d{4})(?P<suffix>[a-z]?)"
_PYEAR = r"\((?P<pyear>\d{4})(?P<psuffix>[a-z]?)\)"
CITATION = re.compile(rf"(?<![\w'’.-])(?P<names>{_NAMES})(?:,?{_SP}{_YEAR}|{_SP}{_PYEAR})(?![\w-])")
#: Where a citation is never linked: fenced code, headings, code spans, links, math, HTML.
PROTECTED = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,}).*?(?:^[ \t]*(?P=fence)[ \t]*$|\Z)|^#{1,6}[ \t].*?$"
    r"|(?P<ticks>`+).+?(?P=ticks)|!?\[[^\]]*\]\([^)]*\)|\$\$.+?\$\$|\$[^$\n]+\$"
    r"|<[^>\n]+>|https?://\S+",
    re.MULTILINE | re.DOTALL,
)


def _bib_field(body: str, name: str) -> str:
    """The value of one field of a BibTeX entry ({braced}, "quoted" or bare), or ""."""
    match = re.search(rf"\b{name}\s*=\s*", body, re.IGNORECASE)
    if not match:
        return ""
    rest = body[match.end() :]
    if not rest or rest[0] not in '{"':
        return re.match(r"[^,}\s]*", rest).group(0)
    depth, close = 0, "}" if rest[0] == "{" else '"'
    for i, char in enumerate(rest):
        depth += (char == "{") - (char == "}")
        if i and ((close == "}" and depth == 0) or (close == '"' and char == '"' and depth == 0)):
            return rest[1:i]
    return rest[1:]


def _surname(author: str) -> str:
    """The surname as the lessons write it: accents decoded, braces dropped."""
    author = author.strip()
    if not (author.startswith("{") and author.endswith("}")):  # {Frictionless Data}: whole
        author = author.split(",")[0] if "," in author else author.rsplit(" ", 1)[-1]
    text = re.sub(r"\\([\"'`^~]|c\s)\s*\{?(\w)\}?", lambda m: m[2] + ACCENTS[m[1].strip()], author)
    return unicodedata.normalize("NFC", re.sub(r"[{}]", "", text)).strip()


def bib_works(text: str) -> list[Work]:
    """The entries of a BibTeX file that have authors and a year."""
    starts = [m for m in ENTRY.finditer(text) if m[1].lower() not in ("comment", "string")]
    works = []
    for match, following in zip(starts, [*starts[1:], None], strict=False):
        body = text[match.end() : following.start() if following else len(text)]
        authors = re.split(r"\s+and\s+(?![^{]*\})", _bib_field(body, "author"))
        year = _bib_field(body, "year").strip()
        if authors != [""] and re.fullmatch(r"\d{4}", year):
            works.append(Work(match[2], tuple(_surname(a) for a in authors), year))
    return works


def cited_work(names: str, year: str, suffix: str, works: list[Work]) -> Work | None:
    """The one work this author-year citation means, or None (unknown or ambiguous).

    "et al." needs three or more authors; a list of names must be the work's whole
    author list; a year suffix (2013a) must match the key's (brodie2013a).  When two
    works still fit (same authors and year, no suffix), None: the text stays plain.
    """
    if names.endswith(" et al."):
        first = names.removesuffix(" et al.")
        fits = [w for w in works if w.surnames[0] == first and len(w.surnames) >= 3]
    else:
        listed = tuple(re.split(r",? (?:&|and) |, ", names))
        fits = [w for w in works if w.surnames == listed]
    fits = [w for w in fits if w.year == year]
    if suffix:
        fits = [w for w in fits if w.key.endswith(year + suffix)]
    return fits[0] if len(fits) == 1 else None


def link_citations(text: str, works: list[Work]) -> str:
    """Markdown whose citations of ``works`` are ``{bibref}`` roles (site/_ext) to their entry.

    The words stay as written; code, links, math and headings are left alone.
    """

    def link(match: re.Match) -> str:
        year, suffix = match["year"] or match["pyear"], match["suffix"] or match["psuffix"]
        names = unicodedata.normalize("NFC", re.sub(r"\s+", " ", match["names"]))
        work = cited_work(names, year, suffix, works)
        words = re.sub(r"\s+", " ", match[0])  # one line: the role must not wrap
        return f"{{bibref}}`{words} <{work.key}>`" if work else match[0]

    out, last = [], 0
    for protected in PROTECTED.finditer(text):
        out += [CITATION.sub(link, text[last : protected.start()]), protected[0]]
        last = protected.end()
    return "".join([*out, CITATION.sub(link, text[last:])])
