"""A student release checks answers but yields no answer key by any route.

The release is built once (with a small roster) into a temporary folder.  The
probes run in a child process started with ``python -I`` and the release first
on ``sys.path``, so the instructor's copy of the kit cannot be imported there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from b2bsm import links
from b2bsm._paths import REPO_ROOT
from b2bsm.exercises.session import Exercises, FullKey, known_sets
from b2bsm_teach.exercises.build import masters, question_drift, question_markdown
from b2bsm_teach.exercises.release import KEYS, ReleaseReport, release

ROSTER = ["s3000001", " S3000002"]
REPO = "acme/b2b-course"
SETS = [s for s, source in known_sets().items() if source == "full"]
LETTER = re.compile(r"^[a-h]$")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("release")
    roster = base / "roster.csv"
    roster.write_text(
        "student_id,name\n" + "".join(f"{s},N{i}\n" for i, s in enumerate(ROSTER)),
        encoding="utf-8",
    )
    out = base / "out"
    report = ReleaseReport(out)
    report.started = time.time()
    release(out, roster=roster, repo=REPO, report=report)
    return out, report


# --------------------------------------------------------------------------
# What the instructor's full key says (computed here, outside the release)
# --------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, pd.DataFrame):
        return {"table": json.loads(value.to_json(orient="split", index=False))}
    return {"number": float(value)}


@pytest.fixture(scope="module")
def cases():
    """Answers (reference, each mistake, a wrong letter) and the full key's verdict on each."""
    found = []
    for set_id in SETS:
        for sid in [None, *ROSTER]:
            ex = Exercises(set_id, sid)
            key: FullKey = ex._key
            for q in ex.questions.values():
                if q.kind in ("number", "table"):
                    reference, mistakes = key._values(q.id)
                    for label, value in [("reference", reference), *enumerate(mistakes)]:
                        if value is None:
                            continue
                        verdict = ex.evaluate(q.id, value)
                        if label == "reference":
                            assert verdict.status == "correct", (set_id, sid, q.id, verdict)
                        found.append(
                            {
                                "set": set_id,
                                "student": sid,
                                "question": q.id,
                                "label": str(label),
                                "answer": _plain(value),
                                "status": verdict.status,
                                "feedback": verdict.feedback,
                            }
                        )
                elif q.kind == "choice":
                    wrong = next(letter for letter in q.choices if letter != q.correct)
                    for pick in (q.correct, wrong):
                        verdict = Exercises(set_id, sid).evaluate(q.id, pick)
                        found.append(
                            {
                                "set": set_id,
                                "student": sid,
                                "question": q.id,
                                "label": pick,
                                "answer": {"choice": pick},
                                "status": verdict.status,
                                "feedback": verdict.feedback,
                            }
                        )
    return found


def _secrets(cases):
    """Per-student answers that differ from the public (shipped-data) one, and correct letters."""
    shipped = {
        (c["set"], c["question"]): c["answer"]
        for c in cases
        if c["student"] is None and c["label"] == "reference"
    }
    numbers, letters = [], set()
    for c in cases:
        personal = c["label"] == "reference" and c["student"] is not None
        if personal and "number" in c["answer"] and c["answer"] != shipped[c["set"], c["question"]]:
            numbers.append(c)
        if "choice" in c["answer"] and c["status"] == "correct":
            letters.add((c["set"], c["question"], c["label"]))
    return numbers, letters


# --------------------------------------------------------------------------
# Contents and README
# --------------------------------------------------------------------------
def test_release_holds_no_key_solutions_tests_or_instructor_files(built):
    out, report = built
    rel = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    for forbidden in ("solutions", "tests", "docs/instructors.md", "CONTRIBUTING.md", "benchmarks"):
        assert not any(r == forbidden or r.startswith(forbidden + "/") for r in rel), forbidden
    assert not any(r.startswith("b2bsm_teach") for r in rel), "the instructor package shipped"
    assert {f"{KEYS.as_posix()}/{s}.json" for s in SETS} <= rel
    assert report.sets == SETS and report.students == len(ROSTER)
    assert "hashed keys" in report.summary() and str(len(ROSTER)) in report.summary()


def _retargeted_copy(rel: str, kit: bytes, shipped: bytes) -> bool:
    """True when ``shipped`` is ``kit`` pointed at the release's repository, and nothing else."""
    from b2bsm_teach.exercises.release import student_pyproject
    from b2bsm_teach.links import _settings_text, set_colab_cell

    if rel == "pyproject.toml":
        return student_pyproject(kit.decode()) == shipped.decode()
    if rel == "b2bsm/links.py":
        back = _settings_text(shipped.decode(), links.REPOSITORY, links.BRANCH, links.HUB_URL)
        return back == kit.decode()
    if rel.endswith(".ipynb"):
        nb = json.loads(shipped)
        set_colab_cell(nb, links.REPOSITORY, links.BRANCH)  # back to the kit's own repository
        return nb == json.loads(kit)
    return False


def test_every_release_file_is_a_kit_copy_or_generated(built):
    """Copied files cannot carry the key; only the README and the hashed keys are new.

    The notebooks and ``b2bsm/links.py`` differ from the kit's only in the
    repository they name (the release's own).  (A kit file edited after the
    release was made cannot be compared; it is skipped.)
    """
    out, report = built
    generated = []
    for path in out.rglob("*"):
        if path.is_file():
            rel = path.relative_to(out)
            source = REPO_ROOT / rel
            if source.is_file() and source.stat().st_mtime > report.started:
                continue
            if not source.is_file():
                generated.append(rel.as_posix())
                continue
            kit, shipped = source.read_bytes(), path.read_bytes()
            if kit != shipped and not _retargeted_copy(rel.as_posix(), kit, shipped):
                generated.append(rel.as_posix())
    expected = {"README.md", *(f"{KEYS.as_posix()}/{s}.json" for s in SETS)}
    assert set(generated) == expected


def _package_files(root):
    skip = {"__pycache__", ".ipynb_checkpoints", "_keys"}
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not skip & set(p.relative_to(root).parts) and p.suffix != ".pyc"
    }


def test_a_release_ships_the_student_package_whole(built):
    """``b2bsm/`` of a release is the kit's ``b2bsm/``, file for file; no file is left out.

    (Only ``links.py`` names the release's own repository, and the hashed keys are added.)
    """
    out, report = built
    kit, shipped = _package_files(REPO_ROOT / "b2bsm"), _package_files(out / "b2bsm")
    assert shipped == kit
    for rel in sorted(kit):
        source, copy = REPO_ROOT / "b2bsm" / rel, out / "b2bsm" / rel
        if source.stat().st_mtime > report.started:
            continue  # edited after the release was made
        same = source.read_bytes() == copy.read_bytes()
        assert same or _retargeted_copy(f"b2bsm/{rel}", source.read_bytes(), copy.read_bytes()), rel
    text = (out / "pyproject.toml").read_text(encoding="utf-8")
    assert "b2bsm_teach" not in text.replace("python -m b2bsm_teach", "")
    assert 'packages = ["b2bsm"]' in text


def test_release_readme_links_only_what_the_release_holds(built):
    out, _ = built
    text = (out / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert targets
    for target in targets:
        if target.startswith("http"):
            assert REPO in target, f"a link that is not a launch link of the release: {target}"
        else:
            assert (out / target).exists(), f"README links to {target}, which the release lacks"
    for name in ("CONTRIBUTING", "benchmarks", "solutions/", "instructors.md", "tests/"):
        assert name not in text
    lesson = "notebooks/02_survey_data.ipynb"
    if (out / lesson).is_file():
        assert links.binder_url(lesson, repo=REPO) in text
        assert links.colab_url(lesson, repo=REPO) in text
    assert "make lab" in text and "pip install '.[lab]'" in text and 'STUDENT_ID = ""' in text


def test_the_release_opens_on_colab_from_its_own_repository(built):
    from b2bsm_teach.links import colab_paths, read_notebook

    out, _ = built
    notebooks = colab_paths(out)
    assert {p.parent.name for p in notebooks} == {"notebooks", "exercises"}
    wanted = links.colab_setup_source(repo=REPO)
    for path in notebooks:
        code = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
        assert "".join(code[0]["source"]) == wanted, path.name
    text = "\n".join(p.read_text(encoding="utf-8") for p in notebooks)
    assert links.archive_url() not in text, "a release must not install the instructor's kit"
    settings = (out / "b2bsm" / "links.py").read_text(encoding="utf-8")
    assert f'REPOSITORY = "{REPO}"' in settings


def test_release_refuses_its_own_kit_and_a_bad_repository(tmp_path):
    with pytest.raises(ValueError, match="kit itself"):
        release(REPO_ROOT / "exercises")
    with pytest.raises(ValueError, match="OWNER/NAME"):
        release(tmp_path / "r", repo="not a repo")


# --------------------------------------------------------------------------
# Greps over the files
# --------------------------------------------------------------------------
def test_no_file_of_the_release_holds_a_per_student_answer_or_letter(built, cases):
    out, _ = built
    numbers, letters = _secrets(cases)
    generated = [out / "README.md", *sorted((out / KEYS).glob("*.json"))]
    texts = {p: p.read_text(encoding="utf-8") for p in generated}
    for case in numbers:
        q = Exercises(case["set"], case["student"]).questions[case["question"]]
        for text in q.precision.accepted(case["answer"]["number"]):
            if sum(ch.isdigit() for ch in text) < 3:
                continue  # too short to tell from chance
            pattern = re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w])")
            for path, body in texts.items():
                assert not pattern.search(body), (case["set"], case["question"], text, path.name)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".ipynb", ".py", ".md", ".csv", ".txt"):
            body = path.read_text(encoding="utf-8", errors="replace")
            assert not re.search(r'"correct"\s*:\s*"[a-h]"', body), path
            if path.suffix == ".ipynb":
                assert not re.search(r'answer_q\d+ = \\?"[a-h]\\?"', body), path
    for set_id, qid, letter in letters:
        key = json.loads((out / KEYS / f"{set_id}.json").read_text(encoding="utf-8"))
        item = next(q for q in key["questions"] if q["id"] == qid)
        assert item["correct"] != letter and len(item["correct"]) > 8
        assert "rubric" not in item and "expected" not in item


# --------------------------------------------------------------------------
# Probes inside the release (child process, -I)
# --------------------------------------------------------------------------
PROBE = textwrap.dedent(
    r"""
    import importlib, io, json, math, os, pkgutil, re, sys, contextlib
    release, cases_file, out_file, kit = sys.argv[1:5]
    # as where the release is installed alone: the kit's checkout (and b2bsm_teach) not in reach
    sys.path[:] = [release, *(p for p in sys.path if os.path.realpath(p or ".") != kit)]
    import b2bsm
    assert b2bsm.__file__.startswith(release), b2bsm.__file__
    import pandas as pd
    report = {"import_errors": {}, "key_modules": [], "names": [], "numbers": [], "strings": []}
    for info in pkgutil.walk_packages(b2bsm.__path__, "b2bsm."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            report["import_errors"][info.name] = f"{type(exc).__name__}: {exc}"[:300]
    try:
        importlib.import_module("b2bsm_teach")
        report["key_modules"].append("b2bsm_teach")
    except ModuleNotFoundError:
        pass
    for set_id in ("01", "02", "03", "04", "05", "06", "07", "08", "09"):
        try:
            importlib.import_module(f"b2bsm_teach.exercises.sets.lesson{set_id}")
            report["key_modules"].append(set_id)
        except ModuleNotFoundError:
            pass
    for name in ("b2bsm_teach.exercises.sets._common", "b2bsm_teach.exercises.sets._survey"):
        try:
            importlib.import_module(name)
            report["key_modules"].append(name)
        except ModuleNotFoundError:
            pass

    SUSPECT = {"expected", "correct", "explanations", "rubric", "reference", "solution",
               "alternatives"}
    seen = set()

    def walk(obj, path, depth):
        if id(obj) in seen or depth > 7:
            return
        seen.add(id(obj))
        if isinstance(obj, bool) or obj is None:
            return
        if isinstance(obj, (int, float)):
            report["numbers"].append(float(obj))
            return
        if isinstance(obj, str):
            if len(obj) < 400:
                report["strings"].append(obj)
            return
        if isinstance(obj, (pd.DataFrame, pd.Series, type(sys), type)):
            return
        if type(obj).__name__ == "Question":
            report["names"].append([path, "a Question object"])
        items = []
        if isinstance(obj, dict):
            items = [(str(k), v) for k, v in obj.items()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            items = [(str(i), v) for i, v in enumerate(obj)]
        elif hasattr(obj, "__closure__"):  # a function: its defaults and closure
            cells = [c.cell_contents for c in (obj.__closure__ or ()) if c.cell_contents is not c]
            items = [("defaults", obj.__defaults__), ("closure", cells)]
        else:
            module = type(obj).__module__ or ""
            if not module.startswith("b2bsm"):
                return
            attrs = dict(getattr(obj, "__dict__", {}))
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    attrs[slot] = getattr(obj, slot)
            items = list(attrs.items())
        for key, value in items:
            if key in SUSPECT and isinstance(value, str) and re.fullmatch("[a-h]", value):
                report["names"].append([f"{path}.{key}", "a letter"])
            if key in SUSPECT and callable(value):
                report["names"].append([f"{path}.{key}", "a function"])
            walk(value, f"{path}.{key}", depth + 1)

    from b2bsm.exercises import start
    cases = json.loads(open(cases_file).read())
    verdicts = []
    sessions = {}
    for case in cases:
        k = (case["set"], case["student"])
        if k not in sessions:
            sessions[k] = start(case["set"], case["student"], quiet=True)
        ex = sessions[k]
        answer = case["answer"]
        if "table" in answer:
            spec = answer["table"]
            value = pd.DataFrame(spec["data"], columns=spec["columns"])
        elif "number" in answer:
            value = answer["number"]
        else:
            value = answer["choice"]
        v = ex.evaluate(case["question"], value)
        verdicts.append([v.status, v.feedback, v.student])
        with contextlib.redirect_stdout(io.StringIO()):
            ex.question(case["question"])
    report["verdicts"] = verdicts
    report["sources"] = sorted({ex.source for ex in sessions.values()})
    for (set_id, sid), ex in sessions.items():
        walk(ex, f"ex[{set_id},{sid}]", 0)
    report["session_numbers"], report["numbers"] = report["numbers"], []
    for name, module in list(sys.modules.items()):
        # b2bsm.practice: the lessons' ungraded practice questions, public by design (they are
        # computed on the shipped data, the same for everyone, and worked out in the lessons)
        if name.startswith("b2bsm") and not name.startswith("b2bsm.practice"):
            walk(vars(module), name, 0)
    try:
        start("02", "s9999999", quiet=True).check("q1", 1.0)
    except Exception as exc:
        report["unknown_id"] = f"raised {exc}"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        start("02", "")
        start("02", "s9999999")
    report["notices"] = buf.getvalue()
    open(out_file, "w").write(json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def probe(built, cases, tmp_path_factory):
    out, _ = built
    work = tmp_path_factory.mktemp("probe")
    (work / "probe.py").write_text(PROBE, encoding="utf-8")
    (work / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    result = work / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            str(work / "probe.py"),
            str(out),
            str(work / "cases.json"),
            str(result),
            str(REPO_ROOT.resolve()),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(result.read_text(encoding="utf-8"))


def test_every_module_of_the_release_imports_and_none_holds_the_key(probe):
    assert probe["import_errors"] == {}
    assert probe["key_modules"] == []
    assert probe["names"] == []
    assert probe["sources"] == ["hashed"]


def test_no_object_in_the_release_holds_a_per_student_answer(probe, cases):
    """No per-student answer as text anywhere, nor as a number in the session objects.

    (Numbers in module globals are not compared: the modules are verbatim copies
    of the kit's, which cannot depend on the roster, and their constants, such as
    a published count, coincide with some answers by chance.)
    """
    numbers, _ = _secrets(cases)
    strings = set(probe["strings"])
    reachable = probe["session_numbers"]
    for case in numbers:
        q = Exercises(case["set"], case["student"]).questions[case["question"]]
        target = case["answer"]["number"]
        accepted = [t for t in q.precision.accepted(target) if sum(ch.isdigit() for ch in t) >= 3]
        if not accepted:
            continue
        assert not (set(accepted) & strings), (case["set"], case["question"], accepted)
        hits = [x for x in reachable if q.precision.matches(x, target)]
        assert hits == [], (case["set"], case["question"], case["student"], hits[:3])


def test_the_release_checks_like_the_full_key(probe, cases):
    """The reference is correct, each mistake gets its own message, choices are judged."""
    assert len(probe["verdicts"]) == len(cases)
    for case, (status, feedback, student) in zip(cases, probe["verdicts"], strict=True):
        where = (case["set"], case["student"], case["question"], case["label"])
        assert status == case["status"], where
        assert feedback == case["feedback"], where
        expected_id = None if case["student"] is None else case["student"].strip().lower()
        assert student == expected_id, where
    statuses = {
        (c["label"] == "reference", s[0]) for c, s in zip(cases, probe["verdicts"], strict=True)
    }
    assert (True, "correct") in statuses and (False, "wrong") in statuses


def test_the_release_says_loudly_when_the_id_is_missing_or_unknown(probe):
    notices = probe["notices"]
    assert "NO STUDENT ID" in notices and 'STUDENT_ID = "s1234567"' in notices
    assert "not in the answer key of this release" in notices
    assert "unknown_id" not in probe, probe.get("unknown_id")


# --------------------------------------------------------------------------
# One source for each question's words
# --------------------------------------------------------------------------
@pytest.mark.parametrize("path", masters(), ids=lambda p: p.name)
def test_master_and_exercise_words_come_from_the_set_module(path):
    assert question_drift(path) == [], (
        f"{path.name}: question cells differ from the set module; run "
        "`python -m b2bsm_teach.exercises build`"
    )
    exercise = REPO_ROOT / "exercises" / path.name
    assert question_drift(exercise) == []


def test_question_markdown_names_points_precision_and_options():
    ex = Exercises(SETS[0])
    for q in ex.questions.values():
        text = question_markdown(q)
        assert text.startswith(f"## {q.id} · {q.points} point")
        if q.precision is not None:
            assert q.precision.describe() in text
        if q.kind == "choice":
            assert all(f"- {k}) {v}" in text for k, v in q.choices.items())


def test_build_check_prints_a_one_line_summary(capsys):
    from b2bsm_teach.exercises.__main__ import main

    code = main(["build", "--check"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(f"checked {len(masters())} exercise notebooks in exercises/")
    assert code == (0 if last.endswith(": 0 out of date") else 1)
