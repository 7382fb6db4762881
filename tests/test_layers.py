"""The package is a house of floors: a module imports only from its own floor or the floors below,
no imports go round in a loop, and the data floor never loads torch or fastai."""

import ast
import subprocess
import sys
from pathlib import Path

import emocourse

PACKAGE = Path(emocourse.__file__).parent

#: Floor of every top-level room, from the ground up (the README's "What is where" shows the same).
FLOORS = {
    "emocourse": 0,
    "taxonomy": 0,
    "fileio": 0,
    "paths": 0,
    "data": 1,
    "models": 2,
    "features": 2,
    "baselines": 2,
    "train": 3,
    "evaluate": 4,
    "notebook": 5,
    "book_demo": 5,
    "cli": 5,
    "full_profile": 5,
    "teach": 5,
    "plots": 5,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """Project modules that ``name`` imports anywhere in its body (function-level imports too)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("emocourse")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("emocourse"):
                target = node.module
            else:
                continue
            for alias in node.names:  # `from . import paths` names a module; `from .x import y` a name in x
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
    return found - {name}


def floor(name: str) -> int:
    room = name.split(".")[1] if "." in name else name
    assert room in FLOORS, f"{name}: add its room to FLOORS (and to the README's table)"
    return FLOORS[room]


GRAPH = {name: imports(name) for name in MODULES}


def test_every_import_names_a_module_of_the_package():
    unknown = {(name, target) for name, targets in GRAPH.items() for target in targets if target not in MODULES}
    assert not unknown


def test_no_module_imports_from_a_higher_floor():
    upward = sorted(
        f"{name} (floor {floor(name)}) imports {target} (floor {floor(target)})"
        for name, targets in GRAPH.items()
        for target in targets
        if floor(target) > floor(name)
    )
    assert not upward, "\n".join(upward)


def test_no_import_loops():
    from graphlib import CycleError, TopologicalSorter

    parents = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in GRAPH.items()}
    try:  # a module naming the package it lives in is no loop (the package is loaded first anyway)
        tuple(TopologicalSorter(parents).static_order())
    except CycleError as err:
        raise AssertionError(f"import loop: {' -> '.join(err.args[1])}") from None


def test_the_data_floor_loads_neither_torch_nor_fastai():
    data_modules = sorted(name for name in MODULES if name.startswith("emocourse.data"))
    code = (
        f"import sys\nfor name in {data_modules!r}:\n    __import__(name)\n"
        "print(sorted(m for m in ('torch', 'fastai', 'timm', 'torchvision') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"importing emocourse.data loads {loaded.strip()}"
