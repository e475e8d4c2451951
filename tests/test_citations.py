"""One citation per source: the same work is never cited two ways anywhere in the kit.

A reference such as "Gu, W., Chan, K. W., ... (2023). Informational vs. emotional ..." is
found in the README, the data codebooks and package, the lessons, exercises and masters, the
docs and site pages, the package's docstrings and ``references.bib`` (whose ``author`` field
is turned into the same "Surname, I." form).  References with the same first author and year
are the same work unless their titles differ; for each such work every file must give the
same initials of the first two authors and the same first words of the title.  Issue 27
found Gu et al. (2023) cited with two incompatible author lists and titles.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: An APA-style author list (Surname, I. I., ... & Surname, I.) followed by (year).
AUTHOR = r"[A-Z][\w'’-]+(?: [a-z]{2,3})?(?: [A-Z][\w'’-]+)*, (?:[A-Z]\.(?:\s?-?[A-Z]\.)*)"
REFERENCE = re.compile(
    rf"(?P<authors>{AUTHOR}(?:,? (?:& )?{AUTHOR})*),? \((?P<year>\d{{4}})[a-z]?\)\.\s*"
    r"(?P<title>[^.?*]*)"
)


def _plain(text: str) -> str:
    """Accents dropped (Kärkkäinen and Karkkainen are one name)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _words(title: str, n: int = 4) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.lower())[:n])


def _initials(given: str) -> str:
    parts = re.findall(r"[A-Za-z]+", given)
    return " ".join(f"{p[0].upper()}." for p in parts)


def _authors_key(authors: str) -> tuple[str, ...]:
    """Surname and initials of the first two authors, spacing normalised."""
    found = re.findall(AUTHOR, authors)
    return tuple(re.sub(r"\s+", "", a) for a in found[:2])


def _texts() -> dict[str, str]:
    """Every file the test reads, as one line of text each (notebooks: their cells)."""
    texts = {}
    paths = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "data" / "datapackage.json"]
    for folder, pattern in [
        ("data", "*.md"),
        ("docs", "*.md"),
        ("site", "*.md"),
        ("notebooks", "*.ipynb"),
        ("solutions", "*.ipynb"),
        ("exercises", "*.ipynb"),
        ("b2bsm", "**/*.py"),
    ]:
        paths += sorted((ROOT / folder).glob(pattern))
    for path in paths:
        if not path.is_file():
            continue
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            raw = "\n".join("".join(c["source"]) for c in json.loads(raw)["cells"])
        elif path.suffix == ".json":
            raw = json.dumps(json.loads(raw), ensure_ascii=False).replace('\\"', '"')
        elif path.suffix == ".py":
            raw = re.sub(r"\"\s*\n\s*(?:f?)\"", "", raw)  # join implicitly concatenated strings
        texts[str(path.relative_to(ROOT))] = _plain(re.sub(r"\s+", " ", raw))
    return texts


def _bib() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(key, year, authors key, title words) of every references.bib entry."""
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    text = re.sub(r'\{\\["`\'^~]?(\w)\}', r"\1", text)  # {\"a} -> a
    entries = []
    for m in re.finditer(r"@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)\n\}", text, re.DOTALL):
        body = re.sub(r"\s+", " ", m["body"])
        author = re.search(r"author\s*=\s*\{(.*?)\},", body)
        year = re.search(r"year\s*=\s*\{(\d{4})\}", body)
        title = re.search(r"title\s*=\s*\{(.*?)\},", body)
        if not (author and year and title):
            continue
        people = []
        for person in author[1].split(" and ")[:2]:
            surname, _, given = person.partition(",")
            people.append(f"{surname.strip()},{_initials(given)}".replace(" ", ""))
        entries.append((m["key"], year[1], tuple(people), _words(title[1].replace("{", ""))))
    return entries


def citation_forms(texts: dict[str, str], bib) -> dict[tuple[str, str], dict[tuple, set[str]]]:
    """(first author, year) -> {(authors key, title words): files citing it that way}."""
    forms: dict[tuple[str, str], dict[tuple, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, text in texts.items():
        for m in REFERENCE.finditer(text):
            authors = _authors_key(m["authors"])
            if not authors:
                continue
            surname = authors[0].split(",")[0]
            forms[(surname, m["year"])][(authors, _words(m["title"]))].add(name)
    for key, year, authors, title in bib:
        forms[(authors[0].split(",")[0], year)][(authors, title)].add(f"references.bib:{key}")
    return forms


def _same_work(t1: str, t2: str) -> bool:
    """Same first author and year, and the titles start alike (or one is not given)."""
    return not t1 or not t2 or t1.split()[0] == t2.split()[0]


def _consistent(t1: str, t2: str) -> bool:
    """One title's first words are the start of the other's (one may stop at a full stop)."""
    w1, w2 = t1.split(), t2.split()
    shorter = min(len(w1), len(w2))
    return w1[:shorter] == w2[:shorter]


def conflicts(forms) -> list[str]:
    """Works cited two ways: same first author surname and year, and either other initials
    for that first author (two people of one surname publishing in one year would be listed
    here as an exception; the kit has none), or titles that start alike with another second
    author or a title that goes on differently."""
    found = []
    for (surname, year), variants in forms.items():
        keys = list(variants)
        for i, (a1, t1) in enumerate(keys):
            for a2, t2 in keys[i + 1 :]:
                other_person = a1[0] != a2[0]
                if other_person or (_same_work(t1, t2) and (a1 != a2 or not _consistent(t1, t2))):
                    found.append(
                        f"{surname} ({year}) cited two ways: {a1} '{t1}' in "
                        f"{sorted(variants[(a1, t1)])} vs {a2} '{t2}' in "
                        f"{sorted(variants[(a2, t2)])}"
                    )
    return found


def test_no_work_is_cited_two_ways():
    assert conflicts(citation_forms(_texts(), _bib())) == []


def test_gu_2023_is_found_in_the_kit_and_in_the_bib():
    """The check is not vacuous: Gu et al. (2023) is cited in several files and the bib."""
    variants = citation_forms(_texts(), _bib())[("Gu", "2023")]
    files = set().union(*variants.values())
    assert "references.bib:gu2023" in files and len(files) >= 4
    assert {a for a, _ in variants} == {("Gu,W.", "Chan,K.W.")}


@pytest.mark.parametrize(
    ("text", "n_conflicts"),
    [
        # the slip of issue 27: two author lists and two titles for one work
        (
            "- Gu, W., Chan, K. W., & Kwon, J. (2023). Informational vs. emotional B2B content. "
            "- Gu, J., Chan, E. Y., & Kwon, J. (2023). Informational and emotional cues in B2B.",
            1,
        ),
        # a source list that gives other initials and no title (as data/datapackage.json did)
        (
            "- Gu, W., Chan, K. W. (2023). Informational vs. emotional. "
            '{"title": "Gu, J., Chan, E. Y. (2023). *Industrial Marketing Management*"}',
            1,
        ),
        # the same work cited the same way twice, and two different works of one author-year
        (
            "- Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
            "- Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
            "- Holm, S. (1979). Another paper altogether, same year.",
            0,
        ),
    ],
)
def test_the_check_can_fail(text, n_conflicts):
    assert len(conflicts(citation_forms({"x.md": text}, []))) == n_conflicts
