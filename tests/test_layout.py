"""The house rules of README "Layout": imports go one way, down the floors, and no module imports itself back.

Every module of wordvec/, corpora/ and cli/ is parsed with ``ast``; every import counts, at module level or
inside a function or an ``if TYPE_CHECKING`` block alike.
"""
from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# folder in the checkout -> import name of that folder
FOLDERS = {"wordvec": "wordvec", "corpora": "wordvec.corpora", "cli": "wordvec.cli"}
# floors, bottom first: a module may import its own floor and the floors below it
FLOORS = [
    ("base", ("wordvec", "wordvec._version", "wordvec.errors", "wordvec.io")),
    ("corpora", ("wordvec.corpora",)),
    ("trainers", ("wordvec.train", "wordvec.word2vec")),
    ("queries", ("wordvec.query", "wordvec.api")),
    ("cli", ("wordvec.cli", "wordvec.__main__")),
]


def module_files() -> dict[str, str]:
    """Import name -> file path of every module of the package, as setup.cfg installs them."""
    found = {}
    for folder, name in FOLDERS.items():
        base = os.path.join(ROOT, folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            rel = os.path.relpath(dirpath, base)
            package = name if rel == "." else name + "." + rel.replace(os.sep, ".")
            for filename in filenames:
                if filename.endswith(".py"):
                    stem = filename[:-3]
                    found[package if stem == "__init__" else package + "." + stem] = os.path.join(dirpath, filename)
    return found


def floor_of(module: str) -> int:
    """Index of the floor a module stands on (the longest matching prefix decides)."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} stands on no floor: add its room to FLOORS and README 'Layout'")
    return best


def imports_of(module: str, path: str, modules: dict[str, str]) -> set[str]:
    """The package modules that ``module`` imports anywhere in its source."""
    is_package = path.endswith("__init__.py")
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    out: set[str] = set()

    def add(target: str) -> None:
        while target and target not in modules:  # a name inside a module: the module itself
            target = target.rpartition(".")[0]
        if target and target != module:
            out.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "wordvec" or alias.name.startswith("wordvec."):
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = base + ("." + node.module if node.module else "")
            else:
                source = node.module or ""
            if source != "wordvec" and not source.startswith("wordvec."):
                continue
            for alias in node.names:
                full = source + "." + alias.name
                add(full if full in modules else source)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_every_module_stands_on_a_floor():
    for name in module_files():
        floor_of(name)


def test_imports_only_go_down():
    upward = []
    for name, targets in import_graph().items():
        for target in targets:
            if floor_of(target) > floor_of(name):
                upward.append(f"{name} ({FLOORS[floor_of(name)][0]}) imports {target} ({FLOORS[floor_of(target)][0]})")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert _cycles(import_graph()) == []


def test_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module, expected", [
    ("wordvec.io.atomic", "base"), ("wordvec.corpora.cache", "corpora"), ("wordvec.train.pmi", "trainers"),
    ("wordvec.word2vec.bridge", "trainers"), ("wordvec.query.embedding", "queries"), ("wordvec.cli.main", "cli"),
])
def test_floors_of_known_modules(module, expected):
    assert FLOORS[floor_of(module)][0] == expected


def test_numba_only_in_kernel_modules():
    offenders = []
    for name, path in module_files().items():
        if name.rpartition(".")[2] == "_kernels":
            continue
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(n == "numba" or n.startswith("numba.") or n.startswith("llvmlite") for n in names):
                offenders.append(name)
    assert not offenders, f"numba imported outside _kernels.py modules: {sorted(set(offenders))}"


def test_serve_room_is_reached_only_from_the_cli():
    """``wordvec.cli.serve`` (Flask) stands above the queries: only the command line imports it, and it
    imports nothing of the trainers or the corpora."""
    graph = import_graph()
    serve = "wordvec.cli.serve"
    outside = sorted(name for name, targets in graph.items() if not name.startswith("wordvec.cli")
                     and any(t == serve or t.startswith(serve + ".") for t in targets))
    assert not outside, f"modules outside the cli import {serve}: {outside}"
    below = sorted(f"{name} imports {t}" for name, targets in graph.items() if name.startswith(serve)
                   for t in targets if FLOORS[floor_of(t)][0] in ("corpora", "trainers"))
    assert not below, "serve reaches past the queries:\n" + "\n".join(below)
    assert any(serve in t for t in graph["wordvec.cli.main"])  # and the command is registered
