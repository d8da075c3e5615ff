"""The package's layout: no module imports another that imports it back (at the top or inside a
function), so each module can be read, and copied, with only what it names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gankit"


def imports(path):
    """The gankit modules `path` imports anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gankit"):
            if node.module == "gankit":
                found |= {alias.name for alias in node.names}
            else:
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("gankit.")}
    return found - {path.stem}


def test_no_module_imports_one_that_imports_it():
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    graph = {name: imports(path) & set(modules) for name, path in modules.items()}

    def cycle_from(start, node, seen):
        for nxt in graph[node]:
            if nxt == start:
                return seen + [nxt]
            if nxt not in seen:
                found = cycle_from(start, nxt, seen + [nxt])
                if found:
                    return found
        return None

    cycles = [c for name in graph if (c := cycle_from(name, name, [name]))]
    assert not cycles, "import circles: " + "; ".join(" → ".join(c) for c in cycles)
