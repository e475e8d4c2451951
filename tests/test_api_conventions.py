"""The student package's API follows the conventions of pingouin and seaborn (issue 22).

* a public function that takes a table takes it as its first parameter, ``data``;
* after ``data`` only column names may be positional (``row``, ``col``, ``x``, ...);
  every option is keyword-only;
* results are columns or return values, never ``DataFrame.attrs`` (which pandas does
  not carry through most operations and a reader never sees in the printed table);
* every public function of the statistics, engagement, plotting, market and data
  modules has a numpy-style "See Also" section whose names exist, and every
  "References" entry names an author and a year.

The checks read the source (``ast``), so a function added later is checked too.
``b2bsm.exercises`` is left out: it is the exercise runtime (grading internals whose
arguments are a student's answer and a target, not a table to analyse), and so are
private modules and functions (a leading underscore).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "b2bsm"
#: Parameters that name columns of ``data`` and may stay positional (pingouin style).
COLUMN_PARAMETERS = {"row", "col", "x", "y", "columns", "pairs", "outcome"}
#: First-parameter names that mean "a table" when no annotation says so.
TABLE_NAMES = {"df", "data", "table", "frame", "journeys", "accounts", "report", "posts", "survey"}
#: Where every public function documents its relatives (and its sources, if any).
DOCUMENTED = (
    "b2bsm/stats/",
    "b2bsm/engagement/",
    "b2bsm/plots.py",
    "b2bsm/figure_checks.py",
    "b2bsm/market.py",
    "b2bsm/data/",
)


def _exported(package_init: Path) -> set[str]:
    """The names a package's ``__init__`` lists in ``__all__`` (string entries)."""
    if not package_init.is_file():
        return set()
    for node in ast.parse(package_init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {
                e.value
                for e in getattr(node.value, "elts", [])
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return set()


def _public_modules() -> list[tuple[Path, set[str] | None]]:
    """Modules to check, each with the names to check (None: every public function).

    A private module (``b2bsm/data/_package.py``) counts for the functions its
    package exports in ``__all__`` (``b2bsm.data.apply_schema``).
    """
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("b2bsm/exercises/"):
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        private = [p for p in parts if p.startswith("_") and p != "__init__"]
        if not private:
            found.append((path, None))
        elif private == [parts[-1]]:
            found.append((path, _exported(path.parent / "__init__.py")))
    return found


def _public_functions(path: Path, names: set[str] | None) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and (names is None or node.name in names)
    ]


FUNCTIONS = [
    (path.relative_to(ROOT).as_posix(), node)
    for path, names in _public_modules()
    for node in _public_functions(path, names)
]
IDS = [f"{rel}:{node.name}" for rel, node in FUNCTIONS]


def _annotation(arg: ast.arg) -> str:
    return ast.unparse(arg.annotation) if arg.annotation is not None else ""


def takes_a_table(node: ast.FunctionDef) -> bool:
    """A parameter annotated as a DataFrame, or a first parameter named like a table."""
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    if any("DataFrame" in _annotation(a) for a in args):
        return True
    positional = node.args.posonlyargs + node.args.args
    return bool(positional) and positional[0].arg in TABLE_NAMES


def convention_problems(node: ast.FunctionDef) -> list[str]:
    """What breaks the table convention in one function's signature (empty: nothing)."""
    if not takes_a_table(node):
        return []
    positional = node.args.posonlyargs + node.args.args
    if not positional or positional[0].arg != "data":
        first = positional[0].arg if positional else "(none)"
        return [f"{node.name}: the table must be the first parameter, `data` (got {first!r})"]
    problems = []
    if "DataFrame" not in _annotation(positional[0]):
        problems.append(f"{node.name}: annotate `data: pd.DataFrame`")
    for arg in positional[1:]:
        if arg.arg not in COLUMN_PARAMETERS:
            problems.append(
                f"{node.name}: option {arg.arg!r} must be keyword-only (put it after `*`)"
            )
    for arg in node.args.kwonlyargs:
        if "DataFrame" in _annotation(arg):
            problems.append(f"{node.name}: a second table {arg.arg!r} (only `data` is a table)")
    return problems


def attrs_stores(tree: ast.AST) -> list[int]:
    """Line numbers where code writes ``x.attrs`` (``x.attrs[k] = v``, ``x.attrs = d``,
    ``x.attrs.update(...)`` / ``.setdefault``)."""
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Attribute) and target.attr == "attrs":
                lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "setdefault")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "attrs"
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _section(doc: str, title: str) -> str | None:
    """The body of a numpy docstring section, or None when there is none."""
    match = re.search(rf"^\s*{title}\n\s*-{{3,}}\n(.*?)(?=^\s*\w[\w ]*\n\s*-{{3,}}\n|\Z)", doc,
                      re.DOTALL | re.MULTILINE)  # fmt: skip
    return None if match is None else match.group(1)


def see_also_names(doc: str) -> list[str]:
    """The names a "See Also" section lists (``name : text`` or ``a, b : text`` lines)."""
    body = _section(doc, "See Also") or ""
    names = []
    for line in body.splitlines():
        if not line.strip() or line[0].isspace():
            continue  # blank, or a continuation of the description
        head = line.split(" : ")[0].strip()
        names += [n.strip() for n in head.split(",") if n.strip()]
    return names


def _resolves(name: str, module) -> bool:
    """A See Also name is a function or object of the module, its package, or dotted."""
    if "." in name:
        mod_name, _, attr = name.rpartition(".")
        try:
            return hasattr(importlib.import_module(mod_name), attr)
        except ImportError:
            return False
    package = importlib.import_module(module.__name__.rpartition(".")[0] or module.__name__)
    return hasattr(module, name) or hasattr(package, name)


# --------------------------------------------------------------------------- the checks
def test_the_scan_finds_the_table_functions():
    """Not vacuous: the helpers the lessons call most are among the functions checked."""
    tables = {node.name for _, node in FUNCTIONS if takes_a_table(node)}
    expected = {"crosstab", "kendall_table", "proportions", "fit_engagement", "interval_plot"}
    expected |= {"apply_schema"}  # re-exported by b2bsm.data from a private module
    assert expected <= tables
    assert len(tables) >= 20


@pytest.mark.parametrize(("rel", "node"), FUNCTIONS, ids=IDS)
def test_tables_come_first_as_data_and_options_are_keyword_only(rel, node):
    assert convention_problems(node) == [], rel


def test_no_function_of_the_package_sets_attrs():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = attrs_stores(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[path.relative_to(ROOT).as_posix()] = lines
    assert found == {}, "return a column or a value instead of DataFrame.attrs"


DOCUMENTED_FUNCTIONS = [(rel, node) for rel, node in FUNCTIONS if rel.startswith(DOCUMENTED)]


@pytest.mark.parametrize(
    ("rel", "node"), DOCUMENTED_FUNCTIONS, ids=[f"{r}:{n.name}" for r, n in DOCUMENTED_FUNCTIONS]
)
def test_every_public_function_has_see_also_and_its_names_exist(rel, node):
    module = importlib.import_module(
        rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    )
    doc = inspect.getdoc(getattr(module, node.name)) or ""
    names = see_also_names(doc)
    assert names, f"{rel}:{node.name} has no 'See Also' section"
    missing = [n for n in names if not _resolves(n, module)]
    assert missing == [], f"{rel}:{node.name}: See Also names nothing called {missing}"
    references = _section(doc, "References")
    if references is not None:
        for entry in re.split(r"\n(?=\S)", references.strip()):
            assert re.match(r"[A-Z][\w'-]+.*\(\d{4}\)", entry), f"{node.name}: {entry!r}"


# --------------------------------------------------------------------------- the checks can fail
def _function(source: str) -> ast.FunctionDef:
    return ast.parse(source).body[0]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(df: pd.DataFrame, row: str): ...", ["`data`"]),
        ("def f(data: pd.DataFrame, row, method='x'): ...", ["'method' must be keyword-only"]),
        ("def f(data, row): ...", ["annotate"]),
        ("def f(table, *, y): ...", ["`data`"]),
        ("def f(data: pd.DataFrame, row, col, *, observed=False): ...", []),
        ("def f(n_buyers: int = 5): ...", []),
    ],
)
def test_the_signature_check_can_fail(source, expected):
    problems = convention_problems(_function(source))
    assert len(problems) == len(expected)
    for problem, words in zip(problems, expected, strict=True):
        assert words in problem


def test_the_attrs_check_can_fail():
    source = "def f(t):\n    t.attrs['n'] = 1\n    t.attrs.update(a=2)\n    t.attrs = {}\n"
    assert attrs_stores(ast.parse(source)) == [2, 3, 4]
    assert attrs_stores(ast.parse("def f(t):\n    return t.attrs.get('n')\n")) == []


def test_the_see_also_reader_can_fail():
    doc = "Summary.\n\nSee Also\n--------\na, b : two things.\n    more text\nc : one.\n"
    assert see_also_names(doc) == ["a", "b", "c"]
    assert see_also_names("Summary.\n\nReturns\n-------\nint\n") == []
