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
