"""servicekit is plumbing with a closed list of modules: the package holds exactly the modules its
`__init__.py` names, and none of them reaches into an application (a service's routes or any of
its packages), so no domain code comes to be shared through it."""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

import servicekit

APPLICATION_PACKAGES = frozenset({"registry", "matching", "notifications", "gateway", "web"})
PACKAGE_DIR = Path(servicekit.__file__).parent


def _modules_named_by_the_package() -> set[str]:
    """The names in backquotes before the colon of each item of the docstring's list."""
    items = [line for line in (servicekit.__doc__ or "").splitlines() if line.startswith("- ")]
    return {name for item in items for name in re.findall(r"`(\w+)`", item.split(":", 1)[0])}


def _modules_in_the_package() -> set[str]:
    return {module.name for module in pkgutil.iter_modules([str(PACKAGE_DIR)])}


def _imported_packages(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    return imported


def test_the_package_docstring_names_its_modules():
    assert {"caller", "internal_token", "problems", "unit_of_work", "runner"} <= (
        _modules_named_by_the_package()
    )


def test_the_package_holds_exactly_the_modules_its_init_names():
    assert _modules_in_the_package() == _modules_named_by_the_package()


def test_no_module_imports_an_application_package_or_its_routes():
    reaching_in = {
        path.name: sorted(_imported_packages(path) & APPLICATION_PACKAGES)
        for path in sorted(PACKAGE_DIR.glob("*.py"))
    }
    assert {name: found for name, found in reaching_in.items() if found} == {}


def test_the_import_check_sees_an_application_import(tmp_path):
    module = tmp_path / "reaching_in.py"
    module.write_text("from registry.entrypoints import routes\nimport gateway.bootstrap\n")
    assert _imported_packages(module) & APPLICATION_PACKAGES == {"registry", "gateway"}
