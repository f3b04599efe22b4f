"""No function over 60 lines outside benchmarks, migrations and tests: a longer one is split into named steps.

Every `*.py` file git tracks is read with `ast`; a function's length runs from its `def` line to its last line
(docstring and comments included, decorators not), nested functions and methods counted on their own.
"""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60

# Functions allowed past the limit, each with its reason; none today.
ALLOWED: set[tuple[str, str]] = set()


def _tracked_sources() -> list[str]:
    files = subprocess.run(
        ["git", "ls-files", "--", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        path
        for path in files
        if not path.startswith(("benchmarks/", "tests/"))
        and not {"migrations", "tests"} & set(Path(path).parts[:-1])
    ]


def _long_functions(path: str):
    tree = ast.parse((ROOT / path).read_text(), path)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > LIMIT:
                yield node, length


def test_the_walk_sees_the_apps_and_leaves_out_benchmarks_migrations_and_tests():
    sources = _tracked_sources()
    assert "orders/services/placing.py" in sources
    assert not [path for path in sources if path.startswith("benchmarks/") or "/migrations/" in path]
    assert not [path for path in sources if "tests" in Path(path).parts]


def test_no_function_is_over_60_lines():
    too_long = sorted(
        f"{path}:{node.lineno} {node.name} ({length} lines)"
        for path in _tracked_sources()
        for node, length in _long_functions(path)
        if (path, node.name) not in ALLOWED
    )
    assert not too_long, "Split into named steps:\n" + "\n".join(too_long)
