"""Imports run down the layers (DESIGN.md §5, README "How it is built"), checked by walking the source.

    poverty_tracker            configuration: settings, root URLs, Celery app
    dashboards, demo           composition: figures and data across every app; nothing imports them
    projects, assignments      domain
    households                 domain
    accounts                   domain (user accounts: role and scope)
    villages                   domain (geography)
    core                       shared infrastructure: imports no domain app

Every import counts, at module level or inside a function: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "poverty_tracker"
COMPOSITION = ("dashboards", "demo")
INFRASTRUCTURE = "core"
# What each domain app may import, besides the infrastructure and itself.
DOMAIN = {
    "villages": set(),
    "accounts": {"villages"},
    "households": {"villages", "accounts"},
    "assignments": {"households", "villages", "accounts"},
    "projects": {"households", "villages", "accounts"},
    # Revisits (assignments) feed screening (illness/disaster reported) and the "no visit in two rounds" rule.
    "monitoring": {"households", "villages", "accounts", "assignments"},
}
PACKAGES = (CONFIG, *COMPOSITION, *DOMAIN, INFRASTRUCTURE)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: from the module's own package
            base = module.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        # "from households import selectors" imports the module households.selectors
        return [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
    return []


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module → the project modules it imports (``from a import b`` counts as a.b when that is a module)."""
    files = {
        _module_name(path): path
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            for name in _imported(node, module, path.name == "__init__.py"):
                # the longest project module the name refers to (a.b.c may be a class in module a.b)
                while name and name not in files:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    targets.add(name)
        graph[module] = targets
    return graph


def _app(module: str) -> str:
    return module.split(".")[0]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in graph.items():
        app = _app(module)
        for target in targets:
            other = _app(target)
            if other == app:
                continue
            if other in COMPOSITION and app != CONFIG:
                found.append(f"{module} imports the composition layer ({target})")
            elif other == CONFIG and app != CONFIG:
                found.append(f"{module} imports the configuration package ({target})")
            elif app == INFRASTRUCTURE:
                found.append(f"the infrastructure imports a domain app: {module} → {target}")
            elif app in DOMAIN and other in DOMAIN and other not in DOMAIN[app]:
                found.append(
                    f"{module} imports {target}: {app} may import only {sorted(DOMAIN[app]) or 'no domain app'}"
                )
    return sorted(found)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of module imports, as one strongly connected component each (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_imports_run_down_the_layers(graph):
    assert layer_violations(graph) == []


def test_no_two_modules_import_each_other(graph):
    assert import_cycles(graph) == []


def test_the_checks_catch_what_they_are_for():
    """The checks themselves can fail: a made-up graph with every kind of wrong import."""
    wrong = {
        "core.access": {"households.models"},
        "villages.models": {"accounts.models"},
        "households.views": {"dashboards.views"},
        "projects.models": {"assignments.models"},
        "households.services": {"households.selectors"},
        "households.selectors": {"households.services"},
    }
    assert layer_violations(wrong) == [
        "households.views imports the composition layer (dashboards.views)",
        "projects.models imports assignments.models: projects may import only "
        "['accounts', 'households', 'villages']",
        "the infrastructure imports a domain app: core.access → households.models",
        "villages.models imports accounts.models: villages may import only no domain app",
    ]
    assert import_cycles(wrong) == [["households.selectors", "households.services"]]
