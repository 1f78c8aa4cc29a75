"""The architecture's import rules, checked on the source so they stay true.

ingest never imports formatter; formatter may take ingest's record type and
nothing else of it, and nothing of followup; every library may use ``common``
(errors, the TOML reader, gated writing), which is below them all and imports
none of them; none imports the app layer (``minyi``: CLI, settings); ``office``
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


def _ours(names: set[str], *packages: str) -> set[str]:
    return {n for n in names if n.split(".")[0] in packages}


def test_no_library_imports_the_app_layer() -> None:
    for package in ("ingest", "formatter", "office", "followup", "common"):
        for module, names in imports(package).items():
            assert not _ours(names, "minyi"), (module, _ours(names, "minyi"))


def test_common_is_below_everything() -> None:
    for module, names in imports("common").items():
        assert not _ours(names, "minyi", "ingest", "formatter", "office", "followup"), module


def test_ingest_never_imports_formatter() -> None:
    for module, names in imports("ingest").items():
        assert not _ours(names, "formatter", "followup"), module


def test_formatter_takes_only_the_record_type() -> None:
    for module, names in imports("formatter").items():
        from_ingest = _ours(names, "ingest")
        assert all(n.startswith("ingest.record") for n in from_ingest), (module, from_ingest)
        assert not _ours(names, "followup"), module


def test_office_is_shared_and_depends_on_neither_half() -> None:
    for module, names in imports("office").items():
        assert not _ours(names, "ingest", "formatter", "followup"), module


def test_followup_is_a_library_of_its_own() -> None:
    for module, names in imports("followup").items():
        assert not _ours(names, "ingest", "formatter", "office"), module


def test_every_module_says_its_role() -> None:
    for package in ("minyi", "ingest", "formatter", "office", "followup", "common"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert ast.get_docstring(tree), f"{path} has no module docstring"
