"""The house rule: no service imports another service's package (they talk over HTTP)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROOMS = {
    "fbjd_registry": ROOT / "services/registry/src",
    "fbjd_ingest": ROOT / "services/ingest/src",
    "fbjd_rules": ROOT / "services/rules/src",
    "fbjd_workflow": ROOT / "services/workflow/src",
    "fbjd_bridge": ROOT / "services/provincial-bridge/src",
    "fbjd_gateway": ROOT / "gateway/src",
    "fbjd_web": ROOT / "web/src",
}
SHARED = {"fbjd_core", "hj212"}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_service_imports_another_services_package() -> None:
    offences = []
    for package, src in ROOMS.items():
        for path in src.rglob("*.py"):
            foreign = (_imported_top_levels(path) & set(ROOMS)) - {package}
            offences += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(foreign)]
    assert offences == []


def test_shared_libraries_import_no_service() -> None:
    offences = []
    for lib in ("libs/fbjd-core/src", "libs/hj212/src"):
        for path in (ROOT / lib).rglob("*.py"):
            foreign = _imported_top_levels(path) & set(ROOMS)
            offences += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(foreign)]
    assert offences == []
