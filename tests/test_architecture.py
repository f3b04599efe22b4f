"""The apps' layering, checked from their imports: nothing imports upward and no modules import each other.

Layers, bottom to top (docs/architecture.md): config → accounts, pages → catalog → preorders, promos,
delivery, drops → orders → fulfilment → shop, analytics, seo. Imports inside functions count too: hiding one there
hides a cycle.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    {"config"},
    {"accounts", "pages"},
    {"catalog"},
    {"preorders", "promos", "delivery", "drops"},
    {"orders"},
    {"fulfilment"},
    {"shop", "analytics", "seo"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _modules():
    for app in LEVEL:
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else ():
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = dict(_modules())
    return {
        name: {m for m in _imports(name, path) if m in modules and m != name} for name, path in modules.items()
    }


def test_no_app_imports_an_app_above_it():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if LEVEL[target.split(".")[0]] > LEVEL[module.split(".")[0]]
    )
    assert upward == []


def test_no_modules_import_each_other():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1 = on the path being walked, 2 = done

    def walk(module, path):
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    # A package's __init__ that re-exports its own modules is no cycle of the code's design.
    real = [c for c in cycles if not all(part.startswith(c.split(" → ")[0]) for part in c.split(" → "))]
    assert real == []


def test_config_names_no_app_by_string():
    """`config` offers registries (metrics, audit) that the apps fill; it never reaches an app by a string name,
    which the import check above could not see (no `"orders.Order"`, no `get_model("orders", ...)`)."""
    apps_above = {app for app in LEVEL if app != "config"}
    found = []
    for name in ("metrics", "audit", "apps"):
        path = ROOT / "config" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                label = node.value.split(".")[0]
                if label in apps_above and (node.value == label or "." in node.value):
                    found.append(f"config/{name}.py: {node.value!r}")
    assert found == []
