"""Imports go one way: the logic package never imports Streamlit or the UI, and inside it
each package imports only the packages below it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"streamlit", "components", "pages"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_logic_package_imports_no_streamlit_and_no_ui():
    offenders = {
        path.name: sorted(imported_roots(path) & FORBIDDEN)
        for path in (ROOT / "chat_core").rglob("*.py")
        if imported_roots(path) & FORBIDDEN
    }
    assert offenders == {}


def test_nothing_imports_pages():
    for path in [*ROOT.glob("*.py"), *(ROOT / "components").glob("*.py")]:
        assert "pages" not in imported_roots(path), path


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_imports(path: Path, known: set[str]) -> set[str]:
    """The project's modules that ``path`` imports (relative imports resolved)."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        found |= {name for name in names if name in known}
    return found


def _source_files() -> list[Path]:
    return [
        *ROOT.glob("*.py"),
        *(ROOT / "chat_core").rglob("*.py"),
        *(ROOT / "components").glob("*.py"),
    ]


def test_no_import_circle_among_the_projects_modules():
    files = {_module_name(path): path for path in _source_files()}
    graph = {name: _project_imports(path, set(files)) - {name} for name, path in files.items()}
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for imported in graph[name]:
            assert state.get(imported) != "open", " -> ".join([*trail, name, imported])
            if imported not in state:
                visit(imported, [*trail, name])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [])


def test_no_source_module_is_over_400_lines():
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in [*_source_files(), *(ROOT / "pages").glob("*.py")]
        if (lines := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


# chat_core's packages (and its few top-level modules), bottom first: a module imports only
# from its own package and from lower layers. Two packages of one layer never import each
# other, so the layers alone rule out a circle between packages.
LAYERS = [
    {"markdown", "usage", "errors", "identity", "redact"},
    {"settings", "files", "i18n"},
    {"conversation"},
    {"prompt", "limits"},
    {"provider"},
    {"tools", "knowledge"},
    {"web"},
    {"answers"},
    {"storage"},
    {"transfer"},
]
LAYER_OF = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """The package (or top-level module) of ``chat_core.<unit>...``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_package_of_the_core_has_its_layer():
    units = {_unit(_module_name(path)) for path in (ROOT / "chat_core").rglob("*.py")}
    assert units - {"", "__init__"} == set(LAYER_OF)


def test_each_package_imports_only_its_own_and_those_below_it():
    files = {_module_name(path): path for path in _source_files()}
    core = {name for name in files if name.startswith("chat_core.")}
    upward = []
    for name in core:
        unit = _unit(name)
        if unit in {"", "__init__"}:
            continue
        for imported in _project_imports(files[name], core):
            other = _unit(imported)
            if other in {"", "__init__", unit}:
                continue
            if LAYER_OF[other] >= LAYER_OF[unit]:
                upward.append(f"{name} -> {imported}")
    assert sorted(upward) == []


def test_no_package_re_exports_its_modules():
    """A name is imported from the module that defines it: a package's __init__ holds its
    docstring only, so the folder listing says where everything is."""
    inits = [*(ROOT / "chat_core").rglob("__init__.py"), *(ROOT / "components").glob("*.py")]
    for init in (path for path in inits if path.name == "__init__.py"):
        body = ast.parse(init.read_text()).body
        code = [node for node in body if not isinstance(node, ast.Expr)]
        assert code == [], init


def test_the_unit_tests_mirror_the_core_packages():
    packages = {path.parent.name for path in (ROOT / "chat_core").glob("*/__init__.py")}
    tested = {path.name for path in (ROOT / "tests" / "unit").iterdir() if path.is_dir()}
    assert tested - {"__pycache__"} <= packages
