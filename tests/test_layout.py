"""The package layout holds: two import packages cut along who runs the code, no cycles.

``b2bsm`` is what a lesson or a student's kernel imports; ``b2bsm_teach`` is the
instructor's pipeline (answer keys, build, release, grader).  The import graph
is built from the source (every ``import`` statement, wherever it stands, and
every string in the code that names a kit module, e.g. a table of modules to
``importlib.import_module``), and must have

* no arrow from ``b2bsm`` to ``b2bsm_teach``;
* no cycle, between modules or between the subpackages of ``b2bsm``;
* no string edge and no computed import inside ``b2bsm``: every dependency of
  the student's package is an ``import`` statement a reader can follow.

``python tests/test_layout.py`` prints the layers, cycles and string edges.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("b2bsm", "b2bsm_teach")
#: About 500 lines is the most a module may have (CONTRIBUTING.md).
MAX_LINES = 500
#: Modules allowed over the limit, each held at its present length so that it cannot grow.
#: None today: the grader, its sandbox, the LMS exports and set 05 were split by job.
OVER_THE_LIMIT: dict[str, int] = {}
IMPORT_CALLS = {"import_module", "__import__", "find_spec"}


def modules() -> dict[str, Path]:
    """Dotted module name -> source file, for both packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest kit module that ``name`` (a module or module.attribute) lies in."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def edges(known: dict[str, Path] | None = None):
    """``(imports, strings, computed)``: module -> set of modules; module -> list of calls.

    ``imports`` are import statements; ``strings`` are string constants (not
    docstrings) that name a kit module or an attribute of one; ``computed``
    lists the import calls (``importlib.import_module``, ``__import__``,
    ``find_spec``) whose argument is not a literal.
    """
    known = known or modules()
    imports: dict[str, set[str]] = defaultdict(set)
    strings: dict[str, set[str]] = defaultdict(set)
    computed: dict[str, list[str]] = defaultdict(list)
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                plain = text.replace(".", "").replace("_", "").isalnum()
                if id(node) not in skip and "." in text and plain:
                    target = _resolve(text, known)
                    # "b2bsm.answer_keys" (an entry point group) names no module of the kit
                    if target is not None and target != name and "." in target:
                        strings[name].add(target)
            elif isinstance(node, ast.Call):
                func = node.func
                called = getattr(func, "attr", None) or getattr(func, "id", None)
                literal = node.args and isinstance(node.args[0], ast.Constant)
                if called in IMPORT_CALLS and node.args and not literal:
                    computed[name].append(f"line {node.lineno}: {called}(...)")
            for target in targets:
                found = _resolve(target, known)
                if found is not None and found != name:
                    imports[name].add(found)
    return imports, strings, computed


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = set(graph) | {t for targets in graph.values() for t in targets}

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def _parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def module_graph(imports, strings) -> dict[str, set[str]]:
    """Both kinds of edge, without the arrows from a module to its own packages.

    (Importing ``b2bsm.stats.paired`` runs ``b2bsm/stats/__init__.py`` first,
    which imports ``paired``: a package's own ``__init__`` re-exporting its
    modules is not a cycle of the code.)
    """
    graph: dict[str, set[str]] = defaultdict(set)
    for source in (imports, strings):
        for name, targets in source.items():
            graph[name] |= {t for t in targets if t not in _parents(name)}
    return graph


def subpackage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between ``b2bsm``'s parts (``b2bsm.stats``, ``b2bsm.data``, ...)."""

    def part(name: str) -> str:
        return ".".join(name.split(".")[:2])

    collapsed: dict[str, set[str]] = defaultdict(set)
    for name, targets in graph.items():
        if not name.startswith("b2bsm."):
            continue
        for target in targets:
            if target.startswith("b2bsm.") and part(target) != part(name):
                collapsed[part(name)].add(part(target))
    return collapsed


def layers(graph: dict[str, set[str]]) -> list[list[str]]:
    """Modules by layer: layer 0 imports no kit module, layer n only layers below n."""
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    level: dict[str, int] = {}

    def depth(node: str, seen: frozenset = frozenset()) -> int:
        if node in level:
            return level[node]
        if node in seen:
            return 0
        below = [depth(t, seen | {node}) for t in graph.get(node, ())]
        level[node] = 1 + max(below) if below else 0
        return level[node]

    for node in nodes:
        depth(node)
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for node, n in level.items():
        out[n].append(node)
    return [sorted(layer) for layer in out]


def _graph():
    known = modules()
    imports, strings, computed = edges(known)
    return known, imports, strings, computed, module_graph(imports, strings)


def test_student_package_never_imports_the_instructor_package():
    _, imports, strings, _, _ = _graph()
    arrows = sorted(
        f"{name} -> {target}"
        for source in (imports, strings)
        for name, targets in source.items()
        for target in targets
        if name.split(".")[0] == "b2bsm" and target.split(".")[0] == "b2bsm_teach"
    )
    assert arrows == [], "b2bsm must not depend on b2bsm_teach: " + "; ".join(arrows)


def test_no_import_cycles():
    _, _, _, _, graph = _graph()
    assert cycles(graph) == [], f"import cycles between modules: {cycles(graph)}"
    parts = subpackage_graph(graph)
    assert cycles(parts) == [], f"import cycles between b2bsm's parts: {cycles(parts)}"


def test_no_string_edges_or_computed_imports_in_b2bsm():
    _, _, strings, computed, _ = _graph()
    inside = {n: sorted(t) for n, t in strings.items() if n.split(".")[0] == "b2bsm"}
    assert inside == {}, f"modules of b2bsm named by strings (import them instead): {inside}"
    calls = {n: c for n, c in computed.items() if n.split(".")[0] == "b2bsm"}
    assert calls == {}, f"computed imports in b2bsm (import the module by name): {calls}"


def test_graph_sees_every_kind_of_edge(tmp_path):
    """The checker itself: an import, a string edge, a computed import and a cycle are found."""
    (tmp_path / "a.py").write_text(
        "import importlib\nfrom pkg import b\nTABLE = {'x': 'pkg.c'}\n"
        "def f(name):\n    return importlib.import_module(name)\n",
        encoding="utf-8",
    )
    (tmp_path / "b.py").write_text('"""pkg.a in a docstring is no edge."""\nimport pkg.a\n')
    (tmp_path / "c.py").write_text("", encoding="utf-8")
    known = {f"pkg.{n}": tmp_path / f"{n}.py" for n in "abc"}
    imports, strings, computed = edges(known)
    assert imports == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    assert strings == {"pkg.a": {"pkg.c"}}
    assert list(computed) == ["pkg.a"]
    assert cycles(module_graph(imports, strings)) == [["pkg.a", "pkg.b"]]


def test_no_module_is_too_long():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines()))
        > OVER_THE_LIMIT.get(name, MAX_LINES)
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them by job): {long}"


def report() -> str:
    """Line counts, layers, cycles and string edges, as text."""
    known, _, strings, computed, graph = _graph()
    lines = []
    for package in PACKAGES:
        names = [n for n in known if n.split(".")[0] == package]
        total = sum(len(known[n].read_text(encoding="utf-8").splitlines()) for n in names)
        lines.append(f"{package}: {len(names)} modules, {total} lines")
    lines.append("layers of b2bsm's parts:")
    for i, layer in enumerate(layers(subpackage_graph(graph))):
        lines.append(f"  {i}: {', '.join(layer)}")
    lines.append(f"module cycles: {cycles(graph)}")
    lines.append(f"part cycles: {cycles(subpackage_graph(graph))}")
    lines.append(f"string edges: { {n: sorted(t) for n, t in strings.items()} }")
    lines.append(f"computed imports: {dict(computed)}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        ROOT = Path(sys.argv[1]).resolve()
    print(report())
