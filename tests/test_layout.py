"""The layout of app/ holds: layers import downward only, areas never in a circle, templates
see only what `web.templating` registers (and the factory's header data, the one thing that
needs every area), and a model can be imported without the web app."""

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
# Lower layers first; an area (any other folder of app/) sits between web and the factory.
LAYERS = {"core": 0, "keys": 1, "web": 2, "factory": 4, "cli": 5}
AREA = 3
REGISTERS_FOR_TEMPLATES = {
    "add_app_template_global",
    "app_template_global",
    "add_app_template_filter",
    "app_template_filter",
    "app_context_processor",
    "context_processor",
    "add_template_global",
}


def _imports(path: Path) -> list[str]:
    """Every `movements.…` module a file imports, relative imports made absolute."""
    package = ["movements", *path.relative_to(SOURCE).with_suffix("").parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append(module)
            found.extend(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name.startswith("movements.")]


def _app_modules() -> list[Path]:
    return sorted((SOURCE / "app").rglob("*.py"))


def _folder(parts: list[str]) -> str:
    """`core`, `keys`, an area's name, `factory` or `cli` for a module under movements.app."""
    if len(parts) < 3:
        return "factory"
    return parts[2]


def _layer(folder: str) -> int:
    return LAYERS.get(folder, AREA)


def _folder_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _app_modules():
        me = _folder(["movements", *path.relative_to(SOURCE).with_suffix("").parts])
        for module in _imports(path):
            parts = module.split(".")
            if parts[1] != "app" or len(parts) < 3 or not (SOURCE / "app" / parts[2]).exists():
                continue
            target = "factory" if parts[2] == "factory" else parts[2]
            if target != me:
                graph.setdefault(me, set()).add(target)
    return graph


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        (me, target)
        for me, targets in _folder_graph().items()
        for target in targets
        if _layer(target) > _layer(me)
    ]
    assert upward == []


def test_the_folders_of_app_import_one_another_without_a_circle():
    sorter = graphlib.TopologicalSorter(_folder_graph())
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as cycle:
        raise AssertionError(f"folders import one another in a circle: {cycle.args[1]}") from None
    assert "core" in order and "requests" in order


def test_crypto_and_onion_know_nothing_of_flask_or_the_app():
    for folder in ("crypto", "onion"):
        for path in sorted((SOURCE / folder).rglob("*.py")):
            tree = ast.parse(path.read_text())
            names = [
                node.module or ""
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and not node.level
            ] + [
                alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            ]
            assert not [n for n in names if n.split(".")[0] in ("flask", "flask_babel")], path
            assert not [n for n in _imports(path) if n.startswith("movements.app")], path


def test_only_templating_gives_templates_names_of_their_own():
    registering = []
    for path in _app_modules():
        if path.relative_to(SOURCE).as_posix() in ("app/web/templating.py", "app/factory.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr in REGISTERS_FOR_TEMPLATES:
                registering.append(f"{path.relative_to(SOURCE)}:{node.lineno} {called.attr}")
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Attribute) and target.attr in REGISTERS_FOR_TEMPLATES:
                        registering.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert registering == []


def test_importing_the_models_loads_no_blueprint():
    probe = (
        "import sys, movements.app.core.models\n"
        "loaded = [m for m in sys.modules if m.endswith('.views') or m.endswith('.factory')]\n"
        "print(loaded)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert answer.stdout.strip() == "[]"
