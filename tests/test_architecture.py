"""Dependencies point down (cli -> forecasting -> estimators -> nn -> kernels), with no
import cycles, not even through imports inside functions."""

import ast
import pathlib

import tsrnn

ROOT = pathlib.Path(tsrnn.__file__).parent
#: Packages and modules by layer, highest first; a module imports only from its own
#: layer or below. The last layer holds leaves that any layer may use.
LAYERS = [
    {"__main__", "cli", "persistence", "plotting", "adapters"},
    {"forecasting"},
    {"estimators"},
    {"interop"},
    {"nn"},
    {"kernels"},
    {"config", "io", "_schema", "_validation", "datasets"},
]


def _modules():
    mods = {}
    for f in ROOT.rglob("*.py"):
        parts = ("tsrnn", *f.relative_to(ROOT).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = f
    return mods


def _imports(name, path, mods):
    """Every tsrnn module ``name`` imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in mods}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods}
            out |= subs
            if len(subs) < len(node.names) and target in mods:
                out.add(target)
    return out - {name}


def _layer(name):
    if name == "tsrnn":
        return None  # the package's lazy names, imported by nothing below cli
    top = name.split(".")[1]
    return next(i for i, group in enumerate(LAYERS) if top in group)


def test_dependencies_point_down():
    mods = _modules()
    wrong = []
    for name, path in mods.items():
        here = _layer(name)
        for dep in _imports(name, path, mods):
            there = _layer(dep)
            if here is None or there is None:
                if dep == "tsrnn" and here is not None and here > 0:
                    wrong.append((name, dep))
                continue
            if there < here:
                wrong.append((name, dep))
    assert not wrong, f"imports that point up: {wrong}"


def test_no_import_cycles():
    mods = _modules()
    graph = {name: _imports(name, path, mods) - {"tsrnn"} for name, path in mods.items()}
    state, stack = {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == "open":
                raise AssertionError(f"import cycle: {stack[stack.index(v):] + [v]}")
            if v not in state:
                visit(v)
        state[u] = "done"
        stack.pop()

    for name in sorted(graph):
        if name not in state:
            visit(name)
