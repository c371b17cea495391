"""The import rule: no domain module imports the converter or the edge, not even lazily.

Every `import` and `from ... import` anywhere in a module (inside functions too) is read from
its syntax tree, so a lazy import inside a function is caught as well.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "mteam"
EDGE = ("mteam.convert", "mteam.io", "mteam.report", "mteam.cli", "mteam.__main__")
EDGE_FILES = {"convert.py", "io.py", "cli.py", "__main__.py", "__init__.py"}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, package: str | None = None) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    if package is None:
        module = _module(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_edge(module: str) -> bool:
    return any(module == e or module.startswith(e + ".") for e in EDGE)


DOMAIN = sorted(
    p
    for p in SRC.rglob("*.py")
    if not _is_edge(_module(p)) and _module(p) != "mteam"  # the top level re-exports
)


def test_the_walk_sees_the_domain():
    names = {_module(p) for p in DOMAIN}
    assert {"mteam.review.cycle", "mteam.catalog", "mteam.membership.summary"} <= names
    assert "mteam.io" not in names
    assert "mteam.report.text" not in names


@pytest.mark.parametrize("path", DOMAIN, ids=_module)
def test_no_domain_module_imports_the_converter_or_the_edge(path):
    bad = sorted(m for m in _imports(path) if _is_edge(m))
    assert bad == [], f"{_module(path)} imports {bad}"


def test_the_walk_catches_a_lazy_import(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from mteam.io import loads\n    from ..report import x\n")
    assert {"mteam.io", "mteam.report"} <= _imports(module, "mteam.review")
