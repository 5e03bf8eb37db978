"""Imports go one way: the logic package never imports Streamlit or the UI."""

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
