"""The architecture's import rules, checked on the source so they stay true.

ingest never imports formatter; formatter may take ingest's record type and
nothing else of it; both libraries may use minyi's shared errors and the shared
LibreOffice service (``office``), not the app layer (CLI, settings); ``office``
uses nothing of theirs.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent


def imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[path.relative_to(ROOT).as_posix()] = names
    return found


def test_ingest_never_imports_formatter_or_app_layer() -> None:
    for module, names in imports("ingest").items():
        assert not any(n == "formatter" or n.startswith("formatter.") for n in names), module
        app = {n for n in names if n.startswith("minyi") and not n.startswith("minyi.errors")}
        assert app <= {"minyi"}, (module, app)


def test_formatter_takes_only_the_record_type() -> None:
    for module, names in imports("formatter").items():
        from_ingest = {n for n in names if n == "ingest" or n.startswith("ingest.")}
        assert all(n.startswith("ingest.record") for n in from_ingest), (module, from_ingest)
        app = {n for n in names if n.startswith("minyi") and not n.startswith("minyi.errors")}
        assert not app, (module, app)


def test_office_is_shared_and_depends_on_neither_half() -> None:
    for module, names in imports("office").items():
        ours = {n for n in names if n.split(".")[0] in {"ingest", "formatter", "minyi"}}
        assert all(n.startswith("minyi.errors") for n in ours), (module, ours)


def test_followup_is_a_library_of_its_own() -> None:
    for module, names in imports("followup").items():
        ours = {n for n in names if n.split(".")[0] in {"ingest", "formatter", "minyi", "office"}}
        assert all(n.startswith("minyi.errors") for n in ours), (module, ours)


def test_every_module_says_its_role() -> None:
    for package in ("minyi", "ingest", "formatter", "office", "followup"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert ast.get_docstring(tree), f"{path} has no module docstring"
